"""A failure marks the resource and the stack FAILED with the message, starts nothing new,
lets what runs finish; the next deploy resumes; --rollback deletes what the run created.
Driven by OS::Heat::TestResource's `fail` and `wait_secs`, as Heat's own tests do."""

import time

from runtime.support import TEMPLATES


def _states(kiln):
    return {name: row.state for name, row in kiln.by_name().items()}


def test_failure_stops_new_work_and_lets_running_work_finish(kiln):
    # quick fails at once; slow (3 s) is running by then and finishes; nothing depending
    # on either starts.
    out = kiln.deploy("slow.yaml", "s", "-P", "fail=true", "-P", "wait=3")
    assert out.code == 1
    assert "deploy of stack 's' failed: quick: Test Resource failed quick" in out.stderr
    assert "not started: after_quick, after_slow" in out.stderr
    assert "run `kiln deploy` again to resume" in out.stderr
    assert _states(kiln) == {"quick": "CREATE_FAILED", "slow": "CREATE_COMPLETE"}
    stack = kiln.stack()
    assert stack.state == "CREATE_FAILED"
    assert stack.status_reason == "quick: Test Resource failed quick"
    assert kiln.by_name()["quick"].status_reason == "Test Resource failed quick"


def test_deploy_again_resumes_after_a_failure(kiln):
    assert kiln.deploy("slow.yaml", "s", "-P", "fail=true", "-P", "wait=0").code == 1
    before = kiln.by_name()
    plan = kiln.plan_json("slow.yaml", "s", "-P", "wait=0")
    actions = {c["resource"]: (c["action"], c["reasons"]) for c in plan["changes"]}
    assert actions["quick"][0] == "replace"
    assert "CREATE_FAILED last time (Test Resource failed quick)" in actions["quick"][1][0]
    assert "slow" not in actions  # complete and unchanged
    out = kiln.deploy("slow.yaml", "s", "-P", "wait=0")
    assert out.code == 0, out.text
    after = kiln.by_name()
    assert len(after) == 4 and all(row.state == "CREATE_COMPLETE" for row in after.values())
    assert after["slow"].physical_id == before["slow"].physical_id
    assert after["quick"].physical_id != before["quick"].physical_id
    assert kiln.stack().state == "CREATE_COMPLETE"


def test_independent_resources_run_at_the_same_time(kiln):
    # slow stops (test hook) once created; quick and its dependent still finish meanwhile,
    # and slow's dependent does not start: each resource waits for its own dependencies
    # only, not for a whole wave.
    spawned = kiln.spawn("deploy", TEMPLATES / "slow.yaml", "--stack", "s", pause_at="slow:created")
    try:
        spawned.wait_for_pause()
        states = {}
        for _ in range(600):  # until after_quick is recorded complete (a few polls)
            states = {row.logical_name: row.state for row in kiln.rows()}
            if states.get("after_quick") == "CREATE_COMPLETE":
                break
            time.sleep(0.05)
        assert states == {
            "quick": "CREATE_COMPLETE",
            "slow": "CREATE_IN_PROGRESS",
            "after_quick": "CREATE_COMPLETE",
        }
    finally:
        spawned.kill()


def test_rollback_deletes_what_the_run_created(kiln, tmp_path):
    assert kiln.deploy("stack.yaml").code == 0
    kept = kiln.by_name()
    template = tmp_path / "more.yaml"
    more = (
        "  extra:\n    type: OS::Heat::TestResource\n    properties: {value: x}\n"
        "  broken:\n    type: OS::Heat::TestResource\n"
        "    properties: {fail: true}\n    depends_on: [extra]\n"
    )
    template.write_text(
        (TEMPLATES / "stack.yaml").read_text().replace("outputs:", more + "outputs:")
    )
    out = kiln.deploy(template, "s", "--rollback")
    assert out.code == 1
    assert "run `kiln deploy` again" not in out.stderr
    assert set(kiln.by_name()) == set(kept)  # extra and broken are gone again
    assert kiln.stack().state == "ROLLBACK_COMPLETE"
    names = [e.logical_name for e in kiln.events() if e.state == "DELETE_COMPLETE"]
    assert sorted(names) == ["broken", "extra"]
