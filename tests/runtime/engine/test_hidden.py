"""Hidden parameters are never stored or printed in clear, and their changes still count."""

import json

SECRET = "s3cr3t-Pa55word"


def test_hidden_values_never_reach_the_store_or_the_screen(kiln):
    out = kiln.deploy("hidden.yaml", "s", "-P", f"password={SECRET}", "--output", "json")
    assert out.code == 0, out.text
    assert SECRET not in out.stdout + out.stderr
    last = json.loads(out.stdout.splitlines()[-1])
    assert last == {"event": "outputs", "outputs": {"login": "******", "user": "admin"}}
    for command in ("status", "outputs", "events", "stacks"):
        shown = kiln(
            command, *(("--stack", "s") if command != "stacks" else ()), "--output", "json"
        )
        assert shown.code == 0, shown.text
        assert SECRET not in shown.stdout
    store = kiln.state.read_bytes()
    for suffix in ("-wal", "-shm"):
        extra = kiln.state.with_name(kiln.state.name + suffix)
        if extra.exists():
            store += extra.read_bytes()
    assert SECRET.encode() not in store
    rows = kiln.by_name()
    credentials = rows["credentials"].properties["value"]
    assert credentials["user"] == "admin"  # not derived from the hidden value: kept in clear
    assert set(credentials["login"]) == {"$hidden"}  # transformed by list_join: still hidden
    assert set(credentials["digest"]) == {"$hidden"}
    assert set(rows["copy"].properties["value"]) == {"$hidden"}  # reached through get_attr
    assert set(kiln.stack().parameters["password"]) == {"$hidden"}
    outputs = json.loads(kiln("outputs", "--stack", "s", "--output", "json").stdout)
    assert outputs == {"login": "******", "user": "admin"}


def test_an_unchanged_hidden_value_changes_nothing_and_a_new_one_updates(kiln):
    assert kiln.deploy("hidden.yaml", "s", "-P", f"password={SECRET}").code == 0
    assert kiln.plan_json("hidden.yaml", "s", "-P", f"password={SECRET}")["changes"] == []
    plan = kiln.plan_json("hidden.yaml", "s", "-P", "password=another-one")
    changes = {c["resource"]: c for c in plan["changes"]}
    assert changes["credentials"]["action"] == "update"
    assert changes["credentials"]["properties"][0]["old"]["login"] == "******"
    text = kiln.plan("hidden.yaml", "s", "-P", "password=another-one").stdout
    assert "another-one" not in text and SECRET not in text
    out = kiln.deploy("hidden.yaml", "s", "-P", "password=another-one")
    assert out.code == 0, out.text
    assert "another-one" not in out.stdout
    assert kiln.by_name()["copy"].state == "UPDATE_COMPLETE"  # the new value reached it
    assert kiln.plan_json("hidden.yaml", "s", "-P", "password=another-one")["changes"] == []
