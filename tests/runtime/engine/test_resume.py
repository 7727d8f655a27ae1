"""kill -9 of a real `kiln deploy` / `kiln delete` at chosen points (the engine's test hook,
kiln/runtime/testhooks.py), then the next run: it resumes with no duplicate (one row per
resource, one CREATE_COMPLETE each, a RandomString keeps the value it was created with) and no
orphan (an old resource of a replacement, or a half-deleted one, is deleted)."""

import pytest

PAUSES_IN_A_CREATE = [
    "secret:before-create",  # intent recorded, nothing created
    "secret:after-create",  # created (value generated and saved), id not recorded
    "secret:created",  # id recorded, completion not polled
    "label:before-create",  # after secret completed
    "group.1:after-create",  # a group member, while its sibling may run
]


def _kill_at(kiln, pause, *args):
    spawned = kiln.spawn(*args, pause_at=pause)
    line = spawned.wait_for_pause()
    assert line.endswith(f"paused at {pause}")
    pid = spawned.process.pid
    spawned.kill()
    return pid


def _complete_once(kiln):
    rows = kiln.by_name()  # asserts one row per logical name
    assert all(row.state.endswith("_COMPLETE") for row in rows.values()), rows
    # Every physical resource was completed once; each current row is one of them.
    completes = [e.physical_id for e in kiln.events() if e.state == "CREATE_COMPLETE"]
    completes = [physical_id for physical_id in completes if physical_id]
    assert len(completes) == len(set(completes)), completes
    assert {row.physical_id for row in rows.values()} <= set(completes)
    return rows


@pytest.mark.parametrize("pause", PAUSES_IN_A_CREATE)
def test_a_create_killed_anywhere_resumes_without_duplicates(kiln, pause):
    pid = _kill_at(kiln, pause, "deploy", kiln_template("stack.yaml"), "--stack", "s")
    at_kill = {row.logical_name: row for row in kiln.rows()}
    name = pause.split(":")[0]
    assert at_kill[name].state == "CREATE_IN_PROGRESS"
    status = kiln("status", "--stack", "s").stdout
    assert status.startswith("stack s: CREATE_IN_PROGRESS (interrupted: no run is working on it")
    out = kiln.deploy("stack.yaml")
    assert out.code == 0, out.text
    assert f"left by pid {pid}, which no longer runs" in out.stderr  # the lock is taken over
    assert "resume" in out.stdout
    rows = _complete_once(kiln)
    assert len(rows) == 6
    secret = at_kill.get("secret")
    if secret is not None and "value" in secret.data:  # created before the kill: kept
        assert rows["secret"].data["value"] == secret.data["value"]
        assert rows["secret"].request_token == secret.request_token
    assert kiln.stack().state == "CREATE_COMPLETE"
    assert kiln.deploy("stack.yaml").stdout.count("no changes") == 1


def test_a_replacement_killed_midway_deletes_the_old_resource_next_time(kiln):
    assert kiln.deploy("stack.yaml").code == 0
    old = kiln.by_name()["secret"]
    args = ("deploy", kiln_template("stack.yaml"), "--stack", "s", "-P", "length=20")
    _kill_at(kiln, "secret:created", *args)
    rows = [row for row in kiln.rows() if row.logical_name == "secret"]
    assert [(row.current, row.state) for row in rows] == [
        (False, "CREATE_COMPLETE"),
        (True, "CREATE_IN_PROGRESS"),
    ]
    new_value = rows[1].data["value"]
    plan = kiln.plan_json("stack.yaml", "s", "-P", "length=20")
    deletes = [c for c in plan["changes"] if c["action"] == "delete"]
    assert [(c["resource"], c["reasons"]) for c in deletes] == [
        ("secret", ["the old resource of a replacement"])
    ]
    out = kiln.deploy("stack.yaml", "s", "-P", "length=20")
    assert out.code == 0, out.text
    rows = _complete_once(kiln)
    assert rows["secret"].id != old.id and rows["secret"].data["value"] == new_value
    assert rows["label"].properties["value"] == f"demo-{new_value}"


def test_a_cleanup_killed_midway_finishes_next_time(kiln):
    assert kiln.deploy("stack.yaml").code == 0
    args = ("deploy", kiln_template("stack.yaml"), "--stack", "s", "-P", "count=1")
    _kill_at(kiln, "group.1:before-delete", *args)
    assert kiln.by_name()["group.1"].state == "DELETE_IN_PROGRESS"
    out = kiln.deploy("stack.yaml", "s", "-P", "count=1")
    assert out.code == 0, out.text
    assert set(_complete_once(kiln)) == {"secret", "label", "group", "group.0", "placeholder"}


@pytest.mark.parametrize("pause", ["label:before-update", "label:after-update"])
def test_an_update_killed_midway_is_done_next_time(kiln, pause):
    assert kiln.deploy("stack.yaml").code == 0
    args = ("deploy", kiln_template("stack.yaml"), "--stack", "s", "-P", "name=prod")
    _kill_at(kiln, pause, *args)
    assert kiln.by_name()["label"].state == "UPDATE_IN_PROGRESS"
    out = kiln.deploy("stack.yaml", "s", "-P", "name=prod")
    assert out.code == 0, out.text
    rows = _complete_once(kiln)
    assert rows["label"].state == "UPDATE_COMPLETE"
    assert rows["label"].properties["value"].startswith("prod-")
    assert all(row.properties["value"].startswith("prod-") for n, row in rows.items() if "." in n)


@pytest.mark.parametrize("pause", ["label:before-delete", "label:after-delete"])
def test_a_delete_killed_midway_finishes_next_time(kiln, pause):
    assert kiln.deploy("stack.yaml").code == 0
    _kill_at(kiln, pause, "delete", "--stack", "s")
    rows = kiln.by_name()
    assert rows["label"].state == "DELETE_IN_PROGRESS" and "secret" in rows
    out = kiln("delete", "--stack", "s")
    assert out.code == 0, out.text
    assert kiln.rows() == [] and kiln.stack().state == "DELETE_COMPLETE"


def test_a_second_concurrent_deploy_is_refused(kiln):
    spawned = kiln.spawn(
        "deploy", kiln_template("stack.yaml"), "--stack", "s", pause_at="label:before-create"
    )
    spawned.wait_for_pause()
    try:
        out = kiln.deploy("stack.yaml")
        assert out.code == 1
        assert (
            f"stack 's' is locked by another Kiln run: pid {spawned.process.pid} on this host"
            in out.stderr
        )
        assert "Traceback" not in out.stderr
        assert kiln("delete", "--stack", "s").code == 1
        assert kiln.deploy("stack.yaml", "other").code == 0  # other stacks are not locked
    finally:
        spawned.kill()
    assert kiln.deploy("stack.yaml").code == 0


def kiln_template(name):
    from runtime.support import TEMPLATES

    return TEMPLATES / name
