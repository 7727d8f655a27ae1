"""`kiln lint` and `kiln rules`. Wiring only: the session is kiln/compiler/lint/session.py.

kiln/cli/main.py registers these commands; import `kiln.cli.main` (not this module) first.

Exit codes of `kiln lint`, stable:
  0  nothing reported at or above the --fail-on severity (default error)
  1  findings at or above it
  2  usage or configuration error: a bad option, a path that names nothing, an unknown code
     in --select, a configuration or baseline file that cannot be read or breaks its schema
     (reported at its file:line:col)
  3  internal error (a bug in Kiln)
"""

import os
import sys
from typing import Any

import click

from kiln.cli.main import EXIT_USAGE, Inputs, guarded, jobs_option, with_common_options

FORMATS = ("text", "json", "sarif", "junit", "github")
SEVERITY_NAMES = ("error", "warning", "info")


@click.command("lint")
@click.argument("paths", nargs=-1, required=True)
@with_common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format of the findings.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the findings to this file (atomically) instead of standard output.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Report only these codes: ids, names or id prefixes, comma-separated (repeatable).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Do not report these codes: ids, names or id prefixes (repeatable).",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_NAMES),
    default=None,
    help="Lowest severity that makes the exit code 1.  [default: the configuration's, else error]",
)
@click.option(
    "--target",
    type=click.Choice(["heat", "aws"]),
    default=None,
    help="What CloudFormation templates are meant for (HOT is always for Heat).  "
    "[default: aws; heat for HeatTemplateFormatVersion]",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Configuration file (.kiln.yaml or pyproject.toml) instead of the discovered ones.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Hide the findings recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Record every current finding in this baseline file (and report none).",
)
@click.option(
    "--fix", is_flag=True, help="Apply safe autofixes, and write each file that stays valid."
)
@click.option(
    "--unsafe-fixes", is_flag=True, help="With --fix, also apply autofixes marked unsafe."
)
@jobs_option("linted")
@guarded
def lint_command(
    paths: tuple[str, ...],
    inputs: Inputs,
    output_format: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    target: str | None,
    config: str | None,
    baseline: str | None,
    write_baseline: str | None,
    fix: bool,
    unsafe_fixes: bool,
    jobs: int | None,
) -> None:
    """Lint templates: every validation check plus the lint rules (`kiln rules`).

    PATHS are files, directories (walked for .yaml, .yml, .json and .template files) and
    quoted globs (`'stacks/**/*.yaml'`). Exit 0: nothing at or above --fail-on; 1: findings
    at or above it; 2: usage or configuration error; 3: internal error."""
    from kiln.compiler.diagnostics import Severity
    from kiln.compiler.lint import session
    from kiln.compiler.parallel import default_jobs

    if unsafe_fixes and not fix:
        raise click.UsageError("--unsafe-fixes applies with --fix")
    registries = inputs.registries()
    renderer = _renderer(output_format, registries)
    request = session.LintRequest(
        paths=paths,
        select=select,
        ignore=ignore,
        fail_on=Severity[fail_on.upper()] if fail_on else None,
        target=target,  # type: ignore[arg-type]
        config=config,
        baseline=baseline,
        write_baseline=write_baseline,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        jobs=jobs or default_jobs(),
        compile=inputs.options(),
        no_plugins=inputs.no_plugins,
    )
    try:
        report = session.run(request, registries)
    except session.LintUsageError as error:
        click.echo(f"kiln lint: {error}", err=True)
        sys.exit(EXIT_USAGE)
    if report.config_errors:
        _echo_config_errors(report.config_errors)
        sys.exit(report.exit_code)
    text = renderer(report)
    if output is not None:
        from kiln.compiler.lint.files import write_atomic

        write_atomic(output, text.encode("utf-8"))
    elif text:
        click.echo(text, nl=False)
    _echo_summary(report)
    sys.exit(report.exit_code)


def _renderer(name: str, registries: Any) -> Any:
    """The renderer for --format, as a function of the report (with the rules' documentation
    for the formats that describe rules); a usage error when this build has none by that name."""
    from kiln.compiler.diagnostics.render import RENDERERS, rule_table

    render = RENDERERS.get(name)
    if render is None:
        raise click.UsageError(f"--format {name} is not available in this build of Kiln")

    def rendered(report: Any) -> str:
        table = rule_table(registries.codes.values(), report.rules)
        return str(render(report.diagnostics, report.sources, rules=table))

    return rendered


