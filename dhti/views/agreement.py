"""What ``dhti review stats`` prints: the agreement figures as a table, JSON-ready values or CSV.

Pure functions of :class:`dhti.agreement.Figures`; titles of domains and questions come from
the questionnaires the reviews answered (``Titles``), ids stand in where one is not installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dhti import i18n
from dhti.agreement import DIRECTIONS, INDEX, Agreement, Corrected, Figures, Inflation, Level
from dhti.errors import DhtiError
from dhti.questionnaire import pick, question_numbers
from dhti.registry import Registry
from dhti.safetext import csv_text
from dhti.views.scores import table

CSV_HEADERS = (
    "level",
    "questionnaire",
    "id",
    "answers",
    "confirmed",
    "share_confirmed",
    "kappa_linear",
    "kappa_quadratic",
    "kappa_pairs",
    "mean_inflation",
    "units",
    "units_overstating",
)


@dataclass(frozen=True)
class Titles:
    """Domain titles by id, and each question's number and text by (questionnaire id, question id)."""

    domains: Mapping[str, str]
    questions: Mapping[tuple[str, str], tuple[str, str]]


def titles_of(figures: Figures, registry: Registry, *, lang: str) -> Titles:
    """The titles the table shows: of each domain and of each question most corrected, from the newest questionnaire."""
    domains: dict[str, str] = {}
    questions: dict[tuple[str, str], tuple[str, str]] = {}
    for questionnaire_id in dict.fromkeys(row.questionnaire for row in figures.questions if row.questionnaire):
        try:
            definition = registry.get(questionnaire_id)
        except DhtiError:
            continue  # not installed any more: its ids stand in for titles
        for domain in definition.domains:
            domains.setdefault(domain.id, pick(domain.title, lang))
        numbers = question_numbers(definition)
        for row in figures.corrected:
            question = definition.questions.get(row.question)
            if row.questionnaire == questionnaire_id and question is not None:
                questions[(questionnaire_id, row.question)] = (numbers[row.question], pick(question.text, lang))
    return Titles(domains, questions)


def stats_table(figures: Figures, titles: Titles, *, lang: str) -> str:
    """The figures for a person: one line on all answers, a table by domain, the questions most corrected."""
    _ = i18n.texts(lang)
    overall = figures.overall
    head = _(
        "%(units)s reviewed units, %(answers)s answers checked: %(share)s confirmed,"
        " weighted kappa %(linear)s (linear) / %(quadratic)s (quadratic)"
    ) % {
        "units": i18n.count(figures.units, lang),
        "answers": i18n.count(overall.answers, lang),
        "share": i18n.percent(overall.share_confirmed, lang),
        "linear": _kappa(overall.kappa.linear, lang),
        "quadratic": _kappa(overall.kappa.quadratic, lang),
    }
    headers = [_("domain"), _("answers"), _("confirmed"), _("kappa linear"), _("kappa quadratic")]
    headers += [_("inflation"), _("overstating")]
    rows = [_domain_cells(_("index, all answers"), overall, figures.inflation_of(INDEX), lang)]
    rows += [
        _domain_cells(titles.domains.get(row.id, row.id), row, figures.inflation_of(row.id), lang)
        for row in figures.domains
    ]
    parts = [head, "", table(headers, rows, right=(1, 2, 3, 4, 5, 6))]
    if figures.corrected:
        parts += ["", _("Questions most often corrected (whose wording or evidence rule to improve):")]
        parts.append(
            table(_corrected_headers(lang), [_corrected_cells(row, titles, lang) for row in figures.corrected])
        )
        if figures.corrected_left_out:
            more = _("%(count)s other questions were corrected less often.")
            parts.append(more % {"count": i18n.count(figures.corrected_left_out, lang)})
    return "\n".join(parts)


def _kappa(value: float | None, lang: str) -> str:
    return i18n.number(value, lang, digits=2)


