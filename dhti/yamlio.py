"""Reading YAML safely and fast, with positions on demand; writing commented templates.

Loading uses libyaml's C composer (through PyYAML) and a small constructor of our own that
follows the YAML 1.2 core schema: ``yes``/``no``/``on``/``off`` stay strings, dates stay strings
(validated later), and only the standard tags are accepted.  The composed node tree is kept so
that a position is looked up only when there is a problem to report.

Every way a file can be hostile (too large, binary, not UTF-8, tabs, duplicate keys, alias
bombs, recursive aliases, deep nesting, unknown tags, several documents) becomes an
:class:`~dhti.errors.InputError` with a position, never a crash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dhti.errors import InputError, Problem, Severity, nul_bytes_message
from dhti.messages import L_, N_, Count, Decimal, Message, plain

if TYPE_CHECKING:
    from collections.abc import Iterator

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import Loader as _Parser  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000
# A plain number longer than this is refused: no count or amount needs it, and converting
# thousands of digits is slow and, past Python's int-string limit, impossible.
MAX_NUMBER_CHARS = 100

_PLAIN = "?plain"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TAG_TYPES = {
    _STR: "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
}

_EXPECTED: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})

# Text that might nest deeply is first checked event by event with PyYAML's pure-Python
# parser, which has no nesting limit of its own and is not recursive: the message and its
# position are then dhti's, whatever libyaml (and whatever limits it carries) a machine has.
# The checks that decide whether to look are cheap upper bounds: every flow collection opens
# with a bracket, and block collections nest only by indentation or by compact "- - -" runs.
_DEEP_INDENT = re.compile(r"^[ ]{120,}\S", re.MULTILINE)
_COMPACT_RUN = re.compile(r"(?:[-?:][ ]+){30}")
_FLOW_BRACKET = re.compile(r"[][{}]")
_FLOW_OPENERS_LIMIT = 500  # well below libyaml's own limit of 1000 flow levels
_FLOW_DEPTH_HINT = MAX_DEPTH // 2

# libyaml's own words for the errors it finds most often: marked for the catalogue, so that they are
# translated where dhti quotes them (:func:`plain`); any other wording is shown as libyaml writes it.
LIBYAML_TEXTS = (
    N_("mapping values are not allowed in this context"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected key"),
    N_("did not find expected node content"),
    N_("did not find expected alphabetic or numeric character"),
    N_("found unexpected end of stream"),
    N_("found undefined alias"),
    N_("found character that cannot start any token"),
    N_("found unknown escape character"),
    N_("but found another document"),
    N_("expected a single document in the stream"),
    N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a block mapping"),
    N_("while parsing a block node"),
    N_("while parsing a quoted scalar"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a simple key"),
    N_("while scanning for the next token"),
    N_("while scanning an anchor"),
)


class _Composer(_Parser):
    """libyaml's composer with a resolver that leaves typing of plain scalars to us."""

    def descend_resolver(self, *_: object) -> None:
        return None

    def ascend_resolver(self, *_: object) -> None:
        return None

    def resolve(self, kind: type, _value: object, implicit: object) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR  # type: ignore[index]
        return _MAP if kind is MappingNode else _SEQ


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C (cheap when it already is)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


