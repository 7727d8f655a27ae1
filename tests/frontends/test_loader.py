"""The loader and the located JSON parser: spans, YAML 1.1 scalars, duplicate keys,
CloudFormation short tags, limits and syntax errors, checked against PyYAML and json."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiln.frontends.loader import (
    CFN_SHORT_TAGS,
    LoadOptions,
    LoadResult,
    load_bytes,
    load_file,
    load_text,
)
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq, to_plain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web_stack.yaml"


# --- helpers -------------------------------------------------------------------------------


def load(text, name="t.yaml", **options) -> LoadResult:
    return load_text(text, name, LoadOptions(**options))


def codes(result: LoadResult) -> list[str]:
    return [d.code.id for d in result.diagnostics]


def ok(text, name="t.yaml") -> LNode:
    result = load(text, name)
    assert result.root is not None, [d.message for d in result.diagnostics]
    assert result.diagnostics == (), [d.message for d in result.diagnostics]
    return result.root


def where(node) -> tuple[int, int, int, int]:
    """(line, column, end line, end column), all 1-based."""
    span = node.span
    return (span.start.line, span.start.column, span.end.line, span.end.column)


def text_of(result: LoadResult, node) -> str:
    return result.source.text[node.span.start.offset : node.span.end.offset]


def get(node, *path):
    for step in path:
        node = node.get(step) if isinstance(node, LMap) else node.items[step]
        assert node is not None, step
    return node


def key(node: LMap, name) -> LScalar:
    found = node.key_node(name)
    assert found is not None, name
    return found


def walk(node):
    """Every node of the tree, keys included."""
    yield node
    if isinstance(node, LMap):
        for k, v in node.entries:
            yield k
            yield from walk(v)
    elif isinstance(node, LSeq):
        for item in node.items:
            yield from walk(item)


def same(a, b) -> bool:
    """Equal, with the same types all the way down (True is not 1, 1.0 is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def only(result: LoadResult, code: str):
    assert codes(result) == [code], [(d.code.id, d.message) for d in result.diagnostics]
    return result.diagnostics[0]


# --- spans: YAML ---------------------------------------------------------------------------


def test_yaml_spans_of_keys_and_scalars():
    text = 'name: value\nport: 8080\nquoted: "a b"\n'
    result = load(text)
    root = result.root
    assert where(key(root, "name")) == (1, 1, 1, 5)
    assert where(root.get("name")) == (1, 7, 1, 12)
    assert where(key(root, "port")) == (2, 1, 2, 5)
    assert where(root.get("port")) == (2, 7, 2, 11)
    assert text_of(result, root.get("quoted")) == '"a b"'
    assert [n.span.start.offset for n in (key(root, "name"), key(root, "port"))] == [0, 12]


def test_yaml_spans_of_block_collections_start_at_first_item_and_end_at_last():
    text = "top:\n  inner:\n    - a\n    - {b: c}\n  after: 1\n# trailing comment\n\nnext: 2\n"
    result = load(text)
    root = result.root
    inner = get(root, "top", "inner")
    assert isinstance(inner, LSeq)
    assert where(inner) == (3, 5, 4, 13)
    assert text_of(result, inner) == "- a\n    - {b: c}"
    top = root.get("top")
    assert where(top)[:2] == (2, 3)
    assert text_of(result, top).endswith("after: 1")
    assert where(root)[:2] == (1, 1)
    assert text_of(result, root).endswith("next: 2")


def test_yaml_spans_of_flow_collections_include_brackets():
    result = load("a: [1, [2, 3], {k: v}]\n")
    seq = result.root.get("a")
    assert text_of(result, seq) == "[1, [2, 3], {k: v}]"
    assert text_of(result, seq.items[1]) == "[2, 3]"
    assert text_of(result, seq.items[2]) == "{k: v}"
    assert where(seq.items[2]) == (1, 16, 1, 22)


def test_yaml_spans_count_characters_not_bytes():
    text = "é: ünï\n漢字: [ж, β]\nb: 😀x\n"
    result = load(text)
    root = result.root
    assert where(key(root, "é")) == (1, 1, 1, 2)
    assert where(root.get("é")) == (1, 4, 1, 7)
    assert where(key(root, "漢字")) == (2, 1, 2, 3)
    assert where(root.get("漢字").items[1]) == (2, 9, 2, 10)
    assert where(root.get("b")) == (3, 4, 3, 6)
    for node in walk(root):
        if isinstance(node, LScalar):
            assert text_of(result, node) == node.value


def test_yaml_spans_with_crlf_line_endings():
    text = "a: 1\r\nbb: two\r\nlist:\r\n  - x\r\n  - y\r\n"
    result = load(text)
    root = result.root
    assert to_plain(root) == {"a": 1, "bb": "two", "list": ["x", "y"]}
    assert where(key(root, "bb")) == (2, 1, 2, 3)
    assert where(root.get("bb")) == (2, 5, 2, 8)
    assert where(get(root, "list", 1)) == (5, 5, 5, 6)
    assert "\r" not in text_of(result, root.get("bb"))


def test_utf8_bom_is_not_part_of_the_text_or_the_columns():
    for name, data in (
        ("t.yaml", b"\xef\xbb\xbfkey: v\n"),
        ("t.json", b'\xef\xbb\xbf{"key": "v"}'),
    ):
        result = load_bytes(data, name)
        assert result.diagnostics == ()
        assert not result.source.text.startswith("\ufeff")
        k = key(result.root, "key")
        assert k.span.start.line == 1
        assert k.span.start.column == (1 if name.endswith(".yaml") else 2)
        assert to_plain(result.root) == {"key": "v"}


def test_yaml_scalar_spans_slice_back_to_their_value():
    """Every plain scalar's span, re-read alone by PyYAML, gives the same value."""
    text = EXAMPLE.read_text(encoding="utf-8")
    result = load(text, str(EXAMPLE))
    assert result.root is not None
    checked = 0
    for node in walk(result.root):
        assert 1 <= node.span.start.line <= result.source.line_count
        assert node.span.start.offset <= node.span.end.offset <= len(text)
        if isinstance(node, LScalar) and isinstance(node.value, int | float | bool):
            assert yaml.safe_load(text_of(result, node)) == node.value
            checked += 1
        elif isinstance(node, LScalar) and isinstance(node.value, str) and "\n" not in node.value:
            piece = text_of(result, node)
            if not piece.startswith(("|", ">", "!")):
                assert yaml.safe_load(piece) == node.value
                checked += 1
    assert checked > 20


# --- spans: JSON ---------------------------------------------------------------------------


def test_json_spans():
    text = '{\n  "a": [1, -2.5e3, true, null],\n  "b": {"c": "d"}\n}\n'
    result = load(text, "t.json")
    root = result.root
    assert result.format == "json"
    assert where(root) == (1, 1, 4, 2)
    assert where(key(root, "a")) == (2, 3, 2, 6)
    assert text_of(result, key(root, "a")) == '"a"'
    seq = root.get("a")
    assert text_of(result, seq) == "[1, -2.5e3, true, null]"
    assert [text_of(result, item) for item in seq.items] == ["1", "-2.5e3", "true", "null"]
    assert where(root.get("b")) == (3, 8, 3, 18)
    assert text_of(result, get(root, "b", "c")) == '"d"'


def test_json_spans_non_ascii_and_crlf():
    text = '{"é": "ü\\u00e9",\r\n "漢字": ["ж", {"😀": 1}]}'
    result = load(text, "t.json")
    root = result.root
    assert to_plain(root) == json.loads(text)
    assert where(key(root, "漢字")) == (2, 2, 2, 6)
    assert where(get(root, "漢字", 1)) == (2, 14, 2, 22)
    assert text_of(result, get(root, "漢字", 1, "😀")) == "1"
    assert text_of(result, root.get("é")) == '"ü\\u00e9"'


def test_json_scalar_spans_slice_back_to_their_value():
    value = {"s": ["x", 1, 2.5, True, None, {"n": -0.0, "e": 1e-7}], "u": "\u00e9\n\t"}
    text = json.dumps(value, indent=3)
    result = load(text, "t.json")
    for node in walk(result.root):
        assert same(json.loads(text_of(result, node)), to_plain(node))


# --- YAML 1.1 scalars as PyYAML's SafeLoader reads them ------------------------------------

SCALARS = [
    "on", "off", "On", "OFF", "yes", "no", "Yes", "NO", "y", "n", "Y", "true", "True", "TRUE",
    "false", "False", "~", "null", "Null", "NULL", "", "0", "-0", "+12", "017", "0o17", "0x1F",
    "0x_1f", "0b101", "1_000", "1:30", "190:20:30", "-1:30", "1e3", "1.0e3", "1.5", "-1.5",
    "6.8523015e+5", "685.230_15e+03", "190:20:30.15", ".5", "3.", ".inf", "-.Inf", "+.INF",
    ".nan", ".NaN", "1,000", "0.1", "012345", "09", "abc", "'quoted'", '"dq"', "'yes'",
    '"1"', "<", "0b2", "0xG", "1_", "_1", "1__0", "12:60", "1.2.3", "Infinity", "NaN",
    "!!str 12", "!!int '7'", "!!float '2'", "!!bool 'on'", "!!null ''", "!!str yes", "! 12",
    "! true", '! "12"',
]  # fmt: skip


@pytest.mark.parametrize("scalar", SCALARS)
def test_yaml_scalars_as_pyyaml_safeloader_reads_them(scalar):
    text = f"v: {scalar}\n"
    expected = yaml.safe_load(text)
    assert same(to_plain(ok(text)), expected), (scalar, expected)


@pytest.mark.parametrize(
    "timestamp",
    ["2016-10-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2002-12-14"],
)
def test_timestamps_stay_strings(timestamp):
    assert not isinstance(yaml.safe_load(f"v: {timestamp}")["v"], str)  # PyYAML would convert
    assert same(to_plain(ok(f"v: {timestamp}\n")), {"v": timestamp})
    assert same(
        to_plain(ok(f"heat_template_version: {timestamp}\n")), {"heat_template_version": timestamp}
    )


def test_binary_tag_stays_a_string():
    assert to_plain(ok("v: !!binary aGk=\n")) == {"v": "aGk="}


@pytest.mark.parametrize("text", ["v: !!int x\n", "v: !!bool maybe\n", "v: !!float abc\n"])
def test_explicit_tag_that_does_not_fit_is_a_syntax_error(text):
    with pytest.raises((yaml.YAMLError, ValueError, KeyError)):
        yaml.safe_load(text)
    diagnostic = only(load(text), "SYN001")
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 4)


