"""The cohort statistics (dhti.analysis) on cohorts whose structure is known, and against reference computations."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics

import numpy as np
import pytest
from cohorts import RATES_ROWS, item_correlation, latent_cohort, rates_cohort, spearman_brown
from scipy import stats

from dhti.analysis import State, analyse, cronbach_alpha, distribution, reliability
from dhti.i18n import translations
from dhti.report.analysis import Cover, analysis_json, build_analysis_context
from dhti.safetext import to_json

# Alpha of k items over n cases has a standard error of about (1 - alpha) * sqrt(2k / ((k - 1) n)):
# 0.006 for k = 5, alpha = 0.75, n = 3,000. The tolerance is four of them.
SB_TOLERANCE = 0.025


def hoyt_alpha(items: np.ndarray) -> float:
    """Alpha as Hoyt's two-way ANOVA gives it: 1 - MS(residual) / MS(cases), no variance of a sum used."""
    n, k = items.shape
    grand = items.mean()
    ss_cases = k * ((items.mean(axis=1) - grand) ** 2).sum()
    ss_items = n * ((items.mean(axis=0) - grand) ** 2).sum()
    ss_residual = ((items - grand) ** 2).sum() - ss_cases - ss_items
    return 1 - (ss_residual / ((n - 1) * (k - 1))) / (ss_cases / (n - 1))


FIXED = np.array(
    [
        [3, 4, 3, 5],
        [2, 2, 3, 2],
        [4, 5, 4, 4],
        [1, 2, 1, 2],
        [3, 3, 4, 3],
        [5, 4, 5, 5],
    ],
    dtype=float,
)


def test_alpha_matches_hoyts_anova_and_the_covariance_form() -> None:
    covariance = np.cov(FIXED, rowvar=False)
    k = FIXED.shape[1]
    by_covariance = k / (k - 1) * (1 - np.trace(covariance) / covariance.sum())
    assert cronbach_alpha(FIXED) == pytest.approx(hoyt_alpha(FIXED), abs=1e-12)
    assert cronbach_alpha(FIXED) == pytest.approx(by_covariance, abs=1e-12)
    # By hand: item variances 2 + 22/15 + 28/15 + 1.9 = 7.2333, the totals' variance 24.1667,
    # so alpha = 4/3 * (1 - 7.2333 / 24.1667) = 0.9343.
    assert cronbach_alpha(FIXED) == pytest.approx(0.9343, abs=5e-5)


def test_alpha_of_too_little_or_no_spread_is_none() -> None:
    assert cronbach_alpha(FIXED[:, :1]) is None
    assert cronbach_alpha(FIXED[:1]) is None
    assert cronbach_alpha(np.ones((5, 3))) is None


def test_item_rest_correlation_and_alpha_without_an_item() -> None:
    scale = reliability("domain", "d", FIXED, ["a", "b", "c", "e"])
    for j, item in enumerate(scale.items):
        rest = np.delete(FIXED, j, axis=1)
        assert item.rest_r == pytest.approx(stats.pearsonr(FIXED[:, j], rest.sum(axis=1)).statistic, abs=1e-12)
        assert item.alpha_without == pytest.approx(hoyt_alpha(rest), abs=1e-12)
    assert (scale.n_used, scale.n_total) == (6, 6)


def test_alpha_is_listwise_and_says_how_many_cases_it_used() -> None:
    gappy = FIXED.copy()
    gappy[0, 1] = gappy[3, 2] = np.nan
    scale = reliability("domain", "d", gappy, ["a", "b", "c", "e"])
    kept = FIXED[[1, 2, 4, 5]]
    assert (scale.n_used, scale.n_total) == (4, 6)
    assert scale.alpha == pytest.approx(hoyt_alpha(kept), abs=1e-12)


@pytest.mark.parametrize(("rho", "k", "seed"), [(0.3, 5, 1), (0.5, 5, 2), (0.6, 8, 3)])
def test_alpha_of_a_latent_cohort_is_the_spearman_brown_value(rho: float, k: int, seed: int) -> None:
    analysis = analyse(latent_cohort(rho=rho, k=k, n=3000, seed=seed).cohort)
    expected = spearman_brown(k, item_correlation(rho))
    core = next(s for s in analysis.domains if s.id == "core")
    inner = next(s for s in analysis.indicators if s.id == "inner.all")
    assert core.n_used == inner.n_used == 3000
    assert core.alpha == pytest.approx(expected, abs=SB_TOLERANCE)
    assert inner.alpha == pytest.approx(expected, abs=SB_TOLERANCE)
    assert not analysis.correlations.redundant
    assert not analysis.correlations.negative
    assert not analysis.misfits


def test_the_planted_redundant_pair_and_reversed_questions_are_named() -> None:
    analysis = analyse(latent_cohort(rho=0.5, k=4, n=800, seed=7, planted=True).cohort)
    corr = analysis.correlations
    assert [(p.first, p.second) for p in corr.redundant] == [("core.i1", "core.copy")]
    assert corr.redundant[0].r > 0.99
    negative = {frozenset((p.first, p.second)) for p in corr.negative}
    flipped = {frozenset(("core.flip", other)) for other in ("core.i1", "core.i2", "core.i3", "core.i4", "core.copy")}
    assert flipped <= negative
    assert all("core.flip" in pair for pair in negative)  # nothing else runs the wrong way
    misfits = {(scale.id, item.id) for scale, item in analysis.misfits}
    assert misfits == {("core", "core.flip"), ("inner.all", "inner.all.flip")}
    assert all(item.rest_r is not None and item.rest_r < -0.2 for _scale, item in analysis.misfits)


