"""Safe YAML loading: every hostile input becomes one positioned message, never a crash."""

from __future__ import annotations

import time
import unicodedata

import pytest
import yaml

from dhti import yamlio
from dhti.errors import InputError
from dhti.yamlio import MAX_BYTES, load, load_bytes, load_text


def problem_of(raw: bytes) -> str:
    with pytest.raises(InputError) as info:
        load_bytes(raw, "f.yaml")
    assert len(info.value.problems) == 1
    return str(info.value.problems[0])


BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
)


HOSTILE = [
    (b"a: 1\na: 2\n", "f.yaml:2:1: error: duplicate key 'a'"),
    (b"a:\n\tb: 1\n", "f.yaml:2:1: error: tab character in indentation"),
    (b"a: [1, 2\n", "f.yaml:2:1: error: invalid YAML: did not find expected ',' or ']'"),
    (b"a: \xff\n", "f.yaml:1:4: error: not UTF-8 text: byte 0xff"),
    (b"ok: 1\nname: Vi\xe1\xbb\x87t \xc3\x28\n", "f.yaml:2:12: error: not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "f.yaml:3:1: error: binary file"),
    ("a: Việt\n".encode("utf-16"), "f.yaml:1:1: error: UTF-16 text, not UTF-8: save it as UTF-8 and try again"),
    ("a: Việt\n".encode("utf-16-be"), "f.yaml:1:1: error: UTF-16 text without a byte order mark, not UTF-8"),
    ("a: Việt\n".encode("utf-32"), "f.yaml:1:1: error: UTF-32 text, not UTF-8"),
    (b"", "f.yaml:1:1: error: file is empty"),
    (b"   \n\n", "f.yaml:1:1: error: file is empty"),
    (b"# only a comment\n", "f.yaml:1:1: error: file holds no YAML document"),
    (BOMB.encode(), "alias bomb"),
    (b"a: &a [*a]\n", "f.yaml:1:4: error: recursive alias"),
    (b"a: " + b"[" * 100_000 + b"]" * 100_000, "f.yaml:1:67: error: nesting deeper than 64 levels"),
    (b"a: " + b"[" * 70 + b"]" * 70, "error: nesting deeper than 64 levels"),
    (b"- " * 5000 + b"x\n", "error: nesting deeper than 64 levels"),
    (b"a: !!python/object:os.system x\n", "f.yaml:1:4: error: unsupported tag"),
    (b"a: !!int seven\n", "f.yaml:1:4: error: 'seven' is not a valid int"),
    (b"a: 1\n---\nb: 2\n", "f.yaml:2:1: error: invalid YAML: but found another document"),
    (b"? [a, b]\n: 1\n", "f.yaml:1:3: error: mapping keys must be plain values"),
    (b"base: &x {b: 1}\nc:\n  <<: *x\n", "f.yaml:3:3: error: merge keys"),
    (b"a: 'unterminated\n", "invalid YAML"),
    (b"a: 1\n  \tb: 2\n", "f.yaml:2:3: error: tab character in indentation"),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_hostile_input_gives_one_positioned_message(raw: bytes, expected: str) -> None:
    assert expected in problem_of(raw)


def pure_python_composer() -> type:
    """dhti's composer on PyYAML's pure-Python parser instead of libyaml's."""
    overrides = {name: yamlio._Composer.__dict__[name] for name in ("descend_resolver", "ascend_resolver", "resolve")}
    return type("PurePythonComposer", (yaml.Loader,), overrides)


@pytest.mark.parametrize(("raw", "expected"), [case for case in HOSTILE if "invalid YAML" not in case[1]])
def test_dhti_own_messages_do_not_depend_on_the_yaml_library(monkeypatch, raw: bytes, expected: str) -> None:
    # Every refusal of dhti's own (encoding, size, depth, aliases, keys, tags) reads the same on any parser.
    monkeypatch.setattr(yamlio, "_Composer", pure_python_composer())
    assert expected in problem_of(raw)


DEEP = [
    (b"a: " + b"[" * 100_000 + b"]" * 100_000, "f.yaml:1:67: error: nesting deeper than 64 levels"),
    (b"a: " + b"[" * 999 + b"]" * 999, "f.yaml:1:67: error: nesting deeper than 64 levels"),
    (b"a: " + b'[ "]", ' * 1200 + b"x" + b"]" * 1200, "f.yaml:1:445: error: nesting deeper than 64 levels"),
    (b"a: " + b"{b: " * 2000 + b"1" + b"}" * 2000, "f.yaml:1:256: error: nesting deeper than 64 levels"),
    (b"- " * 5000 + b"x\n", "f.yaml:1:129: error: nesting deeper than 64 levels"),
    (b"".join(b" " * (2 * i) + b"k:\n" for i in range(200)) + b" " * 400 + b"x: 1\n", "f.yaml:65:"),
]


@pytest.mark.parametrize(("raw", "expected"), DEEP)
def test_deep_nesting_is_refused_by_dhti_before_the_yaml_library_parses(monkeypatch, raw, expected) -> None:
    # The guard's message and position must not depend on the limits of the libyaml a machine has.
    def parser_reached(*_: object) -> None:
        raise AssertionError("the C composer saw a document nested too deeply")

    monkeypatch.setattr(yamlio, "_Composer", parser_reached)
    assert expected in problem_of(raw)


def test_file_over_limit_is_refused_before_reading(tmp_path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    with pytest.raises(InputError, match=r"big.yaml:1:1: error: file is 5.0 MiB; the limit is 5 MiB"):
        load(path)


def test_missing_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load(tmp_path / "nope.yaml")


def test_hostile_inputs_are_refused_quickly() -> None:
    # Not a timing assertion on speed, a guard against pathological blow-ups (minutes, not ms).
    start = time.perf_counter()
    for raw in (BOMB.encode(), b"a: " + b"[" * 100_000 + b"]" * 100_000, b"- " * 100_000 + b"x"):
        with pytest.raises(InputError):
            load_bytes(raw, "f.yaml")
    assert time.perf_counter() - start < 10


def test_yaml_1_2_core_schema() -> None:
    data = load_text(
        "a: yes\nb: no\nc: on\nd: true\ne: ~\nf: 2026-10-15\ng: 0o17\nh: 0x1F\ni: 1.5e2\nj: .inf\nk: '1'\nl: 010\n",
        "f.yaml",
    ).data
    assert data == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": True,
        "e": None,
        "f": "2026-10-15",
        "g": 15,
        "h": 31,
        "i": 150.0,
        "j": float("inf"),
        "k": "1",
        "l": 10,
    }


def test_strings_are_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Bệnh viện Đa khoa")
    data = load_text(f"{decomposed}: {decomposed}\n", "f.yaml").data
    assert data == {"Bệnh viện Đa khoa": "Bệnh viện Đa khoa"}
    assert all(unicodedata.is_normalized("NFC", text) for text in (*data, *data.values()))


def test_byte_order_mark_is_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfa: 1\n", "f.yaml").data == {"a": 1}


def test_positions_count_characters_not_bytes() -> None:
    document = load_text("tên: Việt\nđịa_chỉ:\n  tỉnh: Hà Nội\n", "f.yaml")
    assert document.position(["địa_chỉ", "tỉnh"]) == (3, 9)
    assert document.position(["địa_chỉ", "tỉnh"], key=True) == (3, 3)
    assert document.position(["địa_chỉ", "missing"]) == (3, 3)


def test_positions_into_sequences() -> None:
    document = load_text("xs:\n  - a\n  - {b: 2}\n", "f.yaml")
    assert document.position(["xs", 1, "b"]) == (3, 9)
    assert document.position(["xs", 7]) == (2, 3)


def test_a_literal_control_character_is_reported_where_it_is() -> None:
    # libyaml reports a byte offset into the UTF-8 text; the message must give line and column.
    raw = 'tên: "Việt"\nb: "ệệ\x7fy"\n'.encode()
    assert problem_of(raw) == (
        "f.yaml:2:7: error: invalid YAML: unacceptable character #x007f: control characters are not allowed"
    )


@pytest.mark.parametrize("number", ["9" * 101, "9" * 5000, "0x" + "f" * 200, "1" * 60 + "." + "5" * 60])
def test_numbers_written_too_long_are_refused_where_they_are(number: str) -> None:
    message = problem_of(f"a: 1\nb:\n  c: {number}\n".encode())
    assert message == (
        f"f.yaml:3:6: error: a number written with {len(number)} characters; the limit is 100"
        " (write it in quotes if it is text)"
    )


def test_a_long_number_as_a_key_is_refused_too() -> None:
    assert problem_of(b"a:\n  " + b"7" * 200 + b": x\n").startswith("f.yaml:2:3: error: a number written with 200")


def test_plain_scalars_keep_the_text_they_were_written_as() -> None:
    document = load_text("e:\n  id: 0042\n  h: 0x1F\n  f: 1.5e3\n  i: .inf\n  s: 'quoted'\n  m: {}\n", "f.yaml")
    assert document.data == {"e": {"id": 42, "h": 31, "f": 1500.0, "i": float("inf"), "s": "quoted", "m": {}}}
    written = [document.written(["e", key]) for key in ("id", "h", "f", "i", "s")]
    assert written == ["0042", "0x1F", "1.5e3", ".inf", "quoted"]
    assert document.written(["e", "m"]) is None
    assert document.written(["e", "missing"]) is None
    assert document.written(["e"]) is None


def test_positions_in_a_mapping_of_many_keys_are_found_quickly() -> None:
    # Not a timing assertion on speed, a guard against a scan per lookup (minutes, not seconds).
    count = 60_000
    document = load_text("m:\n" + "".join(f"  k{i}: {i}\n" for i in range(count)), "f.yaml")
    start = time.perf_counter()
    positions = [document.position(["m", f"k{i}"], key=True) for i in range(count)]
    assert time.perf_counter() - start < 20
    assert positions[0] == (2, 3)
    assert positions[-1] == (count + 1, 3)
    assert document.position(["m", "k7"]) == (9, 7)
    assert document.position(["m", 7]) == (2, 3)  # no such key: the mapping itself
