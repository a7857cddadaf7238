"""The level bound of `rewrite`: a replacement that would deepen the network past the bound is refused."""

import math
import time
from dataclasses import replace

from sc_plugin.aig import Aig, output_truth_tables
from sc_plugin.aig.analysis import depth
from sc_plugin.engines.base import Budget, Candidate, make_candidate, synthesize_each
from sc_plugin.rewrite.optimize import RewriteParams, rewrite


class _ChainEngine:
    """Knows one kind of function, the AND of all its inputs, and builds it as a chain from the last input to the
    first: ((v[n-1] & v[n-2]) & ...) & v[0]. Fewer ANDs than a redundant cone, but as deep as it gets."""

    name = "chain"

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget) -> Candidate | None:
        if num_inputs < 2 or table != 1 << ((1 << num_inputs) - 1):
            return None
        impl = Aig()
        inputs = [impl.create_pi() for _ in range(num_inputs)]
        lit = inputs[-1]
        for other in reversed(inputs[:-1]):
            lit = impl.create_and(lit, other)
        impl.create_po(lit)
        return make_candidate(table, num_inputs, impl, engine=self.name, start_time=time.perf_counter())

    def synthesize_batch(self, functions, *, budget):
        return synthesize_each(self, functions, budget=budget)


def _shallow_and5() -> Aig:
    """a & b & c & d & e as ((a & b) & (c & d)) & (e & a): five ANDs, three levels. Every smaller version the
    chain engine offers has four levels: the only gain deepens the network."""
    aig = Aig()
    a, b, c, d, e = (aig.create_pi(name) for name in "abcde")
    aig.create_po(aig.create_and(aig.create_and(aig.create_and(a, b), aig.create_and(c, d)), aig.create_and(e, a)),
                  "y")
    return aig


def test_without_a_bound_the_deeper_smaller_network_is_taken():
    aig = _shallow_and5()
    assert (aig.num_ands, depth(aig)) == (5, 3)
    result, stats = rewrite(aig, _ChainEngine(), RewriteParams())
    assert RewriteParams().depth_slack == math.inf  # no bound by default: sc-opt minimizes ANDs
    assert (result.num_ands, depth(result)) == (4, 4) and (stats.levels_before, stats.levels_after) == (3, 4)
    assert output_truth_tables(result) == output_truth_tables(aig)


def test_bound_zero_refuses_the_gain_that_raises_the_depth():
    aig = _shallow_and5()
    result, stats = rewrite(aig, _ChainEngine(), replace(RewriteParams(), depth_slack=0.0))
    assert (result.num_ands, depth(result)) == (5, 3) and stats.replacements == 0


def test_a_slack_of_one_level_allows_it():
    aig = _shallow_and5()
    result, stats = rewrite(aig, _ChainEngine(), replace(RewriteParams(), depth_slack=1.0))
    assert (result.num_ands, depth(result)) == (4, 4) and stats.levels_after <= stats.levels_before + 1


def test_gains_that_keep_the_depth_pass_the_bound():
    # (a & b) | (a & c) as three ANDs; a & (b | c) needs two at the same depth.
    from sc_plugin.engines.exact_sat import ExactEngine

    aig = Aig()
    a, b, c = (aig.create_pi(name) for name in "abc")
    aig.create_po(aig.create_or(aig.create_and(a, b), aig.create_and(a, c)), "y")
    result, stats = rewrite(aig, ExactEngine(), replace(RewriteParams(), depth_slack=0.0))
    assert result.num_ands == 2 and depth(result) <= depth(aig)
