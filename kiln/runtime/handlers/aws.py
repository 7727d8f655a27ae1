"""The AWS::EC2 types Heat implements, as data over the OpenStack handlers (`MAPPINGS`).

Each row follows Heat's own plugin (heat/engine/resources/aws/ec2/*.py): which OpenStack
property each AWS property becomes, which attribute each AWS attribute reads, what `Ref`
returns. What Heat's AWS type does beyond the OpenStack type (a VPC is a network and a
router of the same name; an EC2 subnet is attached to that router; an EIP finds the external
network) is an adapter class in aws_ec2.py. Properties Heat marks `implemented=False` (Tags
of VPC, Subnet, NetworkInterface, ...; VpcId of a SecurityGroup) are accepted and ignored,
as Heat does.

Adapters read a few AWS values that have no OpenStack property under names starting with
`aws_` (kept beside the target's properties, never sent to the cloud).
"""

import hashlib
from collections.abc import Mapping
from typing import Any, Final

from kiln.runtime.handlers.base import Derived, Props, Renamed, TypeMapping

ADAPTERS: Final = "kiln.runtime.handlers.aws_ec2"
VPC_TAG: Final = "kiln-vpc="
TAG_LIMIT: Final = 60  # kiln/runtime/cloud.py TAG_LIMIT (not imported: start-up stays light)


def vpc_tag(vpc_id: str) -> str:
    """The mark of a route table's VPC, a Neutron tag (no longer than Kiln's other marks)."""
    tag = VPC_TAG + vpc_id
    if len(tag) <= TAG_LIMIT:
        return tag
    return VPC_TAG + hashlib.sha256(vpc_id.encode()).hexdigest()[: TAG_LIMIT - len(VPC_TAG)]


def _tags_as_metadata(tags: Any) -> dict[str, str] | None:
    """Key/Value tags as a metadata map (Heat's _get_nova_metadata, Volume's `metadata`)."""
    if not tags:
        return None
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags}


# --- AWS::EC2::SecurityGroup (aws/ec2/security_group.py, NeutronSecurityGroup) -----------


def _port(value: Any) -> int | None:
    """Neutron only accepts positive ports: a negative FromPort/ToPort means none."""
    if value is None or value == "":
        return None
    number = int(value)
    return None if number < 0 else number


def _rule(rule: Mapping[str, Any], direction: str) -> dict[str, Any]:
    """_prop_rules_to_common then _convert_to_neutron_rule, as OS::Neutron::SecurityGroup's
    rule. IpProtocol "-1" (AWS: every protocol) is Neutron's "any". Absent values are left
    out: an explicit null would read as the schema's empty value (0 for a port)."""
    no_ports = rule.get("FromPort") is None and rule.get("ToPort") is None
    remote_group = rule.get("SourceSecurityGroupId") or rule.get("SourceSecurityGroupName")
    protocol = rule.get("IpProtocol")
    converted: dict[str, Any] = {
        "direction": direction,
        "ethertype": "IPv4",
        "protocol": None if str(protocol) == "-1" else protocol,
        "port_range_min": _port(rule.get("FromPort")),
        "port_range_max": _port(rule.get("ToPort")),
        "remote_ip_prefix": None if no_ports else rule.get("CidrIp"),
    }
    if remote_group:
        converted["remote_mode"] = "remote_group_id"
        converted["remote_group_id"] = remote_group
    return _present(converted)


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _security_group_rules(props: Props) -> list[dict[str, Any]]:
    return [
        _rule(rule, direction)
        for key, direction in (
            ("SecurityGroupIngress", "ingress"),
            ("SecurityGroupEgress", "egress"),
        )
        for rule in props.get(key) or ()
    ]


# --- AWS::EC2::EIPAssociation (aws/ec2/eip.py, ElasticIpAssociation.validate) ------------


def _eip_association_problem(props: Props) -> str | None:
    eip, allocation = props.get("EIP"), props.get("AllocationId")
    instance, interface = props.get("InstanceId"), props.get("NetworkInterfaceId")
    if bool(eip) == bool(allocation):
        return "Either 'EIP' or 'AllocationId' must be provided."
    if eip and not instance:
        return "Must specify 'InstanceId' if you specify 'EIP'."
    if not instance and not interface:
        return (
            "At least one of the following properties must be specified: InstanceId, "
            "NetworkInterfaceId."
        )
    return None


