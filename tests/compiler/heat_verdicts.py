"""Judge the cases of verdict_cases.py with Heat's own classes; print the table as JSON.

Run with Heat's virtualenv (it needs `import heat`), from the repository root:

    .venv-heat/bin/python tests/compiler/heat_verdicts.py > tests/compiler/heat_verdicts.json

Parameters go through heat.engine.parameters.Parameter (HOT schemas), custom constraints through
the classes Heat registers for them, properties through heat.engine.properties.Property. The
output is the committed table test_heat_verdicts.py compares Kiln with.
"""

import json
import logging
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import verdict_cases  # noqa: E402


def _error(exc):
    message = getattr(exc, "error_message", None) or str(exc)
    prefix = "Parameter 'p' is invalid: "
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return {"ok": False, "error": type(exc).__name__, "message": message}


def parameters():
    from heat.engine import parameters as params
    from heat.engine.hot import parameters as hot

    results = []
    for kind, constraints, value, hidden in verdict_cases.PARAMETERS:
        schema = {"type": kind, "constraints": constraints, "hidden": hidden}
        try:
            parameter = params.Parameter(
                "p", hot.HOTParamSchema20180302.from_dict("p", schema), value
            )
            parameter.validate()
            results.append({"ok": True, "value": parameter.value()})
        except Exception as exc:
            results.append(_error(exc))
    return results


def custom():
    from heat.engine import resources

    env = resources.global_env()
    results = []
    for name, value in verdict_cases.CUSTOM:
        constraint = env.get_constraint(name)()
        try:
            results.append({"ok": bool(constraint.validate(value, None))})
        except Exception as exc:
            results.append({"ok": False, "error": type(exc).__name__, "message": str(exc)})
    return results


def _constraint(definition):
    from heat.engine import constraints as constr

    description = definition.get("description")
    if "range" in definition:
        return constr.Range(description=description, **definition["range"])
    if "length" in definition:
        return constr.Length(description=description, **definition["length"])
    if "modulo" in definition:
        return constr.Modulo(description=description, **definition["modulo"])
    if "allowed_values" in definition:
        return constr.AllowedValues(definition["allowed_values"], description)
    if "allowed_pattern" in definition:
        return constr.AllowedPattern(definition["allowed_pattern"], description)
    return constr.CustomConstraint(definition["custom_constraint"], description)


def _schema(definition):
    from heat.engine import properties

    nested = definition.get("schema")
    if nested is not None:
        if definition["type"] == "List":
            nested = _schema(nested)
        else:
            nested = {key: _schema(value) for key, value in nested.items()}
    return properties.Schema(
        definition["type"],
        default=definition.get("default"),
        schema=nested,
        required=definition.get("required", False),
        constraints=[_constraint(c) for c in definition.get("constraints", [])],
    )


def properties_():
    from heat.engine import properties

    results = []
    for definition, value in verdict_cases.PROPERTIES:
        prop = properties.Property(_schema(definition), name="p")
        try:
            results.append({"ok": True, "value": prop.get_value(value, validate=True)})
        except Exception as exc:
            result = _error(exc)
            result["path"] = [str(item) for item in getattr(exc, "path", []) or []]
            results.append(result)
    return results


def main():
    table = {"parameters": parameters(), "custom": custom(), "properties": properties_()}
    json.dump(table, sys.stdout, indent=1, sort_keys=True, default=repr)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
