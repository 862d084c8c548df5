"""Entity reports: the PDF by its text, metadata, fonts and page images; the HTML by its markup."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from dhti.assess import assess
from dhti.registry import ENV_FOLDERS, Registry
from dhti.report.render import (
    PDF_TEXT_LIMIT,
    UNBROKEN_RUN,
    FreeText,
    ReportError,
    ReportFormat,
    context_for,
    format_for,
    render_html,
    render_pdf,
    templates_dir,
    write_report,
)
from dhti.resources import examples_dir
from dhti.response import MAX_ID_CHARS, MAX_NAME_CHARS

DAY = dt.date(2026, 12, 2)  # the report date: fixed, so that overdue flags do not move with the clock
DATA = Path(__file__).parent / "data"
HOSTILE = DATA / "responses" / "mini-hostile.yaml"
HOSPITAL = examples_dir() / "provincial-hospital-nghe-an.yaml"
HANOI = examples_dir() / "central-hospital-hanoi.yaml"


def hanoi_with(write, name: str, old: str, new: str) -> Path:
    """The Hanoi sample with one text changed: still a valid response."""
    text = HANOI.read_text(encoding="utf-8")
    assert old in text
    return write(name, text.replace(old, new, 1))


@pytest.fixture(scope="module")
def hospital_pdf(tmp_path_factory, registry) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    write_report(assess(HOSPITAL, registry=registry), out, fmt=ReportFormat.PDF, lang="vi", report_date=DAY)
    return out


@pytest.fixture(scope="module")
def hospital_text(hospital_pdf: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(hospital_pdf).pages)


def test_pdf_text_has_the_entity_index_stages_and_recommendations(hospital_text: str, registry) -> None:
    outcome = assess(HOSPITAL, registry=registry)
    assert outcome.scores is not None
    text = re.sub(r"\s+", " ", hospital_text)
    assert "Bệnh viện Đa khoa Lam Hồng" in text
    assert "49,1" in text  # the index, with a Vietnamese decimal comma
    stage = outcome.scores.stage
    assert stage is not None
    # A stage is a "Giai đoạn", never a "Mức", which readers take for a Circular 54 level.
    assert f"Giai đoạn {stage.level} · {stage.label['vi']}" in text
    assert f"Mức {stage.level} · " not in text
    assert "Tóm tắt dành cho lãnh đạo" in text
    assert "Lộ trình thực hiện khuyến nghị" in text
    first = outcome.recommendations[0].rule.text["vi"]
    assert first[:40] in text
    assert "Trang 1 / " not in text  # no footer on the cover
    assert re.search(r"Trang 2 / (\d+)", text)


def test_pdf_has_every_page_numbered_and_its_sections_bookmarked(hospital_pdf: Path, hospital_text: str) -> None:
    reader = PdfReader(hospital_pdf)
    pages = len(reader.pages)
    text = re.sub(r"\s+", " ", hospital_text)
    for number in range(2, pages + 1):
        assert f"Trang {number} / {pages}" in text
    # A PDF finds its sections through its bookmarks: the contents list is the HTML's navigation.
    sections = reader.outline[1]  # under the entity's name (the cover's heading)
    titles = [item.title for item in sections if not isinstance(item, list)]
    assert titles[:4] == [
        "Tóm tắt dành cho lãnh đạo",
        "Điểm theo lĩnh vực và chỉ số",
        "Cần gì để lên giai đoạn 4 · Nâng cao",  # beside the roadmap
        "Lộ trình thực hiện khuyến nghị",
    ]
    assert reader.get_destination_page_number(sections[0]) == 0  # the summary is on page 1
    assert "Mục lục" not in text


def test_pdf_metadata_outline_and_pdfa(hospital_pdf: Path) -> None:
    reader = PdfReader(hospital_pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Đánh giá chuyển đổi số: Bệnh viện Đa khoa Lam Hồng"
    assert meta.author == f"dhti {__import__('dhti').__version__}"
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in raw
    assert 'pdfaid:conformance="B"' in raw
    assert reader.trailer["/Root"].get("/Lang") == "vi"

    def flatten(items: list) -> list[str]:
        return [title for item in items for title in (flatten(item) if isinstance(item, list) else [item.title])]

    titles = flatten(reader.outline)
    assert "Tóm tắt dành cho lãnh đạo" in titles
    assert "Phụ lục: thang giai đoạn, câu trả lời và minh chứng" in titles


def test_every_glyph_of_the_pdf_text_is_in_the_bundled_font(hospital_text: str) -> None:
    cmap: set[int] = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        cmap |= set(TTFont(templates_dir() / "fonts" / name).getBestCmap())
    missing = {char for char in hospital_text if not char.isspace() and ord(char) not in cmap}
    assert missing == set()
    assert {"ệ", "ồ", "ữ", "Đ", "ạ", "ằ"} <= set(hospital_text)


def test_pdf_embeds_only_the_bundled_fonts(hospital_pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(hospital_pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert names == {"DHTI-Sans", "DHTI-Sans-Bold"}  # the bundled DejaVu files, under their @font-face name


def test_pages_render_to_images_that_are_not_blank(hospital_pdf: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "6", str(hospital_pdf), str(tmp_path / "p")], check=True
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == 6
    for image_path in images:
        with Image.open(image_path) as image:
            grey = image.convert("L")
            dark = sum(grey.histogram()[:200])
            assert dark / (grey.width * grey.height) > 0.005, image_path.name


def test_html_is_self_contained_and_in_the_language_asked(registry) -> None:
    outcome = assess(HOSPITAL, registry=registry)
    html = render_html(context_for(outcome, lang="en", report_date=DAY))
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert "Executive summary" in html
    assert "49.1" in html
    assert "<script" not in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:|file:|//)""", html)
    assert "@font-face" not in html  # fonts come from the reader's system in HTML
    assert html.count('<div class="dbar">') == 4  # the domains as bars drawn in HTML, readable on a phone
    assert "<svg" not in html  # no trend without a store


