import time

from sc_plugin.aig import Aig, output_truth_tables
from sc_plugin.aig.truth import projection
from sc_plugin.cuts import CutParams
from sc_plugin.engines.base import Budget, Candidate, NullEngine, make_candidate, synthesize_each
from sc_plugin.rewrite.optimize import RewriteParams, rewrite
from sc_plugin.rewrite.stitch import evaluate_replacement, stitch
from sc_plugin.aig.analysis import fanout_counts, levels

A, B, C = (projection(v, 3) for v in range(3))
MASK3 = 0xFF


def _factored_and_or(aig: Aig, x: int, y: int, z: int) -> int:
    """x & (y | z): two ANDs."""
    return aig.create_and(x, aig.create_or(y, z))


def _factored_impl(complemented: bool) -> Aig:
    impl = Aig()
    x, y, z = impl.create_pi(), impl.create_pi(), impl.create_pi()
    impl.create_po(_factored_and_or(impl, x, y, z) ^ int(complemented))
    return impl


class _FactoringEngine:
    """Knows one function, a & (b | c) over 3 inputs (or its complement), and implements it with 2 ANDs."""

    name = "factoring"

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget) -> Candidate | None:
        function = A & (B | C)
        if num_inputs != 3 or table not in (function, function ^ MASK3):
            return None
        impl = _factored_impl(complemented=table != function)
        return make_candidate(table, num_inputs, impl, engine=self.name, start_time=time.perf_counter())

    def synthesize_batch(self, functions, *, budget):
        return synthesize_each(self, functions, budget=budget)


class _WrongEngine(_FactoringEngine):
    """Claims a wrong implementation; make_candidate must drop it."""

    def synthesize(self, table, num_inputs, *, budget):
        impl = Aig()
        x, y, _ = impl.create_pi(), impl.create_pi(), impl.create_pi()
        impl.create_po(impl.create_and(x, y))
        return make_candidate(table, num_inputs, impl, engine="wrong", start_time=time.perf_counter())


def _sum_of_products() -> Aig:
    """(a & b) | (a & c): three ANDs, named ports."""
    aig = Aig()
    a, b, c = aig.create_pi("a"), aig.create_pi("b"), aig.create_pi("c")
    aig.create_po(aig.create_or(aig.create_and(a, b), aig.create_and(a, c)), "y")
    return aig


def test_factoring_saves_one_and_and_keeps_function_and_names():
    aig = _sum_of_products()
    assert aig.num_ands == 3
    result, stats = rewrite(aig, _FactoringEngine(), RewriteParams(cuts=CutParams(max_cut_size=4)))
    assert result.num_ands == 2
    assert output_truth_tables(result) == output_truth_tables(aig)
    assert result.pi_names == ["a", "b", "c"] and result.po_names == ["y"]
    assert (stats.ands_before, stats.ands_after, stats.replacements) == (3, 2, 1)
    assert stats.rejected_by_verification == 0


def test_null_and_wrong_engines_leave_the_network_unchanged():
    aig = _sum_of_products()
    for engine in (NullEngine(), _WrongEngine()):
        result, stats = rewrite(aig, engine)
        assert result.num_ands == 3 and stats.replacements == 0 and stats.stopped_by == "no gain"
        assert output_truth_tables(result) == output_truth_tables(aig)


def test_gain_counts_nodes_shared_with_the_rest_of_the_network():
    # b | c already exists (it drives a second output), so the factored form costs one new AND, freeing three.
    aig = _sum_of_products()
    a, b, c = aig.pi_lits()
    aig.create_po(aig.create_or(b, c), "b_or_c")
    impl = _factored_impl(complemented=True)  # the root node is the complement of the output
    root = aig.pos[0] >> 1
    refs = fanout_counts(aig).tolist()
    before = list(refs)
    replacement = evaluate_replacement(aig, root, (1, 2, 3), impl, refs, levels(aig).tolist())
    assert refs == before  # references restored
    assert replacement.gain == 3 - 1
    stitched = stitch(aig, [replacement])
    assert stitched.num_ands == 2
    assert output_truth_tables(stitched) == output_truth_tables(aig)


def test_time_limit_zero_returns_the_input():
    aig = _sum_of_products()
    result, stats = rewrite(aig, _FactoringEngine(), RewriteParams(time_limit_s=0.0))
    assert result.num_ands == 3 and stats.stopped_by == "time limit" and stats.rounds == 0
