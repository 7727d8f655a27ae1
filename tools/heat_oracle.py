"""Heat's own template validation, in process: the reference Kiln is tested against.

Run it with the Python of a venv that has openstack-heat installed (`make heat-venv` makes
`.venv-heat`; the tests find it through KILN_HEAT_PYTHON):

    .venv-heat/bin/python tools/heat_oracle.py requests.json        # or the JSON on stdin
    .venv-heat/bin/python tools/heat_oracle.py --template t.yaml -e env.yaml -P k=v --resolve

Request document: {"requests": [{"id": ..., "template": path, "environment": [paths],
"parameters": {name: value}, "resolve": bool, "unknown_parameters": bool, "plugins": bool}],
"resolve": bool, "unknown_parameters": bool, "plugins": bool, "stats": bool}; the top-level
flags are defaults for every request. Relative paths are relative to the working directory.

Output: one JSON object per request per line, in order: {"id", "valid", "error", "error_type",
"stage", "needs_value", "seconds"}; with "resolve", also "parameters" (Heat's typed values),
"conditions" (name -> bool), "resources" (name -> resolved properties, null when disabled),
"outputs" (name -> value), "dependencies" ([requirer, required] edges, implicit ones included)
and "waves" (creation order, each wave sorted). A value Heat fails to resolve is
{"error": message}. With "stats", one last line {"stats": {...}}: import, set-up and run seconds,
ru_maxrss. An exception in one template is recorded in its result, never ends the batch.

What runs is Heat's own code, along EngineService._parse_template_and_validate_stack
(heat/engine/service.py), without database, message queue or keystone:

1. client side, as python-heatclient does for `openstack stack create` (heatclient/common/
   template_utils.py): the template is read and parsed (heat/common/template_format.py), every
   `get_file` and every `type: *.yaml|*.template` is fetched relative to the file that names it,
   recursively, into the files dict; environment files are read, their resource_registry paths
   fetched, and the files are passed to the engine as `environment_files`;
2. engine side: environment_util.merge_environments, template.Template(tmpl, files),
   environment.Environment(params), Template.validate() (as _validate_template does, with the
   max_resources_per_stack check), parser.Stack(ctx, name, tmpl, strict_validate=True) and
   Stack.validate(validate_res_tmpl_only=True): parameters (values included), parameter groups,
   conditions, resource types, properties against the schemas (values included), deletion and
   update policies, dependencies (cycles), outputs and get_attr names. Plugin validate()
   hooks are not run: many call the services' APIs. With "plugins" they are, as at stack create
   (validate_res_tmpl_only=False, nested stacks included); what needs a service then fails to
   connect (to 127.0.0.1:9), and the error says so.

Patches, and nothing else:
- Resource.is_service_available -> (True, None): there is no keystone catalogue.
- every custom constraint that asks a service (glance.image, nova.flavor, ...) accepts any
  value; the pure ones (ip_addr, net_cidr, ...) stay Heat's.
- Heat's default environment is <venv>/etc/heat/environment.d/default.yaml, with its
  file:///etc/heat/ paths pointing into <venv>/etc/heat/ where pip installed them.
- only with "unknown_parameters": a parameter that has neither a value nor a default is not an
  error; a property whose value uses it is not checked (Heat does the same for values that use
  resources not created yet, Properties._find_deps_any_in_init); where Heat needs its value
  anyway (a condition, a deletion policy) the result has "needs_value": true. With every
  parameter given a value this changes nothing.

`Stack.validate()` overwrites the resources' data with that of uncreated resources, after
which get_resource resolves to None: "resolve" therefore works on a fresh Stack.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import logging
import os
import resource
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib import parse as urlparse
from urllib import request as urlrequest

# heat/engine/constraint/common_constraints.py: the custom constraints that need no service.
PURE_CONSTRAINTS = frozenset(
    {
        "cron_expression",
        "dns_domain",
        "dns_name",
        "expiration",
        "ip_addr",
        "ip_or_cidr",
        "iso_8601",
        "json_string",
        "mac_addr",
        "net_cidr",
        "rel_dns_name",
        "test_constr",
        "timezone",
    }
)
STACK_NAME = "kiln-oracle"
NEEDS_VALUE = "needs a value for parameter"
Json = Any


class _State:
    """Module state: Heat's modules once imported, and the per-request unknown-parameter mode."""

    heat: dict[str, ModuleType] = {}
    unknown_parameters = False
    needed_value = False
    stage = "read"
    import_seconds = 0.0
    setup_seconds = 0.0


