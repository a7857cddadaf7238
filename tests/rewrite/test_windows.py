"""Multi-output window resynthesis: equivalence kept, never larger, shared gates found, wrong replacements refused,
the schedule's windows step."""

import random
from dataclasses import replace

import pytest

from sc_plugin.aig import Aig, output_truth_tables
from sc_plugin.cuts.care import find_window
from sc_plugin.engines.base import NullEngine
from sc_plugin.errors import ScError
from sc_plugin.rewrite.optimize import RewriteParams
from sc_plugin.rewrite.schedule import load_schedule, run_schedule, schedule_from_mapping
from sc_plugin.rewrite.verify import verify_window_replacement
from sc_plugin.rewrite.windows import WindowParams, find_windows, resynthesize_windows


def _random_network(seed: int, num_inputs: int = 5, num_gates: int = 20, num_outputs: int = 4) -> Aig:
    rng = random.Random(seed)
    aig = Aig()
    lits = [aig.create_pi() for _ in range(num_inputs)]
    for _ in range(num_gates):
        a, b = rng.sample(lits, 2)
        lits.append(aig.create_and(a ^ rng.randint(0, 1), b ^ rng.randint(0, 1)))
    for lit in lits[-num_outputs:]:
        aig.create_po(lit ^ rng.randint(0, 1))
    return aig.cleanup()


def _wasteful_adder() -> Aig:
    """A full adder with its sum (XOR3, 6 ANDs) and carry (ab | ac | bc, 4 more) built apart: 10 ANDs, 7 needed."""
    aig = Aig()
    a, b, c = (aig.create_pi(name) for name in "abc")
    ab = aig.create_and(a, b)
    xor_ab = aig.create_and(ab ^ 1, aig.create_and(a ^ 1, b ^ 1) ^ 1)
    aig.create_po(aig.create_or(aig.create_and(xor_ab, c ^ 1), aig.create_and(xor_ab ^ 1, c)), "sum")
    aig.create_po(aig.create_or(ab, aig.create_or(aig.create_and(a, c), aig.create_and(b, c))), "carry")
    return aig


@pytest.mark.parametrize("seed", range(8))
def test_random_networks_stay_equivalent_and_never_grow(seed):
    aig = _random_network(seed)
    result, stats = resynthesize_windows(aig, WindowParams(max_gates=4, window_time_s=0.5))
    assert output_truth_tables(result) == output_truth_tables(aig)
    assert result.num_ands <= aig.num_ands
    assert stats.ands_after == result.num_ands and stats.rejected == 0 and stats.exact.rejected == 0
    assert (result.num_ands < aig.num_ands) == (stats.windows_improved > 0)


def test_random_networks_shrink_somewhere():
    before = after = 0
    for seed in range(4):
        aig = _random_network(seed)
        result, _ = resynthesize_windows(aig, WindowParams(max_gates=4, window_time_s=0.5))
        before, after = before + aig.num_ands, after + result.num_ands
    assert after < before


def test_shared_gates_between_sum_and_carry_are_found():
    aig = _wasteful_adder()
    assert aig.num_ands == 10
    result, stats = resynthesize_windows(aig, WindowParams(max_inputs=3, max_gates=8, window_time_s=5.0))
    assert output_truth_tables(result) == output_truth_tables(aig)
    assert result.num_ands == 7 and stats.windows_improved >= 1


def test_windows_have_several_outputs_and_are_closed():
    aig = _random_network(3, num_gates=30)
    windows = find_windows(aig, WindowParams(max_inputs=5, max_gates=4))
    assert windows
    readers = {}
    for node in aig.and_nodes():
        for lit in aig.fanins(node):
            readers.setdefault(lit >> 1, set()).add(node)
    po_nodes = {lit >> 1 for lit in aig.pos}
    for gates, inputs, outputs in windows:
        assert 2 <= len(gates) <= 4 and len(inputs) <= 5 and len(outputs) >= 2
        for gate in gates:
            used_outside = gate in po_nodes or bool(readers.get(gate, set()) - gates)
            assert used_outside == (gate in outputs)
            assert all(lit >> 1 in gates or lit >> 1 in inputs or lit >> 1 == 0 for lit in aig.fanins(gate))


