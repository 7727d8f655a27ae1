"""The dependency_graph pass: each template's DependencyGraph (facts.graph), and its errors.

What counts, as in Heat (heat/engine/rsrc_defn.py, ResourceDefinition.required_resource_names
and dependencies; heat/engine/stack.py, Stack.dependencies):

- `depends_on` / `DependsOn`, and every `get_resource` / `get_attr` / `Ref` / `Fn::GetAtt`
  in the *properties and metadata* of a resource. Not update_policy, deletion_policy,
  external_id or condition, and never outputs.
- Inside `if`, only the branch the condition selects (If is a Macro: its dependencies are those
  of the parsed branch). When Kiln cannot know the condition, both branches count.
- A resource with an `external_id` depends on nothing; with `depends_on` as well, Heat raises
  InvalidExternalResourceDependency (DEP003).
- Resources whose condition is false are left out. `depends_on` one of them is dropped
  silently, as Heat does ("conditionally defined, allow dependencies on it"); a reference to one
  is Heat's InvalidTemplateReference (DEP002), and so is a kept output's get_attr of one.
- Plugins' implicit dependencies (kiln/compiler/implicit_dependencies.py).
- `Fn::Sub` `${Resource}` / `${Resource.Attribute}` (CloudFormation; Heat has no Fn::Sub, so
  this only serves converters and `kiln graph`).

A cycle is one DEP001 at the reference of its first resource in source order, naming the
whole cycle, with a note at each link (a resource that names itself is resolve_references'
REF008, not repeated here).
"""

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from kiln.compiler.diagnostics import Note
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate import Evaluator
from kiln.compiler.graph import DependencyGraph, Edge
from kiln.compiler.implicit_dependencies import (
    Candidate,
    DependencyValues,
    Opaque,
    implicit_edges,
)
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.types import ParamType
from kiln.compiler.ir.visit import children
from kiln.compiler.names import is_template_type
from kiln.compiler.passes import PassContext
from kiln.compiler.passes.sites import spell
from kiln.compiler.source import Span
from kiln.compiler.unit import CompilationUnit, TemplateFacts

Path = tuple[str | int, ...]

# `${Name}` or `${Name.Attribute}` in Fn::Sub; `${!Literal}` is an escape.
SUB_VARIABLE = re.compile(r"\$\{(?!!)\s*([^}.\s]+)(?:\.[^}]*)?\s*\}")


@frozen_dataclass
class Sections:
    resources: str
    properties: str
    metadata: str
    depends_on: str


HOT = Sections("resources", "properties", "metadata", "depends_on")
CFN = Sections("Resources", "Properties", "Metadata", "DependsOn")