@pytest.mark.parametrize(
    "text",
    [
        "v: " + "1" * 5000 + "\n",
        "v: 0x" + "f" * 5000 + "\n",
        "v: 1" + ":59" * 3000 + "\n",
        '{"v": ' + "9" * 5000 + "}",
    ],
    ids=["decimal", "hex", "sexagesimal", "json"],
)
def test_integers_too_large_to_print_are_syntax_errors(text):
    name = "t.json" if text.startswith("{") else "t.yaml"
    result = load(text, name)
    assert result.root is None
    only(result, "SYN002" if name == "t.json" else "SYN001")


def test_merge_keys_as_pyyaml():
    text = (
        "base: &base {type: OS::Nova::Server, properties: {flavor: small}}\n"
        "extra: &extra {metadata: {a: 1}, type: ignored}\n"
        "one:\n  <<: *base\n  properties: {flavor: large}\n"
        "two:\n  <<: [*base, *extra]\n"
        "three: {<<: *extra, <<: *base}\n"
        "quoted: {'<<': {a: 1}}\n"
    )
    result = load(text)
    assert result.diagnostics == ()
    assert same(to_plain(result.root), yaml.safe_load(text))
    # merged entries keep the spans of the mapping they came from
    assert get(result.root, "one", "type").span.start.line == 1


