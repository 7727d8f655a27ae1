"""Renderers: pure functions from diagnostics (and the sources they point into) to text.

Every entry of RENDERERS is called as `render(diagnostics, sources, rules=..., root=...)`;
both keywords are optional. `rules` maps code ids to validation `Code`s or `LintRule`s (see
`describe.rule_table`) for formats that describe rules (SARIF); `root` is the directory paths
are made relative to in the CI formats (default: the working directory). The CI formats are
imported on first use, so `kiln validate` does not pay for them.
"""

from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from typing import Protocol

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.render.describe import RuleInfo, Rules, rule_table
from kiln.compiler.diagnostics.render.json import render_json
from kiln.compiler.diagnostics.render.text import render_text
from kiln.compiler.source import SourceFile


class Renderer(Protocol):
    def __call__(
        self,
        diagnostics: Sequence[Diagnostic],
        sources: Mapping[str, SourceFile],
        /,
        *,
        rules: Rules | None = None,
        root: str | None = None,
    ) -> str: ...


PlainRenderer = Callable[[Sequence[Diagnostic], Mapping[str, SourceFile]], str]


def _plain(render: PlainRenderer) -> Renderer:
    """A renderer that needs neither rule descriptions nor a root."""

    def wrapped(
        diagnostics: Sequence[Diagnostic],
        sources: Mapping[str, SourceFile],
        /,
        *,
        rules: Rules | None = None,
        root: str | None = None,
    ) -> str:
        return render(diagnostics, sources)

    wrapped.__doc__ = render.__doc__
    return wrapped


def _lazy(module: str, function: str) -> Renderer:
    def wrapped(
        diagnostics: Sequence[Diagnostic],
        sources: Mapping[str, SourceFile],
        /,
        *,
        rules: Rules | None = None,
        root: str | None = None,
    ) -> str:
        render: Renderer = getattr(import_module(module), function)
        return render(diagnostics, sources, rules=rules, root=root)

    return wrapped


_HERE = __name__
RENDERERS: dict[str, Renderer] = {
    "text": _plain(render_text),
    "json": _plain(render_json),
    "sarif": _lazy(f"{_HERE}.sarif", "render_sarif"),
    "junit": _lazy(f"{_HERE}.junit", "render_junit"),
    "github": _lazy(f"{_HERE}.github", "render_github"),
}

__all__ = [
    "RENDERERS",
    "Renderer",
    "RuleInfo",
    "Rules",
    "render_json",
    "render_text",
    "rule_table",
]
