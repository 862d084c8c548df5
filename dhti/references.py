"""How the sources an indicator cites read: ``TT13/2025/TT-BYT`` is "Thông tư 13/2025/TT-BYT".

Questionnaires cite documents in ``refs`` by short ASCII ids, which are easy to type and to
search for; readers expect a document's kind and its symbol (số, ký hiệu) as the document
itself prints them, with the letter Đ.  :func:`display` turns one into the other.  A ref it does
not recognise (a user's own, written as they like) is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["GDHM_CODES", "Reference", "display", "parse"]


@dataclass(frozen=True)
class Kind:
    """A kind of document: its names, and the code its symbol carries (``TT`` in 13/2025/TT-BYT)."""

    vi: str
    en: str
    code: str  # "" when the symbol carries no code of its own (a law, an official letter)


# The ids' prefixes, in ASCII; "NĐ" and "QĐ" are read as "ND" and "QD".
KINDS: MappingProxyType[str, Kind] = MappingProxyType(
    {
        "L": Kind("Luật", "Law", ""),
        "ND": Kind("Nghị định", "Decree", "NĐ"),
        "NQ": Kind("Nghị quyết", "Resolution", "NQ"),
        "QD": Kind("Quyết định", "Decision", "QĐ"),
        "TT": Kind("Thông tư", "Circular", "TT"),
        "TTLT": Kind("Thông tư liên tịch", "Joint Circular", "TTLT"),
        "CT": Kind("Chỉ thị", "Directive", "CT"),
        "KH": Kind("Kế hoạch", "Plan", "KH"),
        "HD": Kind("Hướng dẫn", "Guidance", "HD"),
        "CV": Kind("Công văn", "Official Letter", ""),
    }
)
_BY_CODE = {kind.code: prefix for prefix, kind in KINDS.items() if kind.code}

# The parts of a symbol that are written with Đ: the kinds above and the issuers that carry the
# letter.  Only whole parts change, so UBND (Ủy ban nhân dân) stays as it is.
_WITH_D = MappingProxyType(
    {"QD": "QĐ", "ND": "NĐ", "HDND": "HĐND", "BGDDT": "BGDĐT", "BLDTBXH": "BLĐTBXH"},
)

# The WHO/ITU Global Digital Health Monitor's 31 indicators (23 and their 8 sub-indicators).
GDHM_CODES = frozenset(
    (*(str(n) for n in range(1, 24)), "2a", "4a", "5a", "6a", "9a", "21a", "21b", "21c"),
)

_ID = re.compile(r"(?P<prefix>[A-Z]{1,4}|NĐ|QĐ)?\s*(?P<symbol>[0-9][0-9A-Za-zĐ/-]*)")
# number[-CODE][/year]/rest, as in 13/2025/TT-BYT, 5316/QĐ-BYT, 57-NQ/TW, 91/2025/QH15, 2147/BYT-TCCB.
_SYMBOL = re.compile(
    r"(?P<number>[0-9]+[a-z]?)(?:-(?P<code>[A-Z]+))?(?:/(?P<year>(?:19|20)[0-9]{2}))?"
    r"/(?P<rest>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*)"
)
_LEGISLATURE = re.compile(r"QH[0-9]{1,2}")
_GDHM = re.compile(r"GDHM[- ](?P<code>[0-9]{1,2}[a-c]?)")


@dataclass(frozen=True)
class Reference:
    """A recognised ref: the kind of document (or ``GDHM``) and its symbol as the document prints it."""

    kind: str  # a key of KINDS, or "GDHM"
    symbol: str  # "13/2025/TT-BYT", "5316/QĐ-BYT"; the indicator code for GDHM ("21a")

    def display(self, lang: str) -> str:
        if self.kind == "GDHM":
            return f"Chỉ số GDHM {self.symbol}" if lang == "vi" else f"GDHM {self.symbol}"
        kind = KINDS[self.kind]
        return f"{kind.vi if lang == 'vi' else kind.en} {self.symbol}"


def parse(ref: str) -> Reference | None:
    """The document ``ref`` names, or None when it is not one of the forms dhti knows.

    The forms: ``GDHM-5``; a kind's prefix and the symbol (``TT13/2025/TT-BYT``,
    ``QD5316/QD-BYT``, ``L91/2025/QH15``, ``CV2147/BYT-TCCB``), with or without Đ; or the bare
    symbol when its code says the kind (``13/2025/TT-BYT``).  A prefix that disagrees with the
    symbol's code (``TT13/2023/ND-CP``) is not recognised.
    """
    text = ref.strip()
    gdhm = _GDHM.fullmatch(text)
    if gdhm:
        return Reference("GDHM", gdhm["code"]) if gdhm["code"] in GDHM_CODES else None
    found = _ID.fullmatch(text)
    if found is None:
        return None
    # Matched without Đ, so that QD-BYT and QĐ-BYT are one code; shown as written, Đ added.
    symbol = _SYMBOL.fullmatch(found["symbol"].replace("Đ", "D"))
    if symbol is None:
        return None
    kind = _kind((found["prefix"] or "").replace("Đ", "D"), symbol)
    return Reference(kind, _with_d(found["symbol"])) if kind else None


def _kind(prefix: str, symbol: re.Match[str]) -> str | None:
    """The kind a prefix and a symbol agree on (the symbol alone when there is no prefix)."""
    parts = symbol["rest"].split("-")
    code = symbol["code"] or parts[0]
    is_law = bool(symbol["year"] and not symbol["code"] and _LEGISLATURE.fullmatch(symbol["rest"]))
    said = "L" if is_law else _BY_CODE.get(_with_d(code))
    if not prefix:
        return said
    if prefix not in KINDS:
        return None
    if KINDS[prefix].code:
        return prefix if said == prefix else None
    if prefix == "L":
        return prefix if is_law else None
    return prefix if said is None else None  # an official letter's symbol names its issuer, not a kind


def _with_d(symbol: str) -> str:
    return "/".join("-".join(_WITH_D.get(part, part) for part in piece.split("-")) for piece in symbol.split("/"))


def display(ref: str, lang: str) -> str:
    """``ref`` as a reader expects it in ``lang`` (``vi``; any other language reads English).

    ``"QD5316/QD-BYT"`` is "Quyết định 5316/QĐ-BYT" in Vietnamese and "Decision 5316/QĐ-BYT"
    in English (the symbol is Vietnamese in both); ``"GDHM-5"`` is "Chỉ số GDHM 5" / "GDHM 5".
    A ref :func:`parse` does not recognise is returned as written.
    """
    found = parse(ref)
    return found.display(lang) if found else ref
