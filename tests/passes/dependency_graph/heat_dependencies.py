"""Heat's own dependency graph of templates, in process: run with the Heat venv's Python.

    .venv-heat/bin/python heat_dependencies.py < requests.json

Input: a JSON list of {"id", "template" (path), "parameters" ({name: value})}. Output: one
JSON line per request, in order: {"id", "nodes": [...], "edges": [[requirer, required], ...]
(sorted, the implicit dependencies of resource plugins included), "waves": [[...], ...] (null
with a cycle)} or {"id", "error": "Type: message"}.

This is what a stack create computes before scheduling (heat/engine/stack.py,
Stack.dependencies), without database, message queue or keystone: template_format.parse,
environment.Environment, template.Template with the files a client would send (every get_file
and `type: x.yaml` fetched relative to the file naming it, as python-heatclient does), and
parser.Stack with a hand-built RequestContext. Heat's default environment
(<venv>/etc/heat/environment.d: the OS::Quantum* and OS::Ceilometer::* aliases) is loaded as
heat-engine loads /etc/heat/environment.d. One patch: Resource.is_service_available ->
(True, None), as there is no service catalogue.
"""

import contextlib
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any


def _quiet() -> None:
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)


def _gather(snippet: Any, base: str, files: dict[str, str], depth: int = 0) -> None:
    """Client side: read get_file targets and provider templates into the files dict, keyed
    by the string the template uses (Heat looks files up by that key)."""
    if depth > 5:
        return
    if isinstance(snippet, dict):
        for key, value in snippet.items():
            if key == "get_file" and isinstance(value, str):
                _fetch(value, base, files, depth, nested=False)
            elif (
                key == "type" and isinstance(value, str) and value.endswith((".yaml", ".template"))
            ):
                _fetch(value, base, files, depth, nested=True)
            else:
                _gather(value, base, files, depth)
    elif isinstance(snippet, list):
        for item in snippet:
            _gather(item, base, files, depth)


def _fetch(name: str, base: str, files: dict[str, str], depth: int, nested: bool) -> None:
    if name in files or "://" in name:
        return
    path = os.path.normpath(os.path.join(base, name))
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8", errors="replace") as handle:
        files[name] = handle.read()
    if nested:
        from heat.common import template_format

        # A nested file Heat cannot parse fails the stack later, not this walk.
        with contextlib.suppress(Exception):
            _gather(template_format.parse(files[name]), os.path.dirname(path), files, depth + 1)


def _waves(nodes: list[str], edges: list[list[str]]) -> list[list[str]] | None:
    """What Heat's scheduler starts together (heat/engine/scheduler.py DependencyTaskGroup):
    every resource whose requirements are all done; None when a cycle stops it."""
    waiting = {
        node: {required for requirer, required in edges if requirer == node} for node in nodes
    }
    done: set[str] = set()
    waves: list[list[str]] = []
    while waiting:
        ready = sorted(node for node, requires in waiting.items() if requires <= done)
        if not ready:
            return None
        waves.append(ready)
        done.update(ready)
        for node in ready:
            del waiting[node]
    return waves


def _load_default_environment(global_env: Any) -> None:
    from heat.common import environment_format

    etc = Path(sys.prefix) / "etc" / "heat"
    for path in sorted((etc / "environment.d").glob("*.yaml")):
        text = path.read_text(encoding="utf-8").replace("file:///etc/heat/", etc.as_uri() + "/")
        body = environment_format.parse(text)
        environment_format.default_for_missing(body)
        global_env.load(body)


def main() -> None:
    _quiet()
    from heat.common import context, template_format
    from heat.engine import environment, resource, resources
    from heat.engine import stack as parser
    from heat.engine import template as templatem

    resource.Resource.is_service_available = classmethod(lambda cls, ctx: (True, None))
    resources.initialise()
    _load_default_environment(resources.global_env())
    ctx = context.RequestContext(user_id="kiln", project_id="kiln", is_admin=False)
    for request in json.load(sys.stdin):
        result: dict[str, Any] = {"id": request["id"]}
        try:
            path = request["template"]
            with open(path, encoding="utf-8") as handle:
                parsed = template_format.parse(handle.read())
            files: dict[str, str] = {}
            _gather(parsed, os.path.dirname(path), files)
            env = environment.Environment({"parameters": request.get("parameters", {})})
            stack = parser.Stack(ctx, "kiln", templatem.Template(parsed, files=files, env=env))
            graph = stack.dependencies.graph()
            result["nodes"] = sorted(str(node.name) for node in graph)
            result["edges"] = sorted(
                [str(node.name), str(required.name)]
                for node, requires in graph.items()
                for required in requires
            )
            result["waves"] = _waves(result["nodes"], result["edges"])
        except Exception as error:
            result["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
