from pathlib import Path

import numpy as np
import pytest

from sc_plugin.aig import output_truth_tables, read_aiger, simulate_outputs
from sc_plugin.aig.io import read_network, write_network
from sc_plugin.aig.verilog import VerilogError

ISCAS = Path(__file__).resolve().parents[2] / "flows" / "designs" / "iscas85"


def test_reads_assigns_gate_primitives_and_vectors(tmp_path):
    path = tmp_path / "t.v"
    path.write_text("""module top(a, b, c, y, z);
  input a, b; input [1:0] c;
  output y; output z;
  wire n1;
  assign y = n1 | (c[0] ^ c[1]);
  assign n1 = ~a & b;
  nand g1(z, a, c[1], 1'b1);
endmodule
""")
    aig = read_network(path)
    assert aig.pi_names == ["a", "b", "c[0]", "c[1]"] and aig.po_names == ["y", "z"]
    y, z = output_truth_tables(aig)
    for m in range(16):
        a, b, c0, c1 = (m >> 0) & 1, (m >> 1) & 1, (m >> 2) & 1, (m >> 3) & 1
        assert (y >> m) & 1 == (((1 - a) & b) | (c0 ^ c1))
        assert (z >> m) & 1 == 1 - (a & c1)


def test_written_netlist_reads_back_equivalent(tmp_path):
    original = read_aiger(ISCAS / "c432.aig")
    write_network(original, tmp_path / "c432.v")
    again = read_network(tmp_path / "c432.v")
    assert again.pi_names == original.pi_names and again.po_names == original.po_names
    patterns = np.random.default_rng(1).integers(0, 2**63, size=(original.num_pis, 8), dtype=np.uint64)
    assert np.array_equal(simulate_outputs(original, patterns), simulate_outputs(again, patterns))
    assert again.num_ands == original.num_ands


@pytest.mark.parametrize("body, problem", [
    ("input a; output y; assign y = a &;", "t.v"),
    ("input a; output y; assign y = b;", "never driven"),
    ("input a; output y; wire w; assign w = y & a; assign y = w;", "loop"),
    ("input a; output y; reg r; assign y = a;", "not supported"),
    ("input a; output y; foo u(y, a);", "not supported"),
])
def test_bad_netlists_give_one_line_errors(tmp_path, body, problem):
    path = tmp_path / "t.v"
    path.write_text(f"module top(a, y); {body} endmodule\n")
    with pytest.raises(VerilogError, match=problem) as info:
        read_network(path)
    assert "\n" not in str(info.value)
