"""Neutron handlers: what every one shares, and OS::Neutron::Net, Subnet and Port
(heat/engine/resources/openstack/neutron/{neutron,net,subnet,port}.py).

As in Heat: the create body is the properties without nulls, `name` defaulting to the
physical resource name, `value_specs` merged in, names of networks, subnets, security
groups resolved to ids (Heat's translation RESOLVE rules: each handler's `lookups` table, for
create and update alike); deprecated property names move to their successors (REPLACE rules)
in `translate`. An update sends the changed properties only.
Deletes ignore a resource already gone and wait until it is. Statuses are read as Heat's
NeutronResource.is_built does: BUILD is not done, ACTIVE and DOWN are (ports and floating IPs
stay DOWN without an L2/L3 agent), ERROR fails. Marks: see neutron_api.py.

Routers, interfaces and floating IPs are in neutron_router.py; security groups in
neutron_security.py.
"""

from collections.abc import Callable, Collection, Mapping, MutableMapping
from functools import partial
from typing import Any, ClassVar

from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers.base import BaseHandler, HandlerContext, Props
from kiln.runtime.handlers.neutron_api import (
    NETWORK,
    PORT,
    QOS_POLICY,
    SEGMENT,
    SUBNET,
    SUBNET_POOL,
    Kind,
    Neutron,
    neutron,
    token_mark,
)

# The resource's data key saying its after_create calls are done.
AFTER_CREATE_DONE = "after_create_done"

# A property naming a Neutron resource -> (the API field of its id, the resource's kind).
Lookups = Mapping[str, tuple[str, Kind]]


def moved(props: Props, renames: Mapping[str, str]) -> Props:
    """Heat's REPLACE translation rules: a deprecated property's value moves to its
    successor when that is not set (both set stays both set: `validate` says so)."""
    result = dict(props)
    for old, new in renames.items():
        if result.get(old) is not None and result.get(new) is None:
            result[new] = result.pop(old)
    return result


def is_built(document: Mapping[str, Any]) -> bool:
    """NeutronResource.is_built."""
    status = document.get("status")
    if status == "BUILD":
        return False
    if status in ("ACTIVE", "DOWN"):
        return True
    if status in ("ERROR", "DEGRADED"):
        raise HandlerFailure(f'Went to status {status} due to "Unknown"')
    raise HandlerFailure(f'Unknown status {status} due to "Resource is not built"')


def conflict(*names: str) -> str:
    """Heat's ResourcePropertyConflict."""
    return f"Cannot define the following properties at the same time: {', '.join(names)}."


def unspecified(*names: str) -> str:
    """Heat's PropertyUnspecifiedError."""
    return f"At least one of the following properties must be specified: {', '.join(names)}."


def without_nulls(props: Props) -> dict[str, Any]:
    return {key: value for key, value in props.items() if value is not None}


def resolve_names(api: Neutron, body: MutableMapping[str, Any], lookups: Lookups) -> None:
    """Heat's RESOLVE translation rules: each property of `lookups` in the body sent as the
    id of the resource it names, in its API field; an empty one as null (Heat resolves only
    a value that is set)."""
    for prop, (field, kind) in lookups.items():
        if prop in body:
            value = body.pop(prop)
            body[field] = api.find_id(kind, str(value)) if value else None


def tolerate(call: Callable[[], object], *statuses: int) -> None:
    """The call, where an answer with one of these statuses means it is done already."""
    try:
        call()
    except CloudError as error:
        if error.status not in statuses:
            raise


