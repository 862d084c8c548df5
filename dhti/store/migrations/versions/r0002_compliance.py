"""Compliance statuses and the stage by score alone: what the portfolio needs to say who is in breach.

Assessments stored before this revision keep no compliance rows and ``compliance_recorded``
false, so the portfolio can say "not recorded" rather than "none in breach".

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the compliance items of each assessment, and its stage by score alone."""
    # Plain ALTER TABLE ... ADD COLUMN on both back ends: a batch copy of the table on SQLite would
    # drop the old one, and with foreign keys on, every score and recommendation with it.
    op.add_column("assessments", sa.Column("score_stage", sa.Integer(), nullable=True))
    op.add_column(
        "assessments", sa.Column("compliance_recorded", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "compliance_items",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_compliance_items_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_compliance_items")),
    )


def downgrade() -> None:
    """Drop the compliance items and the two columns."""
    op.drop_table("compliance_items")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("compliance_recorded")
        batch.drop_column("score_stage")
