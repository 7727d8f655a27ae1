"""The desired state: what a compiled template asks to exist, ready to plan and deploy.

From the compilation unit: the enabled resources with their effective types (the
environment's resource_registry, then Heat's aliases), ResourceGroups expanded into members
(handlers/resource_group.py), the dependency graph over all of them, and the checks only a
deployment needs (every type has a handler, every parameter has a value, ...), each a RUN
diagnostic at the resource. Then, for the planner and the engine, the one evaluator resolving
properties and outputs against real resource data (`resolve`), with hidden values masked
for whatever is stored or shown (kiln/runtime/hidden.py).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from kiln.compiler.diagnostics import Diagnostic, make
from kiln.compiler.evaluate import ABSENT, Evaluator, Unknown, Value
from kiln.compiler.evaluate.pseudo import PROJECT_ID
from kiln.compiler.evaluate.values import first_unknown
from kiln.compiler.graph import DependencyGraph
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.ir.visit import walk_exprs
from kiln.compiler.names import is_template_type
from kiln.compiler.resource_types.validator import attribute_typer, heat_properties
from kiln.compiler.unit import CompilationUnit
from kiln.runtime import errors as err
from kiln.runtime.handlers import HandlerTable
from kiln.runtime.handlers.base import BaseHandler
from kiln.runtime.handlers.resource_group import GROUP_TYPE, Member, expand, substitute_index
from kiln.runtime.hidden import Masker

DELETION_POLICIES: Final = {"delete": "Delete", "retain": "Retain", "snapshot": "Snapshot"}
ResourceData = dict[str, dict[str, Any]]
ALL_ATTRIBUTES: Final = "*"


@dataclass(frozen=True, slots=True)
class DesiredResource:
    name: str
    type: str  # effective: after the environment's registry and Heat's aliases
    node: Resource
    handler: BaseHandler
    requires: tuple[str, ...]
    member: Member | None = None
    members: tuple[str, ...] = ()  # of a group
    deletion_policy: str = "Delete"
    external_id: str | None = None
    restricted: frozenset[str] = frozenset()
    # Attribute names other resources and outputs read ("*": all of them).
    needed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Resolved:
    """A resource's properties: `real` for the handler, `masked` for the store and the
    screen (hidden values as HMACs), `unknown` the first value not known yet (or None)."""

    real: dict[str, Any]
    masked: dict[str, Any]
    unknown: Unknown | None
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass
class Desired:
    unit: CompilationUnit
    template: Template
    graph: DependencyGraph
    resources: dict[str, DesiredResource]  # in creation order
    parameters: Mapping[str, Value]
    masker: Masker
    stack_name: str
    stack_id: str
    project_id: str | None
    typer: Callable[[str, str], Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.diagnostics)

    @property
    def needs_cloud(self) -> bool:
        return any(item.handler.needs_cloud for item in self.resources.values())

    def evaluator(self, data: ResourceData, *, stand_in: bool = False) -> Evaluator:
        facts = self.unit.facts_of(self.unit.root)
        parameters = self.masker.marked_parameters(self.parameters) if stand_in else self.parameters
        return Evaluator(
            self.template,
            parameters=parameters,
            conditions=facts.conditions or None,
            resource_data=data,
            files=self.unit.files,
            stack_name=self.stack_name,
            stack_id=self.stack_id,
            project_id=self.project_id or PROJECT_ID,
            attribute_type=self.typer,
        )

    def resolve(self, name: str, data: ResourceData) -> Resolved:
        item = self.resources[name]
        real, diagnostics = self._properties(item, data, stand_in=False)
        masked = self.masker.scrub(real)  # secrets a handler revealed (hidden attributes)
        if self.masker.hidden:
            stand_in, _ = self._properties(item, data, stand_in=True)
            masked = self.masker.mask(real, stand_in)
        return Resolved(real, _encoded(masked), first_unknown(real), tuple(diagnostics))

    def _properties(
        self, item: DesiredResource, data: ResourceData, *, stand_in: bool
    ) -> tuple[dict[str, Any], list[Diagnostic]]:
        evaluator = self.evaluator(data, stand_in=stand_in)
        properties: Any = {}
        if item.node.properties is not None:
            found = evaluator.evaluate_item(item.node.properties, ("resources", item.name))
            properties = {} if found is ABSENT or found is None else found
        if item.member is not None:
            properties = substitute_index(properties, item.member)
        if not isinstance(properties, dict):
            properties = {}
        if item.member is not None:  # ResourceGroup._build_resource_definition drops nulls
            properties = {key: value for key, value in properties.items() if value is not None}
        translated = item.handler.translate(properties)
        return heat_properties(item.handler.property_schema, translated), evaluator.diagnostics

    def outputs(self, data: ResourceData) -> tuple[dict[str, Any], dict[str, Any]]:
        """(real, masked) output values; an output that fails is {"error": message}."""
        real: dict[str, Any] = {}
        stand_in: dict[str, Any] = {}
        for which, target in ((False, real), (True, stand_in)):
            if which and not self.masker.hidden:
                break
            evaluator = self.evaluator(data, stand_in=which)
            for name in self.template.outputs:
                value = evaluator.output(name)
                errors = [d.message for d in evaluator.diagnostics]
                evaluator.diagnostics.clear()
                target[name] = {"error": "; ".join(errors)} if errors else value
        masked = self.masker.mask(real, stand_in) if self.masker.hidden else self.masker.scrub(real)
        return real, _encoded(masked)


def _encoded(value: Any) -> Any:
    from kiln.compiler.preview import encode

    return encode(value)


def build_desired(
    unit: CompilationUnit,
    schemas: Any,
    handlers: HandlerTable,
    *,
    stack_name: str,
    stack_id: str,
    salt: str,
    project_id: Callable[[], str | None] = lambda: None,
) -> Desired:
    """The desired state of a compiled (error-free) unit, with RUN diagnostics for what
    cannot be deployed."""
    root = unit.root
    facts = unit.facts_of(root)
    graph = facts.graph or DependencyGraph()
    hidden = {
        name: value
        for name, value in facts.parameters.items()
        if name in root.parameters and root.parameters[name].hidden
    }
    typer = attribute_typer(schemas)
    desired = Desired(
        unit=unit,
        template=root,
        graph=graph,
        resources={},
        parameters=facts.parameters,
        masker=Masker(salt, hidden),
        stack_name=stack_name,
        stack_id=stack_id,
        project_id=None,
        typer=typer,
    )
    _check_parameters(desired)
    reader = _project_reader(root)
    if reader is not None:
        desired.project_id = project_id()
        if desired.project_id is None:
            desired.diagnostics.append(
                make(
                    err.NOT_DEPLOYABLE,
                    reader.span,
                    (),
                    message="the template reads the project id (OS::project_id or "
                    "AWS::StackId): name the cloud with --cloud or OS_CLOUD",
                )
            )
    plain = desired.evaluator({})

    def type_of(name: str) -> str:
        return effective_type(unit, schemas, name, root.resources[name].type)

    def evaluate(node: e.Expr) -> Value:
        return plain.evaluate(node)

    expansion = expand(root, graph, type_of, evaluate)
    desired.diagnostics.extend(expansion.diagnostics)
    desired.template = expansion.template
    desired.graph = expansion.graph
    needed = needed_attributes((expansion.template,), desired.evaluator({}))
    for name in expansion.graph.topological_order:
        node = expansion.template.resources[name]
        member = expansion.members.get(name)
        type_name = effective_type(unit, schemas, member.group if member else name, node.type)
        handler = _handler(desired, handlers, node, type_name, member)
        if handler is None:
            continue
        desired.resources[name] = DesiredResource(
            name=name,
            type=type_name,
            node=node,
            handler=handler,
            requires=expansion.graph.requires(name),
            member=member,
            members=expansion.groups.get(name, ()),
            deletion_policy=_deletion_policy(desired, node, plain),
            external_id=_external_id(node, plain),
            restricted=unit.environment.restricted_actions_for(member.group if member else name),
            needed=frozenset(needed.get(name, ())),
        )
    return desired


def effective_type(unit: CompilationUnit, schemas: Any, resource: str, type_name: str) -> str:
    mapped = unit.environment.resolve_type(resource, type_name)
    return mapped if is_template_type(mapped) else str(schemas.resolve_alias(mapped))


def _handler(
    desired: Desired,
    handlers: HandlerTable,
    node: Resource,
    type_name: str,
    member: Member | None,
) -> BaseHandler | None:
    handler = handlers.get(type_name)
    if handler is None and member is not None and member.index != "0":
        return None  # reported once, for the group's first member
    where = node.type_span or node.span
    path: tuple[str, ...] = ("resources", node.name, "type")
    if member is not None:
        path = ("resources", member.group, "properties", "resource_def", "type")
    if handler is not None and not (member is not None and type_name == GROUP_TYPE):
        return handler
    if member is not None and type_name == GROUP_TYPE:
        problem = "a ResourceGroup of ResourceGroups is not deployable by Kiln yet"
    elif is_template_type(type_name):
        problem = (
            f"its type is the template {type_name!r}: nested stacks are not deployable by Kiln yet"
        )
    else:
        shown = f"{node.type!r}" + (f" (mapped to {type_name!r})" if type_name != node.type else "")
        problem = f"Kiln has no deploy handler for type {shown}; types it deploys: " + ", ".join(
            handlers.supported()
        )
    subject = f"{member.group!r} (its members)" if member else repr(node.name)
    desired.diagnostics.append(
        make(err.NO_HANDLER, where, path, message=f"resource {subject}: {problem}")
    )
    return None


def _check_parameters(desired: Desired) -> None:
    for name, parameter in desired.template.parameters.items():
        value = desired.parameters.get(name)
        if isinstance(value, Unknown):
            desired.diagnostics.append(
                make(
                    err.PARAMETER_WITHOUT_VALUE,
                    parameter.name_span or parameter.span,
                    ("parameters", name),
                    message=f"parameter {name!r} has no value: give it with -P {name}=VALUE "
                    "or in an environment file",
                )
            )


def _project_reader(template: Template) -> e.PseudoRef | None:
    """The first pseudo parameter that needs the project id (OS::project_id, AWS::StackId)."""
    for node in walk_exprs(template):
        if isinstance(node, e.PseudoRef) and node.name in ("OS::project_id", "AWS::StackId"):
            return node
    return None


def _deletion_policy(desired: Desired, node: Resource, evaluator: Evaluator) -> str:
    if node.deletion_policy is None:
        return "Delete"
    value = evaluator.evaluate(node.deletion_policy)
    policy = DELETION_POLICIES.get(str(value).lower(), "Delete")
    if policy == "Snapshot":
        desired.diagnostics.append(
            make(
                err.NOT_DEPLOYABLE,
                node.deletion_policy.span or node.span,
                ("resources", node.name, "deletion_policy"),
                message=f"resource {node.name!r}: deletion_policy Snapshot is not supported "
                "by Kiln's deploy yet (use Retain or Delete)",
            )
        )
    return policy


def _external_id(node: Resource, evaluator: Evaluator) -> str | None:
    if node.external_id is None:
        return None
    value = evaluator.evaluate(node.external_id)
    return str(value) if isinstance(value, str | int) and value != "" else None


def needed_attributes(roots: Iterable[object], evaluator: Evaluator) -> dict[str, set[str]]:
    """Resource -> the attribute names get_attr reads from it anywhere under `roots` (a
    template, or some of its outputs); ALL_ATTRIBUTES when the name is absent or not known."""
    needed: dict[str, set[str]] = {}
    for root in roots:
        for node in walk_exprs(root):
            if not isinstance(node, e.AttrRef):
                continue
            names = needed.setdefault(node.resource, set())
            if node.attribute is None:
                names.add(ALL_ATTRIBUTES)
                continue
            value = evaluator.evaluate(node.attribute)
            names.add(value if isinstance(value, str) else ALL_ATTRIBUTES)
    return needed
