"""OS::Nova::Server, as Heat's Server plugin does it (heat/engine/resources/openstack/nova/
server.py, with server_network_mixin.py and NovaClientPlugin in clients/os/nova.py).

Create sends Nova the request novaclient builds for Heat: image and flavor by name or id,
networks (nova_networks.py), block_device_mapping (v1, in Nova's legacy format) or _v2,
user data in its format (nova_userdata.py), metadata (non-strings as JSON), key, security
groups, scheduler hints, availability zone, config drive, admin password and the server's
tags, with Kiln's own tags among them so `find_existing` recognises a server an
interrupted run created. The server is complete when ACTIVE; ERROR fails it with Nova's
fault.

Update in place follows Heat's handle_update: metadata, tags, name and admin_pass at
once; networks (interfaces detached and attached), flavor (resize, confirmed) and image or
user data (rebuild) as steps polled to completion, each step recorded in the resource's
data. flavor/image/user_data_update_policy REPLACE replace the server instead (Heat's
needs_replace_with_prop_diff; user data's default policy is REPLACE).

Delete: the server, then, once Nova has removed it, the internal ports (Nova deletes the
ports it made itself).
"""

import base64
from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Final

from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers import nova_networks as nets
from kiln.runtime.handlers.base import (
    BaseHandler,
    HandlerContext,
    Props,
    physical_name,
)
from kiln.runtime.handlers.nova_update import (
    NetworkChange,
    fault_of,
    find_flavor,
    meta_serialize,
    plan_steps,
    record_nic_ports,
    run_steps,
)
from kiln.runtime.handlers.nova_userdata import SOFTWARE_CONFIG, build_userdata
from kiln.runtime.handlers.plugin_checks import compiler_rules

# heat.common.config max_server_name_length: Heat cuts generated server names to 53.
SERVER_NAME_LIMIT: Final = 53
DEFERRED: Final = frozenset(
    {"BUILD", "HARD_REBOOT", "PASSWORD", "REBOOT", "RESCUE", "RESIZE", "REVERT_RESIZE",
     "SHUTOFF", "SUSPENDED", "VERIFY_RESIZE"}
)  # fmt: skip
# Nova's console types as Heat's ConsoleUrls offers them: type -> protocol.
CONSOLES: Final = {
    "novnc": "vnc",
    "xvpvnc": "vnc",
    "spice-html5": "spice",
    "rdp-html5": "rdp",
    "serial": "serial",
    "webmks": "mks",
}
GONE: Final = "gone"


def server_name(ctx: HandlerContext, props: Props) -> str:
    """BaseServer._server_name: the name given, else the physical resource name."""
    name = props.get("name")
    if name:
        return str(name)
    return physical_name(
        ctx.stack_name, ctx.logical_name, ctx.request_token, limit=SERVER_NAME_LIMIT
    )


def fetch(ctx: HandlerContext, server_id: str) -> dict[str, Any] | None:
    found = calls.get(ctx.cloud, "compute", f"/servers/{server_id}", microversion=calls.NOVA)
    return dict(found["server"]) if isinstance(found, Mapping) else None


def is_kiln_tag(tag: str) -> bool:
    return tag.startswith(("kiln-stack=", "kiln-res=", "kiln-token="))


class ServerHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Nova::Server"

    # --- planning ----------------------------------------------------------------------

    def translate(self, props: Props) -> Props:
        """Server.translation_rules: networks' `uuid` is `network`; a v2 mapping's
        `image_id` is `image` (names are resolved when the server is made)."""
        translated = dict(props)
        networks = props.get("networks")
        if isinstance(networks, list):
            translated["networks"] = [_renamed(entry, "uuid", "network") for entry in networks]
        mappings = props.get("block_device_mapping_v2")
        if isinstance(mappings, list):
            translated["block_device_mapping_v2"] = [
                _renamed(entry, "image_id", "image") for entry in mappings
            ]
        return translated

    def validate(self, props: Props) -> str | None:
        """Server.validate, the checks that need no cloud: the compiler's copies of them
        (kiln/compiler/resource_types/rules.py), now with every value known, and what
        Nova's microversion refuses."""
        problem = compiler_rules(self.type_name, props, "(this server)")
        if problem:
            return problem
        if props.get("personality"):
            return (
                "Cannot use the personality parameter as nova no longer supports it. "
                "Use user_data instead."
            )
        if props.get("reservation_id"):
            return (
                "reservation_id is not supported: Nova then answers with a reservation, not a "
                "server (Heat's create fails on it too)"
            )
        return None

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        """Server.needs_replace_with_prop_diff: an update policy of REPLACE."""
        for prop, policy in (
            ("flavor", "flavor_update_policy"),
            ("image", "image_update_policy"),
            ("user_data", "user_data_update_policy"),
        ):
            if prop in changed and (new.get(policy) or old.get(policy)) == "REPLACE":
                return f"{prop} changed and {policy} is REPLACE"
        return None

    # --- create ------------------------------------------------------------------------

    def create(self, ctx: HandlerContext, props: Props) -> str:
        cloud = ctx.cloud
        project = cloud.project_id
        image = props.get("image")
        image_id = _image_id(ctx, str(image)) if image else None
        flavor = find_flavor(cloud, str(props["flavor"]))
        server: dict[str, Any] = {
            "name": server_name(ctx, props),
            "imageRef": image_id or "",
            "flavorRef": flavor["id"],
            "min_count": 1,
            "max_count": 1,
        }
        metadata = meta_serialize(props.get("metadata"))
        if metadata:
            server["metadata"] = metadata
        userdata = self.userdata(props)
        if userdata:
            server["user_data"] = base64.b64encode(userdata.encode("utf-8")).decode("ascii")
        for key, target in (
            ("key_name", "key_name"),
            ("availability_zone", "availability_zone"),
            ("diskConfig", "OS-DCF:diskConfig"),
            ("admin_pass", "adminPass"),
        ):
            if props.get(key):
                server[target] = props[key]
        if props.get("config_drive") is not None:
            server["config_drive"] = props["config_drive"]
        groups = props.get("security_groups") or []
        if groups:
            server["security_groups"] = [{"name": group} for group in groups]
        legacy = _legacy_block_devices(props.get("block_device_mapping"))
        if legacy:
            server["block_device_mapping"] = legacy
        else:
            mapped = _block_devices_v2(ctx, props.get("block_device_mapping_v2"))
            if mapped:
                if image_id:  # novaclient boots the image first, then the mappings
                    mapped.insert(0, {"uuid": image_id, "source_type": "image",
                                      "destination_type": "local", "boot_index": 0,
                                      "delete_on_termination": True})  # fmt: skip
                server["block_device_mapping_v2"] = mapped
        server["networks"] = nets.build_nics(ctx, props, project)
        server["tags"] = [*(props.get("tags") or []), *ctx.tags]
        body: dict[str, Any] = {"server": server}
        if props.get("scheduler_hints"):
            body["os:scheduler_hints"] = props["scheduler_hints"]
        try:
            created = calls.call(cloud, "compute", "POST", "/servers", json=body,
                                 microversion=calls.NOVA)  # fmt: skip
        except CloudError as error:
            if error.status == 409:  # an ambiguous network, a port in use: asking again won't do
                raise CloudError(error.message, status=409) from error
            raise
        return str(created["server"]["id"])

    @staticmethod
    def userdata(props: Props) -> str | None:
        metadata = None  # the resource's template metadata does not reach handlers yet
        content = props.get("user_data")
        built = build_userdata(metadata, None if content is None else str(content),
                               str(props.get("user_data_format") or "HEAT_CFNTOOLS"))  # fmt: skip
        return built or None

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        server = fetch(ctx, physical_id)
        if server is None:
            raise HandlerFailure(f"The server ({physical_id}) could not be found.")
        if not self._active(server):
            return False
        nets.store_external_ports(ctx, physical_id)
        record_nic_ports(ctx, physical_id, ctx.props.get("networks"))
        return True

    @staticmethod
    def _active(server: Mapping[str, Any]) -> bool:
        """NovaClientPlugin._check_active."""
        status = str(server.get("status", "")).split("(")[0]
        if status in DEFERRED:
            return False
        if status == "ACTIVE":
            return True
        if status == "ERROR":
            raise HandlerFailure(f'Went to status ERROR due to "{fault_of(server)}"')
        raise HandlerFailure(f'Unknown status {status} due to "Server is not active"')

    def find_existing(self, ctx: HandlerContext) -> str | None:
        found = calls.call(ctx.cloud, "compute", "GET", "/servers",
                           params={"tags": ",".join(ctx.tags)},
                           microversion=calls.NOVA)  # fmt: skip
        servers = found.get("servers", [])
        return str(servers[0]["id"]) if servers else None

    # --- update ------------------------------------------------------------------------

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        cloud = ctx.cloud
        base = f"/servers/{physical_id}"
        if "metadata" in changed:  # NovaClientPlugin.meta_update: exactly these keys
            calls.call(cloud, "compute", "PUT", f"{base}/metadata",
                       json={"metadata": meta_serialize(new.get("metadata"))},
                       microversion=calls.NOVA)  # fmt: skip
        if "tags" in changed:
            calls.call(cloud, "compute", "PUT", f"{base}/tags",
                       json={"tags": [*(new.get("tags") or []), *ctx.tags]},
                       microversion=calls.NOVA)  # fmt: skip
        if "name" in changed:
            calls.call(cloud, "compute", "PUT", base,
                       json={"server": {"name": server_name(ctx, new)}},
                       microversion=calls.NOVA)  # fmt: skip
        if "admin_pass" in changed and "image" not in changed and new.get("admin_pass"):
            calls.call(cloud, "compute", "POST", f"{base}/action",
                       json={"changePassword": {"adminPass": new["admin_pass"]}},
                       microversion=calls.NOVA)  # fmt: skip
        change = NetworkChange(old.get("networks"), new.get("networks"))
        image = new.get("image")
        steps = plan_steps(
            ctx,
            physical_id,
            new,
            networks=change if "networks" in changed else None,
            flavor=str(new["flavor"]) if "flavor" in changed else None,
            image_id=_image_id(ctx, str(image)) if "image" in changed and image else None,
            user_data=(
                self.userdata(new)
                if "user_data" in changed and new.get("user_data_update_policy") == "REBUILD"
                else None
            ),
        )
        ctx.save_data("update_steps", steps)

    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return run_steps(ctx, physical_id)

    # --- delete ------------------------------------------------------------------------

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        if not calls.delete(ctx.cloud, "compute", f"/servers/{physical_id}",
                            microversion=calls.NOVA):  # fmt: skip
            ctx.save_data("deleted", GONE)

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        """NovaClientPlugin.check_delete_server_complete, then the internal ports."""
        server = None if ctx.data.get("deleted") == GONE else fetch(ctx, physical_id)
        if server is not None:
            status = str(server.get("status", "")).split("(")[0]
            # Heat takes DELETED as done; Kiln waits until Nova has destroyed the record
            # (a moment later), so nothing still lists the server once the delete returns.
            if server.get("OS-EXT-STS:task_state") == "deleting" or status not in (
                "SOFT_DELETED",
                "ERROR",
            ):
                return False
            if status == "SOFT_DELETED":
                calls.call(ctx.cloud, "compute", "POST", f"/servers/{physical_id}/action",
                           json={"forceDelete": None}, microversion=calls.NOVA)  # fmt: skip
                return False
            if status == "ERROR":
                fault = server.get("fault") or {}
                raise HandlerFailure(
                    f"Server {server.get('name')} delete failed: ({fault.get('code')}) "
                    f"{fault.get('message', 'Unknown')}"
                )
        nets.delete_internal_ports(ctx)
        return True

    # --- attributes --------------------------------------------------------------------

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """Server._resolve_attribute for each name asked for."""
        values: dict[str, Any] = {}
        wanted = set(names)
        if "name" in wanted:
            values["name"] = server_name(ctx, ctx.props)
        if "os_collect_config" in wanted:
            values["os_collect_config"] = {}
        if not wanted - {"name", "os_collect_config"}:
            return values
        cloud = ctx.cloud
        server = fetch(ctx, physical_id)
        if server is None:  # Heat's attribute of a server gone: ''
            return {**dict.fromkeys(wanted, ""), **values}
        for name in wanted:
            if name == "first_address":
                values[name] = nets.first_address(server)
            elif name == "networks":
                values[name] = nets.extend_networks(cloud, nets.labelled(server))
            elif name == "addresses":
                values[name] = nets.addresses(cloud, physical_id)
            elif name == "instance_name":  # admin only: None for everyone else
                values[name] = server.get("OS-EXT-SRV-ATTR:instance_name")
            elif name == "accessIPv4":
                values[name] = server.get("accessIPv4")
            elif name == "accessIPv6":
                values[name] = server.get("accessIPv6")
            elif name == "console_urls":
                values[name] = {kind: _console(ctx, physical_id, kind) for kind in CONSOLES}
            elif name == "tags":
                values[name] = [tag for tag in server.get("tags") or [] if not is_kiln_tag(tag)]
            elif name == "show":
                values[name] = server
        return values


