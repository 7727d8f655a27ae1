"""Real deploys of local-resource templates into a temporary SQLite state: create, a second
deploy that changes nothing, edits that update or replace as planned, delete, outputs,
events. Everything through the `kiln` commands, as a user runs them."""

import json
import re


def _states(kiln):
    return {name: row.state for name, row in kiln.by_name().items()}


def _outputs(kiln):
    out = kiln("outputs", "--stack", "s", "--output", "json")
    assert out.code == 0, out.text
    return json.loads(out.stdout)


def _run_events(kiln):
    """Resource events of the last run, as (resource, state)."""
    events = kiln.events()
    last = events[-1].run_id
    return [(e.logical_name, e.state) for e in events if e.run_id == last and e.logical_name]


def test_create_resolves_every_reference(kiln):
    out = kiln.deploy("stack.yaml")
    assert out.code == 0, out.text
    assert "Plan: 6 to create, 0 unchanged." in out.stdout
    assert set(_states(kiln).values()) == {"CREATE_COMPLETE"}
    assert set(_states(kiln)) == {"secret", "label", "group", "group.0", "group.1", "placeholder"}
    outputs = _outputs(kiln)
    secret = outputs["secret"]  # get_resource of a RandomString is the string itself
    assert len(secret) == 12 and sum(c.isdigit() for c in secret) >= 2
    assert outputs["label"] == f"demo-{secret}"
    assert outputs["members"] == [f"demo-{secret}-0", f"demo-{secret}-1"]
    assert outputs["first"] == f"demo-{secret}-0"
    assert outputs["by_index"] == {"0": f"demo-{secret}-0", "1": f"demo-{secret}-1"}
    rows = kiln.by_name()
    assert outputs["refs"] == [rows["group.0"].physical_id, rows["group.1"].physical_id]
    # Each resource: one IN_PROGRESS, then one COMPLETE, after what it requires completed.
    events = _run_events(kiln)
    for name in rows:
        assert events.count((name, "CREATE_IN_PROGRESS")) == 1
        assert events.count((name, "CREATE_COMPLETE")) == 1
    order = [name for name, state in events if state == "CREATE_COMPLETE"]
    assert order.index("secret") < order.index("label") < order.index("group.0")
    assert order.index("group.1") < order.index("group") < order.index("placeholder")
    started = [name for name, state in events if state == "CREATE_IN_PROGRESS"]
    assert order.index("group") < started.index("placeholder")  # depends_on waits


def test_second_deploy_changes_nothing(kiln):
    assert kiln.deploy("stack.yaml").code == 0
    before = kiln.by_name()
    outputs = _outputs(kiln)
    plan = kiln.plan_json("stack.yaml")
    assert plan["changes"] == [] and plan["summary"]["unchanged"] == 6
    out = kiln.deploy("stack.yaml")
    assert out.code == 0, out.text
    assert "no changes" in out.stdout
    assert _run_events(kiln) == []
    after = kiln.by_name()
    for name, row in before.items():
        assert after[name].physical_id == row.physical_id
        assert after[name].attributes == row.attributes
        assert after[name].properties == row.properties
    assert _outputs(kiln) == outputs


def test_edit_updates_in_place_or_replaces_as_planned(kiln):
    assert kiln.deploy("stack.yaml").code == 0
    before = kiln.by_name()
    old_secret = _outputs(kiln)["secret"]
    # A new name only changes Value properties (update_allowed): in place.
    plan = kiln.plan_json("stack.yaml", "s", "-P", "name=prod")
    actions = {c["resource"]: c["action"] for c in plan["changes"]}
    assert actions["label"] == "update"
    label = next(c for c in plan["changes"] if c["resource"] == "label")
    assert label["certain"] is True
    assert label["properties"][0]["name"] == "value"
    assert label["properties"][0]["update_allowed"] is True
    assert label["properties"][0]["old"] == f"demo-{old_secret}"
    assert label["properties"][0]["new"] == f"prod-{old_secret}"
    assert "secret" not in actions
    out = kiln.deploy("stack.yaml", "s", "-P", "name=prod")
    assert out.code == 0, out.text
    after = kiln.by_name()
    assert after["label"].physical_id == before["label"].physical_id
    assert after["label"].state == "UPDATE_COMPLETE"
    assert _outputs(kiln)["members"] == [f"prod-{old_secret}-0", f"prod-{old_secret}-1"]
    # A new length cannot change in place: the RandomString is replaced, create first.
    plan = kiln.plan_json("stack.yaml", "s", "-P", "name=prod", "-P", "length=20")
    secret = next(c for c in plan["changes"] if c["resource"] == "secret")
    assert secret["action"] == "replace" and secret["certain"] is True
    assert secret["properties"] == [
        {"name": "length", "old": 12, "new": 20, "known": True, "update_allowed": False}
    ]
    label = next(c for c in plan["changes"] if c["resource"] == "label")
    assert label["action"] == "update" and label["certain"] is False  # value known after deploy
    out = kiln.deploy("stack.yaml", "s", "-P", "name=prod", "-P", "length=20")
    assert out.code == 0, out.text
    final = kiln.by_name()  # the old RandomString row is gone: no duplicate
    assert final["secret"].physical_id != before["secret"].physical_id
    new_secret = _outputs(kiln)["secret"]
    assert len(new_secret) == 20 and new_secret != old_secret
    assert _outputs(kiln)["label"] == f"prod-{new_secret}"
    events = _run_events(kiln)
    created = events.index(("secret", "CREATE_COMPLETE"))
    deleted = events.index(("secret", "DELETE_COMPLETE"))
    assert created < deleted  # Heat's order: the replacement first, then the old one
    assert events.index(("label", "UPDATE_COMPLETE")) < deleted


