"""Lint rules for CloudFormation meant for Heat (`--target heat`): AWS types and keys Heat
lacks or treats differently, with what to write for OpenStack instead.

Validation reports what Heat cannot run at all (SCH002 types, FN009 functions, REF006 pseudo
parameters); these rules add the OpenStack equivalent, the keys Heat silently ignores, and
values that only mean something on AWS.
"""

import json
import re
from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import Autofix, LogicalPath, Note, TextEdit
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource
from kiln.compiler.ir.visit import walk
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._access import get, owners, plugin_type, resource_path
from kiln.compiler.lint.rules._fixes import key_before
from kiln.compiler.names import is_template_type
from kiln.compiler.passes.sites import expressions
from kiln.compiler.source import Span

HEAT: Final = ("heat",)
CFN: Final = ("cfn",)

# AWS types Heat does not implement, and the nearest OpenStack type.
EQUIVALENTS: Final[dict[str, tuple[str, str]]] = {
    "AWS::EC2::KeyPair": ("OS::Nova::KeyPair", ""),
    "AWS::EC2::SecurityGroupIngress": ("OS::Neutron::SecurityGroupRule", ""),
    "AWS::EC2::SecurityGroupEgress": ("OS::Neutron::SecurityGroupRule", " (direction: egress)"),
    "AWS::EC2::PlacementGroup": ("OS::Nova::ServerGroup", " (policies: [affinity])"),
    "AWS::EC2::LaunchTemplate": (
        "OS::Nova::Server",
        " (or the `resource` definition of an OS::Heat::AutoScalingGroup)",
    ),
    "AWS::EC2::NatGateway": ("OS::Neutron::Router", " (an external gateway with SNAT)"),
    "AWS::EC2::Route": (
        "OS::Neutron::ExtraRouteSet",
        "; a default route to a gateway is the router's `external_gateway_info`",
    ),
    "AWS::EC2::DHCPOptions": ("OS::Neutron::Subnet", " (`dns_nameservers`)"),
    "AWS::EC2::SpotFleet": ("OS::Heat::ResourceGroup", ""),
    "AWS::EC2::EC2Fleet": ("OS::Heat::ResourceGroup", ""),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("OS::Octavia::LoadBalancer", ""),
    "AWS::ElasticLoadBalancingV2::Listener": ("OS::Octavia::Listener", ""),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (
        "OS::Octavia::Pool",
        " (with OS::Octavia::PoolMember and OS::Octavia::HealthMonitor)",
    ),
    "AWS::ElasticLoadBalancingV2::ListenerRule": ("OS::Octavia::L7Policy", " and L7Rule"),
    "AWS::ApplicationAutoScaling::ScalingPolicy": ("OS::Heat::ScalingPolicy", ""),
    "AWS::SNS::Topic": ("OS::Zaqar::Queue", ""),
    "AWS::SNS::Subscription": ("OS::Zaqar::Subscription", ""),
    "AWS::SQS::Queue": ("OS::Zaqar::Queue", ""),
    "AWS::Route53::HostedZone": ("OS::Designate::Zone", ""),
    "AWS::Route53::RecordSet": ("OS::Designate::RecordSet", ""),
    "AWS::SecretsManager::Secret": ("OS::Barbican::Secret", ""),
    "AWS::KMS::Key": ("OS::Barbican::Order", " (type: key)"),
    "AWS::CertificateManager::Certificate": ("OS::Barbican::CertificateContainer", ""),
    "AWS::EFS::FileSystem": ("OS::Manila::Share", " (share_protocol: NFS)"),
    "AWS::RDS::DBCluster": ("OS::Trove::Cluster", ""),
    "AWS::ElastiCache::CacheCluster": ("OS::Trove::Instance", " (a redis or memcached datastore)"),
    "AWS::ECS::Cluster": ("OS::Magnum::Cluster", ""),
    "AWS::EKS::Cluster": ("OS::Magnum::Cluster", " (coe: kubernetes)"),
    "AWS::ECS::TaskDefinition": ("OS::Zun::Container", ""),
    "AWS::StepFunctions::StateMachine": ("OS::Mistral::Workflow", ""),
    "AWS::Events::Rule": ("OS::Mistral::CronTrigger", " (for a schedule)"),
    "AWS::CloudFormation::CustomResource": (
        "OS::Mistral::ExternalResource",
        " (or an OS::Heat::SoftwareDeployment)",
    ),
}


