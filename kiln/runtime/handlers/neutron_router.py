"""OS::Neutron::Router, RouterInterface, FloatingIP and FloatingIPAssociation
(heat/engine/resources/openstack/neutron/{router,floatingip}.py).

Two of them create no Neutron object of their own, so nothing carries Kiln's marks:

- RouterInterface adds a port of the router on a subnet (or an existing port); its physical
  id is Heat's `<router id>:subnet_id=<subnet id>` (or `:port_id=`), and `find_existing`
  looks at the router's ports for that subnet or port.
- FloatingIPAssociation sets a floating IP's port; its physical id is the physical resource
  name (Heat's is its own database id), the floating IP and port are kept in the resource's
  data, and its delete leaves a floating IP that another association has taken since.

Both are replaced delete-first: a router takes one interface per subnet, and removing an old
association after making an equal new one would undo it.
"""

from collections.abc import Collection, Mapping
from functools import partial
from typing import Any, ClassVar

from kiln.runtime.errors import CloudError
from kiln.runtime.handlers.base import DELETE_FIRST, BaseHandler, HandlerContext, Props, Replacement
from kiln.runtime.handlers.neutron import (
    Lookups,
    NeutronHandler,
    conflict,
    moved,
    resolve_names,
    tolerate,
    unspecified,
    without_nulls,
)
from kiln.runtime.handlers.neutron_api import (
    FLOATING_IP,
    NETWORK,
    PORT,
    ROUTER,
    SUBNET,
    Kind,
    Neutron,
    neutron,
)

ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                           "network:ha_router_replicated_interface")  # fmt: skip


class RouterHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::Router"
    kind: ClassVar[Kind] = ROUTER
    # In external_gateway_info, and in each of its external_fixed_ips.
    gateway_lookups: ClassVar[Lookups] = {"network": ("network_id", NETWORK)}
    gateway_ip_lookups: ClassVar[Lookups] = {"subnet": ("subnet_id", SUBNET)}

    def translate(self, props: Props) -> Props:
        """l3_agent_id is added to l3_agent_ids (Heat's ADD and DELETE rules)."""
        agent = props.get("l3_agent_id")
        if agent is None:
            return props
        translated = {key: value for key, value in props.items() if key != "l3_agent_id"}
        translated["l3_agent_ids"] = [*(props.get("l3_agent_ids") or []), agent]
        return translated

    def validate(self, props: Props) -> str | None:
        """Router.validate."""
        problem = super().validate(props)
        if problem is not None:
            return problem
        agents = props.get("l3_agent_ids")
        if props.get("l3_agent_id") and agents:
            return conflict("l3_agent_id", "l3_agent_ids")
        if props.get("distributed") and (props.get("l3_agent_id") or agents):
            return conflict("distributed", "l3_agent_id/l3_agent_ids")
        if props.get("ha") and props.get("distributed"):
            return conflict("distributed", "ha")
        if not props.get("ha") and agents and len(agents) > 1:
            return "Non HA routers can only have one L3 agent."
        return None

    def gateway(self, api: Neutron, info: Any) -> Any:
        """Router._resolve_gateway: the network and subnets as ids, nulls left out."""
        if not info:
            return info
        gateway = without_nulls(info)
        resolve_names(api, gateway, self.gateway_lookups)
        fixed = gateway.get("external_fixed_ips")
        if fixed is not None:
            entries = [without_nulls(item) for item in fixed]
            for entry in entries:
                resolve_names(api, entry, self.gateway_ip_lookups)
            gateway["external_fixed_ips"] = entries
        return gateway

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        body = super().body(ctx, api, props)
        body.pop("l3_agent_ids", None)
        body.pop("l3_agent_id", None)
        if "external_gateway_info" in body:
            body["external_gateway_info"] = self.gateway(api, body["external_gateway_info"])
        return body

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        if props.get("l3_agent_ids"):
            self.replace_agents(api, resource_id, props["l3_agent_ids"])

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        if "external_gateway_info" in diff:
            diff["external_gateway_info"] = self.gateway(api, diff["external_gateway_info"])
        if "l3_agent_ids" in diff or "l3_agent_id" in diff:
            diff.pop("l3_agent_id", None)
            self.replace_agents(api, physical_id, diff.pop("l3_agent_ids", None) or [])
        return diff

    @staticmethod
    def replace_agents(api: Neutron, router_id: str, wanted: list[str]) -> None:
        """Router._replace_agent: off every L3 agent hosting it, onto the wanted ones."""
        hosting = api.request("GET", f"/routers/{router_id}/l3-agents")
        for agent in hosting.get("agents", ()):
            path = f"/agents/{agent['id']}/l3-routers/{router_id}"
            tolerate(partial(api.request, "DELETE", path), 404)
        for agent_id in wanted:
            api.request("POST", f"/agents/{agent_id}/l3-routers", {"router_id": router_id})


class RouterInterfaceHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Neutron::RouterInterface"
    # A router has one interface on a subnet: the old one goes before the new one comes.
    replacement: ClassVar[Replacement] = DELETE_FIRST
    renames: ClassVar[Mapping[str, str]] = {
        "port_id": "port",
        "router_id": "router",
        "subnet_id": "subnet",
    }

    def translate(self, props: Props) -> Props:
        return moved(props, self.renames)

    def validate(self, props: Props) -> str | None:
        """RouterInterface.validate."""
        for old, new in self.renames.items():
            if props.get(old) is not None and props.get(new) is not None:
                return conflict(new, old)
        if props.get("subnet") is not None and props.get("port") is not None:
            return conflict("subnet", "port")
        if props.get("subnet") is None and props.get("port") is None:
            return unspecified("subnet", "port")
        return None

    @staticmethod
    def target(api: Neutron, props: Props) -> tuple[str, str, str]:
        """(router id, "subnet_id" or "port_id", its id), as Heat's handle_create has them
        after its RESOLVE translation rules."""
        router_id = api.find_id(ROUTER, str(props["router"]))
        if props.get("subnet"):
            return router_id, "subnet_id", api.find_id(SUBNET, str(props["subnet"]))
        return router_id, "port_id", api.find_id(PORT, str(props["port"]))

    def create(self, ctx: HandlerContext, props: Props) -> str:
        api = neutron(ctx)
        router_id, key, value = self.target(api, props)
        api.request("PUT", f"/routers/{router_id}/add_router_interface", {key: value})
        return f"{router_id}:{key}={value}"

    def find_existing(self, ctx: HandlerContext) -> str | None:
        """The interface when the router already has it (a create whose answer was lost)."""
        api = neutron(ctx)
        router_id, key, value = self.target(api, ctx.props)
        for port in api.search(PORT, device_id=router_id):
            if port.get("device_owner") not in ROUTER_INTERFACE_OWNERS:
                continue
            subnets = {fixed.get("subnet_id") for fixed in port.get("fixed_ips") or ()}
            if (key == "subnet_id" and value in subnets) or (
                key == "port_id" and port.get("id") == value
            ):
                return f"{router_id}:{key}={value}"
        return None

    @staticmethod
    def parse(physical_id: str) -> tuple[str, str, str]:
        """Heat's handle_delete: `router:key=value`, or the older `router:subnet`."""
        tokens = physical_id.replace("=", ":").split(":")
        if len(tokens) == 2:
            tokens.insert(1, "subnet_id")
        router_id, key, value = tokens
        return router_id, key, value

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        router_id, key, value = self.parse(physical_id)
        tolerate(
            lambda: neutron(ctx).request(
                "PUT", f"/routers/{router_id}/remove_router_interface", {key: value}
            ),
            404,
        )

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """Heat's RouterInterface has no entity to show: `show` is None."""
        return dict.fromkeys(names)


class FloatingIPHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::FloatingIP"
    kind: ClassVar[Kind] = FLOATING_IP
    has_status: ClassVar[bool] = False  # Heat does not wait: it stays DOWN without an agent
    named: ClassVar[bool] = False
    renames: ClassVar[Mapping[str, str]] = {"floating_network_id": "floating_network"}
    lookups: ClassVar[Lookups] = {
        "floating_network": ("floating_network_id", NETWORK),
        "floating_subnet": ("subnet_id", SUBNET),
    }

    def validate(self, props: Props) -> str | None:
        problem = super().validate(props)
        if problem is None and props.get("port_id") is None and props.get("fixed_ip_address"):
            return "fixed_ip_address cannot be specified without port_id."
        return problem

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        """FloatingIP.handle_update: the port and fixed address, both, whatever changed."""
        return {"port_id": new.get("port_id"), "fixed_ip_address": new.get("fixed_ip_address")}


class FloatingIPAssociationHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Neutron::FloatingIPAssociation"
    # The old association's delete would undo a new one of the same floating IP and port.
    replacement: ClassVar[Replacement] = DELETE_FIRST

    @staticmethod
    def associate(ctx: HandlerContext, api: Neutron, props: Props) -> None:
        floating_ip = str(props["floatingip_id"])
        body = without_nulls({key: props.get(key) for key in ("port_id", "fixed_ip_address")})
        api.update(FLOATING_IP, floating_ip, body)
        ctx.save_data("floatingip_id", floating_ip)
        ctx.save_data("port_id", props.get("port_id"))

    def create(self, ctx: HandlerContext, props: Props) -> str:
        self.associate(ctx, neutron(ctx), props)
        return ctx.physical_resource_name

    def find_existing(self, ctx: HandlerContext) -> str | None:
        floating_ip = ctx.props.get("floatingip_id")
        found = neutron(ctx).show(FLOATING_IP, str(floating_ip)) if floating_ip else None
        if found is None or found.get("port_id") != ctx.props.get("port_id"):
            return None
        ctx.save_data("floatingip_id", found["id"])
        ctx.save_data("port_id", found.get("port_id"))
        return ctx.physical_resource_name

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        """FloatingIPAssociation.handle_update: off the old floating IP when that changed,
        then the new floating IP onto the port."""
        api = neutron(ctx)
        if "floatingip_id" in changed:
            self.release(api, ctx.data.get("floatingip_id") or old.get("floatingip_id"),
                         ctx.data.get("port_id") or old.get("port_id"))  # fmt: skip
        target = {
            "floatingip_id": new.get("floatingip_id") or old.get("floatingip_id"),
            "port_id": new.get("port_id") or old.get("port_id"),
            "fixed_ip_address": new.get("fixed_ip_address") or old.get("fixed_ip_address"),
        }
        self.associate(ctx, api, target)

    @staticmethod
    def release(api: Neutron, floating_ip: Any, port_id: Any) -> None:
        """Disassociate, unless the floating IP is gone or now on another port."""
        if not floating_ip:
            return
        found = api.show(FLOATING_IP, str(floating_ip))
        if found is None or found.get("port_id") is None:
            return
        if port_id and found.get("port_id") != port_id:
            return
        try:
            api.update(FLOATING_IP, str(floating_ip), {"port_id": None})
        except CloudError as error:
            if error.status != 404:
                raise

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        self.release(
            neutron(ctx),
            ctx.data.get("floatingip_id") or ctx.props.get("floatingip_id"),
            ctx.data.get("port_id") or ctx.props.get("port_id"),
        )

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """Heat's FloatingIPAssociation has no entity to show: `show` is None."""
        return dict.fromkeys(names)
