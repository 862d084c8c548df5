"""Start-up: `dhti validate` on one sample and `dhti --version`, against importing click and pydantic.

Each command runs as a user runs it, in a new process, with its bytecode cached (one warm-up
run each writes it); the runs are interleaved, so a busy neighbour on the machine slows all of
them alike. The figure is the median wall time, and its ratio to the floor of
``python -c 'import click, pydantic'``. Aim: at most 2x.

    python benchmarks/startup_bench.py [--repeat 21] [--sample commune-station-urban-can-tho ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from dhti.resources import examples_dir

# One sample answering each bundled questionnaire: each command parses only the one it needs.
SAMPLES = ("commune-station-urban-can-tho", "central-hospital-hanoi", "provincial-department-da-nang")


def dhti_command() -> list[str]:
    """The installed ``dhti`` script beside this Python, as a user runs it; else ``python -m dhti``."""
    script = Path(sys.executable).parent / "dhti"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "dhti"]


def run_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)  # noqa: S603
    return time.perf_counter() - start


def medians(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    # The bundled questionnaires only: a developer's DHTI_QUESTIONNAIRES folders would be parsed too.
    env = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "DHTI_QUESTIONNAIRES")
    }
    for command in commands.values():
        run_once(command, env)  # warm-up: writes the bytecode a wheel installed by pip would have
    runs: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(run_once(command, env))
    return {name: statistics.median(times) for name, times in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--sample", nargs="+", default=list(SAMPLES), help="sample responses to validate")
    args = parser.parse_args()
    dhti = dhti_command()
    commands = {"python -c 'import click, pydantic'": [sys.executable, "-c", "import click, pydantic"]}
    commands["dhti --version"] = [*dhti, "--version"]
    commands["dhti questionnaires list"] = [*dhti, "questionnaires", "list"]
    for sample in args.sample:
        commands[f"dhti validate {sample}.yaml"] = [*dhti, "validate", str(examples_dir() / f"{sample}.yaml")]
    found = medians(commands, args.repeat)
    floor = found.pop("python -c 'import click, pydantic'")
    print(f"start-up, median of {args.repeat} runs each (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs):")
    print(f"  python -c 'import click, pydantic': {floor * 1000:.0f} ms (the floor)")
    for name, seconds in found.items():
        print(f"  {name}: {seconds * 1000:.0f} ms = {seconds / floor:.2f}x the floor (aim <= 2x)")


if __name__ == "__main__":
    main()
