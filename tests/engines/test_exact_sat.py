from __future__ import annotations

import random

import pytest


from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.base import Budget
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams, exact_synthesize

SAT_ONLY = ExactParams(use_library=False, use_npn=False)

# name, hex table, inputs, optimum ANDs (2-input ANDs with free inverters)
KNOWN_OPTIMA = [
    ("and2", 0x8, 2, 1),
    ("or2", 0xE, 2, 1),
    ("xor2", 0x6, 2, 3),
    ("mux", 0xCA, 3, 3),
    ("maj3", 0xE8, 3, 4),
    ("xor3", 0x96, 3, 6),
    ("and3", 0x80, 3, 2),
    ("a_and_b_or_c", 0xF8, 3, 2),
    ("and4", 0x8000, 4, 3),
]





@pytest.mark.parametrize("name,table,n,optimum", KNOWN_OPTIMA)
def test_known_optima_are_found_and_proven(name, table, n, optimum):
    engine = ExactEngine(SAT_ONLY)
    candidate = engine.synthesize(table, n, budget=Budget(time_ms=20000))
    assert candidate is not None
    assert candidate.ands == optimum, name
    assert candidate.optimal and candidate.verified
    assert output_truth_tables(candidate.implementation) == [table]


def test_one_size_below_optimum_is_unsatisfiable():
    outcome = exact_synthesize(0xE8, 3, max_ands=3)
    assert outcome.aig is None and outcome.lower_bound == 4 and not outcome.timed_out


def test_real_6_input_cut_is_solved_optimally():
    # cut6_tt.txt row 1: ABC's best is 6 ANDs
    candidate = ExactEngine(SAT_ONLY).synthesize(0x404040404040EA40, 6, budget=Budget(time_ms=30000))
    assert candidate is not None and candidate.ands == 6 and candidate.optimal


def test_support_reduction_keeps_input_positions():
    table = 0xCC00  # x1 AND x3 as a 4-input function
    candidate = ExactEngine(SAT_ONLY).synthesize(table, 4, budget=Budget())
    assert candidate.ands == 1 and candidate.implementation.num_pis == 4


def test_constants_and_literals_need_no_and():
    engine = ExactEngine(SAT_ONLY)
    for table in (0x0, 0xFF, 0xAA, 0x55, 0xF0):
        candidate = engine.synthesize(table, 3, budget=Budget())
        assert candidate.ands == 0 and candidate.optimal


def test_max_ands_below_optimum_gives_none():
    engine = ExactEngine(SAT_ONLY)
    assert engine.synthesize(0x96, 3, budget=Budget(max_ands=5)) is None
    assert engine.last_lower_bound == 6


def test_time_budget_is_respected():
    import time
    start = time.perf_counter()
    # a hard 6-input function (needs well over 10 ANDs): gives up within the budget
    candidate = ExactEngine(SAT_ONLY).synthesize(0x6996966996696996, 6, budget=Budget(time_ms=500))
    assert time.perf_counter() - start < 5.0
    assert candidate is None or candidate.verified


def test_size_whose_encoding_cannot_be_built_in_time_is_not_started():
    # 8 inputs need at least 7 ANDs: that encoding has some 350,000 clauses, far more than 50 ms can build
    table = random.Random(3).getrandbits(256)
    outcome = exact_synthesize(table, 8, params=SAT_ONLY, time_limit_s=0.05)
    assert outcome.timed_out and outcome.aig is None
    assert outcome.sat_calls == 0
    # with time enough to build it, the same search starts
    started = exact_synthesize(table, 8, params=SAT_ONLY, time_limit_s=2.0, max_ands=7)
    assert started.sat_calls == 1


def test_npn_memo_solves_each_class_once():
    engine = ExactEngine(ExactParams(use_library=False))
    first = engine.synthesize(0xE8, 3, budget=Budget())
    second = engine.synthesize(0xE8 ^ 0xFF, 3, budget=Budget())  # complement: same NPN class
    assert first.ands == second.ands == 4
    assert engine.stats.memo_hits == 1


def test_upper_bound_engine_is_proven_optimal(require_abc):
    from sc_plugin.engines.abc_engine import AbcEngine
    engine = ExactEngine(SAT_ONLY, upper_bound=AbcEngine())
    candidate = engine.synthesize(0xE8, 3, budget=Budget(time_ms=10000))
    assert candidate.ands == 4 and candidate.optimal


class _MajorityEngine:
    """Upper bound engine that answers the majority of three with a circuit of its own (4 or 5 ANDs)."""

    name = "upper"

    def __init__(self, redundant: bool) -> None:
        self.redundant = redundant

    def synthesize_batch(self, functions, *, budget):
        from sc_plugin.aig.network import Aig
        from sc_plugin.engines.base import make_candidate
        aig = Aig()
        a, b, c = (aig.create_pi() for _ in range(3))
        if self.redundant:  # (a & b) | (a & c) | (b & c)
            top = aig.create_or(aig.create_or(aig.create_and(a, b), aig.create_and(a, c)), aig.create_and(b, c))
        else:  # (a & b) | (c & (a | b))
            top = aig.create_or(aig.create_and(a, b), aig.create_and(c, aig.create_or(a, b)))
        aig.create_po(top)
        return [make_candidate(t, n, aig, engine=self.name, start_time=0.0) for t, n in functions]


