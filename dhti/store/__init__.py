"""The assessment store (SQLite or PostgreSQL): every assessment kept, with its scores and bytes.

from dhti.store import open_store

with open_store() as store:                    # DHTI_DB, else the user-data folder
    store.ingest(outcome, raw_bytes)
    for assessment in store.history("01-BV-0001"):
        print(assessment.record.assessment_date, assessment.record.index)
"""

from typing import TYPE_CHECKING, Any

from dhti.store.location import Backend, Location, resolve
from dhti.store.record import (
    AssessmentRecord,
    ComplianceRecord,
    DomainEntry,
    IndicatorRecord,
    RecommendationRecord,
    ReviewedAnswer,
    ReviewRecord,
    StoreError,
    content_hash,
    record_from_outcome,
)

if TYPE_CHECKING:
    from dhti.store.api import (
        AssessmentFilter,
        IngestResult,
        Previous,
        Store,
        StoredAssessment,
        find_assessment,
        open_store,
        unknown_entity,
    )
    from dhti.store.reviews import StoredReview

# The API needs SQLAlchemy (a quarter of a second to import): load it on first use, so that
# code that only asks where the store is (dhti report without a store) stays fast.
_API = frozenset(
    {
        "AssessmentFilter",
        "IngestResult",
        "Previous",
        "Store",
        "StoredAssessment",
        "StoredReview",
        "find_assessment",
        "open_store",
        "unknown_entity",
    }
)


def __getattr__(name: str) -> Any:  # noqa: ANN401 - a module attribute of any kind
    if name in _API:
        from dhti.store import api  # noqa: PLC0415

        return getattr(api, name)
    msg = f"module 'dhti.store' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "AssessmentFilter",
    "AssessmentRecord",
    "Backend",
    "ComplianceRecord",
    "DomainEntry",
    "IndicatorRecord",
    "IngestResult",
    "Location",
    "Previous",
    "RecommendationRecord",
    "ReviewRecord",
    "ReviewedAnswer",
    "Store",
    "StoreError",
    "StoredAssessment",
    "StoredReview",
    "content_hash",
    "find_assessment",
    "open_store",
    "record_from_outcome",
    "resolve",
    "unknown_entity",
]
