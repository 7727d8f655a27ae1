"""Cinder's types, as Heat's CinderVolume and CinderVolumeAttachment make them
(heat/engine/resources/openstack/cinder/volume.py, heat/engine/resources/volume_base.py).

- Volume: size, image (by name or id), snapshot, source volume or backup, type, name,
  description, metadata, availability zone, scheduler hints; complete when `available`,
  read_only set then. Kiln's marks go in the metadata (Cinder has no tags) and are left out
  of what the attributes show. In place: name and description, metadata (replaced whole),
  type (retype, never migrating), read_only, backup (restore), size (extended only, as Heat:
  shrinking is refused). Delete refuses a volume still in use, as Heat does, after a few
  tries (a server deleted just before may still be letting go of it).
- VolumeAttachment: Nova attaches the volume (its attachment id, the volume's, is the
  physical id); complete when the volume is `in-use`; delete detaches and waits until
  both Cinder and Nova have let go. Heat's update detaches, then attaches as asked: Kiln
  does that as a replacement that deletes first, which leaves the cloud in the same state.
"""

import json
from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Final

from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers.base import (
    DELETE_FIRST,
    BaseHandler,
    HandlerContext,
    Props,
)
from kiln.runtime.handlers.plugin_checks import compiler_rules

CREATING: Final = ("creating", "restoring-backup", "downloading")
MARKS: Final = ("kiln_stack", "kiln_resource", "kiln_token")


def volume(ctx: HandlerContext, volume_id: str) -> dict[str, Any] | None:
    found = calls.get(ctx.cloud, "block_storage", f"/volumes/{volume_id}",
                      microversion=calls.CINDER)  # fmt: skip
    return dict(found["volume"]) if isinstance(found, Mapping) else None


def _cinder(ctx: HandlerContext, method: str, path: str, **kwargs: Any) -> Any:
    return calls.call(ctx.cloud, "block_storage", method, path, microversion=calls.CINDER,
                      **kwargs)  # fmt: skip


def unmarked(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (metadata or {}).items() if key not in MARKS}


class VolumeHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Cinder::Volume"

    def translate(self, props: Props) -> Props:
        """CinderVolume.translation_rules: imageRef is image."""
        if props.get("imageRef") is None:
            return props
        translated = {key: value for key, value in props.items() if key != "imageRef"}
        translated.setdefault("image", props["imageRef"])
        return translated

    def validate(self, props: Props) -> str | None:
        """CinderVolume.validate, as the compiler checks it (with every value known now)."""
        return compiler_rules(self.type_name, props, "(this volume)")

    def create(self, ctx: HandlerContext, props: Props) -> str:
        name = props.get("name") or ctx.physical_resource_name
        if props.get("backup_id"):  # BaseVolume.handle_create: a restore
            restored = _cinder(ctx, "POST", f"/backups/{props['backup_id']}/restore",
                               json={"restore": {"name": name}})  # fmt: skip
            found = str(restored["restore"]["volume_id"])
            _cinder(ctx, "PUT", f"/volumes/{found}", json={"volume": {
                "name": name, "description": props.get("description"),
                "metadata": {**(props.get("metadata") or {}), **ctx.metadata}}})  # fmt: skip
            return found
        body: dict[str, Any] = {
            "size": props.get("size"),
            "availability_zone": props.get("availability_zone") or None,
            "name": name,
            "description": props.get("description"),
            "metadata": {**(props.get("metadata") or {}), **ctx.metadata},
        }
        if props.get("image"):
            body["imageRef"] = calls.find_by_name_or_id(
                ctx.cloud, "image", "images", None, str(props["image"]), kind="Image", remember=True
            )["id"]
        for key in ("snapshot_id", "volume_type", "source_volid"):
            if props.get(key) is not None:
                body[key] = props[key]
        request: dict[str, Any] = {"volume": body}
        if props.get("scheduler_hints"):
            request["OS-SCH-HNT:scheduler_hints"] = props["scheduler_hints"]
        created = _cinder(ctx, "POST", "/volumes", json=request)
        return str(created["volume"]["id"])

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        found = volume(ctx, physical_id)
        if found is None:
            raise HandlerFailure(f"The volume ({physical_id}) could not be found.")
        status = found.get("status")
        if status in CREATING:
            return False
        if status == "error":
            raise HandlerFailure('Went to status error due to "Unknown"')
        if status != "available":
            raise HandlerFailure(f'Unknown status {status} due to "Volume create failed"')
        if ctx.props.get("read_only") is not None:
            self._read_only(ctx, physical_id, bool(ctx.props["read_only"]))
        return True

    @staticmethod
    def _read_only(ctx: HandlerContext, volume_id: str, flag: bool) -> None:
        _cinder(ctx, "POST", f"/volumes/{volume_id}/action",
                json={"os-update_readonly_flag": {"readonly": flag}})  # fmt: skip

    def find_existing(self, ctx: HandlerContext) -> str | None:
        found = _cinder(
            ctx,
            "GET",
            "/volumes/detail",
            params={"metadata": json.dumps({"kiln_token": ctx.request_token})},
        )
        for item in found.get("volumes", []):
            if (item.get("metadata") or {}).get("kiln_token") == ctx.request_token:
                return str(item["id"])
        return None

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        """CinderVolume.handle_update: what is quick at once, the rest as steps."""
        current = volume(ctx, physical_id)
        if current is None:
            raise HandlerFailure(f"The volume ({physical_id}) could not be found.")
        path = f"/volumes/{physical_id}"
        if changed & {"name", "description"}:
            _cinder(ctx, "PUT", path, json={"volume": {
                "name": new.get("name") or ctx.physical_resource_name,
                "description": new.get("description")}})  # fmt: skip
        if "metadata" in changed:  # update_all_metadata; Kiln's marks stay
            marks = {key: value for key, value in current.get("metadata", {}).items()
                     if key in MARKS}  # fmt: skip
            _cinder(ctx, "PUT", f"{path}/metadata",
                    json={"metadata": {**(new.get("metadata") or {}), **marks}})  # fmt: skip
        if "volume_type" in changed:
            _cinder(ctx, "POST", f"{path}/action", json={"os-retype": {
                "new_type": new.get("volume_type"), "migration_policy": "never"}})  # fmt: skip
        steps: list[dict[str, Any]] = []
        if "backup_id" in changed and new.get("backup_id"):
            steps.append({"op": "restore", "backup": new["backup_id"]})
        if "size" in changed and new.get("size") is not None:
            size = int(new["size"])
            if size < int(current["size"]):
                raise HandlerFailure("Shrinking volume is not supported.")
            if size > int(current["size"]):
                steps.append({"op": "extend", "size": size})
        if "read_only" in changed and new.get("read_only") is not None:
            steps.append({"op": "read_only", "flag": bool(new["read_only"])})
        ctx.save_data("update_steps", steps)

    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        steps = [dict(step) for step in ctx.data.get("update_steps") or []]
        for step in steps:
            if step.get("done"):
                continue
            found = volume(ctx, physical_id) or {}
            status = found.get("status")
            if not step.get("called"):
                if status not in ("available", "in-use"):  # _ready_to_extend_volume
                    return False
                self._call(ctx, physical_id, step)
                step["called"] = True
            elif status in ("extending", "restoring-backup"):
                return False
            elif status in ("available", "in-use"):
                step["done"] = True
                ctx.save_data("update_steps", steps)
                continue
            else:
                raise HandlerFailure(f'Unknown status {status} due to "Volume {step["op"]} failed"')
            ctx.save_data("update_steps", steps)
            return False
        ctx.save_data("update_steps", [])
        return True

    def _call(self, ctx: HandlerContext, volume_id: str, step: Mapping[str, Any]) -> None:
        if step["op"] == "extend":
            _cinder(ctx, "POST", f"/volumes/{volume_id}/action",
                    json={"os-extend": {"new_size": step["size"]}})  # fmt: skip
        elif step["op"] == "restore":
            _cinder(ctx, "POST", f"/backups/{step['backup']}/restore",
                    json={"restore": {"volume_id": volume_id}})  # fmt: skip
        elif step["op"] == "read_only":
            self._read_only(ctx, volume_id, bool(step["flag"]))

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        """BaseVolume._delete_volume: refused while in use (a transient refusal, so the
        engine asks again a few times before it stands)."""
        found = volume(ctx, physical_id)
        if found is None:
            return
        if found.get("status") in ("in-use", "attaching", "detaching", "reserved"):
            raise CloudError("Volume in use", transient=True)
        if found.get("status") != "deleting":
            calls.delete(ctx.cloud, "block_storage", f"/volumes/{physical_id}",
                         microversion=calls.CINDER)  # fmt: skip

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        found = volume(ctx, physical_id)
        if found is None:
            return True
        if str(found.get("status")).lower() == "error_deleting":
            raise HandlerFailure('Went to status error_deleting due to "delete"')
        return False

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """CinderVolume._resolve_attribute: most values as strings, as Heat gives them."""
        found = volume(ctx, physical_id)
        if found is None:
            return {}
        metadata = unmarked(found.get("metadata"))
        values: dict[str, Any] = {}
        for name in names:
            if name == "metadata":
                values[name] = json.dumps(metadata)
            elif name == "metadata_values":
                values[name] = metadata
            elif name == "display_name":
                values[name] = found.get("name")
            elif name == "display_description":
                values[name] = found.get("description")
            elif name == "attachments_list":
                values[name] = found.get("attachments")
            elif name == "show":
                values[name] = {**found, "metadata": metadata}
            else:  # str(getattr(vol, name)), Python's spelling of values included
                values[name] = _python_str(found.get(name))
        return values


