"""`kiln sandbox up|down|status|purge|env`: a real single-node OpenStack on 127.0.0.1.

Wiring only; the work is in kiln.runtime.sandbox.manager, imported inside each command so that
`kiln --help` stays fast.
"""

import functools
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _state_dir_option(command: F) -> F:
    return click.option(
        "--state-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where the sandbox lives (venv, data, logs, clouds.yaml). "
        "Default: $KILN_SANDBOX_HOME, else $XDG_DATA_HOME/kiln/sandbox "
        "(~/.local/share/kiln/sandbox).",
    )(command)


def _guarded(command: F) -> F:
    """kiln.cli.main.guarded (an unexpected exception is exit 3, not a traceback), looked up
    at call time: main imports this module."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kiln.cli.main import guarded

        return guarded(command)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _layout(state_dir: Path | None) -> Any:
    from kiln.runtime.sandbox.facts import default_state_dir
    from kiln.runtime.sandbox.layout import Layout

    return Layout((state_dir or default_state_dir()).expanduser().absolute())


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _fail(error: Exception) -> None:
    click.echo(f"kiln sandbox: error: {error}", err=True)
    sys.exit(1)


@click.group("sandbox")
def sandbox() -> None:
    """A real single-node OpenStack on 127.0.0.1 (Keystone, Placement, Nova with the fake
    driver, Neutron without agents, Glance, Cinder; Heat and Swift optional), from PyPI
    releases in a venv of its own plus Debian's MariaDB and RabbitMQ. For deploy tests and
    for trying a deployment before touching a real cloud. There is no data plane: servers
    boot to ACTIVE, ports and floating IPs stay DOWN."""


@sandbox.command("up")
@_state_dir_option
@click.option(
    "--with-heat/--without-heat",
    default=None,
    help="Run Heat too (used by the comparison benchmark). Default: as last time, else off.",
)
@click.option(
    "--with-swift/--without-swift",
    default=None,
    help="Run Swift too. Default: as last time, else off.",
)
@click.option(
    "--python",
    "python",
    default=None,
    help="Interpreter for the sandbox's venv (default: the one running Kiln). Python 3.11 "
    "is the verified one.",
)
@_guarded
def up_command(
    state_dir: Path | None, with_heat: bool | None, with_swift: bool | None, python: str | None
) -> None:
    """Install what is missing (apt, pip), start every service, create the base resources and
    write clouds.yaml. Running it again only checks health and starts what is not running."""
    from kiln.runtime.sandbox.install import InstallError
    from kiln.runtime.sandbox.manager import SandboxError, up

    # SIGTERM (a CI timeout, `kill`) cleans up like Ctrl-C: what this run started is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        up(_layout(state_dir), click.echo, heat=with_heat, swift=with_swift, python=python)
    except (SandboxError, InstallError) as error:
        _fail(error)


@sandbox.command("down")
@_state_dir_option
@_guarded
def down_command(state_dir: Path | None) -> None:
    """Stop every process group the sandbox recorded (data is kept). Servers booted before do
    not survive: the fake driver keeps them in memory (they come back SHUTOFF or ERROR)."""
    from kiln.runtime.sandbox.manager import SandboxError, down

    try:
        down(_layout(state_dir), click.echo)
    except SandboxError as error:
        _fail(error)


@sandbox.command("status")
@_state_dir_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_guarded
def status_command(state_dir: Path | None, as_json: bool) -> None:
    """Each service: pid alive, port answering, memory; and the clouds.yaml path.
    Exit 1 unless every enabled service is healthy."""
    import json

    from kiln.runtime.sandbox.manager import status

    layout = _layout(state_dir)
    states, healthy = status(layout)
    if as_json:
        document = {
            "state_dir": str(layout.root),
            "clouds_yaml": str(layout.clouds_yaml),
            "healthy": healthy,
            "services": [
                {
                    "name": s.name,
                    "enabled": s.enabled,
                    "pid": s.pid,
                    "alive": s.alive,
                    "port": s.port,
                    "answering": s.answering,
                    "rss_bytes": s.rss_bytes,
                }
                for s in states
            ],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(f"{'service':<18} {'pid':>8}  {'alive':<5}  {'port':>5}  {'answers':<7}  rss")
        for s in states:
            answers = "-" if s.answering is None else ("yes" if s.answering else "NO")
            note = "" if s.enabled else "  (not enabled)"
            click.echo(
                f"{s.name:<18} {s.pid or '-':>8}  {'yes' if s.alive else 'NO':<5}  "
                f"{s.port or '-':>5}  {answers:<7}  {s.rss_bytes / 2**20:6.0f} MiB{note}"
            )
        total = sum(s.rss_bytes for s in states) / 2**30
        click.echo(f"total rss {total:.2f} GiB (shared pages counted per process)")
        click.echo(f"clouds.yaml: {layout.clouds_yaml}" if layout.clouds_yaml.is_file() else
                   f"clouds.yaml: none yet ({layout.clouds_yaml})")  # fmt: skip
        click.echo("healthy" if healthy else "NOT healthy")
    sys.exit(0 if healthy else 1)


@sandbox.command("purge")
@_state_dir_option
@click.option("--keep-venv", is_flag=True, help="Keep the installed venv (a later up is faster).")
@_guarded
def purge_command(state_dir: Path | None, keep_venv: bool) -> None:
    """Stop everything and delete the state directory: data, logs, clouds.yaml, venv."""
    from kiln.runtime.sandbox.manager import SandboxError, purge

    try:
        purge(_layout(state_dir), click.echo, keep_venv=keep_venv)
    except SandboxError as error:
        _fail(error)


@sandbox.command("env")
@_state_dir_option
@_guarded
def env_command(state_dir: Path | None) -> None:
    """Print shell exports for this sandbox: eval "$(kiln sandbox env)"."""
    import shlex

    from kiln.runtime.sandbox.facts import CLOUD, CLOUDS_ENV

    clouds = shlex.quote(str(_layout(state_dir).clouds_yaml))
    click.echo(f"export OS_CLIENT_CONFIG_FILE={clouds}")
    click.echo(f"export {CLOUDS_ENV}={clouds}")
    click.echo(f"export OS_CLOUD={CLOUD}")