@pytest.mark.parametrize("text", ["<<: 1\n", "a: {<<: [{b: 1}, 2]}\n", "<<: ~\n"])
def test_merge_of_a_non_mapping_is_a_syntax_error(text):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    only(load(text), "SYN001")


# --- duplicate keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "second", "first"),
    [
        ("a: 1\nb: 2\na: 3\n", "t.yaml", (3, 1), (1, 1)),
        ("top:\n  x: 1\n  y: 2\n  x: [3]\n", "t.yaml", (4, 3), (2, 3)),
        ("{a: 1, a: 3}\n", "t.yaml", (1, 8), (1, 2)),
        ('{\n  "a": 1,\n  "b": 2,\n  "a": 3\n}', "t.json", (4, 3), (2, 3)),
        ('{"o": {"a": 1, "a": 3}}', "t.json", (1, 16), (1, 8)),
        ('{"a": 1, "a": 3}', "t.yaml", (1, 10), (1, 2)),
    ],
)
def test_duplicate_keys(text, name, second, first):
    result = load(text, name)
    diagnostic = only(result, "SYN003")
    assert (diagnostic.span.line, diagnostic.span.column) == second
    assert len(diagnostic.notes) == 1
    note = diagnostic.notes[0].span
    assert (note.line, note.column) == first
    reference = json.loads if result.format == "json" else yaml.safe_load
    assert to_plain(result.root) == reference(text)  # the last value wins, as in PyYAML and json


