"""Where expressions sit in a template, with their logical paths, and the span of a name.

The checking passes visit the same places: conditions, resource fields and outputs. `sites`
yields each root expression once, with the dialect's spelling of the path
(`resources.server.properties` in HOT, `Resources.Server.Properties` in CloudFormation), the
context it is read in (a condition or a value) and its owner; `walk` goes down one with paths.
Parameter defaults and Mappings are data, never resolved by Heat, so they are no sites.
"""

from collections.abc import Iterator, Mapping
from typing import Final, Literal

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.functions import Context
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Dialect, Template
from kiln.compiler.ir.visit import child_exprs
from kiln.compiler.source import SourceFile, Span

Field = Literal[
    "condition",
    "properties",
    "metadata",
    "deletion_policy",
    "update_policy",
    "external_id",
    "value",
]
Section = Literal["conditions", "resources", "outputs"]

# How each dialect spells the sections and fields in logical paths (what Heat's errors show).
SPELLINGS: Final[dict[Dialect, dict[str, str]]] = {
    "hot": {
        "conditions": "conditions",
        "resources": "resources",
        "outputs": "outputs",
        "condition": "condition",
        "properties": "properties",
        "metadata": "metadata",
        "deletion_policy": "deletion_policy",
        "update_policy": "update_policy",
        "external_id": "external_id",
        "value": "value",
        "depends_on": "depends_on",
        "type": "type",
    },
    "cfn": {
        "conditions": "Conditions",
        "resources": "Resources",
        "outputs": "Outputs",
        "condition": "Condition",
        "properties": "Properties",
        "metadata": "Metadata",
        "deletion_policy": "DeletionPolicy",
        "update_policy": "UpdatePolicy",
        "external_id": "external_id",
        "value": "Value",
        "depends_on": "DependsOn",
        "type": "Type",
    },
}


def spell(template: Template, word: str) -> str:
    return SPELLINGS[template.dialect][word]


@frozen_dataclass
class Site:
    """One root expression: `owner` is the resource, output or condition name."""

    expr: e.Expr
    path: LogicalPath
    context: Context
    section: Section
    owner: str
    field: Field | None  # None for a condition definition


def sites(template: Template) -> Iterator[Site]:
    path: LogicalPath
    for name, condition in template.conditions.items():
        path = (spell(template, "conditions"), name)
        yield Site(condition.expr, path, "condition", "conditions", name, None)
    resource_fields: tuple[Field, ...] = (
        "properties",
        "metadata",
        "deletion_policy",
        "update_policy",
        "external_id",
    )
    for name, resource in template.resources.items():
        base = (spell(template, "resources"), name)
        if resource.condition is not None:
            path = (*base, spell(template, "condition"))
            yield Site(resource.condition, path, "condition", "resources", name, "condition")
        for field in resource_fields:
            value = getattr(resource, field)
            if value is not None:
                path = (*base, spell(template, field))
                yield Site(value, path, "value", "resources", name, field)
    for name, output in template.outputs.items():
        base = (spell(template, "outputs"), name)
        if output.condition is not None:
            path = (*base, spell(template, "condition"))
            yield Site(output.condition, path, "condition", "outputs", name, "condition")
        if output.value is not None:
            path = (*base, spell(template, "value"))
            yield Site(output.value, path, "value", "outputs", name, "value")


def label(node: object) -> str:
    """The path step a function node adds: the spelling the user wrote."""
    spelling = getattr(node, "spelling", None)
    if isinstance(spelling, str) and spelling:
        return spelling
    name = getattr(node, "name", None)
    return name if isinstance(node, e.UnknownFn) and isinstance(name, str) else type(node).__name__


def walk(root: e.Expr, path: LogicalPath) -> Iterator[tuple[e.Expr, LogicalPath]]:
    """Every expression under `root` with its logical path: map keys and list indexes as
    written, a function's spelling for everything inside the function (Heat's error paths
    read `outputs.ip.value.get_attr`). Pre-order, iterative."""
    stack: list[tuple[e.Expr, LogicalPath]] = [(root, path)]
    pop = stack.pop
    extend = stack.extend
    while stack:
        node, where = pop()
        yield node, where
        if isinstance(node, e.MapExpr):
            inner = [(value, (*where, key)) for key, value in node.items.items()]
        elif isinstance(node, e.ListExpr):
            inner = [(value, (*where, index)) for index, value in enumerate(node.items)]
        elif isinstance(node, e.SCALAR_TYPES):
            continue  # literals have no children
        else:
            step = (*where, label(node))
            inner = [(child, step) for child in child_exprs(node)]
        if inner:
            inner.reverse()
            extend(inner)


SiteExpressions = tuple[tuple[Site, tuple[tuple[e.Expr, LogicalPath], ...]], ...]
# resolve_references and check_functions go over the same (bound) template one after the
# other: the last few templates' walks are kept, by identity (the template is held, so its id
# cannot be reused while it is here).
_RECENT: dict[int, tuple[Template, SiteExpressions]] = {}
_RECENT_SIZE: Final = 32


def expressions(template: Template) -> SiteExpressions:
    """Every site of `template`, each with every expression under it, as `walk` yields
    them."""
    kept = _RECENT.get(id(template))
    if kept is not None and kept[0] is template:
        return kept[1]
    found = tuple((site, tuple(walk(site.expr, site.path))) for site in sites(template))
    if len(_RECENT) >= _RECENT_SIZE:
        _RECENT.clear()  # simpler than least-recently-used, and safe across threads
    _RECENT[id(template)] = (template, found)
    return found


# --- the span of a name inside a call ------------------------------------------------------

_WORD: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:")


def name_span(
    sources: Mapping[str, SourceFile],
    span: Span | None,
    name: str,
    after: str = "",
    *,
    whole_word: bool = True,
) -> Span | None:
    """Where `name` is written inside `span` (after the first `after`, the function's own
    spelling): the nodes keep only the call's span, and a diagnostic should point at the
    name. Falls back to `span` when the text does not show the name (as a whole word)."""
    if span is None or not name:
        return span
    source = sources.get(span.file)
    if source is None:
        return span
    text = source.text
    start, end = span.start.offset, min(span.end.offset, len(text))
    if end <= start:
        return span
    if after:
        found = text.find(after, start, end)
        if found != -1:
            start = found + len(after)
    index = text.find(name, start, end)
    while index != -1:
        before = text[index - 1] if index > 0 else " "
        following = text[index + len(name)] if index + len(name) < len(text) else " "
        if not whole_word or (before not in _WORD and following not in _WORD):
            return source.span(index, index + len(name))
        index = text.find(name, index + 1, end)
    return span


def key_span(sources: Mapping[str, SourceFile], body: Span | None, name: str) -> Span | None:
    """The key `name` written just before a section entry whose node spans only its body
    (resources keep the span of their body); falls back to the body."""
    if body is None:
        return None
    source = sources.get(body.file)
    if source is None:
        return body
    text = source.text
    index = text.rfind(name, max(0, body.start.offset - 200 - len(name)), body.start.offset)
    if index == -1:
        return body
    return source.span(index, index + len(name))
