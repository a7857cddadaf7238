"""Don't cares of a cut, found by exhaustive simulation of a window around it: satisfiability don't cares (leaf
combinations that never occur) and, with a fanout region, observability don't cares (combinations whose root value
no region output sees).

The window's inputs are a frontier of nodes in the leaves' transitive fanin, grown from the leaves towards the
primary inputs while it has at most `max_inputs` nodes. Every combination of the window inputs is simulated (bit
vectors of 2**w patterns held as Python integers), so the care set is sound: a leaf combination that occurs for
some input of the whole network occurs for some combination of the window inputs. It may keep combinations that
never occur (the window inputs are not independent in general), never drop one that does.

Observability: the fanout region of the root is its transitive fanout up to a few levels above it; its outputs are
the region nodes read outside it. A leaf combination matters only where flipping the root changes an output. The
window then grows from the leaves and the region's side inputs, which never depend on the root, so treating its
inputs as independent keeps the care set sound here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from sc_plugin.aig import analysis
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_values

__all__ = ["Window", "FanoutRegion", "FanoutView", "find_window", "fanout_view", "fanout_region", "odc_window",
           "window_values", "window_nodes", "care_set"]


@dataclass(frozen=True)
class FanoutRegion:
    """The transitive fanout of a root up to a level bound. Closed: a fanin of a region node that the root reaches
    has a lower level, so it is in the region too, and no side input depends on the root."""

    nodes: tuple[int, ...]  # ascending (a topological order), so the root comes first
    outputs: tuple[int, ...]  # region nodes read by a node outside the region or by a primary output, ascending
    side_inputs: tuple[int, ...]  # fanins outside the region of the region's nodes other than the root, ascending
    levels: int  # how far above the root's level the region reaches

    @property
    def root(self) -> int:
        return self.nodes[0]


@dataclass(frozen=True)
class FanoutView:
    """What fanout regions read of a network, computed once per network by `fanout_view`."""

    levels: list[int]  # of every node
    fanouts: list[list[int]]  # the AND nodes that read every node, ascending
    po_driven: frozenset[int]  # nodes that drive a primary output


@dataclass(frozen=True)
class Window:
    """Free inputs below a cut: every path from a leaf (and a side input of the region) to a primary input passes
    through one of them."""

    inputs: tuple[int, ...]  # node ids, ascending
    region: FanoutRegion | None = None  # for observability don't cares: the root's fanout region


def find_window(aig: Aig, leaves: Sequence[int], max_inputs: int = 12, max_expansions: int = 64) -> Window:
    """Grows a frontier from `leaves` towards the inputs, each time replacing the AND node whose fanins add the
    fewest new nodes, while the frontier has at most `max_inputs` nodes."""
    frontier = set(leaves)
    for _ in range(max_expansions):
        best: tuple[int, int, set[int]] | None = None  # (new frontier size, node, its fanin nodes)
        for node in frontier:
            if not aig.is_and(node):
                continue
            fanins = {lit >> 1 for lit in aig.fanins(node)} - {0}
            size = len(frontier) - 1 + len(fanins - frontier)
            if size <= max_inputs and (best is None or (size, node) < best[:2]):
                best = (size, node, fanins)
        if best is None:
            break
        frontier = (frontier - {best[1]}) | best[2]
    return Window(tuple(sorted(frontier)))


def fanout_view(aig: Aig) -> FanoutView:
    """The levels, readers and output drivers of `aig`'s nodes, for `fanout_region`."""
    return FanoutView(analysis.levels(aig).tolist(), analysis.fanouts(aig), frozenset(lit >> 1 for lit in aig.pos))


def fanout_region(aig: Aig, root: int, levels: int, view: FanoutView, max_nodes: int = 64) -> FanoutRegion:
    """The nodes of `root`'s transitive fanout (root included) whose level is at most the root's + `levels`; fewer
    levels while that is more than `max_nodes` nodes."""
    nodes = [root]
    while levels > 0:
        found = _fanout_up_to(root, view.levels[root] + levels, view, max_nodes)
        if found is not None:
            nodes = found
            break
        levels -= 1
    inside = set(nodes)
    outputs = [node for node in nodes if node in view.po_driven or any(r not in inside for r in view.fanouts[node])]
    sides = {lit >> 1 for node in nodes[1:] for lit in aig.fanins(node)} - inside - {0}
    return FanoutRegion(tuple(nodes), tuple(outputs), tuple(sorted(sides)), levels)


def _fanout_up_to(root: int, bound: int, view: FanoutView, max_nodes: int) -> list[int] | None:
    """The nodes of root's transitive fanout of level at most `bound`, ascending; None when more than
    `max_nodes`. Levels grow along every path, so each of them is reached through such nodes only."""
    found = {root}
    stack = [root]
    while stack:
        for reader in view.fanouts[stack.pop()]:
            if reader not in found and view.levels[reader] <= bound:
                if len(found) == max_nodes:
                    return None
                found.add(reader)
                stack.append(reader)
    return sorted(found)


