"""A project of its own in the sandbox for one test session: its user, the member role, a
clouds.yaml naming it, and everything in it deleted at the end.

Other runs share the sandbox's demo project (its networks make a server without `networks`
ambiguous, and its resources come and go), so counting "nothing left behind" and booting
"on the project's network" is only exact in a project nobody else uses.
"""

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kiln.runtime.sandbox import facts

CLOUD = "kiln-acceptance"


@dataclass
class Project:
    name: str
    id: str
    user_id: str
    password: str
    clouds_yaml: Path

    def connect(self) -> Any:
        import openstack.config
        import openstack.connection

        config = openstack.config.OpenStackConfig(
            config_files=[str(self.clouds_yaml)], secure_files=[], load_envvars=False
        )
        return openstack.connection.Connection(config=config.get_one(cloud=CLOUD))


def create(admin: Any, base_clouds: Path, directory: Path) -> Project:
    """A project and a member user in it, and a clouds.yaml with the sandbox's clouds plus
    `kiln-acceptance` for that user."""
    name = f"kiln-acc-{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    project = admin.identity.create_project(name=name, domain_id="default")
    user = admin.identity.create_user(
        name=name, password=password, default_project_id=project.id, domain_id="default"
    )
    for role_name in ("member", "reader"):
        role = admin.identity.find_role(role_name)
        if role is not None:
            admin.identity.assign_project_role_to_user(project, user, role)
    admin.set_compute_quotas(project.id, instances=50, cores=100, ram=100000, key_pairs=100)
    clouds = yaml.safe_load(base_clouds.read_text())
    clouds["clouds"][CLOUD] = {
        "auth": {
            "auth_url": facts.KEYSTONE_URL,
            "username": name,
            "password": password,
            "project_name": name,
            "user_domain_name": facts.DOMAIN,
            "project_domain_name": facts.DOMAIN,
        },
        "region_name": facts.REGION,
        "identity_api_version": 3,
        "interface": "public",
    }
    path = directory / "clouds.yaml"
    path.write_text(yaml.safe_dump(clouds))
    return Project(name, project.id, user.id, password, path)


def destroy(admin: Any, project: Project) -> list[str]:
    """Everything left in the project deleted (servers first), then the project and user.
    Returns what had to be deleted: a passing test leaves nothing."""
    left: list[str] = []
    conn = project.connect()
    for server in conn.compute.servers():
        left.append(f"server {server.name}")
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=120)
    for fip in conn.network.ips(project_id=project.id):
        left.append(f"floating ip {fip.floating_ip_address}")
        conn.network.delete_ip(fip)
    for router in conn.network.routers(project_id=project.id):
        left.append(f"router {router.name}")
        for port in conn.network.ports(device_id=router.id):
            if port.device_owner == "network:router_interface":
                conn.network.remove_interface_from_router(router, port_id=port.id)
        conn.network.update_router(router, external_gateway_info={})
        conn.network.delete_router(router)
    for port in conn.network.ports(project_id=project.id):
        left.append(f"port {port.name or port.id}")
        conn.network.delete_port(port)
    for network in conn.network.networks(project_id=project.id):
        left.append(f"network {network.name}")
        conn.network.delete_network(network)
    for group in conn.network.security_groups(project_id=project.id):
        if group.name != "default":
            left.append(f"security group {group.name}")
            conn.network.delete_security_group(group)
    for volume in conn.block_storage.volumes():
        left.append(f"volume {volume.name}")
        if volume.status not in ("available", "error"):  # stuck: only an admin may force
            admin.block_storage.reset_volume_status(
                volume, status="available", attach_status="detached", migration_status=None
            )
        admin.block_storage.delete_volume(volume, force=True)
    for keypair in conn.compute.keypairs():
        left.append(f"key pair {keypair.name}")
        conn.compute.delete_keypair(keypair)
    for group in conn.compute.server_groups():
        left.append(f"server group {group.name}")
        conn.compute.delete_server_group(group)
    for volume in conn.block_storage.volumes():
        conn.block_storage.wait_for_delete(volume, wait=120)
    if conn.has_service("object-store"):
        for container in conn.object_store.containers():
            left.append(f"container {container.name}")
            for item in conn.object_store.objects(container):
                conn.object_store.delete_object(item, container=container)
            conn.object_store.delete_container(container)
    for group in admin.network.security_groups(project_id=project.id):  # Neutron's default
        admin.network.delete_security_group(group)
    admin.identity.delete_user(project.user_id)
    admin.identity.delete_project(project.id)
    return left
