"""The `sample` fixture: see render_sample.py."""

import pytest
from render_sample import Sample, build_sample


@pytest.fixture(scope="module")
def sample(registries) -> Sample:
    return build_sample(registries)
