"""The graph as JSON, a stable document (names sorted; keys in this order):

    {
      "nodes": [{"name": str, "type": str, "wave": int, "critical": bool}, ...],
      "edges": [{"from": str, "to": str, "kind": str, "implicit": bool}, ...],
      "waves": [[str, ...], ...],
      "critical_path": [str, ...],
      "cycles": [[str, ...], ...]
    }

- nodes: every resource whose condition is not false, by name; `wave` as in `waves`;
  `critical` when it is on the critical path.
- edges: `from` depends on `to`, once per reason `kind`: `depends_on` / `DependsOn`,
  `get_resource`, `get_attr`, `Ref`, `Fn::GetAtt`, `Fn::Sub`, or `implicit:<rule>` (then
  `implicit` is true; the rules are in kiln/compiler/implicit_dependencies.py); sorted by
  (from, to, kind).
- waves: wave 0 needs nothing; wave k needs only resources of earlier waves. Names sorted.
- critical_path: the longest chain of dependencies, the first resource to create first.
- cycles: one cycle per group of resources that depend on each other in a circle, `[a, b, c]`
  meaning a -> b -> c -> a, from the group's first resource in the template. Empty when the
  stack can be created.
"""

import json

from kiln.compiler.graph import DependencyGraph


def document(graph: DependencyGraph) -> dict[str, object]:
    critical = graph.critical_path()
    on_path = set(critical)
    return {
        "nodes": [
            {
                "name": name,
                "type": graph.types.get(name, ""),
                "wave": graph.wave_of(name),
                "critical": name in on_path,
            }
            for name in sorted(graph.nodes)
        ],
        "edges": [
            {"from": edge.source, "to": edge.target, "kind": edge.kind, "implicit": edge.implicit}
            for edge in sorted(graph.edges, key=lambda edge: (edge.source, edge.target, edge.kind))
        ],
        "waves": [list(wave) for wave in graph.waves],
        "critical_path": list(critical),
        "cycles": [list(cycle) for cycle in graph.cycles],
    }


def render_json(graph: DependencyGraph, title: str) -> str:
    del title  # the document is the graph alone; the caller knows which file it came from
    return json.dumps(document(graph), indent=2, ensure_ascii=False) + "\n"
