import pytest
from runtime.support import Kiln


@pytest.fixture
def kiln(tmp_path) -> Kiln:
    return Kiln(tmp_path / "state.db")
