"""Initial schema: assessments with their scores, recommendations, GDHM readings and response bytes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the assessments and their scores, recommendations, GDHM readings and bytes."""
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("entity_name", sa.Text(), nullable=True),
        sa.Column("entity_type", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("province_key", sa.Text(), nullable=True),
        sa.Column("questionnaire_id", sa.Text(), nullable=False),
        sa.Column("questionnaire_version", sa.Text(), nullable=False),
        sa.Column("assessment_date", sa.Date(), nullable=False),
        sa.Column("index_score", sa.Float(precision=53), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.Column("completeness", sa.Float(precision=53), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_assessments_content_hash")),
    )
    op.create_index(
        op.f("ix_assessments_entity_id_assessment_date"), "assessments", ["entity_id", "assessment_date"], unique=False
    )
    op.create_index(op.f("ix_assessments_province_key"), "assessments", ["province_key"], unique=False)
    op.create_index(
        op.f("ix_assessments_questionnaire_id_questionnaire_version"),
        "assessments",
        ["questionnaire_id", "questionnaire_version"],
        unique=False,
    )
    op.create_table(
        "domain_scores",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(precision=53), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_domain_scores_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_domain_scores")),
    )
    op.create_table(
        "gdhm_readings",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_gdhm_readings_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_gdhm_readings")),
    )
    op.create_table(
        "indicator_scores",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Text(), nullable=False),
        sa.Column("indicator_id", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(precision=53), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_indicator_scores_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_indicator_scores")),
    )
    op.create_table(
        "recommendations",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("horizon", sa.Text(), nullable=False),
        sa.Column("gap", sa.Float(precision=53), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_recommendations_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_recommendations")),
    )
    op.create_table(
        "responses",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_responses_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_responses")),
    )


def downgrade() -> None:
    """Drop everything the store holds."""
    op.drop_table("responses")
    op.drop_table("recommendations")
    op.drop_table("indicator_scores")
    op.drop_table("gdhm_readings")
    op.drop_table("domain_scores")
    op.drop_index(op.f("ix_assessments_questionnaire_id_questionnaire_version"), table_name="assessments")
    op.drop_index(op.f("ix_assessments_province_key"), table_name="assessments")
    op.drop_index(op.f("ix_assessments_entity_id_assessment_date"), table_name="assessments")
    op.drop_table("assessments")