def test_pairwise_correlations_use_the_cases_each_pair_has() -> None:
    built = latent_cohort(rho=0.5, k=3, n=60, seed=4)
    cohort = built.cohort
    cohort.indicators[:10, 0] = np.nan  # core.i1 missing in 10 assessments
    cohort.indicators[5:20, 1] = np.nan  # core.i2 missing in 15, overlapping
    corr = analyse(cohort).correlations
    both = ~np.isnan(cohort.indicators[:, 0]) & ~np.isnan(cohort.indicators[:, 1])
    x, y = cohort.indicators[both, 0], cohort.indicators[both, 1]
    assert corr.n[0][1] == int(both.sum()) == 40
    assert corr.pearson[0][1] == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-12)
    assert corr.spearman[0][1] == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert corr.pearson[0][0] == pytest.approx(1.0)


def test_ceiling_floor_na_and_skip_counts_equal_the_constructed_answers() -> None:
    built = rates_cohort()
    figures = {q.id: q for q in analyse(built.cohort).questions}
    counted = {
        q: (f.of_type, f.skipped, f.na, f.unanswered, f.answered, f.at_best, f.at_worst) for q, f in figures.items()
    }
    assert counted == {
        "d.a.gate": (7, 0, 0, 0, 7, 5, 2),
        "d.a.then": (7, 2, 1, 0, 4, 2, 1),
        "d.b.floored": (7, 0, 0, 0, 7, 2, 4),  # its worst option earns 1 point of 4: a floor at 0.25
        "d.b.hospital": (5, 0, 0, 1, 4, 2, 1),  # asked of hospitals only; one left it blank
    }
    then = figures["d.a.then"]
    assert (then.skip_rate, then.na_rate, then.ceiling, then.floor) == (2 / 7, 1 / 5, 2 / 4, 1 / 4)
    assert not then.at_ceiling
    assert figures["d.a.gate"].ceiling == 5 / 7
    assert len(RATES_ROWS) == built.cohort.size


def test_a_question_more_than_80_percent_at_its_best_is_a_ceiling() -> None:
    built = rates_cohort()
    cohort = built.cohort
    gate = cohort.layout.questions.index("d.a.gate")
    cohort.answered[:, gate] = [1, 1, 1, 1, 1, 1, 0]  # 6 of 7 at yes: 86 %
    assert cohort.states[:, gate].tolist() == [State.ANSWERED] * 7
    figure = next(q for q in analyse(cohort).questions if q.id == "d.a.gate")
    assert figure.at_ceiling
    assert not figure.at_floor


def test_distribution_figures() -> None:
    values = np.array([12.5, 40.0, 55.0, 61.0, 99.0, 100.0, np.nan])
    found = distribution("index", values)
    present = [12.5, 40.0, 55.0, 61.0, 99.0, 100.0]
    q1, median, q3 = statistics.quantiles(present, n=4, method="inclusive")
    assert (found.n, found.minimum, found.maximum) == (6, 12.5, 100.0)
    assert found.mean == pytest.approx(statistics.fmean(present))
    assert found.sd == pytest.approx(statistics.stdev(present))
    assert (found.q1, found.median, found.q3) == pytest.approx((q1, median, q3))
    assert found.counts == (0, 1, 0, 0, 1, 1, 1, 0, 0, 2)  # 100 falls in the last band
    empty = distribution("d", np.array([math.nan]))
    assert empty.n == 0
    assert empty.mean is None


def test_json_of_a_cohort_with_constant_columns_is_strict_json() -> None:
    built = rates_cohort()
    cover = Cover(
        lang="en",
        translate=str,
        questionnaire=built.questionnaire,
        report_date=dt.date(2026, 12, 2),
        scope="",
        store="x.sqlite",
        entity_types=(("hospital", 5), ("health_centre", 2)),
        provinces=1,
        first=dt.date(2026, 10, 15),
        last=dt.date(2026, 10, 15),
    )

    def refuse(name: str) -> None:
        raise ValueError(name)

    found = json.loads(to_json(analysis_json(analyse(built.cohort), cover)), parse_constant=refuse)
    assert found["assessments"] == len(RATES_ROWS)
    assert found["stable"] is False


def test_an_item_no_assessment_scores_is_left_out_of_its_scale() -> None:
    asked_elsewhere = np.column_stack([FIXED, np.full(FIXED.shape[0], np.nan)])
    scale = reliability("indicator", "i", asked_elsewhere, ["a", "b", "c", "e", "other"])
    assert scale.unscored == ("other",)
    assert [item.id for item in scale.items] == ["a", "b", "c", "e"]
    assert scale.n_used == 6
    assert scale.alpha == pytest.approx(hoyt_alpha(FIXED), abs=1e-12)


def test_the_report_names_the_planted_faults_in_words() -> None:
    built = latent_cohort(rho=0.5, k=4, n=400, seed=7, planted=True)
    cover = Cover(
        lang="vi",
        translate=translations("vi").gettext,
        questionnaire=built.questionnaire,
        report_date=dt.date(2026, 12, 2),
        scope="",
        store="x.sqlite",
        entity_types=(("hospital", 400),),
        provinces=1,
        first=dt.date(2026, 10, 15),
        last=dt.date(2026, 10, 15),
    )
    context = build_analysis_context(analyse(built.cohort), cover)
    assert [(p.first, p.second) for p in context.redundant] == [("1.1 Văn bản", "1.5 Văn bản")]  # core.i1, core.copy
    assert context.negative
    assert all("1.6" in (p.first + p.second) for p in context.negative)  # core.flip, and only it
    assert all(p.r.startswith("−") for p in context.negative)  # a minus sign, and a decimal comma
    assert "," in context.negative[0].r
    assert context.findings[1].names.startswith("1.1 × 1.5 (")
    assert [key.number for key in context.key] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2"]
    assert context.unstable == ""