def test_group_count_adds_and_removes_members(kiln):
    assert kiln.deploy("stack.yaml").code == 0
    plan = kiln.plan_json("stack.yaml", "s", "-P", "count=3")
    actions = {c["resource"]: c["action"] for c in plan["changes"]}
    assert actions == {"group.2": "create", "group": "update"}
    assert kiln.deploy("stack.yaml", "s", "-P", "count=3").code == 0
    assert len(_outputs(kiln)["members"]) == 3
    plan = kiln.plan_json("stack.yaml", "s", "-P", "count=1")
    deletes = {c["resource"]: c["reasons"] for c in plan["changes"] if c["action"] == "delete"}
    assert set(deletes) == {"group.1", "group.2"}
    assert "fewer members" in deletes["group.2"][0]
    assert kiln.deploy("stack.yaml", "s", "-P", "count=1").code == 0
    assert set(kiln.by_name()) == {"secret", "label", "group", "group.0", "placeholder"}
    assert len(_outputs(kiln)["refs"]) == 1


def test_delete_goes_in_reverse_dependency_order(kiln):
    assert kiln.deploy("stack.yaml").code == 0
    requires = {name: row.requires for name, row in kiln.by_name().items()}
    out = kiln("delete", "--stack", "s")
    assert out.code == 0, out.text
    assert kiln.rows() == []
    assert kiln.stack().state == "DELETE_COMPLETE"
    events = _run_events(kiln)
    for name, needed in requires.items():
        for dependency in needed:  # a resource is gone before what it required starts going
            assert events.index((name, "DELETE_COMPLETE")) < events.index(
                (dependency, "DELETE_IN_PROGRESS")
            ), (name, dependency)
    assert kiln("stacks").stdout.strip() == "STACK  STATE  UPDATED  CLOUD"
    assert "DELETE_COMPLETE" in kiln("stacks", "--all").stdout
    # The name can be deployed again afterwards, as a new stack.
    assert kiln.deploy("stack.yaml").code == 0
    assert kiln.stack().state == "CREATE_COMPLETE"


def test_status_events_and_json_stream(kiln):
    out = kiln.deploy("stack.yaml", "s", "--output", "json")
    assert out.code == 0, out.text
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines[0]["event"] == "plan" and lines[0]["plan"]["summary"]["create"] == 6
    assert lines[-1]["event"] == "outputs" and set(lines[-1]["outputs"]) >= {"label", "refs"}
    kinds = {line["event"] for line in lines[1:-1]}
    assert kinds == {"stack", "resource"}
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", x["time"]) for x in lines[1:-1]
    )
    status = json.loads(kiln("status", "--stack", "s", "--output", "json").stdout)
    assert status["stack"]["state"] == "CREATE_COMPLETE"
    assert {r["resource"] for r in status["resources"]} == set(kiln.by_name())
    text = kiln("status", "--stack", "s").stdout
    assert text.startswith("stack s: CREATE_COMPLETE")
    events = kiln("events", "--stack", "s", "--output", "json").stdout.splitlines()
    assert len(events) == len(kiln.events())
    assert json.loads(events[-1])["resource"] is None  # the stack's own COMPLETE comes last
    assert len(kiln("events", "--stack", "s", "--limit", "3").stdout.splitlines()) == 4
    missing = kiln("status", "--stack", "nope")
    assert missing.code == 1 and "no stack named 'nope'" in missing.stderr


def test_condition_false_deletes_the_resource(kiln, tmp_path):
    template = tmp_path / "conditional.yaml"
    template.write_text(
        "heat_template_version: 2021-04-16\n"
        "parameters:\n  wanted: {type: boolean, default: true}\n"
        "conditions:\n  enabled: {get_param: wanted}\n"
        "resources:\n"
        "  maybe: {type: OS::Heat::Value, condition: enabled, properties: {value: 1}}\n"
        "  always: {type: OS::Heat::Value, properties: {value: 2}}\n"
    )
    assert kiln.deploy(template).code == 0
    plan = kiln.plan_json(template, "s", "-P", "wanted=false")
    assert plan["changes"] == [
        {
            "resource": "maybe",
            "type": "OS::Heat::Value",
            "action": "delete",
            "certain": True,
            "reasons": ["its condition is false now"],
            "properties": [],
        }
    ]
    assert kiln.deploy(template, "s", "-P", "wanted=false").code == 0
    assert set(kiln.by_name()) == {"always"}


def test_invalid_stack_name_is_refused(kiln):
    out = kiln.deploy("stack.yaml", "9lives")
    assert out.code == 1 and "invalid stack name '9lives'" in out.stderr


def test_a_stack_stays_in_its_cloud(kiln):
    # Local resources never connect, so any cloud name serves to show the rule.
    assert kiln.deploy("stack.yaml", "s", "--cloud", "east").code == 0
    assert kiln.stack().cloud == "east"
    moved = kiln.deploy("stack.yaml", "s", "--cloud", "west")
    assert moved.code == 1
    assert "stack 's' lives in cloud 'east', not 'west'" in moved.stderr
    assert kiln.deploy("stack.yaml").code == 0  # the recorded cloud, unnamed
    assert kiln.stack().cloud == "east"
