"""The Nova and Cinder handlers' own checks (Heat's plugin validate(), the parts that need no
cloud). Values known before deploying are the compiler's to check (SCH012); what only a
deployment learns is checked again by the handler, which fails the resource with Heat's
message before any cloud call (deploy_time.yaml). Templates Heat accepts pass both
(cases/accepted.yaml)."""

from pathlib import Path

import pytest
import yaml
from kiln_testing import expectations
from runtime.support import Kiln

from kiln.compiler.driver import compile_file
from kiln.runtime.session import StackSession
from kiln.runtime.state.store import StateStore

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))
LATER = yaml.safe_load((HERE / "deploy_time.yaml").read_text())


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_case(path, registries, tmp_path):
    result = compile_file(str(path), registries)
    assert not result.has_errors, [d.message for d in result.diagnostics]
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    plan = StackSession(store, "s", schemas=registries.schemas).plan(result.unit)
    found = {(d.span.start.line, d.code.id) for d in plan.diagnostics if d.span is not None}
    assert sorted(found) == sorted(expectations(path)), [d.message for d in plan.diagnostics]
    assert store.stack("s") is None


def _template(case):
    properties = dict(case["given"])
    for name in case["later"]:
        properties[name] = {"get_attr": ["later", "value", name]}
    return {
        "heat_template_version": "2021-04-16",
        "resources": {
            "later": {"type": "OS::Heat::Value",
                      "properties": {"type": "json", "value": case["later"]}},
            "checked": {"type": case["type"], "properties": properties},
        },
    }  # fmt: skip


@pytest.mark.parametrize("case", LATER, ids=[f"{c['type']}-{sorted(c['later'])[0]}" for c in LATER])
def test_a_value_the_compiler_cannot_see_is_checked_by_the_plan(case, tmp_path):
    """An OS::Heat::Value's attribute is known to the plan (its handler computes it offline),
    not to the compiler: the handler's check is a RUN007 error at the resource."""
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(_template(case)))
    kiln = Kiln(tmp_path / "state.db")
    for out in (kiln.plan(path), kiln.deploy(path)):
        assert out.code == 1, out.text
        assert f"error RUN007 resource 'checked': {case['message']} [properties-rejected]" in (
            " ".join(out.stderr.split())
        )
        assert "Traceback" not in out.stderr
    assert kiln.store().stack("s") is None  # refused before anything was recorded


def test_a_value_known_only_while_deploying_fails_the_resource_before_any_call(tmp_path):
    """A RandomString's value is known once it exists: the server's check runs then, and
    fails it with Heat's message before it asks any cloud (none is named here)."""
    template = {
        "heat_template_version": "2021-04-16",
        "resources": {
            "address": {"type": "OS::Heat::RandomString", "properties": {"length": 8}},
            "checked": {
                "type": "OS::Nova::Server",
                "properties": {
                    "flavor": "m1.tiny", "image": "cirros",
                    "personality": {"/etc/motd": {"get_attr": ["address", "value"]}},
                },
            },
        },
    }  # fmt: skip
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template))
    kiln = Kiln(tmp_path / "state.db")
    assert kiln.plan(path).code == 0
    out = kiln.deploy(path)
    assert out.code == 1, out.text
    message = next(case["message"] for case in LATER if "personality" in case["later"])
    assert f"checked: {message}" in out.stdout, out.text
    assert kiln.by_name()["address"].state == "CREATE_COMPLETE"
