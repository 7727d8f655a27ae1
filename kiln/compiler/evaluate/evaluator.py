"""The evaluator: resolves canonical expressions to values with Heat 27's semantics.

One Evaluator per template and set of facts. `evaluate(expr, path)` walks the expression the
way heat/engine/function.py `resolve` walks a parsed snippet: a function's arguments are
resolved before the function itself (except `if`, a macro that resolves only the branch it
takes), a two-argument `if` whose condition is false drops the enclosing list item or map key,
and a whole value that drops becomes None.

What Heat raises while resolving becomes an EVL diagnostic at the function's span, with Heat's
wording, and the value becomes Unknown(ANY) so evaluation goes on. What cannot be known before
deployment (a resource's id or attributes, availability zones) is Unknown with its type, and a
function over an Unknown yields an Unknown of its own result type, never a guess.

Errors Heat catches while parsing or validating a template (wrong argument shapes, removed
functions, unknown names) are the frontends' and check passes' to report: here they quietly
become Unknown. Handlers live by topic in strings.py, lists_maps.py, references.py,
conditions.py and yaql_support.py; each names the Heat class whose `result()` it mirrors.
"""

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from kiln.compiler.diagnostics import Diagnostic, LogicalPath, make
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate import conditions as cond
from kiln.compiler.evaluate import lists_maps, references, strings, yaql_support
from kiln.compiler.evaluate.pseudo import PROJECT_ID, STACK_ID, STACK_NAME, PseudoValues
from kiln.compiler.evaluate.semantics import HEAT_DEFAULT_REGION, supports_conditions
from kiln.compiler.evaluate.values import ABSENT, Absent, Item, Unknown, Value
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.types import ValueType
from kiln.compiler.ir.visit import walk

Handler = Callable[["Evaluator", Any, LogicalPath], Item]
AttributeType = Callable[[str, str], ValueType]
ResourceData = Mapping[str, Mapping[str, Any]]


def _literal_list(ev: "Evaluator", node: e.ListExpr, path: LogicalPath) -> Item:
    items = (ev.item(item, (*path, i)) for i, item in enumerate(node.items))
    return [item for item in items if not isinstance(item, Absent)]


def _literal_map(ev: "Evaluator", node: e.MapExpr, path: LogicalPath) -> Item:
    result: dict[str, Value] = {}
    for key, value in node.items.items():
        item = ev.item(value, (*path, key))
        if not isinstance(item, Absent):
            result[key] = item
    return result


def _unknown_fn(ev: "Evaluator", node: e.UnknownFn, path: LogicalPath) -> Item:
    """A function Heat does not have in this version (or at all) is a plain map to Heat, whose
    values it still resolves (heat/engine/template.py `parse` recurses into the map). Removed
    functions and malformed calls fail Heat's validation: reported by the frontend."""
    if node.reason in ("unknown", "not-yet"):
        return {node.name: ev.item_or_none(node.args, (*path, node.name))}
    return Unknown(ValueType.ANY, f"{node.name!r}: {_REASONS[node.reason]}")


_REASONS: Final = {
    "removed": "not supported in this template version",
    "bad-arguments": "arguments of the wrong shape",
}

HANDLERS: Final[dict[type, Handler]] = {
    e.Str: lambda ev, node, path: node.value,
    e.Int: lambda ev, node, path: node.value,
    e.Float: lambda ev, node, path: node.value,
    e.Bool: lambda ev, node, path: node.value,
    e.Null: lambda ev, node, path: None,
    e.ListExpr: _literal_list,
    e.MapExpr: _literal_map,
    e.UnknownFn: _unknown_fn,
    **references.HANDLERS,
    **strings.HANDLERS,
    **lists_maps.HANDLERS,
    **cond.HANDLERS,
    **yaql_support.HANDLERS,
}


