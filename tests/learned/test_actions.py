"""Environment: action encoding, masks, step, termination and returns on hand-built examples."""

import numpy as np
import pytest

from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.learned.actions import (MAX_NODES, NUM_ACTIONS, action_mask, build_aig, decode_action,
                                       encode_action, initial_state, solution_size, step, terminal_return)

AND2, XOR2 = 0b1000, 0b0110


def test_encode_decode_round_trip():
    seen = set()
    for p in range(4):
        for i in range(MAX_NODES):
            for j in range(i + 1, MAX_NODES):
                a = encode_action(p, i, j)
                assert 0 <= a < NUM_ACTIONS and decode_action(a) == (p, i, j)
                seen.add(a)
    assert len(seen) == 4 * MAX_NODES * (MAX_NODES - 1) // 2


def test_and2_solved_in_one_step():
    state = initial_state(AND2, 2)
    assert state.mask.sum() == 4  # four polarities of (0, 1), all legal
    state = step(state, encode_action(0, 0, 1))
    assert state.solved and state.done and not state.output_complemented
    assert solution_size(state) == 1
    assert terminal_return(state) == pytest.approx(1 - 0.5 / 30)
    assert output_truth_tables(build_aig(state)) == [AND2]


def test_nand_target_uses_free_output_inverter():
    state = step(initial_state(0b0111, 2), encode_action(0, 0, 1))
    assert state.solved and state.output_complemented
    assert output_truth_tables(build_aig(state)) == [0b0111]


def test_xor2_in_three_steps_and_masks():
    state = initial_state(XOR2, 2)
    state = step(state, encode_action(1, 0, 1))  # !a & b
    assert not state.solved
    assert not state.mask[encode_action(1, 0, 1)]  # the action taken is masked (duplicate)
    assert not state.mask[encode_action(2, 0, 2)]  # a & !(!a & b) = a: equal to an input
    state = step(state, encode_action(2, 0, 1))  # a & !b
    state = step(state, encode_action(3, 2, 3))  # !(!a&b) & !(a&!b) = XNOR -> complemented output
    assert state.solved and state.output_complemented and state.num_ands == 3
    assert output_truth_tables(build_aig(state)) == [XOR2]


def test_mask_excludes_duplicates_constants_complements():
    state = initial_state(XOR2, 2)
    state = step(state, encode_action(0, 0, 1))  # n2 = a & b
    mask = state.mask
    # a & (a & b) = n2: equal to an existing node
    assert not mask[encode_action(0, 0, 2)]
    # !a & (a & b) = 0: constant
    assert not mask[encode_action(1, 0, 2)]
    # a & !(a & b) = a & !b: new
    assert mask[encode_action(2, 0, 2)]
    # !a & !b = !(a | b): new. (a & b) taken again: duplicate
    assert mask[encode_action(3, 0, 1)] and not mask[encode_action(0, 0, 1)]
    # A node equal to the complement of an existing node is masked: with n3 = !a & !b, the action !n2 & !n3
    # gives XOR (new), but n2 & !n3 = n2 (existing).
    state = step(state, encode_action(3, 0, 1))
    assert not state.mask[encode_action(2, 2, 3)]
    # nothing beyond the nodes or with i >= j
    grid = state.mask.reshape(4, MAX_NODES, MAX_NODES)
    assert not grid[:, 4:, :].any() and not grid[:, :, 4:].any()
    assert not np.tril(np.ones((MAX_NODES, MAX_NODES), bool))[None].__and__(grid).any()


def test_complement_of_existing_node_is_masked():
    # Inputs a, b, c; n3 = a & b. Then !(a & b) is never buildable as an AND, but check a pair whose AND equals
    # the complement of an input: with n3 = !a & !b and n4 = !a & b ... (a | b) & (a | !b) = a -> !n3 & !n4 = a.
    state = initial_state(0x96, 3)
    state = step(state, encode_action(3, 0, 1))  # n3 = !a & !b
    state = step(state, encode_action(1, 0, 1))  # n4 = !a & b
    assert not state.mask[encode_action(3, 3, 4)]  # = a, an existing input
    assert np.array_equal(action_mask(state.tables), state.mask)


def test_termination_at_max_ands_and_failure_return():
    state = initial_state(0x96, 3, max_ands=1)
    state = step(state, encode_action(0, 0, 1))
    assert state.done and not state.solved
    assert -0.5 <= terminal_return(state) < 0
    with pytest.raises(ValueError):
        step(state, encode_action(0, 0, 2))


def test_illegal_action_rejected():
    state = step(initial_state(XOR2, 2), encode_action(0, 0, 1))
    with pytest.raises(ValueError):
        step(state, encode_action(0, 0, 1))


