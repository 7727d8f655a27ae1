"""`kiln` commands. Wiring only: parse options, call the driver, render, pick the exit code.

Exit codes: 0 no errors, 1 errors in the input, 2 usage error, 3 internal error (a bug in Kiln:
"internal error" and where to report it, never a bare traceback; KILN_DEBUG=1 shows it).
"""

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import click

EXIT_OK: Final = 0
EXIT_ERRORS: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERNAL: Final = 3
BUG_REPORT_HINT: Final = "This is a bug in Kiln; please report it with the input that caused it."

F = TypeVar("F", bound=Callable[..., Any])


def guarded(command: F) -> F:
    """Turn an unexpected exception into exit code 3 with a short message."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as error:
            click.echo(f"kiln: internal error: {type(error).__name__}: {error}", err=True)
            click.echo(BUG_REPORT_HINT, err=True)
            if os.environ.get("KILN_DEBUG"):
                import traceback  # only on this path: the module costs start-up time

                traceback.print_exc()
            else:
                click.echo("Run with KILN_DEBUG=1 to see the traceback.", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kiln-iac", prog_name="kiln")
def cli() -> None:
    """Kiln: a compiler for OpenStack Heat and AWS CloudFormation templates."""


def _registries(no_plugins: bool) -> Any:
    from kiln.plugins.host import PluginError, load

    try:
        return load(entry_points=not no_plugins)
    except PluginError as error:
        click.echo(f"kiln: error PLG001 {error} [plugin-failed]", err=True)
        sys.exit(EXIT_ERRORS)


def _parameters(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not key=value", param_hint="-P/--parameter")
        pairs.append((key, rest))
    return tuple(pairs)


common_options = [
    click.option(
        "-e",
        "--environment",
        "environments",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Environment file (repeatable; later files win).",
    ),
    click.option(
        "-P",
        "--parameter",
        "parameters",
        multiple=True,
        metavar="KEY=VALUE",
        help="Parameter value (repeatable).",
    ),
    click.option(
        "--allow-path",
        "allow_paths",
        multiple=True,
        type=click.Path(file_okay=False),
        help="Directory get_file and nested templates may read besides the template's own tree.",
    ),
    click.option(
        "--max-file-size",
        type=click.IntRange(min=1),
        default=None,
        help="Largest input file in bytes (default 10 MiB).",
    ),
    click.option("--no-plugins", is_flag=True, help="Load only the built-in plugins."),
]


@dataclass(frozen=True)
class Inputs:
    """The options every command shares: what to read besides the template, and how."""

    environments: tuple[str, ...]
    parameters: tuple[str, ...]
    allow_paths: tuple[str, ...]
    max_file_size: int | None
    no_plugins: bool

    def options(self, extra_allow_paths: tuple[str, ...] = ()) -> Any:
        from kiln.compiler.driver import CompileOptions
        from kiln.frontends.loader import LoadOptions

        load = LoadOptions(max_bytes=self.max_file_size) if self.max_file_size else LoadOptions()
        return CompileOptions(
            environment_files=self.environments,
            parameters=_parameters(self.parameters),
            allow_paths=self.allow_paths + extra_allow_paths,
            load=load,
        )

    def registries(self) -> Any:
        return _registries(self.no_plugins)

    def compile_one(self, path: str) -> tuple[Any, Any]:
        """Compile one template; its diagnostics go to standard error. (result, registries)"""
        from kiln.compiler.diagnostics.render import render_text
        from kiln.compiler.driver import compile_file

        registries = self.registries()
        result = compile_file(path, registries, self.options())
        if result.diagnostics:
            click.echo(render_text(result.diagnostics, result.sources), err=True, nl=False)
        return result, registries


def jobs_option(done: str) -> Callable[[F], F]:
    """-j/--jobs, for the commands that work through many files (kiln/compiler/parallel.py)."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help=f"Files {done} in parallel.  [default: all cores]",
    )


