"""The evaluator's table: (template version, snippet, parameters, expected value) per case.

Each case becomes a one-output template: the snippet is the value of output `result`, beside a
standard set of parameters, conditions and resources (below) that snippets refer to. The
expected value is Kiln's answer; Heat 27's answer is the same unless the case says `heat=` —
those are the intentional differences, each with its reason (test_heat_differential.py
checks both against Heat itself).

Markers: U("string") is an Unknown of that type; E("EVL001", "text") is an Unknown with that
diagnostic, whose message (and Heat's error) contains `text`; H(value_or_error, reason) is
Heat's different answer.
"""

import textwrap
from dataclasses import dataclass, field
from typing import Any

from kiln.frontends.hot.versions import VERSIONS

HOT = VERSIONS
LATEST = "2021-04-16"
CFN = "cfn"  # AWSTemplateFormatVersion 2010-09-09
CFN_HEAT = "cfn-heat"  # HeatTemplateFormatVersion 2012-12-12


@dataclass(frozen=True)
class U:
    """Kiln yields an Unknown of this type."""

    type: str


@dataclass(frozen=True)
class E:
    """Kiln yields an Unknown and reports `code`; its message contains `text`, and Heat's
    error contains `heat` (`text` when not given)."""

    code: str
    text: str = ""
    heat: str | None = None

    @property
    def heat_text(self) -> str:
        return self.text if self.heat is None else self.heat


@dataclass(frozen=True)
class HeatError:
    text: str


@dataclass(frozen=True)
class H:
    """Heat answers differently, on purpose: `answer` is its value (or HeatError)."""

    answer: Any
    reason: str


SAME = object()


@dataclass(frozen=True)
class Case:
    id: str
    version: str
    snippet: str
    expected: Any
    parameters: str = ""  # extra parameter declarations (YAML, one per line)
    conditions: str = ""  # extra conditions
    resources: str = ""  # extra resources
    params: dict[str, str] = field(default_factory=dict)  # values given for parameters
    resource_data: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    heat: Any = SAME
    condition: str | None = None  # the output's condition

    def template(self) -> str:
        return _cfn_template(self) if self.version.startswith("cfn") else _hot_template(self)


def _block(text: str, indent: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * indent)


_HOT_PARAMETERS = """
s: {type: string, default: hello}
n: {type: number, default: "007"}
f: {type: number, default: 1.50}
b: {type: boolean, default: "on"}
l: {type: comma_delimited_list, default: "node1, blue"}
j: {type: json, default: {a: {b: [1, 2]}, k: v}}
empty: {type: string, default: ""}
env: {type: string, default: prod}
ports: {type: comma_delimited_list, default: "22,80,443"}
"""
_HOT_CONDITIONS = """
is_prod: {equals: [{get_param: env}, prod]}
is_dev: {equals: [{get_param: env}, dev]}
"""
_HOT_RESOURCES = """
srv: {type: OS::Heat::None}
val: {type: OS::Heat::Value, properties: {value: x}}
"""


def _hot_template(case: Case) -> str:
    lines = [f"heat_template_version: {case.version}", "parameters:"]
    lines.append(_block(_HOT_PARAMETERS, 2))
    if case.parameters:
        lines.append(_block(case.parameters, 2))
    if case.version >= "2016-10-14":
        lines += ["conditions:", _block(_HOT_CONDITIONS, 2)]
        if case.conditions:
            lines.append(_block(case.conditions, 2))
    lines += ["resources:", _block(_HOT_RESOURCES, 2)]
    if case.resources:
        lines.append(_block(case.resources, 2))
    lines += ["outputs:", "  result:", "    value:", _block(case.snippet, 6)]
    if case.condition is not None:
        lines.append(f"    condition: {case.condition}")
    return "\n".join(lines) + "\n"


_CFN_PARAMETERS = """
s: {Type: String, Default: hello}
n: {Type: Number, Default: "5"}
l: {Type: CommaDelimitedList, Default: "a,b,c"}
env: {Type: String, Default: prod}
"""
_CFN_MAPPINGS = """
M:
  k1: {v1: one, v2: [1, 2]}
  k2: {v1: two}
"""
_CFN_CONDITIONS = """
is_prod: {"Fn::Equals": [{Ref: env}, prod]}
is_dev: {"Fn::Equals": [{Ref: env}, dev]}
"""
_CFN_RESOURCES = """
srv: {Type: "OS::Heat::None"}
"""


def _cfn_template(case: Case) -> str:
    if case.version == CFN:
        lines = ["AWSTemplateFormatVersion: '2010-09-09'"]
    else:
        lines = ["HeatTemplateFormatVersion: '2012-12-12'"]
    lines += ["Parameters:", _block(_CFN_PARAMETERS, 2)]
    if case.parameters:
        lines.append(_block(case.parameters, 2))
    lines += ["Mappings:", _block(_CFN_MAPPINGS, 2)]
    if case.version == CFN:
        lines += ["Conditions:", _block(_CFN_CONDITIONS, 2)]
        if case.conditions:
            lines.append(_block(case.conditions, 2))
    lines += ["Resources:", _block(_CFN_RESOURCES, 2)]
    if case.resources:
        lines.append(_block(case.resources, 2))
    lines += ["Outputs:", "  result:", "    Value:", _block(case.snippet, 6)]
    if case.condition is not None:
        lines.append(f"    Condition: {case.condition}")
    return "\n".join(lines) + "\n"


def each(versions: tuple[str, ...], make: Any) -> list[Case]:
    return [make(version) for version in versions]


SERVER_DATA = {
    "srv": {
        "reference_id": "0c5d2e5a-srv",
        "attrs": {
            "first_address": "10.0.0.5",
            "networks": {"private": ["10.0.0.5", "fd00::5"], "public": []},
            "name": "web",
            "nothing": None,
            "show": {"id": "0c5d2e5a-srv"},
        },
    }
}

NO_RESOURCE = "get_resource before create: Heat returns the resource name, Kiln Unknown(STRING)"
NO_ATTR = "get_attr before create: Heat returns None, Kiln Unknown (typed) rather than a guess"
AWS_ONLY = (
    "an AWS-only function: Heat keeps it as a plain map; Kiln applies AWS's semantics and "
    "check_functions reports that Heat lacks it"
)
