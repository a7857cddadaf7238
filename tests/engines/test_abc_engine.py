from __future__ import annotations



from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.abc_engine import AbcEngine
from sc_plugin.engines.base import Budget

FUNCTIONS = [(0x8, 2), (0xE8, 3), (0xCA, 3), (0x96, 3), (0x6996, 4), (0x404040404040EA40, 6), (0x0, 3), (0xAA, 3),
             (0x20332F3320332033, 6)]





def test_batch_runs_in_one_process_and_every_result_verifies(require_abc):
    engine = AbcEngine()
    results = engine.synthesize_batch(FUNCTIONS, budget=Budget())
    assert engine.stats.processes == 1
    for (table, n), candidate in zip(FUNCTIONS, results):
        assert candidate is not None and candidate.verified
        assert candidate.implementation.num_pis == n
        assert output_truth_tables(candidate.implementation) == [table]
    assert [c.ands for c in results[:4]] == [1, 4, 3, 6]
    assert results[6].ands == 0 and results[7].ands == 0


def test_functions_stay_independent(require_abc):
    # the same function alone and inside a batch gets the same size: no sharing across functions
    engine = AbcEngine()
    alone = engine.synthesize(0x20332F3320332033, 6, budget=Budget())
    batch = engine.synthesize_batch(FUNCTIONS, budget=Budget())
    assert alone.ands == batch[-1].ands == 7


def test_max_ands_filters(require_abc):
    assert AbcEngine().synthesize(0x96, 3, budget=Budget(max_ands=2)) is None
