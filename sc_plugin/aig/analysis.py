"""Facts derived from an AIG: levels, fanout counts, topological order. Computed on demand, never stored."""

from __future__ import annotations

import numba
import numpy as np

from sc_plugin.aig.network import Aig

__all__ = ["levels", "depth", "fanout_counts", "fanouts", "topological_order", "dependency_order", "CycleError"]


@numba.njit(cache=True)
def _levels_kernel(fanins: np.ndarray, num_pis: int) -> np.ndarray:
    level = np.zeros(fanins.shape[0], dtype=np.int64)
    for node in range(num_pis + 1, fanins.shape[0]):
        level[node] = 1 + max(level[fanins[node, 0] >> 1], level[fanins[node, 1] >> 1])
    return level


def levels(aig: Aig) -> np.ndarray:
    """Level of every node: 0 for the constant and inputs, 1 + max fanin level for an AND."""
    return _levels_kernel(aig.fanin_array(), aig.num_pis)


def depth(aig: Aig) -> int:
    """The largest level of any output driver (0 for a network without ANDs on its outputs)."""
    if not aig.pos:
        return 0
    return int(levels(aig)[aig.po_array() >> 1].max())


def fanout_counts(aig: Aig, *, count_outputs: bool = True) -> np.ndarray:
    """Number of fanout references of every node (AND fanins, plus primary outputs if count_outputs)."""
    fanins = aig.fanin_array()[aig.num_pis + 1:]
    counts = np.bincount((fanins >> 1).ravel(), minlength=aig.num_nodes)
    if count_outputs and aig.pos:
        counts += np.bincount(aig.po_array() >> 1, minlength=aig.num_nodes)
    return counts.astype(np.int64)


def fanouts(aig: Aig) -> list[list[int]]:
    """The AND nodes that read every node, ascending (a node reading both polarities listed once)."""
    readers: list[list[int]] = [[] for _ in range(aig.num_nodes)]
    for node in aig.and_nodes():
        a, b = aig.fanins(node)
        readers[a >> 1].append(node)
        if b >> 1 != a >> 1:
            readers[b >> 1].append(node)
    return readers


class CycleError(ValueError):
    """A dependency cycle; `item` is one index on it."""

    def __init__(self, item: int) -> None:
        super().__init__(f"combinational cycle through node {item}")
        self.item = item


def dependency_order(dependencies: list[list[int]]) -> list[int]:
    """Orders items 0..n-1 so that every item follows the items it depends on (iterative depth-first search, so
    long chains cannot exhaust Python's recursion limit). Raises CycleError naming an item on a cycle."""
    state = [0] * len(dependencies)  # 0 unvisited, 1 on the stack, 2 done
    order: list[int] = []
    for start in range(len(dependencies)):
        if state[start]:
            continue
        stack = [(start, 0)]
        state[start] = 1
        while stack:
            item, child = stack[-1]
            if child == len(dependencies[item]):
                stack.pop()
                state[item] = 2
                order.append(item)
                continue
            stack[-1] = (item, child + 1)
            nxt = dependencies[item][child]
            if state[nxt] == 1:
                raise CycleError(nxt)
            if state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, 0))
    return order


def topological_order(num_nodes: int, fanins: list[tuple[int, int] | None]) -> list[int]:
    """Orders nodes so that every node follows its fanin nodes.

    fanins[node] is None for a source (constant, input) or a pair of fanin literals. Raises CycleError naming a
    node on a cycle. Used by readers of formats that do not guarantee order; an `Aig` is ordered by construction.
    """
    return dependency_order([[] if pair is None else [pair[0] >> 1, pair[1] >> 1] for pair in fanins[:num_nodes]])
