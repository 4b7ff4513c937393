"""Contraction hierarchies: exact many-to-many shortest paths in a fraction of Dijkstra's time.

A contraction hierarchy (Geisberger et al. 2008) ranks the vertices and contracts them in that
order, adding a *shortcut* ``a -> x`` (weight ``w(a, v) + w(v, x)``) wherever contracting
``v`` would break the only shortest path ``a -> v -> x``. Every shortest path then climbs in
rank and descends again, so a many-to-many table needs only small upward searches: a
backward one from each target that leaves ``(target, distance)`` entries in *buckets* at the
vertices it reaches, and a forward one from each source that scans those buckets (Knopp et
al. 2007). Both searches prune vertices that a higher one reaches more cheaply
(stall-on-demand). Distances are exact: a shortcut is left out only when a witness path at
most as long exists.

Weights are non-negative integers (int64), so the results equal Dijkstra's bit for bit. The
kernels are compiled by numba (cached on disk after the first compile); without numba this
module still imports but :func:`is_available` is False and building raises ``ImportError``.

Vertices have *source sets* and *target sets*: a query from road node ``s`` starts at several
vertices with start offsets (in the turn-expanded graph, every edge leaving ``s`` at that
edge's weight), and one to road node ``t`` ends at any vertex of its set.

One module on purpose (about 860 lines): one algorithm (contraction, then bucket
searches) whose numba kernels share their array layout.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]

INF = np.int64(1 << 62)
"""Distance of an unreachable vertex."""

WITNESS_SETTLE_LIMIT = 60
"""Vertices a witness search may settle while contracting. A search that stops early only
adds a shortcut that was not needed, never a wrong distance."""

SIMULATE_SETTLE_LIMIT = 30
"""The same, while estimating a vertex's priority (the count only steers the order)."""

DEFAULT_THREADS = min(4, os.cpu_count() or 1)
"""Threads that run the forward searches of a many-to-many query (numba releases the GIL)."""

MIN_SOURCES_PER_THREAD = 64
"""Fewer sources than this per thread are not worth a thread."""

FORMAT_VERSION = 1
"""Bump when the arrays or the algorithm that makes them change meaning."""

_F = TypeVar("_F", bound=Callable[..., Any])

try:  # numba is optional: without it the "scipy" engine is used.
    import numba

    _HAS_NUMBA = True
except ImportError:  # pragma: no cover - numba is installed in development
    _HAS_NUMBA = False


def _jit(function: _F) -> _F:
    """Compile ``function`` with numba (cached on disk), or return it as is without numba."""
    if not _HAS_NUMBA:  # pragma: no cover
        return function
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


def is_available() -> bool:
    """Whether numba is installed, so hierarchies can be built and queried."""
    return _HAS_NUMBA


# ------------------------------------------------------------------------ indexed min-heap
# Parallel arrays ``keys``/``items`` hold the heap; ``where[item]`` is the item's slot or -1.


@_jit
def _sift_up(keys: I64, items: I64, where: I64, slot: int) -> None:
    key = keys[slot]
    item = items[slot]
    while slot > 0:
        parent = (slot - 1) >> 1
        if keys[parent] <= key:
            break
        keys[slot] = keys[parent]
        items[slot] = items[parent]
        where[items[slot]] = slot
        slot = parent
    keys[slot] = key
    items[slot] = item
    where[item] = slot


@_jit
def _sift_down(keys: I64, items: I64, where: I64, slot: int, size: int) -> None:
    key = keys[slot]
    item = items[slot]
    while True:
        child = 2 * slot + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[slot] = keys[child]
        items[slot] = items[child]
        where[items[slot]] = slot
        slot = child
    keys[slot] = key
    items[slot] = item
    where[item] = slot


@_jit
def _heap_set(keys: I64, items: I64, where: I64, size: int, item: int, key: int) -> int:
    """Insert ``item`` or move it to ``key``; return the new heap size."""
    slot = where[item]
    if slot < 0:
        keys[size] = key
        items[size] = item
        _sift_up(keys, items, where, size)
        return size + 1
    old = keys[slot]
    keys[slot] = key
    if key < old:
        _sift_up(keys, items, where, slot)
    else:
        _sift_down(keys, items, where, slot, size)
    return size


