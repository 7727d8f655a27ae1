"""The runtime commands keep start-up light: SQLAlchemy and openstacksdk load only inside
them, never for `kiln --help` or `kiln validate`."""

import subprocess
import sys

from runtime.support import REPO

PROBE = (
    "import sys\n"
    "from click.testing import CliRunner\n"
    "from kiln.cli.main import cli\n"
    "CliRunner().invoke(cli, sys.argv[1:])\n"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'openstack', "
    "'keystoneauth1'})\n"
    "print(','.join(heavy))\n"
)


def _loaded(*args):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, check=True
    )
    return result.stdout.strip()


def test_help_and_validate_load_neither_sqlalchemy_nor_openstacksdk(tmp_path):
    assert _loaded("--help") == ""
    assert _loaded("validate", "examples/web_stack.yaml") == ""
    assert _loaded("stacks", "--state", tmp_path / "state.db") == "sqlalchemy"  # the probe sees
