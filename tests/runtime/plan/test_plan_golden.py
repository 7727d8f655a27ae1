"""Plans as a user reads them: each case under golden/ deploys before.yaml, then plans
after.yaml; the text and the JSON document must match the golden files
(`pytest --update-golden` rewrites them)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.runtime.state.store import StateStore

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path for path in GOLDEN.iterdir() if path.is_dir())


DONE = {
    "create": {"CREATE_COMPLETE"},
    "update": {"UPDATE_COMPLETE"},
    "replace": {"CREATE_COMPLETE", "DELETE_COMPLETE"},
    "delete": {"DELETE_COMPLETE"},
}


def _done(state):
    """What the last run did, per resource: the set of its final states."""
    store = StateStore(f"sqlite:///{state}")
    events = store.events(store.require_stack("s").id)
    last = events[-1].run_id
    done = {}
    for event in events:
        if event.run_id == last and event.logical_name and event.status == "COMPLETE":
            done.setdefault(event.logical_name, set()).add(event.state)
    return done


def _kiln(state, *args):
    result = CliRunner(env={"OS_CLOUD": None}).invoke(cli, [*map(str, args), "--state", str(state)])
    return result


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case, tmp_path, update_golden):
    state = tmp_path / "state.db"
    first = _kiln(state, "deploy", case / "before.yaml", "--stack", "s")
    assert first.exit_code == 0, first.output
    text = _kiln(state, "plan", case / "after.yaml", "--stack", "s")
    document = _kiln(state, "plan", case / "after.yaml", "--stack", "s", "--output", "json")
    assert text.exit_code == 0 and document.exit_code == 0, text.output + document.output
    got = {
        "plan.txt": text.stdout,
        "plan.json": json.dumps(
            {**json.loads(document.stdout), "template": "after.yaml"}, indent=2, sort_keys=True
        )
        + "\n",
    }
    for name, content in got.items():
        golden = case / name
        if update_golden:
            golden.write_text(content)
        assert golden.read_text() == content, f"{case.name}/{name} differs:\n{content}"
    # The deploy does what the plan said (what it was sure of exactly; an uncertain change
    # may turn out to be none), and afterwards nothing is left to change.
    assert _kiln(state, "deploy", case / "after.yaml", "--stack", "s").exit_code == 0
    done = _done(state)
    for change in json.loads(document.stdout)["changes"]:
        expected = DONE[change["action"]]
        got = done.pop(change["resource"], set())
        assert got == expected or (not change["certain"] and not got), (change, got)
    assert done == {}, f"not in the plan: {done}"
    again = _kiln(state, "plan", case / "after.yaml", "--stack", "s", "--output", "json")
    assert json.loads(again.stdout)["changes"] == []