def dependency_graph(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    for template in unit.all_templates():
        facts = unit.facts_of(template)
        builder = _Builder(unit, template, facts, context)
        graph = builder.build()
        builder.release()
        unit = unit.with_facts(template, replace(facts, graph=graph))
    return unit


@frozen_dataclass
class Reference:
    target: str
    kind: str
    span: Span | None
    path: Path
    definite: bool  # False under an `if` whose condition Kiln does not know
    attribute: bool = False  # get_attr / Fn::GetAtt (not get_resource / Ref)


class _Builder:
    def __init__(
        self,
        unit: CompilationUnit,
        template: Template,
        facts: TemplateFacts,
        context: PassContext,
    ) -> None:
        self.unit = unit
        self.template = template
        self.facts = facts
        self.context = context
        self.sections = HOT if template.dialect == "hot" else CFN
        self.evaluator = _evaluator(unit, template, facts)
        self._visiting: set[str] = set()
        parameters = _parameters(unit, template, facts, context)
        self.values = DependencyValues(parameters, self.truth, self._evaluate)
        self.disabled = _disabled(template, facts, self.truth)

    def release(self) -> None:
        """Drop the values resolver once the graph is built: it calls back into this builder,
        a reference cycle that would keep the whole unit alive until the cyclic GC runs."""
        del self.values

    # --- conditions -------------------------------------------------------------------------

    def truth(self, node: e.Expr) -> bool | None:
        """A condition's value, or None when it depends on what Kiln does not know."""
        if isinstance(node, e.Bool):
            return node.value
        if isinstance(node, e.ConditionRef | e.Str):
            return self._named(node.name if isinstance(node, e.ConditionRef) else node.value)
        if isinstance(node, e.Not):
            inner = self.truth(node.condition)
            return None if inner is None else not inner
        if isinstance(node, e.And | e.Or):
            values = [self.truth(item) for item in node.conditions]
            decisive = isinstance(node, e.Or)  # the value that settles it alone
            if decisive in values:
                return decisive
            return None if None in values else not decisive
        if self.evaluator is not None:  # Heat's semantics for everything else
            try:
                known = self.evaluator.condition(node)
            except Exception:  # the evaluator may not know this shape yet
                known = None
            if isinstance(known, bool):
                return known
        # Without the evaluator (or parameter values from validate_parameters): the two
        # shapes that matter most, on the values DependencyValues knows.
        value = self.values.resolve(node.left) if isinstance(node, e.Equals) else None
        if isinstance(node, e.Equals) and not isinstance(value, Opaque):
            other = self.values.resolve(node.right)
            return None if isinstance(other, Opaque) else bool(value == other)
        if isinstance(node, e.ParamRef):
            value = self.values.resolve(node)
            return value if isinstance(value, bool) else None
        return None

    def _named(self, name: str) -> bool | None:
        if name in self.facts.conditions:
            value = self.facts.conditions[name]
            return value if isinstance(value, bool) else None
        # Until resolve_conditions fills facts.conditions: the definition, worked out here for
        # the shapes above (a condition naming itself is the conditions pass's to report).
        condition = self.template.conditions.get(name)
        if condition is None or name in self._visiting:
            return None
        self._visiting.add(name)
        try:
            return self.truth(condition.expr)
        finally:
            self._visiting.discard(name)

    def _evaluate(self, node: e.Expr) -> Any:
        if self.evaluator is None:
            raise LookupError("no evaluator")
        value = self.evaluator.evaluate(node, ())
        if not _is_concrete(value):
            raise LookupError("not known before deployment")
        return value

    # --- the graph ----------------------------------------------------------------------------

    def build(self) -> DependencyGraph:
        template = self.template
        enabled = [name for name in template.resources if name not in self.disabled]
        edges: list[Edge] = []
        explicit: dict[str, frozenset[str]] = {}
        for name in enabled:
            found = self._explicit(name)
            edges.extend(found)
            explicit[name] = frozenset(edge.target for edge in found)
        candidates = [self._candidate(name) for name in enabled]
        edges.extend(implicit_edges(candidates, explicit))
        graph = DependencyGraph.build(
            ((name, template.resources[name].type) for name in enabled), edges
        )
        for cycle in graph.cycles:
            # A resource naming itself is REF008 (resolve_references) already: report once.
            if len(cycle) > 1:
                self._report_cycle(graph, cycle)
        self._check_outputs()
        return graph

    def _check_outputs(self) -> None:
        """An output that is kept (its condition not false) may not read an attribute of a
        disabled resource: Heat's GetAtt validation finds no such resource ("The specified
        reference is incorrect"). get_resource of one is valid there (it resolves to None)."""
        if not self.disabled:
            return
        template = self.template
        for name, output in template.outputs.items():
            if output.condition is not None and self.truth(output.condition) is False:
                continue
            path: Path = (spell(template, "outputs"), name, spell(template, "value"))
            for ref in self._references(output.value, path, True):
                if ref.attribute and ref.definite and ref.target in self.disabled:
                    self._report_disabled(f"output {name!r}", ref)

    def _explicit(self, name: str) -> list[Edge]:
        resource, s = self.template.resources[name], self.sections
        base: Path = (s.resources, name)
        if resource.external_id is not None and self.values.resolve(resource.external_id):
            # rsrc_defn.required_resource_names: an external resource depends on nothing.
            if resource.depends_on:
                self.context.sink.report(
                    c.EXTERNAL_RESOURCE_DEPENDS_ON,
                    resource.depends_on[0].span,
                    (*base, s.depends_on),
                    resource=name,
                    fix="drop depends_on: an existing resource is not created, so nothing "
                    "needs to come before it",
                )
            return []
        edges: list[Edge] = []
        kind = "depends_on" if self.template.dialect == "hot" else "DependsOn"
        for position, item in enumerate(resource.depends_on):
            if item.value in self.template.resources and item.value not in self.disabled:
                edges.append(
                    Edge(name, item.value, kind, item.span, (*base, s.depends_on, position))
                )
        for section, node in ((s.properties, resource.properties), (s.metadata, resource.metadata)):
            for ref in self._references(node, (*base, section), True):
                if ref.target not in self.template.resources:
                    continue  # a name that names nothing: resolve_references reports it
                if ref.target not in self.disabled:
                    edges.append(Edge(name, ref.target, ref.kind, ref.span, ref.path))
                elif ref.definite:
                    self._report_disabled(f"resource {name!r}", ref)
        return edges

    def _references(self, node: Any, path: Path, definite: bool) -> Iterator[Reference]:
        if node is None:
            return
        if isinstance(node, e.ResourceRef):
            yield Reference(node.name, node.spelling or "get_resource", node.span, path, definite)
        elif isinstance(node, e.AttrRef):
            kind = node.spelling or "get_attr"
            yield Reference(node.resource, kind, node.span, path, definite, attribute=True)
        elif isinstance(node, e.If):
            truth = self.truth(node.condition)
            if truth is not False:
                yield from self._references(node.then, path, definite and truth is True)
            if truth is not True:
                yield from self._references(node.otherwise, path, definite and truth is False)
            return
        elif isinstance(node, e.Interpolate) and node.spelling == "Fn::Sub":
            yield from self._sub_references(node, path, definite)
        if isinstance(node, e.MapExpr):
            for key, value in node.items.items():
                yield from self._references(value, (*path, key), definite)
            return
        if isinstance(node, e.ListExpr):
            for position, item in enumerate(node.items):
                yield from self._references(item, (*path, position), definite)
            return
        for child in children(node):
            yield from self._references(child, path, definite)

    def _sub_references(
        self, node: e.Interpolate, path: Path, definite: bool
    ) -> Iterator[Reference]:
        if not isinstance(node.template, e.Str):
            return
        bound = set(node.bindings.items) if isinstance(node.bindings, e.MapExpr) else set()
        for match in SUB_VARIABLE.finditer(node.template.value):
            name = match.group(1)
            if name not in bound and name in self.template.resources:
                yield Reference(name, "Fn::Sub", node.template.span or node.span, path, definite)

    def _candidate(self, name: str) -> Candidate:
        resource, s = self.template.resources[name], self.sections
        environment = self.unit.environment
        resolved = environment.resolve_type(name, resource.type) if resource.type else ""
        plugin_type = resolved
        if resolved and not is_template_type(resolved):
            try:
                plugin_type = self.context.registries.schemas.resolve_alias(resolved)
            except ValueError:  # an alias loop: the schema pass reports the type
                plugin_type = resolved
        return Candidate(
            name=name,
            resource=resource,
            plugin_type=plugin_type,
            interfaces=frozenset({resource.type, resolved, plugin_type}),
            values=self.values,
            prefix=(s.resources, name, s.properties),
        )

    # --- diagnostics --------------------------------------------------------------------------

    def _report_disabled(self, owner: str, ref: Reference) -> None:
        """`owner`: "resource 'x'" or "output 'y'", what holds the reference."""
        condition = self.template.resources[ref.target].condition
        label = _condition_label(condition)
        self.context.sink.report(
            c.REFERENCE_TO_DISABLED,
            ref.span,
            ref.path,
            owner=owner,
            target=ref.target,
            function=ref.kind,
            condition=label,
            fix=f"give {owner} the condition {label} too, or wrap the reference in an `if` "
            "on that condition",
        )

    def _report_cycle(self, graph: DependencyGraph, cycle: tuple[str, ...]) -> None:
        links = [(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))]
        first = [graph.edges_between(source, target)[0] for source, target in links]
        notes = tuple(
            Note(f"{edge.source!r} depends on {edge.target!r} here ({edge.kind})", edge.span)
            for edge in first
        )
        self.context.sink.report(
            c.DEPENDENCY_CYCLE,
            first[0].span,
            first[0].path,
            notes=notes,
            cycle=" -> ".join([*cycle, cycle[0]]),
            fix="remove one of these dependencies; an implicit one goes away when the "
            "resources no longer share the network, subnet or router the rule matched",
        )


