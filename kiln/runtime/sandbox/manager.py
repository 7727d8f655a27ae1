"""`up`, `down`, `status`, `purge`: the sandbox's life cycle, independent of the CLI.

Every function takes the state directory's `Layout` and an `echo` for progress lines; a
failure raises `SandboxError` with a message for the user (the CLI prints it, exit 1).
"""

import fcntl
import getpass
import grp
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiln.runtime.sandbox import facts, health, install, processes, render
from kiln.runtime.sandbox.layout import Layout, Settings, load_settings, save_settings
from kiln.runtime.sandbox.services import (
    CATALOG,
    DATABASES,
    SERVICE_USERS,
    SERVICES,
    STEPS,
    Step,
    selected_services,
    selected_steps,
    stop_order,
)
from kiln.runtime.sandbox.tasks import Outcome, Runner

Echo = Callable[[str], None]
LOG_TAIL_LINES = 30
STOP_TIMEOUT = 15.0
SCRIPTS = Path(__file__).parent / "scripts"


class SandboxError(Exception):
    """A failure to report to the user as it is (no traceback)."""


@contextmanager
def _locked(layout: Layout) -> Iterator[None]:
    """One `up`/`down`/`purge` at a time per state directory."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with (layout.root / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SandboxError(
                f"another `kiln sandbox` command is running on {layout.root}"
            ) from None
        yield


def _tail(path: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    if path is None or not path.is_file():
        return ""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64 * 1024))
        text = handle.read().decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _placeholders(layout: Layout, tools: install.SystemTools) -> dict[str, str]:
    databases = [name for group in DATABASES.values() for name in group]
    user = f"'{facts.DB_USER}'@'127.0.0.1'"
    sql = "".join(f"CREATE DATABASE IF NOT EXISTS `{name}`;" for name in databases)
    sql += f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY '{facts.DB_PASSWORD}';"
    sql += f"GRANT ALL PRIVILEGES ON *.* TO {user};FLUSH PRIVILEGES;"
    return {
        "state": str(layout.root),
        "venv": str(layout.venv),
        "etc": str(layout.etc),
        "data": str(layout.data),
        "logs": str(layout.logs),
        "home": str(layout.home),
        "python": str(layout.venv_python),
        "scripts": str(SCRIPTS),
        "user": getpass.getuser(),
        "group": grp.getgrgid(os.getegid()).gr_name,
        "mariadbd": tools.mariadbd,
        "mariadb": tools.mariadb,
        "mariadb_install_db": tools.mariadb_install_db,
        "rabbitmq_server": tools.rabbitmq_server,
        "epmd": tools.epmd,
        "admin_password": facts.ADMIN_PASSWORD,
        "keystone_url": facts.KEYSTONE_URL,
        "region": facts.REGION,
        "sql": sql,
    }


def _environment(layout: Layout) -> dict[str, str]:
    """A clean environment: the user's OS_*, proxies or PYTHONPATH must not reach the services."""
    path = f"{layout.venv}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    return {
        "PATH": path,
        "HOME": str(layout.home),  # ~/.gunicorn, ~/.novaclient land here, not in the real HOME
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
    }


def bootstrap_plan(layout: Layout, settings: Settings) -> dict[str, Any]:
    """What scripts/bootstrap.py creates: every name from `facts` and `services`."""
    groups = settings.groups
    return {
        "admin_auth": {
            "auth_url": facts.KEYSTONE_URL,
            "username": facts.ADMIN_USER,
            "password": facts.ADMIN_PASSWORD,
            "project_name": facts.ADMIN_PROJECT,
            "user_domain_name": facts.DOMAIN,
            "project_domain_name": facts.DOMAIN,
            "region_name": facts.REGION,
        },
        "region": facts.REGION,
        "domain": facts.DOMAIN,
        "service_project": facts.SERVICE_PROJECT,
        "service_password": facts.SERVICE_PASSWORD,
        "service_users": list(SERVICE_USERS),
        "extra_roles": ["heat_stack_owner", "heat_stack_user"],
        "demo": {
            "project": facts.DEMO_PROJECT,
            "user": facts.DEMO_USER,
            "password": facts.DEMO_PASSWORD,
            "roles": ["member", "reader", "heat_stack_owner"],
        },
        "catalog": [
            {"name": name, "type": kind, "url": url}
            for name, kind, url, group in CATALOG
            if group in groups
        ],
        "catalog_removed": [
            {"name": name, "type": kind} for name, kind, _, group in CATALOG if group not in groups
        ],
        "flavors": [
            {"name": f.name, "vcpus": f.vcpus, "ram": f.ram_mb, "disk": f.disk_gb}
            for f in facts.FLAVORS
        ],
        "image": {"name": facts.IMAGE, "size": facts.IMAGE_SIZE},
        "public": {
            "network": facts.PUBLIC_NETWORK,
            "subnet": facts.PUBLIC_SUBNET,
            "cidr": facts.PUBLIC_CIDR,
            "physnet": facts.PUBLIC_PHYSNET,
        },
        "quotas": facts.DEMO_QUOTAS,
        "discover_hosts": [
            f"{layout.venv}/bin/nova-manage",
            "--config-file",
            f"{layout.etc}/nova/nova.conf",
            "cell_v2",
            "discover_hosts",
        ],
        "ready_timeout": 180,
    }


