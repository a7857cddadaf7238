"""AIG core: storage, AIGER I/O, analysis, simulation and truth tables."""

from sc_plugin.aig.aiger import aiger_bytes, read_aiger, read_aiger_bytes, write_aiger
from sc_plugin.aig.analysis import depth, fanout_counts, levels
from sc_plugin.aig.npn import NpnTransform, is_exact_npn, npn_canonize
from sc_plugin.aig.network import CONST0, CONST1, Aig, lit_is_complemented, lit_node, lit_not, make_lit
from sc_plugin.aig.simulate import (cone_truth_table, exhaustive_patterns, output_truth_tables, simulate_nodes,
                                    simulate_outputs)

__all__ = [
    "Aig", "CONST0", "CONST1", "make_lit", "lit_node", "lit_not", "lit_is_complemented",
    "read_aiger", "read_aiger_bytes", "write_aiger", "aiger_bytes",
    "levels", "depth", "fanout_counts",
    "NpnTransform", "npn_canonize", "is_exact_npn",
    "simulate_nodes", "simulate_outputs", "output_truth_tables", "exhaustive_patterns", "cone_truth_table",
]
