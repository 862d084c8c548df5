"""Messages for people: an English text with named parameters, shown in the reader's language.

The core builds a :class:`Message` where it finds a problem and never needs to know who reads
it; a command renders it in its ``--lang`` at the edge. The English text is the catalogue's
message id (``%(name)s`` placeholders, as gettext writes them), so English needs no catalogue
and reads exactly as it always has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

ENGLISH = "en"


@dataclass(frozen=True)
class Count:
    """A count or size shown with its thousands grouped: ``20,000`` in English, ``20.000`` in Vietnamese."""

    value: int

    def render(self, lang: str) -> str:
        if lang == ENGLISH:
            return f"{self.value:,}"
        from dhti.i18n import count  # noqa: PLC0415 - Babel only when a message is translated

        return count(self.value, lang)


@dataclass(frozen=True)
class Decimal:
    """A number with one decimal: ``5.2`` in English, ``5,2`` in Vietnamese."""

    value: float

    def render(self, lang: str) -> str:
        if lang == ENGLISH:
            return f"{self.value:.1f}"
        from dhti.i18n import number  # noqa: PLC0415

        return number(self.value, lang, digits=1)


@dataclass(frozen=True)
class Local:
    """A questionnaire's text (language code -> text), quoted in the reader's language and cut short."""

    texts: tuple[tuple[str, str], ...]
    limit: int = 70

    @classmethod
    def of(cls, text: Mapping[str, str] | None, *, limit: int = 70) -> Local:
        return cls(tuple((text or {}).items()), limit)

    def render(self, lang: str) -> str:
        texts = dict(self.texts)
        chosen = next((texts[code] for code in (lang, ENGLISH, "vi") if code in texts), "")
        chosen = chosen or next(iter(texts.values()), "")
        return chosen if len(chosen) <= self.limit else chosen[: self.limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Message:
    """An English text and its parameters; each parameter may itself be a message or a number to format.

    ``english`` replaces the English rendering when the text is someone else's (pydantic's own wording),
    so that English stays exactly as that library writes it while other languages use ``text``.
    """

    text: str
    params: tuple[tuple[str, object], ...] = ()
    english: str | None = None

    def render(self, lang: str = ENGLISH) -> str:
        if lang == ENGLISH and self.english is not None:
            return self.english
        template = self.text if lang == ENGLISH else _translate(self.text, lang)
        if not self.params:
            return template
        return template % {name: _rendered(value, lang) for name, value in self.params}

    def __str__(self) -> str:
        return self.render(ENGLISH)


def L_(text: str, /, **params: object) -> Message:  # noqa: N802 - beside gettext's _ and N_
    """A message to translate; ``scripts/messages.py`` extracts ``text``, so it must be a literal."""
    return Message(text, tuple(params.items()))


def plain(text: str) -> Message:
    """Text that has no translation (a library's or the system's own words): shown as it is."""
    return Message(text)


class MessageError(ValueError):
    """A ``ValueError`` that carries its :class:`Message`: raised in checks that pydantic runs, or by a parser."""

    def __init__(self, text: Message) -> None:
        super().__init__(str(text))
        self.text = text


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark for translation"
    """Mark a constant for the catalogue; it is translated where it is shown."""
    return text


# Pydantic's wording for the errors its types raise, as message ids: English stays pydantic's own
# text (``english``), other languages translate these with pydantic's context as parameters.
_PYDANTIC = {
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "int_type": N_("Input should be a valid integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "finite_number": N_("Input should be a finite number"),
    "greater_than": N_("Input should be greater than %(gt)s"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than": N_("Input should be less than %(lt)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least %(min_length)s character"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "enum": N_("Input should be %(expected)s"),
    "too_short": N_("%(field_type)s should have at least %(min_length)s item after validation, not %(actual_length)s"),
    "tuple_type": N_("Input should be a valid tuple"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of %(class_name)s"),
}


def pydantic_message(error: ErrorDetails) -> Message:
    """The message of one pydantic error: ours when one of our checks raised it, else pydantic's, translated."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, MessageError):
        return cause.text
    english = error["msg"].removeprefix("Value error, ")
    text = _PYDANTIC.get(error["type"])
    if text is None:
        return plain(english)
    params = tuple((name, str(value)) for name, value in (error.get("ctx") or {}).items())
    return Message(text, params, english=english)


def render(value: object, lang: str) -> str:
    """A message, a formatted number or plain text, in ``lang``."""
    return _rendered(value, lang)


def _rendered(value: object, lang: str) -> str:
    if isinstance(value, Message | Count | Decimal | Local):
        return value.render(lang)
    return str(value)


def _translate(text: str, lang: str) -> str:
    from dhti.i18n import translations  # noqa: PLC0415 - the catalogue only when a message is translated

    return translations(lang).gettext(text)
