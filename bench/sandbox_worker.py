"""The Heat side of bench/deploy_vs_heat.py, run by the sandbox's own Python (its venv has
openstacksdk; Kiln's venv needs no Heat client), one JSON request in argv[1], one JSON answer
on standard output:

    {"do": "probe", "clouds": PATH, "cloud": NAME}
        -> {"orchestration": URL | null}        Heat in the catalog?
    {"do": "create", ..., "stack": NAME, "template": PATH}
        -> {"seconds", "status", "reason", "id"}   create call to CREATE_COMPLETE (polled)
    {"do": "delete", ..., "stack": NAME}
        -> {"seconds", "status", "reason"}         delete call to gone (polled)
    {"do": "leftovers", ..., "prefix": P, "sweep": BOOL}
        -> {"found": {kind: [names]}, "swept": [names]}

`leftovers` lists what the demo project still has whose name starts with the bench's prefix
(stacks, servers, ports, routers, subnets, networks, security groups); with `sweep` it
deletes them, servers first. The prefix holds a random part, so other users of the sandbox
are never touched. Imports nothing from Kiln.
"""

import json
import sys
import time
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.2  # Heat's state is read this often: the resolution of the Heat timings
TIMEOUT_SECONDS = 900.0


def connect(request: dict[str, Any]) -> Any:
    import openstack.config
    import openstack.connection

    config = openstack.config.OpenStackConfig(
        config_files=[request["clouds"]], secure_files=[], load_envvars=False
    )
    return openstack.connection.Connection(config=config.get_one(cloud=request["cloud"]))


def probe(conn: Any) -> dict[str, Any]:
    from openstack import exceptions

    try:
        url = conn.session.get_endpoint(service_type="orchestration", interface="public")
    except exceptions.EndpointNotFound:
        url = None
    return {"orchestration": url}


def _state(conn: Any, stack_id: str) -> tuple[str, str]:
    """(status, reason) of a stack by id; DELETE_COMPLETE once it is gone."""
    from openstack import exceptions

    try:
        stack = conn.orchestration.get_stack(stack_id, resolve_outputs=False)
    except exceptions.NotFoundException:  # also what the SDK says for DELETE_COMPLETE
        return "DELETE_COMPLETE", ""
    return str(stack.status), str(stack.status_reason or "")


def _wait(conn: Any, stack_id: str, start: float) -> dict[str, Any]:
    while True:
        status, reason = _state(conn, stack_id)
        if not status.endswith("IN_PROGRESS"):
            return {"seconds": time.perf_counter() - start, "status": status, "reason": reason}
        if time.perf_counter() - start > TIMEOUT_SECONDS:
            return {"seconds": None, "status": status, "reason": "timed out in the bench"}
        time.sleep(POLL_SECONDS)


def create(conn: Any, request: dict[str, Any]) -> dict[str, Any]:
    # The template as text: Heat parses it as it parses `openstack stack create` input (a
    # YAML loader here would turn heat_template_version into a date).
    text = Path(request["template"]).read_text(encoding="utf-8")
    conn.authorize()  # the token first, so the timing starts at the create call itself
    start = time.perf_counter()
    stack = conn.orchestration.create_stack(name=request["stack"], template=text)
    return {"id": stack.id, **_wait(conn, stack.id, start)}


def delete(conn: Any, request: dict[str, Any]) -> dict[str, Any]:
    found = conn.orchestration.find_stack(request["stack"], ignore_missing=True)
    if found is None:
        return {"seconds": 0.0, "status": "DELETE_COMPLETE", "reason": "no such stack"}
    start = time.perf_counter()
    conn.orchestration.delete_stack(found.id)
    return _wait(conn, found.id, start)


# Listed and swept in this order: a server holds ports, an interface holds a router and a
# subnet, a subnet holds its network.
KINDS = ("stacks", "servers", "ports", "routers", "subnets", "networks", "security_groups")


def _listing(conn: Any, kind: str) -> list[Any]:
    match kind:
        case "stacks":
            return list(conn.orchestration.stacks())
        case "servers":
            return list(conn.compute.servers())
        case "security_groups":
            return list(conn.network.security_groups(project_id=conn.current_project_id))
        case _:
            return list(getattr(conn.network, kind)(project_id=conn.current_project_id))


def _remove(conn: Any, kind: str, item: Any) -> None:
    match kind:
        case "stacks":
            conn.orchestration.delete_stack(item.id)
            conn.orchestration.wait_for_delete(item, wait=300)
        case "servers":
            conn.compute.delete_server(item.id)
            conn.compute.wait_for_delete(item, wait=300)
        case "routers":
            for port in conn.network.ports(device_id=item.id):
                for fixed in port.fixed_ips:
                    conn.network.remove_interface_from_router(item, subnet_id=fixed["subnet_id"])
            conn.network.delete_router(item.id)
        case _:
            getattr(conn.network, f"delete_{kind[:-1]}")(item.id)


def leftovers(conn: Any, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request["prefix"]
    found: dict[str, list[str]] = {}
    swept: list[str] = []
    for kind in KINDS:
        items = [item for item in _listing(conn, kind) if (item.name or "").startswith(prefix)]
        if items:
            found[kind] = sorted(item.name for item in items)
        if request.get("sweep"):
            for item in items:
                try:
                    _remove(conn, kind, item)
                    swept.append(f"{kind}:{item.name}")
                except Exception as error:  # best effort: the answer says what failed
                    swept.append(f"{kind}:{item.name} FAILED: {error}")
    return {"found": found, "swept": swept}


def main() -> None:
    request = json.loads(sys.argv[1])
    conn = connect(request)
    match request["do"]:
        case "probe":
            answer = probe(conn)
        case "create":
            answer = create(conn, request)
        case "delete":
            answer = delete(conn, request)
        case "leftovers":
            answer = leftovers(conn, request)
        case other:
            raise SystemExit(f"sandbox_worker: unknown request {other!r}")
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
