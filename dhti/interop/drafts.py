"""Responses rebuilt from another format: written as dhti YAML and checked like any response file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dhti.errors import InputError, OutputError
from dhti.messages import L_, Message
from dhti.questionnaire import Questionnaire
from dhti.registry import Registry
from dhti.response import ASSESSMENT_FIELDS, ENTITY_FIELDS, Validation, validate_document
from dhti.safetext import without_accents
from dhti.yamlio import TemplateEntry, dump_template, load_text

DraftValue = str | int | float | tuple[str, ...]
"""An answer as read from elsewhere: text, a number, chosen options, or ``"na"``."""


@dataclass(frozen=True)
class DraftAnswer:
    """One answer before validation; ``value`` is ``None`` when only evidence or a comment was given."""

    value: DraftValue | None
    evidence: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Draft:
    """A response read from a submission or a FHIR resource, not yet validated."""

    questionnaire: str
    entity: Mapping[str, str | int] = field(default_factory=dict)
    assessment: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, DraftAnswer] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """A draft as response YAML, and what ``dhti validate`` says about that text."""

    text: str
    validation: Validation


def draft_yaml(draft: Draft, *, header: Sequence[str] = ()) -> str:
    """The response file for ``draft``, in the order ``dhti init`` writes it."""
    entity = [TemplateEntry(key, draft.entity[key]) for key in _ordered(draft.entity, ENTITY_FIELDS)]
    assessment = [TemplateEntry(key, draft.assessment[key]) for key in _ordered(draft.assessment, ASSESSMENT_FIELDS)]
    answers = [TemplateEntry(qid, _answer_value(answer)) for qid, answer in draft.answers.items()]
    entries = [
        TemplateEntry("questionnaire", draft.questionnaire),
        TemplateEntry("entity", entity or {}),
        TemplateEntry("assessment", assessment or {}),
        TemplateEntry("answers", answers or {}),
    ]
    return dump_template(entries, header=header)


def _ordered(values: Mapping[str, object], order: Sequence[str]) -> list[str]:
    return [key for key in order if key in values] + [key for key in values if key not in order]


def _answer_value(answer: DraftAnswer) -> object:
    value = list(answer.value) if isinstance(answer.value, tuple) else answer.value
    if answer.evidence is None and answer.comment is None:
        return value
    extras = {"evidence": answer.evidence, "comment": answer.comment}
    return {"value": value, **{key: text for key, text in extras.items() if text is not None}}


def check_draft(
    draft: Draft, *, file: str, registry: Registry, lenient: bool = False, header: Sequence[str] = ()
) -> Checked:
    """Write ``draft`` as YAML and validate that text exactly as ``dhti validate`` would."""
    text = draft_yaml(draft, header=header)
    try:
        document = load_text(text, file)
    except InputError as err:  # pragma: no cover - dump_template writes valid YAML
        return Checked(text, Validation(file, problems=err.problems))
    return Checked(text, validate_document(document, registry=registry, lenient=lenient))


def mentioned_question(message: str, questionnaire: Questionnaire | None) -> str | None:
    """The question id a validation message is about (the longest id it names), if any."""
    if questionnaire is None:
        return None
    words = set(re.findall(r"[a-z0-9_.]+", message))
    found = [qid for qid in questionnaire.questions if qid in words]
    return max(found, key=len) if found else None


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
)
MAX_STEM = 80


def safe_stem(entity_id: str) -> str:
    """A file name stem from an entity id: ASCII letters, digits, ``.``, ``_`` and ``-`` only.

    Vietnamese letters lose their marks (``Đ`` becomes ``D``), anything else becomes ``-``, and
    the result can never climb out of the output folder or name a device on Windows.
    """
    text = _UNSAFE.sub("-", without_accents(entity_id)).strip(".-_")
    text = re.sub(r"\.{2,}", ".", text)[:MAX_STEM].rstrip(".-_")
    if not text:
        return "entity"
    if text.split(".")[0].lower() in _RESERVED:
        return f"entity-{text}"
    return text


def unique_names(stems: Iterable[str], *, suffix: str = ".yaml") -> list[str]:
    """File names for ``stems`` in order, the second of a kind ``-2``, the third ``-3``...

    Names are compared without case, so they stay distinct on Windows and macOS too.
    """
    taken: set[str] = set()
    names = []
    for stem in stems:
        name, number = f"{stem}{suffix}", 1
        while name.lower() in taken:
            number += 1
            name = f"{stem}-{number}{suffix}"
        taken.add(name.lower())
        names.append(name)
    return names


def refuse_existing(paths: Iterable[Path], *, force: bool) -> None:
    """Raise before anything is written if an output file exists and ``force`` is not given."""
    if force:
        return
    existing = [str(path) for path in paths if path.exists()]
    if existing:
        shown: str | Message = ", ".join(existing[:5])
        if len(existing) > 5:
            shown = L_("%(names)s and %(count)s more", names=shown, count=len(existing) - 5)
        if len(existing) == 1:
            raise OutputError(L_("%(names)s exists already; use --force to overwrite", names=shown))
        raise OutputError(L_("%(names)s exist already; use --force to overwrite", names=shown))
