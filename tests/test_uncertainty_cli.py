"""score and report --uncertainty as a user runs them: JSON keys, the table line, CSV columns, usage errors, PDFs."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhti.assess import assess
from dhti.cli import main
from dhti.i18n import texts
from dhti.report.render import ReportFormat, context_for, write_report
from dhti.report.uncertainty import rank_words
from dhti.resources import examples_dir
from dhti.uncertainty import RankInterval, Settings
from dhti.views.scores import outcome_uncertainty

DATA = Path(__file__).parent / "data"
COMPLETE = str(DATA / "responses" / "mini-complete.yaml")
PROBLEMS = str(DATA / "responses" / "mini-problems.yaml")
HOSPITAL = str(examples_dir() / "central-hospital-hanoi.yaml")
SAMPLES = sorted(examples_dir().glob("*.yaml"))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_score_json_has_the_uncertainty_of_each_file_and_null_for_an_invalid_one(dhti) -> None:
    result = dhti("score", HOSPITAL, PROBLEMS, "--uncertainty", "--draws", "200", "--format", "json")
    assert result.exit_code == 1
    hospital, invalid = json.loads(result.stdout)
    found = hospital["uncertainty"]
    assert set(found) == {"draws", "seed", "spread", "aggregation", "lenient_draws", "index", "stages"}
    assert (found["draws"], found["seed"], found["spread"], found["aggregation"]) == (200, 0, 0.25, "both")
    assert found["lenient_draws"] is False
    assert found["index"]["p5"] <= hospital["index"] + 2
    assert found["index"]["p5"] <= found["index"]["p50"] <= found["index"]["p95"]
    assert list(found["stages"]) == ["1", "2", "3", "4", "5"]
    assert sum(found["stages"].values()) == pytest.approx(1.0)
    assert invalid["uncertainty"] is None


def test_score_json_without_the_flag_has_no_uncertainty_key(dhti) -> None:
    plain = json.loads(dhti("score", HOSPITAL, "--format", "json").stdout)[0]
    assert "uncertainty" not in plain
    drawn = json.loads(dhti("score", HOSPITAL, "--format", "json", "--uncertainty", "--draws", "50").stdout)[0]
    assert {key: value for key, value in drawn.items() if key != "uncertainty"} == plain


def test_the_same_seed_gives_the_same_json_and_another_seed_differs(dhti) -> None:
    args = ("score", HOSPITAL, COMPLETE, "--format", "json", "--uncertainty", "--draws", "300")
    first, again = dhti(*args, "--seed", "7").stdout, dhti(*args, "--seed", "7").stdout
    other = dhti(*args, "--seed", "8").stdout
    assert first == again
    assert json.loads(first)[0]["uncertainty"] != json.loads(other)[0]["uncertainty"]


def test_a_files_figures_do_not_depend_on_the_files_of_other_questionnaires_beside_it(dhti) -> None:
    alone = json.loads(dhti("score", HOSPITAL, "--format", "json", "--uncertainty", "--draws", "100").stdout)
    beside = dhti("score", COMPLETE, HOSPITAL, "--format", "json", "--uncertainty", "--draws", "100")
    assert json.loads(beside.stdout)[1]["uncertainty"] == alone[0]["uncertainty"]


def test_the_options_reach_the_json(dhti) -> None:
    args = ("--uncertainty", "--draws", "64", "--seed", "3", "--spread", "0", "--aggregation", "arithmetic")
    result = dhti("score", HOSPITAL, "--format", "json", *args)
    data = json.loads(result.stdout)[0]
    assert data["uncertainty"]["index"] == {"p5": data["index"], "p50": data["index"], "p95": data["index"]}
    assert data["uncertainty"]["stages"][str(data["stage"])] == 1.0
    assert (data["uncertainty"]["seed"], data["uncertainty"]["spread"]) == (3, 0.0)


def test_lenient_draws_are_said_and_widen_the_range(dhti, write) -> None:
    text = Path(COMPLETE).read_text(encoding="utf-8").replace('  policy.strategy.budget: "yes"\n', "")
    path = str(write("partial.yaml", text))
    common = ("score", path, "--lenient", "--format", "json", "--uncertainty", "--spread", "0")
    fixed = json.loads(dhti(*common, "--aggregation", "arithmetic").stdout)[0]["uncertainty"]
    assert fixed["lenient_draws"] is True
    assert fixed["index"]["p95"] > fixed["index"]["p5"]  # the open question drawn over yes and no


def test_score_table_says_it_in_one_line(dhti) -> None:
    result = dhti("score", HOSPITAL, "--uncertainty", "--lang", "en")
    line = result.stdout.splitlines()[3]
    assert re.fullmatch(r"Index 83\.4 \(90% interval \d+\.\d–\d+\.\d\); \d+(\.\d)?% likely stage \d", line), line
    vi = dhti("score", HOSPITAL, "--uncertainty", "--lang", "vi").stdout.splitlines()[3]
    assert re.fullmatch(r"Chỉ số tổng hợp 83,4 \(khoảng 90% \d+,\d–\d+,\d\); \d+(,\d)?% khả năng ở giai đoạn \d", vi)


def test_score_table_of_several_files_has_an_interval_column(dhti) -> None:
    result = dhti("score", HOSPITAL, COMPLETE, PROBLEMS, "--uncertainty", "--lang", "en")
    lines = result.stdout.splitlines()
    assert lines[0].endswith("90% interval")
    assert re.search(r"\d+\.\d–\d+\.\d$", lines[2])
    assert lines[4].endswith("invalid")


def test_score_csv_ends_with_the_percentiles(dhti) -> None:
    result = dhti("score", HOSPITAL, PROBLEMS, "--format", "csv", "--uncertainty", "--draws", "100")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[-3:] == ["p5", "p50", "p95"]
    assert float(rows[0]["p5"]) <= float(rows[0]["p50"]) <= float(rows[0]["p95"])
    assert (rows[1]["p5"], rows[1]["p95"]) == ("", "")
    plain = list(csv.DictReader(io.StringIO(dhti("score", HOSPITAL, "--format", "csv").stdout)))
    assert "p5" not in plain[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--uncertainty", "--draws", "0"], "'--draws': 0 is not in the range x>=1"),
        (["--uncertainty", "--spread", "1"], "'--spread': 1.0 is not in the range 0<=x<1"),
        (["--uncertainty", "--spread", "-0.5"], "'--spread': -0.5 is not in the range 0<=x<1"),
        (["--uncertainty", "--aggregation", "harmonic"], "'--aggregation'"),
        (["--draws", "10"], "--draws needs --uncertainty"),
        (["--seed", "10"], "--seed needs --uncertainty"),
    ],
)
def test_usage_errors_exit_2_with_clear_text(dhti, args: list[str], message: str) -> None:
    result = dhti("score", HOSPITAL, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_report_usage_errors_exit_2(dhti, tmp_path: Path) -> None:
    result = dhti("report", HOSPITAL, "-o", tmp_path / "r.pdf", "--uncertainty", "--draws", "0")
    assert result.exit_code == 2
    assert not (tmp_path / "r.pdf").exists()


def test_the_english_report_says_it_on_page_1_and_in_the_methodology(dhti, tmp_path: Path) -> None:
    pdf = tmp_path / "hospital.pdf"
    result = dhti("report", HOSPITAL, "-o", pdf, "--uncertainty", "--seed", "5", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    pages = _pages(pdf)
    assert re.search(r"83\.4 \(range \d+\.\d–\d+\.\d\); \d+(\.\d)?% likely at stage 5", pages[0])
    annex = flat(" ".join(pages[1:]))
    assert "How sure the index is" in annex
    assert "recalculated 1,000 times" in annex
    assert "between 0.75 and 1.25" in annex
    assert "arithmetic or by the geometric mean, with even odds" in annex
    assert "The range is where 90% of the recalculated indices fall" in annex
    assert "seed 5: the same answers, seed and settings give the same figures" in annex


def test_a_report_without_the_flag_says_nothing_of_it(dhti, tmp_path: Path) -> None:
    html = tmp_path / "hospital.html"
    assert dhti("report", HOSPITAL, "-o", html, "--lang", "en").exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert "How sure the index is" not in text
    assert "likely at stage" not in text


@pytest.fixture(scope="module")
def vietnamese(tmp_path_factory, registry) -> dict[str, tuple[list[str], object]]:
    """Every sample's Vietnamese PDF with --uncertainty (as the demo writes them: seed 2026)."""
    folder = tmp_path_factory.mktemp("uncertain")
    out = {}
    for sample in SAMPLES:
        outcome = assess(sample, registry=registry)
        [figures] = outcome_uncertainty([outcome], Settings(seed=2026))
        pdf = folder / f"{sample.stem}.pdf"
        write_report(outcome, pdf, fmt=ReportFormat.PDF, lang="vi", uncertainty=figures)
        context = context_for(outcome, lang="vi", uncertainty=figures)
        out[sample.stem] = (_pages(pdf), context)
    return out


