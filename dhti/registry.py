"""Where questionnaires come from: the bundled folder, ``DHTI_QUESTIONNAIRES`` and ``--questionnaire``.

The bundled questionnaires are described by ``index.json`` beside them (id, version, title, entity
types, question count and each file's SHA-256), written by ``scripts/questionnaire_index.py``: a
command lists them and resolves ``id@version`` from it, and parses a questionnaire only when it
needs it. A file the index does not describe (one edited since, or one in a ``DHTI_QUESTIONNAIRES``
folder) is parsed at start-up as before, so a broken one is skipped with its warning there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from dhti.errors import DhtiError, InputError, Problem, QuestionnaireNotFoundError, did_you_mean
from dhti.messages import ENGLISH, L_
from dhti.questionnaire import Questionnaire, lint_document, load_questionnaire
from dhti.resources import bundled_dir, superseded_dir
from dhti.yamlio import load, load_bytes, read_bounded

ENV_FOLDERS = "DHTI_QUESTIONNAIRES"
INDEX_NAME = "index.json"


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


@dataclass(frozen=True)
class Listing:
    """What the registry knows of a questionnaire before parsing it: enough to list it and resolve its ref."""

    id: str
    version: str
    title: Mapping[str, str]
    entity_types: tuple[str, ...]
    questions: int
    source: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> Listing:
        q = questionnaire
        title = MappingProxyType(dict(q.title))
        return cls(q.id, q.version, title, tuple(q.entity_types), q.scored_question_count(), q.source)


class _Entry:
    """One questionnaire of the registry: its listing, and the questionnaire once it has been parsed."""

    __slots__ = ("_parsed", "_sha256", "listing")

    def __init__(self, listing: Listing, parsed: Questionnaire | None = None, *, sha256: str = "") -> None:
        self.listing = listing
        self._parsed = parsed
        self._sha256 = sha256

    def questionnaire(self) -> Questionnaire:
        if self._parsed is None:
            self._parsed = _parse_indexed(Path(self.listing.source), sha256=self._sha256)
        return self._parsed


def _parse_indexed(path: Path, *, sha256: str) -> Questionnaire:
    """A bundled file that matched the index at start-up; raise :class:`InputError` if it is broken."""
    raw = read_bounded(path, display=str(path))
    # Bytes that still match passed the depth guard when the index was written; changed ones get it again.
    document = load_bytes(raw, str(path), nesting_checked=hashlib.sha256(raw).hexdigest() == sha256)
    questionnaire, problems = lint_document(document)
    if questionnaire is None:
        raise InputError([problem for problem in problems if problem.is_error])
    return questionnaire


@dataclass(frozen=True)
class Registry:
    """The questionnaires found, sorted by id and version, and the files skipped while looking."""

    _entries: tuple[_Entry, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    override: Questionnaire | None = None

    @classmethod
    def discover(
        cls,
        *,
        override: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Registry:
        """Find the bundled questionnaires, those in ``DHTI_QUESTIONNAIRES`` and an override file.

        A broken bundled or user file is skipped and kept in ``skipped``, and so is a folder file
        with the id and version of one found before it (the bundled ones come first, so they
        cannot be replaced unnoticed); a broken override file raises :class:`InputError`, since
        the user asked for it, and it replaces a questionnaire of the same id and version.
        """
        env = os.environ if environ is None else environ
        finder = _Finder()
        bundled = bundled_dir()
        for folder in (bundled, superseded_dir(bundled)):
            finder.folder(folder, index=read_index(folder))
        for part in env.get(ENV_FOLDERS, "").split(os.pathsep):
            if part:
                finder.folder(Path(part), index={})
        loaded = None if override is None else load_questionnaire(override)
        if loaded is not None:
            finder.replace(loaded)
        entries = sorted(finder.entries, key=lambda e: (e.listing.id, version_key(e.listing.version)))
        return cls(tuple(entries), tuple(finder.skipped), loaded)

    @property
    def listings(self) -> tuple[Listing, ...]:
        return tuple(entry.listing for entry in self._entries)

    def ids(self) -> list[str]:
        return sorted({entry.listing.id for entry in self._entries})

    def resolve(self, ref: str) -> Listing:
        """``id`` (newest version) or ``id@version``, without parsing it; raise with a suggestion when unknown."""
        return self._entry(ref).listing

    def get(self, ref: str) -> Questionnaire:
        """The questionnaire ``id`` (newest version) or ``id@version``, parsed the first time it is asked for."""
        return self._entry(ref).questionnaire()

    def _entry(self, ref: str) -> _Entry:
        questionnaire_id, _, version = ref.partition("@")
        found = [entry for entry in self._entries if entry.listing.id == questionnaire_id]
        if not found:
            hint = did_you_mean(questionnaire_id, self.ids()) or L_(
                "; known: %(names)s", names=", ".join(self.ids()) or L_("none")
            )
            raise QuestionnaireNotFoundError(
                L_("unknown questionnaire %(id)s%(hint)s", id=repr(questionnaire_id), hint=hint)
            )
        if not version:
            return found[-1]
        for entry in found:
            if entry.listing.version == version:
                return entry
        known = ", ".join(entry.listing.version for entry in found)
        message = L_(
            "questionnaire %(id)s has no version %(version)s (known: %(known)s)",
            id=repr(questionnaire_id),
            version=repr(version),
            known=known,
        )
        raise QuestionnaireNotFoundError(message)


class _Finder:
    """Collects the entries and the skipped files while :meth:`Registry.discover` looks through the folders."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.skipped: list[Skipped] = []

    def folder(self, folder: Path, *, index: Mapping[str, Indexed]) -> None:
        if not folder.is_dir():
            message = L_(
                "%(variable)s names %(folder)s, which is not a folder", variable=ENV_FOLDERS, folder=str(folder)
            )
            self._skip(Problem.of(str(folder), 1, 1, message))
            return
        for path in _questionnaire_files(folder):
            indexed = index.get(path.name)
            if indexed is None or indexed.sha256 != _sha256(path) or self._earlier(indexed.listing.ref):
                self._file(path)  # parsed now, as the index cannot vouch for it
            else:
                self.entries.append(_Entry(indexed.listing, sha256=indexed.sha256))

    def _file(self, path: Path) -> None:
        try:
            document = load(path)
        except InputError as err:
            self._skip(*err.problems)
            return
        questionnaire, problems = lint_document(document)
        if questionnaire is None:
            self._skip(*(problem for problem in problems if problem.is_error))
            return
        earlier = self._earlier(questionnaire.ref)
        if earlier is not None:
            message = L_(
                "%(ref)s is already defined by %(source)s; give this one another id or version",
                ref=questionnaire.ref,
                source=earlier.source,
            )
            self._skip(document.problem(["id"], message))
            return
        self.entries.append(_Entry(Listing.of(questionnaire), questionnaire))

    def _earlier(self, ref: str) -> Listing | None:
        return next((e.listing for e in self.entries if e.listing.ref == ref), None)

    def _skip(self, *problems: Problem) -> None:
        self.skipped.append(Skipped(problems[0].file, tuple(sorted(problems))))

    def replace(self, questionnaire: Questionnaire) -> None:
        self.entries = [e for e in self.entries if e.listing.ref != questionnaire.ref]
        self.entries.append(_Entry(Listing.of(questionnaire), questionnaire))


