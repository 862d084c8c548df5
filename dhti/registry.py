"""Where questionnaires come from: the bundled folder, ``DHTI_QUESTIONNAIRES`` and ``--questionnaire``."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dhti.errors import DhtiError, InputError, Problem, QuestionnaireNotFoundError
from dhti.messages import ENGLISH, L_
from dhti.questionnaire import Questionnaire, lint_document, load_questionnaire
from dhti.resources import bundled_dir
from dhti.yamlio import load

ENV_FOLDERS = "DHTI_QUESTIONNAIRES"


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sort key for versions such as ``1.0``, ``1.10`` and ``2.0b1``."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"[.\-]", version))


@dataclass(frozen=True)
class Skipped:
    """A questionnaire file that was not loaded, with every reason found."""

    file: str
    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def render(self, lang: str) -> str:
        """The first reason, and where to see the others: one line for a warning."""
        more = len(self.problems) - 1
        if not more:
            return self.problems[0].render(lang)
        command = f"dhti questionnaires lint {self.file}"
        if more == 1:
            rest = L_(" (and 1 more error: %(command)s)", command=command)
        else:
            rest = L_(" (and %(count)s more errors: %(command)s)", count=more, command=command)
        return self.problems[0].render(lang) + rest.render(lang)


@dataclass
class Registry:
    """The loaded questionnaires, and the files skipped while loading folders."""

    questionnaires: list[Questionnaire] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    override: Questionnaire | None = None

    @classmethod
    def discover(
        cls,
        *,
        override: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Registry:
        """Load the bundled questionnaires, those in ``DHTI_QUESTIONNAIRES`` and an override file.

        A broken bundled or user file is skipped and kept in ``skipped``, and so is a folder file
        with the id and version of one loaded before it (the bundled ones load first, so they
        cannot be replaced unnoticed); a broken override file raises :class:`InputError`, since
        the user asked for it, and it replaces a loaded questionnaire of the same id and version.
        """
        env = os.environ if environ is None else environ
        registry = cls()
        folders = [bundled_dir(), *(Path(part) for part in env.get(ENV_FOLDERS, "").split(os.pathsep) if part)]
        for folder in folders:
            registry._load_folder(folder)
        if override is not None:
            registry.override = load_questionnaire(override)
            registry._add(registry.override)
        return registry

    def _load_folder(self, folder: Path) -> None:
        if not folder.is_dir():
            message = L_(
                "%(variable)s names %(folder)s, which is not a folder", variable=ENV_FOLDERS, folder=str(folder)
            )
            self._skip(Problem.of(str(folder), 1, 1, message))
            return
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            self._load_file(path)

    def _load_file(self, path: Path) -> None:
        try:
            document = load(path)
        except InputError as err:
            self._skip(*err.problems)
            return
        questionnaire, problems = lint_document(document)
        if questionnaire is None:
            self._skip(*(problem for problem in problems if problem.is_error))
            return
        earlier = next((q for q in self.questionnaires if q.ref == questionnaire.ref), None)
        if earlier is not None:
            message = L_(
                "%(ref)s is already defined by %(source)s; give this one another id or version",
                ref=questionnaire.ref,
                source=earlier.source,
            )
            self._skip(document.problem(["id"], message))
            return
        self.questionnaires.append(questionnaire)

    def _skip(self, *problems: Problem) -> None:
        self.skipped.append(Skipped(problems[0].file, tuple(sorted(problems))))

    def _add(self, questionnaire: Questionnaire) -> None:
        self.questionnaires = [q for q in self.questionnaires if q.ref != questionnaire.ref]
        self.questionnaires.append(questionnaire)

    def ids(self) -> list[str]:
        return sorted({q.id for q in self.questionnaires})

    def versions(self, questionnaire_id: str) -> list[Questionnaire]:
        found = [q for q in self.questionnaires if q.id == questionnaire_id]
        return sorted(found, key=lambda q: version_key(q.version))

    def get(self, ref: str) -> Questionnaire:
        """``id`` (newest version) or ``id@version``; raise with a suggestion when unknown."""
        questionnaire_id, _, version = ref.partition("@")
        found = self.versions(questionnaire_id)
        if not found:
            close = difflib.get_close_matches(questionnaire_id, self.ids(), n=1)
            if close:
                hint = L_("; did you mean %(name)s?", name=repr(close[0]))
            else:
                hint = L_("; known: %(names)s", names=", ".join(self.ids()) or L_("none"))
            raise QuestionnaireNotFoundError(
                L_("unknown questionnaire %(id)s%(hint)s", id=repr(questionnaire_id), hint=hint)
            )
        if not version:
            return found[-1]
        for questionnaire in found:
            if questionnaire.version == version:
                return questionnaire
        known = ", ".join(q.version for q in found)
        message = L_(
            "questionnaire %(id)s has no version %(version)s (known: %(known)s)",
            id=repr(questionnaire_id),
            version=repr(version),
            known=known,
        )
        raise QuestionnaireNotFoundError(message)

    def sorted(self) -> Sequence[Questionnaire]:
        return sorted(self.questionnaires, key=lambda q: (q.id, version_key(q.version)))


def response_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files named, and those found in folders (sorted); a folder without any is an error.

    A check that checked nothing must not pass: ``validate``, ``score``, ``db ingest`` and ``batch``
    all refuse an empty folder the same way.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.append(path)
            continue
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise DhtiError(L_("%(folder)s: no response files (*.yaml, *.yml) in this folder", folder=str(raw)))
        found.extend(files)
    return found
