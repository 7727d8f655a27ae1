"""Parameter groups as Heat validates them with the stack (heat/engine/parameter_groups.py).

Only HOT has `parameter_groups`. For each group, in order, ParameterGroups.validate requires a
`parameters` key holding a list (`parameters: []` passes; absent or null is "The parameters
must be provided for each parameter group", a single name is "should be a list"), and every
name in it must be in no earlier group or earlier place ("must be assigned to one parameter
group only") and name a parameter. Heat stops at the first problem; Kiln reports each.

The names Heat accepts are those of `tmpl.parameters(None, ...)`: the declared parameters and
the pseudo parameters HOTParameters yields without a stack identifier, OS::stack_id and
OS::project_id (OS::stack_name only comes with a stack name, which validation never passes).

The IR keeps a group's names as a tuple, whether `parameters` was absent, null, `[]`, a single
name or a list, so a group with fewer than two names is told apart on the located tree of its
file, read again (rare: a group with one name or none).
"""

from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir.nodes import ParameterGroup, Template
from kiln.compiler.names import suggest
from kiln.compiler.source import SourceFile

# HOTParameters._pseudo_parameters(stack_identifier=None) (heat/engine/hot/parameters.py).
PSEUDO_IN_GROUPS: Final = frozenset({"OS::stack_id", "OS::project_id"})
_SECTION: Final = "parameter_groups"
_KEY: Final = "parameters"


def check_parameter_groups(
    template: Template, source: SourceFile | None, sink: DiagnosticSink
) -> None:
    if template.dialect != "hot" or not template.parameter_groups:
        return
    written = _written(template, source)
    valid = set(template.parameters) | PSEUDO_IN_GROUPS
    declared = sorted(template.parameters)
    first_group: dict[str, str] = {}
    for index, group in enumerate(template.parameter_groups):
        shown = _shown(group, index)
        where = (_SECTION, index)
        kind = written.get(index, "list")
        if kind == "missing":
            sink.report(
                c.GROUP_WITHOUT_PARAMETERS, group.span, where, group=shown,
                fix="list the group's parameters under 'parameters' ([] is allowed), or "
                "remove the group",
            )  # fmt: skip
            continue
        if kind == "scalar":
            name = group.parameters[0]
            sink.report(
                c.WRONG_SHAPE, name.span, (*where, _KEY),
                what=f"the parameters of parameter group {shown}", expected="a list",
                kind=f"the string {name.value!r}",
                fix=f"write it as a list: parameters: [{name.value}]",
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


def _written(template: Template, source: SourceFile | None) -> dict[int, str]:
    """How `parameters` is written in each group with fewer than two names: "missing" (absent
    or null), "scalar" (one name, not a list) or "list"; the other groups are lists."""
    if source is None or all(len(group.parameters) > 1 for group in template.parameter_groups):
        return {}
    return dict(_kinds(source))


def _kinds(source: SourceFile) -> Iterator[tuple[int, str]]:
    # The loader is imported here: only templates with such a group pay for it.
    from kiln.frontends.loader import LoadOptions, load_text
    from kiln.frontends.syntax import LMap, LScalar, LSeq

    # The file was read within the limits once already; its text is what the IR came from.
    result = load_text(source.text, source.path, LoadOptions(max_bytes=len(source.text) * 4 + 1))
    root = result.root
    groups = root.get(_SECTION) if isinstance(root, LMap) else None
    if not isinstance(groups, LSeq):
        return
    # The IR keeps the groups that are mappings, in order (the frontend reports the others).
    mappings = (group for group in groups.items if isinstance(group, LMap))
    for index, group in enumerate(mappings):
        value = group.get(_KEY)
        if value is None or (isinstance(value, LScalar) and value.value is None):
            yield index, "missing"
        elif isinstance(value, LScalar) and isinstance(value.value, str):
            yield index, "scalar"
