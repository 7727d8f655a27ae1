"""`kiln plan`, `deploy`, `delete`, `stacks`, `status`, `outputs`, `events`: wiring only.

The runtime (kiln/runtime/) does the work; SQLAlchemy and openstacksdk are imported inside
the commands, so `kiln --help` and `kiln validate` never load them. Exit codes as everywhere:
0 done, 1 errors in the input or a failed deploy (the message says what failed and that
`kiln deploy` again resumes), 2 usage, 3 a bug in Kiln.
"""

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from kiln.cli.main import EXIT_ERRORS, EXIT_OK, Inputs, guarded, with_common_options

F = TypeVar("F", bound=Callable[..., Any])


def runtime_errors(command: F) -> F:
    """A runtime condition the user can act on (a lock held, no such stack, a cloud that
    refuses the password) is one line on standard error and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kiln.runtime.errors import KilnRuntimeError

        try:
            return command(*args, **kwargs)
        except KilnRuntimeError as error:
            click.echo(f"kiln: {error}", err=True)
            sys.exit(EXIT_ERRORS)

    return wrapper  # type: ignore[return-value]


stack_option = click.option("--stack", "stack_name", required=True, help="The stack's name.")
state_option = click.option(
    "--state",
    envvar="KILN_STATE",
    default=None,
    help="State store: a SQLite file or an SQLAlchemy URL (postgresql+psycopg://...).  "
    "[env: KILN_STATE; default: .kiln/state.db]",
)
cloud_option = click.option(
    "--cloud",
    envvar="OS_CLOUD",
    default=None,
    help="The cloud of clouds.yaml to deploy to.  [env: OS_CLOUD]",
)
output_option = click.option(
    "--output",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: stable documents (deploy and delete: one JSON event per line).",
)
parallel_option = click.option(
    "--parallel",
    type=click.IntRange(min=1, max=64),
    default=10,
    show_default=True,
    help="Resources worked on at once.",
)
break_lock_option = click.option(
    "--break-lock",
    is_flag=True,
    help="Take the stack's lock from a run that holds it (only if that run is gone).",
)


def _notice(message: str) -> None:
    click.echo(f"kiln: {message}", err=True)


def _session(state: str | None, stack_name: str, cloud: str | None, registries: Any) -> Any:
    from kiln.runtime.session import StackSession
    from kiln.runtime.state.store import StateStore, state_url

    store = StateStore(state_url(state))
    schemas = registries.schemas if registries is not None else None
    return StackSession(store, stack_name, cloud=cloud, schemas=schemas, notice=_notice)


def _compile(inputs: Inputs, path: str) -> tuple[Any, Any]:
    result, registries = inputs.compile_one(path)
    if result.unit is None or result.has_errors:
        click.echo("kiln: the template has errors; nothing was planned", err=True)
        sys.exit(EXIT_ERRORS)
    return result, registries


def _show_plan(output_format: str, result: Any, progress: Any = None) -> Callable[[Any], None]:
    """Print a plan: its errors (standard error), else its text or JSON document."""

    def show(plan: Any) -> None:
        import json

        from kiln.compiler.diagnostics.render import render_text
        from kiln.runtime.render import plan_document, plan_text

        if plan.diagnostics:
            sources = result.sources if result is not None else {}
            click.echo(render_text(plan.diagnostics, sources), err=True, nl=False)
        elif output_format == "text":
            click.echo(plan_text(plan), nl=False)
        elif progress is not None:
            progress.document("plan", plan_document(plan))
        else:
            click.echo(json.dumps(plan_document(plan), indent=2))

    return show


def _progress(output_format: str) -> Any:
    from kiln.runtime.progress import JsonLines, LiveTable, PlainLines

    if output_format == "json":
        return JsonLines()
    return LiveTable() if sys.stdout.isatty() else PlainLines()


@click.command("plan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@stack_option
@with_common_options
@cloud_option
@state_option
@output_option
@guarded
@runtime_errors
def plan_command(
    path: str,
    stack_name: str,
    inputs: Inputs,
    cloud: str | None,
    state: str | None,
    output_format: str,
) -> None:
    """Show what a deploy of TEMPLATE to the stack would create, update (in place, or by
    replacing) or delete, and why. Touches nothing."""
    result, registries = _compile(inputs, path)
    session = _session(state, stack_name, cloud, registries)
    plan = session.plan(result.unit)
    _show_plan(output_format, result)(plan)
    sys.exit(EXIT_ERRORS if plan.has_errors else EXIT_OK)


@click.command("deploy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@stack_option
@with_common_options
@cloud_option
@state_option
@output_option
@parallel_option
@click.option("--rollback", is_flag=True, help="On failure, delete what this run created.")
@break_lock_option
@guarded
@runtime_errors
def deploy_command(
    path: str,
    stack_name: str,
    inputs: Inputs,
    cloud: str | None,
    state: str | None,
    output_format: str,
    parallel: int,
    rollback: bool,
    break_lock: bool,
) -> None:
    """Plan, then create, update and delete along the dependency graph, in parallel.
    Interrupted or failed, `kiln deploy` again resumes where it stopped."""
    from kiln.runtime.hidden import shown
    from kiln.runtime.render import outputs_text
    from kiln.runtime.session import Settings

    result, registries = _compile(inputs, path)
    session = _session(state, stack_name, cloud, registries)
    progress = _progress(output_format)
    settings = Settings(parallel=parallel, rollback=rollback, break_lock=break_lock)
    try:
        _, outcome = session.deploy(
            result.unit,
            progress,
            settings=settings,
            show_plan=_show_plan(output_format, result, progress),
            environment_files=inputs.environments,
        )
    finally:
        progress.close()
    if outcome is None:
        sys.exit(EXIT_ERRORS)
    if not outcome.ok:
        skipped = f"\nkiln: not started: {', '.join(outcome.skipped)}" if outcome.skipped else ""
        click.echo(
            f"kiln: deploy of stack {stack_name!r} failed: {'; '.join(outcome.failures)}"
            + skipped
            + ("" if rollback else "\nkiln: run `kiln deploy` again to resume"),
            err=True,
        )
        sys.exit(EXIT_ERRORS)
    stored = dict(session.store.require_stack(stack_name).outputs)
    if output_format == "json":
        progress.document("outputs", shown(stored))
    elif stored:
        click.echo("Outputs:")
        click.echo(outputs_text(stored), nl=False)
    sys.exit(EXIT_OK)


@click.command("delete")
@stack_option
@cloud_option
@state_option
@output_option
@parallel_option
@break_lock_option
@guarded
@runtime_errors
def delete_command(
    stack_name: str,
    cloud: str | None,
    state: str | None,
    output_format: str,
    parallel: int,
    break_lock: bool,
) -> None:
    """Delete every resource of the stack, dependents first (servers before their ports)."""
    from kiln.plugins.host import load
    from kiln.runtime.session import Settings

    session = _session(state, stack_name, cloud, load(entry_points=True))
    progress = _progress(output_format)
    try:
        _, outcome = session.delete(
            progress,
            settings=Settings(parallel=parallel, break_lock=break_lock),
            show_plan=_show_plan(output_format, None, progress),
        )
    finally:
        progress.close()
    if not outcome.ok:
        click.echo(
            f"kiln: delete of stack {stack_name!r} failed: {'; '.join(outcome.failures)}\n"
            "kiln: run `kiln delete` again to retry",
            err=True,
        )
        sys.exit(EXIT_ERRORS)
    sys.exit(EXIT_OK)


@click.command("stacks")
@state_option
@output_option
@click.option("--all", "show_all", is_flag=True, help="Deleted stacks too.")
@guarded
@runtime_errors
def stacks_command(state: str | None, output_format: str, show_all: bool) -> None:
    """List the stacks of the state store."""
    import json

    from kiln.runtime.render import stack_document, stacks_text
    from kiln.runtime.state.store import StateStore, state_url

    stacks = [
        stack
        for stack in StateStore(state_url(state)).stacks()
        if show_all or stack.state != "DELETE_COMPLETE"
    ]
    if output_format == "json":
        click.echo(json.dumps([stack_document(stack) for stack in stacks], indent=2))
    else:
        click.echo(stacks_text(stacks), nl=False)


def _store_and_stack(state: str | None, stack_name: str) -> tuple[Any, Any]:
    from kiln.runtime.state.store import StateStore, state_url

    store = StateStore(state_url(state))
    return store, store.require_stack(stack_name)


@click.command("status")
@stack_option
@state_option
@output_option
@guarded
@runtime_errors
def status_command(stack_name: str, state: str | None, output_format: str) -> None:
    """The stack's state and each resource's (physical id, state, reason)."""
    import json

    from kiln.runtime.render import status_document, status_text
    from kiln.runtime.state.lock import live_holder

    store, stack = _store_and_stack(state, stack_name)
    rows = store.resources(stack.id)
    interrupted = stack.status == "IN_PROGRESS" and live_holder(store, stack.name) is None
    if output_format == "json":
        click.echo(json.dumps(status_document(stack, rows, interrupted), indent=2))
    else:
        click.echo(status_text(stack, rows, interrupted), nl=False)


@click.command("outputs")
@stack_option
@state_option
@output_option
@guarded
@runtime_errors
def outputs_command(stack_name: str, state: str | None, output_format: str) -> None:
    """The stack's outputs, as its last successful deploy resolved them."""
    import json

    from kiln.runtime.hidden import shown
    from kiln.runtime.render import outputs_text

    _, stack = _store_and_stack(state, stack_name)
    outputs = dict(stack.outputs)
    if output_format == "json":
        click.echo(json.dumps(shown(outputs), indent=2, sort_keys=True))
    else:
        click.echo(outputs_text(outputs), nl=False)


@click.command("events")
@stack_option
@state_option
@output_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the last N.")
@guarded
@runtime_errors
def events_command(
    stack_name: str, state: str | None, output_format: str, limit: int | None
) -> None:
    """What happened to the stack, oldest first."""
    import json

    from kiln.runtime.render import event_document, events_text

    store, stack = _store_and_stack(state, stack_name)
    events = store.events(stack.id, limit)
    if output_format == "json":
        for event in events:
            click.echo(json.dumps(event_document(event), sort_keys=True))
    else:
        click.echo(events_text(events, stack_name), nl=False)


COMMANDS: tuple[click.Command, ...] = (
    plan_command,
    deploy_command,
    delete_command,
    stacks_command,
    status_command,
    outputs_command,
    events_command,
)
