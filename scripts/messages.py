"""Keep the report message catalogues in step with the templates and the code.

python scripts/messages.py          # extract, and merge new messages into each language's .po
python scripts/messages.py --check  # exit 1 if any message is missing or untranslated
"""

from __future__ import annotations

import argparse
import re
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from dhti.i18n import compile_catalogue

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "report_templates"
LOCALES = TEMPLATES / "locale"
TRANSLATED = ("vi",)  # English texts are the message ids


def extract() -> Catalog:
    """Every translatable message in the templates and in dhti's code."""
    catalog = Catalog(domain="dhti", project="dhti")
    sources = [
        (TEMPLATES, [("**.html.j2", "jinja2")], {"**.html.j2": {"extensions": "jinja2.ext.i18n"}}),
        (ROOT / "dhti", [("**.py", "python")], {}),
    ]
    for folder, method_map, options in sources:
        # L_ builds a message with parameters (dhti.messages); its first argument is the message id.
        keywords = {"_": None, "N_": None, "L_": None, "gettext": None}
        found = extract_from_dir(str(folder), method_map=method_map, options_map=options, keywords=keywords)
        for filename, lineno, message, comments, context in found:
            path = (folder / filename).relative_to(ROOT).as_posix()
            catalog.add(message, locations=[(path, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "dhti.po"


def problems(lang: str) -> list[str]:
    """Messages the templates or code use that ``lang`` lacks or leaves untranslated."""
    wanted = extract()
    with po_path(lang).open("rb") as handle:
        have = read_po(handle, locale=lang)
    found = []
    for message in wanted:
        if not message.id:
            continue
        known = have.get(message.id, context=message.context)
        if known is None or not known.string or known.fuzzy:
            found.append(f"{lang}: untranslated: {message.id!r}")
        elif not keeps_placeholders(known):
            found.append(f"{lang}: placeholders differ: {message.id!r}")
    return found


def placeholders(text: object) -> list[str]:
    """The %(name)s and {name} fields of a message: a translation must keep every one of them."""
    return sorted(re.findall(r"%\(\w+\)[sdr]|\{\w+\}", str(text)))


def keeps_placeholders(message: Message) -> bool:
    """The translation uses exactly the fields of its message id, but those a translator comment omits.

    ``# omits: %(field_type)s`` lets a translation leave out a field that would put English in
    the sentence (pydantic's type names, for one); a field the id does not have is never allowed.
    """
    wanted, used = set(placeholders(message.id)), set(placeholders(message.string))
    omitted = {field for comment in message.user_comments for field in placeholders(comment.partition("omits:")[2])}
    return used <= wanted and wanted - used <= omitted


def update(lang: str) -> None:
    """Merge the extracted messages into ``lang``'s .po and compile its .mo.

    A run that changes no message leaves both files as they were, dates included, so running it
    again writes no diff (and no merge conflict in the header).
    """
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_bytes() if path.exists() else None
    written = po_bytes(lang, old, keep_dates=True)
    if written != old:
        written = po_bytes(lang, old, keep_dates=False)
        path.write_bytes(written)
    path.with_suffix(".mo").write_bytes(compile_catalogue(lang, path))  # what dhti reads: parsing the .po is slow


def po_bytes(lang: str, old: bytes | None, *, keep_dates: bool) -> bytes:
    """The .po of ``lang``: ``old`` (or an empty catalogue) updated with the messages the code uses."""
    catalog = read_po(BytesIO(old), locale=lang) if old is not None else Catalog(locale=lang, domain="dhti")
    template = extract()
    if keep_dates:
        template.creation_date = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    catalog.fuzzy = False
    catalog.revision_date = catalog.creation_date
    catalog.project, catalog.version = "dhti", ""
    catalog.copyright_holder = "the dhti developers"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "the dhti developers"
    catalog.language_team = f"dhti <{lang}>"
    catalog.header_comment = (
        f"# {lang} translations of dhti's texts: reports, command output and messages. English texts are the ids.\n"
        "# Update with: python scripts/messages.py; check with: python scripts/messages.py --check"
    )
    written = BytesIO()
    write_po(written, catalog, width=100, omit_header=False, ignore_obsolete=True, sort_output=False)
    return written.getvalue()


def stale_compiled(lang: str) -> list[str]:
    """``dhti.mo`` must be exactly ``dhti.po`` compiled: the commands read the .mo."""
    mo = po_path(lang).with_suffix(".mo")
    if mo.is_file() and mo.read_bytes() == compile_catalogue(lang, po_path(lang)):
        return []
    return [f"{lang}: {mo.name} is not {po_path(lang).name} compiled; run python scripts/messages.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report missing translations and exit 1 if any")
    args = parser.parse_args()
    if args.check:
        found = [line for lang in TRANSLATED for line in [*problems(lang), *stale_compiled(lang)]]
        print("\n".join(found) or "all messages translated")
        return 1 if found else 0
    for lang in TRANSLATED:
        update(lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
