"""The rendered configuration, as pure units: every option the reference sandbox needed is there
(each one fixed a failure, see reference/openstack-sandbox.md), and nothing leaves the state
directory or loopback."""

import configparser
import re
import tomllib
from pathlib import Path

import pytest

from kiln.runtime.sandbox import facts
from kiln.runtime.sandbox.layout import Layout
from kiln.runtime.sandbox.render import CONFIG_FILES, render_all
from kiln.runtime.sandbox.services import PORTS, SERVICE_USERS, SWIFT_SYSLOG_PORT

FAKE_MECH = Path(__file__).resolve().parents[3] / "kiln/runtime/sandbox/fake_mech/pyproject.toml"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    layout = Layout(tmp_path_factory.mktemp("state"))
    render_all(layout)
    return layout


def ini(layout: Layout, name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.read_string((layout.etc / name).read_text())
    return parser


# RabbitMQ's files are not INI (sysctl-like, Erlang terms, shell).
INI_FILES = [c.output for c in CONFIG_FILES if not c.output.startswith("rabbitmq/")]


def test_every_file_is_rendered_completely(rendered: Layout) -> None:
    for config in CONFIG_FILES:
        text = (rendered.etc / config.output).read_text()
        assert "{{" not in text and "{%" not in text, config.output


@pytest.mark.parametrize("name", INI_FILES)
def test_ini_files_parse_and_stay_under_the_state_dir(rendered: Layout, name: str) -> None:
    parser = ini(rendered, name)  # strict: a duplicated section or option fails here
    for section in parser.sections():
        for key, raw in parser.items(section, raw=True):
            value = raw.removeprefix("sqlite:///")  # then an absolute path
            for path in re.findall(r"(?<![\w:/])/[\w./-]+", value):
                assert path.startswith(str(rendered.root)), f"{name} [{section}] {key} = {value}"
            if key in ("bind_ip", "bind_host", "my_ip"):
                assert value == "127.0.0.1", f"{name} [{section}] {key}"
            if key.endswith(("url", "uri", "connection")) and "://" in value:
                assert "@127.0.0.1:" in value or "//127.0.0.1:" in value, f"{name} {key}"


@pytest.mark.parametrize("name", [n for n in INI_FILES if n.split("/")[0] != "swift"])
def test_authtoken_everywhere_with_service_token_roles(rendered: Layout, name: str) -> None:
    parser = ini(rendered, name)
    if not parser.has_section("keystone_authtoken"):
        assert name in ("keystone/keystone.conf", "neutron/plugins/ml2/ml2_conf.ini")
        return
    section = parser["keystone_authtoken"]
    assert section["service_token_roles_required"] == "true"
    assert section["username"] in SERVICE_USERS
    assert section["password"] == facts.SERVICE_PASSWORD
    assert parser["oslo_messaging_notifications"]["driver"] == "noop"


def test_keystone_keeps_every_key_repository_in_the_state_dir(rendered: Layout) -> None:
    keystone = ini(rendered, "keystone/keystone.conf")
    for section in ("fernet_tokens", "fernet_receipts", "credential"):
        # [fernet_receipts] unset made fernet_setup create /etc/keystone/fernet-keys
        assert keystone[section]["key_repository"].startswith(str(rendered.data))
    assert keystone["token"]["provider"] == "fernet"


def test_nova_compute_has_no_database_and_a_stable_fake_node(rendered: Layout) -> None:
    api, compute = ini(rendered, "nova/nova.conf"), ini(rendered, "nova/nova-cpu.conf")
    assert api.has_section("database") and api.has_section("api_database")
    assert not compute.has_section("database") and not compute.has_section("api_database")
    for conf in (api, compute):
        assert conf["DEFAULT"]["compute_driver"] == "fake.FakeDriverWithoutFakeNodes"
        assert conf["DEFAULT"]["host"] == facts.COMPUTE_HOST
        assert conf["DEFAULT"]["vif_plugging_is_fatal"] == "false"
        assert conf["service_user"]["send_service_user_token"] == "true"
        assert conf["vnc"]["enabled"] == "false"


def test_placement_is_on_mariadb(rendered: Layout) -> None:
    # SQLite answered 500 (database is locked) when 20 servers booted at once.
    connection = ini(rendered, "placement/placement.conf")["placement_database"]["connection"]
    assert connection.startswith("mysql+pymysql://")
    assert f":{PORTS['mysql']}/placement" in connection


def test_neutron_binds_with_the_sandbox_driver(rendered: Layout) -> None:
    ml2 = ini(rendered, "neutron/plugins/ml2/ml2_conf.ini")["ml2"]
    entry_points = tomllib.loads(FAKE_MECH.read_text())["project"]["entry-points"]
    assert ml2["mechanism_drivers"] in entry_points["neutron.ml2.mechanism_drivers"]
    assert ml2["tenant_network_types"] == "vxlan"
    neutron = ini(rendered, "neutron/neutron.conf")["DEFAULT"]
    assert (neutron["core_plugin"], neutron["rpc_workers"]) == ("ml2", "0")


def test_cinder_uses_the_fake_backend_and_its_filters_file(rendered: Layout) -> None:
    cinder = ini(rendered, "cinder/cinder.conf")
    backend = cinder["DEFAULT"]["enabled_backends"]
    assert cinder[backend]["volume_driver"].endswith("FakeLoggingVolumeDriver")
    assert cinder["DEFAULT"]["resource_query_filters_file"].endswith("resource_filters.json")


@pytest.mark.parametrize("ring", ["proxy", "account", "container", "object"])
def test_swift_logs_to_our_sink_and_reads_its_own_dir(rendered: Layout, ring: str) -> None:
    default = ini(rendered, f"swift/{ring}-server.conf")["DEFAULT"]
    assert default["log_udp_port"] == str(SWIFT_SYSLOG_PORT)
    assert default["swift_dir"] == str(rendered.etc / "swift")
    assert default["mount_check"] == "false"
    key = "swift" if ring == "proxy" else f"swift_{ring}"
    assert default["bind_port"] == str(PORTS[key])


def test_rabbitmq_listens_on_loopback_only(rendered: Layout) -> None:
    text = (rendered.etc / "rabbitmq/rabbitmq.conf").read_text()
    assert f"listeners.tcp.default = 127.0.0.1:{PORTS['rabbit']}" in text


def test_rendering_again_leaves_unchanged_files_alone(rendered: Layout) -> None:
    path = rendered.etc / "nova/nova.conf"
    before = path.stat().st_mtime_ns
    render_all(rendered)
    assert path.stat().st_mtime_ns == before
