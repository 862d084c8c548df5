"""The assessment store: open it (migrating on the way), ingest outcomes, read assessments back.

Everything that leaves this module is a frozen value; no SQLAlchemy object escapes.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import exc

from dhti import provinces
from dhti.assess import Outcome
from dhti.errors import did_you_mean
from dhti.messages import L_, Message, plain
from dhti.store import models as m
from dhti.store.connect import WRITE, Schema, engine_for, migrate, read_schema
from dhti.store.location import Backend, Location, resolve
from dhti.store.record import (
    COMPLIANCE_STATUSES,
    AssessmentRecord,
    ComplianceRecord,
    DomainEntry,
    IndicatorRecord,
    RecommendationRecord,
    ReviewRecord,
    StoreError,
    content_hash,
    fold,
    record_from_outcome,
)
from dhti.store.reviews import (
    StoredReview,
    check_reviewable,
    insert_review,
    latest_reviews,
    read_reviews,
    review_of_verified,
)
from dhti.store.rows import RowReader

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only: int() would take "²" or "٣"
MAX_ID = 2**31 - 1  # the largest assessment id (an INTEGER column holds 32 bits on PostgreSQL)
_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class IngestResult:
    """What :meth:`Store.ingest` did: stored a new assessment, or found the same bytes stored already."""

    stored: bool
    assessment_id: int
    duplicate_of: int | None = None


@dataclass(frozen=True)
class StoredAssessment:
    """One stored assessment: what was stored (scores 0..100 at full precision, as scored), and under which id.

    ``status`` is ``self-assessed`` (what the unit said) or ``verified`` (what a review found);
    a verified assessment ``verifies`` the self-assessment it checks (``None`` for a self-assessment).
    """

    id: int
    record: AssessmentRecord
    content_hash: str
    ingested_at: dt.datetime
    status: str = m.SELF_ASSESSED
    verifies: int | None = None


@dataclass(frozen=True)
class Previous:
    """The assessment of an entity before its newest one: what a change since then needs."""

    id: int
    assessment_date: dt.date
    index: float | None
    stage: int | None


@dataclass(frozen=True)
class AssessmentFilter:
    """Which assessments to read; every field left ``None`` matches everything.

    ``province`` matches without regard to accents, case or spacing ("ha noi" finds "Hà Nội");
    one of the 34 units, by any name :func:`dhti.provinces.lookup` accepts ("TP.HCM", or a unit
    merged into it such as "Bình Dương"), matches every assessment recorded under that unit, however
    it was written. ``questionnaire`` is an id (any version) or ``id@version``; ``since`` and
    ``until`` are inclusive assessment dates. ``status`` is the one exception: it matches
    self-assessments unless told ``verified``, or ``None`` for both.
    """

    province: str | None = None
    entity_type: str | None = None
    questionnaire: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    entity_id: str | None = None
    status: str | None = m.SELF_ASSESSED

    def conditions(self, province_keys: Sequence[str] | None = None) -> list[sa.ColumnElement[bool]]:
        """The SQL conditions; ``province_keys`` are the stored keys that stand for the province asked for."""
        table = m.assessments.c
        found: list[sa.ColumnElement[bool]] = []
        if self.province is not None:
            if province_keys is None:
                found.append(table.province_key == fold(self.province))
            else:
                found.append(table.province_key.in_(province_keys))
        if self.entity_type is not None:
            found.append(table.entity_type == self.entity_type)
        if self.questionnaire is not None:
            questionnaire_id, _, version = self.questionnaire.partition("@")
            found.append(table.questionnaire_id == questionnaire_id)
            if version:
                found.append(table.questionnaire_version == version)
        if self.since is not None:
            found.append(table.assessment_date >= self.since)
        if self.until is not None:
            found.append(table.assessment_date <= self.until)
        if self.entity_id is not None:
            found.append(table.entity_id == self.entity_id)
        if self.status is not None:
            found.append(table.status == self.status)
        return found


def open_store(url_or_path: str | Path | None = None, *, create: bool = True) -> Store:
    """Open the store, creating and migrating it as needed.

    ``None`` means ``DHTI_DB``, else ``dhti.sqlite`` in the user-data folder. A path means
    SQLite; a ``postgresql://`` or ``postgresql+psycopg://`` URL means PostgreSQL. Migrations
    run under a lock, so several processes may open a new store at once. A database holding
    other tables and not dhti's is refused untouched. With ``create=False`` (for commands that
    only read) nothing is ever created or written: a missing or empty store is an error, and an
    SQLite file is opened read-only, so a store on read-only media can be read.
    """
    location = resolve(url_or_path)
    display = _display(location)
    _check_file(location, create=create)
    engine = engine_for(location, writable=False)
    try:
        schema = _schema(engine, location, display)
        schema.refuse_foreign(display)
        if create:
            engine = _writable(engine, location, schema, display)
        else:
            _check_readable(schema, display)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, location)


class Store:
    """An open store; use it as a context manager, or call :meth:`close`."""

    def __init__(self, engine: sa.Engine, location: Location) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self.location = location

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    @property
    def display(self) -> str:
        """Where the store is, for messages (a URL's password hidden)."""
        return _display(self.location)

    # Writing

    def ingest(self, outcome: Outcome, raw: bytes) -> IngestResult:
        """Store a valid outcome and the bytes it was read from; the same bytes are stored once."""
        return self.ingest_record(record_from_outcome(outcome), raw)

    def ingest_record(self, record: AssessmentRecord, raw: bytes) -> IngestResult:
        """Store one assessment in one transaction: all of it, or (on any error) nothing."""
        digest = content_hash(raw)
        try:
            with self._guard("store"), self._writer.begin() as conn:
                existing = _id_for_hash(conn, digest)
                if existing is not None:
                    _complete(conn, existing, record)
                    return IngestResult(stored=False, assessment_id=existing, duplicate_of=existing)
                new_id = _insert(conn, record, raw, digest)
        except StoreError as err:
            if not isinstance(err.__cause__, exc.IntegrityError):
                raise
            # Another process stored the same bytes between our look-up and our insert.
            with self._guard("read"), self._engine.connect() as conn:
                existing = _id_for_hash(conn, digest)
            if existing is None:
                raise
            return IngestResult(stored=False, assessment_id=existing, duplicate_of=existing)
        log.info("stored %s as assessment %d", record.source_file, new_id)
        return IngestResult(stored=True, assessment_id=new_id)

    def record_review(
        self, review: ReviewRecord, verified: AssessmentRecord, verified_raw: bytes, sheet_raw: bytes
    ) -> StoredReview:
        """Store a review in one transaction: the verified assessment (its bytes), the review, its sheet and answers.

        The self-assessment it checks (``review.self_id``) and its bytes are left as they are.
        Refused, with nothing stored: a self-assessment that is not stored, a verified one, a
        verified record of another entity or questionnaire, and a review stored already (the
        same verified bytes).
        """
        digest = content_hash(verified_raw)
        recorded_at = dt.datetime.now(dt.UTC)
        try:
            with self._guard("store"), self._writer.begin() as conn:
                check_reviewable(conn, review, verified, store=self.display)
                self._refuse_stored(conn, digest)
                verified_id = _insert(conn, verified, verified_raw, digest, verifies=review.self_id)
                ident = insert_review(
                    conn, review, verified_id=verified_id, sheet_raw=sheet_raw, recorded_at=recorded_at
                )
        except StoreError as err:
            if not isinstance(err.__cause__, exc.IntegrityError):
                raise
            # Another process stored the same review between our look-up and our insert.
            with self._guard("read"), self._engine.connect() as conn:
                self._refuse_stored(conn, digest)
            raise
        log.info("stored review %d of assessment %d as assessment %d", ident, review.self_id, verified_id)
        found = self.review_of(verified_id)
        if found is None:  # pragma: no cover - stored just above
            raise StoreError(L_("the review just stored cannot be read back from %(store)s", store=self.display))
        return found

    def _refuse_stored(self, conn: sa.Connection, digest: str) -> None:
        existing = _id_for_hash(conn, digest)
        if existing is None:
            return
        review = review_of_verified(conn, existing)
        raise StoreError(
            L_(
                "this review is stored already in %(store)s (review %(review)s, verified assessment #%(number)s)",
                store=self.display,
                review="#" + str(review) if review is not None else "?",
                number=existing,
            )
        )

    # Reading

    def reviews(self, where: AssessmentFilter | None = None) -> list[StoredReview]:
        """The latest review of each reviewed self-assessment matching ``where`` (all when ``None``).

        ``where`` selects self-assessments (its ``status`` is not used); the reviews come ordered
        by entity id, then self-assessment, each with every answer of its sheet.
        """
        chosen = replace(where or AssessmentFilter(), status=m.SELF_ASSESSED)
        ids = latest_reviews(self._conditions(chosen))
        with self._guard("read"), self._engine.connect() as conn:
            return read_reviews(conn, ids, store=self.display)

    def review_of(self, assessment_id: int) -> StoredReview | None:
        """The latest review of self-assessment ``assessment_id``, or the review that made it if it is verified."""
        if not 1 <= assessment_id <= MAX_ID:
            return None
        reviews = m.reviews.c
        ids = (
            sa.select(reviews.id)
            .where((reviews.self_id == assessment_id) | (reviews.verified_id == assessment_id))
            .order_by(reviews.review_date.desc(), reviews.id.desc())
            .limit(1)
        )
        with self._guard("read"), self._engine.connect() as conn:
            found = read_reviews(conn, ids, store=self.display)
        return found[0] if found else None

    def review_sheet(self, review_id: int) -> bytes:
        """A review's sheet exactly as the reviewer filled it in (YAML or XLSX bytes)."""
        query = sa.select(m.reviews.c.sheet).where(m.reviews.c.id == review_id)
        with self._guard("read"), self._engine.connect() as conn:
            raw = conn.execute(query).scalar_one_or_none() if 1 <= review_id <= MAX_ID else None
        if raw is None:
            raise StoreError(L_("the store %(store)s has no review #%(number)s", store=self.display, number=review_id))
        if not isinstance(raw, bytes | memoryview):
            message = L_("the store %(store)s has a damaged review #%(number)s", store=self.display, number=review_id)
            raise StoreError(message)
        return bytes(raw)

    def assessments(  # noqa: PLR0913 - one keyword per filter, as the lead's API asks
        self,
        *,
        province: str | None = None,
        entity_type: str | None = None,
        questionnaire: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        entity_id: str | None = None,
        status: str | None = m.SELF_ASSESSED,
    ) -> list[StoredAssessment]:
        """Matching assessments (self-assessments unless ``status`` says otherwise), by date, entity id and id."""
        where = AssessmentFilter(province, entity_type, questionnaire, since, until, entity_id, status)
        return self.select(where)

    def select(self, where: AssessmentFilter) -> list[StoredAssessment]:
        table = m.assessments.c
        query = _select_assessments().where(*self._conditions(where))
        return self._load(query.order_by(table.assessment_date, table.entity_id, table.id))

    def _conditions(self, where: AssessmentFilter) -> list[sa.ColumnElement[bool]]:
        """``where``'s conditions; a province that is one of the 34 units matches each way it is stored.

        Rows stored before dhti knew the units keep the province as written ("Bình Định",
        "TP. Hồ Chí Minh"), so the keys standing for the unit are found among those stored.
        """
        found = provinces.lookup(where.province) if where.province is not None else None
        if found is None:
            return where.conditions()
        column = m.assessments.c.province_key
        with self._guard("read"), self._engine.connect() as conn:
            stored = conn.execute(sa.select(column).distinct().where(column.is_not(None))).scalars().all()
        keys = [k for k in stored if isinstance(k, str) and provinces.recorded(k) == found.unit.name]
        return where.conditions(province_keys=keys)

    def history(self, entity_id: str, *, status: str | None = m.SELF_ASSESSED) -> list[StoredAssessment]:
        """Every assessment of one entity (self-assessments unless ``status`` says otherwise), oldest first."""
        return self.assessments(entity_id=entity_id, status=status)

    def latest_per_entity(  # noqa: PLR0913 - one keyword per filter, and how much to read
        self,
        *,
        entity_type: str | None = None,
        questionnaire: str | None = None,
        province: str | None = None,
        until: dt.date | None = None,
        status: str | None = m.SELF_ASSESSED,
        light: bool = False,
    ) -> list[StoredAssessment]:
        """For each matching entity its newest assessment (as of ``until``), ordered by entity id.

        ``light`` reads them as :meth:`peers` does, without indicator scores and GDHM readings.
        """
        where = AssessmentFilter(province, entity_type, questionnaire, None, until, status=status)
        return self._load(self._newest(where, 1).order_by(m.assessments.c.entity_id), light=light)

    def latest_and_previous(
        self,
        *,
        entity_type: str | None = None,
        questionnaire: str | None = None,
        province: str | None = None,
        until: dt.date | None = None,
        status: str | None = m.SELF_ASSESSED,
    ) -> list[tuple[StoredAssessment, Previous | None]]:
        """For each matching entity its newest assessment and the one before it (``None`` if none), by entity id.

        The same few reads for all entities, whatever their number: the two newest of each,
        ranked in the database, then the newest with its domain scores, recommendations and
        compliance, so that a national campaign aggregates in seconds. The newest come without
        indicator scores and GDHM readings (``indicators`` and ``gdhm`` are empty: the portfolio
        needs neither; :meth:`get_many` reads them whole); of the one before, only what a
        change needs is read.
        """
        table = m.assessments.c
        where = AssessmentFilter(province, entity_type, questionnaire, None, until, status=status)
        ranked = self._ranked(where)
        query = sa.select(
            ranked.c.entity_id,
            ranked.c.id,
            sa.type_coerce(ranked.c.assessment_date, sa.String).label("assessment_date"),
            ranked.c.index_score,
            ranked.c.stage,
        ).where(ranked.c.rank == 2)
        with self._guard("read"), self._engine.connect() as conn:
            earlier = {row.entity_id: _previous(row, store=self.display) for row in conn.execute(query)}
        latest = self._load(self._newest(where, 1).order_by(table.entity_id), light=True)
        return [(assessment, earlier.get(assessment.record.entity_id)) for assessment in latest]

    def peers(
        self, *, entity_type: str, questionnaire: str, status: str | None = m.SELF_ASSESSED
    ) -> list[StoredAssessment]:
        """The newest assessment of every entity of this type and questionnaire, by entity id, to rank among.

        Read light, as :meth:`latest_and_previous` reads them: without indicator scores and GDHM
        readings, which a rank and a peer median do not need.
        """
        where = AssessmentFilter(None, entity_type, questionnaire, None, None, status=status)
        return self._load(self._newest(where, 1).order_by(m.assessments.c.entity_id), light=True)

    def _ranked(self, where: AssessmentFilter) -> sa.Subquery:
        """The matching assessments, each with its rank among its entity's (1 for the newest)."""
        table = m.assessments.c
        newest_first = (table.assessment_date.desc(), table.id.desc())
        rank = sa.func.row_number().over(partition_by=table.entity_id, order_by=newest_first)
        columns = (table.id, table.entity_id, table.assessment_date, table.index_score, table.stage)
        return sa.select(*columns, rank.label("rank")).where(*self._conditions(where)).subquery()

    def _newest(self, where: AssessmentFilter, most: int) -> sa.Select[Any]:
        """The assessments among the ``most`` newest of each entity matching ``where``."""
        ranked = self._ranked(where)
        chosen = sa.select(ranked.c.id).where(ranked.c.rank <= most)
        return _select_assessments().where(m.assessments.c.id.in_(chosen))

    def get(self, assessment_id: int) -> StoredAssessment:
        """One assessment by its id; :class:`StoreError` when there is none."""
        if not 1 <= assessment_id <= MAX_ID:  # the database would refuse to compare with it
            raise StoreError(_no_assessment(self.display, assessment_id))
        found = self._load(_select_assessments().where(m.assessments.c.id == assessment_id))
        if not found:
            raise StoreError(_no_assessment(self.display, assessment_id))
        return found[0]

    def get_many(self, assessment_ids: Sequence[int]) -> list[StoredAssessment]:
        """The assessments with these ids (unknown ids are left out), ordered by id."""
        wanted = sorted({ident for ident in assessment_ids if 1 <= ident <= MAX_ID})
        found: list[StoredAssessment] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            found.extend(self._load(_select_assessments().where(m.assessments.c.id.in_(chunk))))
        return sorted(found, key=lambda assessment: assessment.id)

    def response_bytes(self, assessment_id: int) -> bytes:
        """The response exactly as it was submitted."""
        if not 1 <= assessment_id <= MAX_ID:
            raise StoreError(_no_assessment(self.display, assessment_id))
        query = sa.select(m.responses.c.raw).where(m.responses.c.assessment_id == assessment_id)
        with self._guard("read"), self._engine.connect() as conn:
            raw = conn.execute(query).scalar_one_or_none()
        if raw is None:
            raise StoreError(_no_assessment(self.display, assessment_id))
        if not isinstance(raw, bytes | memoryview):
            raise RowReader(self.display, assessment_id).invalid("responses.raw", raw)
        return bytes(raw)

    def responses(self, assessment_ids: Sequence[int]) -> dict[int, bytes]:
        """The responses of these assessments exactly as submitted, by id, in a few reads (unknown ids left out)."""
        wanted = sorted({ident for ident in assessment_ids if 1 <= ident <= MAX_ID})
        table = m.responses.c
        found: dict[int, bytes] = {}
        with self._guard("read"), self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                query = sa.select(table.assessment_id, table.raw).where(
                    table.assessment_id.in_(wanted[start : start + _CHUNK])
                )
                for ident, raw in conn.execute(query):
                    if not isinstance(raw, bytes | memoryview):
                        raise RowReader(self.display, ident).invalid("responses.raw", raw)
                    found[int(ident)] = bytes(raw)
        return found

    def entity_ids(self) -> list[str]:
        """Every entity id in the store, sorted."""
        query = sa.select(m.assessments.c.entity_id).distinct().order_by(m.assessments.c.entity_id)
        with self._guard("read"), self._engine.connect() as conn:
            # Only text can be typed on a command line; another value there was written by hand.
            return [found for found in conn.execute(query).scalars() if isinstance(found, str)]

    def stored_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """Which of these content hashes are stored already, and as which assessment."""
        wanted = sorted(set(hashes))
        found: dict[str, int] = {}
        table = m.assessments.c
        with self._guard("read"), self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                query = sa.select(table.content_hash, table.id).where(
                    table.content_hash.in_(wanted[start : start + _CHUNK])
                )
                found.update((str(digest), int(ident)) for digest, ident in conn.execute(query))
        return found

    def count(self, *, status: str | None = m.SELF_ASSESSED) -> int:
        """How many assessments are stored (self-assessments unless ``status`` says otherwise)."""
        query = sa.select(sa.func.count()).select_from(m.assessments)
        if status is not None:
            query = query.where(m.assessments.c.status == status)
        with self._guard("read"), self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def _load(self, query: sa.Select[Any], *, light: bool = False) -> list[StoredAssessment]:
        """The assessments ``query`` selects, with their rows (``light``: no indicator scores nor GDHM readings)."""
        ids = query.with_only_columns(m.assessments.c.id).order_by(None).scalar_subquery()
        with self._guard("read"), self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            if not rows:
                return []
            children = _Children.read(conn, ids, store=self.display, light=light)
        return [_stored(row, children, store=self.display) for row in rows]

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Database errors as :class:`StoreError`, naming the store."""
        try:
            yield
        except exc.SQLAlchemyError as err:
            reason = plain(_reason(err))
            if doing == "store":
                raise StoreError(
                    L_("cannot store in %(store)s: %(reason)s", store=self.display, reason=reason)
                ) from err
            raise StoreError(L_("cannot read in %(store)s: %(reason)s", store=self.display, reason=reason)) from err


def _select_assessments() -> sa.Select[Any]:
    """Every column of ``assessments``; dates as the database gives them, for :class:`RowReader` to check."""
    as_given = {"assessment_date", "ingested_at"}
    return sa.select(
        *(sa.type_coerce(c, sa.String).label(c.name) if c.name in as_given else c for c in m.assessments.c)
    )


@dataclass(frozen=True)
class _Children:
    """The rows that hang off assessments, grouped by assessment id, each value checked."""

    domains: dict[int, list[DomainEntry]]
    indicators: dict[int, list[IndicatorRecord]]
    recommendations: dict[int, list[RecommendationRecord]]
    gdhm: dict[int, list[tuple[str, int]]]
    compliance: dict[int, list[ComplianceRecord]]

    @classmethod
    def read(cls, conn: sa.Connection, ids: sa.ScalarSelect[Any], *, store: str, light: bool = False) -> _Children:
        domains: dict[int, list[DomainEntry]] = defaultdict(list)
        for check, (domain_id, score, stage) in _rows(
            conn, m.domain_scores, ids, "domain_id", "score", "stage", store=store
        ):
            domains[check.ident].append(
                DomainEntry(
                    check.text("domain_scores.domain_id", domain_id),
                    check.optional_number("domain_scores.score", score),
                    check.optional_whole("domain_scores.stage", stage),
                )
            )
        indicators: dict[int, list[IndicatorRecord]] = defaultdict(list)
        gdhm: dict[int, list[tuple[str, int]]] = defaultdict(list)
        if not light:
            for check, row in _rows(
                conn, m.indicator_scores, ids, "indicator_id", "domain_id", "score", "stage", store=store
            ):
                indicators[check.ident].append(_indicator(check, row))
            for check, (code, phase) in _rows(conn, m.gdhm_readings, ids, "code", "phase", store=store):
                gdhm[check.ident].append(
                    (check.text("gdhm_readings.code", code), check.whole("gdhm_readings.phase", phase))
                )
        recommendations: dict[int, list[RecommendationRecord]] = defaultdict(list)
        columns = ("rule_id", "priority", "horizon", "gap", "due")
        for check, row in _rows(conn, m.recommendations, ids, *columns, store=store):
            recommendations[check.ident].append(_recommendation(check, row))
        compliance: dict[int, list[ComplianceRecord]] = defaultdict(list)
        for check, row in _rows(conn, m.compliance_items, ids, "item_id", "status", "due", store=store):
            compliance[check.ident].append(_compliance(check, row))
        return cls(domains, indicators, recommendations, gdhm, compliance)


def _indicator(check: RowReader, row: Sequence[object]) -> IndicatorRecord:
    ident, domain_id, score, stage = row
    return IndicatorRecord(
        check.text("indicator_scores.indicator_id", ident),
        check.text("indicator_scores.domain_id", domain_id),
        check.optional_number("indicator_scores.score", score),
        check.optional_whole("indicator_scores.stage", stage),
    )


def _recommendation(check: RowReader, row: Sequence[object]) -> RecommendationRecord:
    rule_id, priority, horizon, gap, due = row
    return RecommendationRecord(
        check.text("recommendations.rule_id", rule_id),
        check.text("recommendations.priority", priority),
        check.text("recommendations.horizon", horizon),
        check.number("recommendations.gap", gap),
        check.day("recommendations.due", due),
    )


def _compliance(check: RowReader, row: Sequence[object]) -> ComplianceRecord:
    item_id, status, due = row
    if status not in COMPLIANCE_STATUSES:
        raise check.invalid("compliance_items.status", status)
    return ComplianceRecord(
        check.text("compliance_items.item_id", item_id),
        check.text("compliance_items.status", status),
        None if due is None else check.day("compliance_items.due", due),
    )


def _rows(
    conn: sa.Connection, table: sa.Table, ids: sa.ScalarSelect[Any], *columns: str, store: str
) -> Iterator[tuple[RowReader, Sequence[Any]]]:
    # Dates as the database gives them, for RowReader to check (a date edited by hand is not a crash).
    chosen = (sa.type_coerce(table.c[name], sa.String) if name == "due" else table.c[name] for name in columns)
    query = sa.select(table.c.assessment_id, *chosen)
    ordered = query.where(table.c.assessment_id.in_(ids)).order_by(table.c.assessment_id, table.c.position)
    check = RowReader(store, 0)
    for owner, *values in conn.execute(ordered):
        if owner != check.ident:  # rows come grouped by assessment: one checker for each
            check = RowReader(store, owner)
        yield check, values


# The same few provinces come back on every row: look each spelling up once.
_recorded_province = functools.lru_cache(maxsize=4096)(provinces.recorded)


def _stored(row: sa.RowMapping, children: _Children, *, store: str) -> StoredAssessment:
    ident = row["id"]
    check = RowReader(store, ident)
    record = AssessmentRecord(
        entity_id=check.text("entity_id", row["entity_id"]),
        entity_name=check.optional_text("entity_name", row["entity_name"]),
        entity_type=check.text("entity_type", row["entity_type"]),
        province=_recorded_province(check.optional_text("province", row["province"])),
        questionnaire_id=check.text("questionnaire_id", row["questionnaire_id"]),
        questionnaire_version=check.text("questionnaire_version", row["questionnaire_version"]),
        assessment_date=check.day("assessment_date", row["assessment_date"]),
        index=check.optional_number("index_score", row["index_score"]),
        stage=check.optional_whole("stage", row["stage"]),
        completeness=check.number("completeness", row["completeness"]),
        domains=tuple(children.domains.get(ident, ())),
        indicators=tuple(children.indicators.get(ident, ())),
        recommendations=tuple(children.recommendations.get(ident, ())),
        gdhm=tuple(children.gdhm.get(ident, ())),
        source_file=check.text("source_file", row["source_file"]),
        compliance=tuple(children.compliance.get(ident, ())) if _recorded(check, row) else None,
        score_stage=check.optional_whole("score_stage", row["score_stage"]),
    )
    content = check.text("content_hash", row["content_hash"])
    status = row["status"]
    if status not in m.STATUSES:
        raise check.invalid("status", status)
    moment = check.moment("ingested_at", row["ingested_at"])
    return StoredAssessment(ident, record, content, moment, status, check.optional_whole("verifies", row["verifies"]))


def _recorded(check: RowReader, row: sa.RowMapping) -> bool:
    """Whether compliance was kept (schema 0002 on); SQLite gives the flag as 0 or 1."""
    value = row["compliance_recorded"]
    if value in (True, False):  # also 1 and 0
        return bool(value)
    raise check.invalid("compliance_recorded", value)


def _previous(row: sa.Row[Any], *, store: str) -> Previous:
    check = RowReader(store, row.id)
    return Previous(
        row.id,
        check.day("assessment_date", row.assessment_date),
        check.optional_number("index_score", row.index_score),
        check.optional_whole("stage", row.stage),
    )


def _id_for_hash(conn: sa.Connection, digest: str) -> int | None:
    query = sa.select(m.assessments.c.id).where(m.assessments.c.content_hash == digest)
    found = conn.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def _insert(
    conn: sa.Connection, record: AssessmentRecord, raw: bytes, digest: str, *, verifies: int | None = None
) -> int:
    """Store one assessment with its rows: a self-assessment, or (``verifies``) the verified one of that id."""
    values = {
        "content_hash": digest,
        "entity_id": record.entity_id,
        "entity_name": record.entity_name,
        "entity_type": record.entity_type,
        "province": record.province,
        "province_key": fold(record.province) if record.province is not None else None,
        "questionnaire_id": record.questionnaire_id,
        "questionnaire_version": record.questionnaire_version,
        "assessment_date": record.assessment_date,
        "index_score": record.index,
        "stage": record.stage,
        "completeness": record.completeness,
        "source_file": record.source_file,
        "ingested_at": dt.datetime.now(dt.UTC),
        "score_stage": record.score_stage,
        "compliance_recorded": record.compliance is not None,
        "status": m.SELF_ASSESSED if verifies is None else m.VERIFIED,
        "verifies": verifies,
    }
    key = conn.execute(m.assessments.insert(), values).inserted_primary_key
    if key is None:  # pragma: no cover - both back ends report the new key
        raise StoreError(L_("the database did not report the new assessment's id"))
    ident = int(key[0])
    conn.execute(m.responses.insert(), {"assessment_id": ident, "raw": raw})
    for table, rows in _child_rows(ident, record):
        if rows:
            conn.execute(table.insert(), rows)
    return ident


def _complete(conn: sa.Connection, ident: int, record: AssessmentRecord) -> None:
    """Add what an assessment stored before schema 0002 lacks (compliance, stage by score) when its bytes come again."""
    table = m.assessments
    recorded = conn.execute(sa.select(table.c.compliance_recorded).where(table.c.id == ident)).scalar_one()
    if recorded or record.compliance is None:
        return
    conn.execute(
        table.update().where(table.c.id == ident).values(score_stage=record.score_stage, compliance_recorded=True)
    )
    rows = [
        {"assessment_id": ident, "position": n, "item_id": c.id, "status": c.status, "due": c.due}
        for n, c in enumerate(record.compliance)
    ]
    if rows:
        conn.execute(m.compliance_items.insert(), rows)
    log.info("recorded the compliance of assessment %d, stored before dhti kept it", ident)


def _child_rows(ident: int, record: AssessmentRecord) -> Iterator[tuple[sa.Table, list[dict[str, object]]]]:
    yield (
        m.domain_scores,
        [
            {"assessment_id": ident, "position": n, "domain_id": d.id, "score": d.score, "stage": d.stage}
            for n, d in enumerate(record.domains)
        ],
    )
    yield (
        m.indicator_scores,
        [
            {"assessment_id": ident, "position": n, "domain_id": i.domain_id, "indicator_id": i.id}
            | {"score": i.score, "stage": i.stage}
            for n, i in enumerate(record.indicators)
        ],
    )
    yield (
        m.recommendations,
        [
            {"assessment_id": ident, "position": n, "rule_id": r.id, "priority": r.priority, "horizon": r.horizon}
            | {"gap": r.gap, "due": r.due}
            for n, r in enumerate(record.recommendations)
        ],
    )
    yield (
        m.compliance_items,
        [
            {"assessment_id": ident, "position": n, "item_id": c.id, "status": c.status, "due": c.due}
            for n, c in enumerate(record.compliance or ())
        ],
    )
    yield (
        m.gdhm_readings,
        [
            {"assessment_id": ident, "position": n, "code": code, "phase": phase}
            for n, (code, phase) in enumerate(record.gdhm)
        ],
    )


# Opening


def _check_file(location: Location, *, create: bool) -> None:
    path = location.path
    if path is None or path.exists():
        return
    if not create:
        message = L_(
            "the store %(store)s does not exist yet; add assessments with: dhti db ingest FILE|DIR", store=str(path)
        )
        raise StoreError(message)
    if path.parent.is_dir():
        return
    if location.default:
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    message = L_(
        "cannot create the store %(store)s: folder %(folder)s does not exist", store=str(path), folder=str(path.parent)
    )
    raise StoreError(message)


@contextmanager
def _opening(display: str) -> Iterator[None]:
    try:
        yield
    except exc.SQLAlchemyError as err:
        message = L_("cannot open the store %(store)s: %(reason)s", store=display, reason=plain(_reason(err)))
        raise StoreError(message) from err


def _display(location: Location) -> str:
    if location.path is not None:
        return str(location.path)
    return sa.make_url(location.url).render_as_string(hide_password=True)


def _schema(engine: sa.Engine, location: Location, display: str) -> Schema:
    path = location.path
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return Schema((), None)  # a new file, or the empty one `touch` makes
    with _opening(display), engine.connect() as conn:
        return read_schema(conn)


def _check_readable(schema: Schema, display: str) -> None:
    if not schema.tables:
        raise StoreError(_empty(display))
    if schema.revision in m.EARLIER_REVISIONS:
        message = L_(
            "cannot read the store %(store)s as it is: an earlier dhti wrote it (schema revision %(revision)s,"
            " this dhti reads %(wanted)s). A command that only reads never changes a store; store into it"
            " once to upgrade it in place, for example with %(command)s (a file it holds already is not"
            " stored twice)",
            store=display,
            revision=repr(schema.revision),
            wanted=repr(m.SCHEMA_REVISION),
            command="dhti db ingest FILE --db " + display,
        )
        raise StoreError(message)
    if schema.revision != m.SCHEMA_REVISION:
        message = L_(
            "cannot open the store %(store)s: its schema revision %(revision)s is not %(wanted)s,"
            " the one this dhti reads (a newer dhti wrote it?)",
            store=display,
            revision=repr(schema.revision),
            wanted=repr(m.SCHEMA_REVISION),
        )
        raise StoreError(message)


def _writable(reader: sa.Engine, location: Location, schema: Schema, display: str) -> sa.Engine:
    """An engine that writes, the schema made or upgraded (never in another application's database)."""
    writer = reader
    if location.backend is Backend.SQLITE:  # a PostgreSQL connection reads and writes alike
        reader.dispose()
        writer = engine_for(location, writable=True)
    try:
        if schema.revision != m.SCHEMA_REVISION:
            with _opening(display):
                migrate(writer, location, display=display)
    except BaseException:
        writer.dispose()
        raise
    return writer


def _reason(err: exc.SQLAlchemyError) -> str:
    """The first line of the driver's message, without SQLAlchemy's boilerplate."""
    original = getattr(err, "orig", None)
    text = str(original if original is not None else err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def find_assessment(store: Store, token: str) -> StoredAssessment:
    """What a user means by ``token``: an entity id (its newest assessment), or ``#N`` / ``N`` (assessment N).

    An entity id wins over a bare number; ``#N`` always means the assessment.
    """
    if token.startswith("#"):
        number = token[1:]
        if not _DIGITS.fullmatch(number):
            raise StoreError(L_("%(token)s is not an assessment id; write #12 for assessment 12", token=repr(token)))
        return _numbered(store, number)
    history = store.history(token)
    if history:
        return history[-1]
    if _DIGITS.fullmatch(token):
        return _numbered(store, token)
    raise StoreError(unknown_entity(store, token))


def _numbered(store: Store, digits: str) -> StoredAssessment:
    # A number of more digits than any id has is not converted (Python refuses past 4300 digits).
    if len(digits.lstrip("0")) > len(str(MAX_ID)):
        raise StoreError(_no_assessment(store.display, digits))
    return store.get(int(digits))


def unknown_entity(store: Store, entity_id: str) -> Message:
    """The message for an entity id the store has never seen, with the closest ids it has."""
    known = store.entity_ids()
    if not known:
        return _empty(store.display)
    # Entity codes differ in a digit or two: a looser match, and three of them, help more here.
    hint = did_you_mean(entity_id, known, most=3, cutoff=0.5)
    return L_("no assessment of entity %(id)s in %(store)s%(hint)s", id=repr(entity_id), store=store.display, hint=hint)


def _empty(display: str) -> Message:
    return L_("the store %(store)s is empty; add assessments with: dhti db ingest FILE|DIR", store=display)


def _no_assessment(display: str, number: object) -> Message:
    return L_("the store %(store)s has no assessment #%(number)s", store=display, number=number)