def test_three_duplicates_each_point_at_the_first():
    result = load("k: 1\nk: 2\nk: 3\n")
    assert codes(result) == ["SYN003", "SYN003"]
    assert [d.span.line for d in result.diagnostics] == [2, 3]
    assert {d.notes[0].span.line for d in result.diagnostics} == {1}
    assert to_plain(result.root) == {"k": 3}


@pytest.mark.parametrize(
    "text",
    ['1: a\n"1": b\n', "a: {x: 1}\nb: {x: 1}\n", "true: a\n'true': b\n", "- {k: 1}\n- {k: 2}\n"],
)
def test_not_duplicates(text):
    result = load(text)
    assert result.diagnostics == ()
    assert to_plain(result.root) == yaml.safe_load(text)


# --- CloudFormation short tags -------------------------------------------------------------


@pytest.mark.parametrize(("tag", "long"), sorted(CFN_SHORT_TAGS.items()))
def test_short_tag_on_scalar_sequence_and_mapping(tag, long):
    root = ok(f"s: {tag} word\nq: {tag} [x, 1]\nm: {tag} {{k: v}}\nb: {tag}\n  - y\n")
    assert to_plain(root) == {
        "s": {long: "word"},
        "q": {long: ["x", 1]},
        "m": {long: {"k": "v"}},
        "b": {long: ["y"]},
    }
    fn = root.get("s")
    assert isinstance(fn, LMap)
    assert fn.tag == tag
    assert fn.entries[0][0].tag == tag
    assert fn.span.start.column == 4


def test_getatt_splits_at_the_first_dot_only():
    root = ok("a: !GetAtt res.attr\nb: !GetAtt res.a.b.c\nc: !GetAtt [res, a.b]\nd: !GetAtt res\n")
    assert to_plain(root) == {
        "a": {"Fn::GetAtt": ["res", "attr"]},
        "b": {"Fn::GetAtt": ["res", "a.b.c"]},
        "c": {"Fn::GetAtt": ["res", "a.b"]},
        "d": {"Fn::GetAtt": "res"},
    }


