"""What Heat's AWS::EC2 types do beyond the OpenStack handler they map onto (aws.py holds
the mappings): adapters, each a subclass of the target's handler, receiving the target
type's properties plus the `aws_` values the mapping passes along.

- VPC (aws/ec2/vpc.py): a network and a router of the same name; the router is the VPC's,
  found by that name (VPC.router_for_vpc), as every other EC2 type finds it.
- Subnet (subnet.py): attached to the VPC's router when there is one.
- EIP (eip.py): a floating IP on the one external network; InstanceId associates it with the
  server's first port; `Ref` is the address.
- EIPAssociation: an address (EIP) or a floating IP (AllocationId) onto a port
  (NetworkInterfaceId) or a server's first port (InstanceId); with AllocationId the VPC's
  router gets a gateway on the floating IP's network first.
- NetworkInterface (network_interface.py): a port whose network is its subnet's.
- InternetGateway (internet_gateway.py): nothing in the cloud; VPCGatewayAttachment gives
  the route tables of its VPC in this stack a gateway on the external network.
- RouteTable (route_table.py): a router of its own, marked with its VPC; it takes the VPC's
  gateway. SubnetRouteTableAssociation moves a subnet from the VPC's router onto it, and
  back on delete.
"""

from collections.abc import Collection, Mapping
from functools import partial
from typing import Any, ClassVar

from kiln.runtime.cloud import STACK_TAG
from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers import neutron as os_neutron
from kiln.runtime.handlers.aws import vpc_tag
from kiln.runtime.handlers.base import BaseHandler, HandlerContext, Props
from kiln.runtime.handlers.heat_local import NoneHandler
from kiln.runtime.handlers.neutron import is_built, tolerate
from kiln.runtime.handlers.neutron_api import (
    FLOATING_IP,
    NETWORK,
    PORT,
    ROUTER,
    SUBNET,
    Neutron,
    neutron,
    token_mark,
)
from kiln.runtime.handlers.neutron_router import (
    ROUTER_INTERFACE_OWNERS,
    FloatingIPAssociationHandler,
    FloatingIPHandler,
    RouterHandler,
    RouterInterfaceHandler,
)

AWS_PREFIX = "aws_"


def plain(props: Props) -> dict[str, Any]:
    """The target's own properties, without the values passed along for the adapter."""
    return {key: value for key, value in props.items() if not key.startswith(AWS_PREFIX)}


def router_for_vpc(api: Neutron, network_id: str) -> dict[str, Any] | None:
    """VPC.router_for_vpc: the router named like the VPC's network (None: no such network or
    router)."""
    network = api.show(NETWORK, network_id)
    if network is None:
        return None
    routers = api.search(ROUTER, name=network["name"])
    if len(routers) > 1:
        raise HandlerFailure(f"Multiple routers found with name {network['name']}")
    return routers[0] if routers else None


def router_for_subnet(api: Neutron, subnet_id: str) -> dict[str, Any] | None:
    subnet = api.show(SUBNET, subnet_id)
    return router_for_vpc(api, str(subnet["network_id"])) if subnet else None


def has_interface(api: Neutron, router_id: str, subnet_id: str) -> bool:
    for port in api.search(PORT, device_id=router_id):
        if port.get("device_owner") in ROUTER_INTERFACE_OWNERS and any(
            fixed.get("subnet_id") == subnet_id for fixed in port.get("fixed_ips") or ()
        ):
            return True
    return False


def add_interface(api: Neutron, router_id: str, subnet_id: str) -> None:
    if not has_interface(api, router_id, subnet_id):
        api.request("PUT", f"/routers/{router_id}/add_router_interface", {"subnet_id": subnet_id})


def remove_interface(api: Neutron, router_id: str, subnet_id: str) -> None:
    tolerate(
        lambda: api.request(
            "PUT", f"/routers/{router_id}/remove_router_interface", {"subnet_id": subnet_id}
        ),
        404,
    )


def set_gateway(api: Neutron, router_id: str, network_id: str | None) -> None:
    """Neutron's add_gateway_router / remove_gateway_router (network None)."""
    info = {"network_id": network_id} if network_id else {}
    api.update(ROUTER, router_id, {"external_gateway_info": info})


def first_port(api: Neutron, server_id: str) -> str:
    """The server's first port (Heat's nova plugin, associate_floatingip)."""
    ports = api.search(PORT, device_id=server_id)
    if not ports:
        raise HandlerFailure(f"server {server_id} has no port to associate a floating IP with")
    return str(ports[0]["id"])