@dataclass(frozen=True)
class Indexed:
    """A file's entry in a folder's index: its listing, valid while the file still has these bytes."""

    sha256: str
    listing: Listing


def index_text(folder: Path) -> str:
    """The index of the questionnaires in ``folder`` (JSON); raise :class:`InputError` if one is broken."""
    rows: list[dict[str, object]] = []
    for path in _questionnaire_files(folder):
        q = load_questionnaire(path)
        if any(row["id"] == q.id and row["version"] == q.version for row in rows):
            raise DhtiError(f"{path}: {q.ref} is defined twice in {folder}")
        listing = Listing.of(q)
        row = {"file": path.name, "sha256": _sha256(path), "id": q.id, "version": q.version}
        rows.append(
            row | {"title": dict(listing.title), "entity_types": listing.entity_types, "questions": listing.questions}
        )
    about = "Written by scripts/questionnaire_index.py from the files beside it; dhti lists these without parsing them."
    return json.dumps({"about": about, "questionnaires": rows}, ensure_ascii=False, indent=2) + "\n"


def read_index(folder: Path) -> dict[str, Indexed]:
    """The index in ``folder`` by file name; none if it is missing or unreadable (every file is then parsed)."""
    try:
        rows = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))["questionnaires"]
        return {str(row["file"]): _indexed(folder, row) for row in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _indexed(folder: Path, row: Mapping[str, object]) -> Indexed:
    title, types, questions = row["title"], row["entity_types"], row["questions"]
    if not isinstance(title, dict) or not isinstance(types, list) or not isinstance(questions, int):
        raise TypeError(row)
    title_text = MappingProxyType({str(lang): str(text) for lang, text in title.items()})
    source = str(folder / str(row["file"]))
    listing = Listing(str(row["id"]), str(row["version"]), title_text, tuple(map(str, types)), questions, source)
    return Indexed(str(row["sha256"]), listing)


def _questionnaire_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # unreadable: parsing it reports why


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
