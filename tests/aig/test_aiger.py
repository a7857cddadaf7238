from pathlib import Path

import pytest

from sc_plugin.aig import Aig, aiger_bytes, output_truth_tables, read_aiger, read_aiger_bytes, write_aiger
from sc_plugin.aig.io import read_network
from sc_plugin.errors import AigerFormatError, UnsupportedFileError

DESIGNS = Path(__file__).resolve().parents[2] / "flows" / "designs"  # shipped with the repository
BENCHMARKS = sorted(DESIGNS.glob("epfl/*.aig")) + sorted(DESIGNS.glob("iscas85/*.aig"))


def _same_structure(a: Aig, b: Aig) -> bool:
    return (a.num_pis == b.num_pis and a.fanin0 == b.fanin0 and a.fanin1 == b.fanin1 and a.pos == b.pos
            and a.pi_names == b.pi_names and a.po_names == b.po_names)


def test_benchmarks_are_present():
    assert len(BENCHMARKS) == 31, f"expected the 20 EPFL and 11 ISCAS85 AIGs under {DESIGNS}"


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_round_trip_binary_and_ascii(path, tmp_path):
    # Identical structure (fanins, outputs, names) is a proof of equivalence; the CEC tests check it by ABC too.
    original = read_aiger(path)
    for name in ("copy.aig", "copy.aag"):
        write_aiger(original, tmp_path / name)
        again = read_aiger(tmp_path / name)
        assert again.num_ands == original.num_ands
        assert _same_structure(original, again)


def test_ascii_reader_sorts_and_gates_topologically():
    text = b"aag 5 2 0 1 3\n2\n4\n11\n10 7 9\n6 2 4\n8 3 5\ni0 x\ni1 y\no0 xnor\n"
    aig = read_aiger_bytes(text)
    assert aig.num_ands == 3
    assert output_truth_tables(aig) == [0b1001]
    assert aig.pi_names == ["x", "y"] and aig.po_names == ["xnor"]


def test_latches_are_cut_and_restored():
    # A toggle flip-flop with enable: q' = q xor en, init 1; output q.
    text = b"aag 5 1 1 1 3\n2\n4 11 1\n4\n6 2 5\n8 3 4\n10 7 9\ni0 en\nl0 q\no0 out\n"
    aig = read_aiger_bytes(text)
    assert (aig.num_pis, aig.num_pos, aig.num_latches) == (2, 2, 1)
    assert aig.latch_inits == [1] and aig.latch_names == ["q"]
    for binary in (True, False):
        again = read_aiger_bytes(aiger_bytes(aig, binary=binary))
        assert again.num_latches == 1 and again.latch_inits == [1] and again.latch_names == ["q"]
        assert output_truth_tables(again) == output_truth_tables(aig)


def test_comments_survive():
    aig = Aig()
    aig.create_po(aig.create_pi("a"), "y")
    aig.comments = ["made by a test"]
    assert read_aiger_bytes(aiger_bytes(aig)).comments == ["made by a test"]


@pytest.mark.parametrize("content, problem", [
    (b"", "truncated"),
    (b"hello 1 2 3\n", "bad header"),
    (b"aig 3 2 0\n", "bad header"),
    (b"aig x 2 0 1 1\n", "bad header"),
    (b"aig 4 2 0 1 1\n6\n", "M=4 must equal"),
    (b"aig 3 2 0 1 1\n6\n", "truncated"),
    (b"aig 3 2 0 1 1\n6\n\x02", "truncated"),
    (b"aig 3 2 0 1 1\n99\n\x02\x02", "out of range"),
    (b"aag 3 2 0 1 1\n2\n4\n6\n6 6 2\n", "cycle"),
    (b"aag 4 2 0 1 2\n2\n4\n6\n6 8 2\n8 6 4\n", "cycle"),
    (b"aag 3 2 0 1 1\n2\n4\n6\n6 2 44\n", "out of range"),
    (b"aag 3 2 0 1 0\n2\n4\n6\n", "never defined"),
    (b"aag 1 1 0 1 0\n2\n2\ni5 x\n", "does not exist"),
    (b"aig 1 1 0 0 0 1\n", "not supported"),
])
def test_malformed_files_give_one_line_errors(tmp_path, content, problem):
    path = tmp_path / "bad.aig"
    path.write_bytes(content)
    with pytest.raises(AigerFormatError) as info:
        read_aiger(path)
    message = str(info.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_unknown_file_type_and_missing_file(tmp_path):
    with pytest.raises(UnsupportedFileError, match="unknown file type"):
        read_network(tmp_path / "design.blif")
    with pytest.raises(AigerFormatError, match="cannot read file"):
        read_network(tmp_path / "missing.aig")
