"""Reviews: an assessment is self-assessed or verified, and a review records what its sheet found.

Every assessment stored before this revision is a self-assessment (``status`` defaults to it)
and verifies nothing. A review links the self-assessment to the verified assessment it made,
keeps the reviewer's sheet as bytes, and one row per answer of the sheet.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add each assessment's status and the one it verifies; create the reviews and their answers."""
    # Plain ALTER TABLE ... ADD COLUMN on both back ends, as in 0002: a batch copy of the table on
    # SQLite would drop the old one, and every score with it.
    op.add_column(
        "assessments", sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'self-assessed'"))
    )
    _add_verifies()
    op.create_index(op.f("ix_assessments_verifies"), "assessments", ["verifies"], unique=False)
    _create_reviews()
    _create_review_answers()


def _add_verifies() -> None:
    """The foreign key to the self-assessment a verified one checks (null for every row so far)."""
    name = op.f("fk_assessments_verifies_assessments")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key inline, and has no ALTER TABLE ... ADD CONSTRAINT.
        op.execute(f"ALTER TABLE assessments ADD COLUMN verifies INTEGER CONSTRAINT {name} REFERENCES assessments (id)")
        return
    op.add_column("assessments", sa.Column("verifies", sa.Integer(), nullable=True))
    op.create_foreign_key(name, "assessments", "assessments", ["verifies"], ["id"])


def _create_reviews() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("self_id", sa.Integer(), nullable=False),
        sa.Column("verified_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sheet", sa.LargeBinary(), nullable=False),
        sa.Column("sheet_format", sa.Text(), nullable=False),
        sa.Column("sheet_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["self_id"], ["assessments.id"], name=op.f("fk_reviews_self_id_assessments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verified_id"], ["assessments.id"], name=op.f("fk_reviews_verified_id_assessments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("verified_id", name=op.f("uq_reviews_verified_id")),
    )
    op.create_index(op.f("ix_reviews_self_id"), "reviews", ["self_id"], unique=False)


def _create_review_answers() -> None:
    op.create_table(
        "review_answers",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("self_value", sa.Text(), nullable=True),
        sa.Column("verified_value", sa.Text(), nullable=True),
        sa.Column("evidence_checked", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_answers_review_id_reviews"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("review_id", "position", name=op.f("pk_review_answers")),
    )


def downgrade() -> None:
    """Drop the reviews, their answers and the two columns."""
    op.drop_table("review_answers")
    op.drop_index(op.f("ix_reviews_self_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_index(op.f("ix_assessments_verifies"), table_name="assessments")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("verifies")
        batch.drop_column("status")
