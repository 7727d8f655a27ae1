"""What `get_attr` / `Fn::GetAtt` may name on a resource, as Heat decides it.

Heat checks an attribute name against the plugin's attributes schema (plus the base `show`)
when the plugin uses Resource.get_attribute; a plugin that overrides get_attribute or FnGetAtt
takes any name at validation time and decides when the value is resolved
(heat/engine/resource.py node_data and stk_defn.ResourceProxy.attributes_schema). For those the
runtime rules are mirrored here, from the plugin files named below:

- provider templates (heat/engine/resources/template_resource.py, get_attribute): the nested
  template's outputs, and `resource.<name>[.<attribute>]` of its resources;
- OS::Heat::ResourceGroup (openstack/heat/resource_group.py, get_attribute and
  _nested_output_defns): its own attributes, `resource.<n>[.<attribute>]`, and any attribute of
  the members (a list of each member's value); `attributes` needs a member attribute after it;
- OS::Heat::AutoScalingGroup (openstack/heat/autoscaling_group.py, get_attribute): its own
  attributes and `resource.<n>[.<attribute>]`; `outputs`/`outputs_list` need a member
  attribute after them; any other name raises InvalidTemplateAttribute;
- AWS::CloudFormation::Stack (aws/cfn/stack.py, get_attribute): `Outputs.<name>` only;
- software deployments, ResourceChain and the retired types Heat maps to NoneResource: any name
  (deployment outputs come from the config, which is only known at run time).

A type unknown to the registry, or a template Kiln could not read, is not checked here
(validate_schema and the include diagnostics say why).
"""

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from typing import Any, Final, Literal

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.names import is_template_type, suggest
from kiln.compiler.resource_types import InvalidResourceTypeSchema
from kiln.compiler.unit import CompilationUnit, NestedRef

RESOURCE_GROUP: Final = "OS::Heat::ResourceGroup"
AUTOSCALING_GROUP: Final = "OS::Heat::AutoScalingGroup"
CFN_STACK: Final = "AWS::CloudFormation::Stack"
STACK_OUTPUTS_PREFIX: Final = "Outputs."
# Names a provider template answers besides its outputs: Heat's base attribute and the output
# that, when the nested template defines it, becomes the reference id (template_resource.py).
TEMPLATE_EXTRA: Final = frozenset({"show", "OS::stack_id"})
# The member definition property of each group type.
GROUP_MEMBER_PROPERTY: Final = {RESOURCE_GROUP: "resource_def", AUTOSCALING_GROUP: "resource"}
# Group attributes that read a member attribute named after them.
NEEDS_MEMBER_ATTRIBUTE: Final = {
    RESOURCE_GROUP: frozenset({"attributes"}),
    AUTOSCALING_GROUP: frozenset({"outputs", "outputs_list"}),
}

# Plugin types that override get_attribute/FnGetAtt in a way that takes any name (listed from
# Heat 27.0.1's global environment: every class whose get_attribute or FnGetAtt is not
# Resource's, less the groups and the nested stack handled above).
ANY_ATTRIBUTE: Final = frozenset(
    {
        "OS::Heat::SoftwareDeployment",
        "OS::Heat::StructuredDeployment",
        "OS::Heat::SoftwareDeploymentGroup",
        "OS::Heat::StructuredDeploymentGroup",
        "OS::Heat::SoftwareDeployments",
        "OS::Heat::StructuredDeployments",
        "OS::Heat::ResourceChain",
        # none_resource.NoneResource, and the retired types Heat now maps onto it
        "OS::Heat::None",
        "OS::Heat::HARestarter",
        "OS::Aodh::CombinationAlarm",
        "OS::Designate::Domain",
        "OS::Designate::Record",
        "OS::Glance::Image",
        "OS::Magnum::Bay",
        "OS::Monasca::AlarmDefinition",
        "OS::Monasca::Notification",
        "OS::Neutron::HealthMonitor",
        "OS::Neutron::LBaaS::HealthMonitor",
        "OS::Neutron::LBaaS::L7Policy",
        "OS::Neutron::LBaaS::L7Rule",
        "OS::Neutron::LBaaS::Listener",
        "OS::Neutron::LBaaS::LoadBalancer",
        "OS::Neutron::LBaaS::Pool",
        "OS::Neutron::LBaaS::PoolMember",
        "OS::Neutron::LoadBalancer",
        "OS::Neutron::Pool",
        "OS::Neutron::PoolMember",
        "OS::Sahara::Cluster",
        "OS::Sahara::ClusterTemplate",
        "OS::Sahara::DataSource",
        "OS::Sahara::ImageRegistry",
        "OS::Sahara::Job",
        "OS::Sahara::JobBinary",
        "OS::Sahara::NodeGroupTemplate",
        "OS::Senlin::Cluster",
        "OS::Senlin::Node",
        "OS::Senlin::Policy",
        "OS::Senlin::Profile",
        "OS::Senlin::Receiver",
        "OS::Vitrage::Template",
    }
)

