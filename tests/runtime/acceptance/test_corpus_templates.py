"""Issue 5's acceptance: templates from the corpus (cases.yaml) deploy to a real cloud, every
resource exists with the properties asked for (read back through openstacksdk), the outputs
are what the cloud says, a second deploy changes nothing, an edited template updates as
its plan says, and the delete leaves the project as it found it."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from runtime.acceptance.cloudcheck import Checker, difference, expected_output, inventory
from runtime.acceptance.conftest import TEMPLATES

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text())


def _arguments(parameters):
    return [f"-P{key}={value}" for key, value in parameters.items()]


def _edited(template: Path, changes: dict, into: Path) -> Path:
    """A copy of the template (and the files beside it, for get_file) with `changes` set."""
    folder = into / "edited"
    shutil.copytree(template.parent, folder)
    copy = folder / template.name
    document = yaml.safe_load(copy.read_text())
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = document
        for part in parents:
            node = node[part]
        node[last] = value
    copy.write_text(yaml.safe_dump(document, sort_keys=False))
    return copy


def _ids(rows):
    return {row.logical_name: row.physical_id for row in rows}


def _check(cloud_kiln, conn, stack, case, name):
    rows = cloud_kiln.rows(stack)
    assert [r.logical_name for r in rows if not r.state.endswith("_COMPLETE")] == []
    assert Checker(conn, stack).rows(rows) == []
    shown = cloud_kiln("outputs", "--stack", stack, "--output", "json")
    assert shown.code == 0, shown.text
    outputs = json.loads(shown.stdout)
    ids = _ids(rows)
    for output, spec in (case.get("outputs") or {}).items():
        assert outputs[output] == expected_output(conn, spec, ids), f"{name}: output {output}"
    return ids


@pytest.mark.parametrize("name", list(CASES))
def test_a_corpus_template_deploys_updates_and_deletes(name, cloud_kiln, shared, project, tmp_path):
    case = CASES[name]
    conn = shared.conn
    for service in case.get("needs", []):
        if not conn.has_service(service):
            pytest.skip(f"the sandbox has no {service} service (kiln sandbox up --with-swift)")
    for fixture in case.get("fixtures", []):
        shared.value(fixture)
    parameters = shared.fill(case.get("parameters") or {})
    template = TEMPLATES / case["template"]
    stack = f"acc-{name.replace('_', '-')}-{shared.unique}"
    before = inventory(conn, project.id)
    try:
        out = cloud_kiln.timed(name, "deploy", "deploy", template, "--stack", stack,
                               *_arguments(parameters))  # fmt: skip
        assert out.code == 0, out.text
        ids = _check(cloud_kiln, conn, stack, case, name)

        plan = cloud_kiln("plan", template, "--stack", stack, "--output", "json",
                          *_arguments(parameters))  # fmt: skip
        assert plan.code == 0, plan.text
        assert json.loads(plan.stdout)["changes"] == []
        again = cloud_kiln.timed(name, "deploy (no change)", "deploy", template, "--stack", stack,
                                 *_arguments(parameters))  # fmt: skip
        assert again.code == 0, again.text
        assert "no changes" in again.stdout
        assert _ids(cloud_kiln.rows(stack)) == ids

        edit = case["edit"]
        edited = _edited(template, shared.fill(edit.get("set") or {}), tmp_path)
        parameters = {**parameters, **shared.fill(edit.get("parameters") or {})}
        plan = cloud_kiln("plan", edited, "--stack", stack, "--output", "json",
                          *_arguments(parameters))  # fmt: skip
        assert plan.code == 0, plan.text
        planned = {c["resource"]: c["action"] for c in json.loads(plan.stdout)["changes"]}
        assert planned == edit["plan"]
        out = cloud_kiln.timed(name, "deploy (edited)", "deploy", edited, "--stack", stack,
                               *_arguments(parameters))  # fmt: skip
        assert out.code == 0, out.text
        now = _check(cloud_kiln, conn, stack, case, name)
        for resource, action in edit["plan"].items():
            if action == "update":
                assert now[resource] == ids[resource], f"{resource} was replaced"
            elif action == "replace":
                assert now[resource] != ids[resource], f"{resource} was not replaced"
        unchanged = set(ids) - set(edit["plan"])
        assert {r: now[r] for r in unchanged} == {r: ids[r] for r in unchanged}
    finally:
        deleted = cloud_kiln.timed(name, "delete", "delete", "--stack", stack)
    assert deleted.code == 0, deleted.text
    assert cloud_kiln.rows(stack) == []
    assert difference(before, inventory(conn, project.id)) == {}