def test_tiling_makes_small_functions_equal_to_8_input_ones():
    small = initial_state(AND2, 2)
    assert small.tables.shape == (2, 4) and small.target.shape == (4,)
    assert int(small.target[0]) == int("8" * 16, 16)  # AND2 tiled: 1000 repeated


def test_finishing_actions_are_listed():
    state = initial_state(0x80, 3)  # a & b & c
    assert state.finishing == ()
    state = step(state, encode_action(0, 0, 1))  # a & b
    assert encode_action(0, 2, 3) in state.finishing  # c & (a & b) is the target
    assert all(state.mask[a] for a in state.finishing)


def test_two_move_shortcut_starts_with_a_node_one_and_away_from_the_target():
    state = initial_state(0x80, 3)  # a & b & c: no single AND builds it, any product of two inputs gets close
    assert state.finishing == () and state.shortcut_moves == 2
    assert set(state.shortcut) == {encode_action(0, 0, 1), encode_action(0, 0, 2), encode_action(0, 1, 2)}
    mixed = initial_state(0x10, 3)  # !a & !b & c: start with !a & !b (polarity 3), or !a & c, or !b & c
    assert encode_action(3, 0, 1) in mixed.shortcut and encode_action(0, 0, 1) not in mixed.shortcut
    for action in mixed.shortcut:
        after = step(mixed, action)
        assert after.shortcut_moves == 1 and all(step(after, a).solved for a in after.finishing)


def test_three_move_shortcut_finds_an_xor_of_existing_nodes():
    xor = initial_state(0x66, 3)  # a ^ b = !(a & b) & !(!a & !b), or (a & !b) | (!a & b)
    assert xor.shortcut_moves == 3
    assert set(xor.shortcut) == {encode_action(p, 0, 1) for p in range(4)}
    state = step(xor, encode_action(0, 0, 1))
    assert state.shortcut_moves == 2 and state.shortcut == (encode_action(3, 0, 1),)
    state = step(state, encode_action(3, 0, 1))
    assert state.shortcut_moves == 1 and step(state, state.finishing[0]).solved
    parity = initial_state(0x96, 3)  # a ^ b ^ c: six ANDs at least, no short completion
    assert parity.shortcut == () and parity.shortcut_moves == 0


def test_every_shortcut_move_shortens_the_known_completion_by_one():
    rng = np.random.default_rng(5)
    checked = 0
    for table in rng.integers(1, 0xFFFF, size=12):
        state = initial_state(int(table), 4)
        while not state.done:
            for action in state.shortcut:
                after = step(state, action)
                assert after.solved if state.shortcut_moves == 1 else after.shortcut_moves == state.shortcut_moves - 1
                checked += 1
            state = step(state, int(rng.choice(np.flatnonzero(state.mask))))
    assert checked > 20


def test_episode_ends_when_the_node_matches_on_care_minterms():
    """XOR2 with minterm 3 free: !x0 & !x1 is !OR2, which matches !XOR2 on minterms 0-2: solved, complemented."""
    state = initial_state(XOR2, 2, care=0b0111)
    assert state.shortcut_moves == 1  # the environment sees the one-move finish
    done = step(state, encode_action(3, 0, 1))
    assert done.solved and done.output_complemented and solution_size(done) == 1
    assert output_truth_tables(build_aig(done))[0] & 0b0111 == XOR2 & 0b0111
    assert not step(initial_state(XOR2, 2), encode_action(3, 0, 1)).solved  # minterm 3 cared for: not solved


def test_return_counts_care_minterms_only():
    """x0 & x1 against XOR2: it differs on minterms 1, 2 and 3; with minterm 3 free, on 1 and 2 only, and the
    distance is a share of the care minterms (2 of 3, so 1 of 3 to the complement)."""
    full = step(initial_state(XOR2, 2, max_ands=1), encode_action(0, 0, 1))
    partial = step(initial_state(XOR2, 2, max_ands=1, care=0b0111), encode_action(0, 0, 1))
    assert full.done and not full.solved and partial.done and not partial.solved
    assert terminal_return(full) == pytest.approx(-1 / 4)  # 3 of 4 differ: 1 of 4 to the complement
    assert terminal_return(partial) == pytest.approx(-1 / 3)


def test_shortcut_checks_use_the_care_set():
    """AND3 is two moves away; when only minterms 0 and 7 are cared for, any AND of two inputs matches: one move."""
    and3 = 0x80
    assert initial_state(and3, 3).shortcut_moves == 2
    assert initial_state(and3, 3, care=0b10000001).shortcut_moves == 1
