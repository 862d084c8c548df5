"""The entity report a leader acts on: page 1 of every sample's PDF, its length, its page box and its dates.

Every sample is rendered once, with a store holding simulated peers and an earlier round of each
sample (see report_campaign.py), as of a fixed report date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from report_campaign import REPORT_DATE, SAMPLES, Compared, build_store, compared

from dhti import i18n
from dhti.assess import assess
from dhti.questionnaire import HORIZON_MONTHS
from dhti.recommendations import add_months
from dhti.report.entity import ReportContext
from dhti.report.render import ReportFormat, context_for, render_html, write_report
from dhti.resources import examples_dir

NAMES = [sample.stem for sample in SAMPLES]
#: Reports allowed more than 12 pages: the Ministry answers the longest questionnaire with the most evidence.
LONG = {"ministry-of-health": 13}
MOST_PAGES = 12


@dataclasses.dataclass(frozen=True)
class Rendered:
    context: ReportContext
    pdf: Path
    pages: list[str]  # the text of each page


@pytest.fixture(scope="session")
def store(tmp_path_factory, registry) -> Path:
    return build_store(tmp_path_factory.mktemp("campaign"), registry)


@pytest.fixture(scope="session")
def samples(store: Path, registry) -> dict[str, Compared]:
    return {sample.stem: compared(store, sample, registry) for sample in SAMPLES}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, samples: dict[str, Compared]) -> dict[str, Rendered]:
    """Each sample's Vietnamese PDF, rendered once for every test here."""
    folder = tmp_path_factory.mktemp("pdf")
    out: dict[str, Rendered] = {}
    for name, item in samples.items():
        pdf = folder / f"{name}.pdf"
        options = {"lang": "vi", "report_date": REPORT_DATE, "history": item.history, "peers": item.peers}
        write_report(item.outcome, pdf, fmt=ReportFormat.PDF, **options)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
        out[name] = Rendered(context_for(item.outcome, **options), pdf, text.stdout.split("\f")[:-1])
    return out


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", NAMES)
def test_page_one_answers_the_four_questions(rendered: dict[str, Rendered], name: str) -> None:
    report = rendered[name]
    context, page = report.context, flat(report.pages[0])
    assert context.index in page
    assert f"Giai đoạn {context.stage.level} · {context.stage.label}" in page
    for cover in (context.report_date, context.assessment_date, "Tự đánh giá, chưa kiểm tra", "Đơn vị ban hành"):
        assert cover in page
    assert "dhti 0." not in page  # no tool version on the cover
    assert not re.search(r"dhti-[a-z]+@", page)  # nor the questionnaire's internal id
    # The rank, its group named in words, nationally (and in the province for a facility).
    assert re.search(r"Hạng \d+/\d+ [^\d]+ đã đánh giá trên toàn quốc", page), page[:600]
    assert "bách phân vị" not in page.lower()
    # The change since the earlier round stored for every sample, the way it went.
    assert re.search(r"(Tăng|Giảm) \d+,\d điểm so với lần đánh giá ngày \d\d/\d\d/\d{4}", page)
    assert context.change.direction in {"rose", "fell"}
    words = "lên" if context.change.direction == "rose" else "xuống"
    assert f" {words} {context.index})" in page
    assert context.next_stage in page or not context.next_stage
    for bar in context.domain_bars:
        assert f"{bar.title} {bar.shown}" in page
    if context.compliance:
        assert "Nghĩa vụ pháp lý" in page
        for row in context.compliance:
            assert row.status_label in page
    # Every first action on page 1, each with its owner and its due date.
    assert "Việc cần làm trước" in page
    assert 3 <= len(context.first_actions) <= 5
    for action in context.first_actions:
        assert flat(action.text)[:60] in page
        assert f"Người chịu trách nhiệm: {flat(action.owner)} · Thời hạn: {action.due}" in page


