"""The dependency graph as text: Graphviz DOT, Mermaid and JSON (`kiln graph`).

Every renderer is a pure function `(graph, title) -> str` of a `DependencyGraph`
(kiln/compiler/graph.py) and prints the same facts, in a stable order (names sorted):

- an arrow goes from a resource to one it depends on (Heat's requirer -> required);
- waves: wave 0 needs nothing and is created first; wave k waits for wave k - 1;
- the critical path (the longest chain of dependencies) is marked;
- implicit dependencies (Heat's resource plugins add them; `implicit:<rule>`) are dashed;
- the links of dependency cycles are marked (Heat refuses such a stack).

DOT and Mermaid draw one arrow per pair of resources, whatever the reasons for it; JSON lists
each (from, to, kind) once. The JSON document is described in kiln/backends/graph/json.py.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kiln.compiler.graph import DependencyGraph

Renderer = Callable[[DependencyGraph, str], str]

CAPTION = "An arrow points from a resource to one it depends on; wave 0 is created first."


@dataclass(frozen=True, slots=True)
class Link:
    """All edges from one resource to another, drawn as one arrow."""

    source: str
    target: str
    kinds: tuple[str, ...]
    implicit: bool  # every reason for it is implicit
    critical: bool
    cyclic: bool

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(kind.split(":", 1)[1] for kind in self.kinds if kind.startswith("implicit:"))


def links(graph: DependencyGraph) -> list[Link]:
    kinds: dict[tuple[str, str], list[str]] = {}
    for edge in graph.edges:
        kinds.setdefault((edge.source, edge.target), []).append(edge.kind)
    critical = graph.critical_edges()
    cyclic = graph.cycle_edges()
    return [
        Link(
            source,
            target,
            tuple(sorted(set(found))),
            all(kind.startswith("implicit:") for kind in found),
            (source, target) in critical,
            (source, target) in cyclic,
        )
        for (source, target), found in sorted(kinds.items())
    ]


def renderers() -> Mapping[str, Renderer]:
    """Format name -> renderer; imported on use so `kiln validate` never pays for them."""
    from kiln.backends.graph.dot import render_dot
    from kiln.backends.graph.json import render_json
    from kiln.backends.graph.mermaid import render_mermaid

    return {"dot": render_dot, "mermaid": render_mermaid, "json": render_json}


__all__ = ["CAPTION", "Link", "Renderer", "links", "renderers"]
