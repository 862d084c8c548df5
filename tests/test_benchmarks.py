"""The benchmark scripts still run (at their smallest sizes): their figures are read, never asserted."""

from __future__ import annotations

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
    ],
    ids=["score", "batch", "report", "startup", "lint"],
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