def _known(context: RuleContext, name: str, resource: Resource) -> bool:
    """Heat has the type: a plugin, an alias, or an environment mapping."""
    resolved = context.unit.environment.resolve_type(name, resource.type)
    if resolved != resource.type or is_template_type(resolved):
        return True
    # An alias (to a type or to a template) is known too; "" also for an alias loop.
    return (
        resource.type in context.registries.schemas
        or plugin_type(context, name, resource) != resource.type
    )


@rule(
    "HTG001",
    "aws-type-heat-equivalent",
    Severity.INFO,
    "The OpenStack type closest to an AWS type Heat does not implement.",
    message="Heat has no {type}; the nearest OpenStack type is {equivalent}{note}",
    dialects=CFN,
    targets=HEAT,
    doc="""\
Heat implements only 23 AWS types (SCH002 reports the others). For many of the rest OpenStack
has a service that does the same job, under its own type and properties:

| AWS | OpenStack |
| --- | --- |
| AWS::ElasticLoadBalancingV2::* | OS::Octavia::LoadBalancer, Listener, Pool, L7Policy |
| AWS::SNS::Topic, AWS::SQS::Queue | OS::Zaqar::Queue |
| AWS::Route53::HostedZone, RecordSet | OS::Designate::Zone, RecordSet |
| AWS::SecretsManager::Secret | OS::Barbican::Secret |
| AWS::EFS::FileSystem | OS::Manila::Share |
| AWS::EC2::KeyPair | OS::Nova::KeyPair |
| AWS::EC2::SecurityGroupIngress | OS::Neutron::SecurityGroupRule |
| AWS::ECS::Cluster, AWS::EKS::Cluster | OS::Magnum::Cluster |
| AWS::StepFunctions::StateMachine | OS::Mistral::Workflow |

The properties differ: rewrite the resource (a HOT template, where these types are at home,
is usually the better target).

```yaml
# bad (Heat has no SNS)
Topic:
  Type: AWS::SNS::Topic
# good
Topic:
  Type: OS::Zaqar::Queue
```""",
)
def aws_type_heat_equivalent(context: RuleContext) -> None:
    for name, resource in context.template.resources.items():
        row = EQUIVALENTS.get(resource.type)
        if row is None or _known(context, name, resource):
            continue
        equivalent, note = row
        context.report(
            resource.type_span or resource.name_span,
            resource_path(context.template, name, "Type"),
            type=resource.type,
            equivalent=equivalent,
            note=note,
        )


# AWS types Heat implements differently from AWS, and the native type to prefer.
COMPAT: Final[dict[str, tuple[str, str]]] = {
    "AWS::ElasticLoadBalancing::LoadBalancer": (
        "OS::Octavia::LoadBalancer",
        "Heat builds it as a nested stack with an HAProxy server, not a managed load balancer",
    ),
    "AWS::RDS::DBInstance": (
        "OS::Trove::Instance",
        "Heat's default environment makes it a server that installs MySQL itself",
    ),
    "AWS::CloudWatch::Alarm": (
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        "Heat maps it to a template around a deprecated Aodh threshold alarm",
    ),
    "AWS::AutoScaling::AutoScalingGroup": (
        "OS::Heat::AutoScalingGroup",
        "Heat's scales AWS::EC2::Instance launch configurations only; the native group scales "
        "any resource, nested stacks included",
    ),
    "AWS::EC2::Instance": (
        "OS::Nova::Server",
        "Heat reads ImageId and InstanceType as Glance image and Nova flavor names, and wraps "
        "UserData for heat-cfntools",
    ),
    "AWS::EC2::VPC": (
        "OS::Neutron::Net",
        "Heat makes a Neutron network and a router of it",
    ),
    "AWS::S3::Bucket": (
        "OS::Swift::Container",
        "Heat makes a Swift container and reads few of the S3 properties",
    ),
}


