"""The seam every stitched replacement passes: `verify_replacement` must accept right and reject wrong ones, also
when an engine bypasses `make_candidate` (a buggy engine, a corrupted cache) and hands over a wrong candidate."""

from sc_plugin.aig import Aig, output_truth_tables
from sc_plugin.aig.analysis import depth
from sc_plugin.aig.truth import projection
from sc_plugin.cuts import CutParams
from sc_plugin.cuts.care import Window, find_window
from sc_plugin.engines.base import Budget, Candidate
from sc_plugin.rewrite.optimize import RewriteParams, rewrite
from sc_plugin.rewrite.verify import verify_replacement

A, B, C = (projection(v, 3) for v in range(3))


def _sum_of_products() -> tuple[Aig, int]:
    """(a & b) | (a & c) over inputs a, b, c; returns the network and its root node."""
    aig = Aig()
    a, b, c = aig.create_pi("a"), aig.create_pi("b"), aig.create_pi("c")
    out = aig.create_or(aig.create_and(a, b), aig.create_and(a, c))
    aig.create_po(out, "y")
    return aig, out >> 1


def _impl(build) -> Aig:
    impl = Aig()
    x, y, z = impl.create_pi(), impl.create_pi(), impl.create_pi()
    impl.create_po(build(impl, x, y, z))
    return impl


RIGHT = _impl(lambda g, x, y, z: g.create_and(x, g.create_or(y, z)) ^ 1)  # the root node is the complement of y
WRONG = _impl(lambda g, x, y, z: g.create_and(x, g.create_or(y, z)))  # the output's function, not the node's
ALSO_WRONG = _impl(lambda g, x, y, z: g.create_and(x, y) ^ 1)


def test_accepts_the_right_implementation_and_rejects_wrong_ones():
    aig, root = _sum_of_products()
    leaves = (1, 2, 3)
    assert verify_replacement(aig, root, leaves, RIGHT)
    assert not verify_replacement(aig, root, leaves, WRONG)
    assert not verify_replacement(aig, root, leaves, ALSO_WRONG)
    assert not verify_replacement(aig, root, (3, 2, 1), RIGHT)  # leaf order is variable order
    two_outputs = _impl(lambda g, x, y, z: x)
    two_outputs.create_po(two_outputs.pi_lits()[1])
    assert not verify_replacement(aig, root, leaves, two_outputs)


class _LyingEngine:
    """Answers every function with a 2-AND circuit without checking it, as a broken engine or cache could."""

    name = "lying"

    def synthesize(self, table, num_inputs, *, budget):
        return self.synthesize_batch([(table, num_inputs)], budget=budget)[0]

    def synthesize_batch(self, functions, *, budget: Budget):
        return [Candidate(table=table, num_inputs=n, implementation=_lying_impl(n), ands=1, levels=1,
                          engine=self.name, time_s=0.0, optimal=False, verified=True)
                if n == 3 else None for table, n in functions]


def _lying_impl(num_inputs: int) -> Aig:
    impl = Aig()
    x, y, _ = (impl.create_pi() for _ in range(num_inputs))
    impl.create_po(impl.create_and(x, y))
    return impl


def test_rewrite_drops_wrong_candidates_that_reach_it():
    aig, _ = _sum_of_products()
    result, stats = rewrite(aig, _LyingEngine(), RewriteParams(cuts=CutParams(max_cut_size=3), max_rounds=1))
    assert stats.rejected_by_verification >= 1 and stats.replacements == 0
    assert result.num_ands == 3 and depth(result) == depth(aig)
    assert output_truth_tables(result) == output_truth_tables(aig)


def test_window_check_accepts_a_dont_care_implementation_and_rejects_wrong_ones():
    """root = x & !n over the nodes x = a & b and n = !a & !b; x = n = 1 never occurs, so x alone will do."""
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    x, n = aig.create_and(a, b), aig.create_and(a ^ 1, b ^ 1)
    root = aig.create_and(x, n ^ 1)
    aig.create_po(root)
    leaves = (x >> 1, n >> 1)
    window = find_window(aig, leaves)
    just_x, just_n = Aig(), Aig()
    for impl, pick in ((just_x, 0), (just_n, 1)):
        pis = [impl.create_pi(), impl.create_pi()]
        impl.create_po(pis[pick])
    assert not verify_replacement(aig, root >> 1, leaves, just_x)  # not the complete function
    assert verify_replacement(aig, root >> 1, leaves, just_x, window)
    assert not verify_replacement(aig, root >> 1, leaves, just_n, window)
    assert not verify_replacement(aig, root >> 1, leaves, just_x, Window(leaves))  # the leaves as free inputs
