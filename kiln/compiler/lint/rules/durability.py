"""Lint rules: data that a stack delete or update destroys (cfn-lint I3011, W3011). (A deletion
policy Heat refuses is validation's: kiln/compiler/passes/validate_definitions.py.)"""

from typing import Final

from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource
from kiln.compiler.ir.visit import walk
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._access import (
    get,
    plugin_type,
    properties_path,
    resource_path,
    schema_of,
    text,
)
from kiln.compiler.lint.rules._fixes import add_entry
from kiln.compiler.passes.sites import spell
from kiln.frontends.hot.versions import LOWERCASE_DELETION_POLICY_SINCE

# Types whose deletion loses data, in Heat (OpenStack services and Heat's AWS types).
HEAT_STATEFUL: Final = frozenset(
    {
        "OS::Cinder::Volume",
        "OS::Swift::Container",
        "OS::Trove::Instance",
        "OS::Trove::Cluster",
        "OS::Manila::Share",
        "AWS::EC2::Volume",
        "AWS::S3::Bucket",
        "AWS::RDS::DBInstance",  # Heat: a server running MySQL, from its default environment
    }
)
# ... and on AWS (cfn-lint I3011's list, less what is not data).
AWS_STATEFUL: Final = frozenset(
    {
        "AWS::EC2::Volume",
        "AWS::S3::Bucket",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::EFS::FileSystem",
        "AWS::FSx::FileSystem",
        "AWS::Redshift::Cluster",
        "AWS::Neptune::DBCluster",
        "AWS::DocDB::DBCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain",
        "AWS::Kinesis::Stream",
        "AWS::Logs::LogGroup",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Cognito::UserPool",
        "AWS::QLDB::Ledger",
        "AWS::Backup::BackupVault",
        "AWS::ECR::Repository",
    }
)
# AWS snapshots these on delete unless told otherwise (an RDS instance only outside a cluster).
AWS_DEFAULT_SNAPSHOT: Final = frozenset({"AWS::RDS::DBCluster", "AWS::RDS::DBInstance"})


def _stateful(context: RuleContext, name: str, resource: Resource) -> str | None:
    """The stateful type of a resource (as written, or what Heat instantiates), or None."""
    table = HEAT_STATEFUL if context.target == "heat" else AWS_STATEFUL
    for type_name in (resource.type, plugin_type(context, name, resource)):
        if type_name in table:
            return type_name
    return None


def _policy(node: e.Expr | None) -> str | None:
    value = text(node)
    return value.capitalize() if value else None


@rule(
    "DUR001",
    "stateful-resource-without-deletion-policy",
    Severity.INFO,
    "A resource holding data with no deletion policy, so deleting the stack deletes the data.",
    message="{resource!r} ({type}) holds data but has no {key}: deleting the stack deletes it",
    fixable=True,
    doc="""\
Without a deletion policy, deleting the stack (or removing the resource from the template and
updating) deletes the volume, container, database or bucket with everything in it. Say what
should happen: `Retain` keeps it, `Snapshot` (volumes, and on AWS databases) keeps a snapshot,
`Delete` states that losing it is intended (cfn-lint I3011).

```yaml
data_volume:
  type: OS::Cinder::Volume
  deletion_policy: Retain     # HOT accepts `retain` too from 2016-10-14
  properties:
    size: 100
```

On AWS, RDS clusters and instances outside a cluster are snapshotted by default and not
reported. The fix adds `Retain` (unsafe: a retained resource stays, and costs, after the stack
is gone).""",
)
def stateful_resource_without_deletion_policy(context: RuleContext) -> None:
    template = context.template
    key = spell(template, "deletion_policy")
    lowercase = any(
        (text(r.deletion_policy) or "X")[0].islower() for r in template.resources.values()
    ) and (template.dialect == "hot" and template.version >= LOWERCASE_DELETION_POLICY_SINCE)
    for name, resource in template.resources.items():
        if resource.deletion_policy is not None or name in context.facts.disabled:
            continue
        type_name = _stateful(context, name, resource)
        if type_name is None:
            continue
        snapshotted = type_name == "AWS::RDS::DBCluster" or (
            get(resource.properties, "DBClusterIdentifier") is None
        )
        if context.target == "aws" and type_name in AWS_DEFAULT_SNAPSHOT and snapshotted:
            continue
        fix = add_entry(context, resource.span, key, "retain" if lowercase else "Retain")
        context.report(
            resource.name_span,
            resource_path(template, name),
            autofix=fix,
            resource=name,
            type=type_name,
            key=key,
        )


