"""The sandbox as data: every service and every setup step, with what each needs first.

Placeholders in commands and environments ({venv}, {etc}, ...) are filled in by
`manager.placeholders`. A service is healthy when its process group lives and, if it has a
port, the port answers (`http`: any response below 500 to GET /). Groups: `infra` and `core`
always run; `heat` and `swift` only when enabled.
"""

from dataclasses import dataclass, field
from typing import Final

# Ports on 127.0.0.1 (the reference prototype's defaults).
MYSQL_PORT: Final = 13306
RABBIT_PORT: Final = 5672
RABBIT_DIST_PORT: Final = 25672
EPMD_PORT: Final = 4369
SWIFT_SYSLOG_PORT: Final = 5514  # UDP

PORTS: Final = {
    "keystone": 5000,
    "placement": 8778,
    "glance": 9292,
    "neutron": 9696,
    "nova": 8774,
    "cinder": 8776,
    "heat": 8004,
    "heat_cfn": 8000,
    "swift": 8080,
    "swift_account": 6202,
    "swift_container": 6201,
    "swift_object": 6200,
    "mysql": MYSQL_PORT,
    "rabbit": RABBIT_PORT,
    "rabbit_dist": RABBIT_DIST_PORT,
    "epmd": EPMD_PORT,
}

# The catalog: (service name, type, URL, group). Cinder answers as both types (clients differ).
_URL = "http://127.0.0.1:{}"
CATALOG: Final = (
    ("nova", "compute", _URL.format(PORTS["nova"]) + "/v2.1", "core"),
    ("placement", "placement", _URL.format(PORTS["placement"]), "core"),
    ("glance", "image", _URL.format(PORTS["glance"]), "core"),
    ("neutron", "network", _URL.format(PORTS["neutron"]), "core"),
    ("cinder", "block-storage", _URL.format(PORTS["cinder"]) + "/v3", "core"),
    ("cinderv3", "volumev3", _URL.format(PORTS["cinder"]) + "/v3", "core"),
    ("heat", "orchestration", _URL.format(PORTS["heat"]) + "/v1/%(project_id)s", "heat"),
    ("heat-cfn", "cloudformation", _URL.format(PORTS["heat_cfn"]) + "/v1", "heat"),
    ("swift", "object-store", _URL.format(PORTS["swift"]) + "/v1/AUTH_%(project_id)s", "swift"),
)
SERVICE_USERS: Final = ("nova", "neutron", "glance", "cinder", "placement", "heat", "swift")

# The databases on MariaDB (keystone and glance use SQLite: one process each).
DATABASES: Final = {
    "core": ("placement", "nova_api", "nova", "nova_cell0", "neutron", "cinder"),
    "heat": ("heat",),
}


@dataclass(frozen=True, slots=True)
class Command:
    argv: tuple[str, ...]
    ok: tuple[int, ...] = (0,)  # accepted exit codes


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    group: str
    argv: tuple[str, ...]
    port: int | None = None
    check: str = "tcp"  # tcp | http | process (no port: a live process is healthy)
    depends: tuple[str, ...] = ()  # services that must answer first
    setup: tuple[str, ...] = ()  # steps that must have run first
    env: tuple[tuple[str, str], ...] = ()
    other_ports: tuple[int, ...] = ()  # also bound: checked for conflicts before starting
    timeout: float = 120.0  # seconds to become healthy
    dirs: tuple[str, ...] = ()  # directories to create first


@dataclass(frozen=True, slots=True)
class Step:
    """A setup command list. A stamped step runs once per state (and after a venv rebuild)."""

    name: str
    group: str
    commands: tuple[Command, ...]
    depends: tuple[str, ...] = ()  # services that must answer first
    after: tuple[str, ...] = ()  # steps that must have run first
    stamped: bool = True
    per_selection: bool = False  # run again when the enabled groups change
    only_after_start: bool = False  # skipped unless this run started one of `depends`
    light: bool = False  # mostly waits (API calls): runs without taking a CPU slot
    timeout: float = 600.0
    dirs: tuple[str, ...] = field(default=())  # directories to create first


