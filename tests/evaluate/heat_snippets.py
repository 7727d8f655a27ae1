"""Resolve Kiln's evaluator cases with Heat 27's own engine, in-process (the oracle).

Run with Heat's venv, not Kiln's: `.venv-heat/bin/python tests/evaluate/heat_snippets.py`
reads `{"cases": [{"id", "template", "params"?, "resource_data"?, "files"?}]}` as JSON on stdin
and writes `{id: {"validate_error", "outputs": {name: {"value"} | {"error", "type"}},
"conditions": {name: bool | {"error"}}, "enabled": [resource names]}}` on stdout.

The pipeline is Heat's (reference/heat.md §4): template_format.parse, template.Template with an
Environment of the parameters, parser.Stack with a hand-built RequestContext, then each output
resolved on its own through its OutputDefinition (what `stack output show` does), so an error in
one output does not hide the others. Nothing touches a database, keystone or the network:
Resource.is_service_available is patched to (True, None); resource_data feeds the stack
definition the way convergence's NodeData does, with attribute paths walked as
Resource.FnGetAtt walks them (attributes.select_from_attribute).
"""

import collections.abc
import io
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

STACK_NAME = "kiln"
STACK_ID = "8a5ee5d6-7b7c-4c3e-9b1e-6f0b5f3c2a10"
PROJECT_ID = "5d1f4b7e0c9a4f6e8b2d3c1a0e9f8d7c"


def _setup():  # runs under Heat's interpreter only
    stdout = sys.stdout
    sys.stdout = io.StringIO()  # eventlet/oslo chatter must not pollute the JSON answer
    try:
        from heat.common import context, template_format
        from heat.engine import attributes, environment, node_data, resource, stk_defn
        from heat.engine import stack as parser
        from heat.engine import template as templatem
    finally:
        sys.stdout = stdout

    resource.Resource.is_service_available = classmethod(lambda cls, ctx: (True, None))

    def attribute(self, attr_name):  # NodeData.attribute, with paths walked like FnGetAtt
        if isinstance(attr_name, tuple):
            name, *path = attr_name
            value = self._attributes[name]
            return attributes.select_from_attribute(value, path)
        return self._attributes[attr_name]

    node_data.NodeData.attribute = attribute
    return context, template_format, environment, node_data, stk_defn, parser, templatem


def _context(context):
    return context.RequestContext.from_dict(
        {
            "tenant_id": PROJECT_ID,
            "tenant": "kiln",
            "project_id": PROJECT_ID,
            "username": "kiln",
            "user_id": "kiln",
            "password": "",
            "roles": [],
            "is_admin": False,
            "auth_url": "http://localhost:5000/v3",
            "auth_token": "token",
        }
    )


def _stack(parser, ctx, tmpl):
    """A stack with Kiln's fixed id in its pseudo parameters, but no id afterwards: with one,
    Stack would look its resources up in the database."""
    stack = parser.Stack(ctx, STACK_NAME, tmpl, stack_id=STACK_ID)
    stack.id = None
    return stack


def jsonable(value):
    """Heat's values as JSON: sets (yaql's keys()) become sorted lists, tuples lists."""
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    if isinstance(value, collections.abc.Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return {"__repr__": repr(value)}


def _error(exc):
    return {"error": str(exc), "type": type(exc).__name__}


def run_case(case, modules):
    context, template_format, environment, node_data, stk_defn, parser, templatem = modules
    answer = {"validate_error": None, "outputs": {}, "conditions": {}, "enabled": None}
    try:
        tmpl_dict = template_format.parse(case["template"])
        env = environment.Environment({"parameters": case.get("params") or {}})
        tmpl = templatem.Template(tmpl_dict, files=case.get("files") or {}, env=env)
        stack = _stack(parser, _context(context), tmpl)
    except Exception as exc:  # the template is rejected before anything resolves
        answer["validate_error"] = str(exc)
        return answer
    try:
        stack.validate(validate_res_tmpl_only=True)
    except Exception as exc:
        answer["validate_error"] = str(exc)

    def fresh(output=None):
        # Stack.validate leaves per-resource data behind (heat.md §4), a failed condition
        # poisons the template's condition cache, and Heat parses every output at once (an
        # `if` decides its condition while parsed): every answer comes from a fresh stack
        # whose template keeps only the output asked for.
        parsed = template_format.parse(case["template"])
        for key in ("outputs", "Outputs"):
            if output is not None and isinstance(parsed.get(key), dict):
                parsed[key] = {output: parsed[key][output]}
        tmpl = templatem.Template(parsed, files=case.get("files") or {}, env=env)
        stack = _stack(parser, _context(context), tmpl)
        for name, data in (case.get("resource_data") or {}).items():
            stk_defn.update_resource_data(
                stack.defn,
                name,
                node_data.NodeData(
                    None,
                    name,
                    None,
                    data.get("reference_id", name),
                    data.get("attrs", {}),
                    "CREATE",
                    "COMPLETE",
                ),
            )
        return stack

    definitions = tmpl_dict.get("conditions") or tmpl_dict.get("Conditions") or {}
    for cname in definitions:
        try:
            stack = fresh()
            answer["conditions"][cname] = stack.t.conditions(stack.defn).is_enabled(cname)
        except Exception as exc:
            answer["conditions"][cname] = _error(exc)
    try:
        answer["enabled"] = sorted(fresh().defn.enabled_rsrc_names())
    except Exception as exc:
        answer["enabled"] = _error(exc)
    outputs = tmpl_dict.get("outputs") or tmpl_dict.get("Outputs") or {}
    for oname in outputs:
        try:
            stack = fresh(oname)  # functions hold only weak references to the stack
            answer["outputs"][oname] = {
                "value": jsonable(stack.defn.output_definition(oname).get_value())
            }
        except Exception as exc:
            answer["outputs"][oname] = _error(exc)
    return answer


def main():
    request = json.load(sys.stdin)
    modules = _setup()
    result = {case["id"]: run_case(case, modules) for case in request["cases"]}
    json.dump(result, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