def clouds_document() -> dict[str, Any]:
    def cloud(user: str, password: str, project: str) -> dict[str, Any]:
        return {
            "auth": {
                "auth_url": facts.KEYSTONE_URL,
                "username": user,
                "password": password,
                "project_name": project,
                "user_domain_name": facts.DOMAIN,
                "project_domain_name": facts.DOMAIN,
            },
            "region_name": facts.REGION,
            "identity_api_version": 3,
            "interface": "public",
        }

    return {
        "clouds": {
            facts.CLOUD: cloud(facts.DEMO_USER, facts.DEMO_PASSWORD, facts.DEMO_PROJECT),
            facts.ADMIN_CLOUD: cloud(facts.ADMIN_USER, facts.ADMIN_PASSWORD, facts.ADMIN_PROJECT),
        }
    }


def _write_clouds_yaml(layout: Layout) -> None:
    import yaml

    text = "# Written by `kiln sandbox up`.\n" + yaml.safe_dump(clouds_document(), sort_keys=False)
    layout.clouds_yaml.write_text(text)


class _Progress:
    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.began = time.monotonic()
        self.running: list[str] = []  # healthy already: listed once, at the end

    def phase(self, name: str) -> float:
        self.echo(f"-- {name}")
        return time.monotonic()

    def done(self, name: str, since: float) -> None:
        self.echo(f"   {name}: {time.monotonic() - since:.1f} s")

    def outcome(self, outcome: Outcome) -> None:
        if outcome.action == "running":
            self.running.append(outcome.name)
        if outcome.action in ("skipped", "running"):
            return
        self.echo(f"   {outcome.name:<18} {outcome.action:<8} {outcome.seconds:6.1f} s")


def _resolve_settings(layout: Layout, heat: bool | None, swift: bool | None) -> Settings:
    current = load_settings(layout)
    return Settings(
        with_heat=current.with_heat if heat is None else heat,
        with_swift=current.with_swift if swift is None else swift,
    )


def _check_state_dir(layout: Layout) -> None:
    if layout.root.is_dir() and any(layout.root.iterdir()) and not layout.is_sandbox():
        names = {path.name for path in layout.root.iterdir()}
        if names - {".lock"}:
            raise SandboxError(
                f"{layout.root} is not empty and is not a Kiln sandbox: choose another --state-dir"
            )


def up(
    layout: Layout,
    echo: Echo,
    *,
    heat: bool | None = None,
    swift: bool | None = None,
    python: str | None = None,
) -> Settings:
    """Bring the sandbox up (idempotent: healthy services are only checked)."""
    _check_state_dir(layout)
    with _locked(layout):
        settings = _resolve_settings(layout, heat, swift)
        save_settings(layout, settings)  # the marker first: `purge` may then delete the rest
        layout.create()
        progress = _Progress(echo)
        echo(f"kiln sandbox: {layout.root}")

        since = progress.phase("install")
        tools, apt_ran = install.ensure_system_tools(layout.log("install-apt"))
        if apt_ran:
            echo(f"   apt-get install {' '.join(install.APT_PACKAGES)}: done")
        base = python or install.base_python()
        if not install.venv_current(layout, base):
            running = processes.records(layout.pids)
            if running:  # they run from the venv about to be replaced
                echo("   stopping the sandbox: its venv is rebuilt")
                _stop_records(running, layout)
            echo(f"   building the OpenStack venv with {base} (pip, a minute or two)")
            install.build_venv(layout, base, layout.log("install-pip"))
        progress.done("install", since)

        since = progress.phase("configure")
        render.render_all(layout)
        plan = bootstrap_plan(layout, settings)
        (layout.etc / "bootstrap.json").write_text(json.dumps(plan, indent=2) + "\n")
        progress.done("configure", since)

        _stop_unselected(layout, settings, echo)
        since = progress.phase("services")
        venv_key = install.installed_hash(layout) or ""

        def stamp_key(step: Step) -> str:
            uses_venv = any("{venv}" in a or "{python}" in a for c in step.commands for a in c.argv)
            groups = ",".join(sorted(settings.groups)) if step.per_selection else ""
            return f"{venv_key if uses_venv else 'system'}|{groups}\n"

        runner = Runner(
            layout, _placeholders(layout, tools), _environment(layout), stamp_key, STEPS
        )
        try:
            failure = runner.execute(
                selected_services(settings.groups),
                selected_steps(settings.groups),
                progress.outcome,
            )
        except BaseException:
            _stop_started(runner, layout)
            raise
        if failure is not None:
            _stop_started(runner, layout)
            tail = _tail(failure.log)
            where = f"\n--- last lines of {failure.log}:\n{tail}" if tail else ""
            raise SandboxError(f"{failure.error}{where}")
        if progress.running:
            echo(f"   already running: {', '.join(progress.running)}")
        progress.done("services", since)
        _write_clouds_yaml(layout)
        started = len(runner.started)
        echo(
            f"kiln sandbox is up ({started} process groups started) in "
            f"{time.monotonic() - progress.began:.1f} s"
        )
        echo(f"clouds.yaml: {layout.clouds_yaml} (clouds {facts.CLOUD}, {facts.ADMIN_CLOUD})")
        return settings