def _c(line: str, *more: str, ok: tuple[int, ...] = (0,)) -> Command:
    """A command from a line split on spaces (placeholders hold no spaces), plus `more`."""
    return Command((*line.split(), *more), ok)


def _wsgi(name: str, port: int, app: str, *config_files: str) -> tuple[str, ...]:
    args = [item for path in config_files for item in ("--config-file", path)]
    head = ("{python}", "{scripts}/wsgi_serve.py", "--name", name, "--port", str(port))
    return (*head, "--app", app, "--", *args)


_KEYSTONE = "{venv}/bin/keystone-manage --config-file {etc}/keystone/keystone.conf"
_KEYSTONE_OWNER = "--keystone-user {user} --keystone-group {group}"
_NOVA = "{venv}/bin/nova-manage --config-file {etc}/nova/nova.conf"
_NEUTRON_CONF = ("{etc}/neutron/neutron.conf", "{etc}/neutron/plugins/ml2/ml2_conf.ini")
_NEUTRON_ARGS = ("--config-file", _NEUTRON_CONF[0], "--config-file", _NEUTRON_CONF[1])
_CINDER_CONF = "{etc}/cinder/cinder.conf"
_HEAT_CONF = "{etc}/heat/heat.conf"
_BOOTSTRAP = "{python} {scripts}/bootstrap.py"


def _ring(ring: str) -> tuple[Command, ...]:
    port = PORTS[f"swift_{ring}"]
    builder = f"{{venv}}/bin/swift-ring-builder {{etc}}/swift/{ring}.builder"
    return (
        _c(f"rm -f {{etc}}/swift/{ring}.builder {{etc}}/swift/{ring}.ring.gz"),
        _c(f"{builder} create 8 1 1"),
        _c(f"{builder} add r1z1-127.0.0.1:{port}/d1 1"),
        # rebalance exits 1 for "done, with warnings" (one device, one replica).
        _c(f"{builder} rebalance", ok=(0, 1)),
    )