def test_nested_short_tags():
    text = (
        "Value: !If\n"
        "  - IsProd\n"
        "  - !Join ['', [!Ref Prefix, !Select [0, !GetAZs '']]]\n"
        "  - !Sub\n"
        "    - 'arn:${A}:${B}'\n"
        "    - {A: !GetAtt R.Arn, B: !FindInMap [M, !Ref 'AWS::Region', k]}\n"
        "Cond: !And [!Equals [!Ref Env, prod], !Not [!Condition Other]]\n"
    )
    root = ok(text)
    assert to_plain(root) == {
        "Value": {
            "Fn::If": [
                "IsProd",
                {"Fn::Join": ["", [{"Ref": "Prefix"}, {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]},
                {
                    "Fn::Sub": [
                        "arn:${A}:${B}",
                        {
                            "A": {"Fn::GetAtt": ["R", "Arn"]},
                            "B": {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "k"]},
                        },
                    ]
                },
            ]
        },
        "Cond": {
            "Fn::And": [
                {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                {"Fn::Not": [{"Condition": "Other"}]},
            ]
        },
    }
    ref = get(root, "Value", "Fn::If", 1, "Fn::Join", 1, 0)
    assert ref.tag == "!Ref"
    assert ref.span.start.line == 3


def test_long_form_is_not_tagged():
    root = ok("a: {Ref: x}\n")
    assert root.get("a").tag is None
    assert to_plain(root) == {"a": {"Ref": "x"}}


@pytest.mark.parametrize(
    ("text", "tag", "expected"),
    [
        ("a: !Rain::Embed x\n", "!Rain::Embed", {"a": {"Rain::Embed": "x"}}),
        ("a: !Custom [1]\n", "!Custom", {"a": {"Custom": [1]}}),
        ("a: !Foo {k: v}\n", "!Foo", {"a": {"Foo": {"k": "v"}}}),
    ],
)
def test_unknown_tag_is_reported_and_kept(text, tag, expected):
    result = load(text)
    diagnostic = only(result, "SYN004")
    assert tag in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 4)
    assert to_plain(result.root) == expected


# --- limits --------------------------------------------------------------------------------


def test_file_size_limit(tmp_path):
    data = b"a: 1\nb: 2\n"
    for result in (
        load_bytes(data, "t.yaml", LoadOptions(max_bytes=len(data) - 1)),
        load_text(data.decode(), "t.yaml", LoadOptions(max_bytes=len(data) - 1)),
    ):
        assert result.root is None
        assert only(result, "SYN005")
    assert load_bytes(data, "t.yaml", LoadOptions(max_bytes=len(data))).diagnostics == ()
    path = tmp_path / "big.yaml"
    path.write_bytes(data)
    assert codes(load_file(path, LoadOptions(max_bytes=4))) == ["SYN005"]
    assert load_file(path, LoadOptions(max_bytes=len(data))).ok


ENDLESS = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (2**31, 2**31))  # a regression fails, not the machine
from kiln.frontends.loader import LoadOptions, load_file
result = load_file("/dev/zero", LoadOptions(max_bytes=1000))
print(result.root, [(d.code.id, d.message) for d in result.diagnostics])
"""


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_file_is_read_only_up_to_the_limit():
    """A device has no size to check beforehand (st_size 0): reading stops at the limit.
    In a subprocess with limited memory, so that reading it all fails this test only."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", ENDLESS], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("None [('SYN005', "), done.stdout
    assert "1000" in done.stdout


def test_size_limit_counts_utf8_bytes_not_characters():
    text = "a: " + "é" * 10 + "\n"  # 14 characters, 24 bytes
    assert codes(load(text, max_bytes=20)) == ["SYN005"]
    assert load(text, max_bytes=24).ok


def test_billion_laughs_stops_at_the_node_limit():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        ref = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([ref] * 9)}]")
    result = load("\n".join(lines) + "\n")  # 9**10 nodes if expanded
    assert result.root is None
    assert codes(result) == ["SYN006"]


def test_alias_node_limit_is_configurable():
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"
    assert load(text).ok
    assert codes(load(text, max_nodes=10)) == ["SYN006"]
    assert to_plain(load(text).root) == yaml.safe_load(text)


@pytest.mark.parametrize("name", ["t.json", "t.yaml"])
@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "[" * 100_000,
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
    ],
    ids=["closed", "unclosed", "objects"],
)
def test_deep_nesting_is_reported_not_crashed(text, name):
    result = load(text, name)
    assert result.root is None
    diagnostic = only(result, "SYN007")
    assert diagnostic.span.line == 1


def test_deep_block_nesting_yaml():
    text = "".join("  " * level + f"k{level}:\n" for level in range(400)) + "  " * 400 + "v\n"
    result = load(text)
    assert codes(result) == ["SYN007"]
    assert result.diagnostics[0].span.line == 257