@_jit
def _heap_pop(keys: I64, items: I64, where: I64, size: int) -> int:
    """Remove the minimum (read it from ``items[0]`` first); return the new heap size."""
    where[items[0]] = -1
    size -= 1
    if size > 0:
        keys[0] = keys[size]
        items[0] = items[size]
        where[items[0]] = 0
        _sift_down(keys, items, where, 0, size)
    return size


# ------------------------------------------------------------------------------ contraction


@_jit
def _grown(array: I64, capacity: int) -> I64:
    bigger = np.empty(capacity, dtype=np.int64)
    bigger[: array.shape[0]] = array
    return bigger


@_jit
def _witness_search(
    start: int,
    skip: int,
    max_dist: int,
    settle_limit: int,
    out_first: I64,
    out_next: I64,
    e_head: I64,
    e_weight: I64,
    contracted: NDArray[np.bool_],
    dist: I64,
    touched: I64,
    keys: I64,
    items: I64,
    where: I64,
) -> int:
    """Dijkstra from ``start`` avoiding ``skip`` and contracted vertices, up to ``max_dist``.

    Leaves distances in ``dist`` for the ``touched[:count]`` vertices; returns ``count``.
    """
    num_touched = 1
    dist[start] = 0
    touched[0] = start
    size = _heap_set(keys, items, where, 0, start, 0)
    settled = 0
    while size > 0:
        vertex = items[0]
        d = keys[0]
        if d > max_dist or settled >= settle_limit:
            break
        size = _heap_pop(keys, items, where, size)
        settled += 1
        edge = out_first[vertex]
        while edge >= 0:
            head = e_head[edge]
            if head != skip and not contracted[head]:
                candidate = d + e_weight[edge]
                if candidate < dist[head]:
                    if dist[head] == INF:
                        touched[num_touched] = head
                        num_touched += 1
                    dist[head] = candidate
                    size = _heap_set(keys, items, where, size, head, candidate)
            edge = out_next[edge]
    while size > 0:  # empty the heap for the next search
        size = _heap_pop(keys, items, where, size)
    return num_touched


@_jit
def _contract_step(
    v: int,
    simulate: bool,
    settle_limit: int,
    num_edges: int,
    e_tail: I64,
    e_head: I64,
    e_weight: I64,
    e_mid: I64,
    out_first: I64,
    out_next: I64,
    in_first: I64,
    in_next: I64,
    contracted: NDArray[np.bool_],
    deleted_neighbours: I64,
    dist: I64,
    touched: I64,
    keys: I64,
    items: I64,
    where: I64,
) -> tuple[int, int]:
    """Count (``simulate``) or add the shortcuts that contracting ``v`` needs.

    Returns ``(priority, num_edges)``: the priority is the edge difference plus the number of
    neighbours already contracted (small first); ``num_edges`` the edge count afterwards.
    The edge arrays must have room for ``in_degree × out_degree`` more edges.
    """
    num_shortcuts = 0
    degree = 0
    max_out = -1
    edge = out_first[v]
    while edge >= 0:
        if not contracted[e_head[edge]]:
            degree += 1
            max_out = max(max_out, e_weight[edge])
        edge = out_next[edge]
    edge_in = in_first[v]
    while edge_in >= 0:
        a = e_tail[edge_in]
        if not contracted[a]:
            degree += 1
            if max_out >= 0:
                w_in = e_weight[edge_in]
                count = _witness_search(
                    a, v, w_in + max_out, settle_limit, out_first, out_next, e_head, e_weight,
                    contracted, dist, touched, keys, items, where,
                )  # fmt: skip
                edge_out = out_first[v]
                while edge_out >= 0:
                    x = e_head[edge_out]
                    if x != a and not contracted[x]:
                        candidate = w_in + e_weight[edge_out]
                        if dist[x] > candidate:
                            num_shortcuts += 1
                            if not simulate:
                                num_edges = _add_or_lower(
                                    a, x, candidate, v, num_edges, e_tail, e_head, e_weight,
                                    e_mid, out_first, out_next, in_first, in_next,
                                )  # fmt: skip
                    edge_out = out_next[edge_out]
                for i in range(count):
                    dist[touched[i]] = INF
        edge_in = in_next[edge_in]
    priority = 2 * num_shortcuts - degree + deleted_neighbours[v]
    return priority, num_edges


