"""Acceptance tests on a real cloud (issue 5): `kiln` against the sandbox, in a project of the
session's own (project.py), with the shared resources some templates take as parameters.

Every test here needs the `sandbox` fixture, so without KILN_SANDBOX_CLOUDS they are skipped
(tests/runtime/conftest.py says how to get one). Deploy and delete times are printed at the
end of the run: for the report, never asserted.
"""

import os
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from runtime.acceptance import project as projects
from runtime.support import REPO, Outcome, Spawned

from kiln.cli.main import cli

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
TIMINGS: list[tuple[str, str, float]] = []
PUBLIC_KEY = (HERE / "templates" / "heat-tempest-plugin" / "heat_tempest_plugin" / "tests"
              / "scenario" / "templates" / "id_ed25519.pub").read_text().strip()  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # openstacksdk's own deprecation notices, about itself
        if "acceptance" in item.nodeid:
            item.add_marker(pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("acceptance timings (seconds, one run; not asserted)")
    for case, phase, seconds in TIMINGS:
        terminalreporter.write_line(f"{case:32} {phase:18} {seconds:6.1f}")


@pytest.fixture(scope="session")
def project(sandbox, tmp_path_factory):
    admin = sandbox.connect(admin=True)
    made = projects.create(admin, sandbox.clouds_yaml, tmp_path_factory.mktemp("project"))
    yield made
    left = [item for item in projects.destroy(admin, made) if " acc-" not in item]
    if left:  # the shared acc-* resources go here; anything else a test failed to delete
        TIMINGS.append(("left behind: " + ", ".join(left)[:200], "", 0.0))


@dataclass
class Shared:
    """Resources templates take as parameters, made once (through openstacksdk) when asked."""

    project: projects.Project
    conn: Any = field(init=False)
    unique: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    image: str = "cirros"

    def __post_init__(self) -> None:
        self.conn = self.project.connect()

    @cached_property
    def key(self) -> str:
        name = f"acc-key-{self.unique}"
        self.conn.compute.create_keypair(name=name, public_key=PUBLIC_KEY)
        return name

    @cached_property
    def _network(self) -> tuple[str, str]:
        net = self.conn.network.create_network(name=f"acc-net-{self.unique}")
        subnet = self.conn.network.create_subnet(
            network_id=net.id, cidr="10.90.0.0/24", ip_version=4, name=f"acc-sub-{self.unique}"
        )
        public = self.conn.network.find_network("public")
        router = self.conn.network.create_router(
            name=f"acc-router-{self.unique}", external_gateway_info={"network_id": public.id}
        )
        self.conn.network.add_interface_to_router(router, subnet=subnet.id)
        return net.id, subnet.id

    @property
    def net(self) -> str:
        return self._network[0]

    @property
    def subnet(self) -> str:
        return self._network[1]

    @cached_property
    def secgroup(self) -> str:
        return str(self.conn.network.create_security_group(name=f"acc-sg-{self.unique}").id)

    @cached_property
    def server_group(self) -> str:
        group = self.conn.compute.create_server_group(
            name=f"acc-group-{self.unique}", policy="soft-anti-affinity"
        )
        return str(group.id)

    @cached_property
    def server(self) -> str:
        image = self.conn.image.find_image(self.image)
        flavor = self.conn.compute.find_flavor("m1.tiny")
        server = self.conn.compute.create_server(
            name=f"acc-server-{self.unique}", image_id=image.id, flavor_id=flavor.id,
            networks="none",
        )  # fmt: skip
        self.conn.compute.wait_for_server(server, wait=120)
        return str(server.id)

    def value(self, name: str) -> str:
        return str(getattr(self, name))

    def fill(self, value: Any) -> Any:
        """`{name}` placeholders of cases.yaml replaced by these resources."""
        if isinstance(value, str):
            for name in ("key", "net", "subnet", "secgroup", "server_group", "server", "image",
                         "unique"):  # fmt: skip
                if "{" + name + "}" in value:
                    value = value.replace("{" + name + "}", self.value(name))
            return value
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        return value


@pytest.fixture(scope="session")
def shared(project):
    return Shared(project)


@dataclass
class CloudKiln:
    """`kiln` deploying to the session's project, with its own state store."""

    project: projects.Project
    state: Path

    def env(self) -> dict[str, str | None]:
        return {
            "OS_CLIENT_CONFIG_FILE": str(self.project.clouds_yaml),
            "OS_CLOUD": projects.CLOUD,
            "KILN_STATE": None,
            "KILN_STATE_KEY_FILE": None,
            "KILN_RUNTIME_TEST_PAUSE_AT": None,
        }

    def __call__(self, *args: object) -> Outcome:
        runner = CliRunner(env=self.env())
        result = runner.invoke(cli, [*map(str, args), "--state", str(self.state)])
        return Outcome(result.exit_code, result.stdout, result.stderr)

    def timed(self, case: str, phase: str, *args: object) -> Outcome:
        started = time.monotonic()
        outcome = self(*args)
        TIMINGS.append((case, phase, time.monotonic() - started))
        return outcome

    def spawn(self, *args: object, pause_at: str | None = None) -> Spawned:
        import subprocess
        import sys

        env = {key: value for key, value in os.environ.items()
               if key not in ("KILN_STATE", "KILN_STATE_KEY_FILE")}  # fmt: skip
        env.update({key: value for key, value in self.env().items() if value is not None})
        env.pop("KILN_RUNTIME_TEST_PAUSE_AT", None)
        if pause_at:
            env["KILN_RUNTIME_TEST_PAUSE_AT"] = pause_at
        process = subprocess.Popen(
            [sys.executable, "-m", "kiln", *map(str, args), "--state", str(self.state)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
        )  # fmt: skip
        return Spawned(process)

    def store(self) -> Any:
        from kiln.runtime.state.store import StateStore

        # The key file where the CLI, run without KILN_STATE_KEY_FILE, puts it.
        return StateStore(f"sqlite:///{self.state}", key_file=self.state.with_name("state.key"))

    def rows(self, stack: str) -> list[Any]:
        store = self.store()
        try:
            return store.resources(store.require_stack(stack).id)
        finally:
            store.close()

    def stack(self, stack: str) -> Any:
        store = self.store()
        try:
            return store.require_stack(stack)
        finally:
            store.close()


@pytest.fixture
def cloud_kiln(project, tmp_path):
    return CloudKiln(project, tmp_path / "state.db")
