"""A command imports only the libraries it needs: start-up is paid per command, not for all of dhti."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "questionnaires" / "examples"
# Babel is not among them: messages and numbers in the user's language may need it in any command.
LIBRARIES = (
    *("pydantic", "yaml", "ruamel", "jinja2", "markupsafe", "weasyprint", "openpyxl", "sqlalchemy", "alembic"),
    *("numpy", "scipy"),  # only with --uncertainty and the cohort statistics
)
LAYERS = ("store", "interop", "report", "jobs")


def imported(*args: str) -> tuple[set[str], set[str]]:
    """The libraries of LIBRARIES, and the dhti layers of LAYERS, that running ``dhti ARGS`` imports."""
    code = (
        "import sys\n"
        "from dhti.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "print(' '.join(sorted({m.split('.')[1] for m in sys.modules if m.startswith('dhti.')})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    libraries, dhti = done.stdout.splitlines()[-2:]
    return set(libraries.split()) & set(LIBRARIES), set(dhti.split()) & set(LAYERS)


def test_version_imports_no_library_of_dhti() -> None:
    assert imported("--version") == (set(), set())


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(EXAMPLES / "central-hospital-hanoi.yaml")],
        ["score", str(EXAMPLES / "commune-station-urban-can-tho.yaml")],
        ["questionnaires", "show", "dhti-agency"],
        ["questionnaires", "list"],
    ],
    ids=["validate", "score", "show", "list"],
)
def test_checking_and_scoring_import_pydantic_and_yaml_only(args: list[str]) -> None:
    assert imported(*args) == ({"pydantic", "yaml"}, set())


def test_version_and_help_load_no_babel() -> None:
    """Babel is loaded when a number or a date is first shown in a language, not to print the version or help."""
    for args in (["--version"], ["--help"]):
        code = f"import sys\nfrom dhti.cli import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        code += "print('babel' in sys.modules)"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
        assert done.stdout.splitlines()[-1] == "False", args