# --- set-up ----------------------------------------------------------------------------------


def _quiet() -> None:
    """Heat logs every hidden type and deprecation at import; only the JSON goes to stdout."""
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.CRITICAL)
    logging.disable(logging.CRITICAL)


def setup() -> None:
    """Import Heat, build its global environment, apply the patches. Idempotent."""
    if _State.heat:
        return
    _quiet()
    start = time.perf_counter()
    import heat.common.config  # noqa: F401  (registers the options the engine reads)
    from heat.common import context, environment_util, exception, template_format
    from heat.common import environment_format as env_fmt
    from heat.engine import (
        clients,
        environment,
        function,
        parameters,
        properties,
        resources,
        stack,
        template,
    )
    from heat.engine import resource as resource_module

    cfg = importlib.import_module("oslo_config.cfg")
    _State.import_seconds = time.perf_counter() - start
    start = time.perf_counter()
    # No heat.conf of the machine running the tests may change the verdicts.
    cfg.CONF(args=[], project="heat", default_config_files=[], default_config_dirs=[])
    clients.initialise()
    global_env = environment.Environment({}, user_env=False)
    resources._load_global_resources(global_env)
    _load_default_environment(global_env, env_fmt)
    resources._environment = global_env  # what resources.initialise() would have built
    for name in list(global_env.constraints):
        if name not in PURE_CONSTRAINTS:
            global_env.constraints[name] = AcceptAll
    resource_module.Resource.is_service_available = classmethod(_service_available)
    _patch_unknown_parameters(parameters, properties, stack, exception, function)
    _State.heat = {
        "context": context,
        "environment_util": environment_util,
        "exception": exception,
        "template_format": template_format,
        "env_fmt": env_fmt,
        "environment": environment,
        "function": function,
        "stack": stack,
        "template": template,
    }
    _State.setup_seconds = time.perf_counter() - start


def _heat_etc() -> Path | None:
    """Where pip put Heat's etc/heat (data files): <venv>/etc/heat, else wherever the
    distribution's record says."""
    etc = Path(sys.prefix) / "etc" / "heat"
    if (etc / "environment.d").is_dir():
        return etc
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        files = distribution("openstack-heat").files or []
    except PackageNotFoundError:
        return None
    for file in files:
        if str(file).replace("\\", "/").endswith("etc/heat/environment.d/default.yaml"):
            return Path(str(file.locate())).resolve().parents[1]
    return None


def _load_default_environment(global_env: Any, env_fmt: ModuleType) -> None:
    """<venv>/etc/heat/environment.d/*: what heat-engine reads from /etc/heat/environment.d."""
    etc = _heat_etc()
    if etc is None:
        print("heat_oracle: Heat's etc/heat/environment.d not found", file=sys.stderr)
        return
    for path in sorted((etc / "environment.d").glob("*.yaml")):
        text = path.read_text(encoding="utf-8").replace("file:///etc/heat/", etc.as_uri() + "/")
        body = env_fmt.parse(text)
        env_fmt.default_for_missing(body)
        global_env.load(body)


class AcceptAll:
    """Stands in for a custom constraint that would ask a service (BaseCustomConstraint)."""

    def validate(self, value: object, context: object, template: object = None) -> bool:
        return True


def _service_available(cls: type, context: object) -> tuple[bool, None]:
    return True, None