@_jit
def _add_or_lower(
    a: int,
    x: int,
    weight: int,
    mid: int,
    num_edges: int,
    e_tail: I64,
    e_head: I64,
    e_weight: I64,
    e_mid: I64,
    out_first: I64,
    out_next: I64,
    in_first: I64,
    in_next: I64,
) -> int:
    """Add the shortcut ``a -> x`` via ``mid``, or lower an existing ``a -> x``; new count."""
    edge = out_first[a]
    while edge >= 0:
        if e_head[edge] == x:
            if weight < e_weight[edge]:
                e_weight[edge] = weight
                e_mid[edge] = mid
            return num_edges
        edge = out_next[edge]
    e_tail[num_edges] = a
    e_head[num_edges] = x
    e_weight[num_edges] = weight
    e_mid[num_edges] = mid
    out_next[num_edges] = out_first[a]
    out_first[a] = num_edges
    in_next[num_edges] = in_first[x]
    in_first[x] = num_edges
    return num_edges + 1


@_jit
def _unlink_contracted(
    v: int,
    out_first: I64,
    out_next: I64,
    e_head: I64,
    in_first: I64,
    in_next: I64,
    e_tail: I64,
    contracted: NDArray[np.bool_],
) -> None:
    """Drop the edges between ``v`` and contracted vertices from ``v``'s lists.

    Keeps the lists of the vertices still to contract short, so that witness searches and
    priority updates do not wade through dead edges.
    """
    previous = -1
    edge = out_first[v]
    while edge >= 0:
        following = out_next[edge]
        if contracted[e_head[edge]]:
            if previous < 0:
                out_first[v] = following
            else:
                out_next[previous] = following
        else:
            previous = edge
        edge = following
    previous = -1
    edge = in_first[v]
    while edge >= 0:
        following = in_next[edge]
        if contracted[e_tail[edge]]:
            if previous < 0:
                in_first[v] = following
            else:
                in_next[previous] = following
        else:
            previous = edge
        edge = following