def test_hostile_text_is_escaped_everywhere(registry) -> None:
    outcome = assess(HOSTILE, registry=registry)
    assert outcome.valid, outcome.validation.problems
    html = render_html(context_for(outcome, lang="vi", report_date=DAY))
    for raw in (
        "<script>alert",
        "<img src",
        '<link rel="stylesheet" href="http',
        "<iframe",
        "<style>@import",
        "<object",
        "<svg onload",
        "<image href",
    ):
        assert raw not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # template syntax in data is never evaluated
    assert "{% if true %}ok{% endif %}" in html
    assert "&amp;amp; &amp;lt;" in html


def test_hostile_response_makes_the_renderer_fetch_nothing_but_bundled_fonts(registry) -> None:
    outcome = assess(HOSTILE, registry=registry)
    fetched: list[str] = []
    pdf = render_pdf(render_html(context_for(outcome, lang="en", report_date=DAY), pdf=True), fetched=fetched)
    assert pdf.startswith(b"%PDF-")
    fonts = (templates_dir() / "fonts").as_uri()
    assert fetched
    assert all(url.startswith(fonts + "/DejaVuSans") for url in fetched), fetched


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/x.png">',
        '<link rel="stylesheet" href="https://example.org/x.css">',
        '<img src="../../../../etc/hostname">',
    ],
)
def test_fetcher_refuses_anything_outside_the_templates(tag: str) -> None:
    fetched: list[str] = []
    with pytest.raises(ReportError, match="outside the bundled templates"):
        render_pdf(f"<html><body><p>x</p>{tag}</body></html>", fetched=fetched)
    assert fetched


def test_fetcher_allows_data_urls() -> None:
    pixel = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    assert render_pdf(f'<p>x</p><img src="{pixel}">', pdfa=False).startswith(b"%PDF-")