def _echo_config_errors(errors: list[Any]) -> None:
    from kiln.compiler.diagnostics.render import render_text
    from kiln.compiler.source import SourceFile

    sources = {}
    for diagnostic in errors:
        name = diagnostic.span.file if diagnostic.span is not None else None
        if name and name not in sources and os.path.isfile(name):
            try:
                with open(name, encoding="utf-8") as handle:
                    sources[name] = SourceFile(name, handle.read())
            except (OSError, UnicodeDecodeError):
                pass
    click.echo(render_text(errors, sources), err=True, nl=False)
    click.echo(f"kiln lint: {len(errors)} configuration error(s)", err=True)


def _echo_summary(report: Any) -> None:
    from kiln.compiler.diagnostics import Severity

    for problem in report.fix_problems:
        click.echo(f"kiln lint: {problem}", err=True)
    if report.deferred:
        click.echo(
            f"kiln lint: {report.deferred} fix(es) overlap others or edit another file: "
            "run --fix again (a file's includes are fixed when it is linted itself)",
            err=True,
        )
    codes = {r.id: r.name for r in report.rules}
    for code, count in sorted(report.fixed.items()):
        click.echo(f"fixed {count} x {code} ({codes.get(code, code)})", err=True)
    summary = (
        f"{report.files} file(s) linted: {report.count(Severity.ERROR)} error(s), "
        f"{report.count(Severity.WARNING)} warning(s), fixed {sum(report.fixed.values())}"
    )
    if report.baseline_written:
        summary += f"; baseline {report.baseline_written} written with {report.hidden} finding(s)"
    elif report.hidden or report.stale:
        summary += f"; {report.hidden} hidden by the baseline, {report.stale} no longer found"
    click.echo(summary, err=True)


@click.command("rules")
@click.argument("name", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown is docs/rules.md.",
)
@click.option("--select", multiple=True, metavar="CODES", help="Only these ids, names or prefixes.")
@click.option("--no-plugins", is_flag=True, help="Only the built-in rules.")
@guarded
def rules_command(
    name: str | None, output_format: str, select: tuple[str, ...], no_plugins: bool
) -> None:
    """List the lint rules (id, name, severity, dialects, targets, fix, summary), or print
    the documentation of one (`kiln rules unused-parameter`)."""
    from kiln.compiler.diagnostics.codes import BUILTIN_CODES
    from kiln.compiler.lint import catalog
    from kiln.compiler.lint.select import Selection, parse_selector, split_tokens

    registries = Inputs((), (), (), None, no_plugins).registries()
    rules = list(registries.lint_rules)
    if name is not None:
        wanted = name.lower()
        found = next((r for r in rules if wanted in (r.id.lower(), r.name)), None)
        if found is not None:
            click.echo(catalog.render_rule(found), nl=False)
            return
        code = next(
            (c for c in registries.codes.values() if wanted in (c.id.lower(), c.name)), None
        )
        if code is None:
            click.echo(f"kiln rules: no rule or code {name!r}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(catalog.render_code(code), nl=False)
        return
    if select:
        selectors = []
        for token in split_tokens(select):
            selector = parse_selector(token, registries.codes)
            if selector is None:
                click.echo(
                    f"kiln rules: --select: unknown code, rule name or prefix {token!r}", err=True
                )
                sys.exit(EXIT_USAGE)
            selectors.append(selector)
        selection = Selection(tuple(selectors))
        rules = [r for r in rules if selection.enabled(r.code)]
    if output_format == "json":
        click.echo(catalog.render_json(rules), nl=False)
    elif output_format == "markdown":
        session = catalog.session_codes(BUILTIN_CODES)
        click.echo(catalog.render_markdown(rules, session), nl=False)
    else:
        click.echo(catalog.render_table(rules), nl=False)


# What kiln/cli/main.py registers (typed here: mypy cannot infer through the import cycle).
COMMANDS: tuple[click.Command, ...] = (lint_command, rules_command)
