from __future__ import annotations

import random
import time

import pytest

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import projection, table_mask
from sc_plugin.engines.base import Budget, NullEngine, make_candidate
from sc_plugin.engines.decompose import DecomposeParams, DecomposingEngine

X = [projection(var, 6) for var in range(6)]  # the inputs as 6-input tables


class SmallOnly:
    """Solves functions of at most `limit` inputs (as a sum of minterms), nothing larger; records what it is asked."""

    name = "small"

    def __init__(self, limit: int = 3) -> None:
        self.limit = limit
        self.asked: list[tuple[int, int]] = []

    def synthesize(self, table, n, *, budget):
        return self.synthesize_batch([(table, n)], budget=budget)[0]

    def synthesize_batch(self, functions, *, budget):
        self.asked.extend(functions)
        return [self._sum_of_minterms(t, n) if n <= self.limit else None for t, n in functions]

    def _sum_of_minterms(self, table, n):
        aig = Aig()
        inputs = [aig.create_pi() for _ in range(n)]
        lit = 0
        for m in range(1 << n):
            if (table >> m) & 1:
                term = 1
                for j, x in enumerate(inputs):
                    term = aig.create_and(term, x ^ (1 - ((m >> j) & 1)))
                lit = aig.create_or(lit, term)
        aig.create_po(lit)
        return make_candidate(table, n, aig, engine=self.name, start_time=time.perf_counter())


def _decompose(table: int, n: int = 6, inner=None, **params):
    engine = DecomposingEngine(inner or NullEngine(), DecomposeParams(**params))
    return engine, engine.synthesize(table & table_mask(n), n, budget=Budget(time_ms=1000))


@pytest.mark.parametrize("num_inputs", [5, 6])
def test_every_random_function_is_solved_from_three_input_parts(num_inputs):
    rng = random.Random(num_inputs)
    functions = [(rng.getrandbits(1 << num_inputs), num_inputs) for _ in range(12)]
    inner = SmallOnly(limit=3)
    engine = DecomposingEngine(inner)
    results = engine.synthesize_batch(functions, budget=Budget(time_ms=1000))
    for (table, n), candidate in zip(functions, results):
        assert candidate is not None and candidate.verified
        assert output_truth_tables(candidate.implementation)[0] == table
    assert max(n for _, n in inner.asked[len(functions):]) < num_inputs  # the fallback asked for smaller parts only
    assert engine.stats.solved_by_decomposition == len(functions) and engine.stats.failed == 0
    assert "12 by decomposition, 0 failed" in engine.stats.report()


@pytest.mark.parametrize("table, ands", [
    (0, 0),
    (X[3], 0),
    (X[0] & X[1] & X[2] & X[3], 3),  # three top-level ANDs
    (X[0] | ~X[4], 1),
    (X[0] ^ X[1] ^ X[2], 6),  # two top-level XORs
    (X[5] & (X[1] ^ X[2]), 4),
    ((X[2] & X[0]) | (~X[2] & X[1]), 3),  # a mux on x2, its data inputs literals
    ((X[0] & X[1] & X[2]) | (~X[0] & X[1]), 2),  # f(x0=1) implies f(x0=0): x1 & (!x0 | x2)
])
def test_constructed_functions_get_the_small_implementations(table, ands):
    engine, candidate = _decompose(table)
    assert candidate is not None and candidate.ands == ands


def test_top_level_forms_can_be_switched_off():
    table = X[0] & X[1] & X[2] & X[3]
    engine, candidate = _decompose(table, use_top_level=False)
    assert engine.stats.splits == {"mux": 3} and candidate.ands == 3  # a mux with a constant input folds
    assert _decompose(table, use_top_level=False, use_shannon=False)[1] is None
    engine, candidate = _decompose(table ^ X[5], max_depth=1, use_shannon=False)
    assert candidate is None and engine.stats.splits == {"xor": 1} and engine.stats.failed == 1


def test_the_inner_result_comes_back_unchanged():
    inner = SmallOnly(limit=6)
    engine = DecomposingEngine(inner)
    direct = inner.synthesize(X[0] ^ X[1] ^ X[2], 6, budget=Budget())
    inner.synthesize = lambda table, n, *, budget: direct  # noqa: E731  (an engine answering with one object)
    inner.synthesize_batch = lambda functions, *, budget: [direct]
    assert engine.synthesize(X[0] ^ X[1] ^ X[2], 6, budget=Budget()) is direct
    assert engine.stats.solved_directly == 1 and engine.stats.splits == {}