def with_common_options(command: F) -> F:
    """Add the shared options; the command receives them as one `inputs: Inputs`."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        environments: tuple[str, ...],
        parameters: tuple[str, ...],
        allow_paths: tuple[str, ...],
        max_file_size: int | None,
        no_plugins: bool,
        **kwargs: Any,
    ) -> Any:
        inputs = Inputs(environments, parameters, allow_paths, max_file_size, no_plugins)
        return command(*args, inputs=inputs, **kwargs)

    decorated: Any = wrapper
    for option in reversed(common_options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@with_common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format of the diagnostics.",
)
@jobs_option("validated")
@guarded
def validate(
    paths: tuple[str, ...],
    inputs: Inputs,
    output_format: str,
    jobs: int | None,
) -> None:
    """Check templates (files, or directories walked recursively) and report every problem."""
    from kiln.compiler.batch import validate_files
    from kiln.compiler.diagnostics import Severity
    from kiln.compiler.diagnostics.render import RENDERERS
    from kiln.compiler.driver import discover
    from kiln.compiler.parallel import default_jobs

    # A directory given on the command line is a tree whose files may include each other.
    directories = tuple(path for path in paths if os.path.isdir(path))
    files = list(discover(paths))
    jobs = jobs or default_jobs()
    batch = validate_files(
        files, inputs.registries(), inputs.options(directories), jobs, inputs.no_plugins
    )
    diagnostics, sources, checked = batch.diagnostics, batch.sources, batch.files
    output = RENDERERS[output_format](diagnostics, sources)
    if output:
        click.echo(output, nl=False)
    errors = sum(1 for d in diagnostics if d.severity >= Severity.ERROR)
    if output_format == "text":
        warnings = sum(1 for d in diagnostics if d.severity == Severity.WARNING)
        click.echo(f"{checked} file(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)


@cli.command("dump-ir")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_common_options
@click.option("--spans", is_flag=True, help="Show each node's line:column.")
@guarded
def dump_ir(
    path: str,
    inputs: Inputs,
    spans: bool,
) -> None:
    """Print the IR of a template (and of the templates it includes)."""
    from kiln.compiler.ir.dump import dump

    result, _ = inputs.compile_one(path)
    if result.unit is not None:
        for template in result.unit.all_templates():
            click.echo(dump(template, spans=spans), nl=False)
    sys.exit(EXIT_ERRORS if result.has_errors else EXIT_OK)


@cli.command("graph")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["dot", "mermaid", "json"]),
    default=None,
    help="Text format of the graph.  [default: dot]",
)
@click.option(
    "--render",
    type=click.Choice(["png", "svg"]),
    default=None,
    help="Draw the DOT graph as an image with Graphviz's `dot` (which must be on PATH).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the graph to this file instead of standard output.",
)
@guarded
def graph(
    path: str,
    inputs: Inputs,
    output_format: str | None,
    render: str | None,
    output: str | None,
) -> None:
    """Print the dependency graph of a template: waves, critical path, implicit dependencies.

    Diagnostics go to standard error; the exit code is 1 when the template has errors (the
    graph is still printed when it could be built)."""
    from kiln.backends.graph import renderers
    from kiln.backends.graph.graphviz import GraphvizError, dot_program, missing_dot, render_image

    if render and output_format not in (None, "dot"):
        raise click.UsageError(
            f"--render draws the DOT graph; it does not take --format {output_format}"
        )
    if render and dot_program() is None:  # before compiling: say it at once
        click.echo(f"kiln: {missing_dot(render)}", err=True)
        sys.exit(EXIT_USAGE)
    result, _ = inputs.compile_one(path)
    unit = result.unit
    dependency_graph = unit.facts_of(unit.root).graph if unit is not None else None
    if dependency_graph is None:
        click.echo("kiln: no dependency graph: the template could not be read", err=True)
        sys.exit(EXIT_ERRORS)
    text = renderers()[output_format or "dot"](dependency_graph, os.path.basename(path))
    data = text.encode("utf-8")
    if render:
        try:
            data = render_image(text, render)
        except GraphvizError as error:
            click.echo(f"kiln: {error}", err=True)
            sys.exit(EXIT_USAGE)
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    sys.exit(EXIT_ERRORS if result.has_errors else EXIT_OK)


@cli.command("preview")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json is the stable document (see kiln/compiler/preview.py).",
)
@guarded
def preview(
    path: str,
    inputs: Inputs,
    output_format: str,
) -> None:
    """Show what Heat's stack preview shows, offline: every resource with its properties
    resolved as far as they can be before deployment (the rest marked unknown), and the
    outputs. Diagnostics go to standard error; exit 1 when the template has errors."""
    import json

    from kiln.compiler.preview import preview_document
    from kiln.compiler.preview import render_text as render_preview

    result, registries = inputs.compile_one(path)
    if result.unit is None:
        click.echo("kiln: no preview: the template could not be read", err=True)
        sys.exit(EXIT_ERRORS)
    document = preview_document(result.unit, registries.schemas)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(render_preview(document), nl=False)
    sys.exit(EXIT_ERRORS if result.has_errors else EXIT_OK)


# `kiln lint` and `kiln rules` live in their own module, which uses the helpers above.
from kiln.cli.lint import COMMANDS  # noqa: E402

for _command in COMMANDS:
    cli.add_command(_command)

from kiln.cli.sandbox import sandbox  # noqa: E402

cli.add_command(sandbox)


# The runtime commands (plan, deploy, delete, stacks, status, outputs, events); their heavy
# imports happen inside them.
from kiln.cli import deploy as _runtime  # noqa: E402

for _command in _runtime.COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
