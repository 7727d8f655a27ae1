"""Lint rules: documentation. What the people who launch a stack read: descriptions of the
template, its parameters and outputs, the messages of constraints, the labels of groups."""

from typing import Final

from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir.nodes import AllowedPattern
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._walk import section


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


_MIN_RESOURCES: Final = 5


@rule(
    "DOC001",
    "template-without-description",
    Severity.INFO,
    "A template of some size without a description.",
    message="the template has no description",
    settings={"min-resources": _MIN_RESOURCES},
    doc="""\
The template's description is what `openstack stack show`, the dashboard's launch dialog and
the CloudFormation console show before anything else: what the stack builds, and what it needs.
Short templates (fewer resources than the `min-resources` setting, 5 by default) are exempt:
their few resources say what they do.

Good:
```yaml
heat_template_version: 2021-04-16
description: >
  Two web servers behind an Octavia load balancer, with a floating IP.
  Needs an existing network with a router (parameter `network`).
```
CloudFormation: a top-level `Description:`.""",
)
def template_without_description(context: RuleContext) -> None:
    template = context.template
    setting = context.setting("min-resources")
    minimum = setting if isinstance(setting, int) and not isinstance(setting, bool) else 0
    if not _blank(template.description) or len(template.resources) < minimum:
        return
    span = template.span
    source = context.source
    if span is not None and source is not None:  # the first line, where a description goes
        line = source.position(span.start.offset).line
        start = source.line_start(line)
        span = source.span(start, start + len(source.line_text(line).rstrip()))
    context.report(span, ())


@rule(
    "DOC002",
    "parameter-without-description",
    Severity.INFO,
    "A parameter without a description.",
    message="parameter {parameter!r} has no description",
    doc="""\
A parameter's description is the help text next to its field in the dashboard and in
`openstack orchestration template validate`, and the only documentation the person deploying
the stack sees: without it they guess what `size`, `net` or `mode` wants, and in which unit.
Say what the value is for, its unit or format, and where to find a valid one.

Bad:
```yaml
  key:
    type: string
```
Good:
```yaml
  key:
    type: string
    description: Name of the Nova key pair to install for SSH access (openstack keypair list).
```
CloudFormation: `Description:` on the parameter.""",
)
def parameter_without_description(context: RuleContext) -> None:
    where = section(context.template, "parameters")
    for name, parameter in context.template.parameters.items():
        if _blank(parameter.description):
            context.report(parameter.name_span, (where, name), parameter=name)


@rule(
    "DOC003",
    "output-without-description",
    Severity.INFO,
    "An output without a description.",
    message="output {output!r} has no description",
    doc="""\
`openstack stack output list` and the dashboard show each output with its description; a
parent stack reading a nested stack's outputs has only the name to go on. Say what the value
is (an address, a URL, an id) and how to use it.

Bad:
```yaml
outputs:
  ip:
    value: {get_attr: [server, first_address]}
```
Good: add `description: Private IPv4 address of the web server.`""",
)
def output_without_description(context: RuleContext) -> None:
    where = section(context.template, "outputs")
    for name, output in context.template.outputs.items():
        if _blank(output.description):
            context.report(output.name_span, (where, name), output=name)


@rule(
    "DOC004",
    "pattern-without-description",
    Severity.INFO,
    "An allowed_pattern constraint without a description.",
    message="{key} of parameter {parameter!r} has no description: a rejected value is shown "
    "only the regular expression",
    doc="""\
When a value breaks `allowed_pattern`, Heat's error quotes the regular expression: `"my db"
does not match pattern "[a-zA-Z][a-zA-Z0-9]*"`, which tells the person deploying little.
A constraint's `description` replaces that message. Say in words what is accepted.

Bad:
```yaml
    constraints:
      - allowed_pattern: "[a-z][a-z0-9-]{2,62}"
```
Good:
```yaml
    constraints:
      - allowed_pattern: "[a-z][a-z0-9-]{2,62}"
        description: 3 to 63 lower-case letters, digits or hyphens, starting with a letter.
```
CloudFormation: `ConstraintDescription:` on the parameter.""",
)
def pattern_without_description(context: RuleContext) -> None:
    where = section(context.template, "parameters")
    for name, parameter in context.template.parameters.items():
        for constraint in parameter.constraints:
            if isinstance(constraint, AllowedPattern) and _blank(constraint.description):
                key = "allowed_pattern" if context.dialect == "hot" else "AllowedPattern"
                span = constraint.span or parameter.name_span
                context.report(span, (where, name), parameter=name, key=key)


@rule(
    "DOC005",
    "group-without-label",
    Severity.INFO,
    "A parameter group without a label.",
    message="parameter group #{number} has no label",
    dialects=("hot",),
    doc="""\
A parameter group's `label` is the heading the dashboard shows above its parameters (Heat
also names the group by it in its errors); without one the group is an untitled block. Give
each group a short label, and a `description` if the heading needs explaining.

Bad: `- parameters: [image, flavor]`.
Good: `- label: Server` and `parameters: [image, flavor]`.""",
)
def group_without_label(context: RuleContext) -> None:
    for index, group in enumerate(context.template.parameter_groups):
        if _blank(group.label):
            context.report(group.span, ("parameter_groups", index), number=index + 1)


RULES: tuple[LintRule, ...] = (
    template_without_description,
    parameter_without_description,
    output_without_description,
    pattern_without_description,
    group_without_label,
)