def _interface_fixed_ips(props: Props) -> list[dict[str, Any]]:
    """NetworkInterface.handle_create: one address on SubnetId (PrivateIpAddress if given)."""
    return [
        _present({"subnet": props.get("SubnetId"), "ip_address": props.get("PrivateIpAddress")})
    ]


def _route_table_tags(props: Props) -> list[str] | None:
    return [vpc_tag(str(props["VpcId"]))] if props.get("VpcId") else None


# --- AWS::EC2::Instance (aws/ec2/instance.py) --------------------------------------------


def _instance_problem(props: Props) -> str | None:
    """Instance.validate, and what Kiln does not do yet."""
    groups = [*(props.get("SecurityGroups") or ()), *(props.get("SecurityGroupIds") or ())]
    if groups and props.get("NetworkInterfaces"):
        return (
            "Cannot define the following properties at the same time: "
            "SecurityGroups/SecurityGroupIds, NetworkInterfaces."
        )
    for mapping in props.get("BlockDeviceMappings") or ():
        ebs = mapping.get("Ebs")
        if not ebs:
            return "Ebs is missing, this is required when specifying BlockDeviceMappings."
        if not ebs.get("SnapshotId"):
            return "SnapshotId is missing, this is required when specifying BlockDeviceMappings."
    if props.get("Volumes"):
        return (
            "Volumes of an AWS::EC2::Instance are not deployable by Kiln yet; attach them with "
            "AWS::EC2::VolumeAttachment resources instead"
        )
    return None


def _instance_networks(props: Props) -> list[dict[str, Any]] | None:
    """Instance._build_nics: the network interfaces in DeviceIndex order, else a port on
    SubnetId (OS::Nova::Server makes that port itself, with the security groups)."""
    interfaces = props.get("NetworkInterfaces")
    if interfaces:
        nics = [
            item if isinstance(item, Mapping) else {"NetworkInterfaceId": item, "DeviceIndex": i}
            for i, item in enumerate(interfaces)
        ]
        ordered = sorted(nics, key=lambda nic: int(nic.get("DeviceIndex") or 0))
        return [{"port": nic["NetworkInterfaceId"]} for nic in ordered]
    if props.get("SubnetId"):
        return [{"subnet": props["SubnetId"]}]
    return None


def _instance_security_groups(props: Props) -> list[str] | None:
    """Instance._get_security_groups."""
    groups = [*(props.get("SecurityGroups") or ()), *(props.get("SecurityGroupIds") or ())]
    return groups or None


