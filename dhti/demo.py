"""``dhti demo``: the main job on the bundled sample responses, with no other input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dhti.assess import Outcome, assess
from dhti.formats import score_csv, score_json, to_json
from dhti.outfiles import write_atomic
from dhti.registry import Registry, examples_dir
from dhti.report import ReportFormat, write_report


@dataclass(frozen=True)
class DemoResult:
    outcomes: tuple[Outcome, ...]
    written: tuple[Path, ...]


def sample_files() -> list[Path]:
    return sorted(examples_dir().glob("*.yaml"))


def run_demo(
    output: Path,
    *,
    registry: Registry,
    lang: str,
    files: Sequence[Path] | None = None,
    progress: Callable[[Path], None] = lambda _path: None,
) -> DemoResult:
    """Validate and score every sample, write its HTML and PDF report, and the score tables."""
    output.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    written: list[Path] = []
    for path in files if files is not None else sample_files():
        outcome = assess(path, registry=registry, display=path.name)
        outcomes.append(outcome)
        if outcome.valid:
            written.extend(
                write_report(outcome, output / f"{path.stem}.{fmt}", fmt=fmt, lang=lang) for fmt in ReportFormat
            )
        progress(path)
    json_path, csv_path = output / "scores.json", output / "scores.csv"
    write_atomic(json_path, to_json([score_json(o, lang=lang) for o in outcomes]) + "\n", force=True)
    write_atomic(csv_path, score_csv(outcomes, lang=lang), force=True)
    return DemoResult(tuple(outcomes), (*written, json_path, csv_path))
