"""Equivalence checking of whole networks: exhaustive simulation, an in-process SAT miter, or ABC's `&cec`."""

from sc_plugin.verify.cec import MAX_EXHAUSTIVE_INPUTS, METHODS, CecResult, Verdict, check_equivalence

__all__ = ["Verdict", "CecResult", "check_equivalence", "METHODS", "MAX_EXHAUSTIVE_INPUTS"]