class VPCHandler(os_neutron.NetHandler):
    type_name: ClassVar[str] = "AWS::EC2::VPC"

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        """The VPC's router, named like its network (made once: found by its marks)."""
        super().after_create(ctx, api, resource_id, props)
        if api.find_mark(ctx, ROUTER, by_description=True, by_name=False) is None:
            name = api.get(NETWORK, resource_id)["name"]
            router = api.create(ROUTER, {"name": name, "description": token_mark(ctx)})
            api.mark(ctx, ROUTER, str(router["id"]), ())

    def built(self, api: Neutron, physical_id: str) -> bool:
        if not is_built(api.get(NETWORK, physical_id)):
            return False
        router = router_for_vpc(api, physical_id)
        return router is None or is_built(router)

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        api = neutron(ctx)
        router = router_for_vpc(api, physical_id) or api.find_mark(
            ctx, ROUTER, by_description=True, by_name=False
        )  # by its marks too: the network may be gone already
        if router is not None:
            api.delete(ROUTER, str(router["id"]))
        api.delete(NETWORK, physical_id)


class SubnetHandler(os_neutron.SubnetHandler):
    type_name: ClassVar[str] = "AWS::EC2::Subnet"

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        return super().body(ctx, api, plain(props))

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        router = router_for_vpc(api, api.find_id(NETWORK, str(props["network"])))
        if router is not None:
            add_interface(api, str(router["id"]), resource_id)

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        api = neutron(ctx)
        router = router_for_subnet(api, physical_id)
        if router is not None:
            remove_interface(api, str(router["id"]), physical_id)
        api.delete(SUBNET, physical_id)

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """Subnet._resolve_attribute: AvailabilityZone is the property."""
        zone = {"AvailabilityZone": ctx.props.get("aws_availability_zone")}
        rest = [name for name in names if name not in zone]
        found = super().attributes(ctx, physical_id, rest) if rest else {}
        return {**found, **{name: zone[name] for name in names if name in zone}}


class EIPHandler(FloatingIPHandler):
    type_name: ClassVar[str] = "AWS::EC2::EIP"

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        own = plain(props)
        if own.get("floating_network") is None:
            own["floating_network"] = api.external_network_id()
        return super().body(ctx, api, own)

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        if props.get("aws_instance_id"):
            port = first_port(api, str(props["aws_instance_id"]))
            api.update(FLOATING_IP, resource_id, {"port_id": port})

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        """ElasticIp.handle_update: InstanceId associates or dissociates."""
        if "aws_instance_id" in diff:
            server = diff["aws_instance_id"]
            return {"port_id": first_port(api, str(server)) if server else None}
        return {}


class EIPAssociationHandler(FloatingIPAssociationHandler):
    type_name: ClassVar[str] = "AWS::EC2::EIPAssociation"

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        """ElasticIpAssociation.needs_replace_with_prop_diff: a new address together with a
        new instance or interface."""
        if changed & {"floatingip_id", "aws_eip"} and any(
            name in changed and new.get(name) for name in ("aws_instance_id", "port_id")
        ):
            return "the address and what it is associated with both change"
        return None

    @staticmethod
    def resolved(api: Neutron, props: Props) -> dict[str, Any]:
        """The floating IP's id and the port's, from whichever properties name them."""
        floating = props.get("floatingip_id")
        if not floating:
            address = str(props.get("aws_eip"))
            found = api.search(FLOATING_IP, floating_ip_address=address)
            if not found:
                raise HandlerFailure(f"No floating IP with address {address} was found")
            floating = found[0]["id"]
        port = props.get("port_id") or first_port(api, str(props.get("aws_instance_id")))
        return {"floatingip_id": floating, "port_id": port, "fixed_ip_address": None}

    def associate_as_heat(self, ctx: HandlerContext, api: Neutron, props: Props) -> None:
        """With AllocationId, the VPC's router first gets a gateway on the floating IP's
        network (ElasticIpAssociation._neutron_add_gateway_router)."""
        wanted = self.resolved(api, props)
        if props.get("floatingip_id"):
            network = api.get(PORT, str(wanted["port_id"]))["network_id"]
            router = router_for_vpc(api, str(network))
            if router is not None:
                floating = api.get(FLOATING_IP, str(wanted["floatingip_id"]))
                set_gateway(api, str(router["id"]), str(floating["floating_network_id"]))
        self.associate(ctx, api, wanted)

    def create(self, ctx: HandlerContext, props: Props) -> str:
        self.associate_as_heat(ctx, neutron(ctx), props)
        return ctx.physical_resource_name

    def find_existing(self, ctx: HandlerContext) -> str | None:
        api = neutron(ctx)
        wanted = self.resolved(api, ctx.props)
        found = api.show(FLOATING_IP, str(wanted["floatingip_id"]))
        if found is None or found.get("port_id") != wanted["port_id"]:
            return None
        ctx.save_data("floatingip_id", found["id"])
        ctx.save_data("port_id", found["port_id"])
        return ctx.physical_resource_name

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        """ElasticIpAssociation.handle_update: off the old address, onto the new one."""
        api = neutron(ctx)
        self.release(api, ctx.data.get("floatingip_id"), ctx.data.get("port_id"))
        self.associate_as_heat(ctx, api, new)