def _python_str(value: Any) -> str:
    """str() of the value cinderclient's attribute holds: 'None', 'False', "[{'id': ..."."""
    return str(value)


class VolumeAttachmentHandler(BaseHandler):
    type_name: ClassVar[str] = "OS::Cinder::VolumeAttachment"
    replacement = DELETE_FIRST

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        if changed:
            return "the volume is detached, then attached as asked (Heat's update does the same)"
        return None

    def create(self, ctx: HandlerContext, props: Props) -> str:
        """BaseVolumeAttachment.handle_create / NovaClientPlugin.attach_volume."""
        body: dict[str, Any] = {"volumeId": props["volume_id"]}
        if props.get("mountpoint"):
            body["device"] = props["mountpoint"]
        created = calls.call(ctx.cloud, "compute", "POST",
                             f"/servers/{props['instance_uuid']}/os-volume_attachments",
                             json={"volumeAttachment": body},
                             microversion=calls.NOVA)  # fmt: skip
        # Nova's attachment id is the volume's (from microversion 2.89 only the volume id is
        # listed): Heat's physical id for an attachment is that id.
        return str(created["volumeAttachment"]["volumeId"])

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        """CinderClientPlugin.check_attach_volume_complete."""
        found = volume(ctx, str(ctx.props["volume_id"]))
        status = found.get("status") if found else None
        if status in ("available", "attaching", "reserved"):
            return False
        if status != "in-use":
            raise HandlerFailure(f'Unknown status {status} due to "Volume attachment failed"')
        return True

    def find_existing(self, ctx: HandlerContext) -> str | None:
        """An attachment carries no marks: the volume attached to that server is it."""
        found = calls.get(ctx.cloud, "compute",
                          f"/servers/{ctx.props['instance_uuid']}/os-volume_attachments",
                          microversion=calls.NOVA)  # fmt: skip
        for item in (found or {}).get("volumeAttachments", []):
            if item.get("volumeId") == ctx.props["volume_id"]:
                return str(item["volumeId"])
        return None

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        """NovaClientPlugin.detach_volume: gone or not attached is fine."""
        server = ctx.props.get("instance_uuid")
        try:
            calls.delete(ctx.cloud, "compute",
                         f"/servers/{server}/os-volume_attachments/{physical_id}",
                         microversion=calls.NOVA)  # fmt: skip
        except CloudError as error:
            if error.status != 400:  # 400: not attached (any more)
                raise

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        """Cinder's check_detach_volume_complete, then Nova's."""
        server = str(ctx.props.get("instance_uuid"))
        found = volume(ctx, str(ctx.props.get("volume_id") or physical_id))
        if found is not None:
            servers = [item.get("server_id") for item in found.get("attachments") or []]
            if server in servers:
                if found.get("status") in ("in-use", "detaching", "reserved"):
                    return False
                if found.get("status") not in ("available", "deleting"):
                    raise HandlerFailure(
                        f'Unknown status {found.get("status")} due to "Volume detachment failed"'
                    )
        still = calls.get(ctx.cloud, "compute",
                          f"/servers/{server}/os-volume_attachments/{physical_id}",
                          microversion=calls.NOVA)  # fmt: skip
        return still is None

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        if "show" not in names:
            return {}
        found = calls.get(ctx.cloud, "compute",
                          f"/servers/{ctx.props['instance_uuid']}/os-volume_attachments/"
                          f"{physical_id}", microversion=calls.NOVA)  # fmt: skip
        return {"show": found.get("volumeAttachment") if isinstance(found, Mapping) else None}