@pytest.mark.parametrize("name", NAMES)
def test_the_first_actions_are_spread_across_owners(rendered: dict[str, Rendered], samples, name: str) -> None:
    context = rendered[name].context
    order = [fired.id for fired in samples[name].outcome.recommendations]  # the order of contract 3.3
    owners = {rec.id: rec.owner for group in context.roadmap for rec in group.recommendations}
    chosen = [rec.id for rec in context.first_actions]
    assert chosen[0] == order[0]  # the most urgent action always leads
    assert [order.index(rec) for rec in chosen] == sorted(order.index(rec) for rec in chosen)
    if len(set(owners.values())) >= len(chosen):
        assert len({owners[rec] for rec in chosen}) == len(chosen)  # one each, while there are owners enough


def words_by_page(pdf: Path) -> list[tuple[float, float, list[tuple[str, float, float, float, float]]]]:
    """Each page's width and height, and its words as (text, xMin, yMin, xMax, yMax), from ``pdftotext -bbox``."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for width, height, body in re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, flags=re.DOTALL
    ):
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', body
        )
        pages.append(
            (float(width), float(height), [(t, float(a), float(b), float(c), float(d)) for a, b, c, d, t in words])
        )
    return pages


@pytest.mark.parametrize("name", NAMES)
def test_no_word_lies_outside_the_page_box(rendered: dict[str, Rendered], name: str) -> None:
    margin = 14 / 25.4 * 72  # the @page side margins, 14 mm: body text stays within them
    for number, (width, height, words) in enumerate(words_by_page(rendered[name].pdf), 1):
        assert words, f"page {number} is blank"
        outside = [w[0] for w in words if w[1] < margin - 1 or w[3] > width - margin + 1 or w[2] < 0 or w[4] > height]
        assert outside == [], f"page {number}"


@pytest.mark.parametrize("name", NAMES)
def test_the_report_is_short(rendered: dict[str, Rendered], name: str) -> None:
    pages = rendered[name].pages
    assert len(pages) <= LONG.get(name, MOST_PAGES)
    # No page is left with a few lines at the end of a section (the last page may be short).
    for number, page in enumerate(pages[:-1], 1):
        assert len([line for line in page.splitlines() if line.strip()]) > 12, f"page {number} is nearly empty"


def test_most_reports_are_at_most_twelve_pages(rendered: dict[str, Rendered]) -> None:
    short = [name for name, report in rendered.items() if len(report.pages) <= MOST_PAGES]
    assert len(short) >= len(rendered) - len(LONG)


_MONTHS = re.compile(r"(?:Trong|trong) (\d+|một|hai|ba|sáu) (tháng|năm)")
_WORDS = {"một": 1, "hai": 2, "ba": 3, "sáu": 6}


def stated_months(text: str) -> int | None:
    """The months the first "Trong N tháng" (or "Trong hai năm") of a text states."""
    found = _MONTHS.search(text)
    if found is None:
        return None
    count = int(found.group(1)) if found.group(1).isdigit() else _WORDS[found.group(1)]
    return count * (12 if found.group(2) == "năm" else 1)


def test_every_bundled_rule_is_due_when_its_text_says(registry) -> None:
    checked = 0
    for ref in ("dhti-agency", "dhti-clinic", "dhti-facility", "dhti-station"):
        for rule in registry.get(ref).recommendations:
            months = stated_months(rule.text.get("vi", ""))
            if months is not None:
                assert (rule.months or HORIZON_MONTHS[rule.horizon]) == months, rule.id
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("name", NAMES)
def test_each_action_shows_the_due_date_its_text_states(rendered: dict[str, Rendered], samples, name: str) -> None:
    outcome = samples[name].outcome
    response = outcome.validation.response
    assert response is not None
    shown = {rec.id: rec.due for group in rendered[name].context.roadmap for rec in group.recommendations}
    for fired in outcome.recommendations:
        months = stated_months(fired.rule.text["vi"])
        if months is None:
            continue
        expected = add_months(response.assessment.date, months)
        if fired.deadline is not None and fired.deadline.item.due is not None:
            expected = min(expected, fired.deadline.item.due)  # a pending obligation's own deadline comes first
        assert fired.due == expected, fired.id
        assert shown[fired.id] == i18n.date(expected, "vi")


def test_an_action_is_overdue_after_its_due_date_and_not_on_it(registry) -> None:
    outcome = assess(examples_dir() / "commune-station-urban-can-tho.yaml", registry=registry)
    due = outcome.recommendations[0].due
    before = context_for(outcome, lang="vi", report_date=due)
    after = context_for(outcome, lang="vi", report_date=due + dt.timedelta(days=1))
    assert not before.first_actions[0].overdue
    assert after.first_actions[0].overdue
    badge = '<span class="badge overdue">quá hạn</span>'
    first = re.escape(f"Thời hạn: {before.first_actions[0].due}</span>")
    assert not re.search(first + r"\s*" + re.escape(badge), render_html(before))
    assert re.search(first + r"\s*" + re.escape(badge), render_html(after))


def test_a_deadline_past_the_report_date_is_flagged(registry) -> None:
    outcome = assess(examples_dir() / "commune-station-urban-can-tho.yaml", registry=registry)
    assert outcome.scores is not None
    pending = next(status for status in outcome.scores.compliance if str(status.status) == "pending")
    assert pending.item.due is not None
    row = {r.id: r for r in context_for(outcome, lang="vi", report_date=pending.item.due).compliance}[pending.id]
    later = context_for(outcome, lang="vi", report_date=pending.item.due + dt.timedelta(days=1))
    assert (row.overdue, {r.id: r for r in later.compliance}[pending.id].overdue) == (False, True)


def test_without_peers_or_history_page_one_says_so(registry) -> None:
    outcome = assess(examples_dir() / "commune-station-satellite-dien-bien.yaml", registry=registry)
    context = context_for(outcome, lang="vi", report_date=REPORT_DATE)
    assert context.standing.lines == ("Chưa có dữ liệu so sánh: chưa có trạm y tế xã, phường nào khác được đánh giá.",)
    assert context.change.sentence.startswith("Đây là lần đánh giá đầu tiên")
    html = render_html(context)
    assert "Chưa có dữ liệu so sánh" in html
    assert "Tiến bộ và so sánh" not in html  # no empty section


def test_the_issuer_is_the_assessor_unless_given(registry) -> None:
    outcome = assess(examples_dir() / "provincial-department-cao-bang.yaml", registry=registry)
    assert outcome.validation.response is not None
    assessor = outcome.validation.response.assessment.assessor
    assert context_for(outcome, lang="vi", report_date=REPORT_DATE).issuer == assessor
    given = context_for(outcome, lang="vi", report_date=REPORT_DATE, issuer="Sở Y tế tỉnh Cao Bằng")
    assert given.issuer == "Sở Y tế tỉnh Cao Bằng"
    assert given.ownership == ""  # an agency's cover says nothing of ownership


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("central-hospital-hanoi", "2.000 Mbps"),
        ("provincial-department-cao-bang", "6.800 triệu đồng"),
        ("provincial-department-da-nang", "86.500 triệu đồng"),
    ],
)
def test_numeric_answers_group_their_thousands(rendered: dict[str, Rendered], name: str, shown: str) -> None:
    text = flat(" ".join(rendered[name].pages))
    assert shown in text
    assert not re.search(r"\b\d{4,} (?:triệu đồng|Mbps)", text)


def test_the_formula_is_on_the_scale_of_the_scores_and_on_one_line(rendered: dict[str, Rendered]) -> None:
    for name in ("central-hospital-hanoi", "provincial-department-cao-bang"):
        text = "\n".join(rendered[name].pages)
        assert re.search(r"I = Σ wd · Dd / Σ wd", text), name  # on one line, and no factor 100 for scores already 0-100
        assert "I = 100 ×" not in text


def test_report_takes_its_date_and_issuer_from_the_command_line(dhti, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DHTI_DB", raising=False)
    out = tmp_path / "bao-cao.html"
    sample = examples_dir() / "commune-station-urban-can-tho.yaml"
    args = ["report", sample, "-o", out, "--lang", "vi", "--report-date", "2027-01-15", "--issuer", "Sở Y tế <Cần Thơ>"]
    result = dhti(*args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<td class="date">15/01/2027</td>' in html
    assert "Sở Y tế &lt;Cần Thơ&gt;" in html  # the issuer is text from the user: escaped
    bad = dhti("report", sample, "-o", tmp_path / "x.html", "--report-date", "15/01/2027")
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
