"""A server's user data as Heat builds it (NovaClientPlugin.build_userdata in
heat/engine/clients/os/nova.py), for the formats that make sense without Heat's services.

- RAW: the text as given.
- SOFTWARE_CONFIG: Heat's multipart MIME (its cloud-config, boothook and part handler, then
  the user's parts, then the resource metadata as cfn-init-data), or Ignition JSON with the
  metadata as files. Heat also creates transport credentials and deployment metadata for
  os-collect-config to poll; Kiln has no such service, so nothing polls for deployments
  (`os_collect_config` is {}), which only matters to OS::Heat::SoftwareDeployment, a type
  Kiln does not deploy.
- HEAT_CFNTOOLS (Heat's default): the same multipart with the text as cfn-userdata and
  loguserdata.py to run it, as Heat sends it, but without the two parts that point
  heat-cfntools at Heat's CloudFormation metadata server (cfn-metadata-server,
  cfn-boto-cfg): Kiln runs none, so cfn-init and cfn-signal have nothing to talk to. A
  user_data script runs exactly as under Heat.

Heat's cloud-init files are in heat_cloudinit.json, copied from openstack-heat 27.0.1.
"""

import email
import email.message
import json
import os
from email.mime import multipart, text
from functools import cache
from importlib import resources
from string import Template
from typing import Any, Final
from urllib.parse import quote

RAW: Final = "RAW"
SOFTWARE_CONFIG: Final = "SOFTWARE_CONFIG"
HEAT_CFNTOOLS: Final = "HEAT_CFNTOOLS"


@cache
def heat_file(name: str) -> str:
    data = json.loads(
        resources.files("kiln.runtime.handlers").joinpath("heat_cloudinit.json").read_text()
    )
    return str(data["files"][name])


def build_userdata(
    metadata: dict[str, Any] | None, userdata: str | None, user_data_format: str
) -> str | None:
    """What Nova gets as user_data (before base64), as Heat builds it."""
    if user_data_format == RAW:
        return userdata
    if user_data_format == SOFTWARE_CONFIG and is_ignition(userdata):
        return ignition_data(metadata, userdata or "")
    attachments: list[tuple[str | None, str, str | None]] = [
        (Template(heat_file("config")).safe_substitute(add_custom_user=""), "cloud-config", None),
        (
            Template(heat_file("boothook.sh")).safe_substitute(add_custom_user=""),
            "boothook.sh",
            "cloud-boothook",
        ),
        (heat_file("part_handler.py"), "part-handler.py", None),
    ]
    if user_data_format == HEAT_CFNTOOLS:
        attachments.append((userdata, "cfn-userdata", "x-cfninitdata"))
        attachments.append((heat_file("loguserdata.py"), "loguserdata.py", "x-shellscript"))
    else:
        parts = None
        try:
            parts = email.message_from_string(userdata or "")
        except Exception:  # Heat treats any parse failure as "not multipart"
            parts = None
        if parts is not None and parts.is_multipart():
            for part in parts.get_payload():
                if isinstance(part, email.message.Message):
                    payload = part.get_payload()
                    attachments.append(
                        (
                            payload if isinstance(payload, str) else str(payload),
                            part.get_filename() or "",
                            part.get_content_subtype(),
                        )
                    )
        else:
            attachments.append((userdata, "", None))
    if metadata:
        attachments.append((json.dumps(metadata), "cfn-init-data", "x-cfninitdata"))
    subparts = [_subpart(*attachment) for attachment in attachments]
    return multipart.MIMEMultipart(_subparts=subparts).as_string()


def _subpart(content: str | None, filename: str, subtype: str | None) -> text.MIMEText:
    """Heat's make_subpart: the subtype defaults to the file name without its extension."""
    if subtype is None:
        subtype = os.path.splitext(filename)[0]
    content = content or ""
    try:
        content.encode("us-ascii")
        charset = "us-ascii"
    except UnicodeEncodeError:
        charset = "utf-8"
    message = (
        text.MIMEText(content, _subtype=subtype, _charset=charset)
        if subtype
        else text.MIMEText(content, _charset=charset)
    )
    message.add_header("Content-Disposition", "attachment", filename=filename)
    return message


def is_ignition(userdata: str | None) -> bool:
    try:
        payload = json.loads(userdata or "")
    except ValueError:
        return False
    found = payload.get("ignition") if isinstance(payload, dict) else None
    return bool(isinstance(found, dict) and found.get("version"))


def ignition_data(metadata: dict[str, Any] | None, userdata: str) -> str:
    """NovaClientPlugin.build_ignition_data: the metadata as two files in Ignition's storage."""
    if not metadata:
        return userdata
    payload = json.loads(userdata)
    encoded = quote(json.dumps(metadata))
    files = payload.setdefault("storage", {}).setdefault("files", [])
    for path in ("/var/lib/heat-cfntools/cfn-init-data", "/var/lib/cloud/data/cfn-init-data"):
        files.append(
            {
                "filesystem": "root",
                "group": {"name": "root"},
                "path": path,
                "user": {"name": "root"},
                "contents": {"source": "data:," + encoded, "verification": {}},
                "mode": 0o640,
            }
        )
    return json.dumps(payload)
