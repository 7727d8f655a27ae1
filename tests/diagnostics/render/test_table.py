"""The RENDERERS table: one calling convention for every format, CI formats loaded lazily."""

import subprocess
import sys

import pytest

from kiln.compiler.diagnostics.render import RENDERERS, render_json, render_text


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_renderer_takes_diagnostics_and_sources(sample, name):
    output = RENDERERS[name](sample.diagnostics, sample.sources)
    assert isinstance(output, str) and output
    assert RENDERERS[name]([], {}) is not None


def test_text_and_json_are_unchanged(sample):
    assert RENDERERS["text"](sample.diagnostics, sample.sources) == render_text(
        sample.diagnostics, sample.sources
    )
    assert RENDERERS["json"](sample.diagnostics, sample.sources, rules={}) == render_json(
        sample.diagnostics, sample.sources
    )


def test_ci_renderers_are_not_imported_with_the_table():
    code = (
        "import sys, kiln.compiler.diagnostics.render as r; "
        "print(sorted(m for m in ('sarif', 'junit', 'github') "
        "if f'kiln.compiler.diagnostics.render.{m}' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
