"""Lint rules: values tied to one cloud (images, flavors, networks, key pairs, availability
zones, AWS account and region) written into resources instead of taken from parameters."""

import re
from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._access import owners, properties_path, scalar_text
from kiln.compiler.passes.sites import walk

Step = str  # a map key, or "*" for every item of a list
# (type, path to the property) per kind of cloud-specific value.
Table = dict[str, tuple[tuple[Step, ...], ...]]

IMAGES: Final[Table] = {
    "OS::Nova::Server": (("image",), ("block_device_mapping_v2", "*", "image")),
    "OS::Cinder::Volume": (("image",),),
    "OS::Magnum::ClusterTemplate": (("image",),),
    "AWS::EC2::Instance": (("ImageId",),),
    "AWS::AutoScaling::LaunchConfiguration": (("ImageId",),),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData", "ImageId"),),
}
FLAVORS: Final[Table] = {
    "OS::Nova::Server": (("flavor",),),
    "OS::Trove::Instance": (("flavor",),),
    "OS::Trove::Cluster": (("instances", "*", "flavor"),),
    "OS::Magnum::ClusterTemplate": (("flavor",), ("master_flavor",)),
    "OS::Magnum::Cluster": (("flavor",), ("master_flavor",)),
    "AWS::EC2::Instance": (("InstanceType",),),
    "AWS::AutoScaling::LaunchConfiguration": (("InstanceType",),),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData", "InstanceType"),),
}
NETWORKS: Final[Table] = {
    "OS::Nova::Server": (
        ("networks", "*", "network"),
        ("networks", "*", "uuid"),
        ("networks", "*", "subnet"),
    ),
    "OS::Neutron::Port": (
        ("network",),
        ("network_id",),
        ("fixed_ips", "*", "subnet"),
        ("fixed_ips", "*", "subnet_id"),
    ),
    "OS::Neutron::Subnet": (("network",), ("network_id",)),
    "OS::Neutron::FloatingIP": (("floating_network",), ("floating_network_id",)),
    "OS::Neutron::Router": (("external_gateway_info", "network"),),
    "OS::Neutron::RouterInterface": (("router",), ("subnet",)),
    "OS::Trove::Instance": (("networks", "*", "network"),),
    "OS::Magnum::ClusterTemplate": (("external_network",), ("fixed_network",), ("fixed_subnet",)),
    "OS::Octavia::LoadBalancer": (("vip_subnet",), ("vip_network",)),
    "OS::Octavia::PoolMember": (("subnet",),),
    "AWS::EC2::Instance": (("SubnetId",), ("NetworkInterfaces", "*", "SubnetId")),
    "AWS::EC2::Subnet": (("VpcId",),),
    "AWS::EC2::SecurityGroup": (("VpcId",),),
}
KEY_NAMES: Final[Table] = {
    "OS::Nova::Server": (("key_name",),),
    "OS::Magnum::ClusterTemplate": (("keypair",),),
    "OS::Magnum::Cluster": (("keypair",),),
    "AWS::EC2::Instance": (("KeyName",),),
    "AWS::AutoScaling::LaunchConfiguration": (("KeyName",),),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData", "KeyName"),),
}
ZONES: Final[Table] = {
    "OS::Nova::Server": (("availability_zone",),),
    "OS::Cinder::Volume": (("availability_zone",),),
    "OS::Trove::Instance": (("availability_zone",),),
    "OS::Octavia::LoadBalancer": (("availability_zone",),),
    "AWS::EC2::Instance": (("AvailabilityZone",),),
    "AWS::EC2::Volume": (("AvailabilityZone",),),
    "AWS::EC2::Subnet": (("AvailabilityZone",),),
    "AWS::AutoScaling::AutoScalingGroup": (("AvailabilityZones", "*"),),
}


def _at(
    node: e.Expr | None, steps: tuple[Step, ...], path: LogicalPath
) -> Iterator[tuple[e.Expr, LogicalPath]]:
    if node is None:
        return
    if not steps:
        yield node, path
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        if isinstance(node, e.ListExpr):
            for index, item in enumerate(node.items):
                yield from _at(item, rest, (*path, index))
    elif isinstance(node, e.MapExpr) and step in node.items:
        yield from _at(node.items[step], rest, (*path, step))


def hard_coded(context: RuleContext, table: Table) -> None:
    """Report every literal the table's properties hold, in resources and group members."""
    for owner in owners(context):
        for steps in table.get(owner.type, ()):
            for node, path in _at(owner.properties, steps, owner.path):
                value = scalar_text(node)
                if value is None or not value.strip():
                    continue  # a function, a parameter: what the rule wants
                context.report(
                    node.span,
                    path,
                    resource=owner.resource,
                    key=path[-1] if isinstance(path[-1], str) else steps[-2],
                    value=value,
                )


_DOC_TAIL = """

The rule looks at literal values only: `get_param`, `Ref` to a parameter, `Fn::FindInMap` and
other functions are what it asks for. It checks the member definitions of resource groups too.
"""


