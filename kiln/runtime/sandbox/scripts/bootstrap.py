"""Identity, readiness and base resources of the sandbox (run by the sandbox's own Python).

Usage: bootstrap.py identity|ready|resources PLAN.json

The plan (written by `kiln sandbox up`, from `facts` and `services`) holds every name and URL;
this script only executes it, through openstacksdk, and skips what already exists. It is not
imported by Kiln: Kiln's only openstacksdk module is the runtime's cloud.py.
"""

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import openstack

Plan = dict[str, Any]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def connect(plan: Plan) -> Any:
    # Explicit arguments only: a user's OS_* variables or clouds.yaml must not redirect us.
    return openstack.connect(load_yaml_config=False, load_envvars=False, **plan["admin_auth"])


def wait_for(what: str, check: Callable[[], bool], timeout: float, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                log(f"{what}: ready")
                return
        except openstack.exceptions.SDKException as error:
            log(f"{what}: not yet ({type(error).__name__}: {error})")
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# -- identity ----------------------------------------------------------------------------------
# Everything is listed once and compared in memory: a few calls instead of one per check.


class Identity:
    def __init__(self, conn: Any, domain_name: str) -> None:
        self.conn = conn
        self.domain = conn.identity.find_domain(domain_name)
        self.projects = {p.name: p for p in conn.identity.projects(domain_id=self.domain.id)}
        self.roles = {r.name: r for r in conn.identity.roles()}
        self.users = {u.name: u for u in conn.identity.users(domain_id=self.domain.id)}
        self.granted: set[tuple[str, str, str]] = set()
        for assignment in conn.identity.role_assignments():
            scope, user = assignment.scope or {}, assignment.user or {}
            target = scope.get("project") or scope.get("domain") or {}
            if user.get("id") and target.get("id"):
                self.granted.add((user["id"], assignment.role["id"], target["id"]))

    def project(self, name: str) -> Any:
        if name not in self.projects:
            log(f"project {name}")
            self.projects[name] = self.conn.identity.create_project(
                name=name, domain_id=self.domain.id
            )
        return self.projects[name]

    def role(self, name: str) -> Any:
        if name not in self.roles:
            log(f"role {name}")
            self.roles[name] = self.conn.identity.create_role(name=name)
        return self.roles[name]

    def user(self, name: str, password: str, project: Any) -> Any:
        if name not in self.users:
            log(f"user {name}")
            self.users[name] = self.conn.identity.create_user(
                name=name,
                password=password,
                domain_id=self.domain.id,
                default_project_id=project.id,
            )
        return self.users[name]

    def grant(self, project: Any, user: Any, role: Any) -> None:
        if (user.id, role.id, project.id) not in self.granted:
            self.conn.identity.assign_project_role_to_user(project, user, role)
            self.granted.add((user.id, role.id, project.id))

    def grant_domain(self, domain: Any, user: Any, role: Any) -> None:
        if (user.id, role.id, domain.id) not in self.granted:
            self.conn.identity.assign_domain_role_to_user(domain, user, role)
            self.granted.add((user.id, role.id, domain.id))


def ensure_catalog(conn: Any, plan: Plan) -> None:
    services = list(conn.identity.services())
    endpoints = list(conn.identity.endpoints())
    for entry in plan["catalog"]:
        service = next(
            (s for s in services if (s.name, s.type) == (entry["name"], entry["type"])), None
        )
        if service is None:
            log(f"service {entry['name']} ({entry['type']})")
            service = conn.identity.create_service(
                name=entry["name"], type=entry["type"], is_enabled=True
            )
        for interface in ("public", "internal", "admin"):
            found = [e for e in endpoints if (e.service_id, e.interface) == (service.id, interface)]
            if not found:
                conn.identity.create_endpoint(
                    service_id=service.id,
                    interface=interface,
                    url=entry["url"],
                    region_id=plan["region"],
                )
            elif found[0].url != entry["url"]:
                conn.identity.update_endpoint(found[0], url=entry["url"])
    for entry in plan["catalog_removed"]:  # disabled optional services leave the catalog
        for service in services:
            if (service.name, service.type) != (entry["name"], entry["type"]):
                continue
            log(f"removing service {entry['name']} ({entry['type']}) from the catalog")
            for endpoint in endpoints:
                if endpoint.service_id == service.id:
                    conn.identity.delete_endpoint(endpoint)
            conn.identity.delete_service(service)


def identity(plan: Plan) -> None:
    conn = connect(plan)
    ids = Identity(conn, plan["domain"])
    service_project = ids.project(plan["service_project"])
    for name in ("admin", "member", "reader", "service", *plan["extra_roles"]):
        ids.role(name)
    admin, service_role = ids.role("admin"), ids.role("service")
    for name in plan["service_users"]:
        user = ids.user(name, plan["service_password"], service_project)
        ids.grant(service_project, user, admin)
        ids.grant(service_project, user, service_role)
    demo = plan["demo"]
    demo_project = ids.project(demo["project"])
    demo_user = ids.user(demo["user"], demo["password"], demo_project)
    for role_name in demo["roles"]:
        ids.grant(demo_project, demo_user, ids.role(role_name))
    # Heat's stack-user domain and its admin.
    heat_domain = conn.identity.find_domain("heat")
    if heat_domain is None:
        log("domain heat")
        heat_domain = conn.identity.create_domain(name="heat", description="Heat stack users")
    heat_admin = conn.identity.find_user("heat_domain_admin", domain_id=heat_domain.id)
    if heat_admin is None:
        log("user heat_domain_admin")
        heat_admin = conn.identity.create_user(
            name="heat_domain_admin", password=plan["service_password"], domain_id=heat_domain.id
        )
    ids.grant_domain(heat_domain, heat_admin, admin)
    ensure_catalog(conn, plan)
    log("identity done")


# -- readiness ---------------------------------------------------------------------------------


def _services_up(services: list[Any], binaries: set[str], since: float | None = None) -> bool:
    """Every binary up and enabled; with `since` (a Unix time), also heard from after it: a
    service restarted within service_down_time (60 s) still shows "up" from its previous
    process's last heartbeat, before the new one has even connected."""
    up = {
        s.binary
        for s in services
        if s.state == "up" and s.status == "enabled" and _reported_since(s, since)
    }
    missing = binaries - up
    if missing:
        log(f"waiting for {', '.join(sorted(missing))}")
    return not missing


def _reported_since(service: Any, since: float | None) -> bool:
    if since is None:
        return True
    try:  # Nova's updated_at: UTC, no zone ("2026-11-21T12:09:35.000000")
        stamp = datetime.fromisoformat(str(service.updated_at)).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return True  # no stamp to judge by: its state is all there is
    return stamp.timestamp() >= since


def ready(plan: Plan) -> None:
    conn = connect(plan)
    timeout = float(plan["ready_timeout"])
    # This step runs right after services were (re)started: a heartbeat from before then may be
    # a stopped process's (nova reports every 10 s). A second of slack for the clock's rounding.
    started = time.time() - 1.0
    wait_for(
        "nova services",
        lambda: _services_up(
            list(conn.compute.services()),
            {"nova-conductor", "nova-scheduler", "nova-compute"},
            since=started,
        ),
        timeout,
    )

    def hypervisor_mapped() -> bool:
        if list(conn.compute.hypervisors()) and list(conn.placement.resource_providers()):
            return True
        # The scheduler discovers hosts every 5 s; asking now saves most of that wait.
        subprocess.run(plan["discover_hosts"], check=False, capture_output=True)
        return False

    wait_for("hypervisor and resource provider", hypervisor_mapped, timeout, every=2.0)
    wait_for(
        "cinder services",
        lambda: _services_up(
            list(conn.block_storage.services()), {"cinder-scheduler", "cinder-volume"}
        ),
        timeout,
    )
    log("ready")


# -- base resources ----------------------------------------------------------------------------


def ensure_image(conn: Any, spec: dict[str, Any]) -> None:
    image = conn.image.find_image(spec["name"])
    if image is not None and image.status != "active":
        log(f"image {spec['name']} is {image.status}: replacing it")
        conn.image.delete_image(image)
        image = None
    if image is None:
        log(f"image {spec['name']}")
        conn.image.create_image(
            name=spec["name"],
            data=b"\0" * spec["size"],
            disk_format="raw",
            container_format="bare",
            visibility="public",
            wait=True,
        )


def ensure_public_network(conn: Any, spec: dict[str, Any]) -> None:
    network = conn.network.find_network(spec["network"])
    if network is None:
        log(f"network {spec['network']}")
        network = conn.network.create_network(
            name=spec["network"],
            is_router_external=True,
            provider_network_type="flat",
            provider_physical_network=spec["physnet"],
        )
    if conn.network.find_subnet(spec["subnet"], network_id=network.id) is None:
        log(f"subnet {spec['subnet']}")
        conn.network.create_subnet(
            name=spec["subnet"],
            network_id=network.id,
            ip_version=4,
            cidr=spec["cidr"],
            is_dhcp_enabled=False,  # no DHCP agent; nothing is routed anyway
        )


def resources(plan: Plan) -> None:
    conn = connect(plan)
    for flavor in plan["flavors"]:
        if conn.compute.find_flavor(flavor["name"]) is None:
            log(f"flavor {flavor['name']}")
            conn.compute.create_flavor(
                name=flavor["name"],
                vcpus=flavor["vcpus"],
                ram=flavor["ram"],
                disk=flavor["disk"],
                is_public=True,
            )
    ensure_image(conn, plan["image"])
    ensure_public_network(conn, plan["public"])
    project = conn.identity.find_project(plan["demo"]["project"], domain_id="default")
    quotas = plan["quotas"]
    conn.compute.update_quota_set(project, **quotas["compute"])
    conn.network.update_quota(project.id, **quotas["network"])
    conn.block_storage.update_quota_set(project, **quotas["volume"])
    log("resources done")


COMMANDS = {"identity": identity, "ready": ready, "resources": resources}


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in COMMANDS:
        raise SystemExit(f"usage: bootstrap.py {'|'.join(COMMANDS)} PLAN.json")
    with open(sys.argv[2]) as handle:
        plan = json.load(handle)
    COMMANDS[sys.argv[1]](plan)


if __name__ == "__main__":
    main()
