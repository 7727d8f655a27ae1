"""Nova's types: OS::Nova::Server (nova_server.py), KeyPair, ServerGroup and Flavor, as Heat's
plugins in heat/engine/resources/openstack/nova/ make them.

- KeyPair (keypair.py): `public_key` as given; without one Kiln makes the key pair itself,
  an RSA 2048 key as Nova made them before microversion 2.92 stopped generating keys (Heat
  then refuses such a template). The private key is the `private_key` attribute when
  `save_private_key` is true, else ''; it is a hidden value: never shown or stored in clear.
  It is kept in the resource's data, encrypted, as Heat keeps it in its resource data
  (data_set with redact). Names are unique, so a replacement deletes the old key pair first.
- ServerGroup (server_group.py): its policy and rules; nothing changes in place.
- Flavor (flavor.py): Nova allows it to admins only; in a project without that role the
  create fails with a message saying so. extra_specs and tenants change in place.

Key pairs and server groups carry no tags, metadata or description: `find_existing`
recognises them by name (a key pair also by its public key). A flavor carries Kiln's marks
in its description.
"""

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Final

from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers.base import DELETE_FIRST, BaseHandler, HandlerContext, Props
from kiln.runtime.handlers.nova_server import ServerHandler

__all__ = ["FlavorHandler", "KeyPairHandler", "ServerGroupHandler", "ServerHandler"]

PRIVATE_KEY: Final = "private_key"
PUBLIC_KEY: Final = "public_key"


def _nova(ctx: HandlerContext, method: str, path: str, **kwargs: Any) -> Any:
    return calls.call(ctx.cloud, "compute", method, path, microversion=calls.NOVA, **kwargs)