Kind = Literal["schema", "template", "group", "cfn-stack"]


@frozen_dataclass
class Attributes:
    """The attributes of one resource (or of a group's members).

    `names` are the schema's attributes, or the template's outputs; `types` the schema's
    attribute types (Heat's lower-case names, None when undeclared); `group` the group type
    for kind "group"; `member` the members' attributes (None: not known, anything goes);
    `complete` False when a nested stack's outputs could not be read."""

    kind: Kind
    label: str
    names: tuple[str, ...]
    types: Mapping[str, str | None] = field(default_factory=dict)
    group: str | None = None
    member: "Attributes | None" = None
    complete: bool = True


@frozen_dataclass
class Finding:
    """An attribute Heat will not resolve: `whose` completes "... has no attribute"."""

    attribute: str
    whose: str
    hint: str


def check(
    attributes: Attributes, resource: str, attribute: str, path: Sequence[e.Expr]
) -> Finding | None:
    whose = f"resource {resource!r} ({attributes.label})"
    names = attributes.names
    if attributes.kind == "schema":
        if attribute in names:
            return None
        return Finding(attribute, whose, suggest(attribute, names))
    if attributes.kind == "template":
        if attribute in names or attribute in TEMPLATE_EXTRA or attribute.startswith("resource."):
            return None
        return Finding(attribute, whose, _outputs_hint(attribute, names))
    if attributes.kind == "cfn-stack":
        if not attribute.startswith(STACK_OUTPUTS_PREFIX):
            return Finding(attribute, whose, "; a nested stack's attributes are Outputs.<name>")
        output = attribute[len(STACK_OUTPUTS_PREFIX) :]
        if not attributes.complete or output in names:
            return None
        prefixed = [STACK_OUTPUTS_PREFIX + name for name in names]
        return Finding(attribute, whose, _outputs_hint(attribute, prefixed))
    return _check_group(attributes, resource, whose, attribute, path)


def _check_group(
    attributes: Attributes, resource: str, whose: str, attribute: str, path: Sequence[e.Expr]
) -> Finding | None:
    group = attributes.group or ""
    if attribute in NEEDS_MEMBER_ATTRIBUTE.get(group, ()):
        if not path:
            hint = f" without a member attribute after it; use [{resource}, {attribute}, <name>]"
            return Finding(attribute, whose, hint)
        return _check_member(attributes, resource, path[0])
    if attribute in attributes.names:
        return None
    if attribute.startswith("resource."):
        parts = attribute.split(".", 2)
        if len(parts) == 3:
            return _check_member(attributes, resource, e.Str(value=parts[2]))
        return _check_member(attributes, resource, path[0]) if path else None
    if group == RESOURCE_GROUP:
        # Any other name is each member's attribute of that name, as a list.
        return _check_member(attributes, resource, e.Str(value=attribute))
    return Finding(attribute, whose, suggest(attribute, attributes.names))


def _check_member(attributes: Attributes, resource: str, name: e.Expr) -> Finding | None:
    member = attributes.member
    if member is None or not isinstance(name, e.Str):
        return None
    found = check(member, resource, name.value, ())
    if found is None:
        return None
    whose = f"the members ({member.label}) of resource {resource!r}"
    return Finding(found.attribute, whose, found.hint)