@pytest.mark.parametrize("name", [sample.stem for sample in SAMPLES])
def test_every_vietnamese_report_says_it_on_page_1_with_its_first_actions(vietnamese, name: str) -> None:
    pages, context = vietnamese[name]
    page = flat(pages[0])
    assert context.uncertainty is not None
    assert context.uncertainty.sentence in page
    assert re.fullmatch(
        r"\d+,\d \(khoảng \d+,\d–\d+,\d\); \d+(,\d)?% khả năng ở giai đoạn \d", context.uncertainty.sentence
    )
    assert context.index in context.uncertainty.sentence
    for action in context.first_actions:
        assert flat(action.text)[:60] in page
    annex = flat(" ".join(pages[1:]))
    assert "Độ tin cậy của chỉ số tổng hợp" in annex
    assert "chỉ số đã được tính lại 1.000 lần" in annex
    assert "từ 0,75 đến 1,25" in annex
    assert "giá trị khởi tạo (seed) 2026" in annex


def _pages(pdf: Path) -> list[str]:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [flat(page) for page in done.stdout.split("\f")[:-1]]


@pytest.fixture(scope="module")
def campaign_store(tmp_path_factory) -> str:
    """A store with the samples and a small simulated campaign: every kind has a few peers to rank among."""
    folder = tmp_path_factory.mktemp("campaign")
    runner = CliRunner()
    simulated = runner.invoke(main, ["simulate", "-o", str(folder / "sim"), "--entities", "3", "--rounds", "1"])
    assert simulated.exit_code == 0, simulated.output
    db = str(folder / "store.sqlite")
    for source in (examples_dir(), folder / "sim"):
        ingested = runner.invoke(main, ["db", "ingest", str(source), "--db", db])
        assert ingested.exit_code == 0, ingested.output
    return db


