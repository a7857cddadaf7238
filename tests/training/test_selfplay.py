"""Self-play games and their samples: visit-distribution and solution targets, discovered-return values."""

import numpy as np
import pytest

from sc_plugin.learned.actions import (NUM_ACTIONS, encode_action, initial_state, solution_size, step,
                                       terminal_return)
from sc_plugin.aig.truth import to_words
from sc_plugin.learned.search import PlayedMove, SearchResult
from sc_plugin.training.selfplay import SelfPlayParams, SelfPlayTask, move_samples, play_games, solution_samples


def uniform(states):
    return np.zeros((len(states), NUM_ACTIONS), np.float32), np.zeros(len(states), np.float32)


def test_games_solve_small_functions_and_yield_valid_samples():
    tasks = [SelfPlayTask(0b1000, 2), SelfPlayTask(0b0110, 2), SelfPlayTask(0x80, 3)]
    params = SelfPlayParams(simulations=32, temperature_moves=0)
    games = play_games(tasks, uniform, params, np.random.default_rng(0))
    assert [g.size for g in games] == [1, 3, 2]
    for game in games:
        assert game.samples
        for sample in game.samples:
            assert sample.weights.sum() == pytest.approx(1.0) and np.all(sample.weights > 0)
            assert np.all(sample.actions < NUM_ACTIONS)
            assert -0.5 <= sample.value <= 1.0
            assert sample.num_nodes == sample.tables.shape[0] >= sample.num_inputs


def test_played_states_are_valued_by_the_best_return_found_from_them():
    games = play_games([SelfPlayTask(0b0110, 2)], uniform, SelfPlayParams(simulations=32, temperature_moves=0,
                                                              imitate_solutions=False), np.random.default_rng(1))
    best_return = 1.0 - 0.5 * games[0].size / 30
    # the first played state is the root: its search (or a later one) found the best solution
    assert games[0].samples[0].value == pytest.approx(best_return)
    assert all(s.value <= best_return + 1e-9 for s in games[0].samples)


def test_solution_samples_drop_dead_nodes_and_target_the_buildable_cone():
    # XOR of 2 inputs built with one dead node on the way: !a&b, a&b (dead), a&!b, !(..)&!(..)
    state = initial_state(0b0110, 2)
    for action in (encode_action(1, 0, 1), encode_action(0, 0, 1), encode_action(2, 0, 1),
                   encode_action(3, 2, 4)):
        state = step(state, action)
    assert state.solved and solution_size(state) == 3
    samples = solution_samples(state)
    assert [s.num_nodes for s in samples] == [2, 3, 4]  # the dead AND is gone
    assert sorted(samples[0].actions.tolist()) == sorted([encode_action(1, 0, 1), encode_action(2, 0, 1)])
    assert samples[2].actions.tolist() == [encode_action(3, 2, 3)]  # the root's fanins renumbered 2, 3
    assert all(s.value == pytest.approx(terminal_return(state)) for s in samples)


def test_gold_cone_teaches_the_states_reached_off_its_path():
    # target a&b&c (0x80), gold cone: g1 = a&b, g2 = g1&c; the played state wasted its first AND on a&!c
    gold = np.stack([to_words(0x88, 3), to_words(0x80, 3)])
    state = step(initial_state(0x80, 3), encode_action(2, 0, 2))
    visits = np.zeros(NUM_ACTIONS)
    visits[encode_action(0, 1, 2)] = 1.0  # the search liked b&c
    result = SearchResult(best=None, path=state, moves=[PlayedMove(state, visits, -0.1)], simulations=1,
                          timed_out=False)
    sample, = move_samples(result, gold, expert_mix=0.5)
    # a&b builds g1; b&c is not in the gold cone but keeps its visit share
    assert dict(zip(sample.actions.tolist(), sample.weights.tolist())) == {encode_action(0, 0, 1): 0.5,
                                                                          encode_action(0, 1, 2): 0.5}
    sample, = move_samples(result)
    assert sample.actions.tolist() == [encode_action(0, 1, 2)]  # no gold: the visit distribution alone