def test_library_answers_only_below_the_upper_bound():
    """A library answer as small as the upper bound's circuit keeps that circuit (proven optimal): the exact engine
    changes a rewrite's choices only where it finds fewer ANDs."""
    tied = ExactEngine(upper_bound=_MajorityEngine(redundant=False)).synthesize(0xE8, 3, budget=Budget())
    assert (tied.engine, tied.ands, tied.optimal) == ("upper", 4, True)
    beaten = ExactEngine(upper_bound=_MajorityEngine(redundant=True)).synthesize(0xE8, 3, budget=Budget())
    assert (beaten.engine, beaten.ands, beaten.optimal) == ("exact", 4, True)


def _correlated_leaves() -> tuple[int, int]:
    """x0 & x1 & x3 over 4 inputs, with the care set of a cut whose leaf x2 is x0 & x1 (other combinations never
    occur): completely specified it needs 2 ANDs, with the care set x2 & x3 does (1 AND)."""
    table = care = 0
    for m in range(16):
        a, b, c, d = ((m >> i) & 1 for i in range(4))
        care |= (c == (a & b)) << m
        table |= (a & b & d) << m
    return table, care


def test_care_set_finds_fewer_ands_and_matches_on_care_minterms():
    table, care = _correlated_leaves()
    engine = ExactEngine(SAT_ONLY)
    complete = engine.synthesize(table, 4, budget=Budget(time_ms=5000))
    partial = engine.synthesize(table, 4, budget=Budget(time_ms=5000), care=care)
    assert complete.ands == 2 and complete.care is None
    assert partial.ands == 1 and partial.optimal and partial.care == care
    got = output_truth_tables(partial.implementation)[0]
    assert (got ^ table) & care == 0 and got != table  # it uses a don't care


@pytest.mark.parametrize("table, care, optimum", [
    (0x6, 0x7, 1),  # XOR2 without minterm 3: OR2
    (0x6, 0xE, 1),  # XOR2 without minterm 0: NAND2 (the output polarity is free)
    (0x96, 0x7E, 4),  # XOR3 without the all-0 and all-1 minterms: 4 ANDs (6 for XOR3); brute force agrees
    (0xE8, 0x00, 0),  # nothing cared for: a constant
])
def test_exact_on_care_sets_is_optimal(table, care, optimum):
    outcome = exact_synthesize(table, 3 if table > 0xF else 2, params=SAT_ONLY, care=care, time_limit_s=20)
    assert outcome.aig is not None and outcome.optimal and outcome.aig.num_ands == optimum
    got = output_truth_tables(outcome.aig)[0]
    assert (got ^ table) & care == 0


def test_care_set_with_library_and_npn_on_matches_sat_only():
    """The library and the NPN memo serve complete functions only; a care-set query must not be answered from them."""
    table, care = _correlated_leaves()
    engine = ExactEngine(ExactParams())
    assert engine.synthesize(table, 4, budget=Budget(time_ms=5000)).ands == 2  # fills the memo / library path
    assert engine.synthesize(table, 4, budget=Budget(time_ms=5000), care=care).ands == 1


def _smallest_by_brute_force(table: int, care: int, num_inputs: int, max_ands: int) -> int | None:
    """The fewest ANDs of an AIG matching `table` on `care`, by trying every circuit of up to max_ands ANDs."""
    full = (1 << (1 << num_inputs)) - 1
    inputs = [sum(1 << m for m in range(1 << num_inputs) if (m >> v) & 1) for v in range(num_inputs)]

    def matches(value: int) -> bool:
        return (value ^ table) & care == 0 or (value ^ full ^ table) & care == 0

    def reachable(nodes: list[int], steps: int) -> bool:
        for i in range(len(nodes)):
            for j in range(i + 1, len(nodes)):
                for p in range(4):
                    value = (nodes[i] ^ (full if p & 1 else 0)) & (nodes[j] ^ (full if p & 2 else 0))
                    if matches(value) if steps == 1 else reachable(nodes + [value], steps - 1):
                        return True
        return False

    if matches(0) or any(matches(x) for x in inputs):
        return 0
    return next((r for r in range(1, max_ands + 1) if reachable(inputs, r)), None)


def test_care_set_optima_agree_with_brute_force():
    rng = random.Random(7)
    for _ in range(12):
        table, care = rng.getrandbits(8), rng.getrandbits(8)
        outcome = exact_synthesize(table, 3, params=SAT_ONLY, care=care, time_limit_s=20)
        assert outcome.optimal
        assert outcome.aig.num_ands == _smallest_by_brute_force(table, care, 3, outcome.aig.num_ands)
