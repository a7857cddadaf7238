"""Tests of priority cut enumeration: hand-built networks with exact cuts, and seeded random networks checked
against simulation, brute-force cut checks and a plain-Python reference of the priority rule."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sc_plugin.aig.analysis import fanout_counts
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_truth_table
from sc_plugin.aig.truth import to_words
from sc_plugin.cuts import Cut, CutParams, enumerate_cuts

from . import is_cut, random_aig, transitive_fanin


def _leaves_by_node(cuts) -> dict[int, list[tuple[int, ...]]]:
    return {node: cuts.leaves_of(node) for node in range(cuts.num_nodes) if cuts.num_cuts_of(node)}


# ---- hand-built networks ------------------------------------------------------------------------------------------


def _and_of_nand() -> Aig:
    """a=1, b=2, c=3; n4 = a & b; n5 = b & c; n6 = n4 & !n5 (an output)."""
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    n4 = aig.create_and(a, b)
    n5 = aig.create_and(b, c)
    aig.create_po(aig.create_and(n4, n5 ^ 1))
    return aig


def _reconvergent() -> Aig:
    """a=1, b=2; n3 = a & b; n4 = a & n3; n5 = n3 & n4 (an output). n3 has two fanouts."""
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    n3 = aig.create_and(a, b)
    n4 = aig.create_and(a, n3)
    aig.create_po(aig.create_and(n3, n4))
    return aig


def test_hand_built_cuts_fewer_leaves_first():
    # Area flows: inputs 0, n4 = n5 = (1 + 0) / 1. Candidates of n6 in formation order: {4,5} (cost 2),
    # {2,3,4} (1), {1,2,5} (1), {1,2,3} (0); fewer leaves first, then cost, then formation order.
    cuts, stats = enumerate_cuts(_and_of_nand())
    assert cuts.cuts_of(4) == [Cut(4, (1, 2), 0b1000)]
    assert cuts.cuts_of(5) == [Cut(5, (2, 3), 0b1000)]
    assert cuts.cuts_of(6) == [
        Cut(6, (4, 5), 0b0010),  # x0 & !x1
        Cut(6, (1, 2, 3), 0b1000),  # a & b & !c: minterm 3
        Cut(6, (2, 3, 4), 0x70),  # n4 & !(b & c): minterms 4, 5, 6
        Cut(6, (1, 2, 5), 0b1000),  # a & b & !n5: minterm 3
    ]
    assert [cuts.num_cuts_of(node) for node in range(4)] == [0, 0, 0, 0]
    assert cuts.num_cuts == 6 and stats.total_cuts == 6
    assert stats.num_pairs == 1 + 1 + 4 and stats.num_dominated == 0 and stats.num_over_limit == 0


def test_hand_built_cuts_area_flow_first():
    cuts, _ = enumerate_cuts(_and_of_nand(), CutParams(use_area_flow_first=True))
    assert cuts.leaves_of(6) == [(1, 2, 3), (2, 3, 4), (1, 2, 5), (4, 5)]


def test_hand_built_limits():
    cuts, stats = enumerate_cuts(_and_of_nand(), CutParams(max_cuts_per_node=2))
    assert cuts.leaves_of(6) == [(4, 5), (1, 2, 3)]
    assert stats.num_over_limit == 2
    cuts, stats = enumerate_cuts(_and_of_nand(), CutParams(max_cut_size=2))
    assert cuts.leaves_of(6) == [(4, 5)]
    assert stats.num_oversized == 3


def test_hand_built_dominated_cuts_removed():
    # n3 has area flow 1/2, n4 1. Candidates of n5: {3,4} 1.5, {1,2,3} 0.5, {1,3} 0.5, {1,2,4} 1, {1,2} 0,
    # {1,2,3} 0.5; the size-3 ones all contain {1,2}.
    cuts, stats = enumerate_cuts(_reconvergent())
    assert cuts.leaves_of(3) == [(1, 2)]
    assert cuts.leaves_of(4) == [(1, 2), (1, 3)]
    assert cuts.cuts_of(5) == [Cut(5, (1, 2), 0b1000), Cut(5, (1, 3), 0b1000), Cut(5, (3, 4), 0b1000)]
    assert stats.num_dominated == 3


def test_flat_arrays_layout():
    cuts, _ = enumerate_cuts(_and_of_nand())
    assert cuts.offsets.tolist() == [0, 0, 0, 0, 0, 1, 2, 6]
    assert cuts.roots.tolist() == [4, 5, 6, 6, 6, 6]
    assert cuts.leaves.shape == (6, 8)
    assert cuts.leaves[2].tolist() == [4, 5, -1, -1, -1, -1, -1, -1]
    assert cuts.num_leaves.tolist() == [2, 2, 2, 3, 3, 3]
    assert cuts.tables.shape == (6, 4) and cuts.tables.dtype == np.uint64
    np.testing.assert_array_equal(cuts.tables[4], to_words(0x70, 3))
    assert list(cuts.cut_rows(6)) == [2, 3, 4, 5]
    assert cuts.cut(4) == Cut(6, (2, 3, 4), 0x70)
    assert cuts.cut(4).num_inputs == 3


def test_without_truth_tables():
    aig = random_aig(7, 10, 120)
    with_tables, _ = enumerate_cuts(aig)
    cuts, _ = enumerate_cuts(aig, CutParams(compute_truth_tables=False))
    assert cuts.tables is None and not cuts.has_truth_tables
    assert _leaves_by_node(cuts) == _leaves_by_node(with_tables)
    with pytest.raises(ValueError, match="without truth tables"):
        cuts.cuts_of(aig.num_nodes - 1)


def test_constant_and_repeated_fanins():
    # Unhashed ANDs keep what a file may hold: a constant fanin and a node ANDed with itself or its complement.
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    n3 = aig.add_and_unhashed(1, a)  # const1 & a
    n4 = aig.add_and_unhashed(0, b)  # const0 & b
    n5 = aig.add_and_unhashed(n3, n3 ^ 1)  # n3 & !n3
    n6 = aig.add_and_unhashed(n3, b)
    n7 = aig.add_and_unhashed(n6, n6)
    for lit in (n4, n5, n7):
        aig.create_po(lit)
    cuts, _ = enumerate_cuts(aig)
    assert cuts.cuts_of(3) == [Cut(3, (1,), 0b10)]
    assert cuts.cuts_of(4) == [Cut(4, (2,), 0)]  # the empty cut of the constant merged with b's
    assert cuts.cuts_of(5)[0] == Cut(5, (1,), 0)
    assert cuts.leaves_of(7)[:2] == [(6,), (1, 2)]
    for row in range(cuts.num_cuts):
        cut = cuts.cut(row)
        assert cone_truth_table(aig, 2 * cut.root, list(cut.leaves)) == cut.table


def test_network_without_ands():
    aig = Aig()
    aig.create_po(aig.create_pi())
    cuts, stats = enumerate_cuts(aig)
    assert cuts.num_cuts == 0 and cuts.offsets.tolist() == [0, 0, 0]
    assert stats.total_cuts == 0 and "0 cuts" in stats.report()


@pytest.mark.parametrize("bad", [dict(max_cut_size=1), dict(max_cut_size=9), dict(max_cuts_per_node=0)])
def test_invalid_params(bad):
    with pytest.raises(ValueError):
        CutParams(**bad)


# ---- random networks ---------------------------------------------------------------------------------------------

_RANDOM_CASES = [  # (seed, num_pis, num_ands, params)
    (1, 8, 60, CutParams()),
    (2, 10, 200, CutParams()),
    (3, 12, 150, CutParams(max_cut_size=6, max_cuts_per_node=5)),
    (4, 9, 120, CutParams(max_cut_size=4, max_cuts_per_node=3)),
    (5, 11, 200, CutParams(max_cuts_per_node=1)),
    (6, 10, 180, CutParams(max_cuts_per_node=12, use_area_flow_first=True)),
    (7, 12, 200, CutParams(max_cut_size=7, use_area_flow_first=True)),
    (8, 8, 30, CutParams(max_cut_size=3, max_cuts_per_node=2)),
]


@pytest.mark.parametrize("seed, num_pis, num_ands, params", _RANDOM_CASES)
def test_random_cuts_are_valid(seed, num_pis, num_ands, params):
    aig = random_aig(seed, num_pis, num_ands)
    cuts, stats = enumerate_cuts(aig, params)
    assert stats.total_cuts == cuts.num_cuts == sum(stats.cuts_by_size)
    assert cuts.roots.tolist() == [node for node in range(aig.num_nodes) for _ in cuts.cut_rows(node)]
    for node in aig.and_nodes():
        node_cuts = cuts.cuts_of(node)
        assert 1 <= len(node_cuts) <= params.max_cuts_per_node
        if not params.use_area_flow_first:
            assert [cut.num_inputs for cut in node_cuts] == sorted(cut.num_inputs for cut in node_cuts)
        for cut in node_cuts:
            assert cut.root == node
            assert 1 <= cut.num_inputs <= params.max_cut_size
            assert list(cut.leaves) == sorted(set(cut.leaves))
            assert is_cut(aig, node, cut.leaves)
            assert cut.table == cone_truth_table(aig, 2 * node, list(cut.leaves))
            assert cut.table < 1 << (1 << cut.num_inputs)
        for first, second in itertools.permutations(node_cuts, 2):
            assert not set(first.leaves) <= set(second.leaves), "dominated cut kept"
    padded = cuts.leaves[np.arange(8)[None, :] >= cuts.num_leaves[:, None]]
    assert (padded == -1).all()


def _reference_priority_cuts(aig: Aig, params: CutParams) -> dict[int, list[tuple[int, ...]]]:
    """The priority rule of the module docstring, in plain Python."""
    fanouts = fanout_counts(aig)
    area_flow = [0.0] * aig.num_nodes
    kept_cuts: dict[int, list[tuple[int, ...]]] = {}
    for node in aig.and_nodes():
        fanin_cuts = [[(lit >> 1,)] + kept_cuts.get(lit >> 1, []) for lit in aig.fanins(node)]
        candidates = []
        for cut0, cut1 in itertools.product(*fanin_cuts):
            union = tuple(sorted(set(cut0) | set(cut1)))
            if len(union) <= params.max_cut_size:
                cost = 0.0
                for leaf in union:
                    cost += area_flow[leaf]
                candidates.append((union, cost))
        if params.use_area_flow_first:
            candidates.sort(key=lambda candidate: (candidate[1], len(candidate[0])))
        else:
            candidates.sort(key=lambda candidate: (len(candidate[0]), candidate[1]))
        kept: list[tuple[tuple[int, ...], float]] = []
        for union, cost in candidates:
            if len(kept) < params.max_cuts_per_node and not any(set(other) <= set(union) for other, _ in kept):
                kept.append((union, cost))
        kept_cuts[node] = [union for union, _ in kept]
        area_flow[node] = (1.0 + kept[0][1]) / max(1, fanouts[node])
    return kept_cuts


@pytest.mark.parametrize("seed, num_pis, num_ands, params", _RANDOM_CASES)
def test_random_cuts_follow_priority_rule(seed, num_pis, num_ands, params):
    aig = random_aig(seed, num_pis, num_ands)
    cuts, _ = enumerate_cuts(aig, params)
    assert _leaves_by_node(cuts) == _reference_priority_cuts(aig, params)


@pytest.mark.parametrize("seed", range(4))
def test_unlimited_cuts_are_all_minimal_cuts(seed):
    # Without the limit biting, the non-dominated unions are exactly the minimal cuts of at most k leaves.
    max_cut_size = 4
    aig = random_aig(100 + seed, 5, 14)
    cuts, stats = enumerate_cuts(aig, CutParams(max_cut_size=max_cut_size, max_cuts_per_node=200))
    assert stats.num_over_limit == 0
    for node in aig.and_nodes():
        cone = sorted(transitive_fanin(aig, node))
        expected = set()
        for size in range(1, max_cut_size + 1):
            for leaves in itertools.combinations(cone, size):
                if is_cut(aig, node, leaves) and not any(
                        is_cut(aig, node, leaves[:i] + leaves[i + 1:]) for i in range(size)):
                    expected.add(leaves)
        assert set(cuts.leaves_of(node)) == expected


# ---- time limit, progress and support sizes ----------------------------------------------------------------------


class _FakeClock:
    """Stands in for the `time` module of the enumeration: one second passes with every progress report."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