def test_report_is_written_atomically_to_exactly_the_path_asked(registry, tmp_path: Path) -> None:
    outcome = assess(HOSTILE, registry=registry)
    out = tmp_path / "sub" / "r.html"
    out.parent.mkdir()
    write_report(outcome, out, fmt=ReportFormat.HTML, lang="en", report_date=DAY)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["r.html", "sub"]
    assert out.stat().st_mode & 0o644 == 0o644


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("a.pdf", None, ReportFormat.PDF),
        ("a.HTML", None, ReportFormat.HTML),
        ("a.htm", None, ReportFormat.HTML),
        ("a.out", "pdf", ReportFormat.PDF),
        ("a.PDF", "pdf", ReportFormat.PDF),
        ("a.html", "pdf", ReportFormat.PDF),  # the contract: the suffix decides only when --format is not given
    ],
)
def test_format_from_suffix(name: str, given: str | None, expected: ReportFormat) -> None:
    assert format_for(Path(name), given) is expected


def test_unknown_suffix_without_format_is_refused() -> None:
    with pytest.raises(ReportError, match=r"name it \.html or \.pdf"):
        format_for(Path("report.docx"), None)


def test_trend_and_peers_appear_when_the_store_has_them(registry) -> None:
    from test_portfolio import Record, Row  # noqa: PLC0415

    outcome = assess(HOSPITAL, registry=registry)
    response = outcome.validation.response
    assert response is not None
    me = response.entity.id
    domains = (("policy", 30.0, 2), ("capacity", 40.0, 3), ("standards", 20.0, 2), ("workforce", 25.0, 2))
    history = [
        Row(1, Record(me, 29.5, domains, assessment_date=dt.date(2024, 4, 1), stage=2)),
        Row(2, Record(me, 38.0, domains, assessment_date=dt.date(2025, 4, 1), stage=2)),
    ]
    provinces = ["Nghệ An", "Nghệ An", "Hà Nội", "Hà Nội"]
    peers = [
        Row(10 + n, Record(f"P{n}", value, domains, province=province))
        for n, (value, province) in enumerate(zip([20.0, 35.0, 55.0, 70.0], provinces, strict=True))
    ]
    context = context_for(outcome, lang="vi", report_date=DAY, history=history, peers=peers)
    assert context.trend is not None
    assert context.trend.before == "01/04/2025"
    assert context.change.sentence == "Tăng 11,1 điểm so với lần đánh giá ngày 01/04/2025 (từ 38,0 lên 49,1)."
    assert context.standing.lines == (
        "Hạng 1/3 bệnh viện đã đánh giá ở Nghệ An",
        "Hạng 3/5 bệnh viện đã đánh giá trên toàn quốc",
    )
    assert context.standing.peer_median == "45,0"
    index = context.comparison[0]
    assert (index.before, index.now, index.change, index.peer_median, index.rank) == (
        "38,0",
        "49,1",
        "+11,1",
        "45,0",
        "3/5",
    )
    html = render_html(context)
    assert "Tiến bộ và so sánh với đơn vị cùng loại" in html
    assert "chỉ số tổng hợp tăng 19,6 điểm, từ 29,5 lên 49,1" in html
    assert html.count("<svg") == 1
    assert html.count('<span class="median"') == 4  # the peer median marked on each domain's bar
    assert "bách phân vị" not in html.lower()
    alone = render_html(context_for(outcome, lang="vi", report_date=DAY))
    assert "Tiến bộ và so sánh" not in alone
    assert "Chưa có dữ liệu so sánh: chưa có bệnh viện nào khác được đánh giá." in alone


