import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sc_plugin.aig import output_truth_tables, read_aiger, simulate_outputs
from sc_plugin.aig.io import read_network, write_network
from sc_plugin.aig.verilog import VerilogError

DATA = Path(__file__).parent / "data"
STOCK_YOSYS = "/usr/bin/yosys"

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
    ("input a; output y; assign y = a &;", r't.v:1: Verilog syntax error near ";"'),
    ("input a; output y; assign y = b;", "never driven"),
    ("input a; output y; wire w; assign w = y & a; assign y = w;", "loop"),
    ("input a; output y; reg r; always @(a) r = a; assign y = r;", "not supported"),
    ("input a; output y; foo u(y, a);", "not supported"),
])
def test_bad_netlists_give_one_line_errors(tmp_path, body, problem):
    path = tmp_path / "t.v"
    path.write_text(f"module top(a, y); {body} endmodule\n")
    with pytest.raises(VerilogError, match=problem) as info:
        read_network(path)
    assert "\n" not in str(info.value)


def test_net_declaration_assignment(tmp_path):
    path = tmp_path / "t.v"
    path.write_text("module top(a, b, y); input a, b; output y; wire t = a & b; wire u = ~t; assign y = u; endmodule\n")
    aig = read_network(path)
    assert aig.num_ands == 1 and output_truth_tables(aig) == [0b0111]


def test_a_file_that_is_not_utf8_gives_one_line(tmp_path):
    path = tmp_path / "random.v"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(VerilogError, match="not a UTF-8 text file") as info:
        read_network(path)
    assert "\n" not in str(info.value)


# ---- gate-level netlists from Yosys, flip-flops included ----------------------------------------------------------
# tests/aig/data/NAME.rtl.v was run through Debian's Yosys 0.23:
#   read_verilog NAME.rtl.v; synth -flatten; abc -g AND; write_verilog -noattr NAME.yosys.v;
#   write_verilog -noattr -noexpr NAME.yosys_noexpr.v
# and, without `abc -g AND` (so $_XOR_, $_OR_, ... remain), write_verilog -noattr -noexpr NAME.yosys_gates.v.


def _counter(v: dict) -> dict:
    a, q = v["a[0]"] | 2 * v["a[1]"], v["q[0]"] | 2 * v["q[1]"]
    nxt = 1 if v["rst"] else (q + a) & 3 if v["en"] else q
    return {"q[0]": q & 1, "q[1]": q >> 1, "y": (v["a[0]"] & v["b[1]"]) ^ v["q[1]"],
            "next q[0]": nxt & 1, "next q[1]": nxt >> 1}


def _flops(v: dict) -> dict:
    d0, d1, en, rst = v["d[0]"], v["d[1]"], v["en"], v["rst"]
    out = {name: v[name] for name in ("q1", "q2", "q3", "q4", "q5", "q6")}
    out.update({"next q1": d0 & d1, "next q2": (d0 | d1) if en else v["q2"], "next q3": 0 if rst else d0 ^ d1,
                "next q4": ((1 if rst else d0) if en else v["q4"]), "next q5": 1 - d1,
                "next q6": 0 if rst else (d0 & (1 - d1)) if en else v["q6"]})
    return out


MODELS = {"counter": _counter, "flops": _flops}
NETLISTS = [(design, form) for design in MODELS for form in ("yosys", "yosys_noexpr", "yosys_gates")]


def _check_against_model(aig, model) -> None:
    """Every output and next state of `aig`, on every input and state, against the design's model."""
    names = aig.pi_names[:aig.num_pis - aig.num_latches] + aig.latch_names
    keys = aig.po_names[:aig.num_pos - aig.num_latches] + [f"next {name}" for name in aig.latch_names]
    tables = output_truth_tables(aig)
    for m in range(1 << aig.num_pis):
        expected = model({name: (m >> i) & 1 for i, name in enumerate(names)})
        assert [(t >> m) & 1 for t in tables] == [expected[k] for k in keys], m


@pytest.mark.parametrize("design, form", NETLISTS)
def test_reads_yosys_netlists_with_flip_flops_as_latches(design, form):
    aig = read_network(DATA / f"{design}.{form}.v")
    assert "clk" not in aig.pi_names  # the clock is implicit, as in AIGER
    assert aig.comments == ["clock clk"]
    _check_against_model(aig, MODELS[design])
    if design == "flops":  # `reg q5 = 1'h1` survives only where Yosys writes expressions (-noattr drops the init)
        assert aig.latch_inits[aig.latch_names.index("q5")] == (1 if form == "yosys" else 2)