def test_time_limit_keeps_the_prefix_enumerated(monkeypatch):
    from sc_plugin.cuts import enumeration

    aig = random_aig(11, 12, 1000)
    full, full_stats = enumerate_cuts(aig)
    clock = _FakeClock()
    monkeypatch.setattr(enumeration, "time", clock)
    monkeypatch.setattr(enumeration, "_NODES_PER_CALL", 100)

    def tick(done: int, total: int) -> None:
        clock.now += 1.0

    # ranges of 100 ANDs, one second each: the clock reads 3 s when the fourth range would start
    cuts, stats = enumerate_cuts(aig, time_limit_s=2.5, progress=tick)
    assert not stats.complete and stats.num_ands == 300 and "stopped by the time limit" in stats.report()
    assert full_stats.complete and full_stats.num_ands == aig.num_ands
    last = aig.num_pis + 1 + 300  # first node without cuts
    assert (cuts.offsets[:last + 1] == full.offsets[:last + 1]).all()
    assert (cuts.offsets[last:] == cuts.num_cuts).all()
    assert cuts.num_cuts == full.offsets[last] and stats.total_cuts == cuts.num_cuts
    assert (cuts.tables == full.tables[:cuts.num_cuts]).all()
    assert cuts.num_cuts_of(last) == 0 and cuts.num_cuts_of(last - 1) > 0


