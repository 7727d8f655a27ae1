"""Walking and rewriting the IR generically, from the dataclass fields.

`children` finds the nodes inside a node (fields holding nodes, tuples of nodes, FrozenMaps of
nodes); `transform` rebuilds a tree bottom-up with a function applied to every expression,
returning the same objects where nothing changed.
"""

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap

T = TypeVar("T")
_SKIP = frozenset({"span", "key_spans", "type_span"})


_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _SKIP)
        _FIELDS[cls] = names
    return names


def is_node(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def children(node: object) -> Iterator[Any]:
    """Direct child nodes, in field order."""
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        if is_node(value):
            yield value
        elif isinstance(value, tuple):
            yield from (item for item in value if is_node(item))
        elif isinstance(value, FrozenMap):
            yield from (item for item in value.values() if is_node(item))


def walk(node: object) -> Iterator[Any]:
    """Every node under `node` (itself included), depth first, pre-order; iterative."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def walk_exprs(node: object) -> Iterator[e.Expr]:
    for item in walk(node):
        if isinstance(item, e.Expr):
            yield item


def transform(node: T, function: Callable[[e.Expr], e.Expr]) -> T:
    """Apply `function` to every expression, children first; unchanged subtrees are shared."""
    changes: dict[str, Any] = {}
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        new = _transform_value(value, function)
        if new is not value:
            changes[name] = new
    result = dataclasses.replace(node, **changes) if changes else node  # type: ignore[type-var]
    if isinstance(result, e.Expr):
        return function(result)  # type: ignore[return-value]
    return result


def _transform_value(value: Any, function: Callable[[e.Expr], e.Expr]) -> Any:
    if is_node(value):
        return transform(value, function)
    if isinstance(value, tuple):
        items = tuple(_transform_value(item, function) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, FrozenMap):
        changed = False
        pairs = []
        for key, item in value.items():
            new = _transform_value(item, function)
            changed = changed or new is not item
            pairs.append((key, new))
        return FrozenMap(pairs) if changed else value
    return value