@_jit
def _contract_all(
    num_vertices: int, tails: I64, heads: I64, weights: I64
) -> tuple[I64, I64, I64, I64, I64, int]:
    """Contract every vertex; return ``(rank, tail, head, weight, mid, num_edges)``.

    The edge arrays hold the original edges and the shortcuts (``mid`` is the contracted
    vertex a shortcut passes, -1 for an original edge) in their first ``num_edges`` slots.
    """
    n = num_vertices
    capacity = max(16, 2 * tails.shape[0])
    e_tail = np.empty(capacity, dtype=np.int64)
    e_head = np.empty(capacity, dtype=np.int64)
    e_weight = np.empty(capacity, dtype=np.int64)
    e_mid = np.empty(capacity, dtype=np.int64)
    out_next = np.empty(capacity, dtype=np.int64)
    in_next = np.empty(capacity, dtype=np.int64)
    out_first = np.full(n, -1, dtype=np.int64)
    in_first = np.full(n, -1, dtype=np.int64)
    num_edges = 0
    for i in range(tails.shape[0]):
        num_edges = _add_or_lower(
            tails[i], heads[i], weights[i], -1, num_edges, e_tail, e_head, e_weight, e_mid,
            out_first, out_next, in_first, in_next,
        )  # fmt: skip

    contracted = np.zeros(n, dtype=np.bool_)
    deleted = np.zeros(n, dtype=np.int64)
    rank = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, INF, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    w_keys = np.empty(n, dtype=np.int64)
    w_items = np.empty(n, dtype=np.int64)
    w_where = np.full(n, -1, dtype=np.int64)
    p_keys = np.empty(n, dtype=np.int64)
    p_items = np.empty(n, dtype=np.int64)
    p_where = np.full(n, -1, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)
    neighbours = np.empty(n, dtype=np.int64)

    size = 0
    for v in range(n):
        priority, _ = _contract_step(
            v, True, SIMULATE_SETTLE_LIMIT, num_edges, e_tail, e_head, e_weight, e_mid,
            out_first, out_next, in_first, in_next, contracted, deleted, dist, touched,
            w_keys, w_items, w_where,
        )  # fmt: skip
        size = _heap_set(p_keys, p_items, p_where, size, v, priority)
    order = 0
    while size > 0:
        v = p_items[0]
        size = _heap_pop(p_keys, p_items, p_where, size)
        priority, _ = _contract_step(
            v, True, SIMULATE_SETTLE_LIMIT, num_edges, e_tail, e_head, e_weight, e_mid,
            out_first, out_next, in_first, in_next, contracted, deleted, dist, touched,
            w_keys, w_items, w_where,
        )  # fmt: skip
        if size > 0 and priority > p_keys[0]:  # lazy update: no longer the smallest
            size = _heap_set(p_keys, p_items, p_where, size, v, priority)
            continue
        # Room for the worst case, in x out shortcuts, before contracting.
        num_in = 0
        num_out = 0
        num_neighbours = 0
        edge = out_first[v]
        while edge >= 0:
            w = e_head[edge]
            if not contracted[w]:
                num_out += 1
                if stamp[w] != v:
                    stamp[w] = v
                    neighbours[num_neighbours] = w
                    num_neighbours += 1
            edge = out_next[edge]
        edge = in_first[v]
        while edge >= 0:
            w = e_tail[edge]
            if not contracted[w]:
                num_in += 1
                if stamp[w] != v:
                    stamp[w] = v
                    neighbours[num_neighbours] = w
                    num_neighbours += 1
            edge = in_next[edge]
        needed = num_edges + num_in * num_out
        if needed > e_tail.shape[0]:
            capacity = max(2 * e_tail.shape[0], needed)
            e_tail = _grown(e_tail, capacity)
            e_head = _grown(e_head, capacity)
            e_weight = _grown(e_weight, capacity)
            e_mid = _grown(e_mid, capacity)
            out_next = _grown(out_next, capacity)
            in_next = _grown(in_next, capacity)
        _, num_edges = _contract_step(
            v, False, WITNESS_SETTLE_LIMIT, num_edges, e_tail, e_head, e_weight, e_mid,
            out_first, out_next, in_first, in_next, contracted, deleted, dist, touched,
            w_keys, w_items, w_where,
        )  # fmt: skip
        contracted[v] = True
        rank[v] = order
        order += 1
        for i in range(num_neighbours):
            _unlink_contracted(
                neighbours[i], out_first, out_next, e_head, in_first, in_next, e_tail, contracted
            )
        for i in range(num_neighbours):
            w = neighbours[i]
            deleted[w] += 1
            priority, _ = _contract_step(
                w, True, SIMULATE_SETTLE_LIMIT, num_edges, e_tail, e_head, e_weight, e_mid,
                out_first, out_next, in_first, in_next, contracted, deleted, dist, touched,
                w_keys, w_items, w_where,
            )  # fmt: skip
            size = _heap_set(p_keys, p_items, p_where, size, w, priority)
    return rank, e_tail, e_head, e_weight, e_mid, num_edges


# ------------------------------------------------------------------------------- queries


@_jit
def _upward_search(
    starts: I64,
    start_offsets: I64,
    indptr: I64,
    head: I64,
    weight: I64,
    stall_indptr: I64,
    stall_head: I64,
    stall_weight: I64,
    dist: I64,
    touched: I64,
    keys: I64,
    items: I64,
    where: I64,
    found_vertex: I64,
    found_dist: I64,
) -> int:
    """Dijkstra upwards from ``starts`` (at ``start_offsets``), with stall-on-demand.

    ``indptr/head/weight`` are the arcs to search along (to higher ranks); ``stall_*`` are
    the arcs from higher-ranked vertices into each vertex, which prove a vertex's distance
    not shortest. Writes the settled, unstalled vertices and their distances to
    ``found_vertex``/``found_dist`` and returns how many; resets ``dist``.
    """
    num_touched = 0
    size = 0
    for i in range(starts.shape[0]):
        vertex = starts[i]
        if start_offsets[i] < dist[vertex]:
            if dist[vertex] == INF:
                touched[num_touched] = vertex
                num_touched += 1
            dist[vertex] = start_offsets[i]
            size = _heap_set(keys, items, where, size, vertex, start_offsets[i])
    num_found = 0
    while size > 0:
        vertex = items[0]
        d = keys[0]
        size = _heap_pop(keys, items, where, size)
        stalled = False
        for k in range(stall_indptr[vertex], stall_indptr[vertex + 1]):
            if dist[stall_head[k]] + stall_weight[k] < d:
                stalled = True
                break
        if stalled:
            continue
        found_vertex[num_found] = vertex
        found_dist[num_found] = d
        num_found += 1
        for k in range(indptr[vertex], indptr[vertex + 1]):
            other = head[k]
            candidate = d + weight[k]
            if candidate < dist[other]:
                if dist[other] == INF:
                    touched[num_touched] = other
                    num_touched += 1
                dist[other] = candidate
                size = _heap_set(keys, items, where, size, other, candidate)
    for i in range(num_touched):
        dist[touched[i]] = INF
    return num_found


