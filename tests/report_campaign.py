"""A store for the entity report tests: the samples, simulated peers, and an earlier round of each sample.

Each sample's earlier round is the same file dated a year before, stored with its index and domain
scores moved by a few points: lower for half of the samples (so the index rose since), higher for
the others (so it fell).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from dhti.assess import Outcome, assess_bytes
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.simulate import Plan, newest_bundled, simulate
from dhti.store import open_store
from dhti.store.api import StoredAssessment
from dhti.store.record import AssessmentRecord, record_from_outcome

#: The day the test reports are issued: after some due dates of the samples, before others.
REPORT_DATE = dt.date(2026, 12, 2)
#: Simulated peers in two provinces the samples name, so that provincial ranks have company.
PEER_PROVINCES = ("Điện Biên", "Cao Bằng")
SAMPLES = sorted(examples_dir().glob("*.yaml"))
_DATE = re.compile(r"^(  date: )(\d{4})(-\d\d-\d\d)$", re.MULTILINE)


@dataclass(frozen=True)
class Compared:
    """A sample's outcome with what the store holds to compare it with."""

    outcome: Outcome
    history: list[StoredAssessment]
    peers: list[StoredAssessment]


def earlier_round(raw: bytes, *, registry: Registry, change: float) -> tuple[AssessmentRecord, bytes]:
    """The sample's record a year earlier, its index and domain scores ``change`` points away from today's."""
    text = _DATE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) - 1}{m.group(3)}", raw.decode("utf-8"), count=1)
    earlier = text.encode("utf-8")
    record = record_from_outcome(assess_bytes(earlier, file="earlier.yaml", registry=registry))
    assert record.index is not None
    index = min(max(record.index + change, 0.0), 100.0)
    domains = tuple(
        entry._replace(score=min(max(entry.score + change, 0.0), 100.0)) if entry.score is not None else entry
        for entry in record.domains
    )
    return dataclasses.replace(record, index=index, domains=domains), earlier


def build_store(folder: Path, registry: Registry) -> Path:
    """The SQLite store: every sample, a simulated campaign of peers, and an earlier round of each sample."""
    db = folder / "campaign.sqlite"
    plan = Plan(newest_bundled(registry), provinces=PEER_PROVINCES, entities=3, seed=11)
    raws = [sample.read_bytes() for sample in SAMPLES] + [item.text.encode("utf-8") for item in simulate(plan)]
    with open_store(db) as store:
        for number, sample in enumerate(SAMPLES):
            record, raw = earlier_round(sample.read_bytes(), registry=registry, change=-4.2 if number % 2 else 3.7)
            store.ingest_record(record, raw)
        for raw in raws:
            outcome = assess_bytes(raw, file="campaign.yaml", registry=registry)
            assert outcome.valid, outcome.validation.problems
            store.ingest(outcome, raw)
    return db


def compared(db: Path, sample: Path, registry: Registry) -> Compared:
    """The sample's outcome, its stored history and its peers, as ``dhti report --db`` reads them."""
    outcome = assess_bytes(sample.read_bytes(), file=sample.name, registry=registry)
    response = outcome.validation.response
    assert response is not None
    with open_store(db, create=False) as store:
        history = store.history(response.entity.id)
        peers = store.latest_per_entity(entity_type=response.entity.type, questionnaire=response.questionnaire.id)
    return Compared(outcome, history, peers)
