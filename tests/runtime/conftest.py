"""The `sandbox` fixture: a running Kiln sandbox (a real OpenStack on 127.0.0.1), for deploy tests.

It uses an already running sandbox named by KILN_SANDBOX_CLOUDS (the path of its clouds.yaml;
`make test` brings one up and sets it). Without the variable every test that uses the fixture
is skipped, saying how to get one; with the variable set but the sandbox not answering, those
tests fail (it was asked for). Tests that use the fixture get the `sandbox` marker, so
`-m "not sandbox"` leaves them out.
"""

import contextlib
import os
import socket
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiln.runtime.sandbox import facts

HOW_TO = (
    "no sandbox: set KILN_SANDBOX_CLOUDS to a running sandbox's clouds.yaml (`make test` does;"
    ' by hand: `kiln sandbox up && eval "$(kiln sandbox env)"`)'
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sandbox: needs a running Kiln sandbox (KILN_SANDBOX_CLOUDS); see tests/runtime"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "sandbox" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.sandbox)


@dataclass(frozen=True)
class SandboxCloud:
    """A running sandbox: its clouds.yaml, cloud names and state directory."""

    clouds_yaml: Path
    cloud: str = facts.CLOUD
    admin_cloud: str = facts.ADMIN_CLOUD

    @property
    def state_dir(self) -> Path:
        return self.clouds_yaml.parent

    def connect(self, admin: bool = False) -> Any:
        """An openstacksdk Connection from this clouds.yaml only (the user's OS_* are ignored)."""
        import openstack.config
        import openstack.connection

        config = openstack.config.OpenStackConfig(
            config_files=[str(self.clouds_yaml)], secure_files=[], load_envvars=False
        )
        region = config.get_one(cloud=self.admin_cloud if admin else self.cloud)
        return openstack.connection.Connection(config=region)

    @contextlib.contextmanager
    def project(self, prefix: str = "kiln-test") -> Iterator[Any]:
        """A Connection as a new user in a new project (roles as the demo user's), deleted after.

        The sandbox is shared (other test runs, people trying templates): counting resources
        is only meaningful in a project of one's own.
        """
        import openstack.connection

        admin = self.connect(admin=True)
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        domain = admin.identity.find_domain(facts.DOMAIN)
        project = admin.identity.create_project(name=name, domain_id=domain.id)
        user = admin.identity.create_user(
            name=name, password=name, domain_id=domain.id, default_project_id=project.id
        )
        try:
            for role_name in ("member", "reader", "heat_stack_owner"):
                role = admin.identity.find_role(role_name)
                if role is not None:
                    admin.identity.assign_project_role_to_user(project, user, role)
            yield openstack.connection.Connection(
                auth_url=facts.KEYSTONE_URL,
                username=name,
                password=name,
                project_name=name,
                user_domain_name=facts.DOMAIN,
                project_domain_name=facts.DOMAIN,
                region_name=facts.REGION,
            )
        finally:
            # Neutron made the project a default security group on first use.
            for group in admin.network.security_groups(project_id=project.id):
                admin.network.delete_security_group(group)
            admin.identity.delete_user(user)
            admin.identity.delete_project(project)


def _answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def sandbox() -> SandboxCloud:
    value = os.environ.get(facts.CLOUDS_ENV)
    if not value:
        pytest.skip(HOW_TO)
    clouds = Path(value)
    if not clouds.is_file():
        pytest.fail(f"{facts.CLOUDS_ENV}={value}: no such file; is the sandbox up?")
    if not _answers(facts.KEYSTONE_URL):
        pytest.fail(
            f"{facts.CLOUDS_ENV} is set but Keystone ({facts.KEYSTONE_URL}) does not answer:"
            f" see `kiln sandbox status --state-dir {clouds.parent}`"
        )
    return SandboxCloud(clouds)
