"""`dhti analyse` end to end on a simulated campaign in a real SQLite store: JSON, HTML, PDF, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pdftext import text as pdf_text
from test_report_browser import axe_source, axe_violations, browser, open_report  # noqa: F401 - fixtures

import dhti.jobs.analyse as job
from dhti.analysis import analyse, cohort_from, layout_of
from dhti.assess import assess_bytes
from dhti.registry import Registry
from dhti.simulate import Plan, simulate
from dhti.store import open_store

pytest_plugins = ("conftest_store",)

STATION = "dhti-station"
PROVINCES = ("Cao Bằng", "Cần Thơ")
PER_PROVINCE = 20  # 40 commune stations: more than the 30 below which figures are called unstable


def simulated(registry: Registry, ref: str, entities: int, seed: int) -> list[bytes]:
    plan = Plan((registry.get(ref),), provinces=PROVINCES, entities=entities, seed=seed)
    return [item.text.encode("utf-8") for item in simulate(plan)]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """40 stations of dhti-station and 2 facilities of dhti-facility, in a store whose name holds markup."""
    db = tmp_path_factory.mktemp("campaign") / "<i>kho & số 1>.sqlite"
    raws = simulated(registry, STATION, PER_PROVINCE, 5) + simulated(registry, "dhti-facility", 1, 5)[:2]
    with open_store(db) as store:
        for raw in raws:
            outcome = assess_bytes(raw, file="sim.yaml", registry=registry)
            assert outcome.valid, outcome.validation.problems
            store.ingest(outcome, raw)
    return db


def test_json_gives_every_figure_as_the_library_computes_it(dhti, campaign, registry, tmp_path) -> None:
    out = tmp_path / "a.json"
    done = dhti("analyse", "--questionnaire", STATION, "-o", out, "--report-date", "2026-12-02", db=campaign)
    assert done.exit_code == 0, done.output
    assert "wrote" in done.output
    assert "unstable" not in done.output
    found = json.loads(out.read_text(encoding="utf-8"))
    assert set(found) == {
        "questionnaire", "report_date", "assessments", "stable", "entity_types", "provinces", "first_date",
        "last_date", "left_out", "thresholds", "reliability", "correlations", "misfits", "questions", "distributions",
    }  # fmt: skip
    questionnaire = registry.get(found["questionnaire"])
    layout = layout_of(questionnaire)
    assert found["assessments"] == 2 * PER_PROVINCE
    assert found["entity_types"] == {"commune_health_station": 40}
    assert (found["provinces"], found["left_out"], found["stable"]) == (2, 0, True)
    assert [s["id"] for s in found["reliability"]["domains"]] == list(layout.domains)
    assert found["correlations"]["indicators"] == list(layout.indicators)
    assert len(found["correlations"]["pearson"]) == len(layout.indicators)
    assert [q["id"] for q in found["questions"]] == list(layout.questions)
    assert [d["id"] for d in found["distributions"]] == ["index", *layout.domains]
    assert sum(found["distributions"][0]["histogram"]["counts"]) == 40
    # The same figures from the simulated files scored afresh, without the store.
    raws = simulated(registry, STATION, PER_PROVINCE, 5)
    outcomes = [assess_bytes(raw, file="x.yaml", registry=registry) for raw in raws]
    direct = analyse(cohort_from(questionnaire, [(o.validation.response, o.scores) for o in outcomes]))
    # The store gives them in entity order, the simulation in its own: the sums differ in the last bit.
    assert [s["alpha"] for s in found["reliability"]["domains"]] == pytest.approx([s.alpha for s in direct.domains])
    for row, expected in zip(found["correlations"]["pearson"], direct.correlations.pearson, strict=True):
        assert row == pytest.approx(list(expected))
    assert [q["answered"] for q in found["questions"]] == [q.answered for q in direct.questions]


def test_html_report_escapes_what_it_shows_and_draws_its_charts(dhti, campaign, tmp_path) -> None:
    out = tmp_path / "a.html"
    done = dhti("analyse", "--questionnaire", STATION, "-o", out, "--report-date", "2026-12-02", lang="vi", db=campaign)
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    assert "<i>kho" not in html
    assert "&lt;i&gt;kho &amp; số 1&gt;.sqlite" in html
    assert html.count('class="chart chart-heatmap"') == 1
    assert html.count('class="chart chart-ceiling"') == 4  # one per domain
    assert html.count('class="chart chart-distribution"') == 5  # the index and four domains
    assert len(re.findall(r'<svg[^>]* role="img" aria-label="[^"]+"', html)) == 10
    assert "02/12/2026" in html
    assert "Cronbach" in html
    assert 'lang="vi"' in html


def test_pdf_says_it_in_vietnamese_with_its_dates_and_figures(dhti, campaign, tmp_path) -> None:
    out = tmp_path / "a.pdf"
    done = dhti("analyse", "--questionnaire", STATION, "-o", out, "--report-date", "2026-12-02", lang="vi", db=campaign)
    assert done.exit_code == 0, done.output
    words = " ".join(pdf_text(out).split())
    assert "Cronbach" in words
    assert "02/12/2026" in words
    assert "Trạm Y tế xã" in words
    found = json.loads(
        (tmp_path / "b.json").read_text(encoding="utf-8")
        if dhti("analyse", "--questionnaire", STATION, "-o", tmp_path / "b.json", db=campaign).exit_code == 0
        else "{}"
    )
    alpha = found["reliability"]["domains"][0]["alpha"]
    assert f"{alpha:.2f}".replace(".", ",") in words  # the first domain's alpha, with a decimal comma


def test_a_small_cohort_is_analysed_with_a_warning(dhti, campaign, tmp_path) -> None:
    out = tmp_path / "a.json"
    done = dhti("analyse", "--questionnaire", STATION, "--province", "Cao Bằng", "-o", out, db=campaign)
    assert done.exit_code == 0, done.output
    assert "warning: only 20 assessments: the figures are unstable (fewer than 30)" in done.output
    assert json.loads(out.read_text(encoding="utf-8"))["stable"] is False


def test_several_questionnaires_ask_for_one(dhti, campaign, tmp_path) -> None:
    done = dhti("analyse", "-o", tmp_path / "a.json", db=campaign)
    assert done.exit_code == 1
    assert "answer 2 questionnaires: dhti-facility@" in done.output
    assert f"{STATION}@" in done.output
    assert "--questionnaire ID[@VERSION]" in done.output
    assert "Traceback" not in done.output
    assert not (tmp_path / "a.json").exists()


def test_too_few_assessments_is_an_error(dhti, campaign, tmp_path) -> None:
    done = dhti("analyse", "--questionnaire", "dhti-facility", "-o", tmp_path / "a.json", db=campaign)
    assert done.exit_code == 1
    assert re.search(r"only 2 assessments of dhti-facility@\S+ to analyse: at least 3 are needed", done.output)


def test_no_store_and_no_match_are_errors(dhti, tmp_path, campaign) -> None:
    missing = dhti("analyse", "-o", tmp_path / "a.json", db=tmp_path / "none.sqlite")
    assert missing.exit_code == 1
    assert "does not exist yet" in missing.output
    nothing = dhti("analyse", "--province", "Gia Lai", "-o", tmp_path / "a.json", db=campaign)
    assert nothing.exit_code == 1
    assert "holds no assessment matching these filters" in nothing.output
    suffix = dhti("analyse", "-o", tmp_path / "a.txt", db=campaign)
    assert suffix.exit_code == 1
    assert "name it .html, .pdf or .json" in suffix.output


def test_an_existing_output_is_replaced_only_with_force(dhti, campaign, tmp_path) -> None:
    out = tmp_path / "a.json"
    out.write_text("keep", encoding="utf-8")
    done = dhti("analyse", "--questionnaire", STATION, "-o", out, db=campaign)
    assert done.exit_code == 1
    assert out.read_text(encoding="utf-8") == "keep"
    assert dhti("analyse", "--questionnaire", STATION, "-o", out, "--force", db=campaign).exit_code == 0


def test_worker_processes_give_the_figures_of_one_process(campaign, registry, monkeypatch) -> None:
    scope = job.Scope(questionnaire=STATION)
    with open_store(campaign, create=False) as store:
        alone = job.read_cohort(store, registry=registry, scope=scope, jobs=1)
        monkeypatch.setattr(job, "PARALLEL_FROM", 10)
        monkeypatch.setattr(job, "CHUNK", 15)  # three chunks for two workers
        shared = job.read_cohort(store, registry=registry, scope=scope, jobs=2)
    assert [a.id for a in shared.stored] == [a.id for a in alone.stored]
    assert analyse(shared.cohort) == analyse(alone.cohort)


def test_html_in_chromium_has_no_axe_violation(dhti, campaign, tmp_path, browser, axe_source) -> None:  # noqa: F811
    out = tmp_path / "a.html"
    assert dhti("analyse", "--questionnaire", STATION, "-o", out, lang="vi", db=campaign).exit_code == 0
    page, events = open_report(browser, out, 1280)
    assert events["requests"] == [out.as_uri()]
    assert not events["console"]
    assert axe_violations(page, axe_source) == []
    page.close()


@pytest.mark.parametrize("args", [["--version"], ["analyse", "--help"], ["validate", "questionnaires/examples"]])
def test_commands_that_do_not_analyse_start_without_numpy_and_scipy(args: list[str]) -> None:
    code = (
        "import sys\nfrom dhti.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted({'numpy', 'scipy'} & {m.split('.')[0] for m in sys.modules}))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_benchmark_runs_every_step_when_tiny(tmp_path) -> None:
    """benchmarks/analyse_bench.py --tiny: its figures are read, never asserted."""
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "analyse_bench.py"
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(script), "--tiny", "--json", str(figures)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(figures.read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 8  # the store, two reads, the statistics, the library's JSON, three commands
    assert all(row["wall"] > 0 for row in rows)


def test_both_back_ends_give_the_figures_of_the_files(dhti, store_url, registry, tmp_path) -> None:
    """The stored bytes come back whole from SQLite and PostgreSQL (Store.responses), so the figures match."""
    raws = simulated(registry, STATION, 3, 9)
    with open_store(store_url) as store:
        for raw in raws:
            store.ingest(assess_bytes(raw, file="sim.yaml", registry=registry), raw)
        assert sorted(store.responses([1, 2, 3, 99]).values()) == sorted(raws[:3])  # 99: no such assessment
    out = tmp_path / "a.json"
    assert dhti("analyse", "-o", out, db=store_url).exit_code == 0
    found = json.loads(out.read_text(encoding="utf-8"))
    questionnaire = registry.get(found["questionnaire"])
    outcomes = [assess_bytes(raw, file="x.yaml", registry=registry) for raw in raws]
    direct = analyse(cohort_from(questionnaire, [(o.validation.response, o.scores) for o in outcomes]))
    assert [q["at_best"] for q in found["questions"]] == [q.at_best for q in direct.questions]
    assert [d["mean"] for d in found["distributions"]] == pytest.approx([d.mean for d in direct.distributions])