def generate_key_pair() -> tuple[str, str]:
    """(private key PEM, OpenSSH public key): what Nova's crypto.generate_key_pair made."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return private, public.decode("ascii") + " Generated-by-Kiln"


class KeyPairHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Nova::KeyPair"
    replacement = DELETE_FIRST
    hidden_attributes: ClassVar[frozenset[str]] = frozenset({PRIVATE_KEY})
    secret_data: ClassVar[frozenset[str]] = frozenset({PRIVATE_KEY})

    def validate(self, props: Props) -> str | None:
        if props.get("type") == "x509" and not props.get("public_key"):
            return (
                "Kiln generates ssh key pairs only (Nova no longer generates any): give the "
                "public_key of an x509 key pair"
            )
        return None

    @staticmethod
    def _query(ctx: HandlerContext, props: Props) -> str:
        user = props.get("user")
        if not user:
            return ""
        found = calls.find_by_name_or_id(ctx.cloud, "identity", "users", "user", str(user),
                                         kind="User")  # fmt: skip
        return f"?user_id={found['id']}"

    def create(self, ctx: HandlerContext, props: Props) -> str:
        public_key = props.get("public_key")
        if not public_key:
            private_key, public_key = generate_key_pair()
            if props.get("save_private_key"):
                ctx.save_data(PRIVATE_KEY, private_key)
        ctx.save_data(PUBLIC_KEY, public_key)
        body: dict[str, Any] = {"name": props["name"], "public_key": public_key}
        if props.get("type"):
            body["type"] = props["type"]
        if props.get("user"):
            body["user_id"] = self._query(ctx, props).removeprefix("?user_id=")
        try:
            created = _nova(ctx, "POST", "/os-keypairs", json={"keypair": body})
        except CloudError as error:
            if error.status == 409:  # the name is taken: waiting will not free it
                raise CloudError(error.message, status=409) from error
            raise
        return str(created["keypair"]["name"])

    def find_existing(self, ctx: HandlerContext) -> str | None:
        props = ctx.props
        found = calls.get(ctx.cloud, "compute", f"/os-keypairs/{props['name']}"
                          f"{self._query(ctx, props)}", microversion=calls.NOVA)  # fmt: skip
        if not isinstance(found, Mapping):
            return None
        mine = ctx.data.get(PUBLIC_KEY) or props.get("public_key")
        key = found["keypair"]
        return str(key["name"]) if mine and key.get("public_key") == mine else None

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        calls.delete(ctx.cloud, "compute", f"/os-keypairs/{physical_id}"
                     f"{self._query(ctx, ctx.props)}", microversion=calls.NOVA)  # fmt: skip

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if PRIVATE_KEY in names:
            values[PRIVATE_KEY] = (
                str(ctx.data.get(PRIVATE_KEY) or "") if ctx.props.get("save_private_key") else ""
            )
        if PUBLIC_KEY in names or "show" in names:
            found = calls.get(ctx.cloud, "compute", f"/os-keypairs/{physical_id}"
                              f"{self._query(ctx, ctx.props)}",
                              microversion=calls.NOVA)  # fmt: skip
            key = found.get("keypair", {}) if isinstance(found, Mapping) else {}
            values[PUBLIC_KEY] = str(ctx.props.get("public_key") or key.get("public_key"))
            values["show"] = key
        return values


class ServerGroupHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Nova::ServerGroup"

    @staticmethod
    def _name(ctx: HandlerContext, props: Props) -> str:
        return str(props.get("name") or ctx.physical_resource_name)

    def create(self, ctx: HandlerContext, props: Props) -> str:
        policies = list(props.get("policies") or ["anti-affinity"])
        body: dict[str, Any] = {"name": self._name(ctx, props), "policy": policies[0]}
        if props.get("rules"):
            body["rules"] = {k: v for k, v in props["rules"].items() if v is not None}
        created = _nova(ctx, "POST", "/os-server-groups", json={"server_group": body})
        return str(created["server_group"]["id"])

    def find_existing(self, ctx: HandlerContext) -> str | None:
        name = self._name(ctx, ctx.props)
        found = _nova(ctx, "GET", "/os-server-groups")
        for group in found.get("server_groups", []):
            if group.get("name") == name:
                return str(group["id"])
        return None

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        calls.delete(ctx.cloud, "compute", f"/os-server-groups/{physical_id}",
                     microversion=calls.NOVA)  # fmt: skip

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        if "show" not in names:
            return {}
        found = _nova(ctx, "GET", f"/os-server-groups/{physical_id}")
        return {"show": found.get("server_group")}


class FlavorHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Nova::Flavor"

    def create(self, ctx: HandlerContext, props: Props) -> str:
        flavor_id = props.get("flavorid")
        body = {
            "name": props.get("name") or ctx.physical_resource_name,
            "ram": props["ram"],
            "vcpus": props["vcpus"],
            "disk": props.get("disk") or 0,
            "id": None if not flavor_id or flavor_id == "auto" else flavor_id,
            "swap": props.get("swap") or 0,
            "OS-FLV-EXT-DATA:ephemeral": props.get("ephemeral") or 0,
            "rxtx_factor": props.get("rxtx_factor") or 1.0,
            "os-flavor-access:is_public": props.get("is_public", True),
            "description": "Made by Kiln: " + " ".join(ctx.tags),
        }
        try:
            created = _nova(ctx, "POST", "/flavors", json={"flavor": body})
        except CloudError as error:
            if error.status == 403:
                raise HandlerFailure(
                    f"{error.message} Creating a flavor needs the admin role in the cloud "
                    "(Nova's policy): deploy with an admin's cloud (in the sandbox: "
                    "kiln-sandbox-admin), or use an existing flavor."
                ) from error
            raise
        found = str(created["flavor"]["id"])
        if props.get("extra_specs"):
            _nova(ctx, "POST", f"/flavors/{found}/os-extra_specs",
                  json={"extra_specs": _specs(props["extra_specs"])})  # fmt: skip
        if not props.get("is_public", True):
            for tenant in props.get("tenants") or [ctx.cloud.project_id]:
                self._access(ctx, found, "addTenantAccess", str(tenant))
        return found

    @staticmethod
    def _access(ctx: HandlerContext, flavor: str, action: str, tenant: str) -> None:
        _nova(ctx, "POST", f"/flavors/{flavor}/action", json={action: {"tenant": tenant}})

    def find_existing(self, ctx: HandlerContext) -> str | None:
        found = _nova(ctx, "GET", "/flavors/detail", params={"is_public": "None"})
        token = ctx.tags[-1]
        for flavor in found.get("flavors", []):
            if token in str(flavor.get("description") or "").split():
                return str(flavor["id"])
        return None

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        """NovaFlavor.handle_update: extra_specs replaced; tenants of a private flavor."""
        if "extra_specs" in changed:
            current = _nova(ctx, "GET", f"/flavors/{physical_id}/os-extra_specs")
            for key in current.get("extra_specs", {}):
                calls.delete(ctx.cloud, "compute", f"/flavors/{physical_id}/os-extra_specs/{key}",
                             microversion=calls.NOVA)  # fmt: skip
            if new.get("extra_specs"):
                _nova(ctx, "POST", f"/flavors/{physical_id}/os-extra_specs",
                      json={"extra_specs": _specs(new["extra_specs"])})  # fmt: skip
        if "tenants" in changed and not new.get("is_public", True):
            listed = _nova(ctx, "GET", f"/flavors/{physical_id}/os-flavor-access")
            before = {item["tenant_id"] for item in listed.get("flavor_access", [])}
            after = {str(tenant) for tenant in new.get("tenants") or []}
            for tenant in sorted(before - after):
                self._access(ctx, physical_id, "removeTenantAccess", tenant)
            for tenant in sorted(after - before):
                self._access(ctx, physical_id, "addTenantAccess", tenant)

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        calls.delete(ctx.cloud, "compute", f"/flavors/{physical_id}", microversion=calls.NOVA)

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        flavor = _nova(ctx, "GET", f"/flavors/{physical_id}")["flavor"]
        values: dict[str, Any] = {
            "is_public": flavor.get("os-flavor-access:is_public"),
            "show": flavor,
        }
        if "extra_specs" in names:
            specs = _nova(ctx, "GET", f"/flavors/{physical_id}/os-extra_specs")
            values["extra_specs"] = specs.get("extra_specs", {})
        return values


def _specs(specs: Mapping[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in specs.items()}
