"""NPN canonization: the transform convention, exactness for n <= 6, class counts, the semi-canonical form for
n = 7, 8, and rewiring an AIG of the canonical function back to the original."""

from __future__ import annotations

import itertools
import random

import pytest

from sc_plugin.aig import npn
from sc_plugin.aig.network import Aig
from sc_plugin.aig.npn import NpnTransform, is_exact_npn, npn_canonize
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import projection, table_mask


def reference_transform(table: int, num_inputs: int, permutation, negations: int, output_negation: bool) -> int:
    """The documented convention, minterm by minterm: g(y) = o ^ f(x), x[permutation[i]] = y[i] ^ neg bit i."""
    result = 0
    for y in range(1 << num_inputs):
        x = 0
        for i in range(num_inputs):
            x |= (((y >> i) ^ (negations >> i)) & 1) << permutation[i]
        result |= (((table >> x) & 1) ^ int(output_negation)) << y
    return result


def brute_force_canon(table: int, num_inputs: int) -> int:
    """Smallest table over all 2 * 2**n * n! transforms."""
    best = None
    for permutation in itertools.permutations(range(num_inputs)):
        for negations in range(1 << num_inputs):
            g = reference_transform(table, num_inputs, permutation, negations, False)
            for candidate in (g, g ^ table_mask(num_inputs)):
                if best is None or candidate < best:
                    best = candidate
    return best


def random_transform(rng: random.Random, num_inputs: int) -> NpnTransform:
    permutation = list(range(num_inputs))
    rng.shuffle(permutation)
    return NpnTransform(num_inputs, tuple(permutation), rng.getrandbits(num_inputs) if num_inputs else 0,
                        bool(rng.getrandbits(1)))


def shannon_aig(table: int, num_inputs: int) -> Aig:
    """Some AIG of `table` (Shannon expansion on the top variable, structurally hashed): PI j = variable j."""
    aig = Aig()
    pis = [aig.create_pi(f"x{j}") for j in range(num_inputs)]
    memo: dict[tuple[int, int], int] = {}

    def build(t: int, n: int) -> int:
        mask = table_mask(n)
        if t == 0:
            return 0
        if t == mask:
            return 1
        if (t, n) not in memo:
            half = 1 << (n - 1)
            low, high = t & ((1 << half) - 1), t >> half
            if low == high:
                memo[t, n] = build(low, n - 1)
            else:
                var = pis[n - 1]
                memo[t, n] = aig.create_or(aig.create_and(var, build(high, n - 1)),
                                           aig.create_and(var ^ 1, build(low, n - 1)))
        return memo[t, n]

    aig.create_po(build(table, num_inputs), "f")
    return aig


# ---- pinned examples ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, table, num_inputs, canonical", [
    ("const0", 0x0, 2, 0x0),
    ("const1", 0xF, 2, 0x0),
    ("x0", 0b10, 1, 0b01),
    ("and2", 0b1000, 2, 0b0001),
    ("or2", 0b1110, 2, 0b0001),
    ("xor2", 0b0110, 2, 0b0110),
    ("xnor2", 0b1001, 2, 0b0110),
    ("and3", 0x80, 3, 0x01),
    ("maj3", 0xE8, 3, 0x17),
    ("xor3", 0x96, 3, 0x69),
    ("mux", 0xCA, 3, 0x1B),
    ("and4", 0x8000, 4, 0x0001),
    ("and5", 1 << 31, 5, 0x1),
    ("and6", 1 << 63, 6, 0x1),
])
def test_pinned_examples(name, table, num_inputs, canonical):
    form, transform = npn_canonize(table, num_inputs)
    assert form == canonical, name
    assert transform.apply(table) == canonical
    if num_inputs <= 4:  # brute force in Python is too slow beyond
        assert brute_force_canon(table, num_inputs) == canonical


def test_zero_inputs():
    assert npn_canonize(0, 0) == (0, NpnTransform(0, (), 0, False))
    form, transform = npn_canonize(1, 0)
    assert form == 0 and transform.output_negation