@rule(
    "HTG002",
    "aws-compat-type",
    Severity.INFO,
    "An AWS type that Heat implements as a compatibility shim, with the native type to prefer.",
    message="{type} in Heat is a compatibility shim: {how}; {native} is the native type",
    dialects=CFN,
    targets=HEAT,
    doc="""\
Heat implements a few AWS types so that CloudFormation templates run, but on OpenStack's
services and with OpenStack's behaviour: an AWS::ElasticLoadBalancing::LoadBalancer is a server
running HAProxy, an AWS::RDS::DBInstance a server installing MySQL, an AWS::EC2::Instance takes
Glance image and Nova flavor *names* for ImageId and InstanceType. For a template that is to
stay on OpenStack, the native types (OS::Octavia::LoadBalancer, OS::Trove::Instance,
OS::Nova::Server, ...) do the job properly.

```yaml
# works, as a shim
Balancer:
  Type: AWS::ElasticLoadBalancing::LoadBalancer
# native
Balancer:
  Type: OS::Octavia::LoadBalancer
  Properties: {vip_subnet: !Ref Subnet}
```""",
)
def aws_compat_type(context: RuleContext) -> None:
    for name, resource in context.template.resources.items():
        row = COMPAT.get(resource.type)
        if row is None:
            continue
        native, how = row
        context.report(
            resource.type_span or resource.name_span,
            resource_path(context.template, name, "Type"),
            type=resource.type,
            how=how,
            native=native,
        )


def _key_span(
    context: RuleContext, resource: Resource, value: e.Expr | None, key: str
) -> Span | None:
    if value is None or value.span is None or resource.span is None:
        return None
    return key_before(context, resource.span, value.span, key) or value.span


@rule(
    "HTG003",
    "creation-policy-ignored",
    Severity.WARNING,
    "A CreationPolicy, which Heat ignores: the stack does not wait for the signals.",
    message="Heat ignores the CreationPolicy of {resource!r}: it does not wait for cfn-signal, "
    "so what depends on {resource!r} starts before the instance is ready",
    dialects=CFN,
    targets=HEAT,
    doc="""\
On AWS, `CreationPolicy: ResourceSignal` holds the resource in CREATE_IN_PROGRESS until the
instance signals with cfn-signal. Heat has no CreationPolicy: it drops the key, marks the
instance complete as soon as Nova reports it, and starts the resources that depend on it.

For Heat, wait with an `AWS::CloudFormation::WaitCondition` and a `WaitConditionHandle` (the
instance signals the handle's URL), or in HOT with OS::Heat::WaitCondition and its handle's
`curl_cli`.

```yaml
# bad: Heat does not wait
Server:
  Type: AWS::EC2::Instance
  CreationPolicy: {ResourceSignal: {Timeout: PT10M}}
# good: Heat waits for the handle's signal
Wait:
  Type: AWS::CloudFormation::WaitCondition
  DependsOn: Server
  Properties: {Handle: !Ref Handle, Timeout: "600"}
```""",
)
def creation_policy_ignored(context: RuleContext) -> None:
    for name, resource in context.template.resources.items():
        if resource.creation_policy is None:
            continue
        context.report(
            _key_span(context, resource, resource.creation_policy, "CreationPolicy"),
            resource_path(context.template, name, "CreationPolicy"),
            resource=name,
        )


