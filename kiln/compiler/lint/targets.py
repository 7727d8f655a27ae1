"""What a template is meant for, and the validation codes that mean nothing for that target.

Validation checks a template the way Heat reads it. A CloudFormation template meant for AWS
(target `aws`) is not going to Heat, so the findings that only say "Heat does not do this"
are dropped for it; everything else (a missing reference, a bad function argument) is as wrong
on AWS as in Heat and stays. With target `heat` every code stays. HOT is always for Heat.

The table below is the whole policy: one row per code, with the reason and which findings of
the code it covers. Lint rules declare their own `targets`; `run_rules` filters them.
"""

from collections.abc import Callable, Mapping
from typing import Final

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir.nodes import Template
from kiln.compiler.lint.rule import Target
from kiln.compiler.unit import CompilationUnit

# The CloudFormation version that says "written for Heat" (Heat's own CFN format).
HEAT_CFN_VERSION: Final = "2012-12-12"
# Resource type namespaces that exist on AWS whether or not Kiln has a schema for them.
AWS_NAMESPACES: Final = ("AWS::", "Custom::", "Alexa::")

Scope = Callable[[Diagnostic, Template, CompilationUnit], bool]


def _any(diagnostic: Diagnostic, template: Template, unit: CompilationUnit) -> bool:
    return True


def _on_type(prefixes: tuple[str, ...]) -> Scope:
    """Findings inside a resource whose type starts with one of `prefixes`."""

    def scope(diagnostic: Diagnostic, template: Template, unit: CompilationUnit) -> bool:
        path = diagnostic.path
        if len(path) < 2 or path[0] not in ("Resources", "resources"):
            return False
        resource = template.resources.get(str(path[1]))
        return resource is not None and resource.type.startswith(prefixes)

    return scope


_AWS_TYPES = _on_type(("AWS::",))
# The types AWS takes a snapshot of for DeletionPolicy: Snapshot (AWS's DeletionPolicy docs).
AWS_SNAPSHOT_TYPES: Final = (
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
)


def _attribute_of_aws_type(
    diagnostic: Diagnostic, template: Template, unit: CompilationUnit
) -> bool:
    """A Fn::GetAtt whose resource has an AWS:: type: the reference resolve_references
    recorded at the same logical path names the resource (inside one Fn::Sub several do: then
    the one whose span overlaps the finding, else all of them must be AWS:: types)."""
    symbols = unit.facts_of(template).symbols
    span = diagnostic.span
    if symbols is None or span is None:
        return False
    candidates = [
        reference
        for reference in symbols.references
        if reference.attribute is not None and reference.path == diagnostic.path
    ]
    overlapping = [
        reference
        for reference in candidates
        if reference.span is not None
        and reference.span.start.offset <= span.end.offset
        and span.start.offset <= reference.span.end.offset
    ]
    chosen = overlapping[:1] or candidates

    def aws(name: str) -> bool:
        resource = template.resources.get(name)
        return resource is not None and resource.type.startswith("AWS::")

    return bool(chosen) and all(aws(reference.name) for reference in chosen)