# In order of priority: when CPU slots are scarce, the earlier step runs first (the keystone
# chain, then the longest db syncs).
STEPS: Final = (
    Step(
        "mysql-datadir",
        "infra",
        (
            _c("rm -rf {data}/mysql"),
            _c(
                "{mariadb_install_db} --no-defaults --datadir={data}/mysql --user={user}"
                " --auth-root-authentication-method=normal --skip-test-db"
            ),
        ),
    ),
    Step(
        "databases",
        "infra",
        (_c("{mariadb} --no-defaults --socket={data}/mysql/mysqld.sock -uroot -e", "{sql}"),),
        depends=("mariadb",),
        light=True,
    ),
    Step(
        "keystone-db",
        "core",
        (
            _c(f"{_KEYSTONE} fernet_setup {_KEYSTONE_OWNER}"),
            _c(f"{_KEYSTONE} credential_setup {_KEYSTONE_OWNER}"),
            _c(f"{_KEYSTONE} db_sync"),
            _c(
                f"{_KEYSTONE} bootstrap --bootstrap-password {{admin_password}}"
                " --bootstrap-admin-url {keystone_url} --bootstrap-internal-url {keystone_url}"
                " --bootstrap-public-url {keystone_url} --bootstrap-region-id {region}"
            ),
        ),
        dirs=("{data}/keystone/fernet-keys", "{data}/keystone/credential-keys"),
    ),
    Step(
        "identity",
        "core",
        (_c(f"{_BOOTSTRAP} identity {{etc}}/bootstrap.json"),),
        depends=("keystone",),
        per_selection=True,
        light=True,
    ),
    Step(
        "nova-db",
        "core",
        (
            _c(f"{_NOVA} api_db sync"),
            _c(f"{_NOVA} cell_v2 map_cell0"),
            # exit 2: a cell with this database and transport already exists
            _c(f"{_NOVA} cell_v2 create_cell --name cell1", ok=(0, 2)),
            _c(f"{_NOVA} db sync"),
        ),
        after=("databases",),
        dirs=("{data}/nova/instances",),
    ),
    Step(
        "placement-db",
        "core",
        (_c("{venv}/bin/placement-manage --config-file {etc}/placement/placement.conf db sync"),),
        after=("databases",),
    ),
    Step(
        "neutron-db",
        "core",
        (_c("{venv}/bin/neutron-db-manage", *_NEUTRON_ARGS, "upgrade", "heads"),),
        after=("databases",),
    ),
    Step(
        "cinder-db",
        "core",
        (_c(f"{{venv}}/bin/cinder-manage --config-file {_CINDER_CONF} db sync"),),
        after=("databases",),
    ),
    Step(
        "glance-db",
        "core",
        (_c("{venv}/bin/glance-manage --config-file {etc}/glance/glance-api.conf db_sync"),),
        dirs=("{data}/glance/images", "{data}/glance/staging", "{data}/glance/tasks"),
    ),
    Step(
        "heat-db",
        "heat",
        (_c(f"{{venv}}/bin/heat-manage --config-file {_HEAT_CONF} db_sync"),),
        after=("databases",),
    ),
    *(
        Step(f"swift-ring-{ring}", "swift", _ring(ring), dirs=("{data}/swift/node/d1",))
        for ring in ("account", "container", "object")
    ),
    # Waits for nova-compute (discover_hosts until the hypervisor shows) and cinder-volume.
    Step(
        "ready",
        "core",
        (_c(f"{_BOOTSTRAP} ready {{etc}}/bootstrap.json"),),
        depends=("nova-compute", "nova-api", "cinder-volume", "cinder-api", "neutron"),
        stamped=False,
        only_after_start=True,
        light=True,
    ),
    Step(
        "resources",
        "core",
        (_c(f"{_BOOTSTRAP} resources {{etc}}/bootstrap.json"),),
        depends=("glance", "neutron", "nova-api", "cinder-api"),
        after=("ready",),
        per_selection=True,
        light=True,
    ),
)

_ERL_LOOPBACK = "-kernel inet_dist_use_interface {{127,0,0,1}}"
_OPENSTACK = ("identity",)  # every OpenStack service needs its keystone user first
# What a service stands on at start. Listed even where a setup step implies it: a stamped step
# is skipped on a later `up`, and then only these keep the order.
_DB_MQ = ("mariadb", "rabbitmq", "keystone")

