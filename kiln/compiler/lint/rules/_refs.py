"""Resource references inside an expression, with the `if`s that guard them, and whether one
condition implies another (for the conditional-resource rules).

A reference under `if: [c, then, else]` exists only when `c` is true (the `then` branch) or
false (`else`): such guards decide whether a reference to a conditional resource is safe.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.visit import child_exprs
from kiln.compiler.lint.rules._access import condition_name
from kiln.compiler.passes.sites import label

# `${Name}` or `${Name.Attribute}` in Fn::Sub; `${!Literal}` is an escape.
SUB_VARIABLE: Final = re.compile(r"\$\{(?!!)\s*([^}.\s]+)(?:\.[^}]*)?\s*\}")


@dataclass(frozen=True, slots=True)
class Guard:
    """The reference sits in the `then` (branch True) or `else` (False) of an `if`."""

    condition: e.Expr
    branch: bool


@dataclass(frozen=True, slots=True)
class Use:
    target: str  # the resource named
    via: str  # get_resource, get_attr, Ref, Fn::GetAtt, Fn::Sub
    node: e.Expr  # the call
    path: LogicalPath
    guards: tuple[Guard, ...] = ()

    @property
    def definite(self) -> bool:
        return not self.guards


def uses(root: e.Expr | None, path: LogicalPath, *, sub: bool = False) -> Iterator[Use]:
    """Every reference to a resource under `root`, in source order. `sub`: count Fn::Sub's
    `${Name}` too (AWS resolves them; Heat has no Fn::Sub)."""
    if root is None:
        return
    stack: list[tuple[e.Expr, LogicalPath, tuple[Guard, ...]]] = [(root, path, ())]
    while stack:
        node, where, guards = stack.pop()
        found: list[tuple[e.Expr, LogicalPath, tuple[Guard, ...]]] = []
        if isinstance(node, e.ResourceRef):
            yield Use(
                node.name, node.spelling or "get_resource", node, (*where, label(node)), guards
            )
            continue
        if isinstance(node, e.AttrRef):
            yield Use(
                node.resource, node.spelling or "get_attr", node, (*where, label(node)), guards
            )
            continue
        if isinstance(node, e.MapExpr):
            found = [(value, (*where, key), guards) for key, value in node.items.items()]
        elif isinstance(node, e.ListExpr):
            found = [(value, (*where, index), guards) for index, value in enumerate(node.items)]
        elif isinstance(node, e.If):
            step = (*where, label(node))
            found = [(node.then, step, (*guards, Guard(node.condition, True)))]
            if node.otherwise is not None:
                found.append((node.otherwise, step, (*guards, Guard(node.condition, False))))
        elif isinstance(node, e.SCALAR_TYPES):
            continue
        else:
            if sub and isinstance(node, e.Interpolate) and node.spelling == "Fn::Sub":
                yield from _sub_uses(node, (*where, label(node)), guards)
            step = (*where, label(node))
            found = [(child, step, guards) for child in child_exprs(node)]
        found.reverse()
        stack.extend(found)


def _sub_uses(node: e.Interpolate, path: LogicalPath, guards: tuple[Guard, ...]) -> Iterator[Use]:
    if not isinstance(node.template, e.Str):
        return
    bound = set(node.bindings.items) if isinstance(node.bindings, e.MapExpr) else set()
    for match in SUB_VARIABLE.finditer(node.template.value):
        name = match.group(1)
        if name not in bound and not name.startswith("AWS::"):
            yield Use(name, "Fn::Sub", node.template, path, guards)


# --- conditions --------------------------------------------------------------------------------


def _definition(template: Template, node: e.Expr, seen: frozenset[str]) -> e.Expr | None:
    name = condition_name(node)
    if name is None:
        return node
    if name in seen:
        return None
    condition = template.conditions.get(name)
    return condition.expr if condition is not None else None


def implies(template: Template, have: e.Expr | None, need: e.Expr) -> bool:
    """Whether condition `have` being true makes `need` true, as far as the shapes show: the
    same condition, or an `and` with a member that implies it."""
    return _implies(template, have, need, frozenset())


def _implies(template: Template, have: e.Expr | None, need: e.Expr, seen: frozenset[str]) -> bool:
    if have is None:
        return False
    if _same(have, need):
        return True
    name = condition_name(have)
    definition = _definition(template, have, seen)
    if definition is None:
        return False
    if name is not None:
        seen = seen | {name}
        if _same(definition, need) or _same(definition, _definition(template, need, seen)):
            return True
    if isinstance(definition, e.And):
        return any(_implies(template, part, need, seen) for part in definition.conditions)
    wanted = _definition(template, need, seen)
    return isinstance(wanted, e.Not) and _exclusive(template, definition, wanted.condition)


def _same(left: e.Expr | None, right: e.Expr | None) -> bool:
    if left is None or right is None:
        return False
    left_name, right_name = condition_name(left), condition_name(right)
    if left_name is not None or right_name is not None:
        return left_name == right_name
    return left == right  # spans take no part in equality


def guarded(template: Template, use: Use, need: e.Expr) -> bool:
    """The reference only exists when `need` holds: an enclosing `if` whose `then` branch it
    is in and whose condition implies `need`, or whose `else` branch it is in and whose
    condition's negation implies `need`."""
    for guard in use.guards:
        if guard.branch:
            if implies(template, guard.condition, need):
                return True
            continue
        # else branch: `not c`. `not x` implies need when x does; `not c` implies `not d`
        # when d implies c.
        negated = _definition(template, guard.condition, frozenset())
        if isinstance(negated, e.Not) and implies(template, negated.condition, need):
            return True
        wanted = _definition(template, need, frozenset())
        if isinstance(wanted, e.Not) and implies(template, wanted.condition, guard.condition):
            return True
    return False


def _exclusive(template: Template, left: e.Expr | None, right: e.Expr | None) -> bool:
    """Two conditions that cannot both hold: equalities of the same value with different
    literals (`equals: [az_count, 3]` and `equals: [az_count, 1]`)."""
    left = _definition(template, left, frozenset()) if left is not None else None
    right = _definition(template, right, frozenset()) if right is not None else None
    if not isinstance(left, e.Equals) or not isinstance(right, e.Equals):
        return False
    first, second = _compared(left), _compared(right)
    if first is None or second is None:
        return False
    return first[0] == second[0] and first[1] != second[1]


def _compared(node: e.Equals) -> tuple[e.Expr, object] | None:
    """(the value, the literal it is compared with), when one side is a literal."""
    for value, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(other, e.Str | e.Int | e.Float | e.Bool) and not isinstance(
            value, e.Str | e.Int | e.Float | e.Bool
        ):
            return value, str(other.value)
    return None
