"""``dhti demo``: the main job on the bundled sample responses, with no other input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dhti.assess import Outcome, assess_bytes
from dhti.jobs.aggregate import write_portfolio
from dhti.outfiles import make_folder, write_atomic
from dhti.registry import Registry
from dhti.report.render import ReportFormat, write_report
from dhti.resources import examples_dir
from dhti.safetext import to_json
from dhti.store import open_store
from dhti.views.scores import score_csv, score_json


@dataclass(frozen=True)
class DemoResult:
    outcomes: tuple[Outcome, ...]
    written: tuple[Path, ...]


def sample_files() -> list[Path]:
    return sorted(examples_dir().glob("*.yaml"))


def run_demo(  # noqa: PLR0913 - each is a separate choice of the caller
    output: Path,
    *,
    registry: Registry,
    lang: str,
    db: str | None = None,
    files: Sequence[Path] | None = None,
    progress: Callable[[Path], None] = lambda _path: None,
) -> DemoResult:
    """The main job on the samples: validate, score, store, report each, then the portfolio.

    The store is ``db``, or ``dhti-demo.sqlite`` inside ``output`` so that the demo never mixes
    samples into a real store. Each report shows the entity among the peers stored so far.
    The demo's folder is its own: running it again replaces the files it wrote there before
    (never a symbolic link or a device), and leaves every other file alone.
    """
    make_folder(output, parents=True)
    samples = list(files if files is not None else sample_files())
    raws = [path.read_bytes() for path in samples]  # read once: what is scored is what is stored
    outcomes = [assess_bytes(raw, file=path.name, registry=registry) for path, raw in zip(samples, raws, strict=True)]
    written: list[Path] = []
    with open_store(db or output / "dhti-demo.sqlite") as store:
        for raw, outcome in zip(raws, outcomes, strict=True):
            if outcome.valid:
                store.ingest(outcome, raw)
        for path, outcome in zip(samples, outcomes, strict=True):
            if outcome.valid:
                response = outcome.validation.response
                assert response is not None  # noqa: S101 - valid outcomes have one
                history = store.history(response.entity.id)
                peers = store.latest_per_entity(
                    entity_type=response.entity.type, questionnaire=response.questionnaire.id
                )
                for fmt in ReportFormat:
                    target = output / f"{path.stem}.{fmt}"
                    written.append(
                        write_report(
                            outcome,
                            target,
                            fmt=fmt,
                            lang=lang,
                            report_date=dt.date.today(),  # noqa: DTZ011 - the user's own day
                            history=history,
                            peers=peers,
                            force=True,
                        )
                    )
            progress(path)
        for fmt in ReportFormat:
            target = output / f"portfolio.{fmt}"
            write_portfolio(store, target, registry=registry, fmt=fmt, lang=lang, force=True)
            written.append(target)
    json_path, csv_path = output / "scores.json", output / "scores.csv"
    write_atomic(json_path, to_json([score_json(o, lang=lang) for o in outcomes]) + "\n", force=True)
    write_atomic(csv_path, score_csv(outcomes, lang=lang), force=True)
    return DemoResult(tuple(outcomes), (*written, json_path, csv_path))
