"""The mcts engine with the shipped checkpoint: verified candidates through the Engine protocol."""

import pytest

from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.base import Budget, Engine
from sc_plugin.engines.learned import MctsEngine, MctsParams, MctsStats, search_dtype
from sc_plugin.errors import ScError
from sc_plugin.learned.checkpoint import CheckpointError, default_checkpoint_path

FUNCTIONS = [(0x8, 2), (0x6, 2), (0xE8, 3), (0x96, 3), (0x8000, 4), (0xCAFE, 4)]


@pytest.fixture(scope="module")
def greedy():
    return MctsEngine(MctsParams(simulations=0, rollouts=0))


def test_shipped_checkpoint_is_small_and_has_metadata():
    path = default_checkpoint_path()
    assert path.is_file() and path.stat().st_size <= 20_000_000
    engine = MctsEngine(MctsParams(simulations=0, rollouts=0))
    assert engine.checkpoint_info["step"] > 0 and engine.checkpoint_info["data"]


def test_protocol_and_verified_candidates(greedy):
    assert isinstance(greedy, Engine) and greedy.name == "mcts"
    found = greedy.synthesize_batch(FUNCTIONS, budget=Budget(time_ms=60000))
    assert len(found) == len(FUNCTIONS)
    assert found[0] is not None and found[0].ands == 1  # AND2 in one step
    for (table, n), candidate in zip(FUNCTIONS, found):
        if candidate is not None:
            assert candidate.verified and candidate.num_inputs == n and candidate.engine == "mcts"
            assert output_truth_tables(candidate.implementation) == [table]
            assert candidate.ands <= 30


def test_search_mode_solves_xor_and_majority():
    engine = MctsEngine(MctsParams(simulations=8, rollouts=0))
    for table, n, best in [(0x6, 2, 3), (0xE8, 3, 4)]:
        candidate = engine.synthesize(table, n, budget=Budget(time_ms=60000))
        assert candidate is not None and candidate.ands >= best
        assert output_truth_tables(candidate.implementation) == [table]


def test_rollouts_keep_what_the_greedy_episode_finds(greedy):
    budget = Budget(time_ms=60000)  # an upper bound: on a slow host the first forward passes took seconds
    found_greedy = greedy.synthesize_batch(FUNCTIONS, budget=budget)
    found_sampled = MctsEngine(MctsParams(simulations=0, rollouts=4)).synthesize_batch(FUNCTIONS, budget=budget)
    for g, s in zip(found_greedy, found_sampled):
        assert g is None or (s is not None and s.ands <= g.ands)


def test_stats_count_every_call():
    engine = MctsEngine(MctsParams(simulations=2, rollouts=3))
    assert engine.stats == MctsStats()
    found = engine.synthesize_batch([(0x0, 2), (0xAAAA, 4), (0x8, 2), (0xE8, 3)], budget=Budget(time_ms=5000))
    found.append(engine.synthesize(0x6, 2, budget=Budget(time_ms=5000)))
    stats = engine.stats
    assert (stats.functions, stats.trivial, stats.episodes, stats.rollouts) == (5, 2, 3, 9)  # 3 searched, 3 rollouts
    assert stats.solved == sum(candidate is not None for candidate in found[2:]) >= 1  # AND2 at least
    assert stats.simulations > 0 and stats.timed_out == 0 and stats.time_s > 0
    assert stats.report().startswith("mcts: 5 functions, 2 trivial")


def test_trivial_functions_and_size_cap(greedy):
    literal = greedy.synthesize(0xAAAA, 4, budget=Budget())
    assert literal is not None and literal.ands == 0 and literal.optimal
    constant = greedy.synthesize(0, 3, budget=Budget())
    assert constant is not None and constant.ands == 0
    assert greedy.synthesize(0x96, 3, budget=Budget(max_ands=2)) is None  # XOR3 needs more than 2 ANDs


def test_bad_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_text("garbage")
    with pytest.raises(CheckpointError, match="bad.pt"):
        MctsEngine(MctsParams(checkpoint=bad))


def test_care_sets_end_the_search_on_care_minterms(greedy):
    """XOR2 with minterm 3 free is OR2: one AND, verified on the care minterms only."""
    complete, partial = greedy.synthesize_batch([(0x6, 2), (0x6, 2)], budget=Budget(time_ms=2000), cares=[None, 0x7])
    assert complete.ands == 3 and complete.care is None
    assert partial.ands == 1 and partial.care == 0x7
    assert (output_truth_tables(partial.implementation)[0] ^ 0x6) & 0x7 == 0
    # nothing cared for but minterm 1 (value 1): the literal x0, without search
    assert greedy.synthesize(0x6, 2, budget=Budget(), care=0x2).ands == 0


def test_search_dtype_names_and_auto():
    assert search_dtype("float32") == "float32" and search_dtype("bfloat16") == "bfloat16"
    assert search_dtype("auto") in ("float32", "bfloat16")
    with pytest.raises(ScError, match="precision 'half'"):
        search_dtype("half")


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_either_precision_gives_verified_candidates(precision):
    engine = MctsEngine(MctsParams(simulations=0, rollouts=0, precision=precision))
    assert str(next(engine.model.parameters()).dtype) == f"torch.{precision}"
    found = engine.synthesize_batch(FUNCTIONS, budget=Budget(time_ms=60000))
    for (table, n), candidate in zip(FUNCTIONS, found):
        assert candidate is not None and output_truth_tables(candidate.implementation)[0] == table