class NetworkInterfaceHandler(os_neutron.PortHandler):
    type_name: ClassVar[str] = "AWS::EC2::NetworkInterface"

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        own = plain(props)
        if own.get("network") is None:
            subnet = str((own.get("fixed_ips") or [{}])[0].get("subnet"))
            own["network"] = api.network_of_subnet(api.find_id(SUBNET, subnet))
        return super().body(ctx, api, own)

    def attribute(self, api: Neutron, document: Mapping[str, Any], name: str) -> Any:
        """NetworkInterface._get_fixed_ip_address: the first fixed address."""
        if name == "aws_private_ip_address":
            fixed = document.get("fixed_ips") or ()
            return fixed[0].get("ip_address") if fixed else None
        return super().attribute(api, document, name)


class InternetGatewayHandler(NoneHandler):
    """InternetGateway: its physical resource name is its id; nothing else exists."""

    type_name: ClassVar[str] = "AWS::EC2::InternetGateway"

    def create(self, ctx: HandlerContext, props: Props) -> str:
        return ctx.physical_resource_name


class VPCGatewayAttachmentHandler(BaseHandler):
    """VPCGatewayAttachment: the external network as the gateway of the VPC's route tables
    in this stack (found by the marks RouteTableHandler gives them)."""

    type_name: ClassVar[str] = "AWS::EC2::VPCGatewayAttachment"

    @staticmethod
    def route_tables(ctx: HandlerContext, api: Neutron) -> list[dict[str, Any]]:
        stack = next(tag for tag in ctx.tags if tag.startswith(STACK_TAG))
        vpc = vpc_tag(str(ctx.props.get("aws_vpc_id")))
        return api.search(ROUTER, tags=f"{stack},{vpc}")

    def create(self, ctx: HandlerContext, props: Props) -> str:
        api = neutron(ctx)
        external = api.external_network_id()
        for router in self.route_tables(ctx, api):
            set_gateway(api, str(router["id"]), external)
        return ctx.physical_resource_name

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        raise HandlerFailure("AWS::EC2::VPCGatewayAttachment cannot change in place")

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        api = neutron(ctx)
        for router in self.route_tables(ctx, api):
            tolerate(partial(set_gateway, api, str(router["id"]), None), 404)

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        return dict.fromkeys(names)


class RouteTableHandler(RouterHandler):
    type_name: ClassVar[str] = "AWS::EC2::RouteTable"

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        return super().body(ctx, api, plain(props))

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        """RouteTable.check_create_complete: the VPC's gateway, when its router has one."""
        super().after_create(ctx, api, resource_id, props)
        default = router_for_vpc(api, str(props.get("aws_vpc_id")))
        gateway = (default or {}).get("external_gateway_info")
        if gateway:
            set_gateway(api, resource_id, str(gateway["network_id"]))


class SubnetRouteTableAssociationHandler(RouterInterfaceHandler):
    type_name: ClassVar[str] = "AWS::EC2::SubnetRouteTableAssociation"

    def create(self, ctx: HandlerContext, props: Props) -> str:
        """Off the VPC's router, onto the route table's."""
        api = neutron(ctx)
        router_id, _, subnet_id = self.target(api, props)
        previous = router_for_subnet(api, subnet_id)
        if previous is not None and previous["id"] != router_id:
            remove_interface(api, str(previous["id"]), subnet_id)
        return super().create(ctx, props)

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        """Off the route table's router, back onto the VPC's."""
        super().delete(ctx, physical_id)
        api = neutron(ctx)
        _, _, subnet_id = self.parse(physical_id)
        try:
            default = router_for_subnet(api, subnet_id)
            if default is not None:
                add_interface(api, str(default["id"]), subnet_id)
        except CloudError as error:
            if error.status != 404:
                raise