# ---- the transform --------------------------------------------------------------------------------------------


def test_apply_follows_the_documented_convention():
    rng = random.Random(11)
    for num_inputs in range(9):
        for _ in range(5):
            table = rng.getrandbits(1 << num_inputs)
            transform = random_transform(rng, num_inputs)
            assert transform.apply(table) == reference_transform(
                table, num_inputs, transform.permutation, transform.input_negations, transform.output_negation)
            assert transform.undo(transform.apply(table)) == table
            assert transform.inverse().inverse() == transform


def test_identity_and_validation():
    assert NpnTransform.identity(3).apply(0xCA) == 0xCA
    with pytest.raises(ValueError):
        NpnTransform(3, (0, 0, 1), 0, False)
    with pytest.raises(ValueError):
        NpnTransform(2, (0, 1), 4, False)
    with pytest.raises(ValueError):
        npn_canonize(0, 9)


def test_bits_beyond_the_width_are_ignored():
    assert npn_canonize(0xF0 | 0b1000, 2) == npn_canonize(0b1000, 2)


# ---- exact forms, n <= 6 --------------------------------------------------------------------------------------


def test_matches_brute_force_for_every_function_of_up_to_three_inputs():
    for num_inputs in range(4):
        for table in range(1 << (1 << num_inputs)):
            form, transform = npn_canonize(table, num_inputs)
            assert form == brute_force_canon(table, num_inputs)
            assert transform.apply(table) == form


def test_matches_brute_force_on_sampled_four_input_functions():
    rng = random.Random(4)
    for _ in range(20):
        table = rng.getrandbits(16)
        assert npn_canonize(table, 4)[0] == brute_force_canon(table, 4)


@pytest.mark.parametrize("num_inputs, num_classes", [(0, 1), (1, 2), (2, 4), (3, 14), (4, 222)])
def test_npn_class_counts(num_inputs, num_classes):
    forms = {npn_canonize(table, num_inputs)[0] for table in range(1 << (1 << num_inputs))}
    assert len(forms) == num_classes


@pytest.mark.parametrize("num_inputs", range(1, 9))
def test_transform_round_trip(num_inputs):
    rng = random.Random(100 + num_inputs)
    for _ in range(30):
        table = rng.getrandbits(1 << num_inputs)
        form, transform = npn_canonize(table, num_inputs)
        assert transform.num_inputs == num_inputs
        assert transform.apply(table) == form
        assert transform.undo(form) == table


@pytest.mark.parametrize("num_inputs", [5, 6])
def test_exact_form_is_a_class_invariant(num_inputs):
    assert is_exact_npn(num_inputs)
    rng = random.Random(200 + num_inputs)
    for _ in range(15):
        table = rng.getrandbits(1 << num_inputs)
        form = npn_canonize(table, num_inputs)[0]
        for _ in range(3):
            assert npn_canonize(random_transform(rng, num_inputs).apply(table), num_inputs)[0] == form


def test_exact_form_is_the_smallest_member_seen():
    # Every transform of f is in the class, so none may be smaller than the canonical form.
    rng = random.Random(7)
    for num_inputs in (5, 6):
        table = rng.getrandbits(1 << num_inputs)
        form = npn_canonize(table, num_inputs)[0]
        for _ in range(200):
            assert random_transform(rng, num_inputs).apply(table) >= form


# ---- semi-canonical forms, n = 7, 8 ---------------------------------------------------------------------------


def _structured_functions(num_inputs: int) -> dict[str, int]:
    """Functions full of ties: symmetric groups, balanced (flexible) and linear inputs."""
    mask = table_mask(num_inputs)
    x = [projection(j, num_inputs) for j in range(num_inputs)]
    parity = 0
    for var in x:
        parity ^= var
    parity_but_two = parity ^ x[-1] ^ x[-2]
    ones_count = [sum((m >> j) & 1 for j in range(num_inputs)) for m in range(1 << num_inputs)]
    threshold = sum(1 << m for m in range(1 << num_inputs) if ones_count[m] >= 3)
    and_all = mask
    for var in x:
        and_all &= var
    return {
        "parity": parity,
        "parity_xor_and": parity_but_two ^ (x[-1] & x[-2]),
        "threshold3": threshold,
        "and_all": and_all,
        "mux_tree": (x[0] & x[1]) | (~x[0] & x[2] & x[3]) ^ (x[4] & x[5]) ^ (x[-1] | x[-2]),
        "two_xor_pairs_and": ((x[0] ^ x[1]) & (x[2] ^ x[3])) ^ (x[4] & x[5] & x[6]),
    }


