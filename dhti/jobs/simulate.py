"""``dhti simulate``: write a synthetic campaign's response files into a folder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dhti.outfiles import check_target, make_folder, write_atomic
from dhti.simulate import Plan, SimulatedFile, simulate


@dataclass(frozen=True)
class SimulateResult:
    written: tuple[Path, ...]
    per_questionnaire: dict[str, int]


def write_campaign(
    plan: Plan,
    output: Path,
    *,
    force: bool = False,
    progress: Callable[[SimulatedFile], None] = lambda _file: None,
) -> SimulateResult:
    """Write every file of ``plan`` under ``output`` (``PROVINCE/ENTITY-rROUND.yaml``).

    All targets are checked before the first is written: without ``force`` an existing file
    stops the run with nothing written. Each file is written whole or not at all.
    """
    files = list(simulate(plan))
    for file in files:
        target = output / file.path
        if target.is_symlink() or target.exists():
            check_target(target, force=force)
    make_folder(output, parents=True)
    for folder in sorted({file.path.parent for file in files}):
        make_folder(output / folder)
    written: list[Path] = []
    tally: Counter[str] = Counter()
    for file in files:
        target = output / file.path
        write_atomic(target, file.text, force=force)
        written.append(target)
        tally[file.questionnaire] += 1
        progress(file)
    return SimulateResult(tuple(written), dict(sorted(tally.items())))
