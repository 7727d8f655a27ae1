"""kill -9 of a real `kiln deploy` / `kiln delete` against the cloud, at several points of one
deployment (the engine's test hook, kiln/runtime/testhooks.py); the next run completes, and
the cloud holds exactly one of each resource (no duplicate), then nothing (no orphan)."""

import json

import pytest
from runtime.acceptance.cloudcheck import (
    Checker,
    difference,
    inventory,
    ports_tagged,
    servers_tagged,
    volumes_marked,
)
from runtime.acceptance.conftest import TEMPLATES

BASE = (
    TEMPLATES / "heat-tempest-plugin" / "heat_tempest_plugin" / "tests" / "scenario"
    / "templates" / "test_base_resources.yaml"
)  # fmt: skip
OWN = TEMPLATES / "kiln" / "server_features.yaml"

# (template, pause): the base template's resources, each stopped where its create is
# half-recorded; Kiln's own template for a server's internal port and floating IP.
CREATE_PAUSES = [
    (BASE, "key:after-create"),  # key pair made, name not recorded
    (BASE, "server_port:after-create"),  # a Neutron port, id not recorded
    (BASE, "server:before-create"),  # intent recorded, nothing made
    (BASE, "server:after-create"),  # server booting, id not recorded
    (BASE, "server:created"),  # id recorded, ACTIVE not awaited
    (BASE, "vol:after-create"),  # volume made, id not recorded
    (BASE, "vol_att:after-create"),  # attached, attachment not recorded
    (OWN, "server:after-create"),  # its internal port and floating IP made too
]
DELETE_PAUSES = ["server:after-delete", "vol_att:before-delete", "vol:after-delete"]


def _parameters(template, shared):
    values = {"image": shared.image, "flavor": "m1.tiny", "key_name": f"{shared.unique}-crash"}
    if template == OWN:
        values = {"image": shared.image, "flavor": "m1.tiny"}
    return [f"-P{key}={value}" for key, value in values.items()]


def _kill_at(cloud_kiln, pause, *args):
    spawned = cloud_kiln.spawn(*args, pause_at=pause)
    line = spawned.wait_for_pause()
    assert line.endswith(f"paused at {pause}")
    spawned.kill()


def _exactly_once(cloud_kiln, conn, stack):
    rows = cloud_kiln.rows(stack)
    names = [row.logical_name for row in rows]
    assert len(names) == len(set(names)), names
    assert all(row.state.endswith("_COMPLETE") for row in rows), [r.state for r in rows]
    assert Checker(conn, stack).rows(rows) == []
    stack_id = cloud_kiln.stack(stack).id
    types = [row.type for row in rows]
    assert len(servers_tagged(conn, stack_id)) == types.count("OS::Nova::Server")
    assert len(volumes_marked(conn, stack_id)) == types.count("OS::Cinder::Volume")
    own_ports = [p for p in ports_tagged(conn, stack_id) if any("kiln-port=" in t for t in p.tags)]
    assert len(ports_tagged(conn, stack_id)) - len(own_ports) == types.count("OS::Neutron::Port")
    keys = [row.properties["name"] for row in rows if row.type == "OS::Nova::KeyPair"]
    assert all(len([k for k in conn.compute.keypairs() if k.name == key]) == 1 for key in keys)
    return rows


@pytest.mark.parametrize(("template", "pause"), CREATE_PAUSES,
                         ids=[f"{t.stem}-{p}" for t, p in CREATE_PAUSES])  # fmt: skip
def test_a_deploy_killed_anywhere_completes_next_time(template, pause, cloud_kiln, shared, project):
    conn = shared.conn
    shared.value("net")  # the shared network stays out of the counts
    stack = f"crash-{pause.replace(':', '-')}-{shared.unique}"
    before = inventory(conn, project.id)
    args = ("deploy", template, "--stack", stack, *_parameters(template, shared))
    try:
        _kill_at(cloud_kiln, pause, *args)
        out = cloud_kiln(*args)
        assert out.code == 0, out.text
        assert "resume" in out.stdout
        rows = _exactly_once(cloud_kiln, conn, stack)
        if template == OWN:  # one internal port, with its floating IP
            server = next(row for row in rows if row.logical_name == "server")
            ports = list(conn.network.ports(device_id=server.physical_id))
            assert sorted(p.name for p in ports if p.name) == ["server-port-0"]
        again = cloud_kiln("plan", template, "--stack", stack, "--output", "json",
                           *_parameters(template, shared))  # fmt: skip
        assert json.loads(again.stdout)["changes"] == []
    finally:
        deleted = cloud_kiln("delete", "--stack", stack)
    assert deleted.code == 0, deleted.text
    assert difference(before, inventory(conn, project.id)) == {}


@pytest.mark.parametrize("pause", DELETE_PAUSES)
def test_a_delete_killed_anywhere_completes_next_time(pause, cloud_kiln, shared, project):
    conn = shared.conn
    stack = f"crash-del-{pause.replace(':', '-')}-{shared.unique}"
    before = inventory(conn, project.id)
    out = cloud_kiln("deploy", BASE, "--stack", stack, *_parameters(BASE, shared))
    assert out.code == 0, out.text
    _kill_at(cloud_kiln, pause, "delete", "--stack", stack)
    deleted = cloud_kiln("delete", "--stack", stack)
    assert deleted.code == 0, deleted.text
    assert cloud_kiln.rows(stack) == []
    assert difference(before, inventory(conn, project.id)) == {}
