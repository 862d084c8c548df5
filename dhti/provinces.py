"""Vietnam's 34 provincial-level units (from 1 July 2025), the 63 they replaced, and how people write them.

A response's ``entity.province`` is free text. :func:`lookup` reads it as one of the 34 units:
by its name or an accepted spelling ("TP.HCM", "Thành phố Hà Nội", "ha noi", "Hanoi city"), or
by the name of a unit it took in (``Bình Định`` is recorded as ``Gia Lai``). The store records
and groups the unit's name, so assessments made before and after the merger fall together.
The list is ``reference/provinces-2025.tsv``, shipped with dhti.
"""

from __future__ import annotations

import difflib
import enum
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from dhti.messages import L_, Message
from dhti.resources import reference_dir
from dhti.safetext import without_accents

FILE_NAME = "provinces-2025.tsv"
COLUMNS = ("unit", "kind", "formed_from", "also_written")

# Words and marks that do not change which unit a name means: spacing, dots and dashes
# ("TP. Hồ Chí Minh", "Bà Rịa-Vũng Tàu"), and the words for a province or a city around it.
_SEPARATORS = re.compile(r"[\s.,\-‐‑–—_]+")
_PREFIXES = (("thanh", "pho"), ("tp",), ("tinh",), ("city", "of"), ("province", "of"))
_SUFFIXES = (("city",), ("province",))


class Kind(enum.StrEnum):
    CITY = "city"  # thành phố trực thuộc trung ương
    PROVINCE = "province"  # tỉnh


@dataclass(frozen=True)
class Unit:
    """One of the 34 units: its name, its kind, and the units it was formed from (itself first when kept)."""

    name: str
    kind: Kind
    formed_from: tuple[str, ...]
    also_written: tuple[str, ...] = ()


class Status(enum.Enum):
    CURRENT = "current"  # the unit's own name or an accepted spelling of it
    MERGED = "merged"  # a unit merged into another on 1 July 2025
    RENAMED = "renamed"  # Thừa Thiên Huế, the city of Huế since 1 January 2025


@dataclass(frozen=True)
class Found:
    """What a written name means: the unit, and the former unit's name when it was written."""

    unit: Unit
    status: Status
    former: str | None = None


@dataclass(frozen=True)
class Provinces:
    """The list, and every name it accepts (by :func:`key`)."""

    units: tuple[Unit, ...]
    names: Mapping[str, Found]

    def lookup(self, text: str) -> Found | None:
        return self.names.get(key(text))

    def closest(self, text: str, *, most: int = 1) -> list[str]:
        """The names (current or former, as the list writes them) closest to ``text``."""
        written = {key(name): name for unit in self.units for name in (unit.name, *_former_names(unit))}
        return [written[match] for match in difflib.get_close_matches(key(text), list(written), n=most, cutoff=0.6)]


def key(text: str) -> str:
    """The lookup key of a name: ``Thành phố  Hồ Chí Minh`` and ``tp.ho chi minh`` both give ``ho chi minh``."""
    folded = without_accents(unicodedata.normalize("NFC", text)).casefold()
    words = _SEPARATORS.sub(" ", folded).split()
    for prefix in _PREFIXES:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            words = words[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if tuple(words[-len(suffix) :]) == suffix and len(words) > len(suffix):
            words = words[: -len(suffix)]
            break
    return " ".join(words)


def parse(text: str) -> Provinces:
    """The list from the text of its TSV file; a malformed row or a name meaning two units is a ValueError."""
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not rows or tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{FILE_NAME}: the first row must be the columns {', '.join(COLUMNS)}")
    units: list[Unit] = []
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(COLUMNS):
            raise ValueError(f"{FILE_NAME}: row {number} has {len(row)} columns, not {len(COLUMNS)}")
        name, kind, formed_from, also_written = (unicodedata.normalize("NFC", cell.strip()) for cell in row)
        units.append(Unit(name, Kind(kind), _listed(formed_from), _listed(also_written)))
    names: dict[str, Found] = {}
    for unit in units:
        for spelling in (unit.name, *unit.also_written):
            _add(names, spelling, Found(unit, Status.CURRENT))
    for unit in units:
        renamed = len(unit.formed_from) == 1 and _former_names(unit) != (unit.name,)
        for former in unit.formed_from:
            official, *others = former.split("|")
            status = Status.RENAMED if renamed else Status.MERGED
            for spelling in (official, *others):
                found = names.get(key(spelling))
                if found is not None and found.unit is unit and found.status is Status.CURRENT:
                    continue  # a unit that kept its name: its own name is current
                _add(names, spelling, Found(unit, status, official))
    return Provinces(tuple(units), names)


def _listed(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _former_names(unit: Unit) -> tuple[str, ...]:
    return tuple(former.split("|")[0] for former in unit.formed_from)


def _add(names: dict[str, Found], spelling: str, found: Found) -> None:
    name_key = key(spelling)
    if not name_key:
        raise ValueError(f"{FILE_NAME}: {spelling!r} is not a name")
    if name_key in names:
        raise ValueError(f"{FILE_NAME}: {spelling!r} is written like another name already listed")
    names[name_key] = found


@functools.cache
def provinces() -> Provinces:
    """The bundled list, read once."""
    return parse((reference_dir() / FILE_NAME).read_text(encoding="utf-8"))


def units() -> tuple[Unit, ...]:
    """The 34 units, in the order of the list."""
    return provinces().units


def lookup(text: str) -> Found | None:
    """The unit ``text`` names (current name, accepted spelling or former unit), or None."""
    return provinces().lookup(text)


def recorded(text: str | None) -> str | None:
    """What the store records for a written province: the unit's name, else the text as written."""
    if text is None:
        return None
    found = lookup(text)
    return found.unit.name if found is not None else text


def problem(text: str) -> Message | None:
    """The warning for a written province, or None when it is a unit's name or an accepted spelling."""
    if not text.strip():
        return None
    found = lookup(text)
    if found is None:
        close = provinces().closest(text)
        hint = L_(" (did you mean %(names)s?)", names=", ".join(repr(name) for name in close)) if close else ""
        shown = text if len(text) <= 70 else text[:69].rstrip() + "…"
        return L_(
            "province %(name)s is not one of the 34 provinces and cities in place since 1 July 2025%(hint)s;"
            " it is recorded as written",
            name=repr(shown),
            hint=hint,
        )
    if found.status is Status.MERGED:
        return L_(
            "province %(old)s was merged into %(new)s on 1 July 2025; it is recorded as %(new)s",
            old=repr(text),
            new=repr(found.unit.name),
        )
    if found.status is Status.RENAMED:
        return L_(
            "province %(old)s became the city of %(new)s on 1 January 2025; it is recorded as %(new)s",
            old=repr(text),
            new=repr(found.unit.name),
        )
    return None
