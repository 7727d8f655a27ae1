"""Reading the IR from lint rules: literals, properties, parameter values, spans inside text.

Every helper answers "cannot tell" (None, or UNKNOWN for values) when an expression is not
the literal it hoped for: any function may stand where a template usually has a literal, and
a rule must then stay silent rather than guess.
"""

from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.evaluate.values import Unknown, is_concrete
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.ir.visit import walk_exprs
from kiln.compiler.lint.rule import RuleContext
from kiln.compiler.passes import sites
from kiln.compiler.source import SourceFile, Span


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""A value a rule cannot know: a function, a resource attribute, a parameter without value."""


def section(template: Template, word: str) -> str:
    """How the dialect spells a section or key in a logical path."""
    if template.dialect == "hot":
        return word
    return "".join(part.capitalize() for part in word.split("_"))


def literal(node: e.Expr | None) -> object:
    """The Python value of a literal (scalars, lists and maps of literals), else UNKNOWN."""
    if isinstance(node, e.Str | e.Int | e.Float | e.Bool):
        return node.value
    if isinstance(node, e.Null):
        return None
    if isinstance(node, e.ListExpr):
        items = [literal(item) for item in node.items]
        return UNKNOWN if any(item is UNKNOWN for item in items) else items
    if isinstance(node, e.MapExpr):
        values = {key: literal(item) for key, item in node.items.items()}
        return UNKNOWN if any(item is UNKNOWN for item in values.values()) else values
    return UNKNOWN


def value(context: RuleContext, node: e.Expr | None) -> object:
    """A literal, or a `get_param`/`Ref` of a parameter whose value is known (given, or its
    default); UNKNOWN otherwise."""
    if isinstance(node, e.ParamRef) and not node.path:
        known = context.facts.parameters.get(node.name)
        if known is None or isinstance(known, Unknown) or not is_concrete(known):
            return UNKNOWN
        return known
    return literal(node)


def text(node: e.Expr | None) -> str | None:
    return node.value if isinstance(node, e.Str) else None


def get(node: e.Expr | None, *keys: str) -> e.Expr | None:
    """`node[key][key]...` through literal maps; None when a step is missing or not a map."""
    for key in keys:
        if not isinstance(node, e.MapExpr):
            return None
        node = node.items.get(key)
    return node


def has(node: e.Expr | None, key: str) -> bool | None:
    """Whether a literal map has `key`; None when `node` is not a literal map (cannot tell)."""
    if not isinstance(node, e.MapExpr):
        return None
    return key in node.items


def key_span(node: e.Expr | None, key: str) -> Span | None:
    """The span of `key` in a literal map, else the map's (or None)."""
    if not isinstance(node, e.MapExpr):
        return None
    return node.key_span(key) or node.span


def resources(template: Template, *types: str) -> Iterator[tuple[str, Resource]]:
    for name, resource in template.resources.items():
        if resource.type in types:
            yield name, resource


def resource_path(template: Template, name: str, *rest: str | int) -> LogicalPath:
    return (section(template, "resources"), name, section(template, "properties"), *rest)


def strings(node: e.Expr | None) -> Iterator[e.Str]:
    if node is None:
        return
    for found in walk_exprs(node):
        if isinstance(found, e.Str):
            yield found


def sub_span(source: SourceFile | None, node: e.Str, start: int, end: int) -> Span | None:
    """The span of `node.value[start:end]` in the file, when the literal is written as is
    (plain or single-line quoted scalars, block scalars); else the literal's own span."""
    span = node.span
    if source is None or span is None:
        return span
    piece = node.value[start:end]
    if not piece:
        return span
    text, first, last = source.text, span.start.offset, span.end.offset
    written = text[first:last]
    if node.value in written:  # verbatim: the offset is known
        offset = first + written.index(node.value) + start
        return source.span(offset, offset + len(piece))
    # A block scalar or a folded string: find the piece's own line of the value, in order.
    line_start = node.value.rfind("\n", 0, start) + 1
    line_end = node.value.find("\n", end)
    line = node.value[line_start : line_end if line_end != -1 else len(node.value)].strip()
    before = node.value.count("\n", 0, line_start)
    cursor = first
    for _ in range(before):  # skip the value's earlier lines (the source has at least as many)
        found = text.find("\n", cursor, last)
        if found == -1:
            break
        cursor = found + 1
    at = text.find(line, cursor, last) if line else -1
    if at == -1:
        at = first
    offset = text.find(piece, at, last)
    if offset == -1:
        return span
    return source.span(offset, offset + len(piece))


def written_key(source: SourceFile | None, body: Span | None, key: str) -> bool:
    """Whether the mapping written at `body` has an entry `key` as its own (a parameter's
    `hidden: false` or `"NoEcho": "false"`), judged from the text: the IR keeps only values."""
    if source is None or body is None:
        return False
    written = source.text[body.start.offset : body.end.offset]
    for quote in ("", '"', "'"):
        marker = f"{quote}{key}{quote}"
        index = written.find(marker)
        while index != -1:
            before = written[index - 1] if index > 0 else "\n"
            after = written[index + len(marker) :].lstrip(" \t")
            if before in "\n{, \t" and after.startswith(":"):
                return True
            index = written.find(marker, index + 1)
    return False


def located(template: Template) -> Iterator[tuple[e.Expr, LogicalPath]]:
    """Every expression of the template with its logical path: parameter defaults and
    constraint values, mappings, the template's metadata, and every site (conditions,
    resources, outputs)."""
    for name, parameter in template.parameters.items():
        if parameter.default is not None:
            path = (section(template, "parameters"), name, section(template, "default"))
            yield from sites.walk(parameter.default, path)
    for name, mapping in template.mappings.items():
        yield from sites.walk(mapping.entries, (section(template, "mappings"), name))
    if template.metadata is not None:
        yield from sites.walk(template.metadata, (section(template, "metadata"),))
    for _site, found in sites.expressions(template):
        yield from found
