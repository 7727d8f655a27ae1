"""Walking and rewriting the IR generically, from the dataclass fields.

`children` finds the nodes inside a node (fields holding nodes, tuples of nodes, FrozenMaps of
nodes); `transform` rebuilds a tree bottom-up with a function applied to every expression,
returning the same objects where nothing changed.

Every pass walks every template, so the per-node work is kept small: what a class is (a node,
an expression, a tuple, a FrozenMap, or a leaf) and which fields a node class has are worked
out once per class and kept in tables, instead of asking `dataclasses` on every value.
"""

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template

T = TypeVar("T")
_SKIP = frozenset({"span", "key_spans", "type_span", "name_span"})

# What a value is, by its class.
_LEAF: Final = 0
_NODE: Final = 1  # a dataclass instance (not an expression)
_EXPR: Final = 2  # a dataclass instance that is an expression
_TUPLE: Final = 3
_MAP: Final = 4


class _Kinds(dict[type, int]):
    """Class -> what its instances are; filled on first sight of a class."""

    def __missing__(self, cls: type) -> int:
        # dataclasses.is_dataclass(value) and not isinstance(value, type): a class object's
        # own class (type, or a metaclass) is never a dataclass.
        if dataclasses.is_dataclass(cls):
            kind = _EXPR if issubclass(cls, e.Expr) else _NODE
        elif issubclass(cls, tuple):
            kind = _TUPLE
        elif issubclass(cls, FrozenMap):
            kind = _MAP
        else:
            kind = _LEAF
        self[cls] = kind
        return kind


class _Fields(dict[type, tuple[str, ...]]):
    """Node class -> the names of its fields that may hold nodes (not spans)."""

    def __missing__(self, cls: type) -> tuple[str, ...]:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _SKIP)
        self[cls] = names
        return names


_KINDS = _Kinds()
_FIELDS = _Fields()
_NODE_KINDS: Final = frozenset({_NODE, _EXPR})


def is_node(value: object) -> bool:
    return _KINDS[type(value)] in _NODE_KINDS


def _children(node: object) -> list[Any]:
    """Direct child nodes, in field order, as a list."""
    kinds = _KINDS
    found: list[Any] = []
    for name in _FIELDS[type(node)]:
        value = getattr(node, name)
        kind = kinds[type(value)]
        if kind == _LEAF:
            continue
        if kind == _TUPLE:
            found.extend([item for item in value if kinds[type(item)] in _NODE_KINDS])
        elif kind == _MAP:
            found.extend([item for item in value.values() if kinds[type(item)] in _NODE_KINDS])
        else:
            found.append(value)
    return found


def child_exprs(node: object) -> list[e.Expr]:
    """The direct children of `node` that are expressions, in field order."""
    kinds = _KINDS
    return [child for child in _children(node) if kinds[type(child)] == _EXPR]


def children(node: object) -> Iterator[Any]:
    """Direct child nodes, in field order."""
    return iter(_children(node))


def walk(node: object) -> Iterator[Any]:
    """Every node under `node` (itself included), depth first, pre-order; iterative."""
    return _walk(node, False)


def walk_exprs(node: object) -> Iterator[e.Expr]:
    """The expressions among walk(node), in its order. A whole template's are kept for the
    last few templates asked about: includes and resolve_references go over the same template
    (it is immutable, and held while kept, so its id stays its own)."""
    if type(node) is not Template:
        return _walk(node, True)
    kept = _RECENT.get(id(node))
    if kept is None or kept[0] is not node:
        if len(_RECENT) >= _RECENT_SIZE:
            _RECENT.clear()  # simpler than least-recently-used, and safe across threads
        kept = _RECENT[id(node)] = (node, tuple(_walk(node, True)))
    return iter(kept[1])


_RECENT: dict[int, tuple[Template, tuple[e.Expr, ...]]] = {}
_RECENT_SIZE: Final = 32


def _walk(node: object, exprs_only: bool) -> Iterator[Any]:
    # children() inlined: this runs once per node of every walk of every pass.
    kinds = _KINDS
    fields = _FIELDS
    stack = [node]
    pop = stack.pop
    extend = stack.extend
    while stack:
        current = pop()
        if not exprs_only or kinds[type(current)] == _EXPR:
            yield current
        found: list[Any] | None = None
        for name in fields[type(current)]:
            value = getattr(current, name)
            kind = kinds[type(value)]
            if kind == _LEAF:
                continue
            if found is None:
                found = []
            if kind == _TUPLE:
                found.extend([item for item in value if kinds[type(item)] in _NODE_KINDS])
            elif kind == _MAP:
                found.extend([item for item in value.values() if kinds[type(item)] in _NODE_KINDS])
            else:
                found.append(value)
        if found:
            found.reverse()
            extend(found)


def transform(node: T, function: Callable[[e.Expr], e.Expr]) -> T:
    """Apply `function` to every expression, children first; unchanged subtrees are shared."""
    cls = type(node)
    kinds = _KINDS
    changes: dict[str, Any] | None = None
    for name in _FIELDS[cls]:
        value = getattr(node, name)
        kind = kinds[type(value)]
        if kind == _LEAF:
            continue
        new = _transform_value(value, kind, function)
        if new is not value:
            if changes is None:
                changes = {}
            changes[name] = new
    result = dataclasses.replace(node, **changes) if changes else node  # type: ignore[type-var]
    if kinds[cls] == _EXPR:  # replace() keeps the class
        return function(result)  # type: ignore[arg-type, return-value]
    return result


def _transform_value(value: Any, kind: int, function: Callable[[e.Expr], e.Expr]) -> Any:
    if kind in _NODE_KINDS:
        return transform(value, function)
    if kind == _TUPLE:
        items = []
        changed = False
        for item in value:
            item_kind = _KINDS[type(item)]
            new = item if item_kind == _LEAF else _transform_value(item, item_kind, function)
            changed = changed or new is not item
            items.append(new)
        return tuple(items) if changed else value
    if kind == _MAP:
        changed = False
        pairs = []
        for key, item in value.items():
            item_kind = _KINDS[type(item)]
            new = item if item_kind == _LEAF else _transform_value(item, item_kind, function)
            changed = changed or new is not item
            pairs.append((key, new))
        return FrozenMap(pairs) if changed else value
    return value