SERVICES: Final = (
    Service(
        "mariadb",
        "infra",
        (
            "{mariadbd}",
            "--no-defaults",
            "--datadir={data}/mysql",
            "--socket={data}/mysql/mysqld.sock",
            "--pid-file={data}/mysql/mysqld.pid",
            f"--port={MYSQL_PORT}",
            "--bind-address=127.0.0.1",
            "--user={user}",
            "--skip-name-resolve",
            "--max-connections=1000",
            "--innodb-buffer-pool-size=128M",
            # Throw-away data: speed over durability; native AIO off as a precaution.
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            "--innodb-use-native-aio=0",
        ),
        port=MYSQL_PORT,
        setup=("mysql-datadir",),
        timeout=60.0,
    ),
    Service(
        "epmd",
        "infra",
        ("{epmd}", "-address", "127.0.0.1", "-port", str(EPMD_PORT)),
        port=EPMD_PORT,
        timeout=30.0,
    ),
    Service(
        "rabbitmq",
        "infra",
        ("{rabbitmq_server}",),
        port=RABBIT_PORT,
        depends=("epmd",),
        other_ports=(RABBIT_DIST_PORT,),
        env=(
            ("RABBITMQ_NODENAME", "rabbit@localhost"),
            ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
            ("RABBITMQ_NODE_PORT", str(RABBIT_PORT)),
            ("RABBITMQ_DIST_PORT", str(RABBIT_DIST_PORT)),
            # {{ }}: literal braces after placeholder expansion (an Erlang tuple).
            ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", _ERL_LOOPBACK),
            ("ERL_EPMD_ADDRESS", "127.0.0.1"),
            ("ERL_EPMD_PORT", str(EPMD_PORT)),
            ("RABBITMQ_CONF_ENV_FILE", "{etc}/rabbitmq/rabbitmq-env.conf"),
            ("RABBITMQ_CONFIG_FILE", "{etc}/rabbitmq/rabbitmq.conf"),
            ("RABBITMQ_ENABLED_PLUGINS_FILE", "{etc}/rabbitmq/enabled_plugins"),
            ("RABBITMQ_MNESIA_BASE", "{data}/rabbitmq/mnesia"),
            ("RABBITMQ_LOG_BASE", "{logs}"),
            ("RABBITMQ_LOGS", "-"),
            ("HOME", "{data}/rabbitmq"),  # the Erlang cookie
        ),
        dirs=("{data}/rabbitmq/mnesia",),
        timeout=90.0,
    ),
    Service(
        "swift-syslog",
        "swift",
        ("{python}", "{scripts}/swift_syslog.py", str(SWIFT_SYSLOG_PORT), "{logs}/swift.log"),
        check="process",
    ),
    Service(
        "keystone",
        "core",
        _wsgi("keystone", PORTS["keystone"], "keystone.wsgi.api:application"),
        port=PORTS["keystone"],
        check="http",
        setup=("keystone-db",),
        env=(("OS_KEYSTONE_CONFIG_DIR", "{etc}/keystone"),),
    ),
    Service(
        "placement",
        "core",
        _wsgi("placement", PORTS["placement"], "placement.wsgi.api:application"),
        port=PORTS["placement"],
        check="http",
        depends=("mariadb", "keystone"),
        setup=("placement-db", *_OPENSTACK),
        env=(("OS_PLACEMENT_CONFIG_DIR", "{etc}/placement"),),
    ),
    Service(
        "glance",
        "core",
        _wsgi("glance-api", PORTS["glance"], "glance.wsgi.api:application"),
        port=PORTS["glance"],
        check="http",
        depends=("keystone",),
        setup=("glance-db", *_OPENSTACK),
        env=(("OS_GLANCE_CONFIG_DIR", "{etc}/glance"),),
    ),
    Service(
        "neutron",
        "core",
        _wsgi("neutron-api", PORTS["neutron"], "neutron.wsgi.api:application", *_NEUTRON_CONF),
        port=PORTS["neutron"],
        check="http",
        depends=_DB_MQ,
        setup=("neutron-db", *_OPENSTACK),
    ),
    Service(
        "nova-api",
        "core",
        _wsgi("nova-api", PORTS["nova"], "nova.wsgi.osapi_compute:application"),
        port=PORTS["nova"],
        check="http",
        depends=_DB_MQ,
        setup=("nova-db", *_OPENSTACK),
        # The first file is the paste config (wsgi_app loads the app from it), then nova.conf.
        env=(
            ("OS_NOVA_CONFIG_DIR", "{etc}/nova"),
            ("OS_NOVA_CONFIG_FILES", "{venv}/etc/nova/api-paste.ini;nova.conf"),
        ),
    ),
    Service(
        "nova-conductor",
        "core",
        ("{venv}/bin/nova-conductor", "--config-file", "{etc}/nova/nova.conf"),
        check="process",
        # It builds a placement client at start and exits if placement does not answer yet.
        depends=(*_DB_MQ, "placement"),
        setup=("nova-db", *_OPENSTACK),
    ),
    Service(
        "nova-scheduler",
        "core",
        ("{venv}/bin/nova-scheduler", "--config-file", "{etc}/nova/nova.conf"),
        check="process",
        depends=(*_DB_MQ, "placement"),
        setup=("nova-db", *_OPENSTACK),
    ),
    Service(
        "nova-compute",
        "core",
        # nova-cpu.conf has no database sections: compute must not reach the DB (as DevStack).
        ("{venv}/bin/nova-compute", "--config-file", "{etc}/nova/nova-cpu.conf"),
        check="process",
        depends=("rabbitmq", "keystone", "placement", "nova-conductor"),
        setup=("nova-db", *_OPENSTACK),
    ),
    Service(
        "cinder-api",
        "core",
        _wsgi("cinder-api", PORTS["cinder"], "cinder.wsgi.api:application", _CINDER_CONF),
        port=PORTS["cinder"],
        check="http",
        depends=_DB_MQ,
        setup=("cinder-db", *_OPENSTACK),
    ),
    Service(
        "cinder-scheduler",
        "core",
        ("{venv}/bin/cinder-scheduler", "--config-file", _CINDER_CONF),
        check="process",
        depends=_DB_MQ,
        setup=("cinder-db", *_OPENSTACK),
    ),
    Service(
        "cinder-volume",
        "core",
        ("{venv}/bin/cinder-volume", "--config-file", _CINDER_CONF),
        check="process",
        depends=_DB_MQ,
        setup=("cinder-db", *_OPENSTACK),
    ),
    Service(
        "heat-api",
        "heat",
        _wsgi("heat-api", PORTS["heat"], "heat.wsgi.api:application", _HEAT_CONF),
        port=PORTS["heat"],
        check="http",
        depends=_DB_MQ,
        setup=("heat-db", *_OPENSTACK),
    ),
    Service(
        "heat-api-cfn",
        "heat",
        _wsgi("heat-api-cfn", PORTS["heat_cfn"], "heat.wsgi.cfn:application", _HEAT_CONF),
        port=PORTS["heat_cfn"],
        check="http",
        depends=_DB_MQ,
        setup=("heat-db", *_OPENSTACK),
    ),
    Service(
        "heat-engine",
        "heat",
        ("{venv}/bin/heat-engine", "--config-file", _HEAT_CONF),
        check="process",
        depends=_DB_MQ,
        setup=("heat-db", *_OPENSTACK),
    ),
    *(
        Service(
            f"swift-{ring}",
            "swift",
            (f"{{venv}}/bin/swift-{ring}-server", f"{{etc}}/swift/{ring}-server.conf"),
            port=PORTS[f"swift_{ring}"],
            check="http",
            depends=("swift-syslog",),
            setup=(f"swift-ring-{ring}",),
            dirs=("{data}/swift/cache",),
        )
        for ring in ("account", "container", "object")
    ),
    Service(
        "swift-proxy",
        "swift",
        ("{venv}/bin/swift-proxy-server", "{etc}/swift/proxy-server.conf"),
        port=PORTS["swift"],
        check="http",
        depends=("keystone", "swift-account", "swift-container", "swift-object"),
        setup=("swift-ring-account", "swift-ring-container", "swift-ring-object", *_OPENSTACK),
    ),
)

