"""The questionnaire owner's report of a cohort (``dhti analyse``): its typed context, its HTML and its JSON.

Every figure comes from :class:`dhti.analysis.Analysis`; here it is put in words in one
language, numbers and dates through :mod:`dhti.i18n`, and drawn by :mod:`dhti.report.charts`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from dhti import __version__, i18n
from dhti.analysis import (
    ACCEPTABLE_ALPHA,
    BAND,
    CEILING_SHARE,
    MIN_N,
    REDUNDANT_R,
    STABLE_N,
    Analysis,
    Distribution,
    ItemFit,
    Pair,
    QuestionFigures,
    Reliability,
)
from dhti.i18n import N_
from dhti.questionnaire import Questionnaire, pick, question_numbers
from dhti.report import charts
from dhti.report.portfolio import type_label

Translate = Callable[[str], str]
QUESTION_TEXT = 90  # characters of a question's text in a table before "…"
LISTED = 6  # names in a summary line before "and N more"


@dataclass(frozen=True)
class Cover:
    """What the job knows about the cohort besides its figures: where it came from, whom it covers."""

    lang: str
    translate: Translate
    questionnaire: Questionnaire
    report_date: dt.date
    scope: str  # the filters in words ("" for the whole store)
    store: str
    entity_types: tuple[tuple[str, int], ...]  # type, assessments
    provinces: int
    first: dt.date
    last: dt.date
    unreadable: int = 0  # stored responses that could not be scored again (left out)


@dataclass(frozen=True)
class Finding:
    """One line of the summary, and what it names (empty when there is nothing to name)."""

    text: str
    names: str


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class ScaleRow:
    number: str
    title: str
    items: str
    n_used: str
    alpha: str
    reading: str
    tone: str  # "ok", "low" or "none", for the colour of the reading


@dataclass(frozen=True)
class ItemRow:
    number: str
    title: str
    rest_r: str
    alpha_without: str
    flagged: bool


@dataclass(frozen=True)
class DomainBlock:
    number: str
    title: str
    scale: ScaleRow
    items: tuple[ItemRow, ...]
    indicators: tuple[ScaleRow, ...]


@dataclass(frozen=True)
class PairRow:
    first: str
    second: str
    r: str
    n: str


@dataclass(frozen=True)
class QuestionRow:
    number: str
    text: str
    answered: str
    best: str
    worst: str
    na: str
    skipped: str
    flags: str
    flagged: bool


@dataclass(frozen=True)
class QuestionBlock:
    title: str
    svg: str
    rows: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class SpreadRow:
    title: str
    n: str
    mean: str
    sd: str
    minimum: str
    q1: str
    median: str
    q3: str
    maximum: str
    svg: str


@dataclass(frozen=True)
class Key:
    number: str
    title: str


@dataclass(frozen=True)
class AnalysisContext:
    lang: str
    title: str
    subject: str  # the questionnaire's title
    dhti_version: str
    cover: tuple[Line, ...]
    unstable: str  # a warning when the cohort is small, else ""
    findings: tuple[Finding, ...]
    domains: tuple[DomainBlock, ...]
    heatmap_svg: str
    redundant_limit: str
    acceptable_alpha: str
    ceiling_share: str
    key: tuple[Key, ...]
    redundant: tuple[PairRow, ...]
    negative: tuple[PairRow, ...]
    misfits: tuple[str, ...]
    questions: tuple[QuestionBlock, ...]
    spreads: tuple[SpreadRow, ...]
    how_to_read: tuple[str, ...]


def build_analysis_context(analysis: Analysis, cover: Cover) -> AnalysisContext:
    """Word and draw ``analysis`` in ``cover.lang``."""
    words = _Words(analysis, cover)
    _ = cover.translate
    return AnalysisContext(
        lang=cover.lang,
        title=_(N_("What the assessments say about the questionnaire")),
        subject=pick(cover.questionnaire.title, cover.lang),
        dhti_version=__version__,
        cover=words.cover(),
        unstable=words.unstable(),
        findings=words.findings(),
        domains=words.domain_blocks(),
        heatmap_svg=words.heatmap(),
        redundant_limit=words.r(REDUNDANT_R),
        acceptable_alpha=words.r(ACCEPTABLE_ALPHA),
        ceiling_share=words.share(CEILING_SHARE),
        key=tuple(Key(words.numbers[i], words.titles[i]) for i in analysis.correlations.ids),
        redundant=tuple(words.pair(p) for p in analysis.correlations.redundant),
        negative=tuple(words.pair(p) for p in analysis.correlations.negative),
        misfits=tuple(words.misfit(scale, item) for scale, item in analysis.misfits),
        questions=words.question_blocks(),
        spreads=tuple(words.spread(d) for d in analysis.distributions),
        how_to_read=words.how_to_read(),
    )


class _Words:
    """The wording of one analysis: numbers, titles and sentences in one language."""

    def __init__(self, analysis: Analysis, cover: Cover) -> None:
        self.a = analysis
        self.c = cover
        self.lang = cover.lang
        self._ = cover.translate
        q = cover.questionnaire
        self.numbers: dict[str, str] = dict(question_numbers(q))
        self.titles: dict[str, str] = {}
        for d, domain in enumerate(q.domains, start=1):
            self.numbers[domain.id], self.titles[domain.id] = str(d), pick(domain.title, self.lang)
            for i, indicator in enumerate(domain.indicators, start=1):
                self.numbers[indicator.id], self.titles[indicator.id] = f"{d}.{i}", pick(indicator.title, self.lang)
        for question in q.questions.values():
            self.titles[question.id] = pick(question.text, self.lang)

    # Small words

    def r(self, value: float | None) -> str:
        """A correlation or an alpha with two decimals, a minus sign (not a hyphen) when negative."""
        shown = i18n.number(value, self.lang, digits=2)
        return "−" + shown[1:] if shown.startswith("-") else shown

    def count(self, value: int) -> str:
        return i18n.count(value, self.lang)

    def share(self, value: float | None) -> str:
        return i18n.percent(value, self.lang)

    def named(self, ident: str) -> str:
        return f"{self.numbers.get(ident, ident)} {self.titles.get(ident, ident)}"

    # The cover and the findings

    def cover(self) -> tuple[Line, ...]:
        _, c = self._, self.c
        types = "; ".join(f"{type_label(t, _)}: {self.count(n)}" for t, n in c.entity_types)
        lines = [
            Line(_(N_("Questionnaire")), f"{pick(c.questionnaire.title, self.lang)} ({c.questionnaire.ref})"),
            Line(
                _(N_("Assessments analysed")),
                _(N_("%(count)s, the latest of each unit")) % {"count": self.count(self.a.n)},
            ),
            Line(_(N_("Kinds of unit")), types),
            Line(_(N_("Provinces")), self.count(c.provinces)),
            Line(_(N_("Assessed")), f"{i18n.date(c.first, self.lang)} – {i18n.date(c.last, self.lang)}"),
            Line(_(N_("Store")), c.store),
            Line(_(N_("Report date")), i18n.date(c.report_date, self.lang)),
        ]
        if c.scope:
            lines.insert(1, Line(_(N_("Scope")), c.scope))
        if c.unreadable:
            lines.append(
                Line(
                    _(N_("Left out")),
                    _(N_("%(count)s stored responses that could not be scored again"))
                    % {"count": self.count(c.unreadable)},
                )
            )
        return tuple(lines)

    def unstable(self) -> str:
        if self.a.stable:
            return ""
        text = _unstable_text(self._)
        return text % {"count": self.count(self.a.n), "enough": self.count(STABLE_N)}

    def findings(self) -> tuple[Finding, ...]:
        _, a = self._, self.a
        low = [s for s in a.domains if s.alpha is not None and s.alpha < ACCEPTABLE_ALPHA]
        ceilings = [q for q in a.questions if q.at_ceiling]
        floors = [q for q in a.questions if q.at_floor]
        alpha_text = _(N_("%(low)s of %(domains)s domains have an alpha below %(limit)s."))
        redundant_text = _(N_("%(count)s pairs of indicators correlate above %(limit)s: possibly redundant."))
        reversed_text = _(
            N_(
                "%(count)s pairs of indicators correlate negatively, and %(items)s items run against the rest"
                " of their scale: possibly reversed or mis-scored."
            )
        )
        ceiling_text = _(
            N_("%(ceiling)s questions have more than %(share)s of answers at the best option, %(floor)s at the worst.")
        )
        corr = a.correlations
        return (
            Finding(
                alpha_text
                % {
                    "low": self.count(len(low)),
                    "domains": self.count(len(a.domains)),
                    "limit": self.r(ACCEPTABLE_ALPHA),
                },
                self.listed(f"{self.named(s.id)} ({self.r(s.alpha)})" for s in low),
            ),
            Finding(
                redundant_text % {"count": self.count(len(corr.redundant)), "limit": self.r(REDUNDANT_R)},
                self.listed(self.pair_words(p) for p in corr.redundant),
            ),
            Finding(
                reversed_text % {"count": self.count(len(corr.negative)), "items": self.count(len(a.misfits))},
                self.listed(
                    [self.pair_words(p) for p in corr.negative] + [self.named(item.id) for _s, item in a.misfits]
                ),
            ),
            Finding(
                ceiling_text
                % {
                    "ceiling": self.count(len(ceilings)),
                    "floor": self.count(len(floors)),
                    "share": self.share(CEILING_SHARE),
                },
                self.listed(self.numbers.get(q.id, q.id) for q in (*ceilings, *floors)),
            ),
        )

    def pair_words(self, pair: Pair) -> str:
        first, second = self.numbers.get(pair.first, pair.first), self.numbers.get(pair.second, pair.second)
        return f"{first} × {second} ({self.r(pair.r)})"

    def listed(self, names: Iterable[str]) -> str:
        """The first few names, then how many more."""
        found = list(dict.fromkeys(names))
        shown = "; ".join(found[:LISTED])
        if len(found) > LISTED:
            more = self._(N_("and %(count)s more")) % {"count": self.count(len(found) - LISTED)}
            shown = f"{shown}; {more}"
        return shown

    # Internal consistency

    def scale(self, scale: Reliability) -> ScaleRow:
        _ = self._
        if scale.alpha is None:
            text = _(
                N_(
                    "not computed: fewer than %(least)s assessments score every item, or they do not vary;"
                    " where its items are asked of different kinds of unit, analyse each kind with --type"
                )
            )
            reading, tone = text % {"least": self.count(MIN_N)}, "none"
        elif scale.alpha >= ACCEPTABLE_ALPHA:
            reading, tone = _(N_("acceptable")), "ok"
        else:
            reading, tone = _(N_("low")), "low"
        return ScaleRow(
            number=self.numbers.get(scale.id, scale.id),
            title=self.titles.get(scale.id, scale.id),
            items=self.count(len(scale.items)),
            n_used=f"{self.count(scale.n_used)}/{self.count(scale.n_total)}",
            alpha=self.r(scale.alpha),
            reading=reading,
            tone=tone,
        )

    def item(self, item: ItemFit) -> ItemRow:
        return ItemRow(
            number=self.numbers.get(item.id, item.id),
            title=self.titles.get(item.id, item.id),
            rest_r=self.r(item.rest_r),
            alpha_without=self.r(item.alpha_without),
            flagged=item.rest_r is not None and item.rest_r < 0,
        )

    def domain_blocks(self) -> tuple[DomainBlock, ...]:
        by_domain = {ident: d for d, ident in enumerate(s.id for s in self.a.domains)}
        indicator_domain = {i.id: domain.id for domain in self.c.questionnaire.domains for i in domain.indicators}
        blocks = []
        for scale in self.a.domains:
            inner = [s for s in self.a.indicators if indicator_domain.get(s.id) == scale.id]
            blocks.append(
                DomainBlock(
                    number=str(by_domain[scale.id] + 1),
                    title=self.titles.get(scale.id, scale.id),
                    scale=self.scale(scale),
                    items=tuple(self.item(item) for item in scale.items),
                    indicators=tuple(self.scale(s) for s in inner),
                )
            )
        return tuple(blocks)

    # Correlations

    def heatmap(self) -> str:
        corr, _ = self.a.correlations, self._
        labels = [self.numbers.get(i, i) for i in corr.ids]
        described = _(N_("%(first)s and %(second)s: r = %(r)s (%(n)s assessments)"))
        cells = [
            [
                charts.MatrixCell(
                    r=corr.pearson[a][b],
                    shown=self.r(corr.pearson[a][b]) if corr.pearson[a][b] is not None else "",
                    described=described
                    % {
                        "first": self.named(corr.ids[a]),
                        "second": self.named(corr.ids[b]),
                        "r": self.r(corr.pearson[a][b]),
                        "n": self.count(corr.n[a][b]),
                    },
                )
                for b in range(len(corr.ids))
            ]
            for a in range(len(corr.ids))
        ]
        return charts.heatmap(labels, cells, title=_(N_("Correlations between indicators (Pearson)")))

    def pair(self, pair: Pair) -> PairRow:
        return PairRow(self.named(pair.first), self.named(pair.second), self.r(pair.r), self.count(pair.n))

    def misfit(self, scale: Reliability, item: ItemFit) -> str:
        text = self._(N_("%(item)s runs against the rest of %(scale)s (item–rest r = %(r)s)."))
        return text % {"item": self.named(item.id), "scale": self.named(scale.id), "r": self.r(item.rest_r)}

    # Questions

    def question_row(self, q: QuestionFigures) -> QuestionRow:
        _ = self._
        flags = [_(N_("ceiling")) if q.at_ceiling else "", _(N_("floor")) if q.at_floor else ""]
        text = self.titles.get(q.id, q.id)
        return QuestionRow(
            number=self.numbers.get(q.id, q.id),
            text=text if len(text) <= QUESTION_TEXT else text[: QUESTION_TEXT - 1].rstrip() + "…",
            answered=self.count(q.answered),
            best=self.share(q.ceiling),
            worst=self.share(q.floor),
            na=self.share(q.na_rate),
            skipped=self.share(q.skip_rate),
            flags=", ".join(flag for flag in flags if flag),
            flagged=q.at_ceiling or q.at_floor,
        )

    def question_blocks(self) -> tuple[QuestionBlock, ...]:
        _ = self._
        owner = {i.id: domain.id for domain in self.c.questionnaire.domains for i in domain.indicators}
        blocks = []
        for domain in self.c.questionnaire.domains:
            figures = [q for q in self.a.questions if owner.get(q.indicator) == domain.id]
            if not figures:
                continue
            title = self.named(domain.id)
            shares = [
                charts.Shares(
                    label=self.numbers.get(q.id, q.id),
                    floor=q.floor or 0.0,
                    ceiling=q.ceiling or 0.0,
                    shown=f"{self.share(q.floor)} · {self.share(q.ceiling)}",
                    flagged=q.at_ceiling or q.at_floor,
                )
                for q in figures
            ]
            chart_title = _(N_("Share of answers at the worst option (red) and the best (blue): %(domain)s"))
            svg = charts.ceiling_floor(shares, title=chart_title % {"domain": title}, mark=CEILING_SHARE)
            blocks.append(QuestionBlock(title, svg, tuple(self.question_row(q) for q in figures)))
        return tuple(blocks)

    # Distributions

    def spread(self, d: Distribution) -> SpreadRow:
        _ = self._
        title = _(N_("Index")) if d.id == "index" else self.named(d.id)
        number = self.number
        labels = [f"{low}–{low + BAND}" for low in range(0, 100, BAND)]
        stage = self.c.questionnaire.stage_for
        colours = [charts.stage_colour(stage(low + BAND / 2).level) for low in range(0, 100, BAND)]
        chart_title = _(N_("How many units score in each band of %(band)s points: %(what)s")) % {
            "band": self.count(BAND),
            "what": title,
        }
        return SpreadRow(
            title=title,
            n=self.count(d.n),
            mean=number(d.mean),
            sd=number(d.sd),
            minimum=number(d.minimum),
            q1=number(d.q1),
            median=number(d.median),
            q3=number(d.q3),
            maximum=number(d.maximum),
            svg=charts.distribution(d.counts, title=chart_title, labels=labels, colours=colours),
        )

    def number(self, value: float | None) -> str:
        return i18n.number(value, self.lang)

    def how_to_read(self) -> tuple[str, ...]:
        _ = self._
        figures = {
            "alpha": self.r(ACCEPTABLE_ALPHA),
            "r": self.r(REDUNDANT_R),
            "share": self.share(CEILING_SHARE),
        }
        return tuple(_(text) % figures for text in _HOW_TO_READ)


_HOW_TO_READ = (
    N_(
        "Each unit counts once, with its latest assessment of this questionnaire. Its stored response is"
        " scored again by this dhti, so every figure rests on the answers themselves."
    ),
    N_(
        "Cronbach's alpha says how far the items of a scale (the indicators of a domain, or the questions"
        " of an indicator) rise and fall together across units: 0 when they are unrelated, 1 when they"
        " move as one. %(alpha)s or more is the usual reading of acceptable. A low alpha means the scale"
        " mixes things that do not go together: read its items again, and look at those with a low or"
        " negative item–rest correlation. An alpha near 1 with many items may mean some ask the same"
        " thing twice."
    ),
    N_(
        "A scale's alpha uses only the assessments in which every one of its items has a score (listwise);"
        " the table says how many of those who have any. A question skipped with when_skipped: zero, or"
        " left blank under --lenient, counts as 0, as in the score. Variances divide by n − 1."
    ),
    N_(
        "The item–rest correlation sets each item against the sum of the others of its scale. A negative"
        " one, or a negative correlation between two indicators, often means a question whose options"
        " are scored the wrong way round, or asked so that a good answer sounds bad: check its points."
    ),
    N_(
        "Correlations between indicators are Pearson's, each pair on the units that have both (pairwise);"
        " the JSON output gives Spearman's too. Two indicators above %(r)s tell almost the same thing:"
        " consider merging them, or giving one a smaller weight, so that the index does not count it twice."
    ),
    N_(
        "A ceiling is a question most units answer at its best option; a floor, at its worst (more than"
        " %(share)s of the answers). Such a question no longer tells units apart: raise its bar, add a"
        " higher option, or retire it. Not applicable is the share of the units asked that answered na;"
        " skipped is the share of the units of the kinds it is asked of that skip logic did not ask."
    ),
)


def _unstable_text(_: Translate) -> str:
    return _(
        N_(
            "Only %(count)s assessments: every figure is computed, but on fewer than %(enough)s units they are"
            " unstable, and another round could change them a good deal."
        )
    )


def render_analysis_html(context: AnalysisContext, *, pdf: bool = False) -> str:
    """The analysis as one self-contained HTML document."""
    from dhti.report.render import environment  # noqa: PLC0415

    template = environment(context.lang, pdf=pdf).get_template("analysis.html.j2")
    return template.render(a=context, pdf=pdf)


# JSON


def analysis_json(analysis: Analysis, cover: Cover) -> dict[str, object]:
    """Every figure, at full precision (``null`` where there is none); the keys are documented in docs/store.md."""
    corr = analysis.correlations
    figures: dict[str, object] = {
        "questionnaire": cover.questionnaire.ref,
        "report_date": cover.report_date.isoformat(),
        "assessments": analysis.n,
        "stable": analysis.stable,
        "entity_types": dict(cover.entity_types),
        "provinces": cover.provinces,
        "first_date": cover.first.isoformat(),
        "last_date": cover.last.isoformat(),
        "left_out": cover.unreadable,
        "thresholds": {
            "acceptable_alpha": ACCEPTABLE_ALPHA,
            "redundant_r": REDUNDANT_R,
            "ceiling_share": CEILING_SHARE,
            "stable_n": STABLE_N,
        },
        "reliability": {
            "domains": [_scale_json(s) for s in analysis.domains],
            "indicators": [_scale_json(s) for s in analysis.indicators],
        },
        "correlations": {
            "indicators": list(corr.ids),
            "pearson": [list(row) for row in corr.pearson],
            "spearman": [list(row) for row in corr.spearman],
            "n": [list(row) for row in corr.n],
            "redundant": [_pair_json(p) for p in corr.redundant],
            "negative": [_pair_json(p) for p in corr.negative],
        },
        "misfits": [{"scale": scale.id, "item": item.id, "rest_r": item.rest_r} for scale, item in analysis.misfits],
        "questions": [_question_json(q) for q in analysis.questions],
        "distributions": [_distribution_json(d) for d in analysis.distributions],
    }
    return cast("dict[str, object]", _finite(figures))


def _finite(value: object) -> object:
    """``value`` with every NaN or infinity made ``null``: JSON has no NaN, and a reader would choke on one."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _scale_json(scale: Reliability) -> dict[str, object]:
    return {
        "id": scale.id,
        "alpha": scale.alpha,
        "acceptable": scale.acceptable,
        "n_used": scale.n_used,
        "n_total": scale.n_total,
        "unscored_items": list(scale.unscored),
        "items": [
            {"id": i.id, "item_rest_r": i.rest_r, "alpha_if_dropped": i.alpha_without, "sd": i.sd} for i in scale.items
        ],
    }


def _pair_json(pair: Pair) -> dict[str, object]:
    return {"first": pair.first, "second": pair.second, "r": pair.r, "n": pair.n}


def _question_json(q: QuestionFigures) -> dict[str, object]:
    return {
        "id": q.id,
        "indicator": q.indicator,
        "asked_of_type": q.of_type,
        "skipped": q.skipped,
        "na": q.na,
        "unanswered": q.unanswered,
        "answered": q.answered,
        "at_best": q.at_best,
        "at_worst": q.at_worst,
        "ceiling": q.ceiling,
        "floor": q.floor,
        "skip_rate": q.skip_rate,
        "na_rate": q.na_rate,
        "mean_score": q.mean,
        "at_ceiling": q.at_ceiling,
        "at_floor": q.at_floor,
    }


def _distribution_json(d: Distribution) -> dict[str, object]:
    edges = [[low, low + BAND] for low in range(0, 100, BAND)]
    return {
        "id": d.id,
        "n": d.n,
        "mean": d.mean,
        "sd": d.sd,
        "min": d.minimum,
        "q1": d.q1,
        "median": d.median,
        "q3": d.q3,
        "max": d.maximum,
        "histogram": {"bands": edges, "counts": list(d.counts)},
    }