@rule(
    "HTG004",
    "update-replace-policy-ignored",
    Severity.INFO,
    "An UpdateReplacePolicy, which Heat ignores.",
    message="Heat ignores the UpdateReplacePolicy of {resource!r}: a replacing update deletes "
    "the old resource",
    dialects=CFN,
    targets=HEAT,
    doc="""\
Heat reads `DeletionPolicy` but has no `UpdateReplacePolicy`: when an update replaces the
resource, Heat deletes the old one whatever the key says. Keep the data out of the update's
reach another way (HOT parameters with `immutable: true` for the properties that force a
replacement), or snapshot before updating.

```yaml
# ignored by Heat
Data:
  Type: OS::Cinder::Volume
  DeletionPolicy: Snapshot
  UpdateReplacePolicy: Snapshot
```""",
)
def update_replace_policy_ignored(context: RuleContext) -> None:
    for name, resource in context.template.resources.items():
        if resource.update_replace_policy is None:
            continue
        context.report(
            _key_span(context, resource, resource.update_replace_policy, "UpdateReplacePolicy"),
            resource_path(context.template, name, "UpdateReplacePolicy"),
            resource=name,
        )


CFN_INIT: Final = "AWS::CloudFormation::Init"


@rule(
    "HTG005",
    "cfn-init-needs-cfntools",
    Severity.INFO,
    "AWS::CloudFormation::Init metadata, which only an image with heat-cfntools applies.",
    message="the {key} metadata of {resource!r} is applied only by cfn-init from heat-cfntools, "
    "which the image must have",
    dialects=CFN,
    targets=HEAT,
    doc="""\
Heat serves a resource's metadata to the instance, but applying `AWS::CloudFormation::Init`
(packages, files, services) is the job of `cfn-init`, which on OpenStack comes from the
heat-cfntools package. Most cloud images do not carry it, and then nothing is installed and no
error says so. Build an image with heat-cfntools, or move the configuration to user data
(cloud-init), or to HOT's OS::Heat::SoftwareConfig / CloudConfig.

```yaml
# needs heat-cfntools in the image
Metadata:
  AWS::CloudFormation::Init: {config: {packages: {yum: {httpd: []}}}}
# works with cloud-init alone
Properties:
  UserData: "#cloud-config\npackages: [httpd]\n"
```""",
)
def cfn_init_needs_cfntools(context: RuleContext) -> None:
    for name, resource in context.template.resources.items():
        metadata = resource.metadata
        if not isinstance(metadata, e.MapExpr) or CFN_INIT not in metadata.items:
            continue
        context.report(
            metadata.key_span(CFN_INIT) or metadata.span,
            resource_path(context.template, name, "Metadata", CFN_INIT),
            key=CFN_INIT,
            resource=name,
        )


# --- Fn::Sub -------------------------------------------------------------------------------


def _sub_parts(context: RuleContext, node: e.Interpolate) -> list[str] | None:
    """The Fn::Join list items (as JSON flow text) that build the same string, or None when
    the pieces cannot be written out safely."""
    if not isinstance(node.template, e.Str):
        return None
    source = context.source
    bindings: dict[str, e.Expr] = {}
    if isinstance(node.bindings, e.MapExpr):
        bindings = dict(node.bindings.items)
    elif node.bindings is not None:
        return None
    parts: list[str] = []
    literal = ""
    position = 0
    value = node.template.value
    for match in re.finditer(r"\$\{([^}]*)\}", value):
        literal += value[position : match.start()]
        position = match.end()
        inner = match.group(1)
        if inner.startswith("!"):  # ${!Literal} is the text ${Literal}
            literal += "${" + inner[1:] + "}"
            continue
        name = inner.strip()
        if literal:
            parts.append(json.dumps(literal))
            literal = ""
        if name in bindings:
            bound = bindings[name]
            if source is None or bound.span is None:
                return None
            written = source.text[bound.span.start.offset : bound.span.end.offset]
            if "\n" in written or not written.strip():
                return None
            parts.append(written.strip())
        elif "." in name and not name.startswith("AWS::"):
            resource, attribute = name.split(".", 1)
            parts.append(json.dumps({"Fn::GetAtt": [resource, attribute]}))
        else:
            parts.append(json.dumps({"Ref": name}))
    literal += value[position:]
    if literal:
        parts.append(json.dumps(literal))
    return parts