def test_the_inner_engine_gets_its_share_of_the_time_and_the_fallback_keeps_the_deadline():
    inner = SmallOnly(limit=3)
    budgets = []
    batch = inner.synthesize_batch
    inner.synthesize_batch = lambda functions, *, budget: budgets.append(budget) or batch(functions, budget=budget)
    engine = DecomposingEngine(inner, DecomposeParams(fallback_time_fraction=0.25))
    deadline = time.time() + 60
    engine.synthesize(X[0] ^ X[1] ^ X[2] ^ X[3] ^ X[4], 5, budget=Budget(time_ms=1000, deadline=deadline))
    assert budgets[0].time_ms == 750 and all(b.deadline <= deadline for b in budgets)
    assert len(budgets) > 1
    budgets.clear()
    late = engine.synthesize(X[0] ^ X[1] ^ X[2] ^ X[3], 4, budget=Budget(time_ms=1000, deadline=time.time() - 1))
    assert late is None and len(budgets) == 1  # past the deadline the fallback asks for nothing


def test_under_a_size_bound_the_fallback_keeps_its_bounded_share():
    inner = SmallOnly(limit=3)
    budgets = []
    batch = inner.synthesize_batch
    inner.synthesize_batch = lambda functions, *, budget: (budgets.append((budget, len(functions)))
                                                           or batch(functions, budget=budget))
    params = DecomposeParams(fallback_time_fraction=0.25, bounded_fallback_time_fraction=0.6)
    DecomposingEngine(inner, params).synthesize(X[0] ^ X[1] ^ X[2] ^ X[3] ^ X[4], 5,
                                                budget=Budget(time_ms=1000, max_ands=40))
    assert budgets[0][0].time_ms == pytest.approx(400)  # the direct search: 1 - 0.6 of the function's time
    first_level_ms = budgets[1][0].time_ms * budgets[1][1]  # half of the fallback's 600 ms (more levels follow)
    assert len(budgets) > 2 and 250 < first_level_ms <= 300


def test_a_size_bound_drops_a_larger_composition():
    _, candidate = _decompose(X[0] ^ X[1] ^ X[2], max_depth=6)
    assert candidate.ands == 6
    engine = DecomposingEngine(NullEngine())
    assert engine.synthesize(X[0] ^ X[1] ^ X[2], 6, budget=Budget(max_ands=5)) is None
    assert engine.stats.failed == 1


def test_a_care_set_reaches_the_inner_engine_and_the_fallback_builds_a_cheap_completion():
    seen = []

    class CareAware(SmallOnly):
        def synthesize_batch(self, functions, *, budget, cares=None):
            seen.append(cares)
            return super().synthesize_batch(functions, budget=budget)

    engine = DecomposingEngine(CareAware(limit=3))
    table = X[0] ^ (X[1] & X[2]) ^ (X[3] | X[4])
    care = 0xFF  # x3 = x4 = 0: there the function is x0 ^ (x1 & x2)
    candidate = engine.synthesize(table, 5, budget=Budget(), care=care)
    assert seen[0] == [care] and all(cares is None for cares in seen[1:])
    assert (output_truth_tables(candidate.implementation)[0] ^ table) & care == 0 and candidate.care == care
    assert candidate.ands == 4
    DecomposingEngine(SmallOnly(limit=3)).synthesize(table, 5, budget=Budget())  # no care: no keyword passed


def test_engine_mcts_has_the_fallback_unless_switched_off(monkeypatch):
    from sc_plugin.engines import registry
    from sc_plugin.rewrite.options import apply_options

    monkeypatch.setattr(registry, "_make_mcts_engine", lambda params: SmallOnly())  # no model needed
    engine = registry.make_engine(apply_options({"engine": "mcts", "no_mcts_polish": True}).engine)
    assert isinstance(engine, DecomposingEngine) and engine.name == "small"
    plain = registry.make_engine(apply_options({"engine": "mcts", "no_mcts_fallback": True,
                                                "no_mcts_polish": True}).engine)
    assert isinstance(plain, SmallOnly)