def _condition_label(condition: e.Expr | None) -> str:
    if isinstance(condition, e.ConditionRef):
        return repr(condition.name)
    if isinstance(condition, e.Str):
        return repr(condition.value)
    return "(inline)"


def _disabled(template: Template, facts: TemplateFacts, truth: Any) -> frozenset[str]:
    """Resources whose condition is statically false. Taken from facts.disabled once the
    conditions pass provides it; until then, worked out from facts.conditions."""
    given = getattr(facts, "disabled", None)
    if isinstance(given, Mapping):
        return frozenset(name for name, off in given.items() if off)
    if given is not None:
        return frozenset(given)
    return frozenset(
        name
        for name, resource in template.resources.items()
        if resource.condition is not None and truth(resource.condition) is False
    )


def _parameters(
    unit: CompilationUnit, template: Template, facts: TemplateFacts, context: PassContext
) -> dict[str, Any]:
    """Parameter values as the rules compare them: facts.parameters (validate_parameters).
    Until that pass fills them, a rough stand-in: for the root template -P (json parsed, else
    the string), then the environment, then the literal default. Unknown values are Opaque."""
    given: dict[str, Any] = {}
    if template.file == unit.root.file:
        environment = unit.environment
        for source in (environment.parameter_defaults, environment.parameters):
            given.update((name, _literal(value)) for name, value in source.items())
        for name, text in context.parameters:
            given[name] = _from_text(text, template, name)
    values: dict[str, Any] = {}
    for name, parameter in template.parameters.items():
        if name in facts.parameters:
            value: Any = facts.parameters[name]
        else:
            value = given.get(name, _MISSING)
            if value is _MISSING:
                value = _literal(parameter.default)
        values[name] = Opaque(("param", name)) if _is_unknown(value) else value
    return values


