"""Helpers the dialect frontends share for reading sections of the located tree."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.names import suggest
from kiln.frontends.lowering import key_text
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq, describe


def mapping(
    node: LNode | None, what: str, path: LogicalPath, sink: DiagnosticSink, *, nullable: bool = True
) -> LMap | None:
    """The node as a mapping; null is an empty section; anything else is reported."""
    if isinstance(node, LMap):
        return node
    if node is None or (nullable and isinstance(node, LScalar) and node.value is None):
        return None
    sink.report(
        c.WRONG_SHAPE, node.span, path, what=what, expected="a mapping", kind=describe(node)
    )
    return None


def entries(node: LMap | None) -> Iterator[tuple[str, LScalar, LNode]]:
    if node is None:
        return
    for key, value in node.items():
        yield key_text(key), key, value


T = TypeVar("T")
# Reads one entry of a section: (name, key node, value node, logical path) -> the IR item, or
# None when the entry is unusable (already reported).
EntryReader = Callable[[str, LScalar, LNode, LogicalPath], T | None]


def read_section(
    node: LNode | None,
    section: str,
    sink: DiagnosticSink,
    read: EntryReader[T],
    *,
    skip: Callable[[str, LScalar, LogicalPath], bool] | None = None,
    nullable: bool = True,
) -> FrozenMap[str, T]:
    """Every entry of a top-level section (parameters, resources, ...) through `read`, in
    order; `skip` claims entries that are not items (CloudFormation's Fn::ForEach loops).
    A section written with no value is empty unless `nullable` is false (conditions: Heat
    reads that section with `t.get(CONDITIONS, {})`, so null is no map to it)."""
    body = mapping(node, section, (section,), sink, nullable=nullable)
    result: dict[str, T] = {}
    for name, key, value in entries(body):
        path: LogicalPath = (section, name)
        if skip is not None and skip(name, key, path):
            continue
        item = read(name, key, value, path)
        if item is not None:
            result[name] = item
    return FrozenMap(result)


def parameter_type(
    body: LMap,
    type_key: str,
    known: Iterable[str],
    name: str,
    key: LScalar,
    path: LogicalPath,
    sink: DiagnosticSink,
) -> str:
    """A parameter's type spelling ('' when absent or not text); a missing or unknown type is
    reported with the dialect's key name and a did-you-mean among `known`."""
    type_node = body.get(type_key)
    spelling = text(type_node, "parameter type", (*path, type_key), sink) or ""
    if type_node is None:
        sink.report(c.MISSING_PARAMETER_TYPE, key.span, path, parameter=name, key=type_key)
    elif spelling and spelling not in known:
        sink.report(
            c.UNKNOWN_PARAMETER_TYPE,
            type_node.span,
            (*path, type_key),
            parameter=name,
            type=spelling,
            hint=suggest(spelling, list(known)),
        )
    return spelling


def text(
    node: LNode | None, what: str, path: LogicalPath, sink: DiagnosticSink, *, strict: bool = False
) -> str | None:
    """A plain string (numbers are accepted and kept as their text, as Heat does). `strict`:
    only a string, and a key written with no value is reported too (a resource's description,
    which Heat checks with isinstance(str): template_common._parse_resource_field)."""
    if node is None or (not strict and isinstance(node, LScalar) and node.value is None):
        return None
    if isinstance(node, LScalar) and (
        type(node.value) is str if strict else not isinstance(node.value, bool)
    ):
        return str(node.value)
    sink.report(c.WRONG_SHAPE, node.span, path, what=what, expected="a string", kind=describe(node))
    return None


def boolean(node: LNode | None, what: str, path: LogicalPath, sink: DiagnosticSink) -> bool:
    if node is None:
        return False
    if isinstance(node, LScalar) and isinstance(node.value, bool):
        return node.value
    if isinstance(node, LScalar) and isinstance(node.value, str):
        lowered = node.value.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    sink.report(
        c.WRONG_SHAPE, node.span, path, what=what, expected="a boolean", kind=describe(node)
    )
    return False


def names(
    node: LNode | None,
    what: str,
    path: LogicalPath,
    sink: DiagnosticSink,
    *,
    nullable: bool = True,
) -> tuple[e.Str, ...]:
    """A name or a list of names (depends_on, DependsOn, group parameters). A key written
    with no value is no names, unless `nullable` is false (a resource's depends_on: Heat wants
    a list or a string there)."""
    if node is None or (nullable and isinstance(node, LScalar) and node.value is None):
        return ()
    items = node.items if isinstance(node, LSeq) else (node,)  # null: reported as an item
    result: list[e.Str] = []
    for index, item in enumerate(items):
        if isinstance(item, LScalar) and isinstance(item.value, str):
            result.append(e.Str(value=item.value, span=item.span))
        else:
            where = (*path, index) if isinstance(node, LSeq) else path
            sink.report(
                c.WRONG_SHAPE,
                item.span,
                where,
                what=what,
                expected="a name or a list of names",
                kind=describe(item),
            )
    return tuple(result)


def check_keys(
    node: LMap,
    allowed: dict[str, str | None],
    version: str,
    version_key: str,
    version_spelling: str,
    path: LogicalPath,
    sink: DiagnosticSink,
    *,
    unknown: c.Code,
    what: str,
    **fields: Any,
) -> None:
    """Report keys the dialect lacks (with a suggestion) or this version does not accept yet."""
    for name, key, _ in entries(node):
        since = allowed.get(name, "?")
        if since == "?":
            sink.report(
                unknown,
                key.span,
                (*path, name),
                key=name,
                hint=suggest(name, list(allowed)),
                **fields,
            )
        elif since is not None and version < since:
            sink.report(
                c.KEY_NOT_IN_VERSION,
                key.span,
                (*path, name),
                what=what,
                key=name,
                version_key=version_key,
                since=since,
                version=version_spelling,
            )
