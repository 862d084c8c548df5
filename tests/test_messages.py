"""Every interface text of the reports is in the Vietnamese catalogue, and the rendered reports are NFC."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

from dhti.assess import assess
from dhti.i18n import translations
from dhti.report.render import context_for, render_html
from dhti.resources import examples_dir

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "messages.py"


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
        html = render_html(context_for(outcome, lang=lang))
        assert unicodedata.is_normalized("NFC", html)


def test_an_empty_text_is_not_the_catalogues_header() -> None:
    """An empty field translated stays empty (gettext files its header under the empty id)."""
    assert translations("vi").gettext("") == ""
    assert translations("vi").gettext("Ownership") != "Ownership"
