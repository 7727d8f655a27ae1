"""Where everything lives under the state directory; a running sandbox writes nowhere else.

STATE/sandbox.json   marker and settings (which optional services are enabled)
STATE/venv/          the OpenStack virtualenv (rebuilt when the constraints change)
STATE/etc/<svc>/     rendered configuration
STATE/logs/          one log per service and per setup step
STATE/pids/          one record per running process group
STATE/stamps/        setup steps done, keyed by the venv hash (a new venv syncs the DBs again)
STATE/data/          databases, keys, images, rings, Erlang and MariaDB data
STATE/clouds.yaml    the clouds `kiln-sandbox` and `kiln-sandbox-admin`
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MARKER: Final = "sandbox.json"


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path

    @property
    def marker(self) -> Path:
        return self.root / MARKER

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def venv_python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def stamps(self) -> Path:
        return self.root / "stamps"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def home(self) -> Path:
        """HOME of every service: keeps ~/.gunicorn, ~/.novaclient, the Erlang cookie here."""
        return self.root / "home"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def clouds_yaml(self) -> Path:
        return self.root / "clouds.yaml"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.pids / f"{name}.pid"

    def stamp(self, name: str) -> Path:
        return self.stamps / name

    def create(self) -> None:
        for path in (self.etc, self.logs, self.pids, self.stamps, self.data, self.home):
            path.mkdir(parents=True, exist_ok=True)

    def is_sandbox(self) -> bool:
        """Only a directory with our marker is ever deleted by `purge`."""
        return self.marker.is_file()


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user chose; kept in the marker so a later `up` keeps the same services."""

    with_heat: bool = False
    with_swift: bool = False

    @property
    def groups(self) -> frozenset[str]:
        chosen = {"infra", "core"}
        if self.with_heat:
            chosen.add("heat")
        if self.with_swift:
            chosen.add("swift")
        return frozenset(chosen)


def load_settings(layout: Layout) -> Settings:
    try:
        raw = json.loads(layout.marker.read_text())
    except (OSError, ValueError):
        return Settings()
    return Settings(
        with_heat=bool(raw.get("with_heat", False)), with_swift=bool(raw.get("with_swift", False))
    )


def save_settings(layout: Layout, settings: Settings) -> None:
    layout.root.mkdir(parents=True, exist_ok=True)
    document = {
        "kind": "kiln-sandbox",
        "with_heat": settings.with_heat,
        "with_swift": settings.with_swift,
    }
    layout.marker.write_text(json.dumps(document, indent=2) + "\n")
