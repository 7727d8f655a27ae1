"""Neutron's v2.0 REST API as Heat's neutronclient spoke it (calls.py does the requests).

Raw API bodies, not the SDK's resource classes: Heat's handlers build raw bodies (value_specs
merges arbitrary API keys into them) and its `show` attribute is the raw API document, so
Kiln speaks the same documents. An HTTP error answer is a `CloudError` with Neutron's own
message, transient on the statuses `cloud.classify` retries.

Marks on what Kiln creates (kiln/runtime/cloud.py `resource_tags`): Neutron 29 refuses
`tags` in a create body ("Attribute 'tags' not allowed in POST"; a port's are silently
dropped), so the tags are PUT right after the create. To leave no window in which a kill
leaves an unmarked resource, the create body carries the request-token tag as the
`description` (every Neutron resource Kiln creates has one) unless the template sets a
description of its own; `find_mark` looks for the tags, then that description, then the
generated name (`<stack>-<resource>-<short id>`, derived from the token too).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from kiln.runtime.cloud import TOKEN_TAG, Cloud
from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers.base import HandlerContext

UUID: Final = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


@dataclass(frozen=True, slots=True)
class Kind:
    """One Neutron collection: its URL path, its member key, whether it takes tags."""

    path: str
    member: str
    taggable: bool = True
    collection: str = ""  # the list's key, when not the path's last part with underscores

    @property
    def plural(self) -> str:
        return self.collection or self.path.rsplit("/", 1)[-1].replace("-", "_")

    @property
    def label(self) -> str:
        return self.member.replace("_", " ")


NETWORK: Final = Kind("networks", "network")
SUBNET: Final = Kind("subnets", "subnet")
PORT: Final = Kind("ports", "port")
ROUTER: Final = Kind("routers", "router")
SECURITY_GROUP: Final = Kind("security-groups", "security_group")
SECURITY_GROUP_RULE: Final = Kind("security-group-rules", "security_group_rule", taggable=False)
FLOATING_IP: Final = Kind("floatingips", "floatingip")
QOS_POLICY: Final = Kind("qos/policies", "policy")
SUBNET_POOL: Final = Kind("subnetpools", "subnetpool")
SEGMENT: Final = Kind("segments", "segment", taggable=False)


def is_uuid(value: str) -> bool:
    return bool(UUID.match(value))


def token_mark(ctx: HandlerContext) -> str:
    """The request token's tag, also written as the description of what a create makes."""
    return next(tag for tag in ctx.tags if tag.startswith(TOKEN_TAG))


class Neutron:
    """The calls Kiln's Neutron handlers make; every one through `Cloud.call`."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """One call (kiln/runtime/handlers/calls.py); the answer's document, {} if none."""
        answer = calls.request(self.cloud, "network", method, path, json=body, params=params)
        assert answer is not None  # a 404 is an error here: show/delete tolerate it
        return answer.body if isinstance(answer.body, Mapping) else {}

    # --- one collection ---------------------------------------------------------------

    def create(self, kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
        found = self.request("POST", f"/{kind.path}", {kind.member: dict(body)})
        return dict(found[kind.member])

    def show(self, kind: Kind, resource_id: str) -> dict[str, Any] | None:
        """The resource's document, None when it does not exist."""
        try:
            found = self.request("GET", f"/{kind.path}/{resource_id}")
        except CloudError as error:
            if error.status == 404:
                return None
            raise
        return dict(found[kind.member])

    def get(self, kind: Kind, resource_id: str) -> dict[str, Any]:
        found = self.request("GET", f"/{kind.path}/{resource_id}")
        return dict(found[kind.member])

    def update(self, kind: Kind, resource_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        found = self.request("PUT", f"/{kind.path}/{resource_id}", {kind.member: dict(body)})
        return dict(found.get(kind.member) or {})

    def delete(self, kind: Kind, resource_id: str) -> bool:
        """Delete; False when it was already gone."""
        try:
            self.request("DELETE", f"/{kind.path}/{resource_id}")
        except CloudError as error:
            if error.status == 404:
                return False
            raise
        return True

    def search(self, kind: Kind, **filters: Any) -> list[dict[str, Any]]:
        found = self.request("GET", f"/{kind.path}", params=filters)
        return [dict(item) for item in found.get(kind.plural, ())]

    def set_tags(self, kind: Kind, resource_id: str, tags: Iterable[str]) -> None:
        self.request("PUT", f"/{kind.path}/{resource_id}/tags", {"tags": sorted(set(tags))})

    # --- what Heat's neutron client plugin does -----------------------------------------

    def find_id(self, kind: Kind, name_or_id: str) -> str:
        """neutronclient's find_resourceid_by_name_or_id: an id as it is, else the one
        resource of that name."""
        if is_uuid(name_or_id) and self.show(kind, name_or_id) is not None:
            return name_or_id
        found = self.search(kind, name=name_or_id, fields="id")
        if len(found) == 1:
            return str(found[0]["id"])
        if not found:
            raise HandlerFailure(f"Unable to find {kind.label} with name or id '{name_or_id}'")
        raise HandlerFailure(
            f"Multiple {kind.label} matches found for name '{name_or_id}', use an ID to be "
            "more specific."
        )

    def security_group_ids(self, groups: Iterable[str]) -> list[str]:
        """Heat's get_secgroup_uuids: ids as they are, names among the project's groups."""
        result: list[str] = []
        project: list[dict[str, Any]] | None = None
        for group in groups:
            if is_uuid(group):
                result.append(group)
                continue
            if project is None:
                project = self.search(SECURITY_GROUP, project_id=self.cloud.project_id)
            same = [item["id"] for item in project if item.get("name") == group]
            if not same:
                raise HandlerFailure(f"The Resource ({group}) could not be found.")
            if len(same) > 1:
                raise HandlerFailure(f"Multiple physical resources were found with name ({group}).")
            result.append(str(same[0]))
        return result

    def external_network_id(self) -> str:
        """InternetGateway.get_external_network_id: the one external network."""
        found = self.search(NETWORK, **{"router:external": "True"})
        if len(found) != 1:
            raise HandlerFailure(f"Expected 1 external network, found {len(found)}")
        return str(found[0]["id"])

    def network_of_subnet(self, subnet_id: str) -> str:
        return str(self.get(SUBNET, subnet_id)["network_id"])

    # --- marks -------------------------------------------------------------------------

    def mark(self, ctx: HandlerContext, kind: Kind, resource_id: str, own: Iterable[str]) -> None:
        """The resource's tags: the template's own plus Kiln's marks."""
        if kind.taggable:
            self.set_tags(kind, resource_id, [*own, *ctx.tags])

    def find_mark(
        self,
        ctx: HandlerContext,
        kind: Kind,
        *,
        by_description: bool,
        by_name: bool,
        **filters: Any,
    ) -> dict[str, Any] | None:
        """What this operation's create made: by its tags, else by the description or the
        generated name it was created with (the tags come after the create)."""
        if kind.taggable:
            found = self.search(kind, tags=",".join(ctx.tags), **filters)
            if found:
                return found[0]
        if by_description:
            found = self.search(kind, description=token_mark(ctx), **filters)
            if found:
                return found[0]
        if by_name:
            found = self.search(kind, name=ctx.physical_resource_name, **filters)
            if found:
                return found[0]
        return None


def neutron(ctx: HandlerContext) -> Neutron:
    return Neutron(ctx.cloud)