def test_pdf_with_the_longest_word_a_response_may_hold_is_written_and_cut(registry, write, tmp_path: Path) -> None:
    word = "x" * 19_000  # with the rest of the evidence, near the 20,000 characters validation allows
    response = hanoi_with(write, "word.yaml", 'evidence: "Quyết định 312', f'evidence: "{word} Quyết định 312')
    outcome = assess(response, registry=registry)
    assert outcome.valid
    out = tmp_path / "word.pdf"
    start = time.perf_counter()
    write_report(outcome, out, fmt=ReportFormat.PDF, lang="vi", report_date=DAY)
    assert time.perf_counter() - start < 120  # a guard against minutes (it once took more than 500 s), not a timing
    text = "\n".join(page.extract_text() or "" for page in PdfReader(out).pages)
    assert "[đã cắt bớt: toàn văn (19.120 ký tự) có trong tệp câu trả lời]" in re.sub(r"\s+", " ", text)
    cut_word = "".join(re.findall(r"x{2,}", text))  # Vietnamese words (xét, xử) hold single x's, never runs
    assert len(cut_word) < PDF_TEXT_LIMIT + 100
    html = render_html(context_for(outcome, lang="vi", report_date=DAY))
    assert html.count("x" * UNBROKEN_RUN + "<wbr>") == 19_000 // UNBROKEN_RUN  # the HTML keeps all of it
    assert "đã cắt bớt" not in html


@pytest.mark.parametrize("pdf", [True, False])
def test_ordinary_vietnamese_text_is_unchanged(pdf: bool) -> None:
    free = FreeText(pdf=pdf, lang="vi", translate=str)
    text = "Quyết định 312/QĐ-BVHN ngày 02/02/2026 của Giám đốc; https://benhvien.vn/ke-hoach-2026 & <b>"
    assert (
        free(text)
        == "Quyết định 312/QĐ-BVHN ngày 02/02/2026 của Giám đốc; https://benhvien.vn/ke-hoach-2026 &amp; &lt;b&gt;"
    )


def test_long_runs_break_between_whole_letters() -> None:
    free = FreeText(pdf=True, lang="vi", translate=str)
    decomposed = "e\u0323" * UNBROKEN_RUN  # ẹ written as e + a combining dot: never split from its dot
    shown = free(decomposed)
    assert shown.replace("\u200b", "") == decomposed
    assert "\u200b\u0323" not in shown
    assert free("<" * (UNBROKEN_RUN + 1)) == "&lt;" * UNBROKEN_RUN + "\u200b&lt;"


def test_sample_reports_hold_no_break_marks(hospital_text: str, registry) -> None:
    assert "\u200b" not in hospital_text
    for sample in sorted(examples_dir().glob("*.yaml")):
        assert "<wbr>" not in render_html(context_for(assess(sample, registry=registry), lang="vi", report_date=DAY)), (
            sample.name
        )