LEAGUE_ROW = re.compile(
    r'<tr><td class="num">(\d+)</td><td class="wrap">.*?'
    r'(?:<br><span class="small muted rank-range">rank (\d+)'
    r"(?:, range (\d+)–(\d+)| in every recalculation)</span>)?</td>"
)


def league_rows(body: str) -> list[tuple[str, str, str, str]]:
    """Each row's place and rank interval; a rank that never moves is written once, as its own interval."""
    return [(place, rank, low or rank, high or rank) for place, rank, low, high in LEAGUE_ROW.findall(body)]


def test_the_portfolio_gives_each_unit_its_rank_interval_and_names_what_moves_ranks(
    dhti, campaign_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "portfolio.html"
    args = ("aggregate", "-o", out, "--db", campaign_store, "--report-date", "2026-12-02", "--lang", "en")
    assert dhti(*args, "--uncertainty", "--draws", "256", "--seed", "2026").exit_code == 0
    html = out.read_text(encoding="utf-8")
    tables = html.split('<table class="heat league wide">')[1:]
    assert len(tables) >= 4
    named = 0
    for table in tables:
        body = table.split("</table>")[0]
        rows = league_rows(body)
        assert rows
        for position, rank, low, high in rows:
            assert rank == position  # the interval's rank is the league table's
            assert 1 <= int(low) <= int(high) <= len(rows)
        after = table.split("</table>", 1)[1].split("<h3>")[0]
        moved = any(int(low) < int(high) for _position, _rank, low, high in rows)
        if moved:  # a range wider than one place: some choice moves the ranks, and the sentence names it
            named += 1
            assert re.search(r"Of the choices varied, the one that moves the ranks most is the [a-z ]+: on its", after)
        else:  # the ranks may still move in a few of the draws
            assert "moves any rank in this group" in after or "moves the ranks most" in after
    assert named >= 2
    assert "gives its place in the table and the places it takes in 90% of the recalculations" in html
    assert "recalculated 256 times" in html
    plain = tmp_path / "plain.html"
    assert dhti("aggregate", "-o", plain, "--db", campaign_store, "--lang", "en").exit_code == 0
    text = plain.read_text(encoding="utf-8")
    assert 'class="small muted rank-range"' not in text
    assert "moves the ranks most" not in text


def test_the_vietnamese_portfolio_pdf_says_hang_khoang(dhti, campaign_store: str, tmp_path: Path) -> None:
    out = tmp_path / "portfolio.pdf"
    result = dhti("aggregate", "-o", out, "--db", campaign_store, "--uncertainty", "--draws", "128", lang="vi")
    assert result.exit_code == 0, result.stderr
    text = " ".join(_pages(out))
    assert re.search(r"hạng \d+, khoảng \d+–\d+", text)
    assert "làm xê dịch thứ hạng nhiều nhất" in text


def test_aggregate_usage_error_exits_2(dhti, campaign_store: str, tmp_path: Path) -> None:
    result = dhti("aggregate", "-o", tmp_path / "p.html", "--db", campaign_store, "--spread", "0.5")
    assert result.exit_code == 2
    assert "--spread needs --uncertainty" in result.stderr


def test_a_question_left_empty_as_the_template_writes_it_is_drawn_too(dhti, write) -> None:
    """`key: ~` is how `dhti init` leaves a question: --lenient scores it 0, and its draws take yes or no."""
    text = (
        Path(COMPLETE)
        .read_text(encoding="utf-8")
        .replace('  policy.strategy.budget: "yes"\n', "  policy.strategy.budget: ~\n")
    )
    path = str(write("empty.yaml", text))
    args = ("--uncertainty", "--spread", "0", "--aggregation", "arithmetic", "--format", "json")
    data = json.loads(dhti("score", path, "--lenient", *args).stdout)[0]
    answered = json.loads(dhti("score", COMPLETE, "--format", "json").stdout)[0]
    assert data["uncertainty"]["index"]["p5"] == data["index"]  # drawn "no": the lenient score
    assert data["uncertainty"]["index"]["p95"] == answered["index"]  # drawn "yes": as if answered yes
    assert data["uncertainty"]["stages"][str(answered["stage"])] == pytest.approx(0.5, abs=0.05)


def test_a_rank_that_never_moves_is_said_in_words_not_as_a_range_of_one_place() -> None:
    fixed, moving = RankInterval(low=1, median=1, high=1, of=4), RankInterval(low=4, median=7, high=11, of=12)
    assert rank_words(1, fixed, lang="en", translate=texts("en")) == "rank 1 in every recalculation"
    assert rank_words(1, fixed, lang="vi", translate=texts("vi")) == "hạng 1 ở mọi lần tính lại"
    assert rank_words(7, moving, lang="vi", translate=texts("vi")) == "hạng 7, khoảng 4–11"
