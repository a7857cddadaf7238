"""Maximum fanout-free cones bounded by a cut.

The MFFC of `root` bounded by `leaves` is the set of AND nodes that become dangling when `root` is replaced by
a new cone over `leaves`: root itself, and every node all of whose fanout references (AND fanins and primary
outputs) come from nodes of the set, found without passing through a leaf. Its size is the number of ANDs a
replacement frees, so a replacement with fewer new ANDs than that is a gain.

Both functions take the reference counts from `sc_plugin.aig.analysis.fanout_counts(aig)` (primary outputs
included) and leave them unchanged. Precondition: `leaves` is a cut of `root` (every path from root to a primary
input passes through a leaf); otherwise the cone is bounded by the primary inputs instead, which is still well
defined.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np

from sc_plugin.aig.network import Aig

__all__ = ["mffc_nodes", "mffc_size", "mffc_sizes"]


def mffc_size(aig: Aig, root: int, leaves: Sequence[int], fanout_counts: np.ndarray) -> int:
    """Number of AND nodes in the MFFC of AND node `root` bounded by `leaves` (root counted, leaves never).

    Costs time proportional to the cone, not the network; for many queries on one network use `mffc_sizes`.
    Raises ValueError if root is not an AND node or is one of the leaves.
    """
    return len(mffc_nodes(aig, root, leaves, fanout_counts))


def mffc_nodes(aig: Aig, root: int, leaves: Sequence[int], fanout_counts: np.ndarray) -> set[int]:
    """The AND nodes of the MFFC of AND node `root` bounded by `leaves` (root included, leaves never).

    Raises ValueError if root is not an AND node or is one of the leaves.
    """
    if not aig.is_and(root):
        raise ValueError(f"node {root} is not an AND node")
    boundary = set(int(leaf) for leaf in leaves)
    if root in boundary:
        raise ValueError(f"root {root} is one of its own leaves")
    released: dict[int, int] = {}  # node -> references removed so far
    cone = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for lit in aig.fanins(node):
            fanin = lit >> 1
            if not aig.is_and(fanin) or fanin in boundary:
                continue
            released[fanin] = released.get(fanin, 0) + 1
            if released[fanin] == fanout_counts[fanin]:
                cone.add(fanin)
                stack.append(fanin)
    return cone


def mffc_sizes(aig: Aig, roots: np.ndarray, leaves: np.ndarray, fanout_counts: np.ndarray) -> np.ndarray:
    """MFFC sizes of many (root, leaves) queries on one network, as `mffc_size` computes each.

    roots: (M,) node ids of AND nodes. leaves: (M, L) node ids, row q the leaves of query q padded with -1 (the
    `roots` and `leaves` arrays of `NetworkCuts` fit as they are). Returns an (M,) int64 array. Costs one pass
    over the network to build its arrays, then time proportional to each cone. Raises ValueError if a root is
    not an AND node or is one of its own leaves.
    """
    roots = _as_node_array(roots)
    leaves = _as_node_array(leaves)
    if leaves.ndim != 2 or leaves.shape[0] != roots.shape[0]:
        raise ValueError(f"leaves must have shape ({roots.shape[0]}, L), got {leaves.shape}")
    if roots.size and (roots.min() <= aig.num_pis or roots.max() >= aig.num_nodes):
        raise ValueError("every root must be an AND node")
    if (leaves == roots[:, None]).any():
        raise ValueError("a root is one of its own leaves")
    return _mffc_kernel(aig.fanin_array(), aig.num_pis, np.asarray(fanout_counts, dtype=np.int64), roots, leaves)


def _as_node_array(array) -> np.ndarray:
    """Node ids as a contiguous int32 or int64 array, copied only if needed (the kernel is compiled for both)."""
    array = np.asarray(array)
    dtype = array.dtype if array.dtype in (np.int32, np.int64) else np.int64
    return np.ascontiguousarray(array, dtype=dtype)


@numba.njit(cache=True)
def _mffc_kernel(fanins, num_pis, fanout_counts, roots, leaves):
    num_nodes = fanins.shape[0]
    references = fanout_counts.copy()  # decremented while a cone is dereferenced, restored after each query
    leaf_stamp = np.zeros(num_nodes, dtype=np.int64)  # query index + 1 where the node is a leaf of that query
    stack = np.empty(num_nodes, dtype=np.int64)
    touched = np.empty(2 * num_nodes, dtype=np.int64)
    sizes = np.empty(roots.shape[0], dtype=np.int64)
    for query in range(roots.shape[0]):
        stamp = query + 1
        for i in range(leaves.shape[1]):
            if leaves[query, i] >= 0:
                leaf_stamp[leaves[query, i]] = stamp
        size = 1
        num_stack = 1
        num_touched = 0
        stack[0] = roots[query]
        while num_stack:
            num_stack -= 1
            node = stack[num_stack]
            for side in range(2):
                fanin = fanins[node, side] >> 1
                if fanin <= num_pis or leaf_stamp[fanin] == stamp:
                    continue
                references[fanin] -= 1
                touched[num_touched] = fanin
                num_touched += 1
                if references[fanin] == 0:
                    size += 1
                    stack[num_stack] = fanin
                    num_stack += 1
        for i in range(num_touched):
            references[touched[i]] += 1
        sizes[query] = size
    return sizes
