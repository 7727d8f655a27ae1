"""Kiln: a compiler for OpenStack Heat (HOT) and AWS CloudFormation templates.

Public API (the command line is `kiln`; everything is imported on first use, so importing
`kiln` stays cheap):

    report = kiln.lint(["stacks/"], select=["SEC"], fail_on="warning")
    report.diagnostics, report.exit_code
"""

from collections.abc import Iterable
from os import PathLike
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from kiln.compiler.lint.session import LintReport
    from kiln.plugins.host import Registries


def lint(
    paths: Iterable[str | PathLike[str]],
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    fail_on: Literal["error", "warning", "info"] | None = None,
    target: Literal["heat", "aws"] | None = None,
    config: str | None = None,
    baseline: str | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
    jobs: int = 1,
    registries: "Registries | None" = None,
) -> "LintReport":
    """Lint templates as `kiln lint` does (configuration discovered the same way) and return
    the report: `diagnostics` (sorted), `sources`, `fixed`, `exit_code` (0, 1, or 2 for a
    configuration error, listed in `config_errors`). A bad request (an unknown code in
    `select`, a path that names nothing) raises LintUsageError. `registries` defaults to the
    built-in plugins and the installed ones."""
    from kiln.compiler.diagnostics import Severity
    from kiln.compiler.lint.session import LintRequest, run
    from kiln.plugins.host import load

    request = LintRequest(
        paths=[str(path) for path in paths],
        select=tuple(select),
        ignore=tuple(ignore),
        fail_on=Severity[fail_on.upper()] if fail_on else None,
        target=target,
        config=config,
        baseline=baseline,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        jobs=jobs,
    )
    return run(request, registries if registries is not None else load())


__all__ = ["lint"]
