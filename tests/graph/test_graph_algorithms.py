"""DependencyGraph: topological order, waves, cycles (Tarjan + a path inside each component),
critical path; unit cases and properties over random DAGs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiln.compiler.graph import DependencyGraph, Edge


def graph(pairs, nodes=None, types=None):
    """`pairs` as "a>b" strings: a depends on b."""
    edges = [Edge(*pair.split(">"), "depends_on") for pair in pairs]
    names = nodes or sorted({name for edge in edges for name in (edge.source, edge.target)})
    types = types or {}
    return DependencyGraph.build([(name, types.get(name, "T")) for name in names], edges)


def test_empty():
    g = DependencyGraph.build([])
    assert g.waves == () and g.topological_order == () and g.cycles == ()
    assert g.critical_path() == ()


def test_waves_are_longest_chains():
    g = graph(["b>a", "c>b", "c>a", "d>a", "e>d", "e>c"])
    assert g.waves == (("a",), ("b", "d"), ("c",), ("e",))
    assert g.topological_order == ("a", "b", "d", "c", "e")
    assert [g.wave_of(n) for n in "abcde"] == [0, 1, 2, 1, 3]


def test_isolated_nodes_are_wave_zero_sorted():
    g = graph([], nodes=["z", "m", "a"])
    assert g.waves == (("a", "m", "z"),)
    assert g.nodes == ("z", "m", "a")  # source order kept


def test_duplicate_edges_collapse_but_kinds_stay():
    edges = [
        Edge("a", "b", "get_resource"),
        Edge("a", "b", "get_resource"),
        Edge("a", "b", "get_attr"),
    ]
    g = DependencyGraph.build(["a", "b"], edges)
    assert len(g.edges) == 2 and g.pairs() == {("a", "b")}
    assert g.requires("a") == ("b",) and g.required_by("b") == ("a",)


def test_edge_to_unknown_node_is_a_bug():
    with pytest.raises(ValueError):
        DependencyGraph.build(["a"], [Edge("a", "ghost", "depends_on")])


def test_cycle_starts_at_first_member_in_source_order():
    g = graph(["c>a", "a>b", "b>c", "d>c"], nodes=["b", "a", "c", "d"])
    assert g.cycles == (("b", "c", "a"),)
    assert g.cycle_edges() == {("b", "c"), ("c", "a"), ("a", "b")}


def test_one_cycle_per_component_shortest_way_back():
    # One component {a, b, c} with two elementary cycles through a: a-b-a and a-b-c-a.
    g = graph(["a>b", "b>a", "b>c", "c>a"], nodes=["a", "b", "c"])
    assert g.cycles == (("a", "b"),)


def test_separate_components_and_self_loop():
    g = graph(["a>b", "b>a", "c>c", "d>e", "e>d", "f>a"], nodes=list("abcdef"))
    assert g.cycles == (("a", "b"), ("c",), ("d", "e"))
    assert g.has_cycles


def test_waves_with_cycles_treat_a_component_as_one():
    g = graph(["a>b", "b>a", "a>r", "x>a"], nodes=["r", "a", "b", "x"])
    assert g.waves == (("r",), ("a", "b"), ("x",))


def test_critical_path_unit_weights_and_ties():
    g = graph(["b>a", "c>b", "d>a", "e>d"])  # two chains of three: a-b-c and a-d-e
    assert g.critical_path() == ("a", "b", "c")
    assert g.critical_edges() == {("b", "a"), ("c", "b")}


def test_critical_path_type_weights():
    g = graph(["b>a", "c>b", "d>a"], types={"d": "OS::Nova::Server"})
    assert g.critical_path() == ("a", "b", "c")
    assert g.critical_path({"OS::Nova::Server": 5.0}) == ("a", "d")
    assert g.weight("d", {"OS::Nova::Server": 5.0}) == 5.0 and g.weight("a") == 1.0


def test_critical_path_skips_cycle_edges():
    g = graph(["a>b", "b>a", "x>a"], nodes=["a", "b", "x"])
    assert g.critical_path() in {("a", "x"), ("b",)}
    assert g.critical_path() == ("a", "x")


# --- properties over random DAGs -------------------------------------------------------------


@st.composite
def dags(draw, max_nodes=12):
    size = draw(st.integers(min_value=1, max_value=max_nodes))
    names = [f"n{i:02d}" for i in range(size)]
    # Only edges from a later node to an earlier one: acyclic by construction.
    candidates = [(names[i], names[j]) for i in range(size) for j in range(i)]
    chosen = draw(st.lists(st.sampled_from(candidates), unique=True)) if candidates else []
    order = draw(st.permutations(names))  # source order is free
    edges = [
        Edge(a, b, draw(st.sampled_from(["depends_on", "get_attr", "implicit:x"])))
        for a, b in chosen
    ]
    return DependencyGraph.build(order, edges)


@settings(max_examples=200, deadline=None)
@given(dags())
def test_every_edge_goes_to_an_earlier_wave(g):
    assert not g.cycles
    for edge in g.edges:
        assert g.wave_of(edge.target) < g.wave_of(edge.source)
    # Longest chain: a node past wave 0 has a dependency in the wave just before.
    for name in g.nodes:
        if g.wave_of(name) > 0:
            assert any(g.wave_of(t) == g.wave_of(name) - 1 for t in g.requires(name))
    assert sorted(n for wave in g.waves for n in wave) == sorted(g.nodes)


@settings(max_examples=200, deadline=None)
@given(dags())
def test_toposort_respects_edges(g):
    position = {name: i for i, name in enumerate(g.topological_order)}
    assert len(position) == len(g.nodes)
    for edge in g.edges:
        assert position[edge.target] < position[edge.source]


@settings(max_examples=200, deadline=None)
@given(dags())
def test_critical_path_is_a_longest_chain(g):
    path = g.critical_path()
    for dependent, dependency in zip(path[1:], path, strict=False):
        assert dependency in g.requires(dependent)
    assert len(path) == len(g.waves)  # unit weights: as long as there are waves
    assert g.wave_of(path[0]) == 0


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_a_back_edge_creates_exactly_the_reported_cycle(g, data):
    # Walk a chain of dependencies, then make its last resource depend on its first.
    start = data.draw(st.sampled_from(sorted(g.nodes)))
    chain = [start]
    while g.requires(chain[-1]) and data.draw(st.booleans()):
        chain.append(data.draw(st.sampled_from(g.requires(chain[-1]))))
    back = Edge(chain[-1], chain[0], "depends_on")
    cyclic = DependencyGraph.build(g.nodes, [*g.edges, back])
    (cycle,) = cyclic.cycles
    links = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
    assert len(set(cycle)) == len(cycle)  # elementary
    assert all(target in cyclic.requires(source) for source, target in links)
    assert (back.source, back.target) in links  # every cycle must use the new edge
    component = next(set(c) for c in cyclic.components if cycle[0] in c)
    assert set(chain) <= component
    assert cycle[0] == min(component, key=cyclic.nodes.index)  # the first in source order
    inside = [pair for pair in cyclic.pairs() if set(pair) <= component]
    if component == set(chain) and len(inside) == len(chain):
        # The chain is the only way round: the reported cycle is exactly it, rotated to start
        # at its first resource in source order.
        at = chain.index(cycle[0])
        assert list(cycle) == chain[at:] + chain[:at]
