"""Content rules for every newest bundled questionnaire and every sample: lint, periods, deadlines, advice, places."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from dhti import expressions
from dhti.assess import assess
from dhti.cli import main
from dhti.questionnaire import Indicator, Questionnaire, Recommendation
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.response import comparable

BUNDLED = Registry.discover(environ={})  # the bundled folder alone, read from its index
NEWEST = sorted(BUNDLED.ids())
SAMPLES = sorted(examples_dir().glob("*.yaml"))
MAX_RECOMMENDATIONS = 15

# The 34 provincial-level units since 1 July 2025, as their names are written today.
PROVINCES = frozenset(
    {
        "Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ",
        "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
        "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh",
        "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
        "Đắk Lắk", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
    }
)  # fmt: skip
# Documents that are history: they may be named in help text as replaced, never cited in refs.
HISTORY = ("TT46/2018", "QD6111", "QD4210", "ND13/2023")


def newest(questionnaire_id: str) -> Questionnaire:
    return BUNDLED.get(questionnaire_id)


def run(*args: str) -> Result:
    """``dhti ARGS --lang en`` as a user runs it."""
    return CliRunner().invoke(main, [*args, "--lang", "en"], catch_exceptions=False)


# --- periods named in a recommendation's text ------------------------------------------------

EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
    "thirty-six": 36,
}  # fmt: skip
VI_NUMBERS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10, "mười một": 11, "mười hai": 12, "mười tám": 18, "hai mươi bốn": 24,
    "ba mươi sáu": 36,
}  # fmt: skip
_EN_WORDS = "|".join(sorted(EN_NUMBERS, key=len, reverse=True))
_VI_WORDS = "|".join(sorted(VI_NUMBERS, key=len, reverse=True))
EN_PERIOD = re.compile(rf"\b(\d+|{_EN_WORDS})[ -](months?|years?)\b", re.IGNORECASE)
# "within a month", "for a year", but not the frequencies "once a month", "five days a year"
EN_ONE = re.compile(r"\b(?:within|in|for|over|after|under|than) a (month|year)\b", re.IGNORECASE)
VI_PERIOD = re.compile(rf"(?<!\w)(\d+|{_VI_WORDS})\s+(tháng|năm)(?!\w)", re.IGNORECASE)


def _months(count: int, unit: str) -> int:
    return count * 12 if unit.lower().startswith(("year", "năm")) else count


def periods_en(text: str) -> list[int]:
    """The periods an English text names, in months: "within 3 months" -> [3], "a year" -> [12]."""
    found = [_months(int(n) if n.isdigit() else EN_NUMBERS[n.lower()], unit) for n, unit in EN_PERIOD.findall(text)]
    return found + [_months(1, unit) for unit in EN_ONE.findall(text)]


def periods_vi(text: str) -> list[int]:
    """The periods a Vietnamese text names, in months: "trong 3 tháng" -> [3], "một năm" -> [12]."""
    return [_months(int(n) if n.isdigit() else VI_NUMBERS[n.lower()], unit) for n, unit in VI_PERIOD.findall(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Within 3 months, write a plan.", [3]),
        ("Within one month, stop it; review once a month.", [1]),
        ("Over the next three years, and within a year for the first site.", [36, 12]),
        ("Check twice a year and monthly, with five training days a year.", []),
        ("Check ten records a month for three months.", [3]),
    ],
)
def test_english_periods_are_found(text: str, expected: list[int]) -> None:
    assert periods_en(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trong 3 tháng, xây dựng kế hoạch.", [3]),
        ("Trong một tháng; rà soát hằng tháng và mỗi năm một lần.", [1]),
        ("Trong ba năm tới, và trong 12 tháng đầu.", [36, 12]),
        ("Từ tháng 11/2025, hai lần mỗi năm.", []),
    ],
)
def test_vietnamese_periods_are_found(text: str, expected: list[int]) -> None:
    assert periods_vi(text) == expected


# --- the questionnaires ---------------------------------------------------------------------


@pytest.mark.parametrize("questionnaire_id", NEWEST)
def test_lint_strict_finds_nothing(questionnaire_id: str) -> None:
    source = BUNDLED.resolve(questionnaire_id).source
    result = run("questionnaires", "lint", source, "--strict")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output
    assert "error:" not in result.output


@pytest.mark.parametrize("questionnaire_id", NEWEST)
def test_a_period_in_the_text_is_the_rules_months(questionnaire_id: str) -> None:
    for rule in newest(questionnaire_id).recommendations:
        en, vi = periods_en(rule.text["en"]), periods_vi(rule.text["vi"])
        assert sorted(en) == sorted(vi), (rule.id, en, vi)
        if en:
            assert len(set(en)) == 1, (rule.id, en)  # one period per text, or the due date says only one of them
            assert rule.months == en[0], (rule.id, rule.months, en)


@pytest.mark.parametrize("questionnaire_id", NEWEST)
def test_refs_cite_no_replaced_document(questionnaire_id: str) -> None:
    q = newest(questionnaire_id)
    refs = [(indicator.id, ref) for indicator in q.indicators() for ref in indicator.refs]
    refs += [(item.id, ref) for item in q.compliance for ref in item.refs]
    assert [(owner, ref) for owner, ref in refs if any(old in ref for old in HISTORY)] == []


def vietnamese_texts(node: Any, where: str = "") -> list[tuple[str, str]]:
    """Every Vietnamese text of a questionnaire file, with where it is: the `vi` strings of its tree."""
    if isinstance(node, dict):
        found = [(where, value) for key, value in node.items() if key == "vi" and isinstance(value, str)]
        return found + [
            text for key, value in node.items() for text in vietnamese_texts(value, f"{where}/{node.get('id', key)}")
        ]
    if isinstance(node, list):
        return [text for i, item in enumerate(node) for text in vietnamese_texts(item, f"{where}[{i}]")]
    return []


# Terms the Vietnamese texts must not use, each with the one they use instead.
WRONG_TERMS = {
    "CCCD": (re.compile(r"CCCD"), "thẻ căn cước"),
    "bare bệnh án điện tử": (re.compile(r"(?<!hồ sơ )bệnh án điện tử", re.IGNORECASE), "hồ sơ bệnh án điện tử"),
    "ASCII QD/ND": (re.compile(r"(?<![A-Za-z])(?:QD|ND)(?![A-Za-z])"), "QĐ-BYT, NĐ-CP"),
    "district health centre": (re.compile(r"Trung tâm Y tế huyện", re.IGNORECASE), "Trung tâm Y tế khu vực"),
}


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Bệnh viện triển khai hồ sơ bệnh án điện tử ngoại trú.", []),
        ("Hồ sơ bệnh án điện tử ở mọi khoa.", []),
        ("Triển khai bệnh án điện tử ngoại trú.", ["bare bệnh án điện tử"]),
        ("Đọc thẻ CCCD gắn chíp.", ["CCCD"]),
        ("Theo QD5316 và Nghị định 356/2025/ND-CP.", ["ASCII QD/ND"]),
        ("Theo Quyết định 5316/QĐ-BYT và Nghị định 356/2025/NĐ-CP.", []),
        ("Trung tâm Y tế huyện cũ.", ["district health centre"]),
    ],
)
def test_wrong_terms_are_found(text: str, wrong: list[str]) -> None:
    assert [name for name, (pattern, _) in WRONG_TERMS.items() if pattern.search(text)] == wrong


@pytest.mark.parametrize("questionnaire_id", NEWEST)
def test_vietnamese_texts_use_the_official_terms(questionnaire_id: str) -> None:
    source = Path(BUNDLED.resolve(questionnaire_id).source)
    tree = yaml.safe_load(source.read_text(encoding="utf-8"))
    wrong = [
        (where, name, use)
        for where, text in vietnamese_texts(tree)
        for name, (pattern, use) in WRONG_TERMS.items()
        if pattern.search(text)
    ]
    assert wrong == []


# --- the samples ----------------------------------------------------------------------------


@functools.cache
def scored(path: Path) -> dict[str, Any]:
    """The sample's `dhti score --format json` object (contract 4.1)."""
    result = run("score", str(path), "--format", "json")
    (report,) = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    return report


