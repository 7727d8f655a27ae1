"""`kiln sandbox` life cycle. Offline: the state directory's guards, down/purge on real process
groups. Live (the `sandbox` fixture): the base resources others rely on exist, status is
healthy, and `up` on a running sandbox starts nothing."""

import fcntl
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.runtime.sandbox import facts, processes
from kiln.runtime.sandbox.layout import Layout, Settings, save_settings
from kiln.runtime.sandbox.manager import SandboxError, down, purge, up


def kiln(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sandbox", *map(str, args)])
    return result.exit_code, result.output


def fake_sandbox(root: Path) -> Layout:
    """A state directory with our marker and one recorded process group (a shell and a child)."""
    layout = Layout(root)
    save_settings(layout, Settings())
    layout.create()
    (layout.venv / "bin").mkdir(parents=True)
    processes.start(
        "keystone",
        ["/bin/sh", "-c", "sleep 300 & wait"],
        env={"PATH": os.environ["PATH"]},
        log_path=layout.log("keystone"),
        pid_path=layout.pid_file("keystone"),
        cwd=root,
    )
    return layout


def test_purge_refuses_a_directory_that_is_not_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "precious").write_text("keep me")
    with pytest.raises(SandboxError, match="not deleting"):
        purge(Layout(tmp_path), print)
    assert (tmp_path / "precious").read_text() == "keep me"


def test_up_refuses_a_foreign_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "precious").write_text("keep me")
    code, output = kiln("up", "--state-dir", tmp_path)
    assert code == 1
    assert "is not a Kiln sandbox" in output
    assert [p.name for p in tmp_path.iterdir()] == ["precious"]


def test_one_command_at_a_time_per_state_dir(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    save_settings(layout, Settings())
    with (tmp_path / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(SandboxError, match="another `kiln sandbox` command"):
            up(layout, print)


def test_status_of_nothing_is_not_healthy(tmp_path: Path) -> None:
    code, output = kiln("status", "--state-dir", tmp_path / "none")
    assert code == 1
    assert "NOT healthy" in output


def test_down_stops_recorded_groups(tmp_path: Path) -> None:
    layout = fake_sandbox(tmp_path)
    [record] = processes.records(layout.pids)
    lines: list[str] = []
    down(layout, lines.append)
    assert processes.group_members(record.pgid) == []
    assert processes.records(layout.pids) == []
    assert "stopped 1 process groups" in lines[-1]


def test_purge_stops_and_deletes_everything(tmp_path: Path) -> None:
    layout = fake_sandbox(tmp_path / "state")
    [record] = processes.records(layout.pids)
    code, output = kiln("purge", "--state-dir", layout.root)
    assert code == 0, output
    assert processes.group_members(record.pgid) == []
    assert not layout.root.exists()


def test_purge_can_keep_the_venv(tmp_path: Path) -> None:
    layout = fake_sandbox(tmp_path)
    code, output = kiln("purge", "--keep-venv", "--state-dir", layout.root)
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".lock") == [
        "sandbox.json",
        "venv",
    ]
    assert layout.is_sandbox()


def test_env_names_the_clouds_yaml(tmp_path: Path) -> None:
    code, output = kiln("env", "--state-dir", tmp_path)
    assert code == 0
    assert f"export {facts.CLOUDS_ENV}={tmp_path / 'clouds.yaml'}" in output.splitlines()
    assert f"export OS_CLOUD={facts.CLOUD}" in output.splitlines()


# -- against the running sandbox -----------------------------------------------------------------


def test_base_resources_are_what_facts_promise(sandbox) -> None:
    demo = sandbox.connect()
    for flavor in facts.FLAVORS:
        found = demo.compute.find_flavor(flavor.name)
        assert (found.vcpus, found.ram, found.disk) == (flavor.vcpus, flavor.ram_mb, flavor.disk_gb)
    image = demo.image.find_image(facts.IMAGE)
    assert image.status == "active" and image.size == facts.IMAGE_SIZE
    public = demo.network.find_network(facts.PUBLIC_NETWORK)
    assert public.is_router_external
    subnet = demo.network.find_subnet(facts.PUBLIC_SUBNET, network_id=public.id)
    assert subnet.cidr == facts.PUBLIC_CIDR
    limits = demo.compute.get_limits().absolute
    assert limits.instances == facts.DEMO_QUOTAS["compute"]["instances"]


def test_status_is_healthy(sandbox) -> None:
    code, output = kiln("status", "--json", "--state-dir", sandbox.state_dir)
    document = json.loads(output)
    assert code == 0, output
    assert document["healthy"] is True
    assert document["clouds_yaml"] == str(sandbox.clouds_yaml)
    names = {s["name"] for s in document["services"] if s["enabled"]}
    assert {"keystone", "nova-compute", "neutron", "cinder-volume", "mariadb"} <= names


def test_up_on_a_running_sandbox_starts_nothing(sandbox) -> None:
    layout = Layout(sandbox.state_dir)
    before = processes.records(layout.pids)
    lines: list[str] = []
    up(layout, lines.append)
    assert processes.records(layout.pids) == before
    assert any("(0 process groups started)" in line for line in lines), lines
