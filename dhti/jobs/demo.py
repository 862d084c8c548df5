"""``dhti demo``: the main job on the bundled sample responses, with no other input.

So that every report has something to compare with, the demo stores the samples beside a
simulated campaign: two provinces with every entity type assessed twice, a year apart, and an
earlier assessment of each sample drawn from the same model. The simulated files are written
under ``DIR/simulated/`` and every one of them says in its name and comments that it is not
real data; only the samples get reports. A sample of the simulated units is verified by a
simulated inspection (their review sheets under ``DIR/simulated/reviews/``), so that the
portfolio shows verified figures; the samples stay self-assessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from dhti import provinces
from dhti.assess import Outcome, assess_bytes
from dhti.jobs.aggregate import comparisons, write_portfolio
from dhti.jobs.demo_reviews import record_reviews
from dhti.outfiles import make_folder, write_atomic
from dhti.registry import Registry
from dhti.report.render import ReportFormat, write_report
from dhti.resources import examples_dir
from dhti.safetext import to_json
from dhti.simulate import DEPARTMENT, MINISTRY, Known, Plan, SimulatedFile, earlier, newest_bundled, simulate
from dhti.store import open_store
from dhti.uncertainty import Settings
from dhti.views.scores import outcome_uncertainty, score_csv, score_json

DEMO_PROVINCES = ("Cao Bằng", "Cần Thơ")
DEMO_SEED = 2026
DEMO_ENTITIES = 4  # of each facility type per province: every sample's type has peers
SIMULATED_FOLDER = "simulated"


@dataclass(frozen=True)
class DemoResult:
    outcomes: tuple[Outcome, ...]  # the samples'
    written: tuple[Path, ...]
    simulated: int  # simulated assessments stored beside the samples
    reviews: tuple[Path, ...] = ()  # the simulated review sheets, each applied to the store


def sample_files() -> list[Path]:
    return sorted(examples_dir().glob("*.yaml"))


def demo_campaign(registry: Registry, samples: Sequence[Outcome]) -> list[SimulatedFile]:
    """The simulated files the demo stores beside ``samples``: a campaign, and a year-earlier round of each.

    A province's Department of Health and the Ministry are one of a kind: where a sample is
    one, the campaign simulates no second one beside it.
    """
    known = [known for outcome in samples if (known := _known(outcome)) is not None]
    one_of_a_kind = frozenset(
        (k.type, provinces.recorded(k.province) or k.province) for k in known if k.type in (DEPARTMENT, MINISTRY)
    )
    plan = Plan(
        newest_bundled(registry),
        provinces=DEMO_PROVINCES,
        entities=DEMO_ENTITIES,
        rounds=2,
        seed=DEMO_SEED,
        skip=one_of_a_kind,
    )
    return [*simulate(plan), *(earlier(k, seed=DEMO_SEED) for k in known)]


def _known(outcome: Outcome) -> Known | None:
    response, scores = outcome.validation.response, outcome.scores
    if response is None or scores is None or scores.index is None:
        return None
    entity = response.entity
    return Known(
        id=entity.id,
        name=entity.name or entity.id,
        type=entity.type,
        province=entity.province or "",
        questionnaire=response.questionnaire,
        date=response.assessment.date,
        levels={d.id: d.score / 100 for d in scores.domains if d.score is not None},
        beds=entity.beds,
        ownership=entity.ownership,
    )


def run_demo(  # noqa: PLR0913 - each is a separate choice of the caller
    output: Path,
    *,
    registry: Registry,
    lang: str,
    report_date: dt.date,
    db: str | None = None,
    files: Sequence[Path] | None = None,
    progress: Callable[[Path], None] = lambda _path: None,
) -> DemoResult:
    """The main job on the samples: validate, score, store (with a simulated campaign), report each, then the portfolio.

    The store is ``db``, or ``dhti-demo.sqlite`` inside ``output`` so that the demo never mixes
    samples into a real store. Each report shows the entity among its stored peers and its
    trend. The demo's folder is its own: running it again replaces the files it wrote there
    before (never a symbolic link or a device), and leaves every other file alone.
    """
    make_folder(output, parents=True)
    samples = list(files if files is not None else sample_files())
    raws = [path.read_bytes() for path in samples]  # read once: what is scored is what is stored
    outcomes = [assess_bytes(raw, file=path.name, registry=registry) for path, raw in zip(samples, raws, strict=True)]
    campaign = _write_campaign(output / SIMULATED_FOLDER, demo_campaign(registry, outcomes), registry)
    settings = Settings(seed=DEMO_SEED)  # the reports say how sure their figures are, the same on every run
    figures = outcome_uncertainty(outcomes, settings)
    written: list[Path] = []
    with open_store(db or output / "dhti-demo.sqlite") as store:
        for raw, outcome in [*campaign, *zip(raws, outcomes, strict=True)]:
            if outcome.valid:
                store.ingest(outcome, raw)
        reviews = record_reviews(
            store,
            output / SIMULATED_FOLDER / "reviews",
            registry=registry,
            exclude=_entity_ids(outcomes),
            review_date=report_date,
            seed=DEMO_SEED,
            lang=lang,
        )
        for path, outcome, drawn in zip(samples, outcomes, figures, strict=True):
            if outcome.valid:
                response = outcome.validation.response
                assert response is not None  # noqa: S101 - valid outcomes have one
                history, peers = comparisons(store, response)
                for fmt in ReportFormat:
                    target = output / f"{path.stem}.{fmt}"
                    written.append(
                        write_report(
                            outcome,
                            target,
                            fmt=fmt,
                            lang=lang,
                            history=history,
                            peers=peers,
                            report_date=report_date,
                            force=True,
                            uncertainty=drawn,
                        )
                    )
            progress(path)
        for fmt in ReportFormat:
            target = output / f"portfolio.{fmt}"
            write_portfolio(
                store,
                target,
                registry=registry,
                fmt=fmt,
                lang=lang,
                report_date=report_date,
                force=True,
                uncertainty=settings,
            )
            written.append(target)
    json_path, csv_path = output / "scores.json", output / "scores.csv"
    write_atomic(json_path, to_json([score_json(o, lang=lang) for o in outcomes]) + "\n", force=True)
    write_atomic(csv_path, score_csv(outcomes, lang=lang), force=True)
    return DemoResult(tuple(outcomes), (*written, json_path, csv_path), simulated=len(campaign), reviews=reviews.sheets)


def _entity_ids(outcomes: Sequence[Outcome]) -> frozenset[str]:
    responses = (outcome.validation.response for outcome in outcomes)
    return frozenset(response.entity.id for response in responses if response is not None)


def _write_campaign(folder: Path, files: Sequence[SimulatedFile], registry: Registry) -> list[tuple[bytes, Outcome]]:
    """Write the simulated files under ``folder`` (replacing the demo's own) and assess each."""
    assessed = []
    for file in files:
        target = folder / file.path
        make_folder(target.parent, parents=True)
        raw = file.text.encode()
        write_atomic(target, file.text, force=True)
        assessed.append((raw, assess_bytes(raw, file=str(PurePath(SIMULATED_FOLDER, file.path)), registry=registry)))
    return assessed
