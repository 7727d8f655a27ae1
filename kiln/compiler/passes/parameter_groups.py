"""Parameter groups as Heat validates them with the stack (heat/engine/parameter_groups.py).

Only HOT has `parameter_groups`. For each group, in order, ParameterGroups.validate requires a
`parameters` key holding a list (`parameters: []` passes; absent or null is "The parameters
must be provided for each parameter group", a single name is "should be a list"), and every
name in it must be in no earlier group or earlier place ("must be assigned to one parameter
group only") and name a parameter. Heat stops at the first problem; Kiln reports each.

The names Heat accepts are those of `tmpl.parameters(None, ...)`: the declared parameters and
the pseudo parameters HOTParameters yields without a stack identifier, OS::stack_id and
OS::project_id (OS::stack_name only comes with a stack name, which validation never passes).

A group's `parameters` absent or null has no `parameters_span` in the IR; one name not in a
list is the frontend's SYN015 (a shape), and the group has no names then.
"""

from typing import Final

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir.nodes import ParameterGroup, Template
from kiln.compiler.names import suggest

# HOTParameters._pseudo_parameters(stack_identifier=None) (heat/engine/hot/parameters.py).
PSEUDO_IN_GROUPS: Final = frozenset({"OS::stack_id", "OS::project_id"})
_SECTION: Final = "parameter_groups"
_KEY: Final = "parameters"


def check_parameter_groups(template: Template, sink: DiagnosticSink) -> None:
    if template.dialect != "hot" or not template.parameter_groups:
        return
    valid = set(template.parameters) | PSEUDO_IN_GROUPS
    declared = sorted(template.parameters)
    first_group: dict[str, str] = {}
    for index, group in enumerate(template.parameter_groups):
        shown = _shown(group, index)
        where = (_SECTION, index)
        if group.parameters_span is None:
            sink.report(
                c.GROUP_WITHOUT_PARAMETERS, group.span, where, group=shown,
                fix="list the group's parameters under 'parameters' ([] is allowed), or "
                "remove the group",
            )  # fmt: skip
            continue
        for position, name in enumerate(group.parameters):
            path = (*where, _KEY, position)
            if name.value in first_group:
                sink.report(
                    c.PARAMETER_IN_SEVERAL_GROUPS, name.span, path, group=shown,
                    parameter=name.value, first=first_group[name.value],
                    fix="keep it in one group and remove the other entry",
                )  # fmt: skip
                continue
            first_group[name.value] = shown
            if name.value not in valid:
                sink.report(
                    c.UNKNOWN_GROUPED_PARAMETER, name.span, path, group=shown,
                    parameter=name.value, hint=suggest(name.value, declared),
                    fix="declare it under 'parameters', or remove it from the group",
                )  # fmt: skip


def _shown(group: ParameterGroup, index: int) -> str:
    return repr(group.label) if group.label else f"#{index + 1}"
