from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.base import Budget
from sc_plugin.engines.parallel import ProcessPoolEngine
from sc_plugin.engines.registry import EngineParams


def test_batches_are_split_over_workers_and_come_back_in_order():
    functions = [(0x8, 2), (0x6, 2), (0xE8, 3), (0x96, 3), (0x6996, 4)]
    engine = ProcessPoolEngine(EngineParams(name="exact"), workers=2)
    try:
        results = engine.synthesize_batch(functions, budget=Budget(time_ms=5000))
    finally:
        engine.close()
    assert [c.ands for c in results] == [1, 3, 4, 6, 9]
    for (table, _), candidate in zip(functions, results):
        assert candidate.verified and output_truth_tables(candidate.implementation) == [table]