def _join_fix(context: RuleContext, node: e.Interpolate, parts: list[str]) -> Autofix | None:
    source, span = context.source, node.span
    if source is None or span is None:
        return None
    written = source.text[span.start.offset : span.end.offset]
    items = f'["", [{", ".join(parts)}]]'
    if written.startswith("!Sub"):
        new = f"!Join {items}"
    elif written.startswith("{"):
        new = '{"Fn::Join": ' + items + "}"
    else:
        key = re.match(r"([\"']?)Fn::Sub\1\s*:", written)
        if key is None:
            return None
        quote = key.group(1)
        new = f"{quote}Fn::Join{quote}: {items}"
    # A block scalar's span ends after its last line break: keep the break.
    new += written[len(written.rstrip()) :]
    edit = TextEdit(span.file, span.start.offset, span.end.offset, new)
    return Autofix("rewrite Fn::Sub as Fn::Join", (edit,), safe=True)


@rule(
    "HTG006",
    "sub-to-join",
    Severity.INFO,
    "An Fn::Sub that Heat cannot run, with the Fn::Join that builds the same string.",
    message="Heat has no Fn::Sub; the same string is {rewrite}",
    dialects=CFN,
    targets=HEAT,
    fixable=True,
    doc="""\
Heat does not implement `Fn::Sub` (validation reports FN009). `Fn::Join` with an empty
delimiter builds the same string from the literal pieces and a `Ref` or `Fn::GetAtt` per
variable, and works on both AWS and Heat:

```yaml
# AWS only
Name: !Sub "${AWS::StackName}-${Env}-data"
# AWS and Heat
Name: !Join ["", [{"Ref": "AWS::StackName"}, "-", {"Ref": "Env"}, "-data"]]
```

The fix rewrites it so (safe: the same value on AWS). `${!Literal}` escapes become the literal
text; variables bound in the two-argument form take the bound value.""",
)
def sub_to_join(context: RuleContext) -> None:
    for _, found in expressions(context.template):
        for node, path in found:
            if not isinstance(node, e.Interpolate) or node.spelling != "Fn::Sub":
                continue
            parts = _sub_parts(context, node)
            if parts is None:
                continue
            rewrite = f'{{"Fn::Join": ["", [{", ".join(parts)}]]}}'
            if len(rewrite) > 160:
                rewrite = rewrite[:157] + "..."
            context.report(
                node.span,
                path,
                autofix=_join_fix(context, node, parts),
                rewrite=rewrite,
            )


# --- AWS-only values ---------------------------------------------------------------------------

