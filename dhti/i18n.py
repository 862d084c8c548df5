"""Interface text from gettext catalogues, and numbers and dates formatted per language."""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Callable, Mapping
from functools import cache
from io import BytesIO
from pathlib import Path

from dhti.messages import N_
from dhti.resources import templates_dir

__all__ = ["N_", "count", "date", "number", "percent", "translations"]

DOMAIN = "dhti"
LANGS = ("vi", "en")
DEFAULT_LANG = "vi"  # dhti is made for Vietnamese health facilities
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set is the locale


def locale_language(value: str) -> str | None:
    """The language a locale name gives dhti: ``vi_VN.UTF-8`` -> ``vi``; ``C``, ``POSIX`` or another -> None."""
    language = re.split(r"[_.@]", value, maxsplit=1)[0].lower()
    return language if language in LANGS else None


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The language when no ``--lang`` is given: ``DHTI_LANG``, else the locale, else Vietnamese.

    As POSIX has it, the first of LC_ALL, LC_MESSAGES and LANG that is set and not empty is the
    locale; one that names no language dhti has (``C``, ``POSIX``, ``fr_FR``) leaves the default.
    """
    chosen = environ.get("DHTI_LANG", "")
    if chosen in LANGS:
        return chosen
    locale = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    return locale_language(locale) or DEFAULT_LANG


class Catalogue(gettext.GNUTranslations):
    """A compiled catalogue in which the empty text stays empty.

    gettext keeps the catalogue's header under the empty message id, so a field a file leaves
    empty (an entity's ownership, say) would otherwise be shown as that header.
    """

    def gettext(self, message: str) -> str:
        return super().gettext(message) if message else message


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    """``dhti.po``, the catalogue translators edit, or ``dhti.mo``, the one compiled from it."""
    return templates_dir() / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def compile_catalogue(lang: str, po: Path | None = None) -> bytes:
    """The ``.mo`` bytes of ``lang``'s ``.po`` (or of ``po``): what ``scripts/messages.py`` writes beside it."""
    from babel.messages.mofile import write_mo  # noqa: PLC0415 - only when the .po is compiled
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with (po or catalogue_path(lang)).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue for ``lang`` (English texts are the message ids themselves).

    The compiled ``.mo`` is read when it is there (parsing the ``.po`` costs every command about
    50 ms); a test keeps it the exact compilation of the ``.po``.
    """
    compiled = catalogue_path(lang, ".mo")
    if compiled.is_file():
        with compiled.open("rb") as handle:
            return Catalogue(handle)
    if not catalogue_path(lang).is_file():
        return gettext.NullTranslations()
    return Catalogue(BytesIO(compile_catalogue(lang)))


def texts(lang: str) -> Callable[[str], str]:
    """The function that translates an interface text (a message id) into ``lang``."""
    return translations(lang).gettext


def _decimal(value: float, pattern: str, lang: str) -> str:
    # Babel is imported when a number is first shown, so --version and --help never load it.
    from babel.numbers import format_decimal  # noqa: PLC0415

    return format_decimal(value, format=pattern, locale=lang)


def _decimal_symbol(lang: str) -> str:
    from babel.numbers import get_decimal_symbol  # noqa: PLC0415

    return get_decimal_symbol(lang)


def _date(day: dt.date, pattern: str, lang: str) -> str:
    from babel.dates import format_date  # noqa: PLC0415

    return format_date(day, format=pattern, locale=lang)


def number(value: float | None, lang: str, *, digits: int = 1) -> str:
    """``63,1`` in Vietnamese, ``63.1`` in English; an en dash for no value."""
    if value is None:
        return "–"
    pattern = "0." + "0" * digits if digits else "0"
    return _decimal(value, pattern, lang)


def decimal(value: float, lang: str) -> str:
    """A number as a person writes it, with as many decimals as it has (up to 3): ``1.200``, ``2,25`` in Vietnamese."""
    return _decimal(value, "#,##0.###", lang)


def count(value: int, lang: str) -> str:
    """A count with its thousands grouped: ``200.120`` in Vietnamese, ``200,120`` in English."""
    return _decimal(value, "#,##0", lang)


def percent(fraction: float | None, lang: str) -> str:
    """``94,4%`` in Vietnamese, ``94.4%`` in English; a whole ``100%`` where one decimal would end in 0."""
    if fraction is None:
        return "–"
    return number(100 * fraction, lang).removesuffix(_decimal_symbol(lang) + "0") + "%"


def date(day: dt.date, lang: str) -> str:
    """``15/10/2026`` in Vietnamese (as official documents write it), ``15 October 2026`` in English."""
    return _date(day, "dd/MM/yyyy" if lang == "vi" else "d MMMM y", lang)


def numeric_date(day: dt.date, lang: str) -> str:
    """A date in a line of terminal text: ``15/10/2026`` in Vietnamese, ISO ``2026-10-15`` in English."""
    return _date(day, "dd/MM/yyyy", lang) if lang == "vi" else day.isoformat()
