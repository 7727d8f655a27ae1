"""Mermaid flowchart. Waves are subgraphs, wave 0 on top (`flowchart BT`); the critical path
is red and thick (class `critical` on its nodes, linkStyle on its links); implicit
dependencies are dotted and labelled with their rule; the links of a cycle are orange.
Node ids are r0, r1, ... in name order, since resource names may hold any character."""

from kiln.backends.graph import CAPTION, links
from kiln.compiler.graph import DependencyGraph

_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "#": "#35;"}


def label(text: str) -> str:
    return "".join(_ESCAPES.get(character, character) for character in text)


def render_mermaid(graph: DependencyGraph, title: str) -> str:
    ids = {name: f"r{number}" for number, name in enumerate(sorted(graph.nodes))}
    # Comments after the diagram type: older Mermaid versions detect the type on line one.
    lines = ["flowchart BT", f"  %% Kiln dependency graph of {title}.", f"  %% {CAPTION}"]
    for number, wave in enumerate(graph.waves):
        lines.append(f'  subgraph wave{number}["wave {number}"]')
        for name in wave:
            lines.append(f'    {ids[name]}["{label(name)}<br/>{label(graph.types.get(name, ""))}"]')
        lines.append("  end")
    critical_links: list[str] = []
    cycle_links: list[str] = []
    for number, link in enumerate(links(graph)):
        arrow = f"-.->|{label(', '.join(link.rules))}|" if link.implicit else "-->"
        lines.append(f"  {ids[link.source]} {arrow} {ids[link.target]}")
        if link.cyclic:
            cycle_links.append(str(number))
        elif link.critical:
            critical_links.append(str(number))
    lines.append("  classDef critical stroke:#d62728,stroke-width:3px")
    path = graph.critical_path()
    if path:
        lines.append(f"  class {','.join(ids[name] for name in path)} critical")
    if critical_links:
        lines.append(f"  linkStyle {','.join(critical_links)} stroke:#d62728,stroke-width:3px")
    if cycle_links:
        lines.append(f"  linkStyle {','.join(cycle_links)} stroke:#ff7f0e,stroke-width:3px")
    return "\n".join(lines) + "\n"
