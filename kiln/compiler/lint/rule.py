"""The rule contract: what a lint rule is, what it sees, and how it reports.

A rule is data (a registry `Code`, a message template, documentation) plus one check
function. The check reads the compilation unit and the passes' side tables through a
`RuleContext` and calls `context.report(...)`; it never raises on a user's template, and it
never mutates anything. Rules that can mend what they find attach an `Autofix` of text edits;
`safe=True` promises that applying it changes nothing else about the template's meaning.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from kiln.compiler.diagnostics import Autofix, Diagnostic, Fix, LogicalPath, Note
from kiln.compiler.diagnostics.codes import Code, Severity
from kiln.compiler.ir.nodes import Dialect, Template
from kiln.compiler.source import SourceFile, Span

if TYPE_CHECKING:
    from kiln.compiler.unit import CompilationUnit, TemplateFacts
    from kiln.plugins.host import Registries

# What the template is meant for. "heat": deployed by Heat or Kiln's runtime (HOT always;
# CloudFormation when converting to OpenStack). "aws": CloudFormation meant for AWS, where
# Heat's gaps are not the user's concern.
Target = Literal["heat", "aws"]
BOTH_DIALECTS: frozenset[Dialect] = frozenset(("hot", "cfn"))
ALL_TARGETS: frozenset[Target] = frozenset({"heat", "aws"})


Check = Callable[["RuleContext"], None]


@dataclass(frozen=True, slots=True)
class LintRule:
    code: Code  # id like SEC001, kebab-case name, summary, default severity
    message: str  # str.format template; the check passes the fields to report()
    doc: str  # Markdown: why it matters, what to do instead; rendered into docs/rules.md
    check: Check = field(compare=False)
    dialects: frozenset[Dialect] = BOTH_DIALECTS
    targets: frozenset[Target] = ALL_TARGETS
    fixable: bool = False  # the rule can attach an Autofix
    # Kebab-case settings the rule reads from config (`rules: {name: {setting: value}}`),
    # with their defaults.
    settings: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        return self.code.id

    @property
    def name(self) -> str:
        return self.code.name


def rule(
    id: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    message: str,
    doc: str,
    dialects: Sequence[Dialect] = ("hot", "cfn"),
    targets: Sequence[Target] = ("heat", "aws"),
    fixable: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> Callable[[Check], LintRule]:
    """Decorator that turns a check function into a LintRule:

    @rule("SEC001", "password-not-hidden", W, "A password parameter shown in clear.",
          message="parameter {parameter!r} looks like a secret but is not hidden",
          doc="...")
    def password_not_hidden(context: RuleContext) -> None: ...
    """

    def wrap(check: Check) -> LintRule:
        code = Code(id, name, summary, severity, id.rstrip("0123456789"))
        return LintRule(
            code=code,
            message=message,
            doc=doc,
            check=check,
            dialects=frozenset(dialects),
            targets=frozenset(targets),
            fixable=fixable,
            settings=dict(settings or {}),
        )

    return wrap


@dataclass(slots=True)
class RuleContext:
    """What one rule sees of one template, and where its findings go."""

    rule: LintRule
    unit: "CompilationUnit"
    template: Template
    registries: "Registries"
    target: Target
    settings: Mapping[str, Any]
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def facts(self) -> "TemplateFacts":
        return self.unit.facts_of(self.template)

    @property
    def source(self) -> SourceFile | None:
        source: SourceFile | None = self.unit.sources.get(self.template.file)
        return source

    @property
    def dialect(self) -> Dialect:
        return self.template.dialect

    def setting(self, name: str) -> Any:
        return self.settings.get(name, self.rule.settings.get(name))

    def report(
        self,
        span: Span | None,
        path: LogicalPath = (),
        /,
        *,
        notes: Sequence[Note] = (),
        hint: str | None = None,
        autofix: Autofix | None = None,
        **fields: object,
    ) -> None:
        self.findings.append(
            Diagnostic(
                code=self.rule.code,
                severity=self.rule.code.default_severity,
                message=self.rule.message.format(**fields),
                span=span,
                path=path,
                notes=tuple(notes),
                fix=Fix(hint) if hint else None,
                autofix=autofix,
            )
        )
