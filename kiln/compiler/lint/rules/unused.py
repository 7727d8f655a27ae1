"""Lint rules: definitions nothing uses (cfn-lint W2001, W8001, W7001)."""

from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.lint.rule import LintRule, RuleContext, rule


@rule(
    "UNU001",
    "unused-parameter",
    Severity.WARNING,
    "A parameter that nothing in the template uses.",
    message="parameter {parameter!r} is declared but never used",
    doc="""\
A parameter nothing refers to still has to be given (or defaulted) at every deployment, and it
suggests a reference that was meant and forgotten. Remove it, or use it.

In an environment-driven stack (TripleO), parameters may be declared only to be accepted from
`parameter_defaults`; suppress the rule there (`# kiln: ignore[unused-parameter]`).""",
)
def unused_parameter(context: RuleContext) -> None:
    symbols = context.facts.symbols
    if symbols is None:
        return
    used = {ref.name for ref in symbols.references if ref.kind == "parameter"}
    for name, parameter in context.template.parameters.items():
        if name not in used:
            context.report(parameter.name_span, ("parameters", name), parameter=name)


RULES: tuple[LintRule, ...] = (unused_parameter,)