def _stop_started(runner: Runner, layout: Layout) -> None:
    if runner.started:
        _stop_records(list(runner.started), layout)


def _stop_records(
    records: list[processes.Record], layout: Layout, echo: Echo | None = None
) -> processes.Stopped:
    by_name = {record.name: record for record in records}
    killed: list[str] = []
    survivors: list[str] = []
    for wave in stop_order(set(by_name)):
        began = time.monotonic()
        result = processes.stop(
            [by_name[name] for name in wave], timeout=STOP_TIMEOUT, pid_dir=layout.pids
        )
        if echo is not None:
            names = ", ".join(wave) if len(wave) <= 3 else f"{len(wave)} OpenStack services"
            echo(f"   stopped {names}: {time.monotonic() - began:.1f} s")
        killed.extend(result.killed)
        survivors.extend(result.survivors)
    return processes.Stopped(tuple(killed), tuple(survivors))


def _stop_unselected(layout: Layout, settings: Settings, echo: Echo) -> None:
    """Services of a group just disabled (`--without-heat`) stop before the others start."""
    wanted = {service.name for service in selected_services(settings.groups)}
    extra = [r for r in processes.records(layout.pids) if r.name not in wanted]
    if extra:
        echo(f"   stopping {', '.join(sorted(r.name for r in extra))} (not enabled)")
        _stop_records(extra, layout)


def down(layout: Layout, echo: Echo) -> None:
    """Stop every recorded process group: OpenStack first, then RabbitMQ, epmd, MariaDB."""
    if not layout.pids.is_dir():
        echo(f"kiln sandbox: nothing recorded in {layout.root}")
        return
    with _locked(layout):
        began = time.monotonic()
        records = processes.records(layout.pids)
        if not records:
            echo("kiln sandbox: nothing is running")
            return
        result = _stop_records(records, layout, echo)
        if result.killed:
            echo(f"   needed SIGKILL: {', '.join(result.killed)}")
        took = time.monotonic() - began
        echo(f"kiln sandbox: stopped {len(records)} process groups in {took:.1f} s")
        if result.survivors:
            left = ", ".join(result.survivors)
            raise SandboxError(f"still running after SIGKILL: {left} (see ps -eo pid,pgid,cmd)")


@dataclass(frozen=True, slots=True)
class ServiceState:
    name: str
    enabled: bool
    pid: int | None
    alive: bool
    port: int | None
    answering: bool | None  # None: no port to ask
    rss_bytes: int

    @property
    def healthy(self) -> bool:
        return self.alive and self.answering is not False


def status(layout: Layout) -> tuple[list[ServiceState], bool]:
    """Each known or recorded service: pid alive, port answering, memory. (states, all healthy)"""
    settings = load_settings(layout)
    enabled = {service.name for service in selected_services(settings.groups)}
    recorded = {record.name: record for record in processes.records(layout.pids)}
    states = []
    for service in SERVICES:
        if service.name not in enabled and service.name not in recorded:
            continue
        record = recorded.get(service.name)
        alive = record is not None and processes.leader_alive(record)
        answering = None
        if service.port is not None:
            answering = alive and health.answers(service.port, service.check)
        rss = processes.group_rss_bytes(record.pgid) if alive and record else 0
        states.append(
            ServiceState(
                service.name,
                service.name in enabled,
                record.pid if record else None,
                alive,
                service.port,
                answering,
                rss,
            )
        )
    healthy = layout.is_sandbox() and all(s.healthy for s in states if s.enabled)
    return states, healthy and layout.clouds_yaml.is_file()


def purge(layout: Layout, echo: Echo, *, keep_venv: bool = False) -> None:
    """Stop everything and delete the state directory (all data; the venv too unless kept)."""
    if not layout.root.exists():
        echo(f"kiln sandbox: {layout.root} does not exist")
        return
    if not layout.is_sandbox():
        raise SandboxError(f"{layout.root} has no {layout.marker.name}: not deleting it")
    down(layout, echo)
    with _locked(layout):
        for path in layout.root.iterdir():
            if path.name == ".lock" or (keep_venv and path == layout.venv):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        if keep_venv:
            save_settings(layout, Settings())  # still a sandbox: the venv stays ours
    if not keep_venv:
        shutil.rmtree(layout.root, ignore_errors=True)
    echo(f"kiln sandbox: purged {layout.root}" + (" (venv kept)" if keep_venv else ""))