@rule(
    "PRT001",
    "hard-coded-image",
    Severity.WARNING,
    "A server or volume image written as a literal.",
    message="{resource!r} hard-codes {key} {value!r}; take it from a parameter",
    doc="""\
Image names and ids differ between clouds and change as images are updated: a literal image
ties the template to one cloud (and on AWS, an AMI id to one region). Declare a parameter,
with a `glance.image` custom constraint in HOT (or the type `AWS::EC2::Image::Id` in
CloudFormation), and use it.

```yaml
parameters:
  image:
    type: string
    description: Image for the server.
    constraints: [{custom_constraint: glance.image}]
resources:
  server:
    type: OS::Nova::Server
    properties:
      image: {get_param: image}     # not `image: cirros-0.6.2`
```"""
    + _DOC_TAIL,
)
def hard_coded_image(context: RuleContext) -> None:
    hard_coded(context, IMAGES)


@rule(
    "PRT002",
    "hard-coded-flavor",
    Severity.WARNING,
    "A flavor or instance type written as a literal.",
    message="{resource!r} hard-codes {key} {value!r}; take it from a parameter",
    doc="""\
Flavor names (`m1.small`) are defined by each cloud's operator and differ between clouds; a
literal flavor makes the template fail elsewhere with "Flavor ... could not be found". Take it
from a parameter (with a `nova.flavor` custom constraint in HOT).

```yaml
flavor: {get_param: flavor}
```"""
    + _DOC_TAIL,
)
def hard_coded_flavor(context: RuleContext) -> None:
    hard_coded(context, FLAVORS)


@rule(
    "PRT003",
    "hard-coded-network",
    Severity.WARNING,
    "An existing network, subnet or router named by a literal.",
    message="{resource!r} hard-codes {key} {value!r}; take it from a parameter or create it "
    "in the template",
    doc="""\
A literal network name or id (`public`, `private`, a UUID, an AWS `subnet-...`) refers to a
network that exists in one cloud or account only. Take it from a parameter (with a
`neutron.network` / `neutron.subnet` custom constraint in HOT), or create the network in the
template and use `get_resource`.

```yaml
floating_network: {get_param: public_net}     # not `floating_network: public`
```"""
    + _DOC_TAIL,
)
def hard_coded_network(context: RuleContext) -> None:
    hard_coded(context, NETWORKS)


@rule(
    "PRT004",
    "hard-coded-key-name",
    Severity.WARNING,
    "A key pair name written as a literal.",
    message="{resource!r} hard-codes {key} {value!r}; take it from a parameter",
    doc="""\
Key pairs belong to a user: a literal `key_name` works only for the user who created that key
pair, and fails for everyone else with "The Key (...) could not be found". Take it from a
parameter (with a `nova.keypair` custom constraint), or create an OS::Nova::KeyPair in the
template.

```yaml
key_name: {get_param: key_name}
```"""
    + _DOC_TAIL,
)
def hard_coded_key_name(context: RuleContext) -> None:
    hard_coded(context, KEY_NAMES)


@rule(
    "PRT005",
    "hard-coded-availability-zone",
    Severity.WARNING,
    "An availability zone written as a literal.",
    message="{resource!r} hard-codes {key} {value!r}; take it from a parameter",
    doc="""\
Availability zone names are chosen by each cloud's operator (`nova` is only a default) and by
AWS per region and account. Take the zone from a parameter, or on AWS pick one with
`Fn::Select` over `Fn::GetAZs`.

```yaml
availability_zone: {get_param: availability_zone}
```"""
    + _DOC_TAIL,
)
def hard_coded_availability_zone(context: RuleContext) -> None:
    hard_coded(context, ZONES)


# An ARN's partition, region and account: `arn:aws:iam::123456789012:role/x`.
ARN: Final = re.compile(r"arn:(aws[a-z-]*):([a-z0-9-]*):([a-z]{2}(?:-[a-z]+)+-\d)?:(\d{12})?")


@rule(
    "PRT006",
    "hard-coded-arn",
    Severity.INFO,
    "An ARN with a literal partition, region or account.",
    message="the ARN {arn!r} hard-codes {parts}; use {pseudo} with Fn::Sub",
    dialects=("cfn",),
    targets=("aws",),
    doc="""\
An ARN written out in full (`arn:aws:s3:us-east-1:123456789012:...`) works in one partition,
region and account only (cfn-lint I3042). Build it with `Fn::Sub` and the pseudo parameters
`${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}`, so the template deploys
anywhere.

```yaml
# good
RoleArn: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deployer
```

ARNs of AWS-managed objects (`arn:aws:iam::aws:policy/...`) carry no account and are not
reported for it.""",
)
def hard_coded_arn(context: RuleContext) -> None:
    template = context.template
    for name, resource in template.resources.items():
        if resource.properties is None:
            continue
        for node, path in walk(resource.properties, properties_path(template, name)):
            if not isinstance(node, e.Str) or "arn:" not in node.value:
                continue
            for match in ARN.finditer(node.value):
                parts, pseudo = [], []
                if match.group(3):
                    parts.append(f"the region {match.group(3)}")
                    pseudo.append("${AWS::Region}")
                if match.group(4):
                    parts.append(f"the account {match.group(4)}")
                    pseudo.append("${AWS::AccountId}")
                if not parts:
                    continue
                if match.group(1) == "aws":
                    pseudo.append("${AWS::Partition}")
                context.report(
                    node.span,
                    path,
                    arn=node.value if len(node.value) <= 80 else match.group(0),
                    parts=" and ".join(parts),
                    pseudo=", ".join(pseudo),
                )
                break


RULES: tuple[LintRule, ...] = (
    hard_coded_image,
    hard_coded_flavor,
    hard_coded_network,
    hard_coded_key_name,
    hard_coded_availability_zone,
    hard_coded_arn,
)
