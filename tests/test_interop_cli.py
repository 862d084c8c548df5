"""The export and import groups: every command explains itself, and none slows down `dhti --help`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dhti.cli import main

COMMANDS = [
    ["export"],
    ["export", "xlsform"],
    ["export", "fhir"],
    ["export", "fhir-response"],
    ["export", "schema"],
    ["import"],
    ["import", "odk"],
    ["import", "fhir-response"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_interop_command_has_help(runner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: main {' '.join(command)} ")
    assert len(result.stdout.splitlines()) > 6


def test_the_main_group_lists_both_groups(runner) -> None:
    listing = runner.invoke(main, ["--help"], catch_exceptions=False).stdout
    assert "  export " in listing
    assert "  import " in listing


def test_heavy_libraries_load_only_when_a_command_needs_them() -> None:
    heavy = ("openpyxl", "pyxform", "fhir", "jsonschema", "dhti.interop.odk")
    code = f"import sys, dhti.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_unknown_questionnaire_in_every_export(runner, tmp_path) -> None:
    for command in (["xlsform", "-o", str(tmp_path / "x.xlsx")], ["fhir"], ["schema"]):
        result = runner.invoke(
            main, ["export", command[0], "nope", *command[1:], "--lang", "en"], catch_exceptions=False
        )
        assert result.exit_code == 1
        assert result.stderr.startswith("dhti: error: unknown questionnaire 'nope'")


def test_exports_never_overwrite_without_force(runner, tmp_path) -> None:
    for command in ("fhir", "schema"):
        out = tmp_path / f"{command}.json"
        out.write_text("keep", encoding="utf-8")
        result = runner.invoke(
            main, ["export", command, "mini", "-o", str(out), "--lang", "en"], catch_exceptions=False
        )
        assert result.exit_code == 1
        assert "exists already; use --force to overwrite it" in result.stderr
        assert out.read_text(encoding="utf-8") == "keep"
        forced = runner.invoke(main, ["export", command, "mini", "-o", str(out), "--force"], catch_exceptions=False)
        assert forced.exit_code == 0
        assert out.read_text(encoding="utf-8").startswith("{")