@pytest.mark.parametrize("name", ["t.json", "t.yaml"])
def test_nesting_limit_is_exact(name):
    assert load("[[[1]]]", name, max_depth=3).ok
    result = load("[[[[1]]]]", name, max_depth=3)
    assert codes(result) == ["SYN007"]
    assert result.diagnostics[0].span.column == 4


# --- syntax errors at the right place ------------------------------------------------------

INVALID_YAML = [
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n  - x\n y: 1\n",
    "\ta: b\n",
    'a: "x\n',
    "a: {b: 1\n",
    "key: value\n  bad: indent\n",
    "a: 1\nb: [1, 2]]\n",
    "- a\nb: c\n",
    "a: @x\n",
    "a: `x\n",
    "a: |\n  x\n y\n",
    "a: b\n- c\n",
    "a:\n  b: 1\n   c: 2\n",
    "é: ü\nö: [ä, ß\n",
    "éééé: ü\na: b: c\nx: 1\n",
    "a: 1\r\nb: c: d\r\n",
    "x: *undefined\n",
    "a: !foo!bar x\n",
]


@pytest.mark.parametrize("text", INVALID_YAML)
def test_invalid_yaml_is_reported_where_pyyaml_reports_it(text):
    with pytest.raises(yaml.MarkedYAMLError) as raised:
        yaml.load(text, Loader=yaml.SafeLoader)
    mark = raised.value.problem_mark or raised.value.context_mark
    result = load(text)
    assert result.root is None
    diagnostic = only(result, "SYN001")
    assert (diagnostic.span.line, diagnostic.span.column) == (mark.line + 1, mark.column + 1)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: 1\n\x07\n", 2, 1),
        ("éé: 1\nb: x\x1b\n", 2, 5),
        ("a: \x00\n", 1, 4),
    ],
)
def test_forbidden_characters_are_reported_where_they_are(text, line, column):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    diagnostic = only(load(text), "SYN001")
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)


def test_mapping_key_after_block_sequence_is_reported_at_the_key():
    text = "a: 1\nb:\n  - x\n  c: 2\n"
    diagnostic = only(load(text), "SYN001")
    assert diagnostic.span.line == 4


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\n\n", "\r\n"])
@pytest.mark.parametrize("name", ["t.yaml", "t.json"])
def test_empty_file(text, name):
    result = load(text, name)
    assert result.root is None
    assert result.format == name[-4:]
    diagnostic = only(result, "SYN027")
    assert diagnostic.span.line == 1


def test_comments_only_yaml_is_empty():
    assert codes(load("# only a comment\n# and another\n")) == ["SYN027"]


def test_empty_file_from_disk(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    assert codes(load_file(path)) == ["SYN027"]


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\n---\nb: 2\n", 2), ("---\na: 1\n---\nb: 2\n", 3), ("a: 1\n--- [x]\n--- 3\n", 2)],
)
def test_multiple_documents(text, line):
    result = load(text)
    diagnostic = only(result, "SYN010")
    assert diagnostic.span.line == line
    assert to_plain(result.root) == next(yaml.safe_load_all(text))


def test_single_document_with_markers_is_fine():
    assert to_plain(ok("---\na: 1\n...\n")) == {"a": 1}


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"a: 1\nb: \xff\n", 2, 4),
        (b"caf\xe9: 1\n", 1, 4),
        ("éé: 漢".encode() + b" \xc3\n", 1, 7),
        (b"\xef\xbb\xbfa: \x80\n", 1, 4),
        (b"\xff\xfea\x00:\x00", 1, 1),
    ],
)
def test_non_utf8_bytes(data, line, column, tmp_path):
    result = load_bytes(data, "t.yaml")
    assert result.root is None
    diagnostic = only(result, "SYN009")
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    assert codes(load_file(path)) == ["SYN009"]