def words_by_page(pdf: Path) -> list[tuple[float, list[tuple[str, float, float, float]]]]:
    """Each page's width, and its words as (text, xMin, xMax, yMin), from ``pdftotext -bbox``."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for width, body in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xhtml, flags=re.DOTALL):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', body)
        pages.append((float(width), [(text, float(x0), float(x1), float(y0)) for x0, y0, x1, text in words]))
    return pages


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('name: "Bệnh viện Đa khoa Trung ương Hồng Hà"', 'name: "' + "B" * MAX_NAME_CHARS + '"'),
        ('id: "01-BV-0107"', 'id: "' + "Ab" * (MAX_ID_CHARS // 2) + '"'),
    ],
    ids=["name", "id"],
)
def test_the_longest_unbroken_name_or_id_stays_inside_the_page(registry, write, tmp_path: Path, old, new) -> None:
    outcome = assess(hanoi_with(write, "long.yaml", old, new), registry=registry)
    assert outcome.valid
    out = tmp_path / "long.pdf"
    write_report(outcome, out, fmt=ReportFormat.PDF, lang="vi", report_date=DAY)
    right_margin = 14 / 25.4 * 72  # the @page margin, 14 mm
    pages = words_by_page(out)
    for number, (width, words) in enumerate(pages, 1):
        outside = [text[:20] for text, _x0, x1, _y0 in words if x1 > width - right_margin + 1]
        assert outside == [], f"page {number}"
    # pdftotext leaves out text beyond the paper's edge: the pixels of the right margin must be white too.
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "p")], check=True)
    for image_path in sorted(tmp_path.glob("p-*.png")):
        with Image.open(image_path) as image:
            grey = image.convert("L")
            margin = grey.crop((grey.width - round(grey.width * 13 / 210), 0, grey.width, grey.height))
            assert margin.getextrema()[0] > 200, image_path.name  # 13 of the 14 mm: no ink
    header = [(text, y0) for text, _x0, _x1, y0 in pages[1][1] if y0 < 30]  # page 2's, in the top margin
    assert re.search(r"(Tóm tắt dành cho lãnh đạo|Điểm theo lĩnh vực và chỉ số)$", " ".join(t for t, _y0 in header))
    assert len({round(y0) for _text, y0 in header}) == 1  # the running header is one line, its title unsqueezed


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_score_table_rounds_as_the_report_does(registry, lang: str) -> None:
    """63.15 is stored as 63.149999...: both say 63.2, as the decimal the user reads would round."""
    import dataclasses  # noqa: PLC0415

    from dhti import i18n  # noqa: PLC0415
    from dhti.views.scores import score_table  # noqa: PLC0415

    outcome = assess(Path(__file__).parent / "data" / "responses" / "mini-complete.yaml", registry=registry)
    assert outcome.scores is not None
    scores = dataclasses.replace(outcome.scores, index=63.15, completeness=0.99996)
    shown = score_table([dataclasses.replace(outcome, scores=scores)], lang=lang)
    assert i18n.number(63.15, lang) == ("63,2" if lang == "vi" else "63.2")
    index, completeness = ("Chỉ số tổng hợp", "mức độ đầy đủ") if lang == "vi" else ("Index", "completeness")
    assert f"{index} {i18n.number(63.15, lang)}  " in shown
    assert i18n.percent(0.99996, lang) == "100%"
    assert f"{completeness} 100%\n" in shown


def _trend_summary(registry, earlier: float, lang: str) -> str:
    from test_portfolio import Record, Row  # noqa: PLC0415

    outcome = assess(HOSPITAL, registry=registry)  # index 49.1
    assert outcome.validation.response is not None
    me = outcome.validation.response.entity.id
    history = [Row(1, Record(me, earlier, (), assessment_date=dt.date(2025, 4, 1), stage=3))]
    context = context_for(outcome, lang=lang, report_date=DAY, history=history)
    assert context.trend is not None
    return context.trend.summary


@pytest.mark.parametrize(
    ("earlier", "lang", "summary"),
    [
        # 49.1 now, 60.0 before: down by 10.9
        (60.0, "vi", "Từ 01/04/2025 đến nay, chỉ số tổng hợp giảm 10,9 điểm, từ 60,0 xuống 49,1."),
        (60.0, "en", "Since 1 April 2025 the index has fallen by 10.9 points, from 60.0 to 49.1."),
        # 49.1 now, 29.5 before: up by 19.6
        (29.5, "vi", "Từ 01/04/2025 đến nay, chỉ số tổng hợp tăng 19,6 điểm, từ 29,5 lên 49,1."),
        # 49.12 rounds to the 49.1 shown now: no change, whatever the third decimal says
        (49.12, "vi", "Từ 01/04/2025 đến nay, chỉ số tổng hợp không thay đổi, vẫn là 49,1 điểm."),
    ],
)
def test_the_trend_sentence_says_which_way_the_index_moved(registry, earlier: float, lang: str, summary: str) -> None:
    assert _trend_summary(registry, earlier, lang) == summary


def test_indicator_sources_are_shown_as_documents_print_them(registry) -> None:
    outcome = assess(HOSPITAL, registry=registry)
    vi, en = (render_html(context_for(outcome, lang=lang, report_date=DAY)) for lang in ("vi", "en"))
    sources = {ref for indicator in outcome.validation.response.questionnaire.indicators() for ref in indicator.refs}
    assert "QD5316/QD-BYT" in sources
    assert "Quyết định 5316/QĐ-BYT" in vi
    assert "Decision 5316/QĐ-BYT" in en
    for html in (vi, en):  # no ASCII id reaches the reader
        assert not re.search(r"(?:QD|ND|TT)[0-9]+/", html)
        assert "GDHM-" not in html


@pytest.mark.parametrize(
    ("sample", "words"),
    [
        ("ministry-of-health.yaml", "không phải kết quả GDHM chính thức"),
        ("provincial-department-cao-bang.yaml", "tham khảo ở cấp tỉnh"),
        ("provincial-hospital-nghe-an.yaml", "của một đơn vị"),
    ],
)
def test_the_gdhm_reading_is_labelled_indicative_for_whoever_it_is(registry, sample: str, words: str) -> None:
    context = context_for(assess(examples_dir() / sample, registry=registry), lang="vi", report_date=DAY)
    assert context.gdhm_note.startswith("GDHM là bộ chỉ số đánh giá ở cấp quốc gia.")
    assert "tham khảo" in context.gdhm_note
    assert words in context.gdhm_note
    html = render_html(context)
    if context.gdhm:
        assert "Đối chiếu tham khảo với Bộ chỉ số Giám sát Y tế số toàn cầu của WHO/ITU (GDHM)" in html
        assert "Giai đoạn GDHM (tham khảo)" in html
        assert context.gdhm_note in html
    else:  # no reading for this entity type: nothing is said about one
        assert "Giai đoạn GDHM" not in html


def test_gdhm_21a_to_21c_are_the_master_patient_index_and_the_birth_and_death_registries() -> None:
    from dhti.report import gdhm  # noqa: PLC0415

    assert gdhm.name("21a", "en").endswith("master patient index")
    assert gdhm.name("21b", "en").endswith("birth registry")
    assert gdhm.name("21c", "en").endswith("death registry")
    assert "(MPI)" in gdhm.name("21a", "vi")
    assert "khai sinh" in gdhm.name("21b", "vi")
    assert "khai tử" in gdhm.name("21c", "vi")


GATED = Path(__file__).resolve().parent / "data" / "report-c2"


@pytest.mark.parametrize(
    ("lang", "capped", "gated", "rows"),
    [
        (
            "vi",
            (
                "Theo điểm số, chỉ số tổng hợp đạt giai đoạn 5; đơn vị chỉ được xếp ở giai đoạn 3 chừng nào còn vi phạm"
                " các nghĩa vụ pháp lý được đánh dấu dưới đây."
            ),
            "Điểm số đã đạt giai đoạn 5, nhưng giai đoạn này còn đòi hỏi: kế hoạch được duyệt.",
            ["HSBA điện tử Vi phạm cản trở lên giai đoạn 4 30/09/2025 quá hạn", "Sau Đã đáp ứng 31/12/2026"],
        ),
        (
            "en",
            (
                "By its score the index reaches stage 5; it is held at stage 3 while the legal obligations marked"
                " below are in breach."
            ),
            "Its score reaches stage 5, which also needs: an approved plan.",
            ["EMR In breach holds back stage 4 30 September 2025 overdue", "Later Met 31 December 2026"],
        ),
    ],
)
def test_the_report_says_what_holds_a_stage_down_and_lists_the_legal_obligations(
    tmp_path: Path, lang: str, capped: str, gated: str, rows: list[str]
) -> None:
    # capped.yaml scores 83.3 (stage 5 by score); comp.emr is in breach and caps the index at 3,
    # and the stage-5 gate of its one indicator (an approved plan) fails: see the file's comment.
    registry = Registry.discover(environ={ENV_FOLDERS: str(GATED)})
    out = tmp_path / "capped.html"
    write_report(
        assess(GATED / "capped.yaml", registry=registry), out, fmt=ReportFormat.HTML, lang=lang, report_date=DAY
    )
    html = out.read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert capped in text
    assert gated in text
    table = html[html.index('<table class="compliance">') : html.index("</table>", html.index('class="compliance"'))]
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]]
    assert cells == rows
