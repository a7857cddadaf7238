"""Cuts: k-feasible priority cut enumeration with truth tables, and MFFC sizes."""

from sc_plugin.cuts.enumeration import Cut, CutParams, CutStats, NetworkCuts, enumerate_cuts
from sc_plugin.cuts.mffc import mffc_nodes, mffc_size, mffc_sizes

__all__ = ["Cut", "CutParams", "CutStats", "NetworkCuts", "enumerate_cuts", "mffc_nodes", "mffc_size", "mffc_sizes"]
