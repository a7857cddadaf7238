"""Where a replacement is verified: the one check every stitched implementation passes."""

from __future__ import annotations

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_truth_table, output_truth_tables

__all__ = ["verify_replacement"]


def verify_replacement(aig: Aig, root: int, leaves: tuple[int, ...], implementation: Aig) -> bool:
    """True if `implementation` (inputs = `leaves` in order, one output) computes exactly what node `root` computes
    in `aig` as a function of the cut `leaves`, by exhaustive simulation of both.

    The cone's function is recomputed from the network here, independently of the cut enumerator's truth table, so
    a wrong cut table can never let a wrong replacement through.
    """
    if implementation.num_pis != len(leaves) or implementation.num_pos != 1:
        return False
    expected = cone_truth_table(aig, 2 * root, list(leaves))
    return output_truth_tables(implementation)[0] == expected
