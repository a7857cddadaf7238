import pytest

from sc_plugin.aig import Aig
from sc_plugin.cuts import CutParams, enumerate_cuts
from sc_plugin.cuts.care import (FanoutRegion, FanoutView, care_set, fanout_region, fanout_view, find_window, odc_window,
                                 window_values)
from . import random_aig, with_last_outputs


def _and_or() -> tuple[Aig, int, int]:
    """Nodes x = a & b and y = !a & !b (the node under a | b): x = 1 with y = 1 never occurs."""
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    x, y = aig.create_and(a, b), aig.create_or(a, b)
    aig.create_po(aig.create_and(x, y ^ 1))
    return aig, x >> 1, y >> 1


def test_window_reaches_the_inputs_when_small():
    aig, x, y = _and_or()
    assert find_window(aig, [x, y]).inputs == (1, 2)
    # growing through a frontier of three is not allowed under two: the window stays at the leaves
    assert find_window(aig, [x, y], max_inputs=2).inputs == (x, y)


def test_care_set_drops_combinations_that_never_occur():
    aig, x, y = _and_or()
    care = care_set(aig, [x, y], find_window(aig, [x, y]))
    # leaf 0 = x, leaf 1 = y; combinations (x, y) = (0, 0), (1, 0), (0, 1) occur (m = 0, 1, 2); (1, 1) does not
    assert care == 0b0111


def test_window_values_simulate_every_pattern():
    aig, x, y = _and_or()
    window = find_window(aig, [x, y])
    vx, vy = window_values(aig, window, [x, y])
    assert vx == 0b1000 and vy == 0b0001  # pattern p: a = bit 0, b = bit 1


def test_a_window_at_the_leaves_keeps_every_combination():
    aig, x, y = _and_or()
    window = find_window(aig, [x, y], max_inputs=1)  # cannot grow: the leaves are the window
    assert window.inputs == (x, y) and care_set(aig, [x, y], window) == 0b1111


def _shared_and() -> tuple[Aig, int, int, int]:
    """out = r1 & r2 with r1 = a & b and r2 = a & c: r1 matters only where r2 = 1, so only where a = 1."""
    aig = Aig()
    a, b, c = aig.create_pi(), aig.create_pi(), aig.create_pi()
    r1, r2 = aig.create_and(a, b), aig.create_and(a, c)
    out = aig.create_and(r1, r2)
    aig.create_po(out)
    return aig, r1 >> 1, r2 >> 1, out >> 1


def test_fanout_region_outputs_and_side_inputs():
    aig, r1, r2, out = _shared_and()
    view = fanout_view(aig)
    region = fanout_region(aig, r1, 1, view)
    assert region == FanoutRegion(nodes=(r1, out), outputs=(out,), side_inputs=(r2,), levels=1)
    assert fanout_region(aig, r1, 0, view) == FanoutRegion(nodes=(r1,), outputs=(r1,), side_inputs=(), levels=0)
    # too many nodes for one level: the region shrinks to the root
    assert fanout_region(aig, r1, 1, view, max_nodes=1).levels == 0


def test_observability_drops_leaf_combinations_the_outputs_never_see():
    aig, r1, r2, _ = _shared_and()
    window = odc_window(aig, r1, (1, 2), 1, fanout_view(aig))
    assert window.inputs == (1, 2, 3) and window.region.side_inputs == (r2,)
    # leaves (a, b): only a = 1 (m = 1, 3) matters, so b alone implements r1
    assert care_set(aig, (1, 2), window) == 0b1010
    assert care_set(aig, (1, 2), odc_window(aig, r1, (1, 2), 0, fanout_view(aig))) == 0b1111


def _brute_force_care(aig: Aig, root: int, leaves: tuple[int, ...]) -> int:
    """The leaf combinations for which some input assignment gives them and flipping the root changes an output."""
    care = 0
    for pattern in range(1 << aig.num_pis):
        values = [0] + [pattern >> i & 1 for i in range(aig.num_pis)]
        flipped = list(values)
        for node in aig.and_nodes():
            a, b = aig.fanins(node)
            for v in (values, flipped):
                v.append((v[a >> 1] ^ a & 1) & (v[b >> 1] ^ b & 1))
            if node == root:
                flipped[-1] ^= 1
        if any(values[lit >> 1] != flipped[lit >> 1] for lit in aig.pos):
            care |= 1 << sum(values[leaf] << j for j, leaf in enumerate(leaves))
    return care


@pytest.mark.parametrize("seed", range(6))
def test_odc_care_sets_are_sound_and_levels_zero_is_the_satisfiability_care_set(seed):
    """On random networks with few outputs: every leaf combination that matters somewhere is in the care set (the
    true care set, by simulating the whole network with the root flipped), at every depth; the region is closed
    (no side input in the root's fanout) and its outputs are exactly the nodes read from outside."""
    aig = with_last_outputs(random_aig(seed, 6, 40), 2)
    view = fanout_view(aig)
    cuts, _ = enumerate_cuts(aig, CutParams(max_cut_size=4))
    for row in range(cuts.num_cuts):
        cut = cuts.cut(row)
        if len(cut.leaves) < 2:
            continue
        fanout = _transitive_fanout(view, cut.root)
        truth = _brute_force_care(aig, cut.root, cut.leaves)
        for levels in (0, 1, 2, 3):
            window = odc_window(aig, cut.root, cut.leaves, levels, view, max_inputs=8)
            region = window.region
            assert not fanout & (set(region.side_inputs) | set(window.inputs))
            inside = set(region.nodes)
            assert region.outputs == tuple(n for n in region.nodes if n in view.po_driven
                                           or any(r not in inside for r in view.fanouts[n]))
            care = care_set(aig, cut.leaves, window)
            assert truth & ~care == 0
            if levels == 0:
                assert care == care_set(aig, cut.leaves, find_window(aig, cut.leaves, 8))


def _transitive_fanout(view: FanoutView, root: int) -> set[int]:
    found, stack = {root}, [root]
    while stack:
        for reader in view.fanouts[stack.pop()]:
            if reader not in found:
                found.add(reader)
                stack.append(reader)
    return found
