"""Keep the command table of docs/index.md in step with the click group.

python scripts/docs.py          # write the table: every command, what --help says first, its page
python scripts/docs.py --check  # exit 1 if the table differs from what the group says
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import click

from dhti.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INDEX = DOCS / "index.md"
START = "<!-- commands: start (written by scripts/docs.py) -->"
END = "<!-- commands: end -->"
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#* *$")
FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Heading:
    page: Path
    text: str
    anchor: str


def leaf_commands(group: click.Group, prefix: str = "dhti") -> list[tuple[str, click.Command]]:
    """Every command a user can run, as ``dhti db list``, in the order the group declares them."""
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += leaf_commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def anchor(text: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = (char for char in text.lower() if char in " -_" or unicodedata.category(char)[0] in "LMN")
    return "".join(kept).replace(" ", "-")


def headings(page: Path) -> list[Heading]:
    """The page's headings outside code blocks, with their anchors (repeats get -1, -2, as GitHub does)."""
    found: list[Heading] = []
    seen: dict[str, int] = {}
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_code = not in_code
            continue
        match = None if in_code else HEADING.match(line)
        if match is None:
            continue
        text = match.group(2)
        base = anchor(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.append(Heading(page, text, f"{base}-{count}" if count else base))
    return found


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def documented_at(name: str, found: list[Heading]) -> Heading | None:
    """The first heading that names the command, such as ``### `dhti db list [filters]` ``."""
    wanted = re.compile(rf"`{re.escape(name)}[ `]")
    return next((heading for heading in found if wanted.search(heading.text)), None)


def command_table() -> str:
    """The Markdown table of every command, its summary from --help and the page that documents it."""
    found = [heading for page in pages() for heading in headings(page)]
    rows = ["| command | what it does |", "| --- | --- |"]
    for name, command in leaf_commands(main):
        heading = documented_at(name, found)
        if heading is None:
            msg = f"{name} is documented on no page of {DOCS.relative_to(ROOT)}/ (a heading naming `{name} ...`)"
            raise SystemExit(msg)
        summary = command.get_short_help_str(limit=300).replace("|", r"\|").replace("*", r"\*")
        rows.append(f"| [`{name}`]({heading.page.name}#{heading.anchor}) | {summary} |")
    return "\n".join(rows)


def with_table(text: str, table: str) -> str:
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{table}\n{END}{after}"


def main_script() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/index.md is out of date")
    args = parser.parse_args()
    text = INDEX.read_text(encoding="utf-8")
    wanted = with_table(text, command_table())
    if args.check:
        if wanted != text:
            print(f"{INDEX.relative_to(ROOT)}: the command table is out of date; run python scripts/docs.py")
            return 1
        return 0
    INDEX.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_script())
