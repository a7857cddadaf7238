"""The Budget contract: its deadline, and every engine returning by it (answering None for what it did not get to);
make_candidate's check on care minterms."""

from __future__ import annotations

import math
import random
import time

import pytest

from sc_plugin.engines.abc_engine import AbcEngine, AbcParams
from sc_plugin.aig.network import Aig
from sc_plugin.engines.base import Budget, NullEngine, ask_engine, make_candidate, synthesize_each
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.engines.portfolio import PortfolioEngine, PortfolioParams

MARGIN_S = 1.0  # an engine finishes the step it is in (an ABC process, a SAT slice, a forward pass); loaded machines
HARD = [(random.Random(seed).getrandbits(256), 8) for seed in range(6)]  # random 8-input functions: 20-40 ANDs
TRIVIAL = [(0xAAAA, 4), (0x0, 3)]  # a literal and a constant: answered without search, even past the deadline


def test_seconds_left():
    assert Budget().seconds_left() == math.inf
    assert 1.5 < Budget(deadline=time.time() + 2.0).seconds_left() <= 2.0
    assert Budget(deadline=time.time() - 1.0).seconds_left() < 0


@pytest.fixture(scope="module")
def mcts_params():
    """Settings that search far longer than the tests allow; skips (with the reason) when torch or the model is
    missing."""
    try:
        from sc_plugin.engines.learned import MctsEngine, MctsParams

        params = MctsParams(simulations=8, rollouts=24)
        MctsEngine(params)
    except Exception as exc:
        pytest.skip(f"the learned engine is unavailable: {type(exc).__name__}: {exc}")
    return params


def _engine(name: str, request):
    if name in ("abc", "exact+abc"):
        request.getfixturevalue("require_abc")
    if name == "abc":
        return AbcEngine()
    if name == "exact":
        return ExactEngine(ExactParams(use_npn=False))
    if name == "exact+abc":
        return ExactEngine(upper_bound=AbcEngine())
    from sc_plugin.engines.learned import MctsEngine

    mcts = MctsEngine(request.getfixturevalue("mcts_params"))
    return mcts if name == "mcts" else PortfolioEngine([ExactEngine(ExactParams(use_npn=False)), mcts])


ENGINES = ["exact", "abc", "exact+abc", "mcts", "portfolio"]


@pytest.mark.parametrize("name", ENGINES)
def test_every_engine_returns_by_the_deadline(name, request):
    engine = _engine(name, request)
    # a short first call: compiles or loads what a first call needs (numba kernels, ABC, the model's first pass)
    engine.synthesize_batch(TRIVIAL + HARD[:1], budget=Budget(time_ms=100))
    start = time.perf_counter()
    results = engine.synthesize_batch(TRIVIAL + HARD, budget=Budget(time_ms=60_000, deadline=time.time() + 0.5))
    assert time.perf_counter() - start <= 0.5 + MARGIN_S
    assert len(results) == len(TRIVIAL) + len(HARD)
    assert all(candidate is not None and candidate.ands == 0 for candidate in results[:len(TRIVIAL)])


@pytest.mark.parametrize("name", ENGINES)
def test_past_the_deadline_no_search_starts(name, request):
    engine = _engine(name, request)
    # a short first call: compiles or loads what a first call needs (numba kernels, ABC, the model's first pass)
    engine.synthesize_batch(TRIVIAL + HARD[:1], budget=Budget(time_ms=100))
    start = time.perf_counter()
    results = engine.synthesize_batch(TRIVIAL + HARD, budget=Budget(time_ms=60_000, deadline=time.time() - 1.0))
    assert time.perf_counter() - start <= MARGIN_S
    assert all(candidate is not None for candidate in results[:len(TRIVIAL)])
    # HARD[0] may come from what the engine remembers of the first call (abc does), which is no search
    assert results[len(TRIVIAL) + 1:] == [None] * (len(HARD) - 1)


def test_abc_processes_shrink_towards_the_deadline():
    engine = AbcEngine(AbcParams(batch_size=250))
    assert engine._functions_in_time(Budget(), 400) == 250  # no deadline: whole batches
    # before any measurement: the per-function time the batch timeout allows, (0.2 + 4 * 0.05) s
    assert engine._functions_in_time(Budget(time_ms=200, deadline=time.time() + 8.0), 400) == 9
    engine._seconds_per_function = 0.1
    assert engine._functions_in_time(Budget(time_ms=200, deadline=time.time() + 2.05), 400) == 10  # half of 2 s
    assert engine._functions_in_time(Budget(time_ms=200, deadline=time.time() + 0.15), 400) == 1
    assert engine._functions_in_time(Budget(time_ms=200, deadline=time.time() + 0.05), 400) == 0


def test_portfolio_hands_its_deadline_to_every_engine():
    class Recording:
        name = "recording"

        def __init__(self) -> None:
            self.budgets: list[Budget] = []

        def synthesize(self, table, num_inputs, *, budget):
            return self.synthesize_batch([(table, num_inputs)], budget=budget)[0]

        def synthesize_batch(self, functions, *, budget):
            self.budgets.append(budget)
            return [None] * len(functions)

    first, second = Recording(), Recording()
    deadline = time.time() + 30.0
    shares_only = PortfolioParams(followers_time_ratio=math.inf)  # the second engine's time: its share alone
    PortfolioEngine([first, second], shares_only).synthesize_batch(HARD, budget=Budget(time_ms=1000,
                                                                                      deadline=deadline))
    assert [b.deadline for b in first.budgets + second.budgets] == [deadline, deadline]
    assert first.budgets[0].time_ms == pytest.approx(100) and second.budgets[0].time_ms == pytest.approx(900)
    PortfolioEngine([first, second]).synthesize_batch(HARD, budget=Budget(deadline=time.time() - 1.0))
    # past the deadline only the first engine is asked (for what it answers without search)
    assert len(first.budgets) == 2 and len(second.budgets) == 1


def _or2() -> Aig:
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_or(a, b))
    return aig


def test_make_candidate_checks_care_minterms_only():
    """OR2 differs from XOR2 on minterm 3 alone: right when minterm 3 is a don't care, wrong when it is cared for."""
    start = time.perf_counter()
    accepted = make_candidate(0x6, 2, _or2(), engine="t", start_time=start, care=0x7)
    assert accepted is not None and accepted.care == 0x7 and accepted.ands == 1
    assert make_candidate(0x6, 2, _or2(), engine="t", start_time=start) is None
    assert make_candidate(0x6, 2, _or2(), engine="t", start_time=start, care=0xB) is None  # minterm 3 matters
    # a full care mask is the completely specified function
    assert make_candidate(0xE, 2, _or2(), engine="t", start_time=start, care=0xF).care is None


def test_ask_engine_passes_cares_only_for_incompletely_specified_functions():
    class OldEngine:  # written before care sets
        name = "old"

        def synthesize(self, table, num_inputs, *, budget):
            return None

        def synthesize_batch(self, functions, *, budget):
            return [None] * len(functions)

    assert ask_engine(OldEngine(), [(0x6, 2)], budget=Budget(), cares=[0xF]) == [None]
    assert synthesize_each(NullEngine(), [(0x6, 2)], budget=Budget(), cares=[0x7]) == [None]
    with pytest.raises(ValueError, match="care masks"):
        ask_engine(NullEngine(), [(0x6, 2)], budget=Budget(), cares=[0x7, 0x7])
