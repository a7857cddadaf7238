"""Tests of MFFC sizes: hand-built networks with exact sizes, and seeded random networks checked against a
brute force that replaces the root by a fresh input and counts the ANDs that `cleanup` drops."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sc_plugin.aig.analysis import fanout_counts
from sc_plugin.aig.network import Aig
from sc_plugin.cuts import CutParams, enumerate_cuts, mffc_size, mffc_sizes

from . import random_aig, transitive_fanin


def _ands_kept(aig: Aig, leaves: tuple[int, ...], replaced_root: int | None) -> int:
    """ANDs left after cleanup when the leaves are extra outputs and `replaced_root` (if any) a fresh input."""
    new = Aig()
    node_lit = [0] + [new.create_pi() for _ in range(aig.num_pis)] + [-1] * aig.num_ands
    fresh = new.create_pi()
    for node in aig.and_nodes():
        if node == replaced_root:
            node_lit[node] = fresh
        else:
            a, b = aig.fanins(node)
            node_lit[node] = new.create_and(node_lit[a >> 1] ^ (a & 1), node_lit[b >> 1] ^ (b & 1))
    for lit in aig.pos:
        new.create_po(node_lit[lit >> 1] ^ (lit & 1))
    for leaf in leaves:
        new.create_po(node_lit[leaf])
    return new.cleanup().num_ands


def _brute_force_mffc(aig: Aig, root: int, leaves: tuple[int, ...]) -> int:
    # Precondition: every AND is reachable from an output (random_aig guarantees it) and the AIG is strashed,
    # so replacing one node by a fresh input merges nothing.
    return _ands_kept(aig, leaves, None) - _ands_kept(aig, leaves, root)


def _chain_with_shared_node(shared_output: bool) -> Aig:
    """a=1, b=2, c=3; n4 = a & b; n5 = b & c; n6 = n4 & !n5 (an output); n4 optionally an output too."""
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    n4 = aig.create_and(a, b)
    n5 = aig.create_and(b, c)
    aig.create_po(aig.create_and(n4, n5 ^ 1))
    if shared_output:
        aig.create_po(n4)
    return aig


@pytest.mark.parametrize("leaves, expected", [((1, 2, 3), 3), ((4, 5), 1), ((2, 3, 4), 2), ((1, 2, 5), 2)])
def test_hand_built_fanout_free(leaves, expected):
    aig = _chain_with_shared_node(shared_output=False)
    assert mffc_size(aig, 6, leaves, fanout_counts(aig)) == expected


@pytest.mark.parametrize("leaves, expected", [((1, 2, 3), 2), ((4, 5), 1), ((2, 3, 4), 2), ((1, 2, 5), 1)])
def test_hand_built_shared_node_stays(leaves, expected):
    aig = _chain_with_shared_node(shared_output=True)  # n4 also drives an output, so it never becomes dangling
    assert mffc_size(aig, 6, leaves, fanout_counts(aig)) == expected


def test_hand_built_reconvergence():
    # n3 = a & b feeds n4 = a & n3 and n5 = n3 & n4: n3 dies only once both of its fanouts are gone.
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    n3 = aig.create_and(a, b)
    n4 = aig.create_and(a, n3)
    aig.create_po(aig.create_and(n3, n4))
    counts = fanout_counts(aig)
    assert [mffc_size(aig, 5, leaves, counts) for leaves in [(1, 2), (1, 3), (3, 4)]] == [3, 2, 1]
    assert [mffc_size(aig, 4, leaves, counts) for leaves in [(1, 2), (1, 3)]] == [1, 1]
    sizes = mffc_sizes(aig, np.array([5, 5, 5, 4]), np.array([[1, 2, -1], [1, 3, -1], [3, 4, -1], [1, 2, -1]]),
                       counts)
    assert sizes.tolist() == [3, 2, 1, 1]


def test_errors():
    aig = _chain_with_shared_node(shared_output=False)
    counts = fanout_counts(aig)
    with pytest.raises(ValueError, match="not an AND"):
        mffc_size(aig, 2, (1,), counts)
    with pytest.raises(ValueError, match="own leaves"):
        mffc_size(aig, 6, (4, 6), counts)
    with pytest.raises(ValueError, match="AND node"):
        mffc_sizes(aig, np.array([3]), np.array([[1, 2]]), counts)
    with pytest.raises(ValueError, match="own leaves"):
        mffc_sizes(aig, np.array([6]), np.array([[4, 6]]), counts)
    with pytest.raises(ValueError, match="shape"):
        mffc_sizes(aig, np.array([6, 6]), np.array([[4, 5]]), counts)


@pytest.mark.parametrize("seed, num_pis, num_ands", [(11, 8, 60), (12, 10, 150), (13, 12, 200)])
def test_random_cuts_match_brute_force(seed, num_pis, num_ands):
    aig = random_aig(seed, num_pis, num_ands)
    counts = fanout_counts(aig)
    cuts, _ = enumerate_cuts(aig, CutParams(max_cuts_per_node=4, compute_truth_tables=False))
    rows = range(0, cuts.num_cuts, 3)  # a third of the cuts keeps the brute force fast
    expected = [_brute_force_mffc(aig, int(cuts.roots[row]), tuple(cuts.leaves[row, :cuts.num_leaves[row]]))
                for row in rows]
    single = [mffc_size(aig, int(cuts.roots[row]), cuts.leaves[row, :cuts.num_leaves[row]], counts)
              for row in rows]
    batched = mffc_sizes(aig, cuts.roots, cuts.leaves, counts)
    assert single == expected
    assert batched[list(rows)].tolist() == expected
    assert (counts == fanout_counts(aig)).all(), "reference counts must be left unchanged"


@pytest.mark.parametrize("seed", [21, 22])
def test_random_leaf_sets_match_brute_force(seed):
    # Leaves need not form a cut: the cone is then bounded by the primary inputs as well.
    rng = random.Random(seed)
    aig = random_aig(seed, 9, 120)
    counts = fanout_counts(aig)
    roots, leaf_rows, expected = [], [], []
    for root in rng.sample(list(aig.and_nodes()), 40):
        cone = sorted(transitive_fanin(aig, root))
        leaves = tuple(sorted(rng.sample(cone, min(len(cone), rng.randint(0, 6)))))
        roots.append(root)
        leaf_rows.append(list(leaves) + [-1] * (6 - len(leaves)))
        expected.append(_brute_force_mffc(aig, root, leaves))
        assert mffc_size(aig, root, leaves, counts) == expected[-1]
    assert mffc_sizes(aig, np.array(roots), np.array(leaf_rows), counts).tolist() == expected