@pytest.mark.parametrize("design, form", NETLISTS)
def test_yosys_netlists_round_trip_through_write(tmp_path, design, form):
    aig = read_network(DATA / f"{design}.{form}.v")
    for suffix in (".v", ".aig", ".aag"):
        write_network(aig, tmp_path / f"again{suffix}")
        again = read_network(tmp_path / f"again{suffix}")
        assert (again.pi_names, again.po_names, again.latch_inits, again.comments) == (
            aig.pi_names, aig.po_names, aig.latch_inits, aig.comments), suffix
        assert again.num_ands == aig.num_ands and output_truth_tables(again) == output_truth_tables(aig), suffix
    text = (tmp_path / "again.v").read_text()
    assert "always @(posedge clk)" in text and "clk" in text.splitlines()[0]


def test_written_flip_flops_match_the_rtl_in_yosys(tmp_path):
    """Yosys itself finds the written netlist equivalent to the RTL for 10 cycles from the same initial state."""
    if not os.path.exists(STOCK_YOSYS):
        if os.environ.get("SC_ALLOW_NO_STOCK_YOSYS") == "1":
            pytest.skip("Debian yosys missing and SC_ALLOW_NO_STOCK_YOSYS=1")
        pytest.fail(f"{STOCK_YOSYS} is missing (install.sh installs yosys); set SC_ALLOW_NO_STOCK_YOSYS=1 to skip")
    for design in MODELS:
        write_network(read_network(DATA / f"{design}.yosys.v"), tmp_path / f"{design}.v")
        script = (f"read_verilog {DATA / f'{design}.rtl.v'}; rename {design} gold; read_verilog {tmp_path}/{design}.v; "
                  "rename top gate; proc; miter -equiv -flatten -make_outputs gold gate miter; hierarchy -top miter; "
                  "flatten; opt; sat -verify -seq 10 -set-init-zero -prove trigger 0 miter")
        result = subprocess.run([STOCK_YOSYS, "-q", "-p", script], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, design + result.stdout[-2000:] + result.stderr


@pytest.mark.parametrize("body, problem", [
    ("input c, r, a; output reg y; always @(posedge c or posedge r) if (r) y <= 0; else y <= a;",
     "asynchronous set or reset"),
    ("input c, a; output reg y; always @(negedge c) y <= a;", "falling-edge"),
    ("input c, a; output y; \\$_DFF_N_ f (.C(c), .D(a), .Q(y));", "falling-edge"),
    ("input c, r, a; output y; \\$_DFF_PP0_ f (.C(c), .R(r), .D(a), .Q(y));", "only rising-edge"),
    ("input c, e, a; output reg y, z; always @(posedge c) y <= a; always @(posedge e) z <= a;", "2 clocks"),
    ("input c, a; output reg y; always @(posedge c) y <= a & c;", "clock c is also used as data"),
    ("input a; output y; assign y = 1'bx;", "x or z"),
])
def test_unsupported_flip_flops_give_one_line_errors(tmp_path, body, problem):
    path = tmp_path / "t.v"
    path.write_text(f"module top(c, e, r, a, y, z); {body} endmodule\n")
    with pytest.raises(VerilogError, match=problem) as info:
        read_network(path)
    assert "\n" not in str(info.value)


def test_latches_of_an_aiger_network_round_trip_through_verilog(tmp_path):
    """Vector-named latches with mixed initial values (an `initial` block), and no clock comment (clk)."""
    aag = "aag 5 1 3 1 1\n2\n4 10 1\n6 4\n8 9 8\n10\n10 2 6\ni0 a\nl0 r[0]\nl1 r[1]\nl2 s\no0 y\n"
    (tmp_path / "in.aag").write_text(aag)
    aig = read_network(tmp_path / "in.aag")
    assert aig.latch_inits == [1, 0, 2]
    write_network(aig, tmp_path / "out.v")
    text = (tmp_path / "out.v").read_text()
    assert "reg [1:0] r;" in text and "initial begin" in text and "input clk;" in text
    again = read_network(tmp_path / "out.v")
    assert again.latch_names == ["r[0]", "r[1]", "s"] and again.latch_inits == [1, 0, 2]
    assert output_truth_tables(again) == output_truth_tables(aig) and again.comments == ["clock clk"]
