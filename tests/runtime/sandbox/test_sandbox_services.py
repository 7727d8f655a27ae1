"""The service table is consistent: what each entry needs exists in every selection, nothing
depends on itself, ports do not clash, every placeholder and config file a command names is
provided, and services stop before what they stand on."""

import itertools
import re
from pathlib import Path

import pytest

from kiln.runtime.sandbox import facts
from kiln.runtime.sandbox.install import SystemTools
from kiln.runtime.sandbox.layout import Layout, Settings
from kiln.runtime.sandbox.manager import _placeholders, bootstrap_plan, clouds_document
from kiln.runtime.sandbox.render import CONFIG_FILES
from kiln.runtime.sandbox.services import (
    CATALOG,
    PORTS,
    SERVICES,
    STEPS,
    selected_services,
    selected_steps,
    stop_order,
)

SELECTIONS = [
    Settings(with_heat=heat, with_swift=swift)
    for heat, swift in itertools.product([False, True], repeat=2)
]
TOOLS = SystemTools("/m/mariadbd", "/m/mariadb", "/m/install-db", "/r/rabbitmq-server", "/e/epmd")


def test_names_are_unique() -> None:
    names = [s.name for s in SERVICES] + [s.name for s in STEPS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("settings", SELECTIONS, ids=lambda s: ",".join(sorted(s.groups)))
def test_every_selection_is_closed_and_acyclic(settings: Settings) -> None:
    services, steps = selected_services(settings.groups), selected_steps(settings.groups)
    needs = {s.name: {*s.depends, *s.setup} for s in services}
    needs |= {s.name: {*s.depends, *s.after} for s in steps}
    for name, wanted in needs.items():
        assert wanted <= needs.keys(), f"{name} needs {wanted - needs.keys()}"
    done: set[str] = set()
    while len(done) < len(needs):  # a topological order exists
        ready = {n for n, w in needs.items() if n not in done and w <= done}
        assert ready, f"cycle among {sorted(needs.keys() - done)}"
        done |= ready


def test_ports_do_not_clash() -> None:
    ports = [p for s in SERVICES for p in (s.port, *s.other_ports) if p is not None]
    assert len(ports) == len(set(ports))
    assert set(ports) <= set(PORTS.values())


def test_catalog_points_at_the_services_ports() -> None:
    served = {s.port for s in SERVICES if s.check == "http"}
    for _, _, url, _ in CATALOG:
        port = int(re.search(r":(\d+)", url.removeprefix("http://"))[1])  # type: ignore[index]
        assert port in served, url


def test_every_placeholder_and_config_file_is_provided(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    values = _placeholders(layout, TOOLS)
    rendered = {str(layout.etc / c.output) for c in CONFIG_FILES} | {f"{layout.etc}/bootstrap.json"}
    rendered |= {str(Path(path).parent) for path in rendered}  # a config directory
    texts = [a for s in SERVICES for a in s.argv] + [v for s in SERVICES for _, v in s.env]
    texts += [a for s in STEPS for c in s.commands for a in c.argv]
    for text in texts:
        expanded = text.format_map(values)  # KeyError: a placeholder nobody provides
        for path in re.findall(rf"{re.escape(str(layout.etc))}/[\w./-]+", expanded):
            if Path(path).suffix in ("", ".conf", ".ini", ".json"):  # not the rings they write
                assert path in rendered, f"{text}: {path} is not rendered"


def test_services_stop_before_the_infrastructure_they_stand_on() -> None:
    # OpenStack services stop together (keystone with the rest); MariaDB, RabbitMQ and epmd
    # only after everything that uses them, RabbitMQ before epmd.
    names = {s.name for s in SERVICES}
    position = {name: i for i, wave in enumerate(stop_order(names)) for name in wave}
    assert position.keys() == names
    infra = {s.name for s in SERVICES if s.group == "infra"}
    for service in SERVICES:
        for dependency in service.depends:
            if dependency in infra:
                assert position[service.name] < position[dependency], (service.name, dependency)
    assert position["rabbitmq"] < position["epmd"]


def test_unknown_records_are_stopped_first() -> None:
    assert "left-over" in stop_order({"mariadb", "left-over"})[0]


def test_bootstrap_plan_follows_the_selection(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    core = bootstrap_plan(layout, Settings())
    both = bootstrap_plan(layout, Settings(with_heat=True, with_swift=True))
    core_types = {entry["type"] for entry in core["catalog"]}
    assert "orchestration" not in core_types and "object-store" not in core_types
    assert {"orchestration", "object-store"} <= {e["type"] for e in core["catalog_removed"]}
    assert {e["type"] for e in both["catalog"]} == {kind for _, kind, _, _ in CATALOG}
    assert both["catalog_removed"] == []
    assert [f["name"] for f in core["flavors"]] == [f.name for f in facts.FLAVORS]
    assert core["public"]["network"] == facts.PUBLIC_NETWORK


def test_clouds_yaml_names_the_demo_and_admin_clouds() -> None:
    clouds = clouds_document()["clouds"]
    assert clouds[facts.CLOUD]["auth"]["project_name"] == facts.DEMO_PROJECT
    assert clouds[facts.ADMIN_CLOUD]["auth"]["username"] == facts.ADMIN_USER
    assert {c["auth"]["auth_url"] for c in clouds.values()} == {facts.KEYSTONE_URL}
