"""k-feasible priority cut enumeration with truth tables.

A cut of an AND node `root` is a set of nodes (the leaves) such that every path from `root` to a primary input
passes through a leaf. Cuts are built bottom-up: the cuts of a node are the pairwise unions of its fanins' cuts,
each fanin contributing its kept cuts plus its trivial cut {fanin}. Unions with more than `max_cut_size` leaves
are dropped, and so is any union whose leaf set contains the leaf set of another union (it is dominated).

Priority cuts: of the surviving unions a node keeps only the best `max_cuts_per_node`, ordered by
  1. fewer leaves first;
  2. then smaller area flow, the sum of the leaves' area flows, where the area flow of a node is
     (1 + area flow of its best cut) / its fanout count (primary inputs and the constant have 0). For equal leaf
     counts a smaller area flow means leaves nearer the inputs or shared by many fanouts, so the cut covers a
     larger cone, and more of that cone is fanout-free: more room for resynthesis;
  3. then the order in which the union was formed (fanin 0's cut index, then fanin 1's; the trivial cut first),
     so results are deterministic.
With `use_area_flow_first` the first two keys swap. Leaf count first starves large cuts: with 8 cuts per node,
EPFL nodes keep almost no cut of more than 5 leaves, while area flow first keeps a spread of 2 to 8 leaves (as
ABC's area-oriented priority cuts do). Either order lists a cut before its supersets (area flows are >= 0), which
is what lets dominance be checked against kept cuts only. Only kept cuts are merged further up, so the result
depends on the limit, as with ABC's priority cuts.

Truth tables: the table of a cut is the function of the root's positive literal (2 * root) with leaf j (the j-th
smallest leaf node id) as variable j, computed by simulating the cone bounded by the leaves, exactly as
`sc_plugin.aig.simulate.cone_truth_table` defines it. It is stored as the 256-bit tiled table in 4 uint64 words,
least significant word first, as `sc_plugin.aig.truth.to_words` writes it. Tables are computed for kept cuts only.
They are not composed from the fanin cuts' tables (as mockturtle and ABC do): when a leaf of one fanin's cut lies
inside the other fanin cut's cone, the composed function treats that leaf as a function of the other leaves, and
differs from the cone's function on leaf values the network can never produce. A table may still not depend on
every leaf (reconvergence can cancel one).

Everything runs in a numba kernel over `Aig.fanin_array()`, called on consecutive ranges of nodes so that the
clock can be read between ranges: with a time limit the enumeration stops early and leaves the remaining nodes
without cuts (`CutStats.complete` is False). The first call in a fresh environment compiles the kernels (about
10 s) and caches the machine code next to this file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numba
import numpy as np

from sc_plugin.aig.analysis import fanout_counts
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import MAX_INPUTS, TT_WORDS, from_words

__all__ = ["Cut", "CutParams", "CutStats", "NetworkCuts", "enumerate_cuts"]


@dataclass(frozen=True)
class CutParams:
    """Parameters of `enumerate_cuts`."""

    max_cut_size: int = 8  # k: the most leaves a cut may have, 2..8
    max_cuts_per_node: int = 8  # priority cut limit per node, the trivial cut not counted
    compute_truth_tables: bool = True  # also simulate each kept cut's truth table (about 15% of the run time)
    use_area_flow_first: bool = False  # rank by area flow before leaf count (keeps many more 6-8-leaf cuts)

    def __post_init__(self) -> None:
        if not 2 <= self.max_cut_size <= MAX_INPUTS:
            raise ValueError(f"max_cut_size must be in 2..{MAX_INPUTS}, got {self.max_cut_size}")
        if self.max_cuts_per_node < 1:
            raise ValueError(f"max_cuts_per_node must be at least 1, got {self.max_cuts_per_node}")


@dataclass
class CutStats:
    """Counters and timings of one `enumerate_cuts` run."""

    num_ands: int = 0  # AND nodes whose cuts were enumerated
    complete: bool = True  # False when the time limit stopped the enumeration before the last node
    total_cuts: int = 0  # kept non-trivial cuts over all nodes
    cuts_by_size: list[int] = field(default_factory=lambda: [0] * (MAX_INPUTS + 1))  # kept cuts per leaf count
    num_pairs: int = 0  # fanin cut pairs considered
    num_oversized: int = 0  # pairs whose union has more than max_cut_size leaves
    num_dominated: int = 0  # unions dropped because they contain a kept cut's leaves (or repeat them)
    num_over_limit: int = 0  # unions left unexamined once their node had max_cuts_per_node cuts
    time_s: float = 0.0  # wall-clock time of the whole call
    time_kernel_s: float = 0.0  # of which in the numba kernel (includes compiling or loading it on a first call)

    def report(self) -> str:
        sizes = " ".join(f"{size}:{count}" for size, count in enumerate(self.cuts_by_size) if count)
        per_node = self.total_cuts / self.num_ands if self.num_ands else 0.0
        partial = "" if self.complete else " (stopped by the time limit)"
        return (f"[cuts] {self.num_ands} ANDs{partial}, {self.total_cuts} cuts ({per_node:.2f}/node; by size {sizes})\n"
                f"[cuts] pairs {self.num_pairs}: oversized {self.num_oversized}, dominated {self.num_dominated}, "
                f"over limit {self.num_over_limit}\n"
                f"[cuts] time {self.time_s:.3f} s (kernel {self.time_kernel_s:.3f} s)")


@dataclass(frozen=True)
class Cut:
    """One cut: `leaves` ascending (leaf j = variable j), `table` the function of 2 * root, 2**len(leaves) bits."""

    root: int
    leaves: tuple[int, ...]
    table: int

    @property
    def num_inputs(self) -> int:
        return len(self.leaves)


@dataclass(frozen=True, eq=False)
class NetworkCuts:
    """All kept non-trivial cuts of a network, in flat arrays; the cuts of node n are rows offsets[n]:offsets[n+1],
    best first. Primary inputs and the constant have none.

    Row r of every per-cut array describes the same cut. Leaves are node ids ascending, padded with -1 to 8 columns.
    """

    offsets: np.ndarray  # (num_nodes + 1,) int64
    roots: np.ndarray  # (num_cuts,) int32: the node each cut belongs to
    leaves: np.ndarray  # (num_cuts, 8) int32, ascending, -1 padding
    num_leaves: np.ndarray  # (num_cuts,) int32
    tables: np.ndarray | None  # (num_cuts, 4) uint64 tiled truth tables, or None without compute_truth_tables
    max_cut_size: int

    @property
    def num_nodes(self) -> int:
        return len(self.offsets) - 1

    @property
    def num_cuts(self) -> int:
        return len(self.roots)

    @property
    def has_truth_tables(self) -> bool:
        return self.tables is not None

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays. The per-cut arrays are views of buffers sized for max_cuts_per_node cuts per AND,
        which stay allocated while the views live (about 10% more on the EPFL circuits)."""
        arrays = [self.offsets, self.roots, self.leaves, self.num_leaves]
        if self.tables is not None:
            arrays.append(self.tables)
        return sum(array.nbytes for array in arrays)

    def num_cuts_of(self, node: int) -> int:
        return int(self.offsets[node + 1] - self.offsets[node])

    def cut_rows(self, node: int) -> range:
        """Rows of the per-cut arrays holding the cuts of `node`, best first."""
        return range(int(self.offsets[node]), int(self.offsets[node + 1]))

    def leaves_of(self, node: int) -> list[tuple[int, ...]]:
        """The leaf tuples of the cuts of `node`, best first (available without truth tables)."""
        return [self._leaves_at(row) for row in self.cut_rows(node)]

    def cut(self, row: int) -> Cut:
        """The cut in row `row`. Raises ValueError if truth tables were not computed (use `leaves_of`)."""
        if self.tables is None:
            raise ValueError("cuts were enumerated without truth tables; use leaves_of() or compute_truth_tables")
        num_inputs = int(self.num_leaves[row])
        return Cut(int(self.roots[row]), self._leaves_at(row), from_words(self.tables[row], num_inputs))

    def cuts_of(self, node: int) -> list[Cut]:
        """The non-trivial cuts of AND node `node`, best first (see the module docstring for the order)."""
        return [self.cut(row) for row in self.cut_rows(node)]

    def support_sizes(self) -> np.ndarray:
        """(num_cuts,) int64: how many leaves each cut's function depends on (reconvergence can cancel one).
        Raises ValueError if truth tables were not computed."""
        if self.tables is None:
            raise ValueError("cuts were enumerated without truth tables; support sizes need them")
        return _support_sizes_kernel(self.tables)

    def _leaves_at(self, row: int) -> tuple[int, ...]:
        return tuple(int(leaf) for leaf in self.leaves[row, :self.num_leaves[row]])


