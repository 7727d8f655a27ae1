"""OS::Swift::Container, as Heat's SwiftContainer makes it
(heat/engine/resources/openstack/swift/container.py).

The container is named by `name` or the physical resource name; X-Container-Read/Write
and X-Container-Meta-* go with its creation, X-Account-Meta-* to the account after it.
Kiln's marks are container metadata too (X-Container-Meta-Kiln-*), left out of what the
attributes show. Nothing changes in place. Delete refuses a container with objects unless
PurgeOnDelete is true, as Heat does; with it, the objects go first, a page at a time.
"""

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Final
from urllib.parse import quote, urlsplit

from kiln.runtime.errors import HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers.base import BaseHandler, HandlerContext, Props

MARK_PREFIX: Final = "x-container-meta-kiln-"


def meta_headers(kind: str, meta: Mapping[str, Any] | None) -> dict[str, str]:
    """SwiftContainer._build_meta_headers: X-Container-Meta-<key> / X-Account-Meta-<key>."""
    return {f"X-{kind.title()}-Meta-{key}": str(value) for key, value in (meta or {}).items()}


def _path(name: str) -> str:
    return "/" + quote(name, safe="")


class ContainerHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Swift::Container"

    @staticmethod
    def name(ctx: HandlerContext, props: Props) -> str:
        return str(props.get("name") or ctx.physical_resource_name)

    def create(self, ctx: HandlerContext, props: Props) -> str:
        name = self.name(ctx, props)
        headers = meta_headers("container", props.get("X-Container-Meta"))
        for key in ("X-Container-Read", "X-Container-Write"):
            if props.get(key) is not None:
                headers[key] = str(props[key])
        marks = {"stack": ctx.stack_id, "resource": ctx.logical_name, "token": ctx.request_token}
        headers.update({f"X-Container-Meta-Kiln-{key}": value for key, value in marks.items()})
        calls.request(ctx.cloud, "object_store", "PUT", _path(name), headers=headers)
        account = meta_headers("account", props.get("X-Account-Meta"))
        if account:
            calls.request(ctx.cloud, "object_store", "POST", "", headers=account)
        return name

    def find_existing(self, ctx: HandlerContext) -> str | None:
        name = self.name(ctx, ctx.props)
        head = calls.request(ctx.cloud, "object_store", "HEAD", _path(name), missing_ok=True)
        if head is None:
            return None
        headers = {key.lower(): value for key, value in head.headers.items()}
        return name if headers.get(f"{MARK_PREFIX}token") == ctx.request_token else None

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        """SwiftContainer.handle_delete: refused while objects remain, unless purged."""
        objects = self._objects(ctx, physical_id)
        if objects and not ctx.props.get("PurgeOnDelete"):
            raise HandlerFailure(
                f"Deleting non-empty container ({physical_id}) when PurgeOnDelete is False"
            )

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        objects = self._objects(ctx, physical_id)
        if objects is None:
            return True
        for item in objects:
            calls.delete(ctx.cloud, "object_store", f"{_path(physical_id)}/{quote(item['name'])}")
        if objects:
            return False  # the next page, if any, at the next poll
        calls.delete(ctx.cloud, "object_store", _path(physical_id))
        return True

    @staticmethod
    def _objects(ctx: HandlerContext, name: str) -> list[dict[str, Any]] | None:
        found = calls.request(ctx.cloud, "object_store", "GET", _path(name),
                              params={"format": "json"}, missing_ok=True)  # fmt: skip
        if found is None:
            return None
        return list(found.body) if isinstance(found.body, list) else []

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """SwiftContainer._resolve_attribute."""
        endpoint = str(ctx.cloud.connection.object_store.get_endpoint()).rstrip("/")
        url = urlsplit(endpoint)
        values: dict[str, Any] = {
            "DomainName": (url.hostname or ""),
            "WebsiteURL": f"{url.scheme}://{url.netloc}{url.path}/{physical_id}",
            "RootURL": f"{url.scheme}://{url.netloc}{url.path}",
        }
        if set(names) & {"ObjectCount", "BytesUsed", "HeadContainer", "show"}:
            head = calls.request(ctx.cloud, "object_store", "HEAD", _path(physical_id),
                                 missing_ok=True)  # fmt: skip
            headers = (
                {
                    key.lower(): value
                    for key, value in head.headers.items()
                    if not key.lower().startswith(MARK_PREFIX)
                }
                if head is not None
                else {}
            )
            values["ObjectCount"] = headers.get("x-container-object-count")
            values["BytesUsed"] = headers.get("x-container-bytes-used")
            values["HeadContainer"] = headers or None
            values["show"] = headers or None
        return values
