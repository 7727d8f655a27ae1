"""OS::Heat::ResourceGroup, expanded before planning (heat/engine/resources/openstack/heat/
resource_group.py; grouputils.py for the attributes).

Heat makes a nested stack of `count` copies of `resource_def`, named "0", "1", ...; Kiln
makes them resources of the stack itself, named `<group>.<n>`, planned, diffed and deployed
like any other, so a member changes or is replaced on its own. Their properties are the
group's resolved `resource_def.properties` with `index_var` replaced by the member's name in
every string value (ResourceGroup._handle_repl_val: after resolution, values only, not keys).
A member depends on what the group depends on; the group depends on its members, so
`depends_on: group` waits for all of them.

References to the group are rewritten onto the members, as ResourceGroup.get_attribute
answers them:

    get_attr: [g, resource.N]          -> get_resource: g.N
    get_attr: [g, resource.N.a, p...]  -> get_attr: [g.N, a, p...]   (the rest is one name)
    get_attr: [g, attributes, a, p...] -> {"0": get_attr [g.0, a, p...], ...}
    get_attr: [g, a, p...]             -> [get_attr [g.0, a, p...], ...]
    get_attr: [g]                      -> {refs, refs_map, removed_rsrc_list}

`refs`, `refs_map` and `removed_rsrc_list` stay attributes of the group, which the group's
handler computes from its members once they exist. `get_resource: g` is the group's own id.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Final

from kiln.compiler.diagnostics import Diagnostic, make
from kiln.compiler.evaluate import Unknown, Value
from kiln.compiler.graph import DependencyGraph, Edge
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.ir.visit import transform
from kiln.runtime import errors as err
from kiln.runtime.handlers.base import HandlerContext
from kiln.runtime.handlers.heat_local import LocalHandler

GROUP_TYPE: Final = "OS::Heat::ResourceGroup"
DEFAULT_INDEX_VAR: Final = "%index%"
GROUP_ATTRIBUTES: Final = ("refs", "refs_map", "removed_rsrc_list")
MEMBER_EDGE: Final = "group-member"


@dataclass(frozen=True, slots=True)
class Member:
    group: str
    index: str
    index_var: str


@dataclass(frozen=True, slots=True)
class Expansion:
    template: Template
    graph: DependencyGraph
    members: Mapping[str, Member]
    groups: Mapping[str, tuple[str, ...]]
    diagnostics: tuple[Diagnostic, ...]


def member_name(group: str, index: int | str) -> str:
    return f"{group}.{index}"


def substitute_index(value: Value, member: Member) -> Value:
    """ResourceGroup._handle_repl_val: index_var replaced in every string value."""
    if isinstance(value, str):
        return value.replace(member.index_var, member.index)
    if isinstance(value, dict):
        return {key: substitute_index(item, member) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute_index(item, member) for item in value]
    return value


Evaluate = Callable[[e.Expr], Value]


def expand(
    template: Template,
    graph: DependencyGraph,
    type_of: Callable[[str], str],
    evaluate: Evaluate,
) -> Expansion:
    """The template with every enabled ResourceGroup's members added and references to the
    groups rewritten; `graph` is the compiled graph (its nodes are the enabled resources)."""
    builder = _Expander(template, graph, type_of, evaluate)
    return builder.run()


class _Expander:
    def __init__(
        self,
        template: Template,
        graph: DependencyGraph,
        type_of: Callable[[str], str],
        evaluate: Evaluate,
    ) -> None:
        self.template = template
        self.graph = graph
        self.type_of = type_of
        self.evaluate = evaluate
        self.diagnostics: list[Diagnostic] = []
        self.members: dict[str, Member] = {}
        self.groups: dict[str, tuple[str, ...]] = {}

    def report(self, code: Any, span: Any, path: tuple[str | int, ...], message: str) -> None:
        self.diagnostics.append(make(code, span, path, message=message))

    def run(self) -> Expansion:
        resources: dict[str, Resource] = {}
        for name in self.graph.nodes:
            resource = self.template.resources[name]
            if self.type_of(name) == GROUP_TYPE:
                for member in self._members(resource):
                    resources[member.name] = member
            resources[name] = resource
        rewritten = {name: self._rewrite(node) for name, node in resources.items()}
        outputs = FrozenMap(
            (name, self._rewrite(output)) for name, output in self.template.outputs.items()
        )
        template = replace(self.template, resources=FrozenMap(rewritten), outputs=outputs)
        return Expansion(
            template, self._graph(), self.members, self.groups, tuple(self.diagnostics)
        )

    # --- members ------------------------------------------------------------------------

    def _members(self, group: Resource) -> list[Resource]:
        base = ("resources", group.name, "properties")
        properties = group.properties
        if properties is not None and not isinstance(properties, e.MapExpr):
            self.report(
                err.NOT_KNOWN_BEFORE_DEPLOY,
                properties.span or group.span,
                base,
                f"resource {group.name!r}: Kiln expands a ResourceGroup before deploying, so "
                "its properties must be written out as a mapping",
            )
            return []
        items = properties.items if properties is not None else FrozenMap[str, e.Expr]()
        count = self._count(group, items.get("count"), base)
        index_var = self._string(items.get("index_var"), DEFAULT_INDEX_VAR)
        definition = items.get("resource_def")
        removal = items.get("removal_policies")
        if removal is not None and self.evaluate(removal) not in (None, []):
            self.report(
                err.NOT_DEPLOYABLE,
                removal.span or group.span,
                (*base, "removal_policies"),
                f"resource {group.name!r}: removal_policies are not supported by Kiln's "
                "deploy yet; members are removed from the highest index down",
            )
        if not isinstance(definition, e.MapExpr) or count is None or index_var is None:
            if definition is not None and not isinstance(definition, e.MapExpr):
                self.report(
                    err.NOT_KNOWN_BEFORE_DEPLOY,
                    definition.span or group.span,
                    (*base, "resource_def"),
                    f"resource {group.name!r}: Kiln expands a ResourceGroup before deploying, "
                    "so resource_def must be written out as a mapping",
                )
            return []
        type_node = definition.items.get("type")
        member_type = self._string(type_node, None)
        if member_type is None:
            self.report(
                err.NOT_KNOWN_BEFORE_DEPLOY,
                (type_node.span if type_node is not None else None) or definition.span,
                (*base, "resource_def", "type"),
                f"resource {group.name!r}: the members' type must be known before deploying",
            )
            return []
        type_span = (type_node.span if type_node is not None else None) or group.type_span
        names: list[str] = []
        made: list[Resource] = []
        for index in range(count):
            name = member_name(group.name, index)
            if name in self.template.resources:
                self.report(
                    err.NOT_DEPLOYABLE,
                    group.name_span or group.span,
                    ("resources", group.name),
                    f"resource {group.name!r}: its member {index} would be named {name!r}, "
                    "which another resource of the template already has",
                )
                return []
            names.append(name)
            self.members[name] = Member(group.name, str(index), index_var)
            made.append(
                Resource(
                    name=name,
                    type=member_type,
                    properties=definition.items.get("properties"),
                    metadata=definition.items.get("metadata"),
                    type_span=type_span,
                    name_span=group.name_span,
                    span=group.span,
                )
            )
        self.groups[group.name] = tuple(names)
        return made

    def _count(
        self, group: Resource, node: e.Expr | None, base: tuple[str | int, ...]
    ) -> int | None:
        value: Value = 1 if node is None else self.evaluate(node)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if value is None:
            value = 1
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            what = value.reason if isinstance(value, Unknown) else repr(value)
            self.report(
                err.NOT_KNOWN_BEFORE_DEPLOY,
                (node.span if node is not None else None) or group.span,
                (*base, "count"),
                f"resource {group.name!r}: the group's count must be a number known before "
                f"deploying, not {what}",
            )
            return None
        return value

    def _string(self, node: e.Expr | None, default: str | None) -> str | None:
        if node is None or isinstance(node, e.Null):
            return default
        value = self.evaluate(node)
        return value if isinstance(value, str) else None

    # --- references ---------------------------------------------------------------------

    def _rewrite(self, node: Any) -> Any:
        if not self.groups:
            return node
        return transform(node, self._rewrite_expr)

    def _rewrite_expr(self, node: e.Expr) -> e.Expr:
        if not isinstance(node, e.AttrRef) or node.resource not in self.groups:
            return node
        members = self.groups[node.resource]
        span, spelling = node.span, node.spelling
        if node.attribute is None:
            return e.MapExpr(
                items=FrozenMap(
                    (name, _attr(node.resource, name, (), node)) for name in GROUP_ATTRIBUTES
                ),
                span=span,
            )
        attribute = self._string(node.attribute, None)
        if attribute is None or attribute in GROUP_ATTRIBUTES:
            return node  # the group's own (computed by its handler), or reported below
        path = node.path
        if attribute.startswith("resource."):
            parts = attribute.split(".", 2)
            index = parts[1] if len(parts) > 1 else ""
            name = member_name(node.resource, index)
            if name not in members:
                self._bad(node, f"{node.resource!r} has no member {index!r}")
                return node
            if len(parts) == 2 and not path:
                return e.ResourceRef(name=name, spelling=spelling, span=span)
            rest = (e.Str(value=parts[2], span=span), *path) if len(parts) == 3 else path
            return e.AttrRef(
                resource=name, attribute=rest[0], path=tuple(rest[1:]), spelling=spelling, span=span
            )
        if attribute == "attributes":
            if not path:
                self._bad(node, "'attributes' needs the name of the members' attribute")
                return node
            return e.MapExpr(
                items=FrozenMap(
                    (self.members[name].index, _attr(name, path[0], path[1:], node))
                    for name in members
                ),
                span=span,
            )
        return e.ListExpr(
            items=tuple(
                _attr(name, e.Str(value=attribute, span=span), path, node) for name in members
            ),
            span=span,
        )

    def _bad(self, node: e.AttrRef, problem: str) -> None:
        self.report(
            err.NOT_KNOWN_BEFORE_DEPLOY,
            node.span,
            (),
            f"{node.spelling}: {problem} (the group's attribute cannot be read as written)",
        )

    # --- the graph ----------------------------------------------------------------------

    def _graph(self) -> DependencyGraph:
        nodes: list[tuple[str, str]] = []
        for name in self.graph.nodes:
            for member in self.groups.get(name, ()):
                nodes.append((member, self.template.resources[name].type))
            nodes.append((name, self.graph.types.get(name, "")))
        edges: list[Edge] = list(self.graph.edges)
        for group, members in self.groups.items():
            for edge in self.graph.edges:
                if edge.source == group:
                    edges.extend(
                        Edge(member, edge.target, edge.kind, edge.span, edge.path)
                        for member in members
                    )
            edges.extend(Edge(group, member, MEMBER_EDGE) for member in members)
        return DependencyGraph.build(nodes, edges)


def _attr(
    resource: str, attribute: e.Expr | str, path: tuple[e.Expr, ...], like: e.AttrRef
) -> e.Expr:
    name = e.Str(value=attribute, span=like.span) if isinstance(attribute, str) else attribute
    return e.AttrRef(
        resource=resource, attribute=name, path=path, spelling=like.spelling, span=like.span
    )


class ResourceGroupHandler(LocalHandler):
    """The group itself: nothing of its own in the cloud; its attributes from its members."""

    type_name: ClassVar[str] = GROUP_TYPE

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        refs = [reference for _, reference in ctx.members]
        indexes = [name.rsplit(".", 1)[-1] for name, _ in ctx.members]
        return {
            "refs": refs,
            "refs_map": dict(zip(indexes, refs, strict=True)),
            "removed_rsrc_list": [],
            "show": {"id": physical_id, "members": indexes},
        }


__all__ = ["GROUP_TYPE", "Expansion", "Member", "expand", "substitute_index"]
