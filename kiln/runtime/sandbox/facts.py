"""What a deployment may rely on in the sandbox: cloud names, credentials, base resources.

Other modules (the runtime's tests, the benchmarks) import these names instead of spelling them
again. Passwords are fixed: every service listens on 127.0.0.1 only.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

CLOUD: Final = "kiln-sandbox"  # the demo user in project demo
ADMIN_CLOUD: Final = "kiln-sandbox-admin"  # admin in project admin
REGION: Final = "RegionOne"
DOMAIN: Final = "Default"

ADMIN_USER: Final = "admin"
ADMIN_PROJECT: Final = "admin"
ADMIN_PASSWORD: Final = "admin"
DEMO_USER: Final = "demo"
DEMO_PROJECT: Final = "demo"
DEMO_PASSWORD: Final = "demo"
SERVICE_PROJECT: Final = "service"
SERVICE_PASSWORD: Final = "kiln-sandbox"

DB_USER: Final = "kiln"
DB_PASSWORD: Final = "kiln-sandbox"
RABBIT_URL_TEMPLATE: Final = "rabbit://guest:guest@127.0.0.1:{port}/"

KEYSTONE_URL: Final = "http://127.0.0.1:5000/v3"
COMPUTE_HOST: Final = "kiln-compute"  # nova-compute's host: the binding host of every port
VOLUME_HOST: Final = "kiln-volume"


@dataclass(frozen=True, slots=True)
class Flavor:
    name: str
    vcpus: int
    ram_mb: int
    disk_gb: int


FLAVORS: Final = (Flavor("m1.tiny", 1, 512, 1), Flavor("m1.small", 1, 2048, 20))
IMAGE: Final = "cirros"  # 1 MiB of zeros, raw/bare, public: the fake driver never reads it
IMAGE_SIZE: Final = 1024 * 1024
PUBLIC_NETWORK: Final = "public"  # external, flat on physnet "public"; API data only
PUBLIC_SUBNET: Final = "public-subnet"
PUBLIC_CIDR: Final = "172.24.4.0/24"
PUBLIC_PHYSNET: Final = "public"

# The demo project's quotas, raised from the defaults (10 instances) for tests and benchmarks.
# Keys are openstacksdk's attribute names (QuotaSet, network Quota).
DEMO_QUOTAS: Final = {
    "compute": {"instances": 200, "cores": 400, "ram": 409600, "key_pairs": 200},
    "network": {
        "networks": 200,
        "subnets": 200,
        "ports": 1000,
        "routers": 100,
        "floating_ips": 200,
        "security_groups": 200,
        "security_group_rules": 2000,
    },
    "volume": {"volumes": 200, "gigabytes": 2000, "snapshots": 200, "backups": 100},
}

HOME_ENV: Final = "KILN_SANDBOX_HOME"  # the state directory
CLOUDS_ENV: Final = "KILN_SANDBOX_CLOUDS"  # path of a running sandbox's clouds.yaml (tests)


def default_state_dir() -> Path:
    """$KILN_SANDBOX_HOME, else $XDG_DATA_HOME/kiln/sandbox (~/.local/share/kiln/sandbox)."""
    explicit = os.environ.get(HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "kiln" / "sandbox"
