"""DAG-aware gain of a replacement, and rebuilding a network with a set of replacements stitched in.

A replacement swaps the cone of `root` above the cut `leaves` for `implementation` (an AIG whose input j is
`leaves[j]` and whose single output is the root's new function). Its gain is the number of ANDs freed (the root's
maximum fanout-free cone, bounded by the leaves) minus the implementation's ANDs that the network does not already
hold outside that cone (found through the structural hash).
"""

from __future__ import annotations

from dataclasses import dataclass

from sc_plugin.aig.network import Aig
from sc_plugin.cuts.care import Window

__all__ = ["Replacement", "evaluate_replacement", "stitch"]


@dataclass(frozen=True)
class Replacement:
    root: int
    leaves: tuple[int, ...]
    implementation: Aig
    gain: int  # ANDs saved, counting sharing with the rest of the network
    new_level: int  # level of the root after replacement
    freed: frozenset[int]  # AND nodes that become dangling (the MFFC)
    reused: frozenset[int]  # existing nodes outside the MFFC that the implementation shares
    window: Window | None = None  # set when the implementation relies on the don't cares of this window


def _dereference(aig: Aig, node: int, refs: list[int], freed: list[int], leaves: set[int]) -> None:
    """Decrements fanin references of `node` recursively, collecting nodes whose count drops to zero."""
    stack = [node]
    while stack:
        current = stack.pop()
        freed.append(current)
        for lit in aig.fanins(current):
            child = lit >> 1
            if child in leaves or not aig.is_and(child):
                continue
            refs[child] -= 1
            if refs[child] == 0:
                stack.append(child)


def evaluate_replacement(aig: Aig, root: int, leaves: tuple[int, ...], implementation: Aig, refs: list[int],
                         node_levels: list[int], window: Window | None = None) -> Replacement:
    """Computes the DAG-aware gain of replacing `root`'s cone by `implementation` over `leaves`.

    `refs` holds the fanout count of every node (AND fanins plus outputs) and is restored before returning;
    `node_levels` the level of every node. Precondition: `leaves` is a cut of `root`.
    """
    freed: list[int] = []
    _dereference(aig, root, refs, freed, set(leaves))
    freed_set = set(freed)
    # Walk the implementation: a node is free if the network already has it outside the freed cone.
    lits = [0] + [2 * leaf for leaf in leaves]
    levels = [0] + [node_levels[leaf] for leaf in leaves]
    new_nodes = 0
    reused: set[int] = set()
    for node in implementation.and_nodes():
        a, b = implementation.fanins(node)
        lit_a = -1 if lits[a >> 1] < 0 else lits[a >> 1] ^ (a & 1)
        lit_b = -1 if lits[b >> 1] < 0 else lits[b >> 1] ^ (b & 1)
        level = 1 + max(levels[a >> 1], levels[b >> 1])
        existing = None if lit_a < 0 or lit_b < 0 else aig.lookup_and(lit_a, lit_b)
        if existing is not None and (existing >> 1) not in freed_set:
            lits.append(existing)
            levels.append(node_levels[existing >> 1])
            if aig.is_and(existing >> 1):
                reused.add(existing >> 1)
        else:
            new_nodes += 1
            lits.append(-1)  # not in the network: its fanouts cannot be found by hashing either
            levels.append(level)
    for node in freed:  # restore the references taken away above
        for lit in aig.fanins(node):
            child = lit >> 1
            if aig.is_and(child) and child not in leaves:
                refs[child] += 1
    out = implementation.pos[0]
    new_level = levels[out >> 1]
    return Replacement(root=root, leaves=leaves, implementation=implementation, gain=len(freed) - new_nodes,
                       new_level=new_level, freed=frozenset(freed), reused=frozenset(reused), window=window)


def stitch(aig: Aig, replacements: list[Replacement]) -> Aig:
    """A new network with every replacement applied, dangling nodes removed and names kept.

    Precondition: the replacements do not conflict (no root or reused node inside another's freed cone).
    """
    by_root = {r.root: r for r in replacements}
    new, node_map = aig.copy_interface()
    for node in aig.and_nodes():
        replacement = by_root.get(node)
        if replacement is None:
            a, b = aig.fanins(node)
            node_map[node] = new.create_and(node_map[a >> 1] ^ (a & 1), node_map[b >> 1] ^ (b & 1))
            continue
        leaf_lits = [node_map[leaf] for leaf in replacement.leaves]
        node_map[node] = new.instantiate(replacement.implementation, leaf_lits)[0]
    for lit, name in zip(aig.pos, aig.po_names):
        new.create_po(node_map[lit >> 1] ^ (lit & 1), name)
    return new.cleanup()