@_jit
def _fill_buckets(
    num_vertices: int,
    target_indptr: I64,
    target_vertex: I64,
    target_offset: I64,
    down_indptr: I64,
    down_head: I64,
    down_weight: I64,
    up_indptr: I64,
    up_head: I64,
    up_weight: I64,
) -> tuple[I64, I64, I64]:
    """Run the backward search of every target; return buckets ``(indptr, target, dist)``.

    Bucket ``v`` (entries ``indptr[v]:indptr[v + 1]``) lists the targets whose backward
    search settled ``v`` and the distance from ``v`` to that target.
    """
    n = num_vertices
    num_targets = target_indptr.shape[0] - 1
    dist = np.full(n, INF, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    keys = np.empty(n, dtype=np.int64)
    items = np.empty(n, dtype=np.int64)
    where = np.full(n, -1, dtype=np.int64)
    found_vertex = np.empty(n, dtype=np.int64)
    found_dist = np.empty(n, dtype=np.int64)
    capacity = max(16, 64 * num_targets)
    entry_vertex = np.empty(capacity, dtype=np.int64)
    entry_target = np.empty(capacity, dtype=np.int64)
    entry_dist = np.empty(capacity, dtype=np.int64)
    num_entries = 0
    for j in range(num_targets):
        lo, hi = target_indptr[j], target_indptr[j + 1]
        count = _upward_search(
            target_vertex[lo:hi], target_offset[lo:hi], down_indptr, down_head, down_weight,
            up_indptr, up_head, up_weight, dist, touched, keys, items, where, found_vertex,
            found_dist,
        )  # fmt: skip
        if num_entries + count > entry_vertex.shape[0]:
            capacity = max(2 * entry_vertex.shape[0], num_entries + count)
            entry_vertex = _grown(entry_vertex, capacity)
            entry_target = _grown(entry_target, capacity)
            entry_dist = _grown(entry_dist, capacity)
        for i in range(count):
            entry_vertex[num_entries] = found_vertex[i]
            entry_target[num_entries] = j
            entry_dist[num_entries] = found_dist[i]
            num_entries += 1
    # Counting sort of the entries by vertex.
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(num_entries):
        indptr[entry_vertex[i] + 1] += 1
    for v in range(n):
        indptr[v + 1] += indptr[v]
    fill = indptr[:-1].copy()
    bucket_target = np.empty(num_entries, dtype=np.int64)
    bucket_dist = np.empty(num_entries, dtype=np.int64)
    for i in range(num_entries):
        slot = fill[entry_vertex[i]]
        fill[entry_vertex[i]] += 1
        bucket_target[slot] = entry_target[i]
        bucket_dist[slot] = entry_dist[i]
    return indptr, bucket_target, bucket_dist


@_jit
def _scan_sources(
    num_vertices: int,
    source_indptr: I64,
    source_vertex: I64,
    source_offset: I64,
    up_indptr: I64,
    up_head: I64,
    up_weight: I64,
    down_indptr: I64,
    down_head: I64,
    down_weight: I64,
    bucket_indptr: I64,
    bucket_target: I64,
    bucket_dist: I64,
    table: I64,
    first: int,
    step: int,
) -> None:
    """Fill rows ``first, first + step, ...`` of ``table`` from the buckets.

    Each source's forward search meets the targets' backward searches in the buckets.
    ``table`` must start at :data:`INF`.
    """
    n = num_vertices
    num_sources = source_indptr.shape[0] - 1
    dist = np.full(n, INF, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    keys = np.empty(n, dtype=np.int64)
    items = np.empty(n, dtype=np.int64)
    where = np.full(n, -1, dtype=np.int64)
    found_vertex = np.empty(n, dtype=np.int64)
    found_dist = np.empty(n, dtype=np.int64)
    for i in range(first, num_sources, step):
        lo, hi = source_indptr[i], source_indptr[i + 1]
        count = _upward_search(
            source_vertex[lo:hi], source_offset[lo:hi], up_indptr, up_head, up_weight,
            down_indptr, down_head, down_weight, dist, touched, keys, items, where,
            found_vertex, found_dist,
        )  # fmt: skip
        row = table[i]
        for f in range(count):
            v = found_vertex[f]
            d = found_dist[f]
            for k in range(bucket_indptr[v], bucket_indptr[v + 1]):
                candidate = d + bucket_dist[k]
                j = bucket_target[k]
                if candidate < row[j]:
                    row[j] = candidate


# --------------------------------------------------------------------------- the hierarchy


@dataclass(frozen=True, eq=False)
class ContractionHierarchy:
    """A contracted graph, ready for many-to-many queries (arrays only: cacheable, picklable).

    ``rank``: contraction order of each vertex. ``up_*``: CSR of arcs ``v -> w`` with
    ``rank[w] > rank[v]`` (by ``v``). ``down_*``: CSR of arcs ``w -> v`` with
    ``rank[w] > rank[v]``, stored at ``v`` (by ``v``; ``head`` is ``w``). Weights are
    int64. ``num_shortcuts``: arcs added by contraction. ``build_s``: seconds it took.
    """

    rank: I64
    up_indptr: I64
    up_head: I64
    up_weight: I64
    down_indptr: I64
    down_head: I64
    down_weight: I64
    num_shortcuts: int
    build_s: float

    @property
    def num_vertices(self) -> int:
        """Number of vertices."""
        return int(self.rank.shape[0])

    def arrays(self) -> dict[str, NDArray[Any]]:
        """Return the arrays by name (for the on-disk cache)."""
        return {
            "rank": self.rank,
            "up_indptr": self.up_indptr,
            "up_head": self.up_head,
            "up_weight": self.up_weight,
            "down_indptr": self.down_indptr,
            "down_head": self.down_head,
            "down_weight": self.down_weight,
            "num_shortcuts": np.array(self.num_shortcuts, dtype=np.int64),
            "build_s": np.array(self.build_s, dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]]) -> ContractionHierarchy:
        """Rebuild from :meth:`arrays`; ``KeyError``/``ValueError`` when they do not fit."""
        int_names = (
            "rank",
            "up_indptr",
            "up_head",
            "up_weight",
            "down_indptr",
            "down_head",
            "down_weight",
        )
        parts = {name: np.ascontiguousarray(arrays[name], dtype=np.int64) for name in int_names}
        n = parts["rank"].shape[0]
        for side in ("up", "down"):
            indptr = parts[f"{side}_indptr"]
            num_arcs = parts[f"{side}_head"].shape[0]
            if (
                indptr.shape[0] != n + 1
                or int(indptr[0]) != 0
                or int(indptr[-1]) != num_arcs
                or parts[f"{side}_weight"].shape[0] != num_arcs
                or (num_arcs and not 0 <= int(parts[f"{side}_head"].min()) <= n - 1)
                or (num_arcs and int(parts[f"{side}_head"].max()) >= n)
                or bool(np.any(np.diff(indptr) < 0))
            ):
                raise ValueError(f"inconsistent {side} arcs")
        return cls(
            **parts,
            num_shortcuts=int(arrays["num_shortcuts"]),
            build_s=float(arrays["build_s"]),
        )

    def many_to_many(
        self,
        source_indptr: I64,
        source_vertex: I64,
        source_offset: I64,
        target_indptr: I64,
        target_vertex: I64,
        target_offset: I64,
        *,
        num_threads: int | None = None,
    ) -> I64:
        """Return the table of shortest distances from each source to each target (int64).

        Source ``i`` starts at vertices ``source_vertex[source_indptr[i]:source_indptr[i+1]]``
        at the matching ``source_offset``; target ``j`` ends at any of its vertices, plus its
        ``target_offset``. Unreachable pairs hold :data:`INF`.
        """
        buckets = _fill_buckets(
            self.num_vertices,
            _i64(target_indptr),
            _i64(target_vertex),
            _i64(target_offset),
            self.down_indptr,
            self.down_head,
            self.down_weight,
            self.up_indptr,
            self.up_head,
            self.up_weight,
        )
        num_sources = int(source_indptr.shape[0]) - 1
        table = np.full((num_sources, int(target_indptr.shape[0]) - 1), INF, dtype=np.int64)
        sources = (_i64(source_indptr), _i64(source_vertex), _i64(source_offset))
        wanted = DEFAULT_THREADS if num_threads is None else num_threads
        step = max(1, min(wanted, num_sources // MIN_SOURCES_PER_THREAD))

        def scan(first: int) -> None:
            _scan_sources(
                self.num_vertices,
                *sources,
                self.up_indptr,
                self.up_head,
                self.up_weight,
                self.down_indptr,
                self.down_head,
                self.down_weight,
                *buckets,
                table,
                first,
                step,
            )

        if step == 1:
            scan(0)
        else:  # the kernel releases the GIL: plain threads run it in parallel
            with ThreadPoolExecutor(max_workers=step) as pool:
                list(pool.map(scan, range(step)))
        return table


def warm_up() -> float:
    """Compile the kernels now (or load them from numba's cache); return the seconds taken.

    The first compile on a machine takes about ten seconds; call this where that must not
    land on a request (service start-up, image build). Without numba it does nothing.
    """
    started = time.perf_counter()
    if _HAS_NUMBA:
        ring = np.arange(3, dtype=np.int64)
        hierarchy = build_hierarchy(3, ring, (ring + 1) % 3, np.ones(3, dtype=np.int64))
        sets = np.arange(4, dtype=np.int64)
        offsets = np.zeros(3, dtype=np.int64)
        hierarchy.many_to_many(sets, ring, offsets, sets, ring, offsets)
    return time.perf_counter() - started


def _i64(array: NDArray[Any]) -> I64:
    return np.ascontiguousarray(array, dtype=np.int64)


def build_hierarchy(
    num_vertices: int, tails: I64, heads: I64, weights: I64
) -> ContractionHierarchy:
    """Contract the graph of arcs ``tails[i] -> heads[i]`` (non-negative int64 ``weights``).

    Parallel arcs are merged (the lightest kept). Raises ``ImportError`` without numba and
    ``ValueError`` for a negative weight or a vertex out of range.
    """
    if not _HAS_NUMBA:  # pragma: no cover
        raise ImportError("numba is needed to build a contraction hierarchy")
    started = time.perf_counter()
    tails, heads, weights = _i64(tails), _i64(heads), _i64(weights)
    if weights.size and int(weights.min()) < 0:
        raise ValueError("contraction hierarchies need non-negative weights")
    if tails.size and (
        min(int(tails.min()), int(heads.min())) < 0
        or max(int(tails.max()), int(heads.max())) >= num_vertices
    ):
        raise ValueError("arc end out of range")
    keep = tails != heads
    rank, e_tail, e_head, e_weight, _, num_edges = _contract_all(
        num_vertices, tails[keep], heads[keep], weights[keep]
    )
    e_tail, e_head, e_weight = e_tail[:num_edges], e_head[:num_edges], e_weight[:num_edges]
    upward = rank[e_tail] < rank[e_head]
    up_indptr, up_head, up_weight = _csr(
        num_vertices, e_tail[upward], e_head[upward], e_weight[upward]
    )
    down = ~upward
    down_indptr, down_head, down_weight = _csr(
        num_vertices, e_head[down], e_tail[down], e_weight[down]
    )
    return ContractionHierarchy(
        rank=rank,
        up_indptr=up_indptr,
        up_head=up_head,
        up_weight=up_weight,
        down_indptr=down_indptr,
        down_head=down_head,
        down_weight=down_weight,
        num_shortcuts=int(num_edges) - int(keep.sum()),
        build_s=time.perf_counter() - started,
    )


def _csr(n: int, rows: I64, cols: I64, values: I64) -> tuple[I64, I64, I64]:
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, _i64(cols[order]), _i64(values[order])
