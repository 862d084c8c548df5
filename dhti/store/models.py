"""The store's tables (SQLAlchemy Core); the migrations in ``migrations/versions`` build exactly these."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)

# The newest migration; the store skips Alembic entirely when a database is already there.
SCHEMA_REVISION = "0002"
# The revisions an earlier dhti wrote, which this one upgrades in place when it stores.
EARLIER_REVISIONS = ("0001",)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Scores are doubles (Float(53)) so they come back bit for bit as scored.
assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("entity_id", Text, nullable=False),
    Column("entity_name", Text),
    Column("entity_type", Text, nullable=False),
    Column("province", Text),
    Column("province_key", Text),  # accent- and case-folded, for matching what assessors type
    Column("questionnaire_id", Text, nullable=False),
    Column("questionnaire_version", Text, nullable=False),
    Column("assessment_date", Date, nullable=False),
    Column("index_score", Float(53)),
    Column("stage", Integer),
    Column("completeness", Float(53), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("score_stage", Integer),  # the index's stage by score alone, before compliance caps (0002)
    # False for assessments stored before 0002: their compliance was not kept ("not recorded").
    Column("compliance_recorded", Boolean, nullable=False, server_default=false()),
    Index(None, "entity_id", "assessment_date"),
    Index(None, "province_key"),
    Index(None, "questionnaire_id", "questionnaire_version"),
)

responses = Table(
    "responses",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("raw", LargeBinary, nullable=False),
)

domain_scores = Table(
    "domain_scores",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("domain_id", Text, nullable=False),
    Column("score", Float(53)),
    Column("stage", Integer),
)

indicator_scores = Table(
    "indicator_scores",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("domain_id", Text, nullable=False),
    Column("indicator_id", Text, nullable=False),
    Column("score", Float(53)),
    Column("stage", Integer),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("rule_id", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("horizon", Text, nullable=False),
    Column("gap", Float(53), nullable=False),
    Column("due", Date, nullable=False),
)

gdhm_readings = Table(
    "gdhm_readings",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("code", Text, nullable=False),
    Column("phase", Integer, nullable=False),
)

# Each compliance item binding the entity on the assessment date: met, pending (due later) or breach.
compliance_items = Table(
    "compliance_items",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("item_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("due", Date),
)
