"""Resources against resource-type schemas.

For every resource whose condition is not statically false: the type exists (a registered
plugin type, an alias, a provider template, or a type the environment maps) and is not retired;
its properties match the type's schema (heat/engine/properties.py: unknown names, required
ones, types with Heat's coercion, constraints), on literal values and on what functions
evaluate to under the known parameters; and the cross-property rules Heat keeps in plugin code
hold (resource_types/rules.py), on the values Heat's plugin code reads (a null is the default
or the type's empty value). A provider template's properties are its parameters
(TemplateResource.get_schemas), one without a default or a parameter_defaults value required;
so are those of AWS::RDS::DBInstance and AWS::CloudWatch::Alarm, which Heat's default
environment maps to templates (kiln/schemas/templates/). A group's member definition is checked
as Heat's ResourceGroup.validate_nested_stack checks it, unless the group's size is 0.

In a CloudFormation template written for AWS (no HeatTemplateFormatVersion), a property
Heat's implementation of an AWS type lacks is a warning (SCH013), like an AWS type Heat lacks
(SCH002): the template may be right for AWS.
"""

import os
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any, Final

from kiln.compiler.diagnostics import Autofix, Diagnostic, LogicalPath, TextEdit, make
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate.values import Unknown
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.types import ValueType
from kiln.compiler.names import is_template_type, suggest
from kiln.compiler.passes import PassContext
from kiln.compiler.resource_types import property_schema as ps
from kiln.compiler.resource_types import rules
from kiln.compiler.resource_types import validator as v
from kiln.compiler.resource_types.model import ResourceTypeSchema
from kiln.compiler.source import SourceFile, Span
from kiln.compiler.unit import CompilationUnit, NestedRef
from kiln.schemas.default_environment import templates_dir

_CODES: Final[dict[str, c.Code]] = {
    "unknown-property": c.UNKNOWN_PROPERTY,
    "missing-property": c.MISSING_PROPERTY,
    "type": c.INVALID_PROPERTY_VALUE,
    "constraint": c.PROPERTY_CONSTRAINT,
    "deprecated": c.DEPRECATED_PROPERTY,
    "not-implemented": c.PROPERTY_NOT_IMPLEMENTED,
    "conflict": c.PROPERTY_RULE,
}
# The member definition's key, and the properties the group's size comes from: the first
# that is non-zero (ResourceGroup.get_size: count; AutoScalingGroup.child_template:
# desired_capacity, else min_size).
_GROUP_MEMBER: Final = {
    "OS::Heat::ResourceGroup": ("resource_def", ("count",)),
    "OS::Heat::AutoScalingGroup": ("resource", ("desired_capacity", "min_size")),
}
_HEAT_CFN_VERSION: Final = "2012-12-12"
# Compiled property schemas, one per type (the registry caches the raw data it came from).
_COMPILED: dict[str, tuple[Mapping[str, Any], ps.ObjectSchema]] = {}
# id(schema registry) -> (the registry, its sorted type names, {unknown type: did-you-mean})
_TYPE_HINTS: dict[int, tuple[Any, list[str], dict[str, str]]] = {}