class Evaluator:
    """Resolves expressions of one template.

    parameters: every declared parameter's value (Unknown when not known); conditions: the
    truth of each named condition when resolve_conditions has computed them (names missing
    from it are undefined and were reported there), else None to evaluate definitions here;
    resource_data: {resource: {"reference_id": ..., "attrs": {...}}} for resources that exist;
    files: the unit's file table (get_file); attribute_type: the type of a resource type's
    attribute, for a typed Unknown.
    """

    def __init__(
        self,
        template: Template,
        *,
        parameters: Mapping[str, Value],
        conditions: Mapping[str, bool | Unknown] | None = None,
        resource_data: ResourceData | None = None,
        files: Mapping[str, str] | None = None,
        stack_name: str = STACK_NAME,
        stack_id: str = STACK_ID,
        project_id: str = PROJECT_ID,
        region: str = HEAT_DEFAULT_REGION,
        attribute_type: AttributeType | None = None,
    ) -> None:
        self.template = template
        self.dialect = template.dialect
        self.version = template.version
        self.parameters = parameters
        self.resource_data: ResourceData = resource_data or {}
        self.files: Mapping[str, str] = files or {}
        self.attribute_type = attribute_type
        self.pseudo = PseudoValues(stack_name, stack_id, project_id, region)
        self.has_conditions = supports_conditions(self.dialect, self.version)
        self.conditions = cond.NamedConditions(conditions)
        self.diagnostics: list[Diagnostic] = []
        # CND findings (undefined names, cycles, invalid definitions): resolve_conditions
        # reports them; other passes evaluate with its results and never see them again.
        self.condition_diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[str, object, str]] = set()
        # Inside a condition (conditions.py sets it) and inside a function Heat does not
        # accept there (reported as FN009): Heat's errors would be noise, so none is reported.
        self.in_condition = False
        self._quiet = 0
        self._depth = 0

    # --- the API ------------------------------------------------------------------------

    def evaluate(self, expr: e.Expr, path: LogicalPath = ()) -> Value:
        """The value of an expression; a dropped value (false two-argument `if`) is None,
        as Heat resolves a whole output value."""
        return self.item_or_none(expr, path)

    def evaluate_item(self, expr: e.Expr, path: LogicalPath = ()) -> Item:
        """Like evaluate, but ABSENT when the value drops out of its enclosing list or map
        (a property whose value is a false two-argument `if` is not set at all)."""
        return self.item(expr, path)

    def condition(self, expr: e.Expr | str, path: LogicalPath = ()) -> bool | Unknown:
        """The truth of a condition: a condition name, or an expression where Heat expects a
        condition (`if`'s first argument, a resource's or output's `condition`)."""
        if isinstance(expr, str):
            return self.conditions.named(self, expr, None, path)
        return cond.truth(self, expr, path)

    def resource_enabled(self, name: str) -> bool | Unknown:
        """False when the resource's condition is false: Heat drops the resource."""
        resource = self.template.resources.get(name)
        if resource is None or resource.condition is None or not self.has_conditions:
            return True
        return self.condition(resource.condition, ("resources", name, _condition_key(self)))

    def output(self, name: str) -> Value:
        """An output's value as Heat shows it: None when its condition is false."""
        output = self.template.outputs[name]
        base: LogicalPath = ("outputs", name)
        enabled: bool | Unknown = True
        if output.condition is not None and self.has_conditions:
            enabled = self.condition(output.condition, (*base, _condition_key(self)))
            if enabled is False:
                return None
        if output.value is None:
            return None
        value = self.evaluate(output.value, (*base, "Value" if self.dialect == "cfn" else "value"))
        if isinstance(enabled, Unknown) and value is not None:
            return Unknown(ValueType.ANY, f"output {name!r}: its condition is not known")
        return value

    # --- for handlers ---------------------------------------------------------------------

    def item(self, expr: e.Expr, path: LogicalPath) -> Item:
        handler = HANDLERS.get(type(expr))
        if handler is None:  # a node kind added to the IR without a handler: not a crash
            return Unknown(ValueType.ANY, f"{type(expr).__name__} is not evaluated")
        if self._depth >= MAX_DEPTH:
            return Unknown(ValueType.ANY, "nested too deeply to evaluate")
        quiet = self.in_condition and type(expr) in _NOT_IN_HEAT_CONDITIONS.get(self.dialect, ())
        self._depth += 1
        self._quiet += quiet
        try:
            if self._depth > 1:
                return handler(self, expr, path)
            # The outermost expression makes room for the deepest (see _RECURSION_LIMIT);
            # written out rather than a context manager: this runs for every property value.
            previous = sys.getrecursionlimit()
            if previous >= _RECURSION_LIMIT:
                return handler(self, expr, path)
            sys.setrecursionlimit(_RECURSION_LIMIT)
            try:
                return handler(self, expr, path)
            finally:
                sys.setrecursionlimit(previous)
        finally:
            self._depth -= 1
            self._quiet -= quiet

    @contextmanager
    def condition_context(self) -> Iterator[None]:
        """While a condition is resolved (a definition, or where Heat expects one)."""
        outer = self.in_condition
        self.in_condition = True
        try:
            yield
        finally:
            self.in_condition = outer

    def item_or_none(self, expr: e.Expr, path: LogicalPath) -> Value:
        """A function argument: Heat resolves it with nullable=False, so ABSENT is None."""
        item = self.item(expr, path)
        return None if isinstance(item, Absent) else item

    def value(self, expr: e.Expr | None, path: LogicalPath) -> Value:
        return None if expr is None else self.item_or_none(expr, path)

    def fail(
        self,
        node: Any,
        path: LogicalPath,
        message: str,
        code: c.Code = c.EVALUATION_FAILED,
        **fields: object,
    ) -> Unknown:
        """Report what Heat raises while resolving `node` (Heat's `message`), and carry on
        with Unknown(ANY)."""
        spelling = getattr(node, "spelling", "") or type(node).__name__
        if not _reported_inside(node):
            self.report(
                code, node.span, (*path, spelling), name=spelling, message=message, **fields
            )
        return Unknown(ValueType.ANY, f"{spelling}: {message}")

    def report(self, code: c.Code, span: object, path: LogicalPath, **fields: object) -> None:
        hint = fields.pop("fix", None)
        diagnostic = make(code, span, path, fix=str(hint) if hint else None, **fields)  # type: ignore[arg-type]
        key = (code.id, span, diagnostic.message)
        if self._quiet or key in self._seen:
            return
        self._seen.add(key)
        if code.category == "CND":
            self.condition_diagnostics.append(diagnostic)
        else:
            self.diagnostics.append(diagnostic)

    def parameter(self, name: str) -> tuple[bool, Value]:
        """(declared, value): a parameter's value, pseudo parameters included (Heat's
        Parameters holds them); (False, None) when the template has no such parameter."""
        declared = self.template.parameters.get(name)
        if declared is not None:
            if name in self.parameters:
                return True, self.parameters[name]
            return True, Unknown(declared.type.value_type, f"parameter {name!r} has no value")
        found = self.pseudo.lookup(self.dialect, name)
        if found is None or isinstance(found, Absent):
            return False, None
        return True, found