_NODES_PER_CALL = 4096  # nodes per kernel call: the clock is read and progress reported between calls


def enumerate_cuts(aig: Aig, params: CutParams = CutParams(), *, time_limit_s: float | None = None,
                   progress: Callable[[int, int], None] | None = None) -> tuple[NetworkCuts, CutStats]:
    """Enumerates the priority cuts of every AND node of `aig`.

    Precondition: nodes are in topological order (every AND after its fanins), which `Aig` guarantees by
    construction. Dangling nodes get cuts too. With `time_limit_s`, enumeration stops once that many seconds have
    passed: the ANDs enumerated by then (a prefix in node order) have their cuts, later ones none, and
    `stats.complete` is False. `progress(ands_done, num_ands)` is called after every range of nodes.
    Returns the cuts and the run's statistics.
    """
    start = time.perf_counter()
    deadline = None if time_limit_s is None else start + time_limit_s
    fanins = aig.fanin_array()
    fanouts = fanout_counts(aig)
    num_nodes, num_pis = fanins.shape[0], aig.num_pis
    state = _KernelState(num_nodes, num_pis, params)
    kernel_time = 0.0
    node = num_pis + 1
    while node < num_nodes:
        if deadline is not None and time.perf_counter() >= deadline:
            break
        last = min(num_nodes, node + _NODES_PER_CALL)
        kernel_start = time.perf_counter()
        state.stamp = _enumerate_kernel(
            node, last, fanins, num_pis, fanouts, params.max_cut_size, params.max_cuts_per_node,
            params.compute_truth_tables, params.use_area_flow_first, state.offsets, state.roots, state.leaves,
            state.num_leaves, state.signatures, state.tables, state.area_flow, state.counters, state.visited,
            state.node_tables, state.stack, state.stamp)
        kernel_time += time.perf_counter() - kernel_start
        node = last
        if progress is not None:
            progress(node - num_pis - 1, num_nodes - num_pis - 1)
    num_cuts = int(state.offsets[node])
    state.offsets[node:] = num_cuts  # nodes not enumerated (time limit) have no cuts
    cuts = NetworkCuts(
        offsets=state.offsets,
        roots=state.roots[:num_cuts],
        leaves=state.leaves[:num_cuts],
        num_leaves=state.num_leaves[:num_cuts],
        tables=state.tables[:num_cuts] if params.compute_truth_tables else None,
        max_cut_size=params.max_cut_size,
    )
    counters = state.counters
    stats = CutStats(
        num_ands=node - num_pis - 1,
        complete=node >= num_nodes,
        total_cuts=num_cuts,
        cuts_by_size=np.bincount(cuts.num_leaves, minlength=MAX_INPUTS + 1).tolist(),
        num_pairs=int(counters[_COUNTER_PAIRS]),
        num_oversized=int(counters[_COUNTER_OVERSIZED]),
        num_dominated=int(counters[_COUNTER_DOMINATED]),
        num_over_limit=int(counters[_COUNTER_OVER_LIMIT]),
        time_kernel_s=kernel_time,
    )
    stats.time_s = time.perf_counter() - start
    return cuts, stats


