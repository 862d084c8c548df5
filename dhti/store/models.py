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
SCHEMA_REVISION = "0003"
# The revisions an earlier dhti wrote, which this one upgrades in place when it stores.
EARLIER_REVISIONS = ("0001", "0002")

# An assessment's status (0003): what a unit says about itself, or what a review found.
SELF_ASSESSED = "self-assessed"
VERIFIED = "verified"
STATUSES = (SELF_ASSESSED, VERIFIED)

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
    # 0003: every assessment stored before is a self-assessment; a verified one names the one it checks.
    # No ON DELETE on ``verifies``: SQLite adds it inline (no ALTER ... ADD CONSTRAINT), where a
    # reflected inline key keeps no options, so the schema is the same on both back ends this way.
    Column("status", Text, nullable=False, server_default=SELF_ASSESSED),
    Column("verifies", Integer, ForeignKey("assessments.id")),
    Index(None, "entity_id", "assessment_date"),
    Index(None, "province_key"),
    Index(None, "questionnaire_id", "questionnaire_version"),
    Index(None, "verifies"),
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


# A review (0003): who checked which self-assessment when, the verified assessment it made, and
# the sheet exactly as the reviewer filled it in (bytes, 'yaml' or 'xlsx', SHA-256 in hex).
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("self_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
    Column("verified_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("reviewer", Text, nullable=False),
    Column("review_date", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("sheet", LargeBinary, nullable=False),
    Column("sheet_format", Text, nullable=False),
    Column("sheet_hash", String(64), nullable=False),
    Index(None, "self_id"),
)

# Every answer of a review's sheet, the confirmed ones too (``changed`` false), so that agreement
# between self and verified answers is computed from the store alone. Values are the answers'
# JSON text ("\"na\"" for na); ``verified_value`` is null for an answer the reviewer did not check.
review_answers = Table(
    "review_answers",
    metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("question_id", Text, nullable=False),
    Column("self_value", Text),
    Column("verified_value", Text),
    Column("evidence_checked", Text),  # yes | no | missing, or null when the reviewer said nothing
    Column("note", Text),
    Column("changed", Boolean, nullable=False),
)