def _renamed(entry: Any, old: str, new: str) -> Any:
    if not isinstance(entry, Mapping) or entry.get(old) is None:
        return entry
    renamed = {key: value for key, value in entry.items() if key != old}
    if renamed.get(new) is None:
        renamed[new] = entry[old]
    return renamed


def _image_id(ctx: HandlerContext, name_or_id: str) -> str:
    found = calls.find_by_name_or_id(ctx.cloud, "image", "images", None, name_or_id,
                                     kind="Image", remember=True)  # fmt: skip
    return str(found["id"])


def _console(ctx: HandlerContext, server_id: str, kind: str) -> str:
    """ConsoleUrls.__getitem__: the URL, or why there is none."""
    body = {"remote_console": {"protocol": CONSOLES[kind], "type": kind}}
    try:
        found = calls.call(ctx.cloud, "compute", "POST", f"/servers/{server_id}/remote-consoles",
                           json=body, microversion=calls.NOVA)  # fmt: skip
    except CloudError as error:
        if error.transient:
            raise
        return f"Cannot get console url: {error.message}"
    return str(found["remote_console"]["url"])


def _legacy_block_devices(mappings: Any) -> list[dict[str, Any]] | None:
    """Server._build_block_device_mapping as novaclient sends it (Nova's legacy format)."""
    if not mappings:
        return None
    found: list[dict[str, Any]] = []
    for mapping in mappings:
        item: dict[str, Any] = {"device_name": mapping.get("device_name")}
        if mapping.get("snapshot_id"):
            item["snapshot_id"] = mapping["snapshot_id"]
        else:
            item["volume_id"] = mapping.get("volume_id")
        if mapping.get("volume_size"):
            item["volume_size"] = str(int(mapping["volume_size"]))
        if mapping.get("delete_on_termination"):
            item["delete_on_termination"] = str(mapping["delete_on_termination"])
        found.append(item)
    return found


