from sc_plugin.aig import Aig
from sc_plugin.cuts.care import care_set, find_window, window_values


def _and_or() -> tuple[Aig, int, int]:
    """Nodes x = a & b and y = !a & !b (the node under a | b): x = 1 with y = 1 never occurs."""
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    x, y = aig.create_and(a, b), aig.create_or(a, b)
    aig.create_po(aig.create_and(x, y ^ 1))
    return aig, x >> 1, y >> 1


def test_window_reaches_the_inputs_when_small():
    aig, x, y = _and_or()
    assert find_window(aig, [x, y]).inputs == (1, 2)
    # growing through a frontier of three is not allowed under two: the window stays at the leaves
    assert find_window(aig, [x, y], max_inputs=2).inputs == (x, y)


def test_care_set_drops_combinations_that_never_occur():
    aig, x, y = _and_or()
    care = care_set(aig, [x, y], find_window(aig, [x, y]))
    # leaf 0 = x, leaf 1 = y; combinations (x, y) = (0, 0), (1, 0), (0, 1) occur (m = 0, 1, 2); (1, 1) does not
    assert care == 0b0111


def test_window_values_simulate_every_pattern():
    aig, x, y = _and_or()
    window = find_window(aig, [x, y])
    vx, vy = window_values(aig, window, [x, y])
    assert vx == 0b1000 and vy == 0b0001  # pattern p: a = bit 0, b = bit 1


def test_a_window_at_the_leaves_keeps_every_combination():
    aig, x, y = _and_or()
    window = find_window(aig, [x, y], max_inputs=1)  # cannot grow: the leaves are the window
    assert window.inputs == (x, y) and care_set(aig, [x, y], window) == 0b1111
