"""Graphviz DOT. Waves are clusters of equal rank, wave 0 on top (`rankdir=BT`: arrows point
up, to what a resource needs); the critical path is red and bold; implicit dependencies are
dashed and labelled with their rule; the links of a cycle are orange."""

from kiln.backends.graph import CAPTION, links
from kiln.compiler.graph import DependencyGraph

CRITICAL = 'color="#d62728", penwidth=2.5'
CYCLE = 'color="#ff7f0e", penwidth=2.5'


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: DependencyGraph, title: str) -> str:
    critical = set(graph.critical_path())
    lines = [
        f"// Kiln dependency graph of {title}.",
        f"// {CAPTION}",
        f"digraph {quote(title)} {{",
        "  rankdir=BT;",
        "  newrank=true;",
        '  graph [fontname="Helvetica"];',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for number, wave in enumerate(graph.waves):
        lines.append(f"  subgraph cluster_wave_{number} {{")
        lines.append(f'    label="wave {number}"; style=dashed; color=grey; rank=same;')
        for name in wave:
            attributes = [f"label={quote(name + chr(10) + graph.types.get(name, ''))}"]
            if name in critical:
                attributes.append(CRITICAL)
            lines.append(f"    {quote(name)} [{', '.join(attributes)}];")
        lines.append("  }")
    for link in links(graph):
        attributes = [f"tooltip={quote(', '.join(link.kinds))}"]
        if link.implicit:
            attributes.append("style=dashed")
            attributes.append(f"label={quote(', '.join(link.rules))}")
        if link.cyclic:
            attributes.append(CYCLE)
        elif link.critical:
            attributes.append(CRITICAL)
        lines.append(f"  {quote(link.source)} -> {quote(link.target)} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
