from __future__ import annotations

import random
import time

import pytest

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import table_mask
from sc_plugin.engines.base import Budget, make_candidate
from sc_plugin.engines.exact_sat import ExactEngine
from sc_plugin.engines.polish import PolishingEngine, PolishParams, polish


def _network(num_inputs: int, build) -> Aig:
    aig = Aig()
    inputs = [aig.create_pi() for _ in range(num_inputs)]
    aig.create_po(build(aig, *inputs))
    return aig


def _unhashed_or(aig: Aig, a: int, b: int) -> int:
    return aig.add_and_unhashed(a ^ 1, b ^ 1) ^ 1


def test_a_node_equal_to_another_is_resubstituted():
    # (a & b) & a is a & b: the outer AND is redundant
    aig = _network(2, lambda g, a, b: g.add_and_unhashed(g.add_and_unhashed(a, b), a))
    polished, stats = polish(aig)
    assert polished.num_ands == 1 and output_truth_tables(polished) == output_truth_tables(aig)
    assert stats.ands_before == 2 and stats.ands_after == 1 and stats.improved == 1


def test_observability_dont_cares_let_a_node_take_a_simpler_function():
    # (a ^ c) & c is !a & c: where c is 0 the XOR's value is not observed, so it can become !a
    def build(g, a, c):
        xor = _unhashed_or(g, g.add_and_unhashed(a, c ^ 1), g.add_and_unhashed(a ^ 1, c))
        return g.add_and_unhashed(xor, c)

    aig = _network(2, build)
    assert aig.num_ands == 4
    polished, stats = polish(aig)
    assert polished.num_ands == 1 and output_truth_tables(polished) == output_truth_tables(aig)
    assert stats.moves


def test_the_output_care_set_is_used_and_kept():
    # a & b & c, where only the minterms with c = 1 matter: a & b is enough
    aig = _network(3, lambda g, a, b, c: g.add_and_unhashed(g.add_and_unhashed(a, b), c))
    care = sum(1 << m for m in range(8) if m & 4)
    polished, _ = polish(aig, care)
    assert polished.num_ands == 1
    assert (output_truth_tables(polished)[0] ^ output_truth_tables(aig)[0]) & care == 0


def test_cut_rewriting_reaches_the_library_size_of_a_bloated_majority():
    # majority of three as (a & b) | (a & c) | (b & c): 5 ANDs, where 4 suffice
    def build(g, a, b, c):
        return _unhashed_or(g, _unhashed_or(g, g.add_and_unhashed(a, b), g.add_and_unhashed(a, c)),
                            g.add_and_unhashed(b, c))

    aig = _network(3, build)
    assert aig.num_ands == 5
    polished, stats = polish(aig, exact=ExactEngine())
    assert polished.num_ands == 4 and output_truth_tables(polished) == output_truth_tables(aig)


@pytest.mark.parametrize("seed", range(6))
def test_random_networks_keep_their_function_on_the_care_set_and_never_grow(seed):
    rng = random.Random(seed)
    num_inputs = rng.randint(3, 6)
    aig = Aig()
    lits = [aig.create_pi() for _ in range(num_inputs)]
    for _ in range(rng.randint(6, 18)):
        a, b = rng.sample(lits, 2)
        lits.append(aig.add_and_unhashed(a ^ rng.getrandbits(1), b ^ rng.getrandbits(1)))
    aig.create_po(lits[-1] ^ rng.getrandbits(1))
    aig = aig.cleanup()
    care = None if seed % 2 else rng.getrandbits(1 << num_inputs) & table_mask(num_inputs)
    polished, stats = polish(aig, care, exact=ExactEngine())
    mask = table_mask(num_inputs) if care is None else care
    assert (output_truth_tables(polished)[0] ^ output_truth_tables(aig)[0]) & mask == 0
    assert polished.num_ands <= aig.num_ands == stats.ands_before
    assert stats.ands_after == polished.num_ands


def test_a_network_with_two_outputs_is_refused():
    aig = _network(2, lambda g, a, b: g.create_and(a, b))
    aig.create_po(2)
    with pytest.raises(ValueError, match="one output"):
        polish(aig)


def _bloated_and(g, a, b):
    """a & b in three ANDs: ((a & b) & b) & a."""
    return g.add_and_unhashed(g.add_and_unhashed(g.add_and_unhashed(a, b), b), a)


def _xor(g, a, b):
    """a ^ b in its smallest form, three ANDs."""
    return _unhashed_or(g, g.add_and_unhashed(a, b ^ 1), g.add_and_unhashed(a ^ 1, b))


