"""The refs of questionnaires as readers see them: document kinds spelled out, symbols with Đ."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml

from dhti.references import GDHM_CODES, Reference, display, parse
from dhti.report import gdhm
from dhti.resources import bundled_dir


def _refs(node: object) -> Iterator[str]:
    """Every entry of every ``refs`` list in a questionnaire file, wherever it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "refs" and isinstance(value, list):
                yield from (str(ref) for ref in value)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


BUNDLED_REFS = sorted(
    {ref for path in bundled_dir().glob("*.yaml") for ref in _refs(yaml.safe_load(path.read_text(encoding="utf-8")))}
)


def test_the_bundled_questionnaires_cite_sources() -> None:
    assert len(BUNDLED_REFS) > 20  # about 45 distinct refs today: the test below is not vacuous


@pytest.mark.parametrize("ref", BUNDLED_REFS)
def test_every_bundled_ref_has_a_proper_form(ref: str) -> None:
    found = parse(ref)
    assert found is not None, f"{ref!r} is not a ref dhti can show in its proper form"
    vi, en = display(ref, "vi"), display(ref, "en")
    assert vi != ref
    assert en != ref
    assert not {"QD", "ND"} & set(re.split(r"[/ -]", f"{vi} {en}"))  # QĐ and NĐ, with the letter Đ


@pytest.mark.parametrize(
    ("ref", "vi", "en"),
    [
        ("TT13/2025/TT-BYT", "Thông tư 13/2025/TT-BYT", "Circular 13/2025/TT-BYT"),
        ("ND356/2025/ND-CP", "Nghị định 356/2025/NĐ-CP", "Decree 356/2025/NĐ-CP"),
        ("QD5316/QD-BYT", "Quyết định 5316/QĐ-BYT", "Decision 5316/QĐ-BYT"),
        ("QD06/QD-TTg", "Quyết định 06/QĐ-TTg", "Decision 06/QĐ-TTg"),
        ("L91/2025/QH15", "Luật 91/2025/QH15", "Law 91/2025/QH15"),
        ("CT14/CT-TTg", "Chỉ thị 14/CT-TTg", "Directive 14/CT-TTg"),
        ("KH128/KH-UBND", "Kế hoạch 128/KH-UBND", "Plan 128/KH-UBND"),  # UBND keeps its N-D
        ("NQ57-NQ/TW", "Nghị quyết 57-NQ/TW", "Resolution 57-NQ/TW"),
        ("NQ12/NQ-HDND", "Nghị quyết 12/NQ-HĐND", "Resolution 12/NQ-HĐND"),
        ("CV2147/BYT-TCCB", "Công văn 2147/BYT-TCCB", "Official Letter 2147/BYT-TCCB"),
        ("GDHM-5", "Chỉ số GDHM 5", "GDHM 5"),
        ("GDHM-21a", "Chỉ số GDHM 21a", "GDHM 21a"),
    ],
)
def test_ids_read_as_the_documents_print_them(ref: str, vi: str, en: str) -> None:
    assert (display(ref, "vi"), display(ref, "en")) == (vi, en)


@pytest.mark.parametrize(
    "ref",
    ["NĐ13/2023/NĐ-CP", "QĐ5316/QĐ-BYT", "5316/QĐ-BYT", "5316/QD-BYT", "QD 5316/QD-BYT", " QD5316/QD-BYT "],
)
def test_refs_already_written_with_the_letter_d_or_without_a_prefix_are_recognised(ref: str) -> None:
    kind = "ND" if "CP" in ref else "QD"
    assert parse(ref) == Reference(kind, "13/2023/NĐ-CP" if kind == "ND" else "5316/QĐ-BYT")


def test_a_d_the_author_wrote_in_an_issuer_is_kept() -> None:
    assert display("KH12/KH-K2ĐT", "vi") == "Kế hoạch 12/KH-K2ĐT"


@pytest.mark.parametrize(
    "ref",
    [
        "TT13/2023/ND-CP",  # the prefix says Circular, the symbol a Decree
        "L91/2025/ND-CP",  # a law's symbol ends with the legislature, QH15
        "CV13/2025/TT-BYT",  # an official letter's symbol names no kind
        "XY13/2025/TT-BYT",  # no such kind
        "GDHM-24",  # the GDHM has 23 indicators
        "GDHM-21d",
        "2147/BYT-TCCB",  # a bare letter symbol does not say what it is
        "Thông tư 13/2025/TT-BYT",  # already in its proper form
        "TCVN 11930:2017",
        "HL7 FHIR R4",
        "",
    ],
)
def test_anything_else_is_shown_as_written(ref: str) -> None:
    assert parse(ref) is None
    assert display(ref, "vi") == display(ref, "en") == ref


def test_a_language_other_than_vietnamese_reads_english() -> None:
    assert display("TT13/2025/TT-BYT", "fr") == "Circular 13/2025/TT-BYT"


def test_the_gdhm_codes_are_those_the_report_names() -> None:
    assert len(GDHM_CODES) == 31  # 23 indicators and 8 sub-indicators
    assert set(gdhm.NAMES) == GDHM_CODES


def test_questionnaires_show_names_a_compliance_items_documents() -> None:
    from builders import question, questionnaire  # noqa: PLC0415

    from dhti.views.questionnaires import show_text  # noqa: PLC0415

    emr = {"id": "comp.emr", "text": {"en": "EMR", "vi": "HSBA điện tử"}, "met": "d.i.a == 'all'"}
    q = questionnaire(
        {"d": {"d.i": [question("d.i.a")]}},
        extra={"compliance": [{**emr, "refs": ["TT13/2025/TT-BYT", "my own note"]}]},
    )
    assert "refs: Circular 13/2025/TT-BYT, my own note]" in show_text(q, lang="en")
    assert "căn cứ: Thông tư 13/2025/TT-BYT, my own note]" in show_text(q, lang="vi")
