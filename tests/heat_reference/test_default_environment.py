"""The templates of Heat's default environment that Kiln ships (kiln/schemas/templates/) are
Heat's own, byte for byte, and are exactly those its default environment maps types to."""

import json
import subprocess
from pathlib import Path

from kiln.schemas.default_environment import HEAT_TEMPLATES_URL, template_types, templates_dir

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "kiln" / "schemas" / "resources" / "index.json"


def test_shipped_templates_are_heats(heat_oracle) -> None:
    prefix = subprocess.run(
        [heat_oracle.python, "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    heat_templates = Path(prefix) / "etc" / "heat" / "templates"
    shipped = sorted(Path(templates_dir()).glob("*.yaml"))
    assert [path.name for path in shipped] == sorted(p.name for p in heat_templates.glob("*.yaml"))
    for path in shipped:
        assert path.read_bytes() == (heat_templates / path.name).read_bytes(), path.name


def test_every_template_alias_has_its_template() -> None:
    aliases = json.loads(INDEX.read_text(encoding="utf-8"))["aliases"]
    expected = {
        name: str(Path(templates_dir()) / target.removeprefix(HEAT_TEMPLATES_URL))
        for name, target in aliases.items()
        if target.startswith(HEAT_TEMPLATES_URL)
    }
    assert expected == dict(template_types())
    assert set(expected) == {"AWS::RDS::DBInstance", "AWS::CloudWatch::Alarm"}
