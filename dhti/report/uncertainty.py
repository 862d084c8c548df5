"""How sure an index and a rank are, in words for the reports: the page-1 sentence, the annex section, the portfolio's.

Pure: it words what :mod:`dhti.uncertainty` computed (passed in, never computed here, so that
numpy is loaded only by the run that asked for ``--uncertainty``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dhti import i18n
from dhti.i18n import N_

if TYPE_CHECKING:
    from dhti.uncertainty import Effect, RankInterval, Settings, UnitUncertainty

Translate = Callable[[str], str]

AGGREGATION_WORDS = {
    "both": N_("the domains were aggregated by the arithmetic or by the geometric mean, with even odds"),
    "arithmetic": N_("the domains were aggregated by the arithmetic mean, as always"),
    "geometric": N_("the domains were aggregated by the geometric mean, as always"),
}
GROUP_NAMES = {
    "question_weights": N_("the weights of the questions"),
    "indicator_weights": N_("the weights of the indicators"),
    "domain_weights": N_("the weights of the domains"),
    "aggregation": N_("the choice between the arithmetic and the geometric mean"),
    "unanswered": N_("the scores given to unanswered questions"),
}


@dataclass(frozen=True)
class UncertaintyView:
    """The entity report's words: one sentence for page 1, and the annex section's paragraphs."""

    sentence: str  # "84.8 (range 81.2-87.9); 92% likely at stage 5"
    method: tuple[str, ...]


def entity_view(
    settings: Settings, unit: UnitUncertainty, *, index: float, lang: str, translate: Translate
) -> UncertaintyView:
    level, chance = unit.likely
    facts = {"index": i18n.number(index, lang), "low": i18n.number(unit.p5, lang), "high": i18n.number(unit.p95, lang)}
    facts |= {"chance": i18n.percent(chance, lang), "stage": str(level)}
    sentence = translate(N_("%(index)s (range %(low)s–%(high)s); %(chance)s likely at stage %(stage)s")) % facts
    return UncertaintyView(sentence, method_paragraphs(settings, lang=lang, translate=translate))


def method_paragraphs(settings: Settings, *, lang: str, translate: Translate) -> tuple[str, ...]:
    """What was varied, how often, what the range and the probability mean, and that the seed reproduces them."""
    varied = translate(
        N_(
            "The index rests on choices that experts could make differently. To show how much it depends on "
            "them, it was recalculated %(draws)s times: each time every question, indicator and domain weight "
            "was multiplied by a factor drawn at random between %(low)s and %(high)s, and %(aggregation)s."
        )
    ) % {
        "draws": i18n.count(settings.draws, lang),
        "low": i18n.decimal(1 - settings.spread, lang),
        "high": i18n.decimal(1 + settings.spread, lang),
        "aggregation": translate(AGGREGATION_WORDS[str(settings.aggregation)]),
    }
    if settings.lenient:
        varied += " " + translate(
            N_(
                "Each unanswered required question was scored as if answered at random: every option, band or "
                "combination of options equally likely, a number on a linear scale anywhere in its range."
            )
        )
    meaning = translate(
        N_(
            "The range is where 90% of the recalculated indices fall: 5% of them are lower and 5% higher. The "
            "probability of a stage is the share of recalculations that reach it, after any cap from a legal "
            "obligation in breach. A narrow range means the index hardly depends on these choices; the index "
            "reported stays the one calculated with the questionnaire's own weights."
        )
    )
    seed = translate(
        N_("The draws come from the seed %(seed)s: the same answers, seed and settings give the same figures.")
    ) % {"seed": settings.seed}
    return (varied, meaning, seed)


def rank_words(rank: int, interval: RankInterval, *, lang: str, translate: Translate) -> str:
    """``rank 7, range 4-11`` (``hạng 7, khoảng 4-11``, with an en dash)."""
    facts = {"rank": i18n.count(rank, lang), "low": i18n.count(interval.low, lang)}
    facts["high"] = i18n.count(interval.high, lang)
    if interval.low == interval.high == rank:
        return translate(N_("rank %(rank)s in every recalculation")) % facts
    return translate(N_("rank %(rank)s, range %(low)s–%(high)s")) % facts


def sensitivity_sentence(effect: Effect | None, *, lang: str, translate: Translate) -> str:
    """Which choice moves a section's ranks most, and how much of their variance it explains on its own."""
    if effect is None:
        return translate(N_("No choice varied in the recalculations moves any rank in this group."))
    facts = {"choice": translate(GROUP_NAMES[str(effect.group)]), "share": i18n.percent(max(effect.rank, 0.0), lang)}
    return (
        translate(
            N_(
                "Of the choices varied, the one that moves the ranks most is %(choice)s: on its own it explains "
                "%(share)s of their variance (a first-order sensitivity index)."
            )
        )
        % facts
    )


def portfolio_paragraphs(settings: Settings, *, lang: str, translate: Translate) -> tuple[str, ...]:
    """The portfolio's reading of the rank intervals: what was varied, what a range means, the seed."""
    varied, _meaning, seed = method_paragraphs(settings, lang=lang, translate=translate)
    ranks = translate(
        N_(
            'Under each unit of a league table, "rank 7, range 4–11" gives its place in the table and the'
            " places it takes in 90% of the recalculations among the units of its kind. Where ranges overlap,"
            " the order of those units depends on choices of method, not only on their answers. Under each"
            " table, a sentence names the choice that moves its ranks most, by its first-order sensitivity"
            " index: the share of the variance of the ranks that this choice explains on its own."
        )
    )
    return (varied, ranks, seed)