class _KernelState:
    """The arrays `_enumerate_kernel` fills and reads across calls. The per-cut arrays are over-allocated to
    num_ands * max_cuts_per_node rows (offsets[last node + 1] of them are used)."""

    def __init__(self, num_nodes: int, num_pis: int, params: CutParams) -> None:
        capacity = max(0, num_nodes - num_pis - 1) * params.max_cuts_per_node
        with_tables = params.compute_truth_tables
        self.offsets = np.zeros(num_nodes + 1, dtype=np.int64)
        self.roots = np.empty(capacity, dtype=np.int32)
        self.leaves = np.full((capacity, MAX_INPUTS), -1, dtype=np.int32)
        self.num_leaves = np.zeros(capacity, dtype=np.int32)
        self.signatures = np.zeros(capacity, dtype=np.uint64)  # bit (leaf % 64) set for each leaf: quick set tests
        self.tables = np.zeros((capacity if with_tables else 0, TT_WORDS), dtype=np.uint64)
        self.area_flow = np.zeros(num_nodes, dtype=np.float64)
        self.counters = np.zeros(4, dtype=np.int64)
        # Scratch for simulating cones (see _cone_table).
        scratch_rows = num_nodes if with_tables else 1
        self.visited = np.zeros(scratch_rows, dtype=np.int64)
        self.node_tables = np.empty((scratch_rows, TT_WORDS), dtype=np.uint64)
        self.stack = np.empty(2 * scratch_rows + 1, dtype=np.int64)
        self.stamp = 0


