"""Values read back from the store, each checked: a row edited by hand is named in a message, not a crash.

SQLite keeps whatever is written into a column ('abc' in a score), and PostgreSQL keeps NaN
and infinity in a double, so nothing read from a database is trusted to have its type.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from dhti.messages import L_
from dhti.store.record import StoreError

_SHOWN = 40  # characters of a bad value quoted in the message


@dataclass(frozen=True)
class RowReader:
    """Checks the values of one stored assessment (``ident``) in the store shown as ``store``."""

    store: str
    ident: int

    def invalid(self, column: str, value: object) -> StoreError:
        shown = repr(value)
        if len(shown) > _SHOWN:
            shown = shown[: _SHOWN - 3] + "..."
        return StoreError(
            L_(
                "store %(store)s: assessment #%(number)s has an invalid %(column)s (%(value)s);"
                " the store may have been edited by hand",
                store=self.store,
                number=self.ident,
                column=column,
                value=shown,
            )
        )

    def text(self, column: str, value: object) -> str:
        if isinstance(value, str):
            return value
        raise self.invalid(column, value)

    def optional_text(self, column: str, value: object) -> str | None:
        return None if value is None else self.text(column, value)

    def number(self, column: str, value: object) -> float:
        """A finite number (a score 0..100, a completeness 0..1), as a float."""
        if type(value) is float and math.isfinite(value):  # what both drivers give: checked fast
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise self.invalid(column, value)

    def optional_number(self, column: str, value: object) -> float | None:
        return None if value is None else self.number(column, value)

    def optional_whole(self, column: str, value: object) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise self.invalid(column, value)

    def whole(self, column: str, value: object) -> int:
        found = self.optional_whole(column, value)
        if found is None:
            raise self.invalid(column, value)
        return found

    def day(self, column: str, value: object) -> dt.date:
        """A date: PostgreSQL gives one, SQLite the ISO text it was written as."""
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return _iso_day(self.text(column, value))
        except ValueError:
            raise self.invalid(column, value) from None

    def moment(self, column: str, value: object) -> dt.datetime:
        """A moment in UTC (SQLite keeps no time zone; everything is written in UTC)."""
        if not isinstance(value, dt.datetime):
            try:
                value = dt.datetime.fromisoformat(self.text(column, value))
            except ValueError:
                raise self.invalid(column, value) from None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@functools.lru_cache(maxsize=4096)
def _iso_day(text: str) -> dt.date:
    """An ISO date; a campaign's due dates are few, and read back by the hundred thousand."""
    return dt.date.fromisoformat(text)