@rule(
    "DUR002",
    "retain-without-update-replace-policy",
    Severity.WARNING,
    "A retained resource without an UpdateReplacePolicy, so a replacing update deletes it.",
    message="{resource!r} has DeletionPolicy {policy} but no UpdateReplacePolicy: an update "
    "that replaces it deletes the old one",
    dialects=("cfn",),
    targets=("aws",),
    fixable=True,
    doc="""\
`DeletionPolicy` applies when the stack (or the resource) is deleted, not when an update
replaces the resource: then CloudFormation deletes the old one, whatever its deletion policy
says (cfn-lint W3011). Set `UpdateReplacePolicy` to the same value.

```yaml
Bucket:
  Type: AWS::S3::Bucket
  DeletionPolicy: Retain
  UpdateReplacePolicy: Retain
```

Heat has no UpdateReplacePolicy (it ignores the key), so the rule is for templates meant for
AWS.""",
)
def retain_without_update_replace_policy(context: RuleContext) -> None:
    template = context.template
    for name, resource in template.resources.items():
        policy = _policy(resource.deletion_policy)
        if policy not in ("Retain", "Snapshot") or resource.update_replace_policy is not None:
            continue
        fix = add_entry(context, resource.span, "UpdateReplacePolicy", policy)
        context.report(
            resource.deletion_policy.span if resource.deletion_policy else resource.name_span,
            resource_path(template, name, "DeletionPolicy"),
            autofix=fix,
            resource=name,
            policy=policy,
        )


@rule(
    "DUR003",
    "parameter-replaces-stateful-resource",
    Severity.WARNING,
    "A parameter that, when changed on update, replaces a resource holding data.",
    message="changing parameter {parameter!r} on a stack update replaces {resource!r} "
    "({type}, property {key!r} cannot be updated in place) and loses its data",
    dialects=("hot",),
    fixable=True,
    doc="""\
Heat replaces a resource when an update changes a property that cannot be updated in place
(for a Cinder volume: `image`, `availability_zone`, ...; for a Swift container: `name` and its
ACL headers), and replacing a resource that holds data means creating an empty one and
deleting the old one. When such a property comes from a parameter, a routine `openstack stack
update` with another value for it destroys the data.

Mark the parameter `immutable: true`, so Heat refuses the update instead (the fix does; it is
unsafe because later updates with a new value are then refused), or give the resource a
deletion policy and plan the migration.

```yaml
parameters:
  volume_image:
    type: string
    immutable: true
```""",
)
def parameter_replaces_stateful_resource(context: RuleContext) -> None:
    template = context.template
    fixed: set[str] = set()
    for name, resource in template.resources.items():
        type_name = _stateful(context, name, resource)
        schema = schema_of(context, type_name or "")
        if schema is None or name in context.facts.disabled:
            continue
        properties = resource.properties
        if not isinstance(properties, e.MapExpr):
            continue
        for key, value in properties.items.items():
            prop = schema.property_schema(key)
            if prop is None or prop.get("x-update-allowed", True) or prop.get("x-immutable"):
                continue
            status = prop.get("x-support")
            if isinstance(status, dict) and status.get("status", "SUPPORTED") != "SUPPORTED":
                continue
            for node in walk(value):
                if not isinstance(node, e.ParamRef) or node.name not in template.parameters:
                    continue
                parameter = template.parameters[node.name]
                if parameter.immutable:
                    continue
                fix = None
                if node.name not in fixed:
                    fixed.add(node.name)
                    fix = add_entry(context, parameter.span, "immutable", "true")
                context.report(
                    node.span,
                    properties_path(template, name, key),
                    autofix=fix,
                    parameter=node.name,
                    resource=name,
                    type=type_name,
                    key=key,
                )
                break


RULES: tuple[LintRule, ...] = (
    stateful_resource_without_deletion_policy,
    retain_without_update_replace_policy,
    parameter_replaces_stateful_resource,
)