def indicators(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [indicator for domain in report["domains"] for indicator in domain["indicators"]]


def named_questions(q: Questionnaire, rule: Recommendation) -> set[str]:
    """The indicator and question ids a rule's condition names (through its expression or compliance item)."""
    when = rule.when
    names = {name for name in (when.indicator, when.question) if name}
    sources = [when.expr] if when.expr else []
    sources += [item.met for item in q.compliance if item.id == when.compliance]
    for source in sources:
        names |= {ref.question for ref in expressions.references(expressions.parse(source))}
    return names


def advised(q: Questionnaire, indicator: Indicator, fired: set[str]) -> bool:
    ids = {indicator.id, *(question.id for question in indicator.questions)}
    return any(rule.id in fired and named_questions(q, rule) & ids for rule in q.recommendations)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_no_advice_is_due_after_the_deadline_it_serves(path: Path) -> None:
    report = scored(path)
    q = questionnaire_of(path)
    pending = {item["id"]: item["due"] for item in report["compliance"] if item["status"] == "pending"}
    rules = {rule.id: rule for rule in q.recommendations}
    for fired in report["recommendations"]:
        item = rules[fired["id"]].when.compliance
        if item in pending and pending[item] is not None:
            assert fired["due"] <= pending[item], (fired["id"], fired["due"], pending[item])


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_indicator_below_stage_5_gets_advice(path: Path) -> None:
    report = scored(path)
    q = questionnaire_of(path)
    fired = {rec["id"] for rec in report["recommendations"]}
    by_id = {indicator.id: indicator for indicator in q.indicators()}
    # An indicator with no score (none of its questions asked of this entity type) has no stage to advance.
    lacking = [
        i["id"]
        for i in indicators(report)
        if i["stage"] is not None and i["stage"] < 5 and not advised(q, by_id[i["id"]], fired)
    ]
    assert lacking == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_gate_up_to_the_reported_stage_holds(path: Path, registry: Registry) -> None:
    response = assess(path, registry=registry).validation.response
    assert response is not None
    answers = {qid: comparable(answer) for qid, answer in response.answers.items() if qid in response.applicable}
    stages = {indicator["id"]: indicator["stage"] for indicator in indicators(scored(path))}
    broken = [
        (indicator.id, gate.stage)
        for indicator in response.questionnaire.indicators()
        if stages.get(indicator.id) is not None
        for gate in indicator.gates
        if gate.stage <= stages[indicator.id] and not expressions.evaluate(expressions.parse(gate.requires), answers)
    ]
    assert broken == []  # the stage text never describes a must-have the unit lacks


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_a_sample_gets_at_most_15_recommendations(path: Path) -> None:
    assert len(scored(path)["recommendations"]) <= MAX_RECOMMENDATIONS


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_name_a_current_province_and_no_district(path: Path, registry: Registry) -> None:
    response = assess(path, registry=registry).validation.response
    assert response is not None
    assert response.entity.district is None
    assert "district:" not in path.read_text(encoding="utf-8")
    assert response.entity.province in PROVINCES


def questionnaire_of(path: Path) -> Questionnaire:
    reference = scored(path)["questionnaire"]
    return BUNDLED.get(f"{reference['id']}@{reference['version']}")
