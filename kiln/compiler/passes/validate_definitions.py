"""Resource definitions as Heat reads them before it looks at properties.

- heat/engine/service.py _validate_template: more resources in the root template than
  max_resources_per_stack (1000 by default) is "Request limit exceeded" (SYN030).
- heat/engine/template_common.py _rsrc_defn_args, for every resource (also those a false
  condition drops: the definitions are read first): `metadata` and `update_policy` must be a map
  or a function, `deletion_policy` and `external_id` a string or a function, `condition` a
  string, a boolean or a function (SYN015, CND004 for a null condition), `type` not empty
  (Template.validate: "Each Resource must contain a Type key", SYN018); the deletion policy,
  resolved, must be one the template version knows ("Invalid deletion policy", SYN026; a
  literal the frontend reports, a value from a function here; AWS's RetainExceptOnCreate is
  SCH016).
- heat/engine/resource.py Resource.__init__, for the resources Heat keeps (condition not
  false): a name with "/" is refused (SYN031). validate_template, for those without an
  external_id: "Snapshot" needs a plugin class with handle_snapshot_delete (the schemas'
  `x-snapshot-delete`; a provider template never has it) (SCH014), and the update policy is
  validated as Properties against the class's update_policy_schema: a function there is not
  iterable, an unknown key is "Unknown Property", values are typed and constrained (SCH015; in
  a CloudFormation template written for AWS, on an AWS:: type, the warning SCH013 instead).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate.values import Absent, Unknown
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.types import ValueType
from kiln.compiler.names import is_template_type
from kiln.compiler.passes import PassContext
from kiln.compiler.passes.sites import spell
from kiln.compiler.resource_types import property_schema as ps
from kiln.compiler.resource_types import validator as v
from kiln.compiler.unit import CompilationUnit, NestedRef
from kiln.frontends.cfn import versions as cfn_versions
from kiln.frontends.hot import versions as hot_versions

# heat/common/config.py max_resources_per_stack (a deployment may change it; -1 is unlimited).
MAX_RESOURCES_PER_STACK: Final = 1000
SNAPSHOT_KEY: Final = "x-snapshot-delete"
_HEAT_CFN_VERSION: Final = "2012-12-12"
_NO_POLICY: Final = ps.ObjectSchema({})  # Resource.update_policy_schema = {}
_UPDATE_POLICIES: dict[str, tuple[object, ps.ObjectSchema]] = {}


def validate_definitions(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    root = unit.root
    if len(root.resources) > MAX_RESOURCES_PER_STACK:
        name = list(root.resources)[MAX_RESOURCES_PER_STACK]
        context.sink.report(
            c.TOO_MANY_RESOURCES, root.resources[name].name_span, (spell(root, "resources"), name),
            count=len(root.resources), limit=MAX_RESOURCES_PER_STACK,
            fix="split the resources into nested stacks",
        )  # fmt: skip
    mapped = {(ref.template_file, ref.resource): ref for ref in unit.nested}
    for template in unit.all_templates():
        _Definitions(unit, template, context, mapped).run()
    return unit


class _Definitions:
    def __init__(
        self,
        unit: CompilationUnit,
        template: n.Template,
        context: PassContext,
        mapped: Mapping[tuple[str, str], NestedRef],
    ) -> None:
        self.unit = unit
        self.template = template
        self.sink: DiagnosticSink = context.sink
        self.schemas = context.registries.schemas
        self.mapped = mapped
        self.facts = unit.facts_of(template)
        self.aws = template.dialect == "cfn" and template.version != _HEAT_CFN_VERSION
        self._evaluate: v.Evaluate | None = None

    def run(self) -> None:
        for name, resource in self.template.resources.items():
            self._fields(name, resource)
            policy = self._deletion_policy(name, resource)
            if self._disabled(name, resource):
                continue
            if "/" in name:
                self.sink.report(
                    c.INVALID_RESOURCE_NAME, resource.name_span,
                    (spell(self.template, "resources"), name), resource=name,
                    fix="rename it without the slash",
                )  # fmt: skip
            if resource.external_id is not None:
                continue  # Heat validates only that it exists (Resource.validate_external)
            if policy != "Snapshot" and resource.update_policy is None:
                continue  # nothing that depends on the class (most resources)
            cls = self._class(name, resource)
            if cls is None:
                continue
            if policy == "Snapshot":
                self._snapshot(name, resource, cls)
            self._update_policy(name, resource, cls)

    # --- _rsrc_defn_args -----------------------------------------------------------------------

    def _fields(self, name: str, resource: n.Resource) -> None:
        if not resource.type and resource.type_span is not None:
            self.sink.report(
                c.MISSING_RESOURCE_TYPE, resource.type_span, self._path(name, "type"),
                resource=name, key=spell(self.template, "type"),
            )  # fmt: skip
        literal_only = {
            "metadata": (resource.metadata, e.MapExpr, "a mapping"),
            "deletion_policy": (resource.deletion_policy, e.Str, "a string"),
            "external_id": (resource.external_id, e.Str, "a string"),
        }
        for field, (node, wanted, expected) in literal_only.items():
            if node is not None and _literal(node) and not isinstance(node, wanted):
                self._wrong_shape(name, field, node, expected)
        node = resource.update_policy
        if node is not None and _literal(node) and not isinstance(node, e.MapExpr):
            self._wrong_shape(name, "update_policy", node, "a mapping")
        if isinstance(resource.condition, e.Null):
            self.sink.report(
                c.INVALID_CONDITION, resource.condition.span or resource.name_span,
                self._path(name, "condition"), value="null",
            )  # fmt: skip

    def _wrong_shape(self, name: str, field: str, node: e.Expr, expected: str) -> None:
        key = spell(self.template, field)
        self.sink.report(
            c.WRONG_SHAPE, node.span or self.template.resources[name].name_span,
            self._path(name, field), what=f"{key} of resource {name!r}", expected=expected,
            kind=_kind(node),
        )  # fmt: skip

    def _deletion_policy(self, name: str, resource: n.Resource) -> str | None:
        """The policy Heat resolves (canonical spelling), reporting one it rejects; None when
        there is none, or it is not known before deployment, or it is invalid."""
        node = resource.deletion_policy
        if node is None or (_literal(node) and not isinstance(node, e.Str)):
            return None
        path = self._path(name, "deletion_policy")
        value = node.value if isinstance(node, e.Str) else self.evaluate(node, path)
        if value is None or isinstance(value, Unknown | Absent):
            return None  # Delete, Heat's default; or a value Heat needs (the oracle says so)
        text = value if isinstance(value, str) else str(value)
        allowed = self._policies()
        if text in allowed:
            return text.capitalize()
        span = node.span or resource.name_span
        if self.template.dialect == "cfn" and text in cfn_versions.AWS_DELETION_POLICIES:
            self.sink.report(
                c.DELETION_POLICY_NOT_IN_HEAT, span, path, policy=text, resource=name,
                allowed=", ".join(allowed),
                fix="use Retain: Heat then keeps the resource when the stack is deleted",
            )  # fmt: skip
        elif not isinstance(node, e.Str):  # a literal: the frontend reported it
            self.sink.report(
                c.INVALID_DELETION_POLICY, span, path, policy=text, resource=name,
                allowed=", ".join(allowed),
            )  # fmt: skip
        return None

    def _policies(self) -> tuple[str, ...]:
        """The deletion policies the template's version knows (HOT: lower case from
        2016-10-14; CloudFormation: Heat's three, not AWS's RetainExceptOnCreate)."""
        if self.template.dialect == "cfn":
            return cfn_versions.DELETION_POLICIES
        policies = hot_versions.DELETION_POLICIES
        if self.template.version >= hot_versions.LOWERCASE_DELETION_POLICY_SINCE:
            return (*policies, *(policy.lower() for policy in policies))
        return policies

    # --- Resource.validate_template --------------------------------------------------------------

    def _snapshot(self, name: str, resource: n.Resource, cls: "_Class") -> None:
        if cls.snapshot:
            return
        node = resource.deletion_policy
        self.sink.report(
            c.SNAPSHOT_NOT_SUPPORTED, (node.span if node else None) or resource.name_span,
            self._path(name, "deletion_policy"), resource=name, type=cls.shown,
            fix="use Retain to keep it when the stack is deleted",
        )  # fmt: skip

    def _update_policy(self, name: str, resource: n.Resource, cls: "_Class") -> None:
        node = resource.update_policy
        if node is None or _literal(node):
            if isinstance(node, e.MapExpr):
                self._policy_map(name, node, cls)
            return
        # A function: Properties iterates it and fails ("'GetParam' object is not iterable").
        self._wrong_shape(
            name, "update_policy", node, "a mapping (Heat does not resolve a function here)"
        )

    def _policy_map(self, name: str, node: e.MapExpr, cls: "_Class") -> None:
        base = self._path(name, "update_policy")
        checker = v.PropertyValidator(self.evaluate, _any, base)
        checker.validate(cls.update_policy, node, node.span)
        for finding in checker.findings:
            if finding.kind == "deprecated":
                continue  # a warning Heat does not give for policies
            path = (*base, *finding.path)
            if self.aws and cls.type.startswith("AWS::"):
                self.sink.report(
                    c.PROPERTY_NOT_IN_HEAT, finding.span, path, resource=name, type=cls.type,
                    problem=f"{spell(self.template, 'update_policy')}: {finding.message}",
                    hint=finding.hint,
                )  # fmt: skip
                continue
            # Heat names the map a key is missing from or unknown in, and the value otherwise.
            shown = path[:-1] if finding.kind in ("unknown-property", "missing-property") else path
            self.sink.report(
                c.INVALID_UPDATE_POLICY, finding.span, path,
                where=".".join(str(item) for item in shown), problem=finding.message,
                hint=finding.hint,
            )  # fmt: skip

    # --- the plugin class ------------------------------------------------------------------------

    def _class(self, name: str, resource: n.Resource) -> "_Class | None":
        """What Heat instantiates for the resource: a plugin class (its schema), or a
        TemplateResource for a provider template; None when Kiln cannot tell (an unknown type
        or a template it could not read: reported where that is found)."""
        ref = self.mapped.get((self.template.file, name))
        if ref is not None and ref.via in ("type", "registry"):
            if ref.nested_file not in self.unit.templates:
                return None
            shown = f"{resource.type} (a template resource in Heat)"
            if is_template_type(resource.type):
                shown = f"the provider template {resource.type!r}"
            return _Class(resource.type, shown, False, _NO_POLICY)
        if not resource.type or is_template_type(resource.type):
            return None
        final = self.unit.environment.resolve_type(name, resource.type)
        schema = self.schemas.get(final) or self.schemas.get(self.schemas.resolve_alias(final))
        if schema is None:
            return None
        shown = schema.name if schema.name == resource.type else f"{resource.type} ({schema.name})"
        snapshot = schema.raw.get(SNAPSHOT_KEY) is True
        return _Class(schema.name, shown, snapshot, _update_schema(schema))

    # --- helpers ---------------------------------------------------------------------------------

    def evaluate(self, node: e.Expr, path: v.Path) -> Any:
        """The evaluator, made on first use (most templates need none). What it reports is
        dropped: validate_schema reports the same failures in the properties."""
        if self._evaluate is None:
            self._evaluate, _ = v.make_evaluate(
                self.template, self.facts.parameters, self.facts.conditions or None,
                self.unit.files, v.attribute_typer(self.schemas),
            )  # fmt: skip
        return self._evaluate(node, path)

    def _disabled(self, name: str, resource: n.Resource) -> bool:
        """A resource whose condition is false: Heat drops it after reading its definition."""
        if name in self.facts.disabled:
            return True
        condition = resource.condition
        if isinstance(condition, e.Bool):
            return not condition.value
        if isinstance(condition, e.ConditionRef):
            return self.facts.conditions.get(condition.name) is False
        return False

    def _path(self, name: str, field: str) -> LogicalPath:
        return (spell(self.template, "resources"), name, spell(self.template, field))


@dataclass(frozen=True, slots=True)
class _Class:
    """What Heat instantiates for a resource, as far as these checks need it."""

    type: str
    shown: str  # how messages name it
    snapshot: bool  # has handle_snapshot_delete
    update_policy: ps.ObjectSchema


def _update_schema(schema: Any) -> ps.ObjectSchema:
    """A type's update_policy_schema, compiled once per type."""
    raw = schema.update_policy
    if raw is None:
        return _NO_POLICY
    kept = _UPDATE_POLICIES.get(schema.name)
    if kept is not None and kept[0] is raw:
        return kept[1]
    compiled = ps.compile_object(raw)
    _UPDATE_POLICIES[schema.name] = (raw, compiled)
    return compiled


def _any(node: e.AttrRef) -> ValueType:
    return ValueType.ANY


_LITERALS: Final = (e.Null, e.Str, e.Int, e.Float, e.Bool, e.ListExpr, e.MapExpr)


def _literal(node: e.Expr) -> bool:
    return isinstance(node, _LITERALS)


def _kind(node: e.Expr) -> str:
    if isinstance(node, e.Null):
        return "null"
    if isinstance(node, e.Bool):
        return f"the boolean {str(node.value).lower()}"
    if isinstance(node, e.Str):
        return f"the string {node.value!r}"
    if isinstance(node, e.Int | e.Float):
        return f"the number {node.value}"
    if isinstance(node, e.ListExpr):
        return "a list"
    if isinstance(node, e.MapExpr):
        return "a mapping"
    spelling = getattr(node, "spelling", "")
    return f"a call to {spelling!r}" if isinstance(spelling, str) and spelling else "a function"