class NeutronHandler(BaseHandler):
    """A Neutron resource: Heat's NeutronResource defaults."""

    kind: ClassVar[Kind]
    # The property with the template's description (SecurityGroup, SecurityGroupRule); the
    # other types have none, so their description carries the token mark.
    description_property: ClassVar[str | None] = None
    # Whether check_*_complete reads the status (Net, Port, Router: Heat's is_built).
    has_status: ClassVar[bool] = True
    # Whether `name` defaults to the physical resource name.
    named: ClassVar[bool] = True
    # Deprecated property -> its successor (Heat's REPLACE translation rules).
    renames: ClassVar[Mapping[str, str]] = {}
    # Properties sent as the id of the resource they name (Heat's RESOLVE rules).
    lookups: ClassVar[Lookups] = {}

    # --- planning ----------------------------------------------------------------------

    def translate(self, props: Props) -> Props:
        return moved(props, self.renames) if self.renames else props

    def validate(self, props: Props) -> str | None:
        """NeutronResource.validate_properties, and a deprecated name beside its successor."""
        for old, new in self.renames.items():
            if props.get(old) is not None and props.get(new) is not None:
                return conflict(new, old)
        specs = props.get("value_specs")
        if isinstance(specs, Mapping):
            banned = {"shared", "tenant_id", *props} & set(specs)
            if banned:
                return f"{', '.join(sorted(banned))} not allowed in value_specs"
        return None

    # --- create --------------------------------------------------------------------------

    def prepared(self, ctx: HandlerContext, props: Props) -> dict[str, Any]:
        """NeutronResource.prepare_properties: no nulls, the physical name as the default
        name, value_specs merged in."""
        body = without_nulls(props)
        if self.named and "name" in props:
            body.setdefault("name", ctx.physical_resource_name)
        specs = body.pop("value_specs", None)
        if isinstance(specs, Mapping):
            body.update(specs)
        return body

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        """The create body (each type's handle_create before its create call)."""
        body = self.prepared(ctx, props)
        body.pop("tags", None)
        resolve_names(api, body, self.lookups)
        return body

    def marks_description(self, props: Props) -> bool:
        """Whether the token mark is written as the description (the template sets none)."""
        own = props.get(self.description_property) if self.description_property else None
        specs = props.get("value_specs")
        return own is None and not (isinstance(specs, Mapping) and "description" in specs)

    def create(self, ctx: HandlerContext, props: Props) -> str:
        api = neutron(ctx)
        body = self.body(ctx, api, props)
        if self.marks_description(props):
            body["description"] = token_mark(ctx)
        created = api.create(self.kind, body)
        resource_id = str(created["id"])
        api.mark(ctx, self.kind, resource_id, props.get("tags") or ())
        return resource_id

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        """What a create does after its create call (agents, a group's rules); run by the
        first check_create_complete, so a create resumed after a kill does it too, and it
        must be safe to repeat (a kill may come before it is recorded as done)."""
        del ctx, api, resource_id, props

    def find_existing(self, ctx: HandlerContext) -> str | None:
        api = neutron(ctx)
        props = ctx.props
        found = api.find_mark(
            ctx,
            self.kind,
            by_description=self.marks_description(props),
            by_name=self.named and props.get("name") is None,
        )
        if found is None:
            return None
        resource_id = str(found["id"])
        if self.kind.taggable and not set(ctx.tags) <= set(found.get("tags") or ()):
            api.mark(ctx, self.kind, resource_id, props.get("tags") or ())
        return resource_id

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        api = neutron(ctx)
        if not ctx.data.get(AFTER_CREATE_DONE):
            self.after_create(ctx, api, physical_id, ctx.props)
            ctx.save_data(AFTER_CREATE_DONE, True)
        return self.built(api, physical_id)

    def built(self, api: Neutron, physical_id: str) -> bool:
        """Heat's check_create_complete and check_update_complete."""
        return not self.has_status or is_built(api.get(self.kind, physical_id))

    # --- update ----------------------------------------------------------------------------

    def prepared_update(
        self, ctx: HandlerContext, old: Props, new: Props, changed: frozenset[str]
    ) -> dict[str, Any]:
        """Heat's prop_diff after prepare_update_properties: the new values of what changed,
        value_specs merged (keys whose value did not change left out), a null name the
        physical name again."""
        diff = {name: new.get(name) for name in changed}
        if "value_specs" in diff:
            specs = dict(diff.pop("value_specs") or {})
            before = old.get("value_specs") or {}
            diff.update({k: v for k, v in specs.items() if before.get(k) != v})
        if "name" in diff and diff["name"] is None and self.named:
            diff["name"] = ctx.physical_resource_name
        return diff

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        api = neutron(ctx)
        diff = self.prepared_update(ctx, old, new, changed)
        if "tags" in diff:
            api.mark(ctx, self.kind, physical_id, diff.pop("tags") or ())
        resolve_names(api, diff, self.lookups)
        diff = self.update_body(ctx, api, physical_id, old, new, diff)
        if diff:
            api.update(self.kind, physical_id, diff)

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        """Each type's handle_update: the body of the update call (calls of its own first)."""
        del ctx, api, physical_id, old, new
        return diff

    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self.built(neutron(ctx), physical_id)

    # --- delete ----------------------------------------------------------------------------

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        neutron(ctx).delete(self.kind, physical_id)

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return neutron(ctx).show(self.kind, physical_id) is None

    # --- attributes ------------------------------------------------------------------------

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        api = neutron(ctx)
        document = api.get(self.kind, physical_id)
        return {name: self.attribute(api, document, name) for name in names}

    def attribute(self, api: Neutron, document: Mapping[str, Any], name: str) -> Any:
        """Heat's _resolve_attribute: the field of the same name; `show` the document."""
        del api
        if name == "show":
            return dict(document)
        return document.get(name)


class NetHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::Net"
    kind: ClassVar[Kind] = NETWORK
    lookups: ClassVar[Lookups] = {"qos_policy": ("qos_policy_id", QOS_POLICY)}

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        body = super().body(ctx, api, props)
        body.pop("dhcp_agent_ids", None)
        return body

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        if props.get("dhcp_agent_ids"):
            self.replace_dhcp_agents(api, resource_id, props["dhcp_agent_ids"])

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        if "dhcp_agent_ids" in diff:
            self.replace_dhcp_agents(api, physical_id, diff.pop("dhcp_agent_ids") or [])
        return diff

    @staticmethod
    def replace_dhcp_agents(api: Neutron, network_id: str, wanted: list[str]) -> None:
        """Net._replace_dhcp_agents: add the missing, remove the others (409: already so)."""
        hosting = api.request("GET", f"/networks/{network_id}/dhcp-agents")
        current = {agent["id"] for agent in hosting.get("agents", ())}
        for agent in set(wanted) - current:
            body = {"network_id": network_id}
            tolerate(partial(api.request, "POST", f"/agents/{agent}/dhcp-networks", body), 409)
        for agent in current - set(wanted):
            path = f"/agents/{agent}/dhcp-networks/{network_id}"
            tolerate(partial(api.request, "DELETE", path), 404, 409)

    def attribute(self, api: Neutron, document: Mapping[str, Any], name: str) -> Any:
        if name == "segments":
            try:
                segments = api.search(SEGMENT, network_id=document["id"])
            except CloudError as error:
                if error.status == 404:  # no segments extension
                    return None
                raise
            return sorted(segments, key=lambda segment: segment.get("name") is not None)
        return super().attribute(api, document, name)


class SubnetHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::Subnet"
    kind: ClassVar[Kind] = SUBNET
    has_status: ClassVar[bool] = False
    renames: ClassVar[Mapping[str, str]] = {"network_id": "network"}
    lookups: ClassVar[Lookups] = {
        "network": ("network_id", NETWORK),
        "segment": ("segment_id", SEGMENT),
        "subnetpool": ("subnetpool_id", SUBNET_POOL),
    }

    def validate(self, props: Props) -> str | None:
        """Subnet.validate."""
        problem = super().validate(props)
        if problem is not None:
            return problem
        pool, prefix, cidr = props.get("subnetpool"), props.get("prefixlen"), props.get("cidr")
        if pool is not None and cidr:
            return conflict("subnetpool", "cidr")
        if pool is None and not cidr:
            return unspecified("subnetpool", "cidr")
        if prefix and cidr:
            return conflict("prefixlen", "cidr")
        ra_mode, address_mode = props.get("ipv6_ra_mode"), props.get("ipv6_address_mode")
        if props.get("ip_version") == 4 and (ra_mode or address_mode):
            return "ipv6_ra_mode and ipv6_address_mode are not supported for ipv4."
        if ra_mode and address_mode and ra_mode != address_mode:
            return "When both ipv6_ra_mode and ipv6_address_mode are set, they must be equal."
        return None

    @staticmethod
    def normalize_gateway(body: dict[str, Any]) -> None:
        """Subnet._normalize_gateway_ip: an explicit null ('') means no gateway; 'auto' lets
        Neutron choose."""
        if "gateway_ip" not in body:
            return
        if body["gateway_ip"] == "":
            body["gateway_ip"] = None
        elif body["gateway_ip"] == "auto":
            del body["gateway_ip"]

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        body = super().body(ctx, api, props)
        self.normalize_gateway(body)
        return body

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        if "allocation_pools" in diff and diff["allocation_pools"] is None:
            diff["allocation_pools"] = []
        if diff.get("segment_id") and old.get("segment") is not None:
            raise HandlerFailure(
                "Updating the subnet segment association only allowed when the current "
                "segment_id is None."
            )
        if diff.get("gateway_ip") == "auto":
            raise HandlerFailure(
                'The value "auto" for gateway_ip cannot be used to update an existing subnet. '
                "It is only supported during subnet creation."
            )
        self.normalize_gateway(diff)
        return diff


class PortHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::Port"
    kind: ClassVar[Kind] = PORT
    renames: ClassVar[Mapping[str, str]] = {"network_id": "network"}
    lookups: ClassVar[Lookups] = {
        "network": ("network_id", NETWORK),
        "qos_policy": ("qos_policy_id", QOS_POLICY),
    }
    # In each of fixed_ips.
    fixed_ip_lookups: ClassVar[Lookups] = {"subnet": ("subnet_id", SUBNET)}

    def translate(self, props: Props) -> Props:
        """Also fixed_ips[].subnet_id -> subnet."""
        translated = dict(super().translate(props))
        fixed = translated.get("fixed_ips")
        if isinstance(fixed, list):
            translated["fixed_ips"] = [
                moved(item, {"subnet_id": "subnet"}) if isinstance(item, Mapping) else item
                for item in fixed
            ]
        return translated

    def validate(self, props: Props) -> str | None:
        problem = super().validate(props)
        if problem is None and props.get("fixed_ips") and props.get("no_fixed_ips"):
            return conflict("fixed_ips", "no_fixed_ips")
        return problem

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        """Port.needs_replace: replacement_policy REPLACE_ALWAYS replaces on any change."""
        if new.get("replacement_policy") == "REPLACE_ALWAYS":
            return "replacement_policy is REPLACE_ALWAYS"
        return None

    def port_properties(self, api: Neutron, body: dict[str, Any], for_update: bool) -> None:
        """Port._prepare_port_properties."""
        if not body.pop("no_fixed_ips", False):
            if "fixed_ips" in body:
                fixed = body["fixed_ips"]
                if fixed:
                    body["fixed_ips"] = [self.fixed_ip(api, item) for item in fixed]
                else:  # Heat leaves the addresses to Neutron (create) or as they are (update)
                    del body["fixed_ips"]
        else:
            body["fixed_ips"] = []
        if "allowed_address_pairs" in body:
            pairs = body["allowed_address_pairs"]
            body["allowed_address_pairs"] = [without_nulls(pair) for pair in pairs or ()]
        if "security_groups" in body:
            groups = body["security_groups"]
            if groups is not None:
                body["security_groups"] = api.security_group_ids(groups)
            elif for_update:
                body["security_groups"] = api.security_group_ids(["default"])
        body.pop("replacement_policy", None)

    def fixed_ip(self, api: Neutron, item: Mapping[str, Any]) -> dict[str, Any]:
        entry = without_nulls(item)
        entry.pop("subnet_id", None)  # deprecated: translate moved it to `subnet`, which wins
        resolve_names(api, entry, self.fixed_ip_lookups)
        return entry

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        body = super().body(ctx, api, props)
        self.port_properties(api, body, for_update=False)
        return body

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        self.port_properties(api, diff, for_update=True)
        return diff

    def attribute(self, api: Neutron, document: Mapping[str, Any], name: str) -> Any:
        """Port._resolve_attribute: `subnets` and `network` are read from their own APIs
        (None when that fails, as Heat logs and returns None)."""
        try:
            if name == "subnets":
                return [
                    api.get(SUBNET, str(fixed["subnet_id"]))
                    for fixed in document.get("fixed_ips") or ()
                    if fixed.get("subnet_id")
                ]
            if name == "network":
                return api.get(NETWORK, str(document["network_id"]))
        except CloudError:
            return None
        return super().attribute(api, document, name)
