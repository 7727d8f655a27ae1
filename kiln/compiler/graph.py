"""The dependency graph of one template: a small pure-Python DAG (no networkx).

Nodes are resource names, kept in source order; an `Edge(source, target, kind)` says that
`source` depends on `target` (Heat's `(requirer, required)` pair in heat/engine/dependencies.py),
so `target` is created first. `kind` says why: `depends_on` / `DependsOn`, the reference that
made it (`get_resource`, `get_attr`, `Ref`, `Fn::GetAtt`, `Fn::Sub`), or `implicit:<rule>` for
a dependency Heat's resource plugins add on their own (kiln/compiler/implicit_dependencies.py).

What is computed from it, deterministically (names sorted wherever an order is free):

- `waves`: Heat's scheduler (heat/engine/scheduler.py, DependencyTaskGroup) starts every
  resource whose requirements are done, so wave k holds the resources whose longest chain of
  dependencies has k links; wave 0 needs nothing. Every edge goes from a later wave to an
  earlier one.
- `topological_order`: the waves one after the other, a valid creation order.
- `cycles`: one elementary cycle per strongly connected component (Tarjan), starting at the
  component's first resource in source order, as the shortest way back to it. Heat refuses
  such a stack ("Circular Dependency Found"). With cycles, waves and the order treat each
  component as one node, so the graph can still be drawn.
- `critical_path`: the longest chain (each resource weighs 1, or what a per-type weight table
  says, e.g. measured create times), from wave 0 to the last resource of the chain.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.source import Span

IMPLICIT_PREFIX: Final = "implicit:"

# Per-type weights for the critical path (seconds, or any unit): the hook for measured create
# times. Empty: every resource weighs DEFAULT_WEIGHT.
DEFAULT_WEIGHT: Final = 1.0
TYPE_WEIGHTS: Final[Mapping[str, float]] = FrozenMap()


@dataclass(frozen=True, slots=True)
class Edge:
    """`source` depends on `target`. Span and path locate the reference (the `depends_on`
    item, the `get_resource`, or the property an implicit rule matched); they take no part in
    equality, so one (source, target, kind) is one edge."""

    source: str
    target: str
    kind: str
    span: Span | None = field(default=None, compare=False)
    path: tuple[str | int, ...] = field(default=(), compare=False)

    @property
    def implicit(self) -> bool:
        return self.kind.startswith(IMPLICIT_PREFIX)


@dataclass(frozen=True)
class DependencyGraph:
    """Immutable; the derived views are computed once, on first use."""

    nodes: tuple[str, ...] = ()
    edges: tuple[Edge, ...] = ()
    # Resource name -> its type as written (for rendering and the weight table).
    types: FrozenMap[str, str] = field(default_factory=FrozenMap)

    @staticmethod
    def build(
        nodes: Iterable[tuple[str, str]] | Iterable[str], edges: Iterable[Edge] = ()
    ) -> "DependencyGraph":
        """Nodes as names or (name, type) pairs, in source order; edges deduplicated by
        (source, target, kind), the first occurrence kept. An edge naming an unknown node is a
        bug in the caller."""
        names: list[str] = []
        types: dict[str, str] = {}
        for node in nodes:
            name, type_name = (node, "") if isinstance(node, str) else node
            if name not in types:
                names.append(name)
            types[name] = type_name
        unique: dict[tuple[str, str, str], Edge] = {}
        for edge in edges:
            if edge.source not in types or edge.target not in types:
                raise ValueError(f"edge {edge.source!r} -> {edge.target!r} names an unknown node")
            unique.setdefault((edge.source, edge.target, edge.kind), edge)
        return DependencyGraph(tuple(names), tuple(unique.values()), FrozenMap(types))

    # --- adjacency ----------------------------------------------------------------------------

    @cached_property
    def _requires(self) -> Mapping[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {name: set() for name in self.nodes}
        for edge in self.edges:
            found[edge.source].add(edge.target)
        return {name: tuple(sorted(targets)) for name, targets in found.items()}

    @cached_property
    def _required_by(self) -> Mapping[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {name: set() for name in self.nodes}
        for edge in self.edges:
            found[edge.target].add(edge.source)
        return {name: tuple(sorted(sources)) for name, sources in found.items()}

    def requires(self, name: str) -> tuple[str, ...]:
        """What `name` depends on, sorted."""
        return self._requires[name]

    def required_by(self, name: str) -> tuple[str, ...]:
        """What depends on `name`, sorted."""
        return self._required_by[name]

    def edges_between(self, source: str, target: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.source == source and e.target == target)

    def pairs(self) -> frozenset[tuple[str, str]]:
        """The edges as (dependent, dependency) pairs, whatever their kinds."""
        return frozenset((edge.source, edge.target) for edge in self.edges)

    # --- strongly connected components (Tarjan, iterative) ------------------------------------

    @cached_property
    def components(self) -> tuple[tuple[str, ...], ...]:
        """Strongly connected components, each in source order, in the order Tarjan closes
        them (dependencies before dependents)."""
        order = {name: position for position, name in enumerate(self.nodes)}
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        result: list[tuple[str, ...]] = []
        counter = 0
        for root in sorted(self.nodes):
            if root in index:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                node, next_child = work.pop()
                if next_child == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                children = self._requires[node]
                if next_child < len(children):
                    work.append((node, next_child + 1))
                    child = children[next_child]
                    if child not in index:
                        work.append((child, 0))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                if low[node] == index[node]:
                    members: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    result.append(tuple(sorted(members, key=order.__getitem__)))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return tuple(result)

    @cached_property
    def _component_of(self) -> Mapping[str, int]:
        return {name: i for i, members in enumerate(self.components) for name in members}

    def _is_cyclic(self, members: tuple[str, ...]) -> bool:
        return len(members) > 1 or members[0] in self._requires[members[0]]

    @cached_property
    def cycles(self) -> tuple[tuple[str, ...], ...]:
        """One elementary cycle per cyclic component, `(a, b, c)` meaning a -> b -> c -> a,
        starting at the component's first resource in source order; ordered by that start."""
        found: list[tuple[str, ...]] = []
        for members in self.components:
            if self._is_cyclic(members):
                found.append(self._shortest_cycle(members[0], frozenset(members)))
        order = {name: position for position, name in enumerate(self.nodes)}
        return tuple(sorted(found, key=lambda cycle: order[cycle[0]]))

    def _shortest_cycle(self, start: str, members: frozenset[str]) -> tuple[str, ...]:
        # Breadth first inside the component, neighbours in name order: the shortest way back
        # to `start`, the same one every run.
        parent: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following: list[str] = []
            for node in frontier:
                for child in self._requires[node]:
                    if child not in members:
                        continue
                    if child == start:
                        path = [node]
                        while path[-1] != start:
                            path.append(parent[path[-1]])
                        return tuple(reversed(path))
                    if child not in parent:
                        parent[child] = node
                        following.append(child)
            frontier = following
        raise AssertionError(f"component of {start!r} has no cycle")  # pragma: no cover

    @property
    def has_cycles(self) -> bool:
        return bool(self.cycles)

    def cycle_edges(self) -> frozenset[tuple[str, str]]:
        """The (source, target) pairs of the reported cycles."""
        return frozenset(
            (cycle[i], cycle[(i + 1) % len(cycle)])
            for cycle in self.cycles
            for i in range(len(cycle))
        )

    # --- waves, order, critical path -----------------------------------------------------------

    @cached_property
    def _wave_of(self) -> Mapping[str, int]:
        # Components close dependencies first, so one pass over them in that order suffices.
        component_wave: list[int] = []
        for position, members in enumerate(self.components):
            wave = 0
            for member in members:
                for target in self._requires[member]:
                    other = self._component_of[target]
                    if other != position:
                        wave = max(wave, component_wave[other] + 1)
            component_wave.append(wave)
        return {name: component_wave[self._component_of[name]] for name in self.nodes}

    def wave_of(self, name: str) -> int:
        return self._wave_of[name]

    @cached_property
    def waves(self) -> tuple[tuple[str, ...], ...]:
        """Resources that can be created together, wave by wave; names sorted in a wave."""
        if not self.nodes:
            return ()
        buckets: list[list[str]] = [[] for _ in range(max(self._wave_of.values()) + 1)]
        for name, wave in self._wave_of.items():
            buckets[wave].append(name)
        return tuple(tuple(sorted(bucket)) for bucket in buckets)

    @cached_property
    def topological_order(self) -> tuple[str, ...]:
        """Dependencies first. A valid creation order when there are no cycles."""
        return tuple(name for wave in self.waves for name in wave)

    def weight(self, name: str, type_weights: Mapping[str, float] | None = None) -> float:
        table = TYPE_WEIGHTS if type_weights is None else type_weights
        return table.get(self.types.get(name, ""), DEFAULT_WEIGHT)

    def critical_path(self, type_weights: Mapping[str, float] | None = None) -> tuple[str, ...]:
        """The heaviest chain of dependencies, first-created resource first. Edges inside a
        cycle are left out (such a stack cannot be created anyway). Ties go to the smaller
        name, at the end of the chain and at each step back."""
        total: dict[str, float] = {}
        previous: dict[str, str | None] = {}
        for name in self._acyclic_order:
            best: str | None = None
            for target in self._requires[name]:
                if self._component_of[target] == self._component_of[name]:
                    continue
                if best is None or total[target] > total[best]:
                    best = target
            total[name] = self.weight(name, type_weights) + (total[best] if best else 0.0)
            previous[name] = best
        if not total:
            return ()
        end = min(total, key=lambda name: (-total[name], name))
        chain = [end]
        while (step := previous[chain[-1]]) is not None:
            chain.append(step)
        return tuple(reversed(chain))

    @cached_property
    def _acyclic_order(self) -> tuple[str, ...]:
        # Dependencies before dependents with cycle edges ignored: wave order does that.
        return tuple(sorted(self.nodes, key=lambda name: (self._wave_of[name], name)))

    def critical_edges(
        self, type_weights: Mapping[str, float] | None = None
    ) -> frozenset[tuple[str, str]]:
        """The (dependent, dependency) pairs along the critical path."""
        path = self.critical_path(type_weights)
        return frozenset((path[i + 1], path[i]) for i in range(len(path) - 1))
