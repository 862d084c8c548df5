"""The assessment store (SQLite or PostgreSQL): every assessment kept, with its scores and bytes.

from dhti.store import open_store

with open_store() as store:                    # DHTI_DB, else the user-data folder
    store.ingest(outcome, raw_bytes)
    for assessment in store.history("01-BV-0001"):
        print(assessment.assessment_date, assessment.index)
"""

from dhti.store.api import (
    AssessmentFilter,
    IngestResult,
    Store,
    StoredAssessment,
    find_assessment,
    open_store,
    unknown_entity,
)
from dhti.store.location import Backend, Location, resolve
from dhti.store.record import (
    AssessmentRecord,
    DomainEntry,
    IndicatorEntry,
    StoreError,
    content_hash,
    record_from_outcome,
)

__all__ = [
    "AssessmentFilter",
    "AssessmentRecord",
    "Backend",
    "DomainEntry",
    "IndicatorEntry",
    "IngestResult",
    "Location",
    "Store",
    "StoreError",
    "StoredAssessment",
    "content_hash",
    "find_assessment",
    "open_store",
    "record_from_outcome",
    "resolve",
    "unknown_entity",
]