def test_missing_file_is_a_diagnostic(tmp_path):
    result = load_file(tmp_path / "nope.yaml")
    assert result.root is None
    diagnostic = only(result, "FIL001")
    assert diagnostic.span is None
    assert "nope.yaml" in diagnostic.message


def test_load_file_bytes_and_text_agree(tmp_path):
    data = EXAMPLE.read_bytes()
    path = tmp_path / "copy.yaml"
    path.write_bytes(data)
    a = load_file(path)
    b = load_bytes(data, str(path))
    c = load_text(data.decode("utf-8"), str(path))
    assert a.root == b.root == c.root
    assert to_plain(a.root) == yaml.safe_load(data)


# --- JSON against the json module ----------------------------------------------------------

VALID_JSON = [
    "{}",
    "[]",
    "0",
    "-0",
    "-0.0",
    "1e10",
    "1E-2",
    "123.456e+7",
    "12345678901234567890123",
    "1e400",
    "-1e400",
    '"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\"',
    '"\\ud800"',
    '{"a": [true, false, null]}',
    ' \n\t{"a":1}  \n\r\n',
    "[[[[[]]]]]",
    '{"": ""}',
    '"x"',
    "null",
    '{"a": {"b": {"c": [1, {"d": []}]}}}',
    '[1, 1.0, 1.5, -1, "1"]',
    '{"é": "漢字", "k": "\x7f"}',
    '{"a": 1, "A": 2}',
]


@pytest.mark.parametrize("text", VALID_JSON)
def test_valid_json_reads_as_the_json_module_does(text):
    result = load(text, "t.json")
    assert result.diagnostics == ()
    assert result.format == "json"
    assert same(to_plain(result.root), json.loads(text))


INVALID_JSON = [
    '{"a": 1,}',
    "[1,2,]",
    "[1,,2]",
    "{,}",
    "{'a': 1}",
    '{"a": 01}',
    "[-01]",
    "[.5]",
    "[1.]",
    "[+1]",
    "[1e]",
    "[0x10]",
    '{"a": "x',
    '{"a": 1',
    "[1, 2",
    "{} {}",
    "1 2",
    '{"a": 1}\n}',
    "// c\n{}",
    '{"a": "\x01"}',
    '{"a": "\t"}',
    '"\\q"',
    '"\\ud8"',
    '{"a" 1}',
    "{1: 2}",
    "[tru]",
    "[nul]",
    "[True]",
    "[1 2]",
    '{"a": 1 "b": 2}',
    '{"a":}',
    '{\n  "a": 1,\n  "b": [1, 2,],\n}',
    '{"é": "ü",\n "x": ]}',
    '{"a": 1,\r\n "b": }',
]


@pytest.mark.parametrize("text", INVALID_JSON)
def test_invalid_json_is_reported_where_the_json_module_reports_it(text):
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)
    result = load(text, "t.json")
    assert result.root is None
    diagnostic = only(result, "SYN002")
    assert (diagnostic.span.line, diagnostic.span.column) == (
        raised.value.lineno,
        raised.value.colno,
    )
    assert not diagnostic.message.endswith(" at")


@pytest.mark.parametrize(
    "text", ['{"a": NaN}', '{"a": Infinity}', "[-Infinity]", '{"a": 1}\x00', "\ufeff{}"]
)
def test_json_extensions_python_accepts_are_errors(text):
    """RFC 8259 has no NaN or Infinity (Python's json accepts them; CloudFormation does not)."""
    result = load(text, "t.json")
    assert result.root is None
    only(result, "SYN002")


def test_json_looking_yaml_file_falls_back_to_yaml():
    result = load('{"a": 1, b: [x,],}\n', "t.yaml")
    assert result.diagnostics == ()
    assert to_plain(result.root) == {"a": 1, "b": ["x"]}
    assert load('{"a": 1}', "t.yaml").format == "json"


def test_json_looking_yaml_file_that_is_neither_is_one_syntax_error():
    result = load('{"a": [1,\n', "t.yaml")
    assert result.root is None
    assert len(result.diagnostics) == 1
    assert codes(result)[0] in ("SYN001", "SYN002")
    assert result.diagnostics[0].span.line in (1, 2)
