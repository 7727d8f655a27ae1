"""Conditions: `if`, the condition functions, and named conditions (memoized, with cycles).

Heat's rules (heat/engine/conditions.py Conditions, heat/engine/hot/functions.py If,
ConditionBoolean): where a condition is expected, the expression is resolved and then a
boolean is itself, None is true, a string names a condition (so a string parameter names
one too), and anything else is "Invalid condition". A condition's definition must resolve
to a boolean. An undefined name fails only where it is evaluated.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate.values import (
    ABSENT,
    Absent,
    Item,
    Unknown,
    Value,
    heat_str,
    is_concrete,
    value_type,
)
from kiln.compiler.functions import BadArguments, Call
from kiln.compiler.functions import builders as b
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.types import ValueType
from kiln.compiler.names import suggest

if TYPE_CHECKING:
    from kiln.compiler.evaluate.evaluator import Evaluator

BOOLEAN = ValueType.BOOLEAN


class _InProgress:
    pass


_IN_PROGRESS: Final = _InProgress()


def truth(ev: "Evaluator", expr: e.Expr, path: LogicalPath) -> bool | Unknown:
    """Heat's `_get_condition(resolve(parse_condition(expr)))`."""
    expr = condition_form(ev, expr)
    if isinstance(expr, e.ConditionRef):
        return ev.conditions.named(ev, expr.name, expr, path)
    with ev.condition_context():
        value = ev.value(expr, path)
    return operand_truth(ev, value, expr, path)


def operand_truth(ev: "Evaluator", value: Value, node: Any, path: LogicalPath) -> bool | Unknown:
    """Conditions.is_enabled on a resolved value: bool itself, None true, a string a name."""
    if isinstance(value, Unknown):
        return Unknown(BOOLEAN, value.reason)
    if isinstance(value, bool):
        return value
    if value is None:
        return True
    if isinstance(value, str):
        return ev.conditions.named(ev, value, node, path)
    if isinstance(node, e.UnknownFn):  # a map Heat keeps: the frontend reported the name
        return Unknown(BOOLEAN, f"{node.name!r} is not a condition function here")
    text = heat_str(value)
    ev.report(c.INVALID_CONDITION, getattr(node, "span", None), path, value=text)
    return Unknown(BOOLEAN, f'Invalid condition "{text}"')


# --- the frontend lowers `if`'s first argument as a value: read condition functions again ----

_HOT_CONDITION_BUILDERS: Final[dict[str, Callable[[Call], e.Expr]]] = {
    "equals": b.build_equals,
    "not": b.not_(list_form=False),
    "and": b.boolean_list(e.And, 2, None),
    "or": b.boolean_list(e.Or, 2, None),
}
_CFN_CONDITION_BUILDERS: Final[dict[str, Callable[[Call], e.Expr]]] = {
    "Fn::Equals": b.build_equals,
    "Fn::Not": b.not_(list_form=True),
    "Fn::And": b.boolean_list(e.And, 2, 10),
    "Fn::Or": b.boolean_list(e.Or, 2, 10),
    "Condition": b.build_condition_ref,
}
_HOT_CONDITIONS_SINCE: Final = "2016-10-14"


def condition_form(ev: "Evaluator", expr: e.Expr) -> e.Expr:
    """Heat parses `if`'s condition with the condition functions (Template.parse_condition),
    but the lowering reads it as a value, where `equals`/`not`/`and`/`or` are plain maps.
    A single-key map spelled like a condition function is read as that function here."""
    if not isinstance(expr, e.MapExpr) or len(expr.items) != 1:
        return expr
    ((spelling, args),) = expr.items.items()
    if ev.dialect == "hot":
        builder = _HOT_CONDITION_BUILDERS.get(spelling)
        if builder is None or ev.version < _HOT_CONDITIONS_SINCE:
            return expr
    else:
        builder = _CFN_CONDITION_BUILDERS.get(spelling)
        if builder is None:
            return expr
    call = Call(spelling, args, expr.span, ev.dialect, ev.version, "condition")
    try:
        return builder(call)
    except BadArguments:
        return e.UnknownFn(name=spelling, args=args, reason="bad-arguments", span=expr.span)