def validate_schema(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    mapped = {(ref.template_file, ref.resource): ref for ref in unit.nested}
    for template in unit.all_templates():
        _Template(unit, template, context, mapped).run()
    return unit


def compiled(schema: ResourceTypeSchema) -> ps.ObjectSchema:
    """A type's property schema, compiled once per type and kept."""
    cached = _COMPILED.get(schema.name)
    if cached is not None and cached[0] is schema.raw:
        return cached[1]
    result = ps.compile_object(schema.properties)
    _COMPILED[schema.name] = (schema.raw, result)
    return result


@frozen_dataclass
class _Target:
    """What a resource's properties are checked against."""

    type: str
    schema: ps.ObjectSchema
    plugin: ResourceTypeSchema | None  # None for a provider template


class _Template:
    def __init__(
        self,
        unit: CompilationUnit,
        template: n.Template,
        context: PassContext,
        mapped: Mapping[tuple[str, str], NestedRef],
    ) -> None:
        self.unit = unit
        self.template = template
        self.sink = context.sink
        self.schemas = context.registries.schemas
        self.mapped = mapped
        self.cfn = template.dialect == "cfn"
        self.aws = self.cfn and template.version != _HEAT_CFN_VERSION
        # A template of Heat's default environment (AWS::RDS::DBInstance) used by templates
        # written for AWS: what fails inside it comes from their AWS values, and is said at
        # the resources that use it, as a warning (SCH013), like Heat's AWS types' rejections.
        self.aws_users = _aws_users(unit, template)
        self.aws = self.aws or bool(self.aws_users)
        self.facts = unit.facts_of(template)
        self.attribute_type = v.attribute_typer(self.schemas)
        self.evaluate, self.evaluated = v.make_evaluate(
            template, self.facts.parameters, self.facts.conditions or None, unit.files,
            self.attribute_type,
        )  # fmt: skip
        self.secrets = _secrets(template, self.facts.parameters)

    def run(self) -> None:
        for name, resource in self.template.resources.items():
            if not resource.type or self._disabled(name, resource):
                continue
            if resource.external_id is not None:
                continue  # Heat validates only that the resource exists (validate_external)
            target = self._target(name, resource, resource.type, False, resource.type_span)
            if target is None:
                continue
            base = (
                ("Resources", name, "Properties") if self.cfn else ("resources", name, "properties")
            )
            if target.plugin is not None and not self._support(name, resource, target.plugin):
                continue
            if target.type in rules.ANY_PROPERTIES:
                continue
            properties = self._properties(name, resource.properties, target, base, resource.span)
            if target.plugin is not None:
                self._rules(name, target, properties, base, resource.span)
            self._member(name, resource, target, base)
        # What the evaluator found while resolving properties: Heat fails the stack on them
        # (heat-semantics-surprises.md #5). Not for a template written for AWS, where Heat's
        # stand-ins (AWS::Region is ap-southeast-1) would make noise of right templates.
        if not self.aws:
            for diagnostic in self.evaluated:
                if isinstance(diagnostic, Diagnostic) and not self._covered(diagnostic):
                    self.sink.add(diagnostic)
        for parent, name in self.aws_users:
            resource = parent.resources[name]
            for diagnostic in self.evaluated:
                if isinstance(diagnostic, Diagnostic):
                    self.sink.report(
                        c.PROPERTY_NOT_IN_HEAT, resource.type_span or resource.span,
                        ("Resources", name, "Type"), resource=name, type=resource.type,
                        problem=f"in Heat's template for it, {diagnostic.message}", hint="",
                    )  # fmt: skip

    # --- the type ------------------------------------------------------------------------------

    def _target(
        self, name: str, resource: n.Resource, type_name: str, member: bool, span: Span | None
    ) -> _Target | None:
        """The schema for a resource's type, or for its group member's type (Heat looks a
        member's type up under the member's name, "0"). None, reported, for an unknown type;
        None for a template Kiln could not read (reported where it was read)."""
        environment = self.unit.environment
        ref = self.mapped.get((self.template.file, name))
        vias = ("group",) if member else ("type", "registry")
        if ref is not None and ref.via in vias:
            nested = self.unit.templates.get(ref.nested_file)
            if nested is None:
                return None
            # A parameter with no default that parameter_defaults does not set is a required
            # property (TemplateResource.get_schemas), -P/-e or not: Heat's template
            # validation says "Property X not assigned" when the parent does not pass it.
            # (The root's own parameters need no value to validate: validate_parameters.)
            defaults = environment.parameter_defaults
            return _Target(type_name, ps.from_parameters(nested.parameters, defaults), None)
        if is_template_type(type_name):
            return None
        lookup = "0" if member else name
        final = environment.resolve_type(lookup, type_name)
        schema = self.schemas.get(final) or self.schemas.get(self.schemas.resolve_alias(final))
        if schema is not None:
            return _Target(schema.name, compiled(schema), schema)
        if environment.lookup_type(lookup, type_name) is not None:
            return None  # mapped to a template Kiln did not read, or to a type it lacks
        # In CloudFormation an unknown type may be real on AWS (its own types, Custom::*,
        # registry extensions, modules): a warning for the Heat target, not an error.
        where = (
            ("resources", name, "properties", *_member_type_path(resource))
            if member
            else self._path(name, "Type" if self.cfn else "type")
        )
        self.sink.report(
            c.TYPE_NOT_IN_HEAT if self.cfn else c.UNKNOWN_RESOURCE_TYPE, span or resource.span,
            where, type=type_name, resource=name, hint=self._type_hint(type_name),
        )  # fmt: skip
        return None

    def _type_hint(self, type_name: str) -> str:
        """suggest() over every known type name (a few milliseconds each: difflib against
        hundreds of names), kept per schema registry: the same unknown types come back in
        every template of a repository."""
        kept = _TYPE_HINTS.get(id(self.schemas))
        if kept is None or kept[0] is not self.schemas:
            if len(_TYPE_HINTS) >= 8:
                _TYPE_HINTS.clear()
            kept = _TYPE_HINTS[id(self.schemas)] = (self.schemas, sorted(self.schemas.names()), {})
        _, names, hints = kept
        hint = hints.get(type_name)
        if hint is None:
            if len(hints) >= 4096:
                hints.clear()
            hint = hints[type_name] = suggest(type_name, names)
        return hint

    def _support(self, name: str, resource: n.Resource, schema: ResourceTypeSchema) -> bool:
        """Report a retired, deprecated or unsupported type; False when its properties are
        not worth checking (a retired type is a placeholder or a dead service)."""
        status = schema.support
        span = resource.type_span or resource.span
        where = self._path(name, "Type" if self.cfn else "type")
        detail = f": {status.message}" if status.message else ""
        version = status.version or "an earlier release"
        if status.is_hidden and (status.substitute or schema.name in rules.HIDDEN_BUT_WORKING):
            if status.substitute:
                detail += f"; Heat still maps it to {status.substitute}"
            self.sink.report(
                c.DEPRECATED_RESOURCE_TYPE, span, where, resource=name, type=schema.name,
                status="HIDDEN", version=version, detail=detail,
            )  # fmt: skip
            return True
        if status.is_hidden:
            self.sink.report(
                c.HIDDEN_RESOURCE_TYPE, span, where, resource=name, type=schema.name,
                status="HIDDEN", version=version, detail=detail,
            )  # fmt: skip
            return False
        if status.is_deprecated and not self.aws_users:
            # (Inside Heat's template for an AWS type that templates written for AWS use, a
            # deprecation of Heat's means nothing to them, as for Heat's AWS types.)
            self.sink.report(
                c.DEPRECATED_RESOURCE_TYPE, span, where, resource=name, type=schema.name,
                status="DEPRECATED", version=version, detail=detail,
            )  # fmt: skip
        elif status.status == "UNSUPPORTED":
            self.sink.report(
                c.UNSUPPORTED_RESOURCE_TYPE, span, where, resource=name, type=schema.name,
                detail=detail,
            )  # fmt: skip
        return True

    # --- properties ----------------------------------------------------------------------------

    def _properties(
        self,
        name: str,
        properties: e.Expr | None,
        target: _Target,
        base: LogicalPath,
        span: Span | None,
    ) -> v.PropertyValidator:
        checker = v.PropertyValidator(
            self.evaluate, self._attribute, base, rules.RENAMES.get(target.type, {}), self.secrets
        )
        checker.validate(
            target.schema, properties, (properties.span if properties else None) or span
        )
        for finding in checker.findings:
            self._report(name, target, finding, base)
        return checker

    def _report(self, name: str, target: _Target, finding: v.Finding, base: LogicalPath) -> None:
        path = (*base, *finding.path)
        code = _CODES[finding.kind]
        fields: dict[str, Any] = {"resource": name, "type": target.type, "name": finding.name}
        if self._for_aws(target):
            # Heat's AWS types are partial copies of AWS's: what they reject may be right on
            # AWS. Heat's deprecations of them mean nothing there.
            if finding.kind != "deprecated":
                self.sink.report(
                    c.PROPERTY_NOT_IN_HEAT, finding.span, path, problem=finding.message,
                    hint=finding.hint, **fields,
                )  # fmt: skip
            return
        if finding.kind in ("type", "constraint"):
            where = ".".join(str(item) for item in path)
            self.sink.report(code, finding.span, path, where=where, problem=finding.message)
        elif finding.kind == "conflict":
            self.sink.report(code, finding.span, path, problem=finding.message, **fields)
        elif finding.kind == "deprecated":
            schema = _schema_at(target.schema, finding.path)
            status = schema.support.status if schema is not None else "DEPRECATED"
            detail = f": {finding.message}" if finding.message else ""
            diagnostic = make(
                code, finding.span, path, status=status, detail=detail, hint=finding.hint, **fields
            )
            self.sink.add(replace(diagnostic, autofix=_rename(self.unit.sources, finding)))
        else:
            self.sink.report(code, finding.span, path, hint=finding.hint, **fields)

    def _rules(
        self,
        name: str,
        target: _Target,
        checker: v.PropertyValidator,
        base: LogicalPath,
        span: Span | None,
    ) -> None:
        resource = self.template.resources[name]
        node = resource.properties
        if node is not None and not isinstance(node, e.MapExpr):
            return
        literal = checker.concrete(node) if node is not None else {}
        if not isinstance(literal, dict):
            return
        # What the plugin's validate() would read: nulls and absent properties as Heat
        # resolves them (a null image is '', which Server's rule counts as given).
        values = v.heat_properties(target.schema, literal)
        refs = {
            key: item.name
            for key, item in (node.items.items() if node is not None else ())
            if isinstance(item, e.ResourceRef)
        }
        spans = {key: node.key_span(key) for key in node.items} if node is not None else {}
        props = rules.Props(values, spans, refs, self.template.resources)
        for rule in rules.RULES.get(target.type, ()):
            for finding in rule(props, name):
                at = _span_at(node, finding.path) if finding.path else resource.type_span
                code = c.PROPERTY_NOT_IN_HEAT if self._for_aws(target) else c.PROPERTY_RULE
                self.sink.report(
                    code, at or (node.span if node is not None else None) or span,
                    (*base, *finding.path), resource=name, type=target.type,
                    problem=finding.message, hint="",
                )  # fmt: skip

    def _member(self, name: str, resource: n.Resource, target: _Target, base: LogicalPath) -> None:
        """ResourceGroup.validate_nested_stack (and the autoscaling group's
        StackResource.validate_nested_stack): the member definition's properties against the
        member type, unless the group's size is 0 (the nested stack then has no member)."""
        if target.type not in _GROUP_MEMBER or not isinstance(resource.properties, e.MapExpr):
            return
        key, size_keys = _GROUP_MEMBER[target.type]
        if self._group_size(resource.properties, size_keys, base) == 0:
            return
        member = resource.properties.items.get(key)
        member_type = member.items.get("type") if isinstance(member, e.MapExpr) else None
        if not isinstance(member, e.MapExpr) or not isinstance(member_type, e.Str):
            return
        inner = self._target(name, resource, member_type.value, True, member_type.span)
        if inner is None:
            return
        path = (*base, key, "properties")
        if inner.plugin is not None and not self._support(name, resource, inner.plugin):
            return
        properties = member.items.get("properties")
        if properties is not None and target.type == "OS::Heat::ResourceGroup":
            properties = v.with_index(properties, v.index_var(resource.properties))
        self._properties(name, properties, inner, path, member.span)

    def _group_size(
        self, properties: e.MapExpr, keys: tuple[str, ...], base: LogicalPath
    ) -> int | None:
        """The group's size from the first of `keys` that is not zero; None when a value is
        not known (or the property is absent: ResourceGroup's count defaults to 1)."""
        size: int | None = None
        for key in keys:
            node = properties.items.get(key)
            if node is None:
                continue
            size = _as_int(self.evaluate(node, (*base, key)))
            if size != 0:
                return size
        return size

    # --- helpers -------------------------------------------------------------------------------

    def _attribute(self, node: e.AttrRef) -> Any:
        resource = self.template.resources.get(node.resource)
        attribute = node.attribute.value if isinstance(node.attribute, e.Str) else None
        if resource is None or attribute is None or node.path:
            return ValueType.ANY
        return self.attribute_type(
            self.unit.environment.resolve_type(node.resource, resource.type), attribute
        )

    def _disabled(self, name: str, resource: n.Resource) -> bool:
        """A resource Heat drops because its condition is statically false."""
        disabled = getattr(self.facts, "disabled", None)
        if disabled is not None and name in disabled:
            return True
        condition = resource.condition
        if isinstance(condition, e.Bool):
            return not condition.value
        if isinstance(condition, e.Str | e.ConditionRef):
            return (
                self.facts.conditions.get(
                    condition.value if isinstance(condition, e.Str) else condition.name
                )
                is False
            )
        return False

    def _covered(self, diagnostic: Diagnostic) -> bool:
        """An evaluation failure another pass already reported inside the same function
        (check_functions finds many statically: FN007 at the offending argument)."""
        span = diagnostic.span
        if span is None:
            return False
        return any(
            other.span is not None
            and other.span.file == span.file
            and span.start <= other.span.start <= span.end
            and other.severity >= c.Severity.ERROR
            for other in self.sink
        )

    def _for_aws(self, target: _Target) -> bool:
        return self.aws and target.type.startswith("AWS::")

    def _path(self, name: str, key: str) -> LogicalPath:
        return ("Resources" if self.cfn else "resources", name, key)


# Kiln's own directory: importlib.resources.files() costs a tenth of a millisecond a call.
_templates_dir = cache(templates_dir)


def _aws_users(unit: CompilationUnit, template: n.Template) -> list[tuple[n.Template, str]]:
    """The resources that use `template`, when it is one Kiln ships for Heat's default
    environment and every template using it was written for AWS; else none."""
    if os.path.dirname(template.file) != _templates_dir():
        return []
    users: list[tuple[n.Template, str]] = []
    for ref in unit.nested:
        parent = unit.templates.get(ref.template_file)
        if ref.nested_file != template.file or parent is None:
            continue
        if parent.dialect != "cfn" or parent.version == _HEAT_CFN_VERSION:
            return []
        if ref.resource in parent.resources:
            users.append((parent, ref.resource))
    return users


def _secrets(template: n.Template, values: Mapping[str, object]) -> list[str]:
    """The text of every hidden parameter's value (and of its items), to mask in messages."""
    found: list[str] = []
    for name, parameter in template.parameters.items():
        value = values.get(name)
        if not parameter.hidden or value is None or isinstance(value, Unknown):
            continue
        items = value if isinstance(value, list) else [value]
        found.extend(str(item) for item in items)
        found.append(str(value))
    return found


def _as_int(value: object) -> int | None:
    """An Integer property's value as Heat coerces it (int("3")); None when not known."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _rename(sources: Mapping[str, SourceFile], finding: v.Finding) -> Autofix | None:
    """The safe fix of a deprecated property Heat renames (translation rules move its value,
    unchanged, to the new name): rename the key where the source spells exactly that key."""
    span = finding.span
    source = sources.get(span.file) if span is not None and finding.replacement else None
    if span is None or source is None:
        return None
    written = source.text[span.start.offset : span.end.offset]
    for quote in ("", '"', "'"):
        if written == f"{quote}{finding.name}{quote}":
            text = f"{quote}{finding.replacement}{quote}"
            edit = TextEdit(span.file, span.start.offset, span.end.offset, text)
            return Autofix(f"rename {finding.name!r} to {finding.replacement!r}", (edit,))
    return None


def _span_at(node: e.Expr | None, path: tuple[str | int, ...]) -> Span | None:
    """Where a rule's finding points: the key or list item at the end of its path, as deep
    as the literal properties go."""
    span: Span | None = node.span if node is not None else None
    for item in path:
        if isinstance(node, e.MapExpr) and isinstance(item, str) and item in node.items:
            span = node.key_span(item) or span
            node = node.items[item]
        elif isinstance(node, e.ListExpr) and isinstance(item, int) and item < len(node.items):
            node = node.items[item]
            span = node.span or span
        else:
            break
    return span


def _member_type_path(resource: n.Resource) -> tuple[str, ...]:
    for key, _ in _GROUP_MEMBER.values():
        if isinstance(resource.properties, e.MapExpr) and key in resource.properties.items:
            return (key, "type")
    return ("type",)


def _schema_at(schema: ps.ObjectSchema, path: tuple[str | int, ...]) -> ps.PropSchema | None:
    current: ps.PropSchema | None = None
    properties: Mapping[str, ps.PropSchema] | None = schema.properties
    for item in path:
        if isinstance(item, int):
            if current is None or current.items is None:
                return None
            current = current.items
            properties = current.properties
            continue
        if properties is None or item not in properties:
            return None
        current = properties[item]
        properties = current.properties
    return current