def odc_window(aig: Aig, root: int, leaves: Sequence[int], levels: int, view: FanoutView, max_inputs: int = 12,
               max_nodes: int = 64) -> Window:
    """A window for the satisfiability and observability don't cares of the cut (`root`, `leaves`): the root's
    fanout region to `levels` levels (`fanout_region`; fewer while its side inputs and the leaves are more than
    `max_inputs` nodes), and inputs grown from the leaves and the side inputs (`find_window`). With `levels` 0 the
    region is the root alone and the window is `find_window`'s."""
    region = fanout_region(aig, root, levels, view, max_nodes)
    while region.levels > 0 and len(set(leaves).union(region.side_inputs)) > max_inputs:
        region = fanout_region(aig, root, region.levels - 1, view, max_nodes)
    return Window(find_window(aig, [*leaves, *region.side_inputs], max_inputs).inputs, region)


def cut_window(aig: Aig, root: int, leaves: Sequence[int], levels: int, view: FanoutView | None,
               max_inputs: int = 12, max_nodes: int = 64) -> Window:
    """The window whose simulation gives the cut's care set: inputs below the leaves alone (`find_window`) without
    a fanout view, or with the root's fanout region to `levels` levels (`odc_window`)."""
    if view is None:
        return find_window(aig, leaves, max_inputs)
    return odc_window(aig, root, leaves, levels, view, max_inputs, max_nodes)


def window_values(aig: Aig, window: Window, targets: Sequence[int], fixed: Mapping[int, int] | None = None
                  ) -> list[int]:
    """The values of the `targets` (node ids above the window inputs) on every combination of the window inputs:
    bit p of a value is the node's value when window input i takes bit i of p. `fixed` gives some nodes other
    values (a root replaced, or forced to 0 or 1), which every node above them sees."""
    width = len(window.inputs)
    inputs = {node: _projection(i, width) for i, node in enumerate(window.inputs)}
    return cone_values(aig, targets, {**inputs, **(fixed or {})}, (1 << (1 << width)) - 1)


def window_nodes(aig: Aig, root: int, window: Window) -> frozenset[int]:
    """The nodes a check over `window` reads: its inputs and every node between them and the root or, with a
    region, the region's nodes (so the leaves, the root's cone and the side inputs)."""
    tops = [root] if window.region is None else list(window.region.nodes)
    found = {*window.inputs, *tops}
    stack = [node for node in tops if node not in window.inputs]
    while stack:
        node = stack.pop()
        if not aig.is_and(node):
            continue
        for lit in aig.fanins(node):
            if lit >> 1 not in found:
                found.add(lit >> 1)
                if lit >> 1 not in window.inputs:
                    stack.append(lit >> 1)
    return frozenset(found)


def care_set(aig: Aig, leaves: Sequence[int], window: Window) -> int:
    """The leaf combinations that matter in the window, as a truth table over the leaves: bit m is set when the
    combination m (leaf j = bit j) occurs for some combination of the window inputs on which, with a region, the
    root is observable (flipping it changes some region output). With a region of the root alone (levels 0), every
    combination that occurs."""
    width = len(window.inputs)
    full = (1 << (1 << width)) - 1
    observable = full if window.region is None else _observable(aig, window, window.region, full)
    patterns = {0: observable} if observable else {}  # leaf combination so far -> the window patterns giving it
    for j, value in enumerate(window_values(aig, window, leaves)):
        grown = {}
        for combination, where in patterns.items():
            if where & ~value & full:
                grown[combination] = where & ~value & full
            if where & value:
                grown[combination | 1 << j] = where & value
        patterns = grown
    care = 0
    for combination in patterns:
        care |= 1 << combination
    return care


def _observable(aig: Aig, window: Window, region: FanoutRegion, full: int) -> int:
    """The window patterns on which the root's value reaches a region output: its Boolean difference, from the
    region simulated with the root at 0 and at 1 (the root's own value does not enter)."""
    low = window_values(aig, window, region.outputs, {region.root: 0})
    high = window_values(aig, window, region.outputs, {region.root: full})
    difference = 0
    for a, b in zip(low, high):
        difference |= a ^ b
    return difference


@lru_cache(maxsize=None)
def _projection(var: int, width: int) -> int:
    """The bit vector of input `var` over all 2**width patterns (bit p = bit var of p)."""
    value = ((1 << (1 << var)) - 1) << (1 << var)  # 2**var zeros, then 2**var ones: one period
    length = 1 << (var + 1)
    while length < 1 << width:  # the period repeats: double it up to 2**width bits
        value |= value << length
        length *= 2
    return value
