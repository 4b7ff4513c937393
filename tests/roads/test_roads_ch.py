"""Contraction hierarchies on small random graphs, with scipy's Dijkstra as the oracle."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from solver.roads import ch

pytestmark = pytest.mark.skipif(not ch.is_available(), reason="numba is not installed")

I64 = NDArray[np.int64]


def _random_graph(seed: int, n: int, num_arcs: int, max_weight: int) -> tuple[I64, I64, I64]:
    rng = np.random.default_rng(seed)
    tails = rng.integers(0, n, num_arcs)
    heads = rng.integers(0, n, num_arcs)
    weights = rng.integers(0, max_weight + 1, num_arcs)
    return tails, heads, weights


def _oracle(n: int, tails: I64, heads: I64, weights: I64) -> NDArray[np.float64]:
    """All-pairs distances; parallel arcs keep the lightest, zero weights stay arcs."""
    best: dict[tuple[int, int], int] = {}
    for t, h, w in zip(tails.tolist(), heads.tolist(), weights.tolist(), strict=True):
        if t != h:
            best[t, h] = min(w, best.get((t, h), w))
    if not best:
        return np.where(np.eye(n, dtype=bool), 0.0, np.inf)
    rows = np.array([tail for tail, _ in best])
    cols = np.array([head for _, head in best])
    # scipy drops explicit zeros; a tiny epsilon keeps zero-weight arcs (sums stay < 0.5).
    data = np.array(list(best.values()), dtype=np.float64) + 1e-9
    matrix = csr_matrix((data, (rows, cols)), shape=(n, n))
    return np.round(dijkstra(matrix, directed=True))


def _singletons(nodes: I64) -> tuple[I64, I64, I64]:
    return (
        np.arange(nodes.size + 1, dtype=np.int64),
        nodes.astype(np.int64),
        np.zeros(nodes.size, dtype=np.int64),
    )


def _table(hierarchy: ch.ContractionHierarchy, sources: I64, targets: I64) -> I64:
    return hierarchy.many_to_many(*_singletons(sources), *_singletons(targets))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    density=st.floats(0.5, 4.0),
    max_weight=st.sampled_from([0, 1, 3, 1000]),
)
def test_many_to_many_equals_dijkstra_on_random_graphs(
    seed: int, n: int, density: float, max_weight: int
) -> None:
    tails, heads, weights = _random_graph(seed, n, int(n * density) + 1, max_weight)
    hierarchy = ch.build_hierarchy(n, tails, heads, weights)
    expected = _oracle(n, tails, heads, weights)
    nodes = np.arange(n, dtype=np.int64)
    table = _table(hierarchy, nodes, nodes)
    reachable = np.isfinite(expected)
    np.testing.assert_array_equal(table[reachable], expected[reachable].astype(np.int64))
    assert (table[~reachable] == ch.INF).all()


def test_a_grid_city_with_oneways_matches_dijkstra_for_every_pair() -> None:
    side = 12
    rng = np.random.default_rng(5)
    tails, heads = [], []
    for r in range(side):
        for c in range(side):
            v = r * side + c
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr < side and c + dc < side:
                    w = (r + dr) * side + c + dc
                    direction = rng.integers(0, 4)  # a quarter of the streets are oneway
                    if direction != 1:
                        tails.append(v), heads.append(w)
                    if direction != 2:
                        tails.append(w), heads.append(v)
    tails_a, heads_a = np.array(tails), np.array(heads)
    weights = rng.integers(100, 5000, tails_a.size)
    n = side * side
    hierarchy = ch.build_hierarchy(n, tails_a, heads_a, weights)
    expected = _oracle(n, tails_a, heads_a, weights)
    nodes = np.arange(n, dtype=np.int64)
    table = _table(hierarchy, nodes, nodes)
    reachable = np.isfinite(expected)
    np.testing.assert_array_equal(table[reachable], expected[reachable].astype(np.int64))
    assert hierarchy.num_shortcuts > 0


def test_sources_and_targets_with_several_vertices_and_offsets() -> None:
    tails, heads, weights = _random_graph(11, 30, 120, 50)
    hierarchy = ch.build_hierarchy(30, tails, heads, weights)
    expected = _oracle(30, tails, heads, weights)
    # Source 0 starts at vertices 1 (offset 5) and 2 (offset 0); target 0 ends at 3 or 4
    # (plus 7 at 4), target 1 at vertex 5.
    table = hierarchy.many_to_many(
        np.array([0, 2]),
        np.array([1, 2]),
        np.array([5, 0]),
        np.array([0, 2, 3]),
        np.array([3, 4, 5]),
        np.array([0, 7, 0]),
    )
    to_first = min(5 + expected[1, 3], 5 + expected[1, 4] + 7, expected[2, 3], expected[2, 4] + 7)
    assert table[0, 0] == to_first
    assert table[0, 1] == min(5 + expected[1, 5], expected[2, 5])


def test_threads_give_the_same_table() -> None:
    tails, heads, weights = _random_graph(12, 400, 1600, 1000)
    hierarchy = ch.build_hierarchy(400, tails, heads, weights)
    nodes = np.arange(400, dtype=np.int64)
    one = hierarchy.many_to_many(*_singletons(nodes), *_singletons(nodes), num_threads=1)
    three = hierarchy.many_to_many(*_singletons(nodes), *_singletons(nodes), num_threads=3)
    np.testing.assert_array_equal(one, three)


def test_arrays_round_trip_and_are_checked() -> None:
    tails, heads, weights = _random_graph(13, 20, 60, 9)
    hierarchy = ch.build_hierarchy(20, tails, heads, weights)
    again = ch.ContractionHierarchy.from_arrays(hierarchy.arrays())
    nodes = np.arange(20, dtype=np.int64)
    np.testing.assert_array_equal(_table(again, nodes, nodes), _table(hierarchy, nodes, nodes))
    copy = pickle.loads(pickle.dumps(hierarchy))
    assert copy.num_shortcuts == hierarchy.num_shortcuts
    broken = dict(hierarchy.arrays())
    broken["up_head"] = broken["up_head"][:-1]
    with pytest.raises(ValueError, match="up arcs"):
        ch.ContractionHierarchy.from_arrays(broken)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        ch.build_hierarchy(2, np.array([0]), np.array([1]), np.array([-1]))
    with pytest.raises(ValueError, match="out of range"):
        ch.build_hierarchy(2, np.array([0]), np.array([2]), np.array([1]))


def test_warm_up_compiles_the_kernels() -> None:
    assert ch.warm_up() >= 0.0
