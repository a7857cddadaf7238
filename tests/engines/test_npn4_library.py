from __future__ import annotations

import random

from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.base import Budget
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.engines.npn4_library import (NUM_CLASSES, class_representatives, library_entries,
                                            library_implementation)


def test_library_covers_all_222_classes_and_every_entry_is_correct():
    entries = library_entries()
    assert len(entries) == NUM_CLASSES == 222
    assert [e.table for e in entries] == class_representatives()
    for entry in entries:
        assert output_truth_tables(entry.aig) == [entry.table]
    assert sum(e.optimal for e in entries) >= 215


def test_every_4_input_function_is_answered_correctly_on_a_sample():
    rng = random.Random(7)
    for table in [0x6996, 0x8000, 0xFFFF, 0x0000, 0xCAFE] + [rng.randrange(1 << 16) for _ in range(300)]:
        impl = library_implementation(table, 4)
        assert output_truth_tables(impl) == [table]


def test_fewer_inputs_are_answered():
    assert output_truth_tables(library_implementation(0xE8, 3)) == [0xE8]
    assert library_implementation(0x6, 2).num_ands == 3


def test_library_agrees_with_exact_synthesis_on_a_sample():
    engine = ExactEngine(ExactParams(use_library=False, use_npn=False))
    entries = [e for e in library_entries() if e.optimal and e.aig.num_ands <= 6]
    for entry in random.Random(3).sample(entries, 8):
        candidate = engine.synthesize(entry.table, 4, budget=Budget(time_ms=20000))
        assert candidate is not None and candidate.optimal
        assert candidate.ands == entry.aig.num_ands


def test_exact_engine_answers_4_input_functions_from_the_library():
    engine = ExactEngine()
    candidate = engine.synthesize(0x6996, 4, budget=Budget(time_ms=100))
    assert candidate is not None and candidate.ands == 9
    assert engine.stats.library_hits == 1 and engine.stats.sat_calls == 0
