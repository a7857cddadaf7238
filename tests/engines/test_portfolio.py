from __future__ import annotations

import math
import time

from sc_plugin.aig.network import Aig
from sc_plugin.engines.base import Budget, NullEngine, make_candidate
from sc_plugin.engines.portfolio import PortfolioEngine, PortfolioParams

ASK_ALL = PortfolioParams(followers_min_ands=0)  # these small functions go to every engine


def _majority(redundant: bool) -> Aig:
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    if redundant:  # 5 ANDs: (a & b) | (a & c) | (b & c)
        ab = aig.create_and(a, b)
        ac = aig.create_and(a, c)
        bc = aig.create_and(b, c)
        aig.create_po(aig.create_or(aig.create_or(ab, ac), bc))
    else:  # 4 ANDs: (a & b) | (c & (a | b))
        aig.create_po(aig.create_or(aig.create_and(a, b), aig.create_and(c, aig.create_or(a, b))))
    return aig


class FixedEngine:
    def __init__(self, name: str, impl: Aig) -> None:
        self.name = name
        self.impl = impl
        self.budgets: list[Budget] = []

    def synthesize(self, table, n, *, budget):
        self.budgets.append(budget)
        candidate = make_candidate(table, n, self.impl, engine=self.name, start_time=time.perf_counter())
        if candidate is not None and budget.max_ands is not None and candidate.ands > budget.max_ands:
            return None
        return candidate

    def synthesize_batch(self, functions, *, budget):
        return [self.synthesize(t, n, budget=budget) for t, n in functions]


def test_portfolio_picks_the_smallest():
    big = FixedEngine("big", _majority(True))
    small = FixedEngine("small", _majority(False))
    for engines in ([big, small], [small, big], [NullEngine(), big, small]):
        result = PortfolioEngine(engines, ASK_ALL).synthesize(0xE8, 3, budget=Budget(time_ms=1000))
        assert result.ands == 4 and result.engine == "small"


def test_later_engines_are_asked_for_smaller_results_only():
    big = FixedEngine("big", _majority(True))
    small = FixedEngine("small", _majority(False))
    PortfolioEngine([big, small], ASK_ALL).synthesize(0xE8, 3, budget=Budget(time_ms=1000))
    assert small.budgets[0].max_ands == 4


def test_later_engines_are_not_asked_for_functions_already_small():
    big = FixedEngine("big", _majority(True))
    small = FixedEngine("small", _majority(False))
    result = PortfolioEngine([big, small], PortfolioParams(followers_min_ands=6)).synthesize(
        0xE8, 3, budget=Budget(time_ms=1000))
    assert result.engine == "big" and small.budgets == []  # 5 ANDs: below the bar, so small is not asked


class TableEngine:
    """Answers each table with its own circuit; records the batches it was asked for and their bounds."""

    def __init__(self, name: str, circuits: dict[int, Aig]) -> None:
        self.name = name
        self.circuits = circuits
        self.calls: list[tuple[list[int], int | None]] = []

    def synthesize_batch(self, functions, *, budget):
        self.calls.append(([table for table, _ in functions], budget.max_ands))
        return [make_candidate(table, n, self.circuits[table], engine=self.name, start_time=time.perf_counter())
                for table, n in functions]


def _and3(redundant: bool) -> Aig:
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    if redundant:  # 3 ANDs: (a & b) & (a & c)
        aig.create_po(aig.create_and(aig.create_and(a, b), aig.create_and(a, c)))
    else:
        aig.create_po(aig.create_and(aig.create_and(a, b), c))
    return aig


def test_followers_get_the_batch_in_one_call_and_only_smaller_results_are_taken():
    first = TableEngine("first", {0xE8: _majority(True), 0x80: _and3(False)})
    follower = TableEngine("follower", {0xE8: _majority(False), 0x80: _and3(True)})
    majority, and3 = PortfolioEngine([first, follower], ASK_ALL).synthesize_batch(
        [(0xE8, 3), (0x80, 3)], budget=Budget(time_ms=1000))
    assert follower.calls == [([0xE8, 0x80], 4)]  # one call, bounded by the loosest bound (majority's 5 - 1)
    assert majority.engine == "follower" and majority.ands == 4
    assert and3.engine == "first" and and3.ands == 2  # the follower's 3 ANDs are not smaller


def test_wrong_result_is_never_returned():
    wrong = Aig()
    a, b, _ = (wrong.create_pi() for _ in range(3))
    wrong.create_po(wrong.create_and(a, b))
    result = PortfolioEngine([FixedEngine("wrong", wrong), FixedEngine("big", _majority(True))]).synthesize(
        0xE8, 3, budget=Budget())
    assert result.engine == "big" and result.ands == 5


def test_the_pipeline_says_which_engine_won_each_function(monkeypatch):
    from sc_plugin.aig.network import lit_not
    from sc_plugin.rewrite import pipeline
    from sc_plugin.rewrite.options import apply_options

    def inverted(aig: Aig) -> Aig:  # the root AND of a majority built as an OR computes its complement
        aig.pos[0] = lit_not(aig.pos[0])
        return aig

    # of the cut functions of a 5-AND majority, only its root's is one the fixed engines answer
    portfolio = PortfolioEngine([FixedEngine("big", inverted(_majority(True))),
                                 FixedEngine("small", inverted(_majority(False)))], ASK_ALL)
    monkeypatch.setattr(pipeline, "make_engine", lambda params: portfolio)
    result, stats = pipeline.optimize_verified(_majority(True), apply_options({"engine": "portfolio",
                                                                             "no_cache": True}))
    assert result.num_ands == 4 and set(stats.wins) == {"small"}  # asked once per round
    assert stats.wins == portfolio.stats.wins and f"won by small {stats.wins['small']}" in stats.report()