def _scheduler_hints(hints: Any) -> dict[str, Any] | None:
    """NovaSchedulerHints: repeated keys become a list."""
    if not hints:
        return None
    result: dict[str, Any] = {}
    for hint in hints:
        key, value = str(hint["Key"]), hint["Value"]
        if key in result:
            previous = result[key]
            result[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[key] = value
    return result


def _block_devices(mappings: Any) -> list[dict[str, Any]] | None:
    """Instance._build_block_device_mapping, as OS::Nova::Server's block_device_mapping."""
    if not mappings:
        return None
    devices = []
    for mapping in mappings:
        ebs = mapping.get("Ebs") or {}
        size = ebs.get("VolumeSize")
        devices.append(
            _present(
                {
                    "device_name": mapping["DeviceName"],
                    "snapshot_id": ebs.get("SnapshotId"),
                    "volume_size": int(size) if size not in (None, "") else None,
                    "delete_on_termination": ebs.get("DeleteOnTermination"),
                }
            )
        )
    return devices


_FIRST_ADDRESS: Final = "first_address"  # Instance._ipaddress: the server's first address

MAPPINGS: Final[Mapping[str, TypeMapping]] = {
    mapping.source: mapping
    for mapping in (
        # A network and a router of the same name (CidrBlock is not used by Heat either).
        TypeMapping("AWS::EC2::VPC", "OS::Neutron::Net", {}, adapter=f"{ADAPTERS}:VPCHandler"),
        TypeMapping(
            "AWS::EC2::Subnet",
            "OS::Neutron::Subnet",
            {
                "VpcId": "network",
                "CidrBlock": "cidr",
                "AvailabilityZone": "aws_availability_zone",
            },
            fixed={"ip_version": 4},
            adapter=f"{ADAPTERS}:SubnetHandler",
        ),
        TypeMapping(
            "AWS::EC2::SecurityGroup",
            "OS::Neutron::SecurityGroup",
            {"GroupDescription": "description"},
            derived={
                "rules": Derived(
                    ("SecurityGroupIngress", "SecurityGroupEgress"), _security_group_rules
                )
            },
        ),
        TypeMapping(
            "AWS::EC2::EIP",
            "OS::Neutron::FloatingIP",
            {"InstanceId": "aws_instance_id"},
            attributes={"AllocationId": "id"},
            reference_attribute="floating_ip_address",
            adapter=f"{ADAPTERS}:EIPHandler",
        ),
        TypeMapping(
            "AWS::EC2::EIPAssociation",
            "OS::Neutron::FloatingIPAssociation",
            {
                "AllocationId": "floatingip_id",
                "NetworkInterfaceId": "port_id",
                "EIP": "aws_eip",
                "InstanceId": "aws_instance_id",
            },
            adapter=f"{ADAPTERS}:EIPAssociationHandler",
            check=_eip_association_problem,
        ),
        TypeMapping(
            "AWS::EC2::NetworkInterface",
            "OS::Neutron::Port",
            {"GroupSet": "security_groups"},
            attributes={"PrivateIpAddress": "aws_private_ip_address"},
            derived={"fixed_ips": Derived(("SubnetId", "PrivateIpAddress"), _interface_fixed_ips)},
            adapter=f"{ADAPTERS}:NetworkInterfaceHandler",
        ),
        # Nothing in the cloud: the name is the id (Heat's InternetGateway).
        TypeMapping(
            "AWS::EC2::InternetGateway",
            "OS::Heat::None",
            {},
            adapter=f"{ADAPTERS}:InternetGatewayHandler",
        ),
        TypeMapping(
            "AWS::EC2::VPCGatewayAttachment",
            "OS::Heat::None",
            {"VpcId": "aws_vpc_id", "InternetGatewayId": "aws_internet_gateway_id"},
            adapter=f"{ADAPTERS}:VPCGatewayAttachmentHandler",
        ),
        # A router of its own, marked with its VPC for the gateway attachment to find.
        TypeMapping(
            "AWS::EC2::RouteTable",
            "OS::Neutron::Router",
            {"VpcId": "aws_vpc_id"},
            derived={"tags": Derived(("VpcId",), _route_table_tags)},
            adapter=f"{ADAPTERS}:RouteTableHandler",
        ),
        TypeMapping(
            "AWS::EC2::SubnetRouteTableAssociation",
            "OS::Neutron::RouterInterface",
            {"RouteTableId": "router", "SubnetId": "subnet"},
            adapter=f"{ADAPTERS}:SubnetRouteTableAssociationHandler",
        ),
        # Nova and Cinder (aws/ec2/instance.py, volume.py).
        TypeMapping(
            "AWS::EC2::Instance",
            "OS::Nova::Server",
            {
                "ImageId": "image",
                "InstanceType": "flavor",
                "KeyName": "key_name",
                "UserData": "user_data",
                "AvailabilityZone": "availability_zone",
                "Tags": Renamed("metadata", _tags_as_metadata),
                "NovaSchedulerHints": Renamed("scheduler_hints", _scheduler_hints),
                "BlockDeviceMappings": Renamed("block_device_mapping", _block_devices),
            },
            attributes={
                "PrivateIp": _FIRST_ADDRESS,
                "PublicIp": _FIRST_ADDRESS,
                "PrivateDnsName": _FIRST_ADDRESS,
                "PublicDnsName": _FIRST_ADDRESS,
            },
            fixed={"user_data_format": "HEAT_CFNTOOLS"},
            derived={
                "networks": Derived(("NetworkInterfaces", "SubnetId"), _instance_networks),
                "security_groups": Derived(
                    ("SecurityGroups", "SecurityGroupIds"), _instance_security_groups
                ),
            },
            check=_instance_problem,
        ),
        TypeMapping(
            "AWS::EC2::Volume",
            "OS::Cinder::Volume",
            {
                "AvailabilityZone": "availability_zone",
                "Size": "size",
                "SnapshotId": "backup_id",  # Heat's Volume reads SnapshotId as a backup
                "Tags": Renamed("metadata", _tags_as_metadata),
            },
        ),
        TypeMapping(
            "AWS::EC2::VolumeAttachment",
            "OS::Cinder::VolumeAttachment",
            {"InstanceId": "instance_uuid", "VolumeId": "volume_id", "Device": "mountpoint"},
        ),
    )
}
