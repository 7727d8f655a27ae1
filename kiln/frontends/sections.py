"""Helpers the dialect frontends share for reading sections of the located tree."""

from collections.abc import Iterator
from typing import Any

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir import expr as e
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


def text(node: LNode | None, what: str, path: LogicalPath, sink: DiagnosticSink) -> str | None:
    """A plain string (numbers are accepted and kept as their text, as Heat does)."""
    if node is None or (isinstance(node, LScalar) and node.value is None):
        return None
    if isinstance(node, LScalar) and not isinstance(node.value, bool):
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
    node: LNode | None, what: str, path: LogicalPath, sink: DiagnosticSink
) -> tuple[e.Str, ...]:
    """A name or a list of names (depends_on, DependsOn, group parameters)."""
    if node is None or (isinstance(node, LScalar) and node.value is None):
        return ()
    items = node.items if isinstance(node, LSeq) else (node,)
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
