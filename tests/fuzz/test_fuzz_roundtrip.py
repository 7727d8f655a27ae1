"""Round trips: values dumped by json / PyYAML read back by the loader as json / PyYAML do."""

import json
import math

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiln.frontends.loader import load_text
from kiln.frontends.syntax import LMap, LSeq, to_plain

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["yes", "on", "2016-10-14", "0x1f", "1:30", "~", "", "1e3", "- x", "!Ref"])
)
keys = st.text(max_size=12) | st.sampled_from(["<<", "Ref", "Fn::Sub", "get_param", "a.b"])
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)
json_indents = st.sampled_from([None, 0, 1, 2, 4, "\t", "   "])


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def spans_inside(result) -> None:
    """Every node's span lies inside the text and slices a non-empty piece of it, containers
    enclosing their children."""
    text = result.source.text
    stack = [result.root]
    while stack:
        node = stack.pop()
        span = node.span
        assert 0 <= span.start.offset <= span.end.offset <= len(text)
        assert 1 <= span.start.line <= span.end.line <= result.source.line_count
        children = []
        if isinstance(node, LMap):
            children = [part for entry in node.entries for part in entry]
        elif isinstance(node, LSeq):
            children = list(node.items)
        for child in children:
            if child.span.start.offset >= span.start.offset:  # aliases point elsewhere
                assert child.span.end.offset <= span.end.offset or node.tag is not None
        stack.extend(children)


@FAST
@given(
    value=values,
    indent=json_indents,
    ensure_ascii=st.booleans(),
    sort_keys=st.booleans(),
    crlf=st.booleans(),
)
def test_json_round_trip(value, indent, ensure_ascii, sort_keys, crlf):
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)
    if crlf:
        text = text.replace("\n", "\r\n")
    result = load_text(text, "value.json")
    assert result.diagnostics == ()
    assert same(to_plain(result.root), json.loads(text))
    spans_inside(result)


def _yaml_dump(value, flow, unicode, width, indent, explicit_start) -> str:
    return yaml.safe_dump(
        value,
        default_flow_style=flow,
        allow_unicode=unicode,
        width=width,
        indent=indent,
        explicit_start=explicit_start,
    )


yaml_options = {
    "flow": st.sampled_from([False, True, None]),
    "unicode": st.booleans(),
    "width": st.sampled_from([20, 80, 1000]),
    "indent": st.sampled_from([2, 4]),
    "explicit_start": st.booleans(),
}


def check_yaml(text: str) -> None:
    """The loader reads `text` as PyYAML's SafeLoader does (timestamps aside, which the
    strategies never produce unquoted)."""
    result = load_text(text, "value.yaml")
    assert result.diagnostics == (), [d.message for d in result.diagnostics]
    plain = to_plain(result.root) if result.root is not None else None
    assert same(plain, yaml.safe_load(text))
    if result.root is not None:
        spans_inside(result)


@FAST
@given(value=values, **yaml_options)
def test_yaml_round_trip(value, flow, unicode, width, indent, explicit_start):
    text = _yaml_dump(value, flow, unicode, width, indent, explicit_start)
    assume(same(yaml.safe_load(text), value))  # not what PyYAML itself does not keep ('\x85')
    check_yaml(text)


@FAST
@given(value=values)
def test_json_text_named_yaml_reads_the_same(value):
    """A .yaml file holding a JSON object goes through the JSON parser (or YAML, if that
    fails) and gives the same values as json does."""
    if not isinstance(value, dict):
        value = {"v": value}
    text = json.dumps(value)
    result = load_text(text, "value.yaml")
    assert not [d for d in result.diagnostics if d.code.id in ("SYN001", "SYN002")]
    assert same(to_plain(result.root), json.loads(text))


@pytest.mark.slow
@LONG
@given(value=values, json_indent=json_indents, **yaml_options)
def test_round_trips_long(value, json_indent, flow, unicode, width, indent, explicit_start):
    text = json.dumps(value, indent=json_indent)
    assert same(to_plain(load_text(text, "v.json").root), json.loads(text))
    check_yaml(_yaml_dump(value, flow, unicode, width, indent, explicit_start))
