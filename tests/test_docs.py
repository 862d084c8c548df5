"""The README and docs/ document every command, and their examples and links still hold."""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from pathlib import Path

import click
import pytest

from dhti.cli import main
from dhti.questionnaire import lint_file
from dhti.response import validate_file

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
ALL_PAGES = [README, *PAGES]
SCRIPT = ROOT / "scripts" / "docs.py"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def load_docs_script():
    spec = importlib.util.spec_from_file_location("docs_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


DOCS = load_docs_script()


def code_blocks(page: Path) -> list[tuple[str, str]]:
    """(language, text) of every fenced block of a page."""
    return re.findall(r"^```(\w*)\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def text_outside_code(page: Path) -> str:
    return re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def dhti_lines(page: Path) -> list[str]:
    """Every `dhti ...` command line of the page's shell blocks, without its comment."""
    lines = []
    for language, text in code_blocks(page):
        if language == "sh":
            lines += [line.split(" #", 1)[0].strip() for line in text.splitlines() if line.startswith("dhti ")]
    return lines


def resolve(words: list[str]) -> tuple[str, click.Command, list[str]]:
    """The command that ``dhti WORDS...`` runs, its name and the words after it."""
    command: click.Command = main
    name = "dhti"
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        name = f"{name} {words[0]}"
        command, words = command.commands[words[0]], words[1:]
    return name, command, words


def option_names(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            names.update(parameter.opts, parameter.secondary_opts)
    return names


def unknown_options(command: click.Command, words: list[str]) -> list[str]:
    used = [word.split("=", 1)[0] for word in words if re.fullmatch(r"--?[a-z][a-z-]*(=.*)?", word)]
    return [word for word in used if word not in option_names(command)]


def test_the_readme_starts_with_make_demo_and_make_test() -> None:
    language, first_block = code_blocks(README)[0]
    assert language == "sh"
    assert [line.split()[:2] for line in first_block.splitlines()] == [["make", "demo"], ["make", "test"]]


@pytest.mark.parametrize("name", [name for name, _ in DOCS.leaf_commands(main)])
def test_every_command_has_a_heading_on_some_page(name: str) -> None:
    found = [heading for page in PAGES for heading in DOCS.headings(page)]
    assert DOCS.documented_at(name, found) is not None, f"no heading in docs/ names `{name} ...`"


def test_every_option_of_a_command_is_on_its_page() -> None:
    found = [heading for page in PAGES for heading in DOCS.headings(page)]
    missing = []
    for name, command in DOCS.leaf_commands(main):
        heading = DOCS.documented_at(name, found)
        assert heading is not None
        page = heading.page.read_text(encoding="utf-8")
        options = [
            [*option.opts, *option.secondary_opts] for option in command.params if isinstance(option, click.Option)
        ]
        missing += [f"{name} {opts[-1]}" for opts in options if not any(mentions(page, opt) for opt in opts)]
    assert missing == []


def mentions(page: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", page) is not None


def test_the_command_table_is_what_the_group_says() -> None:
    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert DOCS.with_table(text, DOCS.command_table()) == text, "run: python scripts/docs.py"


def test_the_command_table_names_every_command_once() -> None:
    table = DOCS.command_table()
    for name, _ in DOCS.leaf_commands(main):
        assert table.count(f"[`{name}`]") == 1


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda page: page.name)
def test_every_shell_example_runs_a_real_command_with_real_options(page: Path) -> None:
    problems = []
    for line in dhti_lines(page):
        name, command, rest = resolve(shlex.split(line)[1:])
        if isinstance(command, click.Group) and not {"--version", "--help"} & set(rest):
            problems.append(f"{line}: {name} is a group, not a command")
        problems += [f"{line}: {name} has no option {opt}" for opt in unknown_options(command, rest)]
    assert problems == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_command_heading_names_real_options(page: Path) -> None:
    problems = []
    for heading in DOCS.headings(page):
        for synopsis in re.findall(r"`(dhti [^`]+)`", heading.text):
            name, command, rest = resolve(synopsis.split()[1:])
            words = [word.strip("[]") for part in rest for word in part.split("|")]
            problems += [f"{synopsis}: {name} has no option {opt}" for opt in unknown_options(command, words)]
    assert problems == []


def yaml_examples() -> list[tuple[str, str]]:
    return [(page.name, text) for page in ALL_PAGES for language, text in code_blocks(page) if language == "yaml"]


@pytest.mark.parametrize(("page", "text"), yaml_examples(), ids=lambda value: value[:24])
def test_every_yaml_example_is_a_valid_file(tmp_path: Path, registry, page: str, text: str) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    if text.startswith("questionnaire:"):
        result = validate_file(path, registry=registry, lenient=True)
        assert result.errors == ()
        assert result.response is not None
    elif text.startswith("id:"):
        questionnaire, problems = lint_file(path)
        assert problems == []
        assert questionnaire is not None
    else:
        assert all(line.startswith("#") for line in text.splitlines()), f"{page}: a YAML example of no known kind"


def links() -> list[tuple[Path, str]]:
    return [(page, target) for page in ALL_PAGES for target in LINK.findall(text_outside_code(page))]


@pytest.mark.parametrize(("page", "target"), links(), ids=lambda value: getattr(value, "name", value))
def test_every_link_leads_to_a_page_and_heading_that_exist(page: Path, target: str) -> None:
    if target.startswith(("http://", "https://")):
        return
    path, _, fragment = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    assert linked.exists(), f"{page.name}: {target} leads nowhere"
    if fragment:
        anchors = [heading.anchor for heading in DOCS.headings(linked)]
        assert fragment in anchors, f"{page.name}: {linked.name} has no heading #{fragment}"


def test_every_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "index.md":
            assert f"]({page.name}" in index, page.name
        assert f"](docs/{page.name})" in readme, page.name