def test_dont_cares_of_the_window_inputs_save_gates():
    # x = a & b & d and y = !a & e & f are never both 1, so c & x & !y = c & x and c & !x & y = c & y: two ANDs
    # where the complete functions of x, y, c need four (u = c & !(x & y), u & x, u & y); windows of three inputs
    # cannot see that x & y = 0 from a and b
    aig = Aig()
    a, b, c, d, e, f = (aig.create_pi() for _ in range(6))
    x = aig.create_and(aig.create_and(a, b), d)
    y = aig.create_and(aig.create_and(a ^ 1, e), f)
    u = aig.create_and(c, aig.create_and(x, y) ^ 1)
    aig.create_po(aig.create_and(u, x))
    aig.create_po(aig.create_and(u, y))
    params = WindowParams(max_inputs=3, max_gates=4)
    plain, _ = resynthesize_windows(aig, replace(params, use_dont_cares=False))
    with_dont_cares, stats = resynthesize_windows(aig, params)
    assert output_truth_tables(plain) == output_truth_tables(with_dont_cares) == output_truth_tables(aig)
    assert plain.num_ands == aig.num_ands == 8 and with_dont_cares.num_ands == 6 and stats.windows_improved >= 1


def test_the_window_check_refuses_a_wrong_replacement():
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    ab = aig.create_and(a, b)
    abc = aig.create_and(ab, c)
    aig.create_po(ab)
    aig.create_po(abc)
    outputs, inputs = (ab >> 1, abc >> 1), (1, 2, 3)
    right = Aig()
    x, y, z = (right.create_pi() for _ in range(3))
    xy = right.create_and(x, y)
    right.create_po(xy)
    right.create_po(right.create_and(xy, z))
    wrong = Aig()
    x, y, z = (wrong.create_pi() for _ in range(3))
    wrong.create_po(wrong.create_and(x, y))
    wrong.create_po(wrong.create_and(x, z))
    for window in (None, find_window(aig, inputs)):
        assert verify_window_replacement(aig, outputs, inputs, right, window)
        assert not verify_window_replacement(aig, outputs, inputs, wrong, window)
    assert not verify_window_replacement(aig, outputs[:1], inputs, right)  # one output too many


def test_the_schedule_runs_a_windows_step():
    schedule = schedule_from_mapping({"steps": [{"name": "win", "windows": {"max_inputs": 3, "max_gates": 8,
                                                                             "window_time_s": 5}}], "passes": 1},
                                     where="test")
    result, stats = run_schedule(_wasteful_adder(), schedule, 10.0, engine=NullEngine(),
                                 sc_params=lambda overrides: RewriteParams(max_rounds=1))
    assert result.num_ands == 7 and stats.gains["win"] == _wasteful_adder().num_ands - 7
    assert stats.windows_improved >= 1


@pytest.mark.parametrize("options, message", [
    ({"max_inputs": 9}, "max_inputs must be 1..8"), ({"colour": 1}, "unknown option colour"),
    ({"use_dont_cares": 1}, "true or false"), ({"window_time_s": 0}, "a number > 0"), ([1], "a mapping"),
])
def test_bad_windows_steps_are_refused(options, message):
    with pytest.raises(ScError, match=message):
        schedule_from_mapping({"steps": [{"windows": options}]}, where="test")
    with pytest.raises(ScError, match="exactly one"):
        schedule_from_mapping({"steps": [{"windows": {}, "abc": "x"}]}, where="test")


def test_the_shipped_windows_schedule_has_a_windows_step():
    steps = load_schedule("windows").steps
    assert [step.windows.max_gates for step in steps if step.windows is not None] == [5]