AMI: Final = re.compile(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
# AWS instance types: family (t2, m5a, c6gn, ...) dot size.
INSTANCE_TYPE: Final = re.compile(
    r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(?:nano|micro|small|medium|large|\d*xlarge|metal(?:-\d+xl)?)$"
)
# The flavors OpenStack has always shipped (also old AWS names): not reported.
OPENSTACK_FLAVORS: Final = frozenset({"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"})
_IMAGE_PATHS: Final = {
    "AWS::EC2::Instance": "ImageId",
    "AWS::AutoScaling::LaunchConfiguration": "ImageId",
}


Found = tuple[e.Expr, str, str, LogicalPath | None]


def _values(context: RuleContext, node: e.Expr) -> Iterator[Found]:
    """Literal strings a property value can take: itself, the default of a parameter it
    names, the values of a mapping it looks up. (node to report, value, where it comes from,
    the logical path of a parameter default)"""
    template = context.template
    if isinstance(node, e.Str):
        yield node, node.value, "", None
    elif isinstance(node, e.ParamRef) and node.name in template.parameters:
        default = template.parameters[node.name].default
        if isinstance(default, e.Str):
            where = f" (the default of parameter {node.name!r})"
            yield default, default.value, where, ("Parameters", node.name, "Default")
    elif isinstance(node, e.FindInMap) and isinstance(node.map_name, e.Str):
        mapping = template.mappings.get(node.map_name.value)
        if mapping is not None:
            for leaf in walk(mapping.entries):
                if isinstance(leaf, e.Str):
                    yield node, leaf.value, f" (in mapping {node.map_name.value!r})", None


@rule(
    "HTG007",
    "ami-image-in-heat",
    Severity.WARNING,
    "An AWS AMI id as the image of an instance that Heat is to create.",
    message="{resource!r} uses the AMI id {value!r}{where}; Glance has no such image: take the "
    "image name or id from a parameter",
    dialects=CFN,
    targets=HEAT,
    doc="""\
Heat looks `ImageId` up in Glance, by name or id. An AMI id (`ami-0abcd1234...`), written in
the resource, as a parameter's default or in a region mapping, exists only on AWS, and the
instance fails with "Image ami-... could not be found". Take the image from a parameter with
the OpenStack image's name.

```yaml
# bad
ImageId: ami-0abcdef1234567890
# good
ImageId: !Ref Image     # a parameter holding the Glance image name or id
```""",
)
def ami_image_in_heat(context: RuleContext) -> None:
    reported: set[object] = set()
    for owner in owners(context, members=False):
        key = _IMAGE_PATHS.get(owner.type)
        node = get(owner.properties, key) if key else None
        if node is None or key is None:
            continue
        for at, value, where, _ in _values(context, node):
            if AMI.match(value):
                if at.span in reported:
                    break  # one mapping or default used by several instances: said once
                reported.add(at.span)
                context.report(
                    at.span or node.span,
                    (*owner.path, key),
                    resource=owner.resource,
                    value=value,
                    where=where,
                )
                break


@rule(
    "HTG008",
    "aws-instance-type-in-heat",
    Severity.INFO,
    "An AWS instance type as the flavor of an instance that Heat is to create.",
    message="{resource!r} asks for instance type {value!r}{where}; Heat looks for a Nova "
    "flavor of that name, which OpenStack clouds seldom have",
    dialects=CFN,
    targets=HEAT,
    doc="""\
Heat's AWS::EC2::Instance takes `InstanceType` as the name of a Nova flavor. AWS names
(`t2.micro`, `m5.large`) exist only where an operator created flavors of those names; most
clouds have `m1.small` and the like, or their own. Take the flavor from a parameter (with a
`nova.flavor` constraint in HOT).

```yaml
# bad
InstanceType: t3.micro
# good
InstanceType: !Ref Flavor     # a parameter, e.g. m1.small
```""",
)
def aws_instance_type_in_heat(context: RuleContext) -> None:
    reported: set[object] = set()
    for owner in owners(context, members=False):
        if owner.type not in _IMAGE_PATHS:
            continue
        node = get(owner.properties, "InstanceType")
        if node is None:
            continue
        for at, value, where, default_path in _values(context, node):
            if value in OPENSTACK_FLAVORS or where.startswith(" (in mapping"):
                continue
            if INSTANCE_TYPE.match(value):
                if at.span in reported:
                    break
                reported.add(at.span)
                context.report(
                    at.span or node.span,
                    default_path or (*owner.path, "InstanceType"),
                    notes=[Note("used here", node.span)] if at is not node else [],
                    resource=owner.resource,
                    value=value,
                    where=where,
                )
                break


RULES: tuple[LintRule, ...] = (
    aws_type_heat_equivalent,
    aws_compat_type,
    creation_policy_ignored,
    update_replace_policy_ignored,
    cfn_init_needs_cfntools,
    sub_to_join,
    ami_image_in_heat,
    aws_instance_type_in_heat,
)
