"""Every interface text of the reports is in the Vietnamese catalogue, and the rendered reports are NFC."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
import unicodedata
from pathlib import Path

from dhti.assess import assess
from dhti.i18n import translations
from dhti.report.render import context_for, render_html
from dhti.resources import examples_dir

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "messages.py"
DAY = dt.date(2026, 12, 2)  # the reports' date


def load_messages_script():
    spec = importlib.util.spec_from_file_location("messages", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_is_translated() -> None:
    messages = load_messages_script()
    assert len(messages.extract()) > 100
    assert messages.problems("vi") == []


def test_reports_are_nfc_in_both_languages(registry) -> None:
    outcome = assess(examples_dir() / "commune-station-satellite-dien-bien.yaml", registry=registry)
    for lang in ("vi", "en"):
        html = render_html(context_for(outcome, lang=lang, report_date=DAY))
        assert unicodedata.is_normalized("NFC", html)


def test_an_empty_text_is_not_the_catalogues_header() -> None:
    """An empty field translated stays empty (gettext files its header under the empty id)."""
    assert translations("vi").gettext("") == ""
    assert translations("vi").gettext("Entity code") != "Entity code"


def test_extraction_reads_every_module_that_marks_texts() -> None:
    messages = load_messages_script()
    root = SCRIPT.parent.parent
    extracted = {path for message in messages.extract() for path, _line in message.locations}
    marking = {
        path.relative_to(root).as_posix()
        for path in (root / "dhti").rglob("*.py")
        if re.search(r"\b(?:N_|_)\(\s*[\"']", path.read_text(encoding="utf-8"))
    }
    assert {"dhti/cli/main.py", "dhti/views/store.py", "dhti/jobs/batch.py", "dhti/template.py"} <= marking
    assert marking <= extracted


def test_check_fails_on_a_message_without_translation(monkeypatch) -> None:
    messages = load_messages_script()
    wanted = messages.extract()
    wanted.add("A text nobody has translated yet", locations=[("dhti/cli/main.py", 1)])
    monkeypatch.setattr(messages, "extract", lambda: wanted)
    assert messages.problems("vi") == ["vi: untranslated: 'A text nobody has translated yet'"]
    monkeypatch.setattr(sys, "argv", ["messages.py", "--check"])
    assert messages.main() == 1


def test_check_fails_on_a_translation_that_drops_a_placeholder(monkeypatch, tmp_path) -> None:
    messages = load_messages_script()
    po = messages.po_path("vi").read_text(encoding="utf-8")
    broken = po.replace('msgstr "đã ghi %(file)s"', 'msgstr "đã ghi tệp"', 1)
    assert broken != po
    (tmp_path / "vi" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "vi" / "LC_MESSAGES" / "dhti.po").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(messages, "LOCALES", tmp_path)
    assert messages.problems("vi") == ["vi: placeholders differ: 'wrote %(file)s'"]


def test_a_translator_comment_may_omit_a_field_but_never_add_one() -> None:
    from babel.messages.catalog import Message  # noqa: PLC0415 - only this test builds catalogue entries

    keeps = load_messages_script().keeps_placeholders
    message = "%(kind)s should have %(n)s items"
    assert not keeps(Message(message, "phải có %(n)s mục"))
    assert keeps(Message(message, "phải có %(n)s mục", user_comments=["omits: %(kind)s"]))
    assert not keeps(Message(message, "phải có %(n)s mục %(x)s", user_comments=["omits: %(kind)s"]))


def test_the_compiled_catalogue_is_the_po_compiled(monkeypatch, tmp_path) -> None:
    """dhti reads dhti.mo; --check fails when it is not exactly dhti.po compiled."""
    messages = load_messages_script()
    assert messages.stale_compiled("vi") == []
    po = messages.po_path("vi").read_text(encoding="utf-8")
    (tmp_path / "vi" / "LC_MESSAGES").mkdir(parents=True)
    changed = po.replace('msgstr "đã ghi %(file)s"', 'msgstr "ghi %(file)s"')
    (tmp_path / "vi" / "LC_MESSAGES" / "dhti.po").write_text(changed, encoding="utf-8")
    (tmp_path / "vi" / "LC_MESSAGES" / "dhti.mo").write_bytes(messages.po_path("vi").with_suffix(".mo").read_bytes())
    monkeypatch.setattr(messages, "LOCALES", tmp_path)
    assert messages.stale_compiled("vi") == ["vi: dhti.mo is not dhti.po compiled; run python scripts/messages.py"]


def test_updating_a_catalogue_that_lacks_nothing_rewrites_nothing(monkeypatch, tmp_path) -> None:
    """scripts/messages.py run twice writes the same bytes: its dates change only with a message."""
    messages = load_messages_script()
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = messages.po_path("vi").read_bytes()
    (folder / "dhti.po").write_bytes(po)
    monkeypatch.setattr(messages, "LOCALES", tmp_path)
    messages.update("vi")
    assert (folder / "dhti.po").read_bytes() == po
    assert (folder / "dhti.mo").read_bytes() == messages.compile_catalogue("vi", folder / "dhti.po")