_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})  # oslo strutils.bool_from_string
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def _from_text(text: str, template: Template, name: str) -> Any:
    parameter = template.parameters.get(name)
    kind = parameter.type if parameter is not None else ParamType.STRING
    if kind is ParamType.JSON:
        try:
            return json.loads(text)
        except ValueError:
            return _MISSING
    if kind is ParamType.BOOLEAN:
        word = text.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else _MISSING
    return text


def _is_concrete(value: Any) -> bool:
    """No Unknown anywhere inside (kiln.compiler.evaluate.is_concrete, by duck typing so the
    graph does not depend on the evaluator being there)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if _is_unknown(current):
            return False
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
    return True


def _is_unknown(value: Any) -> bool:
    return value is _MISSING or type(value).__name__ == "Unknown"


_MISSING: Any = object()


def _literal(node: e.Expr | None) -> Any:
    if node is None:
        return _MISSING
    if isinstance(node, e.Str | e.Int | e.Float | e.Bool):
        return node.value
    if isinstance(node, e.Null):
        return None
    if isinstance(node, e.ListExpr):
        items = [_literal(item) for item in node.items]
        return _MISSING if any(item is _MISSING for item in items) else items
    if isinstance(node, e.MapExpr):
        pairs = {key: _literal(value) for key, value in node.items.items()}
        return _MISSING if any(value is _MISSING for value in pairs.values()) else pairs
    return _MISSING


def _evaluator(unit: CompilationUnit, template: Template, facts: TemplateFacts) -> Evaluator:
    """The shared evaluator, under the parameters and conditions the earlier passes found."""
    return Evaluator(
        template,
        parameters=facts.parameters,
        conditions=facts.conditions or None,
        resource_data=None,
        files=unit.files,
    )