class Bloated:
    """Answers 2-input functions with the circuit `build` makes, as an engine would: only within the budget's
    max_ands; marks its result optimal when asked to; records the bounds it was asked with."""

    name = "bloated"

    def __init__(self, build=_bloated_and, optimal: bool = False) -> None:
        self.build = build
        self.optimal = optimal
        self.bounds: list[int | None] = []

    def synthesize(self, table, n, *, budget):
        return self.synthesize_batch([(table, n)], budget=budget)[0]

    def synthesize_batch(self, functions, *, budget):
        self.bounds.append(budget.max_ands)
        results = []
        for table, n in functions:
            aig = _network(2, self.build)
            fits = n == 2 and (budget.max_ands is None or aig.num_ands <= budget.max_ands)
            results.append(make_candidate(table, n, aig, engine=self.name, start_time=time.perf_counter(),
                                          optimal=self.optimal) if fits else None)
        return results


LOCAL_MOVES_ONLY = PolishParams(restructure_script="")


def test_polishing_engine_returns_the_smaller_verified_circuit_under_the_inner_name():
    engine = PolishingEngine(Bloated(), LOCAL_MOVES_ONLY)
    first, second = engine.synthesize_batch([(0x8, 2), (0x80, 3)], budget=Budget(time_ms=100))
    assert first is not None and first.ands == 1 and first.engine == "bloated" and first.verified
    assert second is None
    assert engine.stats.networks == 1 and engine.stats.ands_before == 3 and engine.stats.ands_after == 1


def test_abc_restructures_the_inner_result_before_the_local_moves(require_abc):
    engine = PolishingEngine(Bloated(), PolishParams(restructure_script="dc2"))
    found = engine.synthesize(0x8, 2, budget=Budget(time_ms=1000))
    assert found is not None and found.ands == 1 and found.engine == "bloated" and found.verified
    assert engine.stats.restructured == 1
    assert engine.stats.ands_before == 1  # the local moves found nothing left to do


def test_a_failing_abc_leaves_the_results_to_the_local_moves(monkeypatch, tmp_path):
    broken = tmp_path / "abc"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("SC_ABC", str(broken))
    engine = PolishingEngine(Bloated(), PolishParams(restructure_script="dc2"))
    found = engine.synthesize(0x8, 2, budget=Budget(time_ms=1000))
    assert found is not None and found.ands == 1 and engine.stats.restructured == 0
    assert engine.stats.ands_before == 3 and engine.stats.ands_after == 1
    monkeypatch.setenv("SC_ABC", str(tmp_path / "missing"))
    missing = PolishingEngine(Bloated(), PolishParams(restructure_script="dc2"))
    for _ in range(2):  # a missing ABC is reported once, then not asked again
        assert missing.synthesize(0x8, 2, budget=Budget(time_ms=1000)).ands == 1


def test_polishing_engine_leaves_results_proven_optimal_alone():
    engine = PolishingEngine(Bloated(optimal=True))
    assert engine.synthesize(0x8, 2, budget=Budget(time_ms=100)).ands == 3
    assert engine.stats.networks == 0


def test_the_inner_engine_may_exceed_the_bound_that_polished_results_meet():
    inner = Bloated()
    engine = PolishingEngine(inner, PolishParams(bound_slack=1.5))
    found = engine.synthesize(0x8, 2, budget=Budget(time_ms=100, max_ands=2))
    assert inner.bounds == [3]  # asked with the slack: its 3-AND circuit comes back and polishes to 1
    assert found is not None and found.ands == 1
    xor = PolishingEngine(Bloated(build=_xor), PolishParams(bound_slack=1.5))
    assert xor.synthesize(0x6, 2, budget=Budget(time_ms=100, max_ands=2)) is None  # 3 ANDs after polishing


def test_engine_mcts_is_polished_unless_switched_off(monkeypatch):
    from sc_plugin.engines import registry
    from sc_plugin.engines.decompose import DecomposingEngine
    from sc_plugin.rewrite.options import apply_options

    monkeypatch.setattr(registry, "_make_mcts_engine", lambda params: Bloated())  # no model needed
    engine = registry.make_engine(apply_options({"engine": "mcts"}).engine)
    assert isinstance(engine, PolishingEngine) and isinstance(engine.engine, DecomposingEngine)
    assert engine.name == "bloated"
    plain = registry.make_engine(apply_options({"engine": "mcts", "no_mcts_polish": True}).engine)
    assert isinstance(plain, DecomposingEngine)
