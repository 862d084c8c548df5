"""The import contracts in pyproject.toml hold for dhti, and break on a copy that imports upward."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the package ``dhti`` found first on the path in ``project``, without a cache."""
    env = {**os.environ, "PYTHONPATH": str(project), "COLUMNS": "200"}  # no wrapped lines
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", str(project / "pyproject.toml")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The package and its contracts, copied where a test may break them."""
    shutil.copytree(ROOT / "dhti", tmp_path / "dhti", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def append(path: Path, line: str) -> None:
    path.write_text(f"{path.read_text(encoding='utf-8')}\n{line}\n", encoding="utf-8")


def test_dhti_keeps_every_contract() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(contracts())} kept, 0 broken" in done.stdout


def test_the_copy_itself_is_what_is_checked(copy: Path) -> None:
    done = lint_imports(copy)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_core_module_importing_the_cli_breaks_the_layers(copy: Path) -> None:
    append(copy / "dhti" / "scoring.py", "import dhti.cli  # noqa: E402")
    done = lint_imports(copy)
    assert done.returncode == 1
    assert "Layers: cli > jobs" in done.stdout
    assert "BROKEN" in done.stdout
    assert "dhti.scoring -> dhti.cli" in done.stdout


def test_a_view_importing_a_job_breaks_the_layers(copy: Path) -> None:
    append(copy / "dhti" / "views" / "scores.py", "from dhti.jobs import batch  # noqa: E402")
    done = lint_imports(copy)
    assert done.returncode == 1
    assert "dhti.views.scores -> dhti.jobs.batch" in done.stdout


def test_store_and_interop_stay_independent(copy: Path) -> None:
    append(copy / "dhti" / "interop" / "odk.py", "import dhti.store.api  # noqa: E402")
    done = lint_imports(copy)
    assert done.returncode == 1
    assert "dhti.interop.odk -> dhti.store.api" in done.stdout


@pytest.mark.parametrize(
    ("module", "library", "contract"),
    [
        ("i18n.py", "click", "Only dhti.cli imports click"),
        ("views/scores.py", "yaml", "Only dhti.yamlio imports ruamel.yaml and PyYAML"),
        ("questionnaire.py", "ruamel.yaml", "Only dhti.yamlio imports ruamel.yaml and PyYAML"),
        ("jobs/batch.py", "jinja2", "Only dhti.report imports jinja2"),
        ("cli/main.py", "weasyprint", "Only dhti.report imports jinja2"),
        ("jobs/ingest.py", "sqlalchemy", "Only dhti.store imports sqlalchemy and alembic"),
        ("cli/store.py", "alembic", "Only dhti.store imports sqlalchemy and alembic"),
    ],
)
def test_a_library_imported_outside_its_module_breaks_its_contract(
    copy: Path, module: str, library: str, contract: str
) -> None:
    append(copy / "dhti" / module, f"import {library}  # noqa: E402")
    done = lint_imports(copy)
    assert done.returncode == 1
    assert f"{contract}" in done.stdout
    importer = "dhti." + module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {library.partition('.')[0]}" in done.stdout


def test_formatting_a_number_cannot_drag_in_pydantic(copy: Path) -> None:
    append(copy / "dhti" / "i18n.py", "from dhti import questionnaire  # noqa: E402")
    done = lint_imports(copy)
    assert done.returncode == 1
    assert "need neither pydantic nor YAML BROKEN" in done.stdout
    assert "dhti.i18n -> dhti.questionnaire" in done.stdout


def test_a_new_top_level_module_must_be_given_a_layer(copy: Path) -> None:
    (copy / "dhti" / "stray.py").write_text('"""Not in any layer."""\n', encoding="utf-8")
    done = lint_imports(copy)
    assert done.returncode == 1
    assert "dhti.stray" in done.stdout


def test_every_module_in_dhti_is_claimed_by_a_layer() -> None:
    # The same rule as the contract's exhaustive option, read from the files, so it holds even if
    # that option is dropped: a module outside every layer could import anything.
    (layers,) = (c for c in contracts() if c["type"] == "layers")
    assert layers["containers"] == ["dhti"]
    assert layers["exhaustive"] is True
    claimed = {name.strip() for layer in layers["layers"] for name in str(layer).replace(":", "|").split("|")}
    children = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "dhti").iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py") or (path / "__init__.py").is_file()
    }
    assert children == claimed
