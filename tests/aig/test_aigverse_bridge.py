from pathlib import Path

from aigverse.algorithms import aig_resubstitution

from sc_plugin.aig import output_truth_tables, read_aiger
from sc_plugin.aig.aigverse_bridge import from_aigverse, to_aigverse

ISCAS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "iscas85"


def test_round_trip_keeps_structure_and_names():
    original = read_aiger(ISCAS / "c432.aig")
    back = from_aigverse(to_aigverse(original), like=original)
    assert back.fanin0 == original.fanin0 and back.fanin1 == original.fanin1 and back.pos == original.pos
    assert back.pi_names == original.pi_names and back.po_names == original.po_names


def test_mockturtle_algorithm_result_converts_back_to_the_same_function():
    original = read_aiger(ISCAS / "c17.aig")
    net = to_aigverse(original)
    aig_resubstitution(net)
    back = from_aigverse(net)
    assert back.num_ands <= original.num_ands
    assert output_truth_tables(back) == output_truth_tables(original)
