"""Equivalence checking: hand-built networks by simulation and SAT, real circuits by ABC, and the rules that
keep "undecided" from ever reading as "equivalent".

Tests that need the real ABC fail when it is missing, unless SC_ALLOW_NO_ABC=1 (then they skip).
"""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from sc_plugin.abc import optimize_with_abc
from sc_plugin.aig import Aig, read_aiger, simulate_outputs
from sc_plugin.errors import AbcError
from sc_plugin.verify import CecResult, Verdict, check_equivalence

BENCHMARKS = Path(__file__).resolve().parents[2] / "flows" / "designs"  # shipped with the repository
SIN = BENCHMARKS / "epfl" / "sin.aig"  # 24 inputs, 25 outputs, 5416 ANDs
C6288 = BENCHMARKS / "iscas85" / "c6288.aig"  # 16x16 multiplier: 32 inputs, 2406 ANDs
LOG2 = BENCHMARKS / "epfl" / "log2.aig"  # 32 inputs, 32060 ANDs; &cec needs about 40 s against its resyn2


@pytest.fixture(scope="module")
def sin() -> Aig:
    return read_aiger(SIN)


def fake_abc(tmp_path: Path, output: str) -> str:
    """A stand-in ABC that prints `output` whatever it is asked."""
    path = tmp_path / "fake-abc"
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


# ---- helpers ----------------------------------------------------------------------------------------------------


def copy_with_flipped_fanin(aig: Aig, node: int) -> Aig:
    """A copy of `aig` with the complement of the first fanin of AND `node` flipped (none if `node` is not an AND);
    the structure is kept otherwise."""
    copy, lit_map = aig.copy_interface()
    for old in aig.and_nodes():
        a, b = aig.fanins(old)
        a = lit_map[a >> 1] ^ (a & 1) ^ (old == node)
        b = lit_map[b >> 1] ^ (b & 1)
        lit_map[old] = copy.add_and_unhashed(a, b)
    for lit, name in zip(aig.pos, aig.po_names):
        copy.create_po(lit_map[lit >> 1] ^ (lit & 1), name)
    return copy


def outputs_on(aig: Aig, pattern: list[int]) -> list[int]:
    values = simulate_outputs(aig, np.array(pattern, dtype=np.uint64).reshape(-1, 1))
    return [int(v) & 1 for v in values[:, 0]]


def assert_real_counterexample(result: CecResult, a: Aig, b: Aig) -> None:
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.counterexample is not None and len(result.counterexample) == a.num_pis
    assert set(result.counterexample) <= {0, 1}
    out_a, out_b = outputs_on(a, result.counterexample), outputs_on(b, result.counterexample)
    assert out_a[result.failing_output] != out_b[result.failing_output]


def xor_network(structure: str) -> Aig:
    """x0 ^ x1 as one output and x0 & x2 as another, built two different ways."""
    aig = Aig()
    x0, x1, x2 = aig.create_pi("x0"), aig.create_pi("x1"), aig.create_pi("x2")
    if structure == "or-of-ands":
        xor = aig.create_or(aig.create_and(x0, x1 ^ 1), aig.create_and(x0 ^ 1, x1))
    else:  # (x0 | x1) & !(x0 & x1)
        xor = aig.create_and(aig.create_or(x0, x1), aig.create_and(x0, x1) ^ 1)
    aig.create_po(xor, "xor")
    aig.create_po(aig.create_and(x0, x2), "and")
    return aig


def many_input_and(num_inputs: int, *, complement_last: bool = False) -> Aig:
    aig = Aig()
    lits = [aig.create_pi() for _ in range(num_inputs)]
    if complement_last:
        lits[-1] ^= 1
    acc = lits[0]
    for lit in lits[1:]:
        acc = aig.create_and(acc, lit)
    aig.create_po(acc)
    return aig


# ---- small networks: simulation and SAT ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["simulation", "sat", "auto"])
def test_two_structures_of_xor_are_equivalent(method):
    result = check_equivalence(xor_network("or-of-ands"), xor_network("and-of-or"), method=method)
    assert result.verdict is Verdict.EQUIVALENT and result.equivalent
    assert result.method == ("simulation" if method == "auto" else method)
    assert result.counterexample is None and result.failing_output is None


@pytest.mark.parametrize("method", ["simulation", "sat"])
def test_one_flipped_fanin_is_found(method):
    good = xor_network("and-of-or")
    bad = copy_with_flipped_fanin(good, good.num_pis + 1)  # the first AND: x0 & x1 inside the xor
    result = check_equivalence(good, bad, method=method)
    assert_real_counterexample(result, good, bad)
    assert result.failing_output == 0


def test_exhaustive_simulation_finds_the_single_differing_minterm():
    # 16 inputs: differ only where all inputs are 1 but the last, one minterm of 65536.
    a, b = many_input_and(16), many_input_and(16, complement_last=True)
    result = check_equivalence(a, b, method="simulation")
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.counterexample in ([1] * 16, [1] * 15 + [0])
    assert_real_counterexample(result, a, b)


def test_sat_finds_a_single_differing_minterm_among_many_inputs():
    a, b = many_input_and(40), many_input_and(40, complement_last=True)
    result = check_equivalence(a, b, method="sat")
    assert_real_counterexample(result, a, b)


