"""The read-only mapping inside the values one module hands the next (texts, answers, scores).

A frozen dataclass or pydantic model still lets anyone change a ``dict`` it holds; a
:class:`FrozenMap` refuses every change, pickles (``batch --jobs`` sends values between
processes), hashes, and compares equal to a ``dict`` with the same items.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from types import GenericAlias
from typing import TYPE_CHECKING, TypeVar, get_args, overload

from pydantic_core import core_schema

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class FrozenMap(Mapping[K, V]):
    """A mapping that keeps its insertion order and cannot be changed once made."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._items: dict[K, V] = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    # The dict's own methods: the ones Mapping would supply run in Python, and scoring looks up a lot.
    def __contains__(self, key: object) -> bool:
        return key in self._items

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...
    def get(self, key: K, /, default: object = None) -> object:
        return self._items.get(key, default)

    def keys(self) -> KeysView[K]:
        return self._items.keys()

    def values(self) -> ValuesView[V]:
        return self._items.values()

    def items(self) -> ItemsView[K, V]:
        return self._items.items()

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._items,))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """In a pydantic model: validated as a ``dict`` of the same types, kept frozen, dumped as a ``dict``."""
        key, value = get_args(source) or (object, object)
        return core_schema.no_info_after_validator_function(
            cls,
            handler.generate_schema(GenericAlias(dict, (key, value))),
            serialization=core_schema.plain_serializer_function_ser_schema(dict),
        )
