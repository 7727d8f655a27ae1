"""What the sandbox runs on: MariaDB and RabbitMQ from Debian, OpenStack from PyPI in a venv.

The venv lives in the state directory and is rebuilt only when what goes into it changes: a
marker in it records a hash of the constraints, the requirement list, the ML2 driver and the
interpreter. Everything comes from PyPI (pip, with the pinned `constraints.txt`) and Debian
(apt-get); nothing from git or other hosts.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kiln.runtime.sandbox.layout import Layout

HERE: Final = Path(__file__).parent
CONSTRAINTS: Final = HERE / "constraints.txt"
FAKE_MECH: Final = HERE / "fake_mech"
VENV_MARKER: Final = ".kiln-sandbox-install"

# The verified set (reference/openstack-sandbox.md); the rest is pinned by constraints.txt.
REQUIREMENTS: Final = (
    "keystone==30.0.0",
    "openstack-placement==16.0.0",
    "glance==33.0.0",
    "neutron==29.0.0",
    "nova==34.0.0",
    "cinder==29.0.0",
    "openstack-heat==27.0.1",
    "swift==2.38.3",
    "gunicorn",
    "PyMySQL",
    "openstacksdk",
    "python-heatclient",
    "python-memcached",  # only silences stevedore's "No module named 'memcache'" ERROR lines
)

APT_PACKAGES: Final = ("mariadb-server", "rabbitmq-server")


class InstallError(Exception):
    """Something the sandbox needs could not be installed; the message says what to do."""


@dataclass(frozen=True, slots=True)
class SystemTools:
    mariadbd: str
    mariadb: str
    mariadb_install_db: str
    rabbitmq_server: str
    epmd: str


def _first(*candidates: str) -> str | None:
    for candidate in candidates:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and Path(found).is_file() and os.access(found, os.X_OK):
            return found
    return None


def find_system_tools() -> SystemTools | None:
    # Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user when run as root;
    # the script under /usr/lib/rabbitmq/bin runs as whoever starts it, which we want.
    found = (
        _first("/usr/sbin/mariadbd", "mariadbd", "/usr/sbin/mysqld"),
        _first("mariadb", "mysql"),
        _first("mariadb-install-db", "mysql_install_db"),
        _first("/usr/lib/rabbitmq/bin/rabbitmq-server"),
        _first("epmd", "/usr/lib/erlang/bin/epmd"),
    )
    if any(path is None for path in found):
        return None
    mariadbd, mariadb, install_db, rabbitmq, epmd = (str(path) for path in found)
    return SystemTools(mariadbd, mariadb, install_db, rabbitmq, epmd)


def _apt_install(log: Path) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Keep the packaged services from starting (they would take 3306 and 5672): the sandbox
    # runs its own instances. An existing policy-rc.d (Docker images have one) is left alone.
    policy = Path("/usr/sbin/policy-rc.d")
    created = not policy.exists()
    if created:
        policy.write_text(
            "#!/bin/sh\n# kiln sandbox: temporary, during apt-get install\nexit 101\n"
        )
        policy.chmod(0o755)
    try:
        with log.open("ab") as out:

            def apt(*args: str) -> int:
                command = ["apt-get", *args]
                return subprocess.run(
                    command, stdout=out, stderr=subprocess.STDOUT, env=env
                ).returncode

            install = ("install", "-y", "-q", "--no-install-recommends", *APT_PACKAGES)
            if apt(*install) != 0 and (apt("update", "-q") != 0 or apt(*install) != 0):
                raise InstallError(f"apt-get install {' '.join(APT_PACKAGES)} failed (see {log})")
    finally:
        if created:
            policy.unlink(missing_ok=True)


def ensure_system_tools(log: Path) -> tuple[SystemTools, bool]:
    """MariaDB and RabbitMQ binaries; installs the Debian packages when root. (tools, installed)"""
    tools = find_system_tools()
    if tools is not None:
        return tools, False
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InstallError(
            "MariaDB and RabbitMQ are not installed, and only root can install them with apt-get."
            f" Install them once (sudo apt-get install {' '.join(APT_PACKAGES)}), then run"
            " `kiln sandbox up` again; their packaged services are not used and may stay stopped."
        )
    log.parent.mkdir(parents=True, exist_ok=True)
    _apt_install(log)
    tools = find_system_tools()
    if tools is None:
        raise InstallError(f"apt-get installed {' '.join(APT_PACKAGES)}, but a binary is missing")
    return tools, True


def base_python() -> str:
    """The interpreter the sandbox venv is made from: the one behind Kiln's own (venv or not)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return str(base)


def install_hash(python: str) -> str:
    digest = hashlib.sha256()
    digest.update(CONSTRAINTS.read_bytes())
    digest.update("\n".join(REQUIREMENTS).encode())
    for path in sorted(FAKE_MECH.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.name.encode() + path.read_bytes())
    digest.update(os.path.realpath(python).encode())
    return digest.hexdigest()[:16]


def venv_current(layout: Layout, python: str) -> bool:
    marker = layout.venv / VENV_MARKER
    return marker.is_file() and marker.read_text().strip() == install_hash(python)


def installed_hash(layout: Layout) -> str | None:
    marker = layout.venv / VENV_MARKER
    return marker.read_text().strip() if marker.is_file() else None


def _run(command: list[str], log: Path, what: str) -> None:
    with log.open("ab") as out:
        out.write(f"\n==== {' '.join(command)}\n".encode())
        out.flush()
        if subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise InstallError(f"{what} failed (see {log})")


def build_venv(layout: Layout, python: str, log: Path) -> None:
    """(Re)create the venv from nothing and install the pinned set plus the ML2 driver."""
    if layout.venv.exists():
        shutil.rmtree(layout.venv)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    _run([python, "-m", "venv", str(layout.venv)], log, "creating the sandbox venv")
    pip = [str(layout.venv_python), "-m", "pip", "install", "--quiet"]
    _run([*pip, "-c", str(CONSTRAINTS), *REQUIREMENTS], log, "pip install of OpenStack")
    # Built from a copy: building in place would leave build/ and *.egg-info in Kiln's tree.
    source = layout.build / "fake_mech"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(FAKE_MECH, source, ignore=shutil.ignore_patterns("__pycache__"))
    _run([*pip, "--no-deps", str(source)], log, "installing the ML2 driver")
    (layout.venv / VENV_MARKER).write_text(install_hash(python) + "\n")