class Document:
    """A loaded YAML file: plain Python data plus the node tree for positions."""

    __slots__ = ("_keys", "_root", "data", "file")

    def __init__(self, file: str, data: object, root: Node | None) -> None:
        self.file = file
        self.data = data
        self._root = root
        # Each mapping's keys, indexed the first time a path goes through it: a file with
        # thousands of problems must not scan its mappings once per problem.
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}

    def position(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the node at ``path``, or of its nearest ancestor.

        With ``key=True`` and a path ending in a mapping key, the key's own position.
        """
        if self._root is None:
            return (1, 1)
        found, _complete = self._walk(self._root, path, key=key)
        return (found.start_mark.line + 1, found.start_mark.column + 1)

    def written(self, path: Sequence[str | int]) -> str | None:
        """The scalar at ``path`` as the file writes it (``0042``, not 42), or None if there is none.

        Fields that hold text use it, so that an unquoted number is kept exactly as written.
        """
        if self._root is None:
            return None
        found, complete = self._walk(self._root, path, key=False)
        if not complete or not isinstance(found, ScalarNode):
            return None
        return nfc(found.value)

    def problem(
        self,
        path: Sequence[str | int],
        message: str | Message,
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        """A :class:`Problem` located at ``path`` in this document."""
        line, column = self.position(path, key=key)
        return Problem.of(self.file, line, column, message, severity)

    def _walk(self, node: Node, path: Sequence[str | int], *, key: bool) -> tuple[Node, bool]:
        """The deepest node along ``path``, and whether the whole path was found."""
        last = len(path) - 1
        for index, step in enumerate(path):
            child = self._child(node, step, key=key and index == last)
            if child is None:
                return node, False
            node = child
        return node, True

    def _child(self, node: Node, step: str | int, *, key: bool) -> Node | None:
        if isinstance(node, MappingNode):
            pair = self._mapping_keys(node).get(str(step))
            if pair is None:
                return None
            return pair[0] if key else pair[1]
        if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            return node.value[step]  # type: ignore[no-any-return]
        return None

    def _mapping_keys(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        keys = self._keys.get(id(node))
        if keys is None:
            keys = {}
            for key_node, value_node in node.value:
                name = _key_text(key_node)
                if name is not None:
                    keys.setdefault(name, (key_node, value_node))
            self._keys[id(node)] = keys
        return keys


def _key_text(node: Node) -> str | None:
    """A key as paths name it: the text of its value (``1`` for the key 1 and for the key '1')."""
    if not isinstance(node, ScalarNode):
        return None
    try:
        return str(_scalar(node))
    except _NodeError:
        return None


class _NodeError(Exception):
    def __init__(self, node: Node, message: Message) -> None:
        super().__init__(str(message))
        self.node = node
        self.message = message


def load(path: str | Path, *, display: str | None = None) -> Document:
    """Read and parse one YAML file, refusing anything hostile with a positioned error."""
    name = display or str(path)
    return load_bytes(read_bounded(Path(path), display=name), name)


def read_bounded(path: Path, *, display: str, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes, never more than ``limit`` read: its size is checked first, and the read stops there.

    Every file dhti takes in (YAML, CSV, XLSX, JSON) is read through here, so a file that grows
    while it is read, or is not what its size says, cannot exceed the limit either.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError([Problem.of(display, 1, 1, _too_large(size, limit))])
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as err:
        reason = plain(err.strerror or str(err))
        raise InputError([Problem.of(display, 1, 1, L_("cannot read file: %(reason)s", reason=reason))]) from err
    if len(raw) > limit:
        raise InputError([Problem.of(display, 1, 1, _too_large(len(raw), limit))])
    return raw


def _too_large(size: int, limit: int = MAX_BYTES) -> Message:
    return L_(
        "file is %(size)s MiB; the limit is %(limit)s MiB", size=Decimal(size / 1048576), limit=Count(limit // 1048576)
    )


def load_bytes(raw: bytes, file: str, *, nesting_checked: bool = False) -> Document:
    """Parse YAML from bytes (UTF-8, optional BOM); ``nesting_checked`` as in :func:`load_text`."""
    if len(raw) > MAX_BYTES:
        raise InputError([Problem.of(file, 1, 1, _too_large(len(raw)))])
    if b"\x00" in raw:
        message = nul_bytes_message(raw, "YAML")
        binary = message.text.startswith("binary")  # text in another encoding is wrong from its first byte
        line, column = _byte_position(raw, raw.index(b"\x00")) if binary else (1, 1)
        raise InputError([Problem.of(file, line, column, message)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _byte_position(raw, err.start)
        byte = f"0x{raw[err.start]:02x}"
        message = L_("not UTF-8 text: byte %(byte)s cannot be decoded; save the file as UTF-8", byte=byte)
        raise InputError([Problem.of(file, line, column, message)]) from err
    return load_text(text, file, nesting_checked=nesting_checked)


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def load_text(text: str, file: str, *, nesting_checked: bool = False) -> Document:
    """Parse YAML text into a :class:`Document`.

    ``nesting_checked`` is for text known to have passed the depth guard already (a bundled
    questionnaire whose bytes match its index): on a large file the guard costs a tenth of a second.
    """
    if not text.strip():
        raise InputError([Problem.of(file, 1, 1, L_("file is empty"))])
    if not nesting_checked and _might_nest_deeply(text):
        _check_depth(text, file)
    try:
        root = _Composer(text).get_single_node()
    except yaml.MarkedYAMLError as err:
        raise InputError([_syntax_problem(err, text, file)]) from err
    except yaml.reader.ReaderError as err:
        raise InputError([_character_problem(err, text, file)]) from err
    except yaml.YAMLError as err:
        raise InputError([Problem.of(file, 1, 1, L_("invalid YAML: %(detail)s", detail=plain(str(err))))]) from err
    if root is None:
        raise InputError([Problem.of(file, 1, 1, L_("file holds no YAML document (only comments?)"))])
    try:
        data = _Constructor().construct(root)
    except _NodeError as err:
        mark = err.node.start_mark
        raise InputError([Problem.of(file, mark.line + 1, mark.column + 1, err.message)]) from None
    return Document(file, data, root)


def _might_nest_deeply(text: str) -> bool:
    openers = text.count("[") + text.count("{")
    if openers > _FLOW_OPENERS_LIMIT:
        return True
    if openers > _FLOW_DEPTH_HINT and _bracket_depth(text) > _FLOW_DEPTH_HINT:
        return True
    return _DEEP_INDENT.search(text) is not None or _COMPACT_RUN.search(text) is not None


def _bracket_depth(text: str) -> int:
    """The deepest bracket nesting, counting brackets inside quotes too (an upper bound's cue)."""
    depth = deepest = 0
    for match in _FLOW_BRACKET.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


class _EventParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python parser, used only to measure nesting before the C composer runs."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _check_depth(text: str, file: str) -> None:
    parser = _EventParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, column = (event.start_mark.line, event.start_mark.column) if event.start_mark else (0, 0)
                    message = L_("nesting deeper than %(depth)s levels", depth=MAX_DEPTH)
                    raise InputError([Problem.of(file, line + 1, column + 1, message)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # not nested too deeply before this point: the C composer reports the error itself


def _character_problem(err: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    # libyaml counts the offset in bytes of the UTF-8 text it was given.
    raw = text.encode("utf-8", errors="surrogatepass")
    line, column = _byte_position(raw, min(max(err.position, 0), len(raw)))
    code = err.character if isinstance(err.character, int) else ord(err.character)
    shown = f"#x{code:04x}"
    message = L_("invalid YAML: unacceptable character %(code)s: %(reason)s", code=shown, reason=plain(err.reason))
    return Problem.of(file, line, column, message)


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.splitlines()
    current = lines[line] if line < len(lines) else ""
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    if "\t" in indent:
        return Problem.of(
            file, line + 1, current.index("\t") + 1, L_("tab character in indentation; YAML indents with spaces only")
        )
    return Problem.of(file, line + 1, column + 1, L_("invalid YAML: %(detail)s", detail=_syntax_detail(err, mark)))


def _syntax_detail(err: yaml.MarkedYAMLError, mark: yaml.Mark | None) -> Message:
    """libyaml's own words for the error, and where the construct it was reading starts."""
    detail = plain(err.problem) if err.problem else L_("syntax error")
    if not err.context:
        return detail
    context = plain(err.context)
    started = err.context_mark
    if started is not None and started is not mark:
        return L_(
            "%(detail)s (%(context)s that starts at line %(line)s, column %(column)s)",
            detail=detail,
            context=context,
            line=started.line + 1,
            column=started.column + 1,
        )
    return L_("%(detail)s (%(context)s)", detail=detail, context=context)


class _Constructor:
    """Builds plain Python data from nodes, counting what aliases expand to."""

    def __init__(self) -> None:
        self._done: dict[int, object] = {}
        self._active: set[int] = set()
        self._nodes = 0

    def construct(self, node: Node, depth: int = 0) -> object:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _NodeError(node, _alias_bomb())
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if depth >= MAX_DEPTH:
            raise _NodeError(node, L_("nesting deeper than %(depth)s levels", depth=MAX_DEPTH))
        ident = id(node)
        if ident in self._done:
            # An alias: count its expansion again so that bombs are caught, keep the object.
            self._count(node, depth)
            return self._done[ident]
        if ident in self._active:
            raise _NodeError(node, L_("recursive alias: an anchor refers to itself"))
        self._active.add(ident)
        if isinstance(node, MappingNode):
            value: object = self._mapping(node, depth)
        else:
            value = self._sequence(node, depth)  # type: ignore[arg-type]
        self._active.discard(ident)
        self._done[ident] = value
        return value

    def _count(self, node: Node, depth: int) -> None:
        for child in _children(node):
            self._nodes += 1
            if self._nodes > MAX_NODES:
                raise _NodeError(node, _alias_bomb())
            if not isinstance(child, ScalarNode):
                self._count(child, depth + 1)

    def _mapping(self, node: MappingNode, depth: int) -> dict[object, object]:
        if node.tag != _MAP:
            raise _NodeError(node, _unsupported_tag(node.tag))
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _NodeError(key_node, L_("mapping keys must be plain values, not lists or mappings"))
            key = _scalar(key_node)
            if key == "<<" and key_node.tag == _PLAIN:
                raise _NodeError(key_node, L_("merge keys ('<<') are not supported"))
            if key in result:
                raise _NodeError(key_node, L_("duplicate key %(key)s: each key may appear once", key=repr(key)))
            if key is None or isinstance(key, float):
                raise _NodeError(key_node, L_("invalid key %(key)s", key=repr(key_node.value)))
            result[key] = self.construct(value_node, depth + 1)
        return result

    def _sequence(self, node: SequenceNode, depth: int) -> list[object]:
        if node.tag != _SEQ:
            raise _NodeError(node, _unsupported_tag(node.tag))
        return [self.construct(child, depth + 1) for child in node.value]


def _alias_bomb() -> Message:
    return L_("document expands to more than %(count)s nodes (alias bomb?)", count=MAX_NODES)


def _unsupported_tag(tag: str) -> Message:
    return L_("unsupported tag %(tag)s", tag=repr(tag))


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            yield key_node
            yield value_node
    elif isinstance(node, SequenceNode):
        yield from node.value


class _NumberTooLongError(ValueError):
    pass


def _scalar(node: ScalarNode) -> object:
    try:
        return _typed_scalar(node)
    except _NumberTooLongError:
        message = L_(
            "a number written with %(length)s characters; the limit is %(limit)s (write it in quotes if it is text)",
            length=len(node.value),
            limit=MAX_NUMBER_CHARS,
        )
        raise _NodeError(node, message) from None


def _typed_scalar(node: ScalarNode) -> object:
    tag = node.tag
    value: str = node.value
    if tag == _STR:
        return nfc(value)
    if tag == _PLAIN:
        return _plain(value)
    kind = _TAG_TYPES.get(tag)
    if kind is None:
        raise _NodeError(node, _unsupported_tag(tag))
    typed = _plain(value)
    if kind == "str":  # pragma: no cover - handled above
        return nfc(value)
    expected = _EXPECTED[kind]
    if not isinstance(typed, expected) or (kind == "int" and isinstance(typed, bool)):
        raise _NodeError(node, L_("%(value)s is not a valid %(kind)s", value=repr(value), kind=kind))
    return float(typed) if kind == "float" else typed  # type: ignore[arg-type]


def _plain(value: str) -> object:
    if len(value) > MAX_NUMBER_CHARS:
        return _long_plain(value)
    if not value or value[0] in "~nNtTfF-+.0123456789":
        if value in _NULLS:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        if _INT_OCT.match(value):
            return int(value, 0)
        if _INT_HEX.match(value):
            return int(value, 0)
        if _INF.match(value):
            return float("-inf") if value[0] == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
    return nfc(value)


def _long_plain(value: str) -> str:
    if value[0] in "-+.0123456789" and any(pattern.match(value) for pattern in (_INT, _FLOAT, _INT_OCT, _INT_HEX)):
        raise _NumberTooLongError(value)
    return nfc(value)


class TemplateEntry:
    """A key of a fillable template: its value (a scalar or nested entries) and its comments."""

    __slots__ = ("before", "key", "note", "value")

    def __init__(self, key: str, value: object = None, *, before: Sequence[str] = (), note: str | None = None) -> None:
        self.key = key
        self.value = value
        self.before = tuple(before)
        self.note = note


def dump_template(entries: Sequence[TemplateEntry], *, header: Sequence[str] = ()) -> str:
    """Write a commented YAML template; empty values are written ``~`` to show what to fill."""
    from io import StringIO  # noqa: PLC0415

    from ruamel.yaml import YAML  # noqa: PLC0415 - only ``dhti init`` needs the writer

    writer = YAML()
    writer.width = 4096
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.representer.add_representer(
        type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", "~")
    )
    root: Any = _commented(entries, indent=0)
    if header:
        root.yaml_set_start_comment("\n".join(header))
    out = StringIO()
    writer.dump(root, out)
    return out.getvalue()


def _commented(entries: Sequence[TemplateEntry], *, indent: int) -> object:
    from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415

    mapping = CommentedMap()
    column = indent + max((len(entry.key) for entry in entries), default=0) + 6
    for entry in entries:
        value = entry.value
        if isinstance(value, list | tuple) and value and isinstance(value[0], TemplateEntry):
            value = _commented(value, indent=indent + 2)
        mapping[entry.key] = value
        if entry.before:
            mapping.yaml_set_comment_before_after_key(entry.key, before="\n".join(entry.before), indent=indent)
        if entry.note:
            mapping.yaml_add_eol_comment(entry.note, entry.key, column=column)
    return mapping


class AnswerEdit:
    """A changed answer for :func:`retarget`: the question, its new value (plain YAML data) and a note for its line.

    ``after`` lists the questions that come before it in the questionnaire, nearest first: a question
    the file does not answer yet goes after the first of them that it does.
    """

    __slots__ = ("after", "note", "question", "value")

    def __init__(self, question: str, value: object, *, note: str, after: Sequence[str] = ()) -> None:
        self.question = question
        self.value = value
        self.note = note
        self.after = tuple(after)


def retarget(text: str, edits: Sequence[AnswerEdit], *, header: Sequence[str]) -> str:
    """The response ``text`` with only these answers changed, its comments and order kept (a round trip).

    A changed answer written as a mapping keeps its evidence and comment; each gets ``note`` at the end
    of its line, and ``header`` goes above the first line of the file.
    """
    from io import StringIO  # noqa: PLC0415

    from ruamel.yaml import YAML  # noqa: PLC0415 - only ``dhti plan -o`` round-trips a response
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415

    writer = YAML()
    writer.width = 4096
    writer.preserve_quotes = True
    writer.indent(mapping=2, sequence=4, offset=2)
    root: Any = writer.load(text)
    answers = root.get("answers")
    if not isinstance(answers, CommentedMap):
        answers = root["answers"] = CommentedMap()
    for edit in edits:
        value = CommentedSeq(edit.value) if isinstance(edit.value, list) else edit.value
        if isinstance(value, CommentedSeq):
            value.fa.set_flow_style()
        held = answers.get(edit.question)
        if isinstance(held, CommentedMap):
            held["value"] = value
            held.yaml_add_eol_comment(_one_line(edit.note), "value")
            continue
        if edit.question not in answers:
            keys = list(answers)
            before = next((key for key in edit.after if key in answers), None)
            answers.insert(keys.index(before) + 1 if before is not None else len(keys), edit.question, value)
        answers[edit.question] = value
        answers.yaml_add_eol_comment(_one_line(edit.note), edit.question)
    out = StringIO()
    writer.dump(root, out)
    lines = [part for line in header for part in (line.splitlines() or [""])]  # a comment per line, always
    return "".join(f"# {line}\n" if line else "#\n" for line in lines) + out.getvalue()


def _one_line(text: str) -> str:
    """A comment's text on one line: a line break in it would end the comment and start YAML."""
    return " ".join(text.split())