# Evaluation recurses along the expression (the loader bounds nesting at 256 levels, each a
# few Python frames); past this many nested expressions the value is Unknown, not a crash.
MAX_DEPTH: Final = 1000
# Python's default recursion limit (1000 frames) is below what the deepest templates the
# loader accepts need: raised while the outermost expression is evaluated, and put back after.
_RECURSION_LIMIT: Final = 20000


# CloudFormation functions AWS accepts in conditions and Heat's CfnTemplate does not (its
# condition_functions: Fn::Equals, Ref, Fn::FindInMap, Fn::Not, Fn::And, Fn::Or).
_NOT_IN_HEAT_CONDITIONS: Final[dict[str, frozenset[type]]] = {
    "cfn": frozenset({e.Join, e.Select, e.Split, e.Interpolate, e.Length, e.ToJsonString}),
}


def _reported_inside(node: Any) -> bool:
    """Whether the failing function holds a map Heat keeps for a function it does not have
    (a misspelt or too new name): the frontend reported that one mistake, and Heat's error
    here is only its knock-on."""
    return any(
        isinstance(item, e.UnknownFn) and item.reason in ("unknown", "not-yet")
        for item in walk(node)
    )


def _condition_key(ev: Evaluator) -> str:
    return "Condition" if ev.dialect == "cfn" else "condition"


__all__ = ["ABSENT", "Evaluator", "Unknown", "Value"]
