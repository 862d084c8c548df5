"""The benchmark scripts still run (at their smallest sizes): their figures are read, never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize(
    "command",
    [
        ["score_bench.py", "-n", "5", "--repeat", "1"],
        ["batch_bench.py", "-n", "5", "--pdfs", "2", "--memory-files", "0", "--repeat", "1"],
        ["report_bench.py", "--repeat", "1"],
        ["startup_bench.py", "--repeat", "1", "--sample", "commune-station-urban-can-tho"],
        ["lint_bench.py", "--repeat", "1", str(BENCHMARKS.parent / "questionnaires" / "dhti-station.yaml")],
        ["review_bench.py", "--tiny"],
        ["uncertainty.py", "--tiny"],
    ],
    ids=["score", "batch", "report", "startup", "lint", "review", "uncertainty"],
)
def test_benchmark_runs(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / command[0]), *command[1:]],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()


def test_scale_runs_every_step(tmp_path: Path) -> None:
    """benchmarks/scale.py --tiny: every row of the table printed, and the same rows in its JSON."""
    figures = tmp_path / "scale.json"
    server = os.environ.get("DHTI_TEST_POSTGRES_URL")  # else the script starts its own cluster
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "scale.py"), "--tiny", "--json", str(figures)]
        + (["--postgres", server] if server else []),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    rows = json.loads(figures.read_text(encoding="utf-8"))["rows"]
    assert [row["step"] for row in rows] == ["1", "2", "3", "3", "3", "4", "5", "5", "6", "6", "6"]
    printed = done.stdout.splitlines()[2:]  # after the header and the column titles
    assert len(printed) == len(rows)
    for line, row in zip(printed, rows, strict=True):
        assert line.split() == [
            row["step"],
            *row["what"].split(),
            *row["figure"].split(),
            *row["aim"].split(),
            *row["verdict"].split(),
        ]
    aimed = [row for row in rows if row["aim"] not in ("-", "the floor")]
    assert all(row["verdict"] in ("met", "not met") for row in aimed)
    assert all(row["values"]["seconds"] > 0 for row in rows)
