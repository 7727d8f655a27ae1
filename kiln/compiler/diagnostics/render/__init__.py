"""Renderers: pure functions from diagnostics (and the sources they point into) to text."""

from collections.abc import Callable, Mapping, Sequence

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.render.json import render_json
from kiln.compiler.diagnostics.render.text import render_text
from kiln.compiler.source import SourceFile

Renderer = Callable[[Sequence[Diagnostic], Mapping[str, SourceFile]], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
}

__all__ = ["RENDERERS", "Renderer", "render_json", "render_text"]
