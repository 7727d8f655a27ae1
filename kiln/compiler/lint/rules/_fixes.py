"""Autofixes several rules share: dropping a `depends_on` item, adding an entry to a
resource or parameter. Each returns None when the layout is not one it can edit for sure."""

import json
import re

from kiln.compiler.diagnostics import Autofix
from kiln.compiler.ir.nodes import Resource
from kiln.compiler.lint.edits import append_entry, remove_entry, remove_sequence_item
from kiln.compiler.lint.rule import RuleContext
from kiln.compiler.passes.sites import spell
from kiln.compiler.source import Span


def drop_depends_on(
    context: RuleContext, resource: Resource, index: int, description: str
) -> Autofix | None:
    """Remove item `index` of a resource's depends_on; the whole key when it is the only one.
    Safe: the caller only drops what another reference (or an earlier item) already says."""
    source = context.source
    spans = [item.span for item in resource.depends_on]
    if source is None or resource.span is None or any(span is None for span in spans):
        return None
    known = [span for span in spans if span is not None]
    try:
        if len(known) > 1:
            edit = remove_sequence_item(source, known, index)
        else:
            key = key_before(
                context, resource.span, known[0], spell(context.template, "depends_on")
            )
            if key is None:
                return None
            edit = remove_entry(source, key, _value_end(source.text, known[0].end.offset))
    except ValueError:
        return None
    return Autofix(description, (edit,), safe=True)


def add_entry(context: RuleContext, body: Span | None, key: str, value: str) -> Autofix | None:
    """Append `key: value` to a mapping (a resource's or a parameter's body); `value` is a
    plain scalar, quoted for JSON."""
    source = context.source
    if source is None or body is None:
        return None
    is_json = source.path.endswith((".json", ".template")) or source.text.lstrip().startswith("{")
    try:
        edit = append_entry(source, body, key, json.dumps(value) if is_json else value)
    except ValueError:
        return None
    return Autofix(f"add `{key}: {value}`", (edit,), safe=False)


def key_before(context: RuleContext, body: Span, value: Span, key: str) -> Span | None:
    """The span of `key` (with its quotes) written last before `value` inside `body`: the key
    of an entry whose node keeps only its value's span."""
    source = context.source
    if source is None:
        return None
    text = source.text
    pattern = re.compile(r"[\"']?" + re.escape(key) + r"[\"']?\s*:")
    found = None
    for match in pattern.finditer(text, body.start.offset, value.start.offset):
        found = match
    if found is None:
        return None
    start = found.start()
    end = found.end() - 1  # without the colon
    while end > start and text[end - 1] in " \t":
        end -= 1
    return source.span(start, end)


def _value_end(text: str, end: int) -> int:
    """After the closing bracket of a one-item flow list (`[a]`), else `end` itself."""
    after = end
    while after < len(text) and text[after] in " \t\r\n":
        after += 1
    return after + 1 if after < len(text) and text[after] == "]" else end