def _domain_cells(title: str, row: Agreement, inflation: Inflation | None, lang: str) -> list[str]:
    return [
        title,
        i18n.count(row.answers, lang),
        i18n.percent(row.share_confirmed, lang),
        _kappa(row.kappa.linear, lang),
        _kappa(row.kappa.quadratic, lang),
        _signed(inflation.mean, lang) if inflation else "–",
        f"{i18n.count(inflation.overstated, lang)}/{i18n.count(inflation.units, lang)}" if inflation else "–",
    ]


def _signed(value: float, lang: str) -> str:
    text = i18n.number(value, lang)
    return text if text.startswith("-") or not text.strip("0,.") else "+" + text


def _corrected_headers(lang: str) -> list[str]:
    _ = i18n.texts(lang)
    return [_("question"), _("corrected"), _("direction"), _("question text")]


def _corrected_cells(row: Corrected, titles: Titles, lang: str) -> list[str]:
    _ = i18n.texts(lang)
    number, text = titles.questions.get((row.questionnaire, row.question), ("", ""))
    ident = f"{number} {row.question}".strip()
    shown = f"{i18n.count(row.corrected, lang)}/{i18n.count(row.reviewed, lang)}"
    return [ident, shown, _(DIRECTIONS[row.direction]), _shortened(text)]


def _shortened(text: str, most: int = 70) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def stats_json(figures: Figures) -> dict[str, object]:
    """Every figure, at full precision, as ``review stats --format json`` prints it."""
    return {
        "units": figures.units,
        "overall": _agreement_json(figures.overall),
        "domains": [_agreement_json(row) for row in figures.domains],
        "indicators": [_agreement_json(row) for row in figures.indicators],
        "questions": [_agreement_json(row) for row in figures.questions],
        "inflation": [
            {
                "id": row.id,
                "units": row.units,
                "mean": row.mean,
                "overstated": row.overstated,
                "understated": row.understated,
            }
            for row in figures.inflation
        ],
        "most_corrected": [
            {
                "questionnaire": row.questionnaire,
                "question": row.question,
                "indicator": row.indicator,
                "domain": row.domain,
                "reviewed": row.reviewed,
                "corrected": row.corrected,
                "overstated": row.overstated,
                "understated": row.understated,
                "direction": str(row.direction),
            }
            for row in figures.corrected
        ],
        "most_corrected_left_out": figures.corrected_left_out,
    }


def _agreement_json(row: Agreement) -> dict[str, object]:
    return {
        "level": str(row.level),
        "questionnaire": row.questionnaire,
        "id": row.id,
        "answers": row.answers,
        "confirmed": row.confirmed,
        "share_confirmed": row.share_confirmed,
        "kappa": {"pairs": row.kappa.pairs, "linear": row.kappa.linear, "quadratic": row.kappa.quadratic},
    }


def stats_csv(figures: Figures) -> str:
    """One row for all answers (with the index's inflation), then each domain (with its own), indicator and question."""
    rows: list[list[object]] = []
    for row in (figures.overall, *figures.domains, *figures.indicators, *figures.questions):
        inflation = None
        if row.level in (Level.ALL, Level.DOMAIN):
            inflation = figures.inflation_of(INDEX if row.level is Level.ALL else row.id)
        rows.append(
            [
                str(row.level),
                row.questionnaire or "",
                row.id,
                row.answers,
                row.confirmed,
                _cell(row.share_confirmed),
                _cell(row.kappa.linear),
                _cell(row.kappa.quadratic),
                row.kappa.pairs,
                *_inflation_cells(inflation),
            ]
        )
    return csv_text(CSV_HEADERS, rows)


def _inflation_cells(row: Inflation | None) -> list[object]:
    if row is None:
        return ["", "", ""]
    return [_cell(row.mean), row.units, row.overstated]


def _cell(value: float | None) -> object:
    return "" if value is None else round(value, 6)