# ---- numba kernels ------------------------------------------------------------------------------------------------

_PROJECTIONS = np.array([[0xAAAAAAAAAAAAAAAA] * 4, [0xCCCCCCCCCCCCCCCC] * 4, [0xF0F0F0F0F0F0F0F0] * 4,
                         [0xFF00FF00FF00FF00] * 4, [0xFFFF0000FFFF0000] * 4, [0xFFFFFFFF00000000] * 4,
                         [0, 0xFFFFFFFFFFFFFFFF] * 2, [0, 0, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF]],
                        dtype=np.uint64)  # tiled table of variable j, shape (8, 4)
_COUNTER_PAIRS, _COUNTER_OVERSIZED, _COUNTER_DOMINATED, _COUNTER_OVER_LIMIT = 0, 1, 2, 3


@numba.njit(cache=True)
def _cone_table(fanins, num_pis, root, leaves, num_leaves, stamp, visited, node_tables, stack, out):
    """Writes into `out` the tiled table of 2 * root over leaves[:num_leaves] (leaf j = variable j), simulating
    the cone bounded by the leaves in depth-first post-order. visited[n] == stamp marks nodes already evaluated
    for this cut (stamp must be new for each call); node_tables and stack are scratch of num_nodes rows."""
    visited[0] = stamp
    node_tables[0, :] = 0
    for j in range(num_leaves):
        visited[leaves[j]] = stamp
        node_tables[leaves[j], :] = _PROJECTIONS[j]
    ones = np.uint64(0xFFFFFFFFFFFFFFFF)
    zero = np.uint64(0)
    stack[0] = root
    depth = 1
    while depth:
        node = stack[depth - 1]
        if visited[node] == stamp:
            depth -= 1
            continue
        if node <= num_pis:
            raise ValueError("a cut does not separate its root from the primary inputs")
        lit0 = fanins[node, 0]
        lit1 = fanins[node, 1]
        if visited[lit0 >> 1] != stamp:
            stack[depth] = lit0 >> 1
            depth += 1
            continue
        if visited[lit1 >> 1] != stamp:
            stack[depth] = lit1 >> 1
            depth += 1
            continue
        mask0 = ones if lit0 & 1 else zero
        mask1 = ones if lit1 & 1 else zero
        for w in range(TT_WORDS):
            node_tables[node, w] = (node_tables[lit0 >> 1, w] ^ mask0) & (node_tables[lit1 >> 1, w] ^ mask1)
        visited[node] = stamp
        depth -= 1
    for w in range(TT_WORDS):
        out[w] = node_tables[root, w]


