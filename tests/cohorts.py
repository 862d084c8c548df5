"""Cohorts whose structure is known, for the analysis tests: a set latent correlation, planted faults, counted rates.

The latent cohort's answers are percent questions scored linearly over 0..100, so that a
question's score is exactly Phi(z) for its latent z (Phi: the standard normal CDF). Every z is a
common factor plus noise, z_j = sqrt(rho) F + sqrt(1 - rho) e_j, so two items' latents correlate
rho; for normals, the scores Phi(z) then correlate r = (6 / pi) asin(rho / 2) (Pearson's
correlation of Phi-transformed normals, which is also their Spearman correlation), and all have
the variance 1/12 of a uniform. Cronbach's alpha of k such items is therefore the Spearman-Brown
value k r / (1 + (k - 1) r).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from builders import option, question, questionnaire, response
from scipy import stats

from dhti.analysis import Cohort, cohort_from
from dhti.questionnaire import Questionnaire
from dhti.response import Response
from dhti.scoring import Scores, score_response


def item_correlation(rho: float) -> float:
    """The correlation of Φ(X) and Φ(Y) for standard normals X, Y of correlation ``rho``."""
    return 6 / math.pi * math.asin(rho / 2)


def spearman_brown(k: int, r: float) -> float:
    """The reliability of k parallel items whose pairwise correlation is ``r``."""
    return k * r / (1 + (k - 1) * r)


@dataclass(frozen=True)
class Built:
    questionnaire: Questionnaire
    scored: tuple[tuple[Response, Scores], ...]

    @property
    def cohort(self) -> Cohort:
        return cohort_from(self.questionnaire, self.scored)


def _percent(qid: str) -> dict[str, object]:
    return question(qid, "percent", linear={"from": 0, "to": 100})


def latent_questionnaire(k: int, *, planted: bool) -> Questionnaire:
    """Domain ``core``: k one-question indicators; domain ``inner``: one indicator of k questions.

    ``planted`` adds to ``core`` an indicator ``core.copy`` (``core.i1`` again, with tiny noise)
    and ``core.flip`` (scored the wrong way round), and to ``inner.all`` a question ``inner.all.flip``.
    """
    core: dict[str, list[dict[str, object]]] = {f"core.i{j}": [_percent(f"core.i{j}.q")] for j in range(1, k + 1)}
    inner = [_percent(f"inner.all.q{j}") for j in range(1, k + 1)]
    if planted:
        core["core.copy"] = [_percent("core.copy.q")]
        core["core.flip"] = [_percent("core.flip.q")]
        inner.append(_percent("inner.all.flip"))
    return questionnaire({"core": core, "inner": {"inner.all": inner, "inner.other": [_percent("inner.other.q")]}})


def latent_cohort(*, rho: float, k: int, n: int, seed: int, planted: bool = False) -> Built:
    """n responses whose k items per scale share a latent correlation ``rho`` (see the module docstring)."""
    q = latent_questionnaire(k, planted=planted)
    rng = np.random.default_rng(seed)
    factor = rng.standard_normal(n)

    def latent() -> np.ndarray:
        return math.sqrt(rho) * factor + math.sqrt(1 - rho) * rng.standard_normal(n)

    columns: dict[str, np.ndarray] = {f"core.i{j}.q": latent() for j in range(1, k + 1)}
    columns |= {f"inner.all.q{j}": latent() for j in range(1, k + 1)}
    columns["inner.other.q"] = latent()
    values = {key: 100 * stats.norm.cdf(z) for key, z in columns.items()}
    if planted:
        values["core.copy.q"] = np.clip(values["core.i1.q"] + rng.normal(0, 0.5, n), 0, 100)
        values["core.flip.q"] = 100 - 100 * stats.norm.cdf(latent())
        values["inner.all.flip"] = 100 - 100 * stats.norm.cdf(latent())
    rows = [{key: float(column[i]) for key, column in values.items()} for i in range(n)]
    return _scored(q, rows)


def _scored(q: Questionnaire, rows: list[Mapping[str, object]], *, entity_types: list[str] | None = None) -> Built:
    types = entity_types or ["hospital"] * len(rows)
    responses = [response(q, answers, entity_type=kind) for answers, kind in zip(rows, types, strict=True)]
    return Built(q, tuple((r, score_response(r, lenient=True)) for r in responses))


def rates_questionnaire() -> Questionnaire:
    """Choice questions with a known best and worst option, a skip rule, na, and a question for hospitals only."""
    choice = [option("none", 0), option("some", 1), option("all", 2)]
    floored = [option("low", 1), option("mid", 2), option("high", 4)]  # the worst option still earns points
    return questionnaire(
        {
            "d": {
                "d.a": [
                    question("d.a.gate", "yes_no"),
                    question("d.a.then", options=choice, relevant="d.a.gate == 'yes'", allow_na=True),
                ],
                "d.b": [
                    question("d.b.floored", options=floored),
                    question("d.b.hospital", options=choice, entity_types=["hospital"], required=False),
                ],
            }
        }
    )


#: The rates cohort: (entity type, answers) and what each question's counts must come to.
RATES_ROWS: tuple[tuple[str, Mapping[str, object]], ...] = (
    ("hospital", {"d.a.gate": "yes", "d.a.then": "all", "d.b.floored": "low", "d.b.hospital": "all"}),
    ("hospital", {"d.a.gate": "yes", "d.a.then": "all", "d.b.floored": "low", "d.b.hospital": "all"}),
    ("hospital", {"d.a.gate": "yes", "d.a.then": "none", "d.b.floored": "low", "d.b.hospital": "some"}),
    ("hospital", {"d.a.gate": "yes", "d.a.then": "na", "d.b.floored": "high"}),
    ("hospital", {"d.a.gate": "no", "d.b.floored": "mid", "d.b.hospital": "none"}),
    ("health_centre", {"d.a.gate": "no", "d.b.floored": "low"}),
    ("health_centre", {"d.a.gate": "yes", "d.a.then": "some", "d.b.floored": "high"}),
)


def rates_cohort() -> Built:
    kinds = [kind for kind, _answers in RATES_ROWS]
    return _scored(rates_questionnaire(), [answers for _kind, answers in RATES_ROWS], entity_types=kinds)