def _patch_unknown_parameters(
    parameters: ModuleType,
    properties: ModuleType,
    stack: ModuleType,
    exception: ModuleType,
    function: ModuleType,
) -> None:
    """The opt-in "unknown_parameters" mode (see the module docstring)."""

    # A UserParameterMissing, so that Heat's own handlers treat it as they treat that one.
    value_unknown = type(
        "ParameterValueUnknown",
        (exception.UserParameterMissing,),
        {"msg_fmt": "Heat " + NEEDS_VALUE + " %(key)s here (it has no value and no default)"},
    )

    def has_no_value(params: Any, name: object) -> bool:
        return (
            isinstance(name, str) and name in params.params and not params.params[name].has_value()
        )

    original_validate = parameters.Parameter.validate

    def validate(self: Any, validate_value: bool = True, context: Any = None) -> None:
        if _State.unknown_parameters and validate_value and not self.has_value():
            validate_value = False  # the schema (and nothing else) is still checked
        original_validate(self, validate_value, context)

    original_getitem = parameters.Parameters.__getitem__

    def getitem(self: Any, key: str) -> Any:
        if _State.unknown_parameters and has_no_value(self, key):
            _State.needed_value = True
            raise value_unknown(key=key)
        return original_getitem(self, key)

    def uses_unknown(snippet: Any) -> bool:
        if isinstance(snippet, function.Function):
            params = getattr(snippet, "parameters", None)
            if params is not None and hasattr(params, "params"):  # GetParam, ParamRef
                name = snippet.args
                if isinstance(name, list) and name:
                    name = name[0]
                if has_no_value(params, name):
                    return True
            inner = snippet.parsed if isinstance(snippet, function.Macro) else snippet.args
            return uses_unknown(inner)
        if isinstance(snippet, Mapping):
            return any(uses_unknown(v) for v in snippet.values())
        if isinstance(snippet, list | tuple):
            return any(uses_unknown(v) for v in snippet)
        return False

    original_resolve = properties.Properties._resolve_user_value

    def resolve_user_value(self: Any, key: str, prop: Any, validate: bool) -> Any:
        # Present, value unknown: not checked. Also when plugins read it to add implicit
        # dependencies: an exception there would leave Translation.is_active False.
        data = self.data
        value = data.get(key) if isinstance(data, Mapping) else None
        if _State.unknown_parameters and uses_unknown(value):
            return UNKNOWN, True
        return original_resolve(self, key, prop, validate)

    original_get_value = properties.Property.get_value

    def get_value(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        if value is UNKNOWN:  # e.g. `network` translated from an unknown `network_id`
            return value
        return original_get_value(self, value, *args, **kwargs)

    original_implicit = stack.Stack._add_implicit_dependencies

    def add_implicit_dependencies(self: Any, deps: Any, ignore_errors: bool = True) -> None:
        if not _State.unknown_parameters:
            original_implicit(self, deps, ignore_errors)
            return
        # Heat ignores ValueError/TypeError here, "likely to have come from trying to read
        # invalid property values that haven't been validated yet"; an unknown value read by
        # a plugin (FloatingIP reads the router's gateway map) is the same case.
        for rsrc in self.resources.values():
            try:
                rsrc.add_dependencies(deps)
            except (ValueError, TypeError, AttributeError):
                continue

    parameters.Parameter.validate = validate
    parameters.Parameters.__getitem__ = getitem
    properties.Properties._resolve_user_value = resolve_user_value
    properties.Property.get_value = get_value
    stack.Stack._add_implicit_dependencies = add_implicit_dependencies


class _Unknown:
    """The value of a property that uses a parameter without a value (truthy, as a value)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


# --- client side (python-heatclient) --------------------------------------------------------


def _file_url(path: str) -> str:
    return Path(path).resolve().as_uri()


def _base_url(url: str) -> str:
    return urlparse.urljoin(url, os.path.dirname(urlparse.urlparse(url).path))


def gather_template(template: Any, url: str, files: dict[str, str]) -> None:
    """Fill `files` with what the template names, as heatclient does before it calls Heat:
    template_utils.resolve_template_get_files, with heatclient's own functions when installed."""
    template_utils = _heatclient()
    if template_utils is None:
        _gather(template, _base_url(url), files)
        return
    template_utils.resolve_template_get_files(template, files, _base_url(url))


def gather_environments(paths: list[str]) -> tuple[dict[str, str], list[str]]:
    """heatclient's process_multiple_environments_and_files with env_list_tracker: the files
    (environment files included, keyed by URL) and the ordered list of environment URLs."""
    tracker: list[str] = []
    template_utils = _heatclient()
    if template_utils is None:
        files: dict[str, str] = {}
        env_fmt = _State.heat["env_fmt"]
        for path in paths:
            url = _file_url(path)
            env = env_fmt.parse(_read_url(url))
            registry = env.get("resource_registry") or {}
            base = registry.get("base_url", _base_url(url))
            _gather_registry(registry, base, files)
            for entry in (registry.get("resources") or {}).values():
                if isinstance(entry, dict):
                    _gather_registry(entry, entry.get("base_url", base), files)
            files[url] = json.dumps(env)
            tracker.append(url)
        return files, tracker
    files, _env = template_utils.process_multiple_environments_and_files(
        env_paths=paths, env_list_tracker=tracker
    )
    return files, tracker


def _heatclient() -> ModuleType | None:
    try:
        return importlib.import_module("heatclient.common.template_utils")
    except ImportError:
        return None


def _read_url(url: str) -> str:
    with urlrequest.urlopen(url) as handle:
        data: bytes = handle.read()
    return data.decode("utf-8")


def _gather(snippet: Any, base: str, files: dict[str, str]) -> None:
    """Without heatclient: the same walk as its get_file_contents for templates."""
    if isinstance(snippet, list):
        for item in snippet:
            _gather(item, base, files)
        return
    if not isinstance(snippet, dict):
        return
    for key, value in list(snippet.items()):
        _gather(value, base, files)
        if not isinstance(value, str):
            continue
        if key == "get_file" or (key == "type" and value.endswith((".yaml", ".template"))):
            snippet[key] = _fetch(value, base, files)


def _gather_registry(registry: dict[str, Any], base: str, files: dict[str, str]) -> None:
    for key, value in list(registry.items()):
        if key in ("base_url", "hooks", "restricted_actions") or not isinstance(value, str):
            continue
        if "::" not in value:
            registry[key] = _fetch(value, base, files)


def _fetch(value: str, base: str, files: dict[str, str]) -> str:
    url = urlparse.urljoin(base if base.endswith("/") else base + "/", value)
    if url not in files:
        content = _read_url(url)
        try:
            nested = _State.heat["template_format"].parse(content)
        except (ValueError, TypeError):
            files[url] = content
        else:
            _gather(nested, _base_url(url), files)
            files[url] = json.dumps(nested)
    return url


# --- engine side -----------------------------------------------------------------------------


def _context() -> Any:
    """A hand-built RequestContext, as heat/tests/utils.py dummy_context builds it."""
    return _State.heat["context"].RequestContext.from_dict(
        {
            "tenant_id": "kiln-oracle-project",
            "tenant": "kiln-oracle",
            "username": "kiln-oracle",
            "user_id": "kiln-oracle-user",
            "password": "",
            "roles": [],
            "is_admin": False,
            # Nothing listens on the discard port: a service call fails at once, never reaches
            # a cloud that happens to run on this machine.
            "auth_url": "http://127.0.0.1:9/v3",
            "auth_token": "kiln-oracle",
            "trust_id": None,
            "region_name": None,
        }
    )


class Prepared:
    """What the API layer hands to the engine: template dict, files, environment params."""

    def __init__(self, request: dict[str, Any]) -> None:
        h = _State.heat
        path = str(request["template"])
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        _State.stage = "parse"
        self.template = h["template_format"].parse(text)
        _State.stage = "client"
        self.files: dict[str, str] = {}
        gather_template(self.template, _file_url(path), self.files)
        env_files, self.environment_files = gather_environments(
            [str(p) for p in request.get("environment") or []]
        )
        self.files.update(env_files)
        self.parameters: dict[str, Any] = dict(request.get("parameters") or {})
        # The client sends all of it as JSON (oslo jsonutils: bytes become text, keys strings).
        wire = _wire(
            {"template": self.template, "files": self.files, "parameters": self.parameters}
        )
        self.template, self.files, self.parameters = (
            wire["template"],
            wire["files"],
            wire["parameters"],
        )
        _State.stage = "environment"

    def build(self) -> tuple[Any, Any]:
        """A fresh Template and Stack (service.py, _parse_template_and_validate_stack)."""
        h = _State.heat
        params: dict[str, Any] = {}
        h["env_fmt"].default_for_missing(params)
        params["parameters"].update(self.parameters)
        files = dict(self.files)
        tmpl = h["template"].Template(copy.deepcopy(self.template), files=files)
        h["environment_util"].merge_environments(
            self.environment_files or None, files, params, tmpl.all_param_schemata(files)
        )
        tmpl.env = h["environment"].Environment(params)
        _State.stage = "template"
        _validate_template(tmpl)
        _State.stage = "stack"
        stack = h["stack"].Stack(_context(), STACK_NAME, tmpl, strict_validate=True)
        return tmpl, stack


def _wire(body: dict[str, Any]) -> dict[str, Any]:
    jsonutils = importlib.import_module("oslo_serialization.jsonutils")
    decoded: dict[str, Any] = json.loads(jsonutils.dumps(body))
    return decoded


def _validate_template(tmpl: Any) -> None:
    """EngineService._validate_template."""
    exception = _State.heat["exception"]
    cfg = importlib.import_module("oslo_config.cfg")
    try:
        tmpl.validate()
    except AssertionError:
        raise
    except Exception as error:
        raise exception.StackValidationFailed(message=str(error)) from error
    limit = cfg.CONF.max_resources_per_stack
    if limit != -1 and len(tmpl[tmpl.RESOURCES]) > limit:
        raise exception.RequestLimitExceeded(message=exception.StackResourceLimitExceeded.msg_fmt)


def handle(request: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Validate (and maybe resolve) one request; every exception becomes part of the result."""
    result: dict[str, Any] = {"id": request.get("id", request.get("template"))}
    _State.unknown_parameters = bool(
        request.get("unknown_parameters", defaults.get("unknown_parameters", False))
    )
    _State.needed_value = False
    start = time.perf_counter()
    prepared: Prepared | None = None
    _State.stage = "read"
    try:
        prepared = Prepared(request)
        _tmpl, stack = prepared.build()
        plugins = bool(request.get("plugins", defaults.get("plugins", False)))
        stack.validate(validate_res_tmpl_only=not plugins)
        result.update(valid=True, error=None, error_type=None, stage=None)
    except Exception as error:
        stage = _State.stage
        result.update(
            valid=False, error=_message(error), error_type=type(error).__name__, stage=stage
        )
        if stage in ("environment", "template", "stack") and not _is_heat_error(error):
            # Heat let something other than its own errors escape: keep where, to tell a
            # template error from a crash (Heat wraps most of them in StackValidationFailed).
            result["traceback"] = traceback.format_exc(limit=-4)
    result["needs_value"] = _State.needed_value and not result["valid"]
    result["seconds"] = time.perf_counter() - start
    if prepared is not None and request.get("resolve", defaults.get("resolve", False)):
        start = time.perf_counter()
        try:
            result.update(resolve(prepared))
        except Exception as error:
            result["resolve_error"] = f"{type(error).__name__}: {_message(error)}"
        result["resolve_seconds"] = time.perf_counter() - start
    _State.unknown_parameters = False
    return result


def _message(error: BaseException) -> str:
    return str(error) or repr(error)


def _is_heat_error(error: BaseException) -> bool:
    exception = _State.heat.get("exception")
    if exception is None:
        return False
    return isinstance(error, exception.HeatException | exception.Error)


# --- resolution ------------------------------------------------------------------------------


def resolve(prepared: Prepared) -> dict[str, Any]:
    """Values as Heat computes them before anything is created, on a fresh Stack."""
    h = _State.heat
    function = h["function"]
    tmpl, stack = prepared.build()
    out: dict[str, Any] = {}
    pseudo = set(getattr(stack.parameters, "PSEUDO_PARAMETERS", ()))
    out["parameters"] = {
        name: _attempt(stack.parameters.__getitem__, name)
        for name in stack.parameters
        if name not in pseudo
    }
    # Functions resolve against the StackDefinition, as the engine's own do (stk_defn.py):
    # get_resource of an uncreated resource is its name, get_attr is None.
    defn = stack.defn
    names = list((tmpl.t.get(_section(tmpl, "CONDITIONS")) or {}).keys())
    conditions = _attempt(stack.t.conditions, defn)
    out["conditions"] = {name: _attempt(_enabled, conditions, name) for name in names}
    enabled = _attempt(defn.enabled_rsrc_names)
    raw_resources = tmpl.t.get(_section(tmpl, "RESOURCES")) or {}
    resources: dict[str, Any] = {}
    for name in raw_resources:
        if isinstance(enabled, dict):  # {"error": ...}: no resource can be resolved
            resources[name] = enabled
        elif name not in enabled:
            resources[name] = None
        else:
            resources[name] = _attempt(_properties, function, defn, name)
    out["resources"] = resources
    raw_outputs = tmpl.t.get(_section(tmpl, "OUTPUTS")) or {}
    enabled_outputs = _attempt(getattr, stack, "outputs")
    outputs: dict[str, Any] = {}
    for name in raw_outputs:
        if isinstance(enabled_outputs, dict) and name in enabled_outputs:
            outputs[name] = _attempt(enabled_outputs[name].get_value)
        else:
            outputs[name] = None  # a false condition: Heat keeps the output, with no value
    out["outputs"] = outputs
    graph = _attempt(_graph, stack)
    if isinstance(graph, dict) and "error" in graph:
        out["dependencies"] = graph
        out["waves"] = graph
    else:
        out["dependencies"] = sorted([a, b] for a, requires in graph.items() for b in requires)
        out["waves"] = _waves(graph)
    plain: dict[str, Any] = _plain(out)
    return plain


def _enabled(conditions: Any, name: str) -> bool:
    if isinstance(conditions, dict):  # {"error": ...} from conditions(): re-raise it
        raise ValueError(conditions["error"])
    return bool(conditions.is_enabled(name))


def _properties(function: ModuleType, defn: Any, name: str) -> Any:
    """What Heat's function.resolve(defn._properties) gives ({} with no properties section)."""
    return function.resolve(defn.resource_definition(name)._properties) or {}


def _section(tmpl: Any, name: str) -> str:
    """The section key in this dialect ('resources' or 'Resources', ...)."""
    key = getattr(tmpl, name, None)
    return key if isinstance(key, str) else name.lower()


def _attempt(compute: Callable[..., Any], *args: Any) -> Any:
    try:
        return compute(*args)
    except Exception as error:
        return {"error": f"{type(error).__name__}: {_message(error)}"}


def _graph(stack: Any) -> dict[str, set[str]]:
    """name -> names it requires, from Heat's Dependencies (implicit plugin ones included)."""
    graph: dict[str, set[str]] = {}
    for requirer, node in stack.dependencies.graph().items():
        graph.setdefault(requirer.name, set()).update(r.name for r in node.requires())
    return graph


def _waves(graph: dict[str, set[str]]) -> list[list[str]] | dict[str, str]:
    done: set[str] = set()
    waves: list[list[str]] = []
    while len(done) < len(graph):
        wave = sorted(n for n, needs in graph.items() if n not in done and needs <= done)
        if not wave:
            return {"error": "circular dependency"}
        waves.append(wave)
        done.update(wave)
    return waves


def _plain(value: Any) -> Json:
    """JSON-ready: sets become sorted lists; anything unknown becomes its repr."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


# --- command line ----------------------------------------------------------------------------


def run(document: dict[str, Any], emit: Callable[[Json], None]) -> None:
    setup()
    defaults = {k: v for k, v in document.items() if k != "requests"}
    start = time.perf_counter()
    for request in document.get("requests") or []:
        emit(_plain(handle(request, defaults)))
    run_seconds = time.perf_counter() - start
    if document.get("stats"):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        emit(
            {
                "stats": {
                    "import_seconds": _State.import_seconds,
                    "setup_seconds": _State.setup_seconds,
                    "run_seconds": run_seconds,
                    "maxrss_kib": usage.ru_maxrss,
                    "heat_version": _heat_version(),
                }
            }
        )


def _heat_version() -> str:
    from importlib.metadata import version

    try:
        return version("openstack-heat")
    except Exception:
        return "unknown"


def _parameters(pairs: Iterable[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        values[name] = value
    return values


def _emit(record: Json) -> None:
    sys.stdout.write(json.dumps(record, sort_keys=True) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("requests", nargs="?", help="request JSON file (default: stdin)")
    parser.add_argument("--template", help="one template instead of a request file")
    parser.add_argument("-e", "--environment", action="append", default=[])
    parser.add_argument("-P", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--resolve", action="store_true")
    parser.add_argument("--unknown-parameters", action="store_true")
    parser.add_argument("--plugins", action="store_true", help="run plugins' validate() too")
    parser.add_argument("--stats", action="store_true")
    args = parser.parse_args(argv)
    if args.template:
        document: dict[str, Any] = {
            "requests": [
                {
                    "id": args.template,
                    "template": args.template,
                    "environment": args.environment,
                    "parameters": _parameters(args.parameter),
                }
            ],
        }
    elif args.requests:
        with open(args.requests, encoding="utf-8") as handle:
            document = json.load(handle)
    else:
        document = json.load(sys.stdin)
    document.setdefault("resolve", False)
    document["resolve"] = document["resolve"] or args.resolve
    document["unknown_parameters"] = document.get("unknown_parameters") or args.unknown_parameters
    document["stats"] = document.get("stats") or args.stats
    document["plugins"] = document.get("plugins") or args.plugins
    run(document, _emit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
