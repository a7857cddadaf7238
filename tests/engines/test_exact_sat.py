from __future__ import annotations


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