@pytest.mark.parametrize("num_inputs", [7, 8])
def test_semi_canonical_form_is_deterministic_and_consistent(num_inputs):
    assert not is_exact_npn(num_inputs)
    rng = random.Random(300 + num_inputs)
    tables = [rng.getrandbits(1 << num_inputs) for _ in range(10)]
    tables += [t & table_mask(num_inputs) for t in _structured_functions(num_inputs).values()]
    for table in tables:
        form, transform = npn_canonize(table, num_inputs)
        assert npn_canonize(table, num_inputs) == (form, transform)
        assert transform.apply(table) == form
        assert transform.undo(form) == table


@pytest.mark.parametrize("num_inputs", [7, 8])
def test_semi_canonical_form_is_invariant_within_its_search_budget(num_inputs):
    # Random functions have few ties; the structured ones have many, resolved by symmetry, linear inputs and
    # colour refinement so the exact tie search stays within budget.
    rng = random.Random(400 + num_inputs)
    tables = [rng.getrandbits(1 << num_inputs) for _ in range(5)]
    tables += [t & table_mask(num_inputs) for t in _structured_functions(num_inputs).values()]
    for table in tables:
        form = npn_canonize(table, num_inputs)[0]
        for _ in range(3):
            assert npn_canonize(random_transform(rng, num_inputs).apply(table), num_inputs)[0] == form


def test_greedy_fallback_beyond_the_budget_stays_consistent(monkeypatch):
    monkeypatch.setattr(npn, "_TIE_SEARCH_BUDGET", 0)
    rng = random.Random(500)
    for num_inputs in (7, 8):
        for table in _structured_functions(num_inputs).values():
            table &= table_mask(num_inputs)
            form, transform = npn_canonize(table, num_inputs)
            assert transform.apply(table) == form
            assert npn_canonize(table, num_inputs)[0] == form
        table = rng.getrandbits(1 << num_inputs)
        form, transform = npn_canonize(table, num_inputs)
        assert transform.apply(table) == form


# ---- rewiring an implementation -------------------------------------------------------------------------------


@pytest.mark.parametrize("num_inputs", range(1, 9))
def test_undo_aig_implements_the_original_with_the_same_and_count(num_inputs):
    rng = random.Random(600 + num_inputs)
    for _ in range(3):
        table = rng.getrandbits(1 << num_inputs)
        form, transform = npn_canonize(table, num_inputs)
        implementation = shannon_aig(form, num_inputs)
        assert output_truth_tables(implementation)[0] == form
        original = transform.undo_aig(implementation)
        assert output_truth_tables(original)[0] == table
        assert original.num_ands == implementation.num_ands
        assert original.num_pis == num_inputs and original.num_pos == 1


def test_undo_aig_of_a_hand_built_and():
    # Canonical AND2 is NOR (0b0001): !x0 & !x1, one AND with both fanins complemented.
    form, transform = npn_canonize(0b1000, 2)
    assert form == 0b0001
    nor = Aig()
    a, b = nor.create_pi(), nor.create_pi()
    nor.create_po(nor.create_and(a ^ 1, b ^ 1))
    original = transform.undo_aig(nor)
    assert original.num_ands == 1
    assert output_truth_tables(original) == [0b1000]


def test_undo_aig_rejects_a_wrong_interface():
    transform = NpnTransform.identity(3)
    with pytest.raises(ValueError):
        transform.undo_aig(shannon_aig(0b1000, 2))
