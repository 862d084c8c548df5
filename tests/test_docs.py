"""The README documents every command and starts with the two set-up commands."""

from __future__ import annotations

from pathlib import Path

import click

from dhti.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "dhti") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_command_is_documented() -> None:
    missing = [name for name in commands(main) if f"### `{name}" not in README]
    assert missing == []


def test_readme_starts_with_make_demo_and_make_test() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make demo" in first_block
    assert "make test" in first_block


def test_the_readme_response_example_validates(tmp_path, registry) -> None:
    from dhti.response import validate_file  # noqa: PLC0415

    example = README.split("## Filling in a response", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    result = validate_file(path, registry=registry, lenient=True)
    assert result.errors == ()
    assert result.response is not None
