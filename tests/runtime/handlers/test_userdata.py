"""A server's user data is what Heat builds (NovaClientPlugin.build_userdata), checked against
Heat's own code run by the Heat reference Python; the cloud-init files are Heat's."""

import email
import json
import os
import subprocess
from pathlib import Path

import pytest

from kiln.runtime.handlers.nova_userdata import build_userdata, heat_file

HERE = Path(__file__).resolve().parent
CASES = [
    {"format": "RAW", "user_data": "#!/bin/sh\necho hi\n", "metadata": None},
    {"format": "RAW", "user_data": "", "metadata": {"a": 1}},
    {"format": "SOFTWARE_CONFIG", "user_data": "#!/bin/sh\necho sc\n", "metadata": None},
    {
        "format": "SOFTWARE_CONFIG",
        "user_data": "#cloud-config\nruncmd: [ls]\n",
        "metadata": {"deployments": [], "x": "é"},
    },
    {
        "format": "SOFTWARE_CONFIG",
        "user_data": 'Content-Type: multipart/mixed; boundary="b"\nMIME-Version: 1.0\n\n--b\n'
        'Content-Type: text/x-shellscript\nContent-Disposition: attachment; filename="a.sh"\n\n'
        "#!/bin/sh\necho a\n--b--\n",
        "metadata": None,
    },
    {
        "format": "SOFTWARE_CONFIG",
        "user_data": '{"ignition": {"version": "3.0.0"}}',
        "metadata": {"k": "v"},
    },
    {"format": "HEAT_CFNTOOLS", "user_data": "#!/bin/bash\necho db_port\n", "metadata": None},
    {"format": "HEAT_CFNTOOLS", "user_data": "", "metadata": {"AWS::CloudFormation::Init": {}}},
]
# The parts that point heat-cfntools at Heat's metadata server: Kiln runs none.
SERVER_PARTS = {"cfn-metadata-server", "cfn-boto-cfg"}


def _parts(text):
    message = email.message_from_string(text or "")
    if not message.is_multipart():
        return text
    return [
        [part.get_filename(), part.get_content_type(), part.get_payload(decode=True).decode()]
        for part in message.get_payload()
    ]


@pytest.fixture(scope="module")
def heat_built():
    python = os.environ.get("KILN_HEAT_PYTHON")
    if not python:
        pytest.skip("Heat reference not configured: set KILN_HEAT_PYTHON (make test does)")
    done = subprocess.run(
        [python, str(HERE / "heat_userdata.py")],
        input=json.dumps(CASES),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_user_data_is_what_heat_builds(heat_built, index):
    case = CASES[index]
    ours = _parts(build_userdata(case["metadata"], case["user_data"], case["format"]))
    theirs = heat_built[index]
    if case["format"] == "HEAT_CFNTOOLS":
        assert {part[0] for part in theirs} - {part[0] for part in ours} == SERVER_PARTS
        theirs = [part for part in theirs if part[0] not in SERVER_PARTS]
    assert ours == theirs


def test_the_cloud_init_files_are_heats(heat_built):
    del heat_built  # only run where Heat is: its files are read from its package
    python = os.environ["KILN_HEAT_PYTHON"]
    source = subprocess.run(
        [
            python,
            "-c",
            "import heat.cloudinit, os; print(os.path.dirname(heat.cloudinit.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    for name in ("config", "boothook.sh", "part_handler.py", "loguserdata.py"):
        assert heat_file(name) == Path(source, name).read_text(), name
