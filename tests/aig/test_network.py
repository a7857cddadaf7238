from sc_plugin.aig import CONST0, CONST1, Aig, depth, fanout_counts, levels, output_truth_tables


def _and_or_xor():
    aig = Aig()
    a, b = aig.create_pi("a"), aig.create_pi("b")
    aig.create_po(aig.create_and(a, b), "and")
    aig.create_po(aig.create_or(a, b), "or")
    aig.create_po(aig.create_xor(a, b), "xor")
    return aig


def test_gate_functions_and_sizes():
    aig = _and_or_xor()
    assert output_truth_tables(aig) == [0b1000, 0b1110, 0b0110]
    # a&b, !a&!b (the OR, complemented), a&!b, !a&b and the OR of the last two (the XOR).
    assert aig.num_ands == 5
    assert depth(aig) == 2


def test_constant_propagation_and_trivial_folding():
    aig = Aig()
    a = aig.create_pi()
    assert aig.create_and(a, CONST0) == CONST0
    assert aig.create_and(a, CONST1) == a
    assert aig.create_and(a, a) == a
    assert aig.create_and(a, a ^ 1) == CONST0
    assert aig.num_ands == 0


def test_structural_hashing_is_order_insensitive():
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    assert aig.create_and(a, b) == aig.create_and(b, a)
    assert aig.lookup_and(b ^ 1, a) is None
    assert aig.num_ands == 1


def test_cleanup_removes_dangling_nodes_and_keeps_names():
    aig = Aig()
    a, b, c = aig.create_pi("a"), aig.create_pi("b"), aig.create_pi("c")
    ab = aig.create_and(a, b)
    aig.create_and(ab, c)  # dangling
    aig.create_po(ab ^ 1, "nab")
    clean = aig.cleanup()
    assert clean.num_ands == 1
    assert clean.pi_names == ["a", "b", "c"] and clean.po_names == ["nab"]
    assert output_truth_tables(clean) == output_truth_tables(aig)


def test_levels_and_fanouts():
    aig = _and_or_xor()
    assert levels(aig).tolist() == [0, 0, 0, 1, 1, 1, 1, 2]
    counts = fanout_counts(aig)
    assert counts[1] == 4  # input a feeds four ANDs
    assert counts[3] == 1 and counts[4] == 1  # a&b drives one PO, !a&!b the OR output
    assert fanout_counts(aig, count_outputs=False)[3] == 0


def test_pis_must_precede_ands():
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_and(a, b)
    try:
        aig.create_pi()
    except ValueError:
        return
    raise AssertionError("creating an input after an AND must fail")