SERVICE_NAMES: Final = tuple(service.name for service in SERVICES)


def selected_services(groups: frozenset[str]) -> tuple[Service, ...]:
    return tuple(service for service in SERVICES if service.group in groups)


def selected_steps(groups: frozenset[str]) -> tuple[Step, ...]:
    return tuple(step for step in STEPS if step.group in groups)


def stop_order(names: set[str]) -> list[list[str]]:
    """Waves to stop `names` in: a service stops before everything it depends on.

    Names not in the table (a record left by another version) go in the first wave.
    """
    by_name = {service.name: service for service in SERVICES}
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            service = by_name.get(name)
            deps = service.depends if service else ()
            level[name] = 1 + max((depth(dep) for dep in deps), default=-1)
        return level[name]

    unknown = sorted(name for name in names if name not in by_name)
    known = [name for name in names if name in by_name]
    # Everything OpenStack first (in parallel), then what they stand on, deepest first.
    infra = {service.name for service in SERVICES if service.group == "infra"}
    waves: list[list[str]] = []
    top = sorted([name for name in known if name not in infra] + unknown)
    if top:
        waves.append(top)
    rest = [name for name in known if name in infra]
    for value in sorted({depth(name) for name in rest}, reverse=True):
        waves.append(sorted(name for name in rest if depth(name) == value))
    return waves
