"""The seam every stitched replacement passes: `verify_replacement` must accept right and reject wrong ones, also
when an engine bypasses `make_candidate` (a buggy engine, a corrupted cache) and hands over a wrong candidate."""

from sc_plugin.aig import Aig, output_truth_tables
from sc_plugin.aig.analysis import depth
from sc_plugin.aig.truth import projection
from sc_plugin.cuts import CutParams
from sc_plugin.cuts.care import Window, fanout_view, find_window, odc_window
from sc_plugin.engines.base import Budget, Candidate
from sc_plugin.rewrite.optimize import RewriteParams, rewrite
from sc_plugin.rewrite.verify import verify_replacement, verify_window_replacement

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


def _shared_and() -> tuple[Aig, int, int]:
    """y = r1 & r2 with r1 = a & b and r2 = a & c: r1 matters only where a = 1, where b alone gives it."""
    aig = Aig()
    a, b, c = aig.create_pi("a"), aig.create_pi("b"), aig.create_pi("c")
    r1, r2 = aig.create_and(a, b), aig.create_and(a, c)
    aig.create_po(aig.create_and(r1, r2), "y")
    return aig, r1 >> 1, r2 >> 1


def _input(num_inputs: int, index: int) -> Aig:
    """An implementation that is its input `index` (no AND)."""
    impl = Aig()
    pis = [impl.create_pi() for _ in range(num_inputs)]
    impl.create_po(pis[index])
    return impl


def test_odc_window_check_accepts_what_the_outputs_cannot_see_and_rejects_the_rest():
    aig, r1, _ = _shared_and()
    leaves = (1, 2)
    window = odc_window(aig, r1, leaves, 1, fanout_view(aig))
    just_b, just_a = _input(2, 1), _input(2, 0)
    assert verify_replacement(aig, r1, leaves, just_b, window)
    assert not verify_replacement(aig, r1, leaves, just_a, window)  # a & c where a & b & c was
    assert not verify_replacement(aig, r1, leaves, just_b, find_window(aig, leaves))  # b occurs without a
    assert not verify_replacement(aig, r1, leaves, just_b, odc_window(aig, r1, leaves, 0, fanout_view(aig)))
    assert not verify_replacement(aig, 5, leaves, just_b, window)  # a window for another root


class _LyingCareEngine:
    """Answers every incompletely specified function with its first input, unchecked, as a broken engine could."""

    name = "lying"

    def synthesize(self, table, num_inputs, *, budget, care=None):
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions, *, budget, cares=None):
        cares = cares or [None] * len(functions)
        return [None if care is None else Candidate(
                    table=table, num_inputs=n, implementation=_input(n, 0), ands=0, levels=0, engine=self.name,
                    time_s=0.0, optimal=False, verified=True, care=care)
                for (table, n), care in zip(functions, cares)]


def test_rewrite_with_odcs_drops_wrong_candidates_that_reach_it():
    aig, _, _ = _shared_and()
    params = RewriteParams(cuts=CutParams(max_cut_size=2), max_rounds=1, use_dont_cares=True, odc_levels=1)
    result, stats = rewrite(aig, _LyingCareEngine(), params)
    assert stats.rejected_by_verification >= 1 and stats.replacements == 0
    assert result.num_ands == 3 and output_truth_tables(result) == output_truth_tables(aig)


def test_window_check_takes_the_root_from_its_leaves():
    """root = x | l over leaves (p, q, l), x = !(p & q) & !(p & !q) in its cone, l = x & r: the window grown below
    l stops at x (expanding it would pass four inputs), so x is free there although the leaves decide it. The
    root's complete function of the leaves must still pass."""
    aig = Aig()
    p, q, r = aig.create_pi("p"), aig.create_pi("q"), aig.create_pi("r")
    x = aig.create_and(aig.create_and(p, q) ^ 1, aig.create_and(p, q ^ 1) ^ 1)
    leaf = aig.create_and(x, r)
    root = aig.create_or(x, leaf)
    aig.create_po(root)
    leaves = (p >> 1, q >> 1, leaf >> 1)
    window = find_window(aig, leaves, max_inputs=4)
    assert x >> 1 in window.inputs
    exact = Aig()
    ep, _, el = (exact.create_pi() for _ in range(3))
    exact.create_po(exact.create_or(ep ^ 1, el) ^ 1)  # x = !p; the root node is the complement of x | l
    assert verify_replacement(aig, root >> 1, leaves, exact, window)
    # the same for a window of two outputs over the same inputs: the root and p & q (a node of its cone)
    pq = aig.create_and(p, q)
    assert aig.num_ands == 5  # strashed: no new node
    both = Aig()
    bp, bq, bl = (both.create_pi() for _ in range(3))
    both.create_po(both.create_or(bp ^ 1, bl) ^ 1)
    both.create_po(both.create_and(bp, bq))
    assert verify_window_replacement(aig, (root >> 1, pq >> 1), leaves, both, window)
    both.pos[1] ^= 1
    assert not verify_window_replacement(aig, (root >> 1, pq >> 1), leaves, both, window)
