"""What only a deployment reveals is a plan-time error at the resource, never a skip: each
case under errors/ marks its expected RUN codes inline (`# expect: RUN001`)."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from kiln_testing import expectations

from kiln.cli.main import cli
from kiln.compiler.driver import compile_file
from kiln.runtime.session import StackSession
from kiln.runtime.state.store import StateStore

ERRORS = Path(__file__).parent / "errors"
CASES = sorted(ERRORS.glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_case(path, registries, tmp_path):
    result = compile_file(str(path), registries)
    assert not result.has_errors, [d.message for d in result.diagnostics]
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    plan = StackSession(store, "s", schemas=registries.schemas).plan(result.unit)
    found = {(d.span.start.line, d.code.id) for d in plan.diagnostics if d.span is not None}
    assert sorted(found) == sorted(expectations(path)), [d.message for d in plan.diagnostics]
    assert store.stack("s") is None  # a plan touches nothing


def test_the_cli_shows_where_and_changes_nothing(tmp_path):
    state = tmp_path / "state.db"
    result = CliRunner(env={"OS_CLOUD": None}).invoke(
        cli, ["deploy", str(ERRORS / "no_handler.yaml"), "--stack", "s", "--state", str(state)]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    (about_db,) = [line for line in lines if line.startswith(f"{ERRORS / 'no_handler.yaml'}:4:")]
    assert about_db.startswith(f"{ERRORS / 'no_handler.yaml'}:4:11: error RUN001 resource 'db': ")
    assert "no deploy handler for type 'OS::Trove::Instance'" in about_db
    assert about_db.endswith("[no-deploy-handler]")
    assert "Traceback" not in result.output
    assert StateStore(f"sqlite:///{state}").stack("s") is None