def test_zero_time_limit_enumerates_nothing():
    aig = random_aig(12, 10, 300)
    cuts, stats = enumerate_cuts(aig, time_limit_s=0.0)
    assert cuts.num_cuts == 0 and not stats.complete and stats.num_ands == 0
    assert (cuts.offsets == 0).all()


def test_progress_counts_ands_done(monkeypatch):
    from sc_plugin.cuts import enumeration

    monkeypatch.setattr(enumeration, "_NODES_PER_CALL", 64)
    aig = random_aig(13, 10, 300)
    calls = []
    enumerate_cuts(aig, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(min(done, aig.num_ands), aig.num_ands) for done in range(64, aig.num_ands + 64, 64)]


@pytest.mark.parametrize("seed, num_pis, num_ands, params", _RANDOM_CASES[:4])
def test_support_sizes_match_the_tables(seed, num_pis, num_ands, params):
    from sc_plugin.aig.truth import support

    aig = random_aig(seed, num_pis, num_ands)
    cuts, _ = enumerate_cuts(aig, params)
    sizes = cuts.support_sizes()
    assert sizes.tolist() == [len(support(cuts.cut(row).table, int(cuts.num_leaves[row])))
                              for row in range(cuts.num_cuts)]
    assert (sizes < cuts.num_leaves).any()  # reconvergence cancels leaves in random networks


def test_support_sizes_need_truth_tables():
    cuts, _ = enumerate_cuts(_and_of_nand(), CutParams(compute_truth_tables=False))
    with pytest.raises(ValueError):
        cuts.support_sizes()