class CareRecordingEngine(FixedEngine):
    """FixedEngine that records the care masks it is asked with."""

    def __init__(self, name: str, impl: Aig) -> None:
        super().__init__(name, impl)
        self.cares: list = []

    def synthesize_batch(self, functions, *, budget, cares=None):
        self.cares.append(cares)
        return [make_candidate(t, n, self.impl, engine=self.name, start_time=time.perf_counter(), care=c)
                for (t, n), c in zip(functions, cares or [None] * len(functions))]


def test_portfolio_passes_care_masks_to_every_engine():
    """The majority with minterm 7 free: a 4-AND majority is right, and so is anything right on minterms 0-6."""
    first, second = CareRecordingEngine("a", _majority(True)), CareRecordingEngine("b", _majority(False))
    portfolio = PortfolioEngine([first, second], ASK_ALL)
    results = portfolio.synthesize_batch([(0xE8, 3), (0xE8, 3)], budget=Budget(), cares=[0x7F, None])
    assert first.cares == [[0x7F, None]] and second.cares == [[0x7F, None]]
    assert [(c.ands, c.care) for c in results] == [(4, 0x7F), (4, None)]
    # completely specified batches reach engines written before care sets without a cares argument
    old = FixedEngine("old", _majority(False))
    assert PortfolioEngine([old]).synthesize_batch([(0xE8, 3)], budget=Budget(), cares=[None])[0].ands == 4


class SlowEngine(TableEngine):
    """TableEngine that takes `seconds` per call."""

    def __init__(self, name: str, circuits: dict[int, Aig], seconds: float) -> None:
        super().__init__(name, circuits)
        self.seconds = seconds
        self.budgets: list[Budget] = []

    def synthesize_batch(self, functions, *, budget):
        time.sleep(self.seconds)
        self.budgets.append(budget)
        return super().synthesize_batch(functions, budget=budget)


def test_followers_take_at_most_the_first_engines_time_times_the_ratio():
    circuits = {0xE8: _majority(True), 0x80: _and3(True)}
    functions = [(0xE8, 3), (0x80, 3)]
    budget = Budget(time_ms=10_000)  # the follower's share of it: 9 s per function
    for ratio, low_ms, high_ms in ((1.0, 25, 1000), (0.5, 12.5, 500), (math.inf, 9000, 9000)):
        first, follower = SlowEngine("first", circuits, 0.05), SlowEngine("follower", circuits, 0.0)
        params = PortfolioParams(followers_min_ands=0, followers_time_ratio=ratio)
        PortfolioEngine([first, follower], params).synthesize_batch(functions, budget=budget)
        # the first engine's 50 ms (at least) on two functions: 25 ms per function for each unit of ratio
        assert low_ms <= follower.budgets[0].time_ms <= high_ms


def test_the_portfolio_builds_its_learned_engine_on_first_use_only(monkeypatch, caplog):
    from sc_plugin.engines import registry
    from sc_plugin.errors import ScError

    built = []
    monkeypatch.setattr(registry, "_make_mcts_engine", lambda params: built.append(params) or NullEngine())
    portfolio = registry.make_engine(registry.EngineParams(name="portfolio"))
    learned = portfolio.engines[1]
    assert isinstance(learned, registry.DeferredEngine) and learned.engine is None and built == []

    small = FixedEngine("small", _majority(False))
    deferred = registry.DeferredEngine("small", lambda: built.append("small") or small)
    assert deferred.synthesize(0xE8, 3, budget=Budget()).ands == 4
    assert deferred.synthesize(0xE8, 3, budget=Budget()).ands == 4
    assert built == ["small"] and deferred.engine is small  # built once, then followed for stats

    def fail():
        raise ScError("no model")

    failing = registry.DeferredEngine("mcts", fail)
    with caplog.at_level("WARNING"):
        assert failing.synthesize_batch([(0xE8, 3), (0x96, 3)], budget=Budget()) == [None, None]
        assert failing.synthesize(0xE8, 3, budget=Budget()) is None
    assert [r.getMessage() for r in caplog.records].count("mcts left out: no model") == 1


def test_a_learned_engine_that_cannot_be_built_takes_no_share_of_the_time_once_it_failed():
    from sc_plugin.engines import registry
    from sc_plugin.errors import ScError

    def fail():
        raise ScError("no model")

    first = FixedEngine("first", _majority(True))  # 5 ANDs: the follower would be asked for fewer
    failing = registry.DeferredEngine("mcts", fail)
    portfolio = PortfolioEngine([first, failing], PortfolioParams(followers_min_ands=0))
    assert not failing.failed
    portfolio.synthesize(0xE8, 3, budget=Budget(time_ms=1000))
    assert failing.failed and math.isclose(first.budgets[-1].time_ms, 100.0)  # its 10% before the failure showed
    portfolio.synthesize(0xE8, 3, budget=Budget(time_ms=1000))
    assert math.isclose(first.budgets[-1].time_ms, 1000.0)  # then the whole budget