@numba.njit(cache=True, inline="always")
def _popcount(x: np.uint64) -> int:
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@numba.njit(cache=True, inline="always")
def _is_subset(small: np.ndarray, num_small: int, large: np.ndarray, num_large: int) -> bool:
    """Whether the ascending leaf list small[:num_small] is contained in large[:num_large]."""
    if num_small > num_large:
        return False
    j = 0
    for i in range(num_small):
        while j < num_large and large[j] < small[i]:
            j += 1
        if j == num_large or large[j] != small[i]:
            return False
        j += 1
    return True


@numba.njit(cache=True, inline="always")
def _ranks_before(a, b, size, cost, area_flow_first):
    """Whether candidate a ranks strictly before candidate b."""
    if area_flow_first:
        return cost[a] < cost[b] or (cost[a] == cost[b] and size[a] < size[b])
    return size[a] < size[b] or (size[a] == size[b] and cost[a] < cost[b])


@numba.njit(cache=True)
def _enumerate_kernel(first_node, last_node, fanins, num_pis, fanouts, max_cut_size, max_cuts, with_tables,
                      area_flow_first, offsets, roots, leaves, num_leaves, signatures, tables, area_flow, counters,
                      visited, node_tables, stack, stamp):
    """Priority cuts of the AND nodes first_node..last_node-1 (see the module docstring), written into the arrays
    of `_KernelState`; every earlier node must have been enumerated. Returns the next free cone stamp."""
    # Candidates of the current node: every pair of fanin cuts whose union is small enough.
    max_candidates = (max_cuts + 1) * (max_cuts + 1)
    cand_leaves = np.empty((max_candidates, MAX_INPUTS), dtype=np.int32)
    cand_size = np.empty(max_candidates, dtype=np.int64)
    cand_signature = np.empty(max_candidates, dtype=np.uint64)
    cand_cost = np.empty(max_candidates, dtype=np.float64)
    order = np.empty(max_candidates, dtype=np.int64)
    kept = np.empty(max_cuts, dtype=np.int64)
    one_leaves = np.empty((2, MAX_INPUTS), dtype=np.int32)  # leaves of the fanin cuts being merged
    total = offsets[first_node]
    for node in range(first_node, last_node):
        offsets[node] = total
        fanin0 = fanins[node, 0] >> 1
        fanin1 = fanins[node, 1] >> 1
        # Row range of each fanin's kept cuts; row -1 stands for its trivial cut (the empty cut for the constant).
        first0 = offsets[fanin0] if fanin0 > num_pis else 0
        last0 = offsets[fanin0 + 1] if fanin0 > num_pis else 0
        first1 = offsets[fanin1] if fanin1 > num_pis else 0
        last1 = offsets[fanin1 + 1] if fanin1 > num_pis else 0

        num_candidates = 0
        for row0 in range(first0 - 1, last0):
            if row0 == first0 - 1:
                size0 = 0 if fanin0 == 0 else 1
                sig0 = np.uint64(0) if fanin0 == 0 else np.uint64(1) << np.uint64(fanin0 & 63)
                one_leaves[0, 0] = fanin0
            else:
                size0 = num_leaves[row0]
                sig0 = signatures[row0]
                for i in range(size0):
                    one_leaves[0, i] = leaves[row0, i]
            for row1 in range(first1 - 1, last1):
                if row1 == first1 - 1:
                    size1 = 0 if fanin1 == 0 else 1
                    sig1 = np.uint64(0) if fanin1 == 0 else np.uint64(1) << np.uint64(fanin1 & 63)
                    one_leaves[1, 0] = fanin1
                else:
                    size1 = num_leaves[row1]
                    sig1 = signatures[row1]
                    for i in range(size1):
                        one_leaves[1, i] = leaves[row1, i]
                counters[_COUNTER_PAIRS] += 1
                signature = sig0 | sig1
                if _popcount(signature) > max_cut_size:
                    counters[_COUNTER_OVERSIZED] += 1
                    continue
                # Merge the two ascending leaf lists, giving up as soon as the union is too large.
                i = 0
                j = 0
                size = 0
                cost = 0.0
                while i < size0 or j < size1:
                    if size == max_cut_size:
                        size = max_cut_size + 1
                        break
                    if j == size1 or (i < size0 and one_leaves[0, i] < one_leaves[1, j]):
                        leaf = one_leaves[0, i]
                        i += 1
                    elif i == size0 or one_leaves[1, j] < one_leaves[0, i]:
                        leaf = one_leaves[1, j]
                        j += 1
                    else:
                        leaf = one_leaves[0, i]
                        i += 1
                        j += 1
                    cand_leaves[num_candidates, size] = leaf
                    cost += area_flow[leaf]
                    size += 1
                if size > max_cut_size:
                    counters[_COUNTER_OVERSIZED] += 1
                    continue
                cand_size[num_candidates] = size
                cand_signature[num_candidates] = signature
                cand_cost[num_candidates] = cost
                num_candidates += 1

        # Order candidates by (size, cost) or (cost, size), then formation order: a stable insertion sort.
        # Both orders list a subset before its supersets (costs are sums of non-negative area flows).
        for a in range(num_candidates):
            c = order[a] = a
            b = a
            while b > 0 and _ranks_before(c, order[b - 1], cand_size, cand_cost, area_flow_first):
                order[b] = order[b - 1]
                b -= 1
            order[b] = c

        # Keep the best non-dominated candidates. A candidate's subsets come earlier in this order, and whatever
        # dominates a dropped candidate dominates that candidate's supersets too, so comparing with the kept
        # ones suffices.
        num_kept = 0
        for a in range(num_candidates):
            if num_kept == max_cuts:
                counters[_COUNTER_OVER_LIMIT] += num_candidates - a
                break
            c = order[a]
            dominated = False
            for b in range(num_kept):
                other = kept[b]
                if (cand_signature[other] & ~cand_signature[c]) == 0 and _is_subset(
                        cand_leaves[other], cand_size[other], cand_leaves[c], cand_size[c]):
                    dominated = True
                    break
            if dominated:
                counters[_COUNTER_DOMINATED] += 1
                continue
            kept[num_kept] = c
            num_kept += 1

        for b in range(num_kept):
            c = kept[b]
            row = total + b
            size = cand_size[c]
            roots[row] = node
            num_leaves[row] = size
            signatures[row] = cand_signature[c]
            for i in range(size):
                leaves[row, i] = cand_leaves[c, i]
            if with_tables:
                stamp += 1
                _cone_table(fanins, num_pis, node, cand_leaves[c], size, stamp, visited, node_tables, stack,
                            tables[row])
        total += num_kept
        offsets[node + 1] = total
        area_flow[node] = (1.0 + cand_cost[kept[0]]) / max(1, fanouts[node])
    return stamp


@numba.njit(cache=True)
def _support_sizes_kernel(tables):
    """Support size of every tiled table (variables beyond a cut's leaves are independent by tiling)."""
    sizes = np.zeros(tables.shape[0], dtype=np.int64)
    for row in range(tables.shape[0]):
        count = 0
        for var in range(6):  # within a word: compare the two cofactors, shifted onto each other
            shift = np.uint64(1 << var)
            low = ~_PROJECTIONS[var, 0]
            for w in range(TT_WORDS):
                word = tables[row, w]
                if ((word >> shift) ^ word) & low:
                    count += 1
                    break
        if tables[row, 0] != tables[row, 1] or tables[row, 2] != tables[row, 3]:
            count += 1  # variable 6: words 0 and 2 against 1 and 3
        if tables[row, 0] != tables[row, 2] or tables[row, 1] != tables[row, 3]:
            count += 1  # variable 7: words 0 and 1 against 2 and 3
        sizes[row] = count
    return sizes
