"""Multi-output exact synthesis: known optima, care masks, None when nothing smaller exists, the deadline."""

import itertools
import random
import time

import pytest

from sc_plugin.aig import Aig, output_truth_tables
from sc_plugin.aig.truth import projection, table_mask
from sc_plugin.engines.multi_exact import MultiExactParams, meets_care, multi_exact_synthesize

A, B, C = (projection(j, 3) for j in range(3))
FULL3 = table_mask(3)
SUM, CARRY = A ^ B ^ C, (A & B) | (A & C) | (B & C)


def _smallest_by_enumeration(functions, num_inputs, max_ands):
    """The fewest ANDs of any AIG for the (table, care) pairs, by enumerating circuits (tiny cases only)."""
    mask = table_mask(num_inputs)
    start = [0] + [projection(j, num_inputs) for j in range(num_inputs)]

    def covered(nodes):
        literals = [v ^ c for v in nodes for c in (0, mask)]
        return all(any((lit ^ table) & care == 0 for lit in literals) for table, care in functions)

    def search(nodes, left):
        if covered(nodes):
            return True
        if left == 0:
            return False
        for x, y in itertools.combinations(range(len(nodes)), 2):
            for cx, cy in itertools.product((0, mask), repeat=2):
                value = (nodes[x] ^ cx) & (nodes[y] ^ cy)
                if value not in nodes and search(nodes + [value], left - 1):
                    return True
        return False

    return next(size for size in range(max_ands + 1) if search(start, size))


def test_full_adder_needs_seven_ands_with_shared_gates():
    aig, stats = multi_exact_synthesize([(SUM, FULL3), (CARRY, FULL3)], 3, max_ands=9)
    assert aig is not None and aig.num_ands == 7 and stats.found == 1 and stats.sat_calls == 7
    assert output_truth_tables(aig) == [SUM, CARRY]
    # separately the sum needs 6 and the carry 4: sharing saves 3
    assert multi_exact_synthesize([(SUM, FULL3)], 3, max_ands=9)[0].num_ands == 6
    assert multi_exact_synthesize([(CARRY, FULL3)], 3, max_ands=9)[0].num_ands == 4


def test_none_when_no_smaller_circuit_exists():
    aig, stats = multi_exact_synthesize([(SUM, FULL3), (CARRY, FULL3)], 3, max_ands=6)
    assert aig is None and stats.timed_out == 0 and stats.found == 0


def test_care_masks_let_fewer_gates_do():
    # a & b and a ^ b, where a = b never occurs: the XOR is a | b there, and the AND is 0
    ab_differ = (A ^ B) & FULL3
    functions = [(A & B, FULL3), (A ^ B, FULL3)]
    complete, _ = multi_exact_synthesize(functions, 3, max_ands=5)
    with_dont_cares, _ = multi_exact_synthesize([(t, ab_differ) for t, _ in functions], 3, max_ands=5)
    assert complete.num_ands == 3 and with_dont_cares.num_ands == 0
    assert meets_care(with_dont_cares, [(t, ab_differ) for t, _ in functions], 3)
    assert not meets_care(with_dont_cares, functions, 3)


@pytest.mark.parametrize("seed", range(6))
def test_random_three_input_pairs_match_enumeration(seed):
    rng = random.Random(seed)
    functions = [(rng.getrandbits(8), rng.getrandbits(8) | 1) for _ in range(2)]
    expected = _smallest_by_enumeration(functions, 3, 5)
    aig, _ = multi_exact_synthesize(functions, 3, max_ands=6, params=MultiExactParams(conflicts_per_slice=100))
    assert aig is not None and aig.num_ands == expected and meets_care(aig, functions, 3)


def test_outputs_may_be_inputs_constants_or_complements():
    functions = [(A, FULL3), (~B & FULL3, FULL3), (0, FULL3), (FULL3, FULL3)]
    aig, _ = multi_exact_synthesize(functions, 3, max_ands=2)
    assert aig.num_ands == 0 and output_truth_tables(aig) == [t for t, _ in functions]


def test_a_passed_deadline_gives_none():
    aig, stats = multi_exact_synthesize([(SUM, FULL3), (CARRY, FULL3)], 3, max_ands=7,
                                        deadline=time.perf_counter())
    assert aig is None and stats.timed_out == 1


def test_meets_care_rejects_wrong_shapes():
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_and(a, b))
    assert meets_care(aig, [(0b1000, 0b1111)], 2)
    assert not meets_care(aig, [(0b1000, 0b1111)] * 2, 2)
    assert not meets_care(aig, [(0b0110, 0b1111)], 2)