# --- value handlers ----------------------------------------------------------------------


def if_(ev: "Evaluator", node: e.If, path: LogicalPath) -> Item:
    """hot If (Macro) / IfNullable: only the branch taken is resolved; a missing third
    argument (2021-04-16) drops the enclosing item when the condition is false."""
    fn = (*path, node.spelling)
    decided = truth(ev, node.condition, fn)
    if decided is True:
        return ev.item(node.then, (*fn, 1))
    if decided is False:
        return ABSENT if node.otherwise is None else ev.item(node.otherwise, (*fn, 2))
    then = ev.item(node.then, (*fn, 1))
    otherwise = ABSENT if node.otherwise is None else ev.item(node.otherwise, (*fn, 2))
    if (
        not isinstance(then, Absent)
        and not isinstance(otherwise, Absent)
        and is_concrete(then)
        and then == otherwise
    ):
        return then
    kinds = {value_type(v) for v in (then, otherwise) if not isinstance(v, Absent)}
    kind = kinds.pop() if len(kinds) == 1 else ValueType.ANY
    return Unknown(kind, f"{node.spelling}: {decided.reason}")


def equals(ev: "Evaluator", node: e.Equals, path: LogicalPath) -> Item:
    """hot Equals.result: Python equality of the resolved values (1 == 1.0 == true)."""
    fn = (*path, node.spelling)
    left = ev.value(node.left, (*fn, 0))
    right = ev.value(node.right, (*fn, 1))
    if not (is_concrete(left) and is_concrete(right)):
        return Unknown(BOOLEAN, f"{node.spelling}: an operand is known only at deploy time")
    return left == right


def _operands(
    ev: "Evaluator", items: tuple[e.Expr, ...], fn: LogicalPath
) -> list[tuple[Any, Value]]:
    """ConditionBoolean resolves its list of arguments (dropping dropped items); names stay
    strings until each is looked up, in order, as all()/any() reach it."""
    operands: list[tuple[Any, Value]] = []
    for i, item in enumerate(items):
        item = condition_form(ev, item)
        if isinstance(item, e.ConditionRef):
            operands.append((item, item.name))
            continue
        value = ev.item(item, (*fn, i))
        if not isinstance(value, Absent):
            operands.append((item, value))
    return operands


def _combine(
    ev: "Evaluator", node: e.And | e.Or, path: LogicalPath, stop_at: bool
) -> bool | Unknown:
    fn = (*path, node.spelling)
    unknown: Unknown | None = None
    for operand, value in _operands(ev, node.conditions, fn):
        if isinstance(operand, e.ConditionRef):
            decided = ev.conditions.named(ev, operand.name, operand, fn)
        else:
            decided = operand_truth(ev, value, operand, fn)
        if decided is stop_at:
            return stop_at
        if isinstance(decided, Unknown):
            unknown = unknown or decided
    return Unknown(BOOLEAN, unknown.reason) if unknown is not None else not stop_at


def and_(ev: "Evaluator", node: e.And, path: LogicalPath) -> Item:
    """hot And.result: all(), stopping at the first false condition."""
    return _combine(ev, node, path, stop_at=False)


def or_(ev: "Evaluator", node: e.Or, path: LogicalPath) -> Item:
    """hot Or.result: any(), stopping at the first true condition."""
    return _combine(ev, node, path, stop_at=True)


def not_(ev: "Evaluator", node: e.Not, path: LogicalPath) -> Item:
    """hot Not.result (cfn Not takes a one-item list; the builder unwrapped it)."""
    decided = truth(ev, node.condition, (*path, node.spelling))
    return decided if isinstance(decided, Unknown) else not decided


def condition_ref(ev: "Evaluator", node: e.ConditionRef, path: LogicalPath) -> Item:
    """A named condition where a value is resolved (AWS's `{Condition: name}`)."""
    return ev.conditions.named(ev, node.name, node, path)