def test_complemented_output_is_not_equivalent_without_search():
    a = xor_network("or-of-ands")
    b = xor_network("or-of-ands")
    b.pos[1] ^= 1
    for method in ("simulation", "sat"):
        result = check_equivalence(a, b, method=method)
        assert_real_counterexample(result, a, b)
        assert result.failing_output == 1


def test_networks_without_outputs_are_equivalent():
    a, b = Aig(), Aig()
    for aig in (a, b):
        aig.create_pi()
    for method in ("simulation", "sat"):
        assert check_equivalence(a, b, method=method).verdict is Verdict.EQUIVALENT


def test_mismatched_interfaces_and_bad_arguments_are_refused():
    a = xor_network("or-of-ands")
    fewer_outputs = xor_network("or-of-ands")
    fewer_outputs.pos.pop()
    fewer_outputs.po_names.pop()
    with pytest.raises(ValueError, match="interfaces differ"):
        check_equivalence(a, fewer_outputs)
    with pytest.raises(ValueError, match="unknown equivalence-checking method"):
        check_equivalence(a, a, method="bdd")
    with pytest.raises(ValueError, match="at most 16 inputs"):
        check_equivalence(many_input_and(17), many_input_and(17), method="simulation")


# ---- real circuits ------------------------------------------------------------------------------------------------


def test_unchanged_copy_of_sin_is_proven_by_abc(sin, require_abc):
    result = check_equivalence(sin, read_aiger(SIN), abc_binary=require_abc)
    assert result.verdict is Verdict.EQUIVALENT
    assert result.method == "abc"


def test_flipped_fanin_in_sin_is_found_by_abc_and_sat(sin, require_abc):
    # A node a few levels below the driver of a middle output, so the change lies deep in a real cone.
    node = sin.pos[12] >> 1
    for _ in range(3):
        node = sin.fanins(node)[0] >> 1
    assert sin.is_and(node)
    mutant = copy_with_flipped_fanin(sin, node)
    for method in ("auto", "sat"):
        result = check_equivalence(sin, mutant, method=method, abc_binary=require_abc)
        assert result.method == ("abc" if method == "auto" else "sat")
        assert_real_counterexample(result, sin, mutant)


def test_rare_difference_needs_sat_after_abc(sin, require_abc):
    # Output 0 changes only when all 24 inputs are 1: random simulation misses it, SAT must find it.
    mutant = copy_with_flipped_fanin(sin, node=-1)  # an unchanged copy
    all_ones = 2
    for lit in range(4, 2 * sin.num_pis + 1, 2):
        all_ones = mutant.create_and(all_ones, lit)
    mutant.pos[0] = mutant.create_xor(mutant.pos[0], all_ones)
    result = check_equivalence(sin, mutant, abc_binary=require_abc)
    assert_real_counterexample(result, sin, mutant)
    assert result.counterexample == [1] * 24
    assert result.failing_output == 0
    assert "SAT" in result.message


def test_multiplier_after_resyn2_is_proven_by_abc_and_undecided_for_a_short_sat(require_abc):
    c6288 = read_aiger(C6288)
    optimized, _ = optimize_with_abc(c6288, "resyn2", binary=require_abc)
    assert optimized.num_ands < c6288.num_ands
    assert check_equivalence(c6288, optimized, abc_binary=require_abc).verdict is Verdict.EQUIVALENT
    # Plain CDCL cannot prove a restructured multiplier in 0.3 s; the answer must be "undecided", not "equal".
    result = check_equivalence(c6288, optimized, method="sat", time_limit_s=0.3)
    assert result.verdict is Verdict.UNDECIDED
    assert result.time_s < 2


def test_abc_time_limit_gives_undecided(require_abc):
    log2 = read_aiger(LOG2)
    optimized, _ = optimize_with_abc(log2, "resyn2", binary=require_abc)
    result = check_equivalence(log2, optimized, method="abc", time_limit_s=1, abc_binary=require_abc)
    assert result.verdict is Verdict.UNDECIDED
    assert result.time_s < 10


# ---- how ABC's answers are read, with stand-in binaries ---------------------------------------------------------


def test_abc_undecided_line(tmp_path):
    fake = fake_abc(tmp_path, "Networks are UNDECIDED.  Time = 1.00 sec")
    a = many_input_and(20)
    result = check_equivalence(a, a, method="abc", abc_binary=fake)
    assert result.verdict is Verdict.UNDECIDED


def test_abc_disagreeing_with_sat_is_undecided(tmp_path):
    fake = fake_abc(tmp_path, "Networks are NOT EQUIVALENT.  Time = 0.00 sec")
    a = many_input_and(20)
    result = check_equivalence(a, many_input_and(20), method="abc", abc_binary=fake)
    assert result.verdict is Verdict.UNDECIDED
    assert "contradiction" in result.message


def test_abc_without_a_verdict_is_an_error(tmp_path):
    fake = fake_abc(tmp_path, "some unrelated text")
    a = many_input_and(20)
    with pytest.raises(AbcError, match="no verdict"):
        check_equivalence(a, a, method="abc", abc_binary=fake)


def test_auto_without_abc_falls_back_to_sat(tmp_path, monkeypatch):
    monkeypatch.setenv("SC_ABC", str(tmp_path / "no-such-abc"))
    a, b = many_input_and(20), many_input_and(20, complement_last=True)
    result = check_equivalence(a, b)
    assert result.method == "sat"
    assert_real_counterexample(result, a, b)
