"""A third-party lint plugin for the session's tests: rules with autofixes of every kind the
session must handle, independent of the built-in rules (which other work changes).

- TST001 secret-not-hidden: a parameter whose name contains the `pattern` setting (default
  `password`) without `hidden: true`; safe fix (append `hidden: true` to its body).
- TST002 parameter-without-label: a parameter named `*_labelled` without `label`; the fix
  appends `label` at the same place as TST001's (an overlap: one waits for the next run).
- TST003 drop-unused-parameter: a parameter named `obsolete*`; unsafe fix (removes it).
- TST004 breaks-on-fix: a parameter named `break_me`; a "safe" fix that breaks the YAML, which
  the session must refuse to write.
"""

import json

from kiln.compiler.diagnostics import Autofix
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.lint.edits import append_entry, remove_entry, replace_span
from kiln.compiler.lint.rule import RuleContext, rule
from kiln.plugins.hookspecs import hookimpl


def _is_json(context: RuleContext) -> bool:
    source = context.source
    return source is not None and source.text.lstrip().startswith("{")


@rule(
    "TST001",
    "secret-not-hidden",
    Severity.WARNING,
    "A password parameter that is not hidden.",
    message="parameter {parameter!r} looks like a secret but is not hidden",
    doc="Test rule.",
    fixable=True,
    settings={"pattern": "password"},
)
def secret_not_hidden(context: RuleContext) -> None:
    pattern = context.setting("pattern")
    for name, parameter in context.template.parameters.items():
        if pattern in name and not parameter.hidden and context.source and parameter.span:
            edit = append_entry(context.source, parameter.span, "hidden", "true")
            context.report(
                parameter.name_span, ("parameters", name), parameter=name,
                autofix=Autofix("hide it", (edit,), safe=True),
            )  # fmt: skip


@rule(
    "TST002",
    "parameter-without-label",
    Severity.INFO,
    "A parameter meant to be labelled that has no label.",
    message="parameter {parameter!r} has no label",
    doc="Test rule.",
    fixable=True,
)
def parameter_without_label(context: RuleContext) -> None:
    for name, parameter in context.template.parameters.items():
        if name.endswith("_labelled") and parameter.label is None and context.source:
            value = json.dumps(name) if _is_json(context) else name
            edit = append_entry(context.source, parameter.span, "label", value)
            context.report(
                parameter.name_span, ("parameters", name), parameter=name,
                autofix=Autofix("label it", (edit,), safe=True),
            )  # fmt: skip


@rule(
    "TST003",
    "drop-unused-parameter",
    Severity.WARNING,
    "An obsolete parameter.",
    message="parameter {parameter!r} is obsolete",
    doc="Test rule.",
    fixable=True,
)
def drop_obsolete(context: RuleContext) -> None:
    source = context.source
    for name, parameter in context.template.parameters.items():
        if name.startswith("obsolete") and source and parameter.name_span and parameter.span:
            edit = remove_entry(source, parameter.name_span, parameter.span.end.offset)
            context.report(
                parameter.name_span, ("parameters", name), parameter=name,
                autofix=Autofix("remove it", (edit,), safe=False),
            )  # fmt: skip


@rule(
    "TST004",
    "breaks-on-fix",
    Severity.WARNING,
    "A parameter whose fix breaks the file.",
    message="parameter {parameter!r} asks for a broken fix",
    doc="Test rule.",
    fixable=True,
)
def breaks_on_fix(context: RuleContext) -> None:
    for name, parameter in context.template.parameters.items():
        if name == "break_me" and parameter.name_span:
            edit = replace_span(parameter.name_span, "break_me: [")
            context.report(
                parameter.name_span, ("parameters", name), parameter=name,
                autofix=Autofix("break it", (edit,), safe=True),
            )  # fmt: skip


@hookimpl
def kiln_lint_rules():
    return [secret_not_hidden, parameter_without_label, drop_obsolete, breaks_on_fix]