HANDLERS: Final[dict[type, Callable[["Evaluator", Any, LogicalPath], Item]]] = {
    e.If: if_,
    e.Equals: equals,
    e.And: and_,
    e.Or: or_,
    e.Not: not_,
    e.ConditionRef: condition_ref,
}


# --- named conditions --------------------------------------------------------------------


class NamedConditions:
    """Conditions.is_enabled: each definition resolved once, a cycle reported once."""

    # The evaluator is an argument, not an attribute: the two referring to each other would
    # be a cycle, which keeps a whole compilation unit alive until the cyclic GC runs.
    def __init__(self, given: Mapping[str, bool | Unknown] | None) -> None:
        self.given = given
        self.memo: dict[str, bool | Unknown | _InProgress] = {}
        self.chain: list[str] = []
        self.cycles: set[frozenset[str]] = set()

    def named(self, ev: "Evaluator", name: str, node: Any, path: LogicalPath) -> bool | Unknown:
        definitions = ev.template.conditions
        if self.given is not None:
            # resolve_conditions computed these and reported what was wrong with them.
            if name in self.given:
                return self.given[name]
            return Unknown(BOOLEAN, f"condition {name!r} is not defined")
        if name not in definitions:
            ev.report(
                c.UNDEFINED_CONDITION,
                getattr(node, "span", None),
                path,
                name=name,
                hint=suggest(name, list(definitions)),
            )
            return Unknown(BOOLEAN, f'Invalid condition "{name}"')
        known = self.memo.get(name)
        if isinstance(known, _InProgress):
            return self._cycle(ev, name)
        if known is not None:
            return known
        self.memo[name] = _IN_PROGRESS
        self.chain.append(name)
        try:
            value = self._definition(ev, name)
        finally:
            self.chain.pop()
        self.memo[name] = value
        return value

    def _cycle(self, ev: "Evaluator", name: str) -> Unknown:
        loop = [*self.chain[self.chain.index(name) :], name]
        members = frozenset(loop)
        if members not in self.cycles:
            self.cycles.add(members)
            definition = ev.template.conditions[name]
            ev.report(
                c.CONDITION_CYCLE,
                definition.span,
                (_section(ev), name),
                name=name,
                chain=" -> ".join(loop),
            )
        return Unknown(BOOLEAN, f'Circular definition for condition "{name}"')

    def _definition(self, ev: "Evaluator", name: str) -> bool | Unknown:
        """Conditions._resolve: the definition resolved must be a boolean."""
        definition = ev.template.conditions[name]
        path = (_section(ev), name)
        expr = condition_form(ev, definition.expr)
        if isinstance(expr, e.UnknownFn):  # reported by the frontend
            return Unknown(BOOLEAN, f"condition {name!r}: {expr.name!r} is not a condition here")
        if isinstance(expr, e.ConditionRef) and not expr.spelling:
            # A bare name is a string: Heat's Conditions.validate rejects it.
            ev.report(
                c.INVALID_CONDITION_DEFINITION,
                expr.span,
                path,
                name=name,
                definition=expr.name,
                hint=_bare_name_hint(ev, expr.name),
            )
            return Unknown(BOOLEAN, f"condition {name!r} is only a name")
        with ev.condition_context():
            value = ev.value(expr, path)
        if isinstance(value, Unknown):
            return Unknown(BOOLEAN, value.reason)
        if isinstance(value, bool):
            return value
        ev.report(
            c.INVALID_CONDITION_DEFINITION,
            getattr(expr, "span", None) or definition.span,
            path,
            name=name,
            definition=heat_str(value),
            hint="",
        )
        return Unknown(BOOLEAN, f'The definition of condition "{name}" is invalid')


def _section(ev: "Evaluator") -> str:
    return "Conditions" if ev.dialect == "cfn" else "conditions"


def _bare_name_hint(ev: "Evaluator", name: str) -> str:
    if ev.dialect == "cfn":
        return (
            f"; to reuse condition {name!r}, write {{Condition: {name}}} (AWS) or "
            f"{{'Fn::Not': [{{'Fn::Not': [{name}]}}]}} (Heat)"
        )
    return f"; to reuse condition {name!r}, write {{not: {{not: {name}}}}}"
