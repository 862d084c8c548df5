"""The package as a user gets it: a wheel installed into a fresh venv, run outside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_pip_install_gives_a_working_dhti_anywhere(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # The locked dependencies and build backend, then a real (not editable) build of the wheel:
    # what a user gets, without letting a new release of anything change the outcome.
    lock = ROOT / "requirements" / "runtime.txt"
    subprocess.run([*pip, "--require-hashes", "-r", str(lock)], check=True, cwd=tmp_path, timeout=600)
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", str(ROOT)], check=True, cwd=tmp_path, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("DHTI_QUESTIONNAIRES", "PYTHONPATH")}
    dhti = str(env_dir / "bin" / "dhti")
    listed = subprocess.run(
        [dhti, "questionnaires", "list", "--lang", "en"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "dhti-station" in listed.stdout
    assert "bundled" in listed.stdout
    init = subprocess.run(
        [dhti, "init", "dhti-station", "-o", "tram.yaml", "--lang", "vi"], cwd=elsewhere, env=env, check=False
    )
    assert init.returncode == 0
    assert (elsewhere / "tram.yaml").read_text(encoding="utf-8").count(": ~") > 20
    where = subprocess.run(
        [str(python), "-c", "import dhti.resources as r; print(r.bundled_dir())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in where.stdout  # the wheel's own copy, not the source tree
    units = subprocess.run(
        [str(python), "-c", "import dhti.provinces as p; print(len(p.units()), p.reference_dir())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert units.stdout.startswith("34 ")  # the list of provinces is in the wheel
    assert str(env_dir) in units.stdout


def test_validate_does_not_import_report_libraries() -> None:
    sample = next((ROOT / "questionnaires" / "examples").glob("*.yaml"))
    code = (
        "import sys\n"
        "from dhti.cli import main\n"
        f"try:\n    main(['validate', {str(sample)!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'jinja2', 'ruamel'))\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
