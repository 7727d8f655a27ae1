"""Render the configuration templates (package data, `configs/`) into STATE/etc/.

Every file is rendered on every `up`, for every service (enabled or not): rendering is cheap,
and a service enabled later finds its configuration in place. jinja2 is imported here only.
"""

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kiln.runtime.sandbox import facts
from kiln.runtime.sandbox.layout import Layout
from kiln.runtime.sandbox.services import PORTS, SWIFT_SYSLOG_PORT

TEMPLATE_DIR: Final = Path(__file__).parent / "configs"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    template: str
    output: str  # relative to STATE/etc
    extra: tuple[tuple[str, Any], ...] = ()


CONFIG_FILES: Final = (
    ConfigFile("keystone.conf.j2", "keystone/keystone.conf"),
    ConfigFile("placement.conf.j2", "placement/placement.conf"),
    ConfigFile("glance-api.conf.j2", "glance/glance-api.conf"),
    ConfigFile("neutron.conf.j2", "neutron/neutron.conf"),
    ConfigFile("ml2_conf.ini.j2", "neutron/plugins/ml2/ml2_conf.ini"),
    ConfigFile("nova.conf.j2", "nova/nova.conf", (("compute", False),)),
    ConfigFile("nova.conf.j2", "nova/nova-cpu.conf", (("compute", True),)),
    ConfigFile("cinder.conf.j2", "cinder/cinder.conf"),
    ConfigFile("heat.conf.j2", "heat/heat.conf"),
    ConfigFile("swift/swift.conf.j2", "swift/swift.conf"),
    ConfigFile("swift/proxy-server.conf.j2", "swift/proxy-server.conf"),
    ConfigFile("swift/account-server.conf.j2", "swift/account-server.conf"),
    ConfigFile("swift/container-server.conf.j2", "swift/container-server.conf"),
    ConfigFile("swift/object-server.conf.j2", "swift/object-server.conf"),
    ConfigFile("rabbitmq.conf.j2", "rabbitmq/rabbitmq.conf"),
    ConfigFile("enabled_plugins.j2", "rabbitmq/enabled_plugins"),
    ConfigFile("rabbitmq-env.conf.j2", "rabbitmq/rabbitmq-env.conf"),
)


def context(layout: Layout) -> dict[str, Any]:
    """The values the templates see."""
    db = f"mysql+pymysql://{facts.DB_USER}:{facts.DB_PASSWORD}@127.0.0.1:{PORTS['mysql']}"
    return {
        "state": str(layout.root),
        "etc": str(layout.etc),
        "data": str(layout.data),
        "logs": str(layout.logs),
        "venv": str(layout.venv),
        "user": getpass.getuser(),
        "db": db,
        "rabbit_url": facts.RABBIT_URL_TEMPLATE.format(port=PORTS["rabbit"]),
        "keystone_root": facts.KEYSTONE_URL.removesuffix("/v3"),
        "keystone_url": facts.KEYSTONE_URL,
        "service_password": facts.SERVICE_PASSWORD,
        "region": facts.REGION,
        "compute_host": facts.COMPUTE_HOST,
        "volume_host": facts.VOLUME_HOST,
        "physnet": facts.PUBLIC_PHYSNET,
        "ports": dict(PORTS),
        "syslog_port": SWIFT_SYSLOG_PORT,
    }


def render_all(layout: Layout) -> list[Path]:
    """Write every configuration file; return their paths. Unchanged files are not rewritten."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # INI files, not HTML
    )
    base = context(layout)
    written = []
    for config in CONFIG_FILES:
        text = environment.get_template(config.template).render({**base, **dict(config.extra)})
        path = layout.etc / config.output
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
        written.append(path)
    return written
