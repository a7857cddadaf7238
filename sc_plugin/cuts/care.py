"""Satisfiability don't cares of a cut: the leaf combinations that can occur, found by exhaustive simulation of a
window below the leaves.

The window's inputs are a frontier of nodes in the leaves' transitive fanin, grown from the leaves towards the
primary inputs while it has at most `max_inputs` nodes. Every combination of the window inputs is simulated (bit
vectors of 2**w patterns held as Python integers), so the care set is sound: a leaf combination that occurs for
some input of the whole network occurs for some combination of the window inputs. It may keep combinations that
never occur (the window inputs are not independent in general), never drop one that does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_values

__all__ = ["Window", "find_window", "window_values", "care_set"]


@dataclass(frozen=True)
class Window:
    """Free inputs below a cut: every path from a leaf to a primary input passes through one of them."""

    inputs: tuple[int, ...]  # node ids, ascending


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


def window_values(aig: Aig, window: Window, targets: Sequence[int]) -> list[int]:
    """The values of the `targets` (node ids above the window inputs) on every combination of the window inputs:
    bit p of a value is the node's value when window input i takes bit i of p."""
    width = len(window.inputs)
    inputs = {node: _projection(i, width) for i, node in enumerate(window.inputs)}
    return cone_values(aig, targets, inputs, (1 << (1 << width)) - 1)


def care_set(aig: Aig, leaves: Sequence[int], window: Window) -> int:
    """The leaf combinations that occur in the window, as a truth table over the leaves (bit m set when the
    combination m, leaf j = bit j, occurs)."""
    width = len(window.inputs)
    full = (1 << (1 << width)) - 1
    patterns = {0: full}  # leaf combination so far -> the window patterns that give it
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


@lru_cache(maxsize=None)
def _projection(var: int, width: int) -> int:
    """The bit vector of input `var` over all 2**width patterns (bit p = bit var of p)."""
    value = ((1 << (1 << var)) - 1) << (1 << var)  # 2**var zeros, then 2**var ones: one period
    length = 1 << (var + 1)
    while length < 1 << width:  # the period repeats: double it up to 2**width bits
        value |= value << length
        length *= 2
    return value