def _block_devices_v2(ctx: HandlerContext, mappings: Any) -> list[dict[str, Any]]:
    """Server._build_block_device_mapping_v2, images resolved to ids."""
    found: list[dict[str, Any]] = []
    for mapping in mappings or ():
        item: dict[str, Any] = {}
        if mapping.get("volume_id"):
            item = {"uuid": mapping["volume_id"], "source_type": "volume"}
        elif mapping.get("snapshot_id"):
            item = {"uuid": mapping["snapshot_id"], "source_type": "snapshot"}
        elif mapping.get("image"):
            item = {"uuid": _image_id(ctx, str(mapping["image"])), "source_type": "image"}
        if item:
            item.update(destination_type="volume", boot_index=0, delete_on_termination=False)
        elif mapping.get("swap_size"):
            item = {"source_type": "blank", "destination_type": "local", "boot_index": -1,
                    "delete_on_termination": True, "guest_format": "swap",
                    "volume_size": mapping["swap_size"]}  # fmt: skip
        elif mapping.get("ephemeral_size") or mapping.get("ephemeral_format"):
            item = {"source_type": "blank", "destination_type": "local", "boot_index": -1,
                    "delete_on_termination": True}  # fmt: skip
            if mapping.get("ephemeral_size"):
                item["volume_size"] = mapping["ephemeral_size"]
            if mapping.get("ephemeral_format"):
                item["guest_format"] = mapping["ephemeral_format"]
        if mapping.get("device_name"):
            item["device_name"] = mapping["device_name"]
        for key in ("device_type", "disk_bus", "boot_index", "volume_size",
                    "delete_on_termination", "volume_type"):  # fmt: skip
            if mapping.get(key) is not None:
                item[key] = mapping[key]
        if item:
            found.append(item)
    return found


__all__ = ["SOFTWARE_CONFIG", "ServerHandler"]
