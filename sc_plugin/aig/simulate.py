"""Bit-parallel simulation of whole networks and of cones, 64 patterns per uint64 word."""

from __future__ import annotations

from typing import Mapping, Sequence

import numba
import numpy as np

from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import MAX_INPUTS, projection

__all__ = ["simulate_nodes", "simulate_outputs", "output_truth_tables", "exhaustive_patterns", "cone_truth_table",
           "cone_values"]

_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@numba.njit(cache=True)
def _simulate_kernel(fanins: np.ndarray, num_pis: int, pi_values: np.ndarray) -> np.ndarray:
    num_nodes = fanins.shape[0]
    num_words = pi_values.shape[1]
    values = np.zeros((num_nodes, num_words), dtype=np.uint64)
    values[1:num_pis + 1] = pi_values
    ones = np.uint64(0xFFFFFFFFFFFFFFFF)
    for node in range(num_pis + 1, num_nodes):
        a = fanins[node, 0]
        b = fanins[node, 1]
        ma = ones if a & 1 else np.uint64(0)
        mb = ones if b & 1 else np.uint64(0)
        va = values[a >> 1]
        vb = values[b >> 1]
        for w in range(num_words):
            values[node, w] = (va[w] ^ ma) & (vb[w] ^ mb)
    return values


def simulate_nodes(aig: Aig, pi_values: np.ndarray) -> np.ndarray:
    """Values of every node for the given patterns.

    pi_values: uint64 array (num_pis, num_words), one bit per pattern. Returns (num_nodes, num_words).
    """
    pi_values = np.ascontiguousarray(pi_values, dtype=np.uint64)
    if pi_values.shape[0] != aig.num_pis:
        raise ValueError(f"expected values for {aig.num_pis} inputs, got {pi_values.shape[0]}")
    return _simulate_kernel(aig.fanin_array(), aig.num_pis, pi_values)


def simulate_outputs(aig: Aig, pi_values: np.ndarray) -> np.ndarray:
    """Values of every primary output, shape (num_pos, num_words)."""
    values = simulate_nodes(aig, pi_values)
    pos = aig.po_array()
    complement = np.where(pos & 1, _ALL_ONES, np.uint64(0))[:, None]
    return values[pos >> 1] ^ complement


def exhaustive_patterns(num_inputs: int) -> np.ndarray:
    """All 2**num_inputs minterms as (num_inputs, num_words) words; pattern m assigns bit j of m to input j."""
    num_bits = 1 << num_inputs
    num_words = max(1, num_bits // 64)
    minterms = np.arange(num_words * 64, dtype=np.uint64) % np.uint64(num_bits)
    patterns = np.zeros((num_inputs, num_words), dtype=np.uint64)
    weights = np.uint64(1) << np.arange(64, dtype=np.uint64)
    for var in range(num_inputs):
        bits = ((minterms >> np.uint64(var)) & np.uint64(1)).reshape(num_words, 64)
        patterns[var] = (bits * weights).sum(axis=1, dtype=np.uint64)
    return patterns


def output_truth_tables(aig: Aig) -> list[int]:
    """The truth table of every output as a Python int over all inputs (at most 16 inputs)."""
    if aig.num_pis > 16:
        raise ValueError(f"exhaustive truth tables need at most 16 inputs, the network has {aig.num_pis}")
    words = simulate_outputs(aig, exhaustive_patterns(aig.num_pis))
    mask = (1 << (1 << aig.num_pis)) - 1
    return [int.from_bytes(row.astype("<u8").tobytes(), "little") & mask for row in words]


def cone_truth_table(aig: Aig, root_lit: int, leaves: list[int]) -> int:
    """Truth table of `root_lit` as a function of the cut `leaves` (node ids, leaf j = input j).

    Precondition: every path from the root to an input passes through a leaf (the leaves form a cut).
    """
    if len(leaves) > MAX_INPUTS:
        raise ValueError(f"cut has {len(leaves)} leaves, at most {MAX_INPUTS} supported")
    num_inputs = len(leaves)
    mask = (1 << (1 << num_inputs)) - 1
    inputs = {leaf: projection(j, num_inputs) for j, leaf in enumerate(leaves)}
    return cone_values(aig, [root_lit >> 1], inputs, mask)[0] ^ (mask if root_lit & 1 else 0)


def cone_values(aig: Aig, targets: Sequence[int], inputs: Mapping[int, int], full: int) -> list[int]:
    """Values of the `targets` (node ids) as bit vectors (Python integers below `full`, all ones), simulated from
    the given values of the `inputs` (node id -> bit vector) up through the AND nodes between them.

    Precondition: every path from a target to a primary input passes through one of `inputs`.
    """
    values: dict[int, int] = {0: 0, **inputs}
    for target in targets:
        stack = [target]
        while stack:
            node = stack[-1]
            if node in values:
                stack.pop()
                continue
            if not aig.is_and(node):
                raise ValueError(f"node {node} is reached from a target without passing an input of the cone")
            a, b = aig.fanins(node)
            pending = [lit >> 1 for lit in (a, b) if (lit >> 1) not in values]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            values[node] = (values[a >> 1] ^ (full if a & 1 else 0)) & (values[b >> 1] ^ (full if b & 1 else 0))
    return [values[target] for target in targets]
