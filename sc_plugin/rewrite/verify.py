"""Where a replacement is verified: the one check every stitched implementation passes."""

from __future__ import annotations

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_truth_table, cone_values, output_truth_tables
from sc_plugin.aig.truth import projection
from sc_plugin.cuts.care import Window, window_values

__all__ = ["verify_replacement", "verify_window_replacement"]


def verify_replacement(aig: Aig, root: int, leaves: tuple[int, ...], implementation: Aig,
                       window: Window | None = None) -> bool:
    """True if `implementation` (inputs = `leaves` in order, one output) can stand for node `root` of `aig`.

    Without a window: it computes exactly what the root computes as a function of the cut `leaves` (exhaustive
    simulation of both). With a window (an implementation of an incompletely specified function, whose don't cares
    are leaf combinations that do not occur): fed with the leaves' values, it agrees with the root's function of
    the leaves on every combination of the window's inputs, so the root's function of the network's inputs is
    unchanged. With a
    window over a fanout region (observability don't cares too): with its output in place of the root, every
    region output keeps its value on every combination of the window's inputs, so the root's function may change
    but no function outside the region does. Taken as built (`odc_window`): the region's outputs are the only
    region nodes read outside it, and no window input depends on the root.

    Every function is recomputed from the network here, independently of the cut enumerator's truth table and of
    the care set the replacement was synthesized for, so neither can let a wrong replacement through.
    """
    if implementation.num_pis != len(leaves) or implementation.num_pos != 1:
        return False
    if window is None:
        return output_truth_tables(implementation)[0] == cone_truth_table(aig, 2 * root, list(leaves))
    if window.region is not None and window.region.root != root:
        return False
    full = (1 << (1 << len(window.inputs))) - 1
    leaf_values = window_values(aig, window, leaves)
    # The root's own function of the leaves, not its value simulated from the window inputs: a window input can lie
    # in the root's cone (grown from a leaf that reads a cone node, or a side input of the region), which would make
    # that value disagree with the leaves on combinations that never occur.
    old_root = cone_values(aig, [root], dict(zip(leaves, leaf_values)), full)[0]
    new_root = _evaluate(implementation, leaf_values, full)[0]
    if window.region is None:
        return new_root == old_root
    outputs = window.region.outputs
    return window_values(aig, window, outputs, {root: new_root}) == window_values(aig, window, outputs,
                                                                                 {root: old_root})


def verify_window_replacement(aig: Aig, outputs: tuple[int, ...], inputs: tuple[int, ...], implementation: Aig,
                              window: Window | None = None) -> bool:
    """True if `implementation` (inputs = `inputs` in order, output o for node `outputs[o]`) can stand for the
    multi-output window of `aig` between those nodes.

    Without a window: each output computes exactly what its node computes as a function of `inputs` (exhaustive
    simulation; the inputs must form a cut of every output). With a window (`Window` below `inputs`, as the care set
    was computed over): fed with the inputs' values, every output agrees with its node's function of the inputs on
    every combination of the window's inputs, so no node's function of the network's inputs changes. Everything is simulated from the
    network here, independently of the SAT encoding and of the care set the implementation was synthesized for.
    """
    if implementation.num_pis != len(inputs) or implementation.num_pos != len(outputs):
        return False
    if window is None:
        width = len(inputs)
        full = (1 << (1 << width)) - 1
        values = cone_values(aig, list(outputs), {node: projection(j, width) for j, node in enumerate(inputs)}, full)
        return _evaluate(implementation, [projection(j, width) for j in range(width)], full) == values
    full = (1 << (1 << len(window.inputs))) - 1
    input_values = window_values(aig, window, inputs)
    # the outputs' functions of the inputs, as in verify_replacement: a window input may lie inside the window
    old_outputs = cone_values(aig, list(outputs), dict(zip(inputs, input_values)), full)
    return _evaluate(implementation, input_values, full) == old_outputs


def _evaluate(implementation: Aig, input_values: list[int], full: int) -> list[int]:
    """The outputs of an AIG on bit-vector inputs (Python integers of `full`'s width)."""
    values = [0, *input_values]
    for node in implementation.and_nodes():
        a, b = implementation.fanins(node)
        values.append((values[a >> 1] ^ (full if a & 1 else 0)) & (values[b >> 1] ^ (full if b & 1 else 0)))
    return [values[out >> 1] ^ (full if out & 1 else 0) for out in implementation.pos]
