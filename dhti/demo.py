"""``dhti demo``: the main job on the bundled sample responses, with no other input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dhti.assess import Outcome, assess
from dhti.formats import score_csv, score_json, to_json
from dhti.outfiles import write_atomic
from dhti.registry import Registry, examples_dir


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
    """Validate and score every sample, and write the results into ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for path in files if files is not None else sample_files():
        progress(path)
        outcomes.append(assess(path, registry=registry, display=path.name))
    json_path = output / "scores.json"
    csv_path = output / "scores.csv"
    write_atomic(json_path, to_json([score_json(o, lang=lang) for o in outcomes]) + "\n", force=True)
    write_atomic(csv_path, score_csv(outcomes, lang=lang), force=True)
    return DemoResult(tuple(outcomes), (json_path, csv_path))
