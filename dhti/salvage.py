"""Lenient validation: the well-formed part of a document, so that checks beyond the schema still run.

Pydantic reports every schema error of a file, but gives no model when there is one, and the
checks that need a model (duplicate ids, references, skip logic) would then say nothing.
:func:`salvage` sets the broken pieces aside, one error at a time, until what is left validates:
a bad value of a field that has a default is removed (the default applies), a bad text gets an
empty placeholder, and anything else removes the list item that holds it. :class:`Origins` maps
positions in what is left back to the original document and tells which parts were touched, so
a check can keep quiet where its finding would only echo a schema error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

Path = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

# Each pass removes at least one broken piece; nesting is a handful of levels deep, so a few
# passes settle any file. The bound only keeps a pathological file from looping for long.
_MAX_PASSES = 20
_MISSING = object()


@dataclass(frozen=True)
class Shape(Generic[M]):
    """Which model each mapping of the data is: the root, and the model of each key's value.

    ``placeholders`` give, per (model, field), a value that stands in for a broken required one.
    """

    root: type[M]
    children: Mapping[str, type[BaseModel]]
    placeholders: Mapping[tuple[type[BaseModel], str], object] = field(default_factory=dict)

    def model_at(self, path: Path) -> type[BaseModel] | None:
        """The model of the mapping at ``path``; ``None`` for a free mapping such as a text."""
        if not path:
            return self.root
        if isinstance(path[-1], int):
            owner = path[-2] if len(path) > 1 else None
            return self.children.get(owner) if isinstance(owner, str) else None
        return self.children.get(path[-1])


class Origins:
    """Where the salvaged data came from, and which parts of it held schema errors."""

    def __init__(
        self, data: object, *, copies: dict[int, tuple[object, Path]], errors: Sequence[Path], dropped_ids: set[str]
    ) -> None:
        self._data = data
        self._copies = copies  # id -> (object, original path); holding the object keeps its id unique
        self._errors = errors
        self.dropped_ids = frozenset(dropped_ids)
        """The ``id`` of every list item set aside: references to them are not unknown, only broken."""

    def original(self, path: Sequence[str | int]) -> Path:
        """``path`` in the salvaged data as a path in the original document."""
        node: object = self._data
        base: Path = ()
        rest = 0
        for index, step in enumerate(path):
            node = _child(node, step)
            if node is _MISSING:
                break
            if id(node) in self._copies:
                base, rest = self._copies[id(node)][1], index + 1
        return (*base, *path[rest:])

    def touched(self, path: Sequence[str | int]) -> bool:
        """Whether a schema error lies at or under ``path`` (a path in the salvaged data)."""
        where = self.original(path)
        return any(error[: len(where)] == where for error in self._errors)


@dataclass(frozen=True)
class Salvaged(Generic[M]):
    """The model of what validated (``None`` when nothing could), with the schema errors met."""

    model: M | None
    errors: tuple[ErrorDetails, ...]
    origins: Origins


def salvage(data: object, shape: Shape[M]) -> Salvaged[M]:
    """Validate ``data`` as ``shape.root``, setting broken pieces aside until the rest validates.

    ``errors`` are those of the whole, untouched data: every schema error, each at its place.
    """
    try:  # the usual case, a well-formed definition: nothing to set aside, no copy to make
        valid = shape.root.model_validate(data)
    except ValidationError:
        pass
    else:
        return Salvaged(valid, (), Origins(data, copies={}, errors=[], dropped_ids=set()))
    copies: dict[int, tuple[object, Path]] = {}
    work = _copy(data, (), copies)
    first: list[ErrorDetails] | None = None
    dropped_ids: set[str] = set()
    model: M | None = None
    for _ in range(_MAX_PASSES):
        try:
            model = shape.root.model_validate(work)
            break
        except ValidationError as err:
            errors = err.errors(include_url=False)
            first = errors if first is None else first
            if not _repair(work, errors, shape=shape, dropped_ids=dropped_ids):
                break
    errors = first or []
    origins = Origins(work, copies=copies, errors=[_loc(error) for error in errors], dropped_ids=dropped_ids)
    return Salvaged(model, tuple(errors), origins)


def _loc(error: ErrorDetails) -> Path:
    return tuple(step for step in error["loc"] if isinstance(step, int | str))


def _copy(data: object, path: Path, copies: dict[int, tuple[object, Path]]) -> object:
    """A fresh tree (YAML aliases become separate copies), each container remembering its path."""
    copied: object
    if isinstance(data, dict):
        copied = {key: _copy(value, (*path, key), copies) for key, value in data.items()}
    elif isinstance(data, list):
        copied = [_copy(item, (*path, index), copies) for index, item in enumerate(data)]
    else:
        return data
    copies[id(copied)] = (copied, path)
    return copied


def _child(node: object, step: str | int) -> object:
    if isinstance(node, dict):
        return node.get(step, _MISSING)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return _MISSING


def _repair(work: object, errors: Sequence[ErrorDetails], *, shape: Shape[M], dropped_ids: set[str]) -> bool:
    """Set aside the piece behind each error; ``False`` when one cannot be set aside."""
    drops: dict[int, tuple[list[object], set[int]]] = {}
    locs = [_loc(error) for error in errors]
    for error, loc in zip(errors, locs, strict=True):
        if error["type"] == "too_short" and any(other[: len(loc)] == loc and other != loc for other in locs):
            continue  # a list that only looks empty because its items failed: their repair settles it
        if not _repair_one(work, loc, shape=shape, drops=drops):
            return False
    for items, indexes in drops.values():
        for index in sorted(indexes, reverse=True):
            item = items.pop(index)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                dropped_ids.add(item["id"])
    return True


def _repair_one(work: object, loc: Path, *, shape: Shape[M], drops: dict[int, tuple[list[object], set[int]]]) -> bool:
    chain = [work]
    for step in loc[:-1]:
        node = _child(chain[-1], step)
        if node is _MISSING:
            return True  # inside a piece already set aside in this pass
        chain.append(node)
    for depth in range(len(loc) - 1, -1, -1):
        parent, step = chain[depth], loc[depth]
        if isinstance(parent, list) and isinstance(step, int) and 0 <= step < len(parent):
            drops.setdefault(id(parent), (parent, set()))[1].add(step)
            return True
        if isinstance(parent, dict) and _repair_key(parent, step, model=shape.model_at(loc[:depth]), shape=shape):
            return True
    return False


def _repair_key(
    parent: dict[object, object], step: str | int, *, model: type[BaseModel] | None, shape: Shape[M]
) -> bool:
    """Remove or replace ``parent[step]`` if that leaves the mapping valid; ``False`` if it cannot."""
    if model is None or isinstance(step, int):  # a free mapping (a text): its entries stand alone
        return parent.pop(step, _MISSING) is not _MISSING
    fields = {info.alias or name: info for name, info in model.model_fields.items()}
    info = fields.get(step)
    if info is None or not info.is_required():
        return parent.pop(step, _MISSING) is not _MISSING
    if (model, step) in shape.placeholders:
        parent[step] = _copy(shape.placeholders[model, step], (), {})
        return True
    return False