def _outputs_hint(name: str, outputs: Sequence[str]) -> str:
    close = suggest(name, outputs)
    if close:
        return close
    if not outputs:
        return "; the template has no outputs"
    return "; its outputs are " + ", ".join(repr(output) for output in outputs)


class AttributeResolver:
    """Finds the Attributes of resources of a unit; cached per (template file, resource)."""

    def __init__(self, unit: CompilationUnit, schemas: Any) -> None:
        self.unit = unit
        self.schemas = schemas
        self.nested: dict[tuple[str, str], list[NestedRef]] = {}
        for ref in unit.nested:
            self.nested.setdefault((ref.template_file, ref.resource), []).append(ref)
        self._cache: dict[tuple[str, str], Attributes | None] = {}

    def of(self, template: Template, name: str) -> Attributes | None:
        """None when the resource is unknown or its attributes cannot be known."""
        key = (template.file, name)
        if key not in self._cache:
            resource = template.resources.get(name)
            self._cache[key] = None if resource is None else self._resolve(template, resource)
        return self._cache[key]

    def attribute_type(self, template: Template, name: str, attribute: str) -> str | None:
        found = self.of(template, name)
        if found is None or found.kind != "schema":
            return None
        return found.types.get(attribute)

    def _resolve(self, template: Template, resource: Resource) -> Attributes | None:
        refs = self.nested.get((template.file, resource.name), [])
        implementation = next((r for r in refs if r.via in ("type", "registry")), None)
        if implementation is not None:
            return self._template(implementation.nested_file)
        if is_template_type(resource.type):
            return None  # a template that could not be read (reported by the includes)
        final = self._final_type(resource.name, resource.type)
        if final is None or final in ANY_ATTRIBUTE:
            return None
        if final == CFN_STACK:
            stack = next((r for r in refs if r.via == "stack"), None)
            nested = self.unit.templates.get(stack.nested_file) if stack else None
            outputs = tuple(nested.outputs) if nested is not None else ()
            return Attributes("cfn-stack", final, outputs, complete=nested is not None)
        found = self._schema(final)
        if found is None or final not in GROUP_MEMBER_PROPERTY:
            return found
        member = self._member(resource, GROUP_MEMBER_PROPERTY[final], refs)
        return replace(found, kind="group", group=final, member=member)

    def _final_type(self, resource: str, type_name: str) -> str | None:
        """The plugin type Heat instantiates, or None when it is a template or unknown."""
        mapped = self.unit.environment.resolve_type(resource, type_name)
        if is_template_type(mapped):
            return None
        try:
            final: str = self.schemas.resolve_alias(mapped)
        except InvalidResourceTypeSchema:
            return None
        return None if is_template_type(final) else final

    def _schema(self, type_name: str) -> Attributes | None:
        schema = self.schemas.get(type_name)
        if schema is None:
            return None
        types: dict[str, str | None] = {}
        for name in schema.attribute_names:
            data = schema.attribute(name) or {}
            kind = data.get("type")
            types[name] = kind if isinstance(kind, str) else None
        return Attributes("schema", type_name, tuple(schema.attribute_names), types)

    def _template(self, path: str) -> Attributes | None:
        nested = self.unit.templates.get(path)
        if nested is None:
            return None
        return Attributes("template", f"provider template {path!r}", tuple(nested.outputs))

    def _member(self, group: Resource, key: str, refs: list[NestedRef]) -> Attributes | None:
        member_ref = next((r for r in refs if r.via == "group"), None)
        if member_ref is not None:
            return self._template(member_ref.nested_file)
        definition = _item(group.properties, key)
        member_type = _item(definition, "type")
        if not isinstance(member_type, e.Str) or is_template_type(member_type.value):
            return None
        # Heat looks a member's type up under the member's name ("0", "1", ...).
        final = self._final_type("0", member_type.value)
        if final is None or final in ANY_ATTRIBUTE or final == CFN_STACK:
            return None
        if final in GROUP_MEMBER_PROPERTY:
            return None  # a group of groups: the inner members are not followed
        return self._schema(final)


def _item(node: e.Expr | None, key: str) -> e.Expr | None:
    return node.items.get(key) if isinstance(node, e.MapExpr) else None