# code id -> (scope, why it means nothing for a template meant for AWS)
AWS_TARGET_DROPS: Final[Mapping[str, tuple[Scope, str]]] = {
    c.FUNCTION_NOT_IN_HEAT.id: (_any, "the function exists on AWS; only Heat lacks it"),
    c.TYPE_NOT_IN_HEAT.id: (_any, "the type exists on AWS (or is Custom::); only Heat lacks it"),
    c.PSEUDO_PARAMETER_NOT_IN_HEAT.id: (_any, "AWS provides every AWS:: pseudo parameter"),
    c.HEAT_REJECTS_AWS_PARAMETER.id: (
        _any,
        "AWS reads the default as text; only Heat's constraint check rejects it",
    ),
    c.PROPERTY_NOT_IN_HEAT.id: (_any, "what Heat's partial copy of an AWS type rejects"),
    c.DELETION_POLICY_NOT_IN_HEAT.id: (_any, "AWS has RetainExceptOnCreate; only Heat lacks it"),
    c.INVALID_ALLOWED_PATTERN.id: (
        _any,
        "AWS reads AllowedPattern in its own regex dialect; only Heat compiles it with Python's",
    ),
    c.SNAPSHOT_NOT_SUPPORTED.id: (
        _on_type(AWS_SNAPSHOT_TYPES),
        "AWS snapshots these types; Heat snapshots only servers and volumes",
    ),
    # In CloudFormation the schema pass reports SCH002 rather than SCH001 for a type Kiln has
    # no schema for; this row keeps AWS's own namespaces quiet should SCH001 reach a CFN
    # template another way (a plugin's pass, a group member's type).
    c.UNKNOWN_RESOURCE_TYPE.id: (
        _on_type(AWS_NAMESPACES),
        "AWS::, Custom:: and Alexa:: types exist on AWS without a schema in Kiln",
    ),
    # A CFN template written for Heat (HeatTemplateFormatVersion) gets these on AWS:: types,
    # checked against Heat's schema of them: a partial copy of AWS's, with Heat's own
    # support status and plugin rules. A template written for AWS gets SCH013 instead.
    c.UNKNOWN_PROPERTY.id: (_AWS_TYPES, "Heat's schema of an AWS type lacks AWS properties"),
    c.MISSING_PROPERTY.id: (_AWS_TYPES, "Heat requires properties AWS may not"),
    c.INVALID_PROPERTY_VALUE.id: (_AWS_TYPES, "Heat's property types differ from AWS's"),
    c.PROPERTY_CONSTRAINT.id: (_AWS_TYPES, "Heat's allowed values differ from AWS's"),
    c.HIDDEN_RESOURCE_TYPE.id: (_AWS_TYPES, "Heat's support status, not AWS's"),
    c.DEPRECATED_RESOURCE_TYPE.id: (_AWS_TYPES, "Heat's support status, not AWS's"),
    c.UNSUPPORTED_RESOURCE_TYPE.id: (_AWS_TYPES, "Heat's support status, not AWS's"),
    c.DEPRECATED_PROPERTY.id: (_AWS_TYPES, "Heat's deprecations of its copy of an AWS type"),
    c.PROPERTY_NOT_IMPLEMENTED.id: (_AWS_TYPES, "a gap in Heat's implementation, not AWS's"),
    c.PROPERTY_RULE.id: (_AWS_TYPES, "Heat's plugin rules for its copy of an AWS type"),
    c.INVALID_UPDATE_POLICY.id: (_AWS_TYPES, "Heat's update policy schema of an AWS type"),
    c.UNKNOWN_ATTRIBUTE.id: (
        _attribute_of_aws_type,
        "Heat's copy of an AWS type has only some of AWS's attributes (no GroupId, no Arn)",
    ),
}


def target_of(template: Template, requested: Target | None) -> Target:
    """HOT is for Heat whatever is requested; CloudFormation takes the requested target, else
    Heat when written in Heat's own CFN version, else AWS."""
    if template.dialect == "hot":
        return "heat"
    if requested is not None:
        return requested
    return "heat" if template.version == HEAT_CFN_VERSION else "aws"


def dropped(diagnostic: Diagnostic, unit: CompilationUnit, target: Target) -> bool:
    """True when `diagnostic` is about Heat alone and the CloudFormation template it is in is
    meant for AWS."""
    if target != "aws":
        return False
    row = AWS_TARGET_DROPS.get(diagnostic.code.id)
    if row is None:
        return False
    span = diagnostic.span
    template = unit.templates.get(span.file) if span is not None else unit.root
    if template is None or template.dialect != "cfn":
        return False
    scope, _why = row
    return scope(diagnostic, template, unit)
