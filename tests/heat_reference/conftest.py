"""Heat as the reference inside the test suite.

The `heat_oracle` fixture runs tools/heat_oracle.py (Heat 27's own validation, in process) with
the Python named by KILN_HEAT_PYTHON; `make test` sets it to .venv-heat/bin/python. Without it,
or when that Python cannot import heat, every test using the fixture is skipped and says why.
Tests add summary lines with `heat_report`; they are printed at the end of the run.
"""

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "tools" / "heat_oracle.py"
_REPORT: list[str] = []


@dataclass
class HeatOracle:
    """One oracle process per batch: Heat's import costs more than a whole batch of templates."""

    python: str
    stats: dict[str, Any] = field(default_factory=dict)

    def run(self, requests: list[dict[str, Any]], **defaults: Any) -> dict[str, dict[str, Any]]:
        """Results by request id. Heat errors are results; a crash of the oracle fails."""
        document = {"requests": requests, "stats": True, **defaults}
        done = subprocess.run(
            [self.python, str(ORACLE)],
            input=json.dumps(document),
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"tools/heat_oracle.py exited {done.returncode}:\n{done.stderr[-4000:]}")
        results: dict[str, dict[str, Any]] = {}
        for line in done.stdout.splitlines():
            record = json.loads(line)
            if "stats" in record:
                self.stats = record["stats"]
            else:
                results[str(record["id"])] = record
        missing = [str(r["id"]) for r in requests if str(r["id"]) not in results]
        assert not missing, f"the oracle returned no result for {missing[:5]}"
        return results


@pytest.fixture(scope="session")
def heat_oracle() -> HeatOracle:
    python = os.environ.get("KILN_HEAT_PYTHON")
    if not python:
        pytest.skip(
            "Heat reference not configured: set KILN_HEAT_PYTHON to a Python that can import "
            "heat (`make test` builds .venv-heat and sets it)"
        )
    try:
        done = subprocess.run(
            [python, "-c", "import heat.engine"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        pytest.skip(f"KILN_HEAT_PYTHON={python} cannot run: {error}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"KILN_HEAT_PYTHON={python} cannot import heat: {last}")
    return HeatOracle(python)


@pytest.fixture(scope="session")
def heat_report() -> list[str]:
    """Lines printed under 'Kiln vs Heat' at the end of the run."""
    return _REPORT


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _REPORT:
        terminalreporter.section("Kiln vs Heat")
        for line in _REPORT:
            terminalreporter.write_line(line)
