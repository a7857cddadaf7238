import random
from dataclasses import replace

from sc_plugin.aig.functions import (completions, expand_support, needed_variables, normalize_care, npn_key,
                                     restrict_to_support, shrink_to_support, trivial_implementation)
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables


def test_shrink_keeps_the_support_in_order():
    small, variables = shrink_to_support(0xCC00, 4)  # x1 AND x3
    assert variables == [1, 3] and small == 0x8


def test_expand_then_restrict_round_trip():
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_xor(a, b))
    wide = expand_support(aig, [0, 2], 3)
    assert wide.num_pis == 3 and output_truth_tables(wide) == [0x5A]  # x0 XOR x2
    assert output_truth_tables(restrict_to_support(wide, [0, 2])) == output_truth_tables(aig)


def test_constants_and_literals_need_no_and():
    for table, n in [(0, 3), (0xFF, 3), (0xAA, 3), (0x55, 3), (0xF0, 3)]:
        aig = trivial_implementation(table, n)
        assert aig is not None and aig.num_pis == n and aig.num_ands == 0 and output_truth_tables(aig) == [table]
    assert trivial_implementation(0x80, 3) is None


def test_npn_key_ignores_unused_inputs_and_npn_moves():
    and_x1_x3 = npn_key(0xCC00, 4)
    nor_x0_x2 = npn_key(0x05, 3)  # !x0 & !x2
    assert (and_x1_x3.num_inputs, and_x1_x3.variables) == (2, (1, 3))
    assert (and_x1_x3.num_inputs, and_x1_x3.canon) == (nor_x0_x2.num_inputs, nor_x0_x2.canon)
    assert and_x1_x3.transform.apply(0x8) == and_x1_x3.canon
    assert npn_key(0x6, 2).canon != and_x1_x3.canon  # XOR is another class


def test_completions_agree_on_the_care_set_and_include_cheaper_fills():
    xor, care = 0b0110, 0b0111  # minterm 3 is a don't care
    found = completions(xor, care, 2)
    assert found[0] == xor and 0b1110 in found  # filling it with 1 gives OR
    assert all((f ^ xor) & care == 0 for f in found)
    # x0 & x1 where x1 = 1 always (care: minterms 2, 3): x1 drops and x0 alone remains
    assert completions(0b1000, 0b1100, 2) == [0b1000, 0b1011, 0b1010]


def test_sum_of_products_completions_use_the_dont_cares():
    """On-set {1, 2} with minterm 3 free: the cover x0 + x1 (OR2), and every completion agrees on the care set."""
    assert 0b1110 in completions(0b0110, 0b0111, 2)
    rng = random.Random(5)
    for num_inputs in range(1, 9):
        for _ in range(20):
            table, care = rng.getrandbits(1 << num_inputs), rng.getrandbits(1 << num_inputs)
            assert all((f ^ table) & care == 0 for f in completions(table, care, num_inputs))


def test_needed_variables_and_trivial_implementations_on_care_sets():
    # x0 & x1 where x1 = 1 on the care set (minterms 2, 3): only x0 is needed, and it is the literal x0
    assert needed_variables(0b1000, 0b1100, 2) == [0]
    assert needed_variables(0b1000, None, 2) == [0, 1]
    assert output_truth_tables(trivial_implementation(0b1000, 2, 0b1100))[0] & 0b1100 == 0b1000
    assert trivial_implementation(0b1000, 2) is None
    assert normalize_care(0xF, 2) is None and normalize_care(0x1F, 2) is None and normalize_care(0x7, 2) == 0x7


def test_npn_key_with_a_care_set_moves_the_mask_as_the_table():
    key = npn_key(0x2B, 3, 0x7E)
    unmoved = replace(key.transform, output_negation=False)
    assert key.transform.apply(0x2B) == key.canon and unmoved.apply(0x7E) == key.care
    # an input neither the table nor the care set reads is dropped; one the care set reads is kept
    assert npn_key(0x2B2B, 4, 0x7E7E) == key
    ignored = npn_key(0xCC, 3, 0x3F)  # x1, with minterms 6, 7 free: the mask reads x2
    assert ignored.variables == (1, 2) and ignored.care is not None and npn_key(0xCC, 3).variables == (1,)
    # the complete function and a full mask share the key; another mask is another key
    assert npn_key(0x2B, 3, 0xFF) == npn_key(0x2B, 3) and npn_key(0x2B, 3, 0x3F).care != key.care
