"""The dependency graph of a template (being written)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DependencyGraph:
    """Placeholder until the dependency_graph pass lands."""
