"""Search with stub evaluators whose answers are known: no network involved."""

import numpy as np
import pytest

from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.learned.actions import (NUM_ACTIONS, build_aig, encode_action, initial_state, solution_size,
                                       terminal_return)
from sc_plugin.learned.search import (UNKNOWN_VALUE, SearchParams, choose_slot, expand, leaf_value, new_node, search,
                                      select_slot)


def uniform(states):
    return np.zeros((len(states), NUM_ACTIONS), np.float32), np.zeros(len(states), np.float32)


def oracle(preferred):
    """A prior that strongly prefers the given actions, value 0."""
    def evaluate(states):
        logits = np.zeros((len(states), NUM_ACTIONS), np.float32)
        logits[:, preferred] = 10.0
        return logits, np.zeros(len(states), np.float32)
    return evaluate


@pytest.mark.parametrize("table,num_inputs,size,simulations", [(0b1000, 2, 1, 4), (0b0110, 2, 3, 16),
                                                               (0x80, 3, 2, 64)])
def test_uniform_prior_solves_small_functions(table, num_inputs, size, simulations):
    # An uninformed model: zero value, uniform prior. Enough simulations reach the solution by search alone.
    result = search([initial_state(table, num_inputs)], uniform, SearchParams(num_simulations=simulations),
                    np.random.default_rng(0))[0]
    assert result.best is not None and solution_size(result.best) == size
    assert output_truth_tables(build_aig(result.best)) == [table]
    for move in result.moves:
        assert move.weights.shape == (NUM_ACTIONS,) and move.weights.sum() == pytest.approx(1.0)
        assert np.all(move.weights[~move.state.mask] == 0)
    assert max(move.discovered for move in result.moves) == pytest.approx(terminal_return(result.best))


def test_greedy_follows_the_prior():
    xor_plan = [encode_action(1, 0, 1), encode_action(2, 0, 1), encode_action(3, 2, 3)]
    result = search([initial_state(0b0110, 2)], oracle(xor_plan), SearchParams(num_simulations=0),
                    np.random.default_rng(0))[0]
    assert result.best is not None and list(result.best.actions) == xor_plan
    assert result.simulations == 0


def test_batched_search_is_deterministic_and_solves_each():
    roots = [initial_state(t, n) for t, n in [(0b1000, 2), (0b0110, 2), (0xE8, 3)]]
    first = search(roots, uniform, SearchParams(num_simulations=8), np.random.default_rng(1))
    second = search(roots, uniform, SearchParams(num_simulations=8), np.random.default_rng(1))
    assert [r.best.actions if r.best else None for r in first] == [r.best.actions if r.best else None
                                                                   for r in second]
    assert first[0].best is not None and first[1].best is not None


def test_choose_slot_is_argmax_of_discovered_return_not_visits():
    node = new_node(initial_state(0x96, 3))
    logits = np.zeros(NUM_ACTIONS, np.float32)
    expand(node, logits, 0.0)
    node.visits[:3] = [10, 1, 0]
    node.best[:3] = [0.2, 0.9, -np.inf]
    node.value_sum[:3] = [2.0, 0.9, 0.0]
    assert choose_slot(node) == 1
    node.visits[:] = 0
    node.prior[:] = 0
    node.prior[5] = 1.0
    assert choose_slot(node) == 5  # nothing visited: the prior's argmax


def test_select_slot_prefers_prior_when_unvisited():
    node = new_node(initial_state(0x96, 3))
    logits = np.zeros(NUM_ACTIONS, np.float32)
    logits[encode_action(2, 0, 2)] = 5.0
    expand(node, logits, 0.0)
    assert node.legal[select_slot(node, SearchParams(), np.random.default_rng(0))] == encode_action(2, 0, 2)


def test_evaluate_with_wrong_shapes_fails_at_the_boundary():
    def broken(states):
        return np.zeros((len(states), 10)), np.zeros(len(states))
    with pytest.raises(AssertionError, match="logits"):
        search([initial_state(0x96, 3)], broken, SearchParams(num_simulations=2), np.random.default_rng(0))


def test_known_sizes_and_groups_end_episodes_that_cannot_do_better():
    xor, conjunction = initial_state(0b0110, 2), initial_state(0b1000, 2)
    greedy = SearchParams(num_simulations=0)
    alone = search([xor], uniform, greedy, np.random.default_rng(0))[0]
    assert alone.best is not None and solution_size(alone.best) == 3
    bounded = search([xor], uniform, greedy, np.random.default_rng(0), known_sizes={0: 2})[0]
    assert bounded.best is None and bounded.path.num_ands == 2
    # One group: the AND's one-node solution ends the XOR episode after its first node.
    grouped = search([conjunction, xor], uniform, greedy, np.random.default_rng(0), groups=[0, 0])
    assert solution_size(grouped[0].best) == 1
    assert grouped[1].best is None and grouped[1].path.num_ands == 1


def test_time_limit_stops_search():
    result = search([initial_state(0x6996, 4)], uniform, SearchParams(num_simulations=64),
                    np.random.default_rng(0), time_limit_s=0.0)[0]
    assert result.timed_out


def test_leaf_value_is_the_known_completion_or_the_network():
    near = initial_state(0x80, 3)  # a & b & c: two moves away, so a size of at most 2
    far = initial_state(0x96, 3)  # parity: no known completion
    shortcut = SearchParams()
    assert leaf_value(near, 0.9, shortcut) == pytest.approx(1 - 0.5 * 2 / 30)
    assert leaf_value(far, 0.9, shortcut) == UNKNOWN_VALUE
    assert leaf_value(far, 0.9, SearchParams(leaf_value="network")) == 0.9
    with pytest.raises(ValueError, match="leaf_value"):
        SearchParams(leaf_value="oracle")


def test_search_solves_on_care_minterms_with_a_uniform_prior():
    """XOR2 with minterm 3 free needs one AND (!OR2 complemented); the complete XOR2 needs three."""
    roots = [initial_state(0b0110, 2, care=0b0111), initial_state(0b0110, 2)]
    partial, complete = search(roots, uniform, SearchParams(num_simulations=16), np.random.default_rng(0))
    assert solution_size(partial.best) == 1 and solution_size(complete.best) == 3
    assert output_truth_tables(build_aig(partial.best))[0] & 0b0111 == 0b0110
