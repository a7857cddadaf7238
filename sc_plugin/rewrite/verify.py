"""Where a replacement is verified: the one check every stitched implementation passes."""

from __future__ import annotations

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_truth_table, output_truth_tables
from sc_plugin.cuts.care import Window, window_values

__all__ = ["verify_replacement"]


def verify_replacement(aig: Aig, root: int, leaves: tuple[int, ...], implementation: Aig,
                       window: Window | None = None) -> bool:
    """True if `implementation` (inputs = `leaves` in order, one output) can stand for node `root` of `aig`.

    Without a window: it computes exactly what the root computes as a function of the cut `leaves` (exhaustive
    simulation of both). With a window (an implementation of an incompletely specified function, whose don't cares
    are leaf combinations that do not occur): fed with the leaves' values, it gives the root's value on every
    combination of the window's inputs, so the root's function of the network's inputs is unchanged.

    Both functions are recomputed from the network here, independently of the cut enumerator's truth table and of
    the care set the replacement was synthesized for, so neither can let a wrong replacement through.
    """
    if implementation.num_pis != len(leaves) or implementation.num_pos != 1:
        return False
    if window is None:
        return output_truth_tables(implementation)[0] == cone_truth_table(aig, 2 * root, list(leaves))
    root_value, *leaf_values = window_values(aig, window, [root, *leaves])
    full = (1 << (1 << len(window.inputs))) - 1
    return _evaluate(implementation, leaf_values, full) == root_value


def _evaluate(implementation: Aig, input_values: list[int], full: int) -> int:
    """The output of a single-output AIG on bit-vector inputs (Python integers of `full`'s width)."""
    values = [0, *input_values]
    for node in implementation.and_nodes():
        a, b = implementation.fanins(node)
        values.append((values[a >> 1] ^ (full if a & 1 else 0)) & (values[b >> 1] ^ (full if b & 1 else 0)))
    out = implementation.pos[0]
    return values[out >> 1] ^ (full if out & 1 else 0)
