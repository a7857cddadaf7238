import json
from pathlib import Path

import pytest

from sc_plugin.aig import Aig, output_truth_tables, read_aiger, write_aiger
from sc_plugin.cli import opt
from sc_plugin.rewrite import pipeline
from sc_plugin.verify.cec import CecResult, Verdict


def _redundant(path: Path) -> Aig:
    """(a & b) | (a & c) | (a & d): five ANDs where a & (b | c | d) needs three."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    ab, ac, ad = aig.create_and(a, b), aig.create_and(a, c), aig.create_and(a, d)
    aig.create_po(aig.create_or(aig.create_or(ab, ac), ad), "y")
    write_aiger(aig, path)
    return aig


def test_optimizes_verifies_and_reports_json(tmp_path, capsys):
    original = _redundant(tmp_path / "in.aig")
    code = opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aag"), "--engine", "exact",
                     "--cache", str(tmp_path / "cache.sqlite"), "--json", "-q"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["verified"] is True and summary["ands_before"] == original.num_ands
    result = read_aiger(tmp_path / "out.aag")
    assert summary["ands_after"] == result.num_ands == 3
    assert output_truth_tables(result) == output_truth_tables(original)
    assert result.po_names == ["y"]


def test_failed_proof_writes_the_input_unchanged(tmp_path, monkeypatch, capsys):
    original = _redundant(tmp_path / "in.aig")
    refuted = CecResult(verdict=Verdict.NOT_EQUIVALENT, method="abc", counterexample=None, failing_output=0,
                        time_s=0.0, message="stand-in refutation")
    monkeypatch.setattr(pipeline, "check_equivalence", lambda *args, **kwargs: refuted)
    code = opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aig"), "--engine", "exact", "--no-cache",
                     "-q"])
    assert code == 1
    assert "output is the input" in capsys.readouterr().err
    result = read_aiger(tmp_path / "out.aig")
    assert result.fanin0 == original.fanin0 and result.pos == original.pos


def test_bad_input_is_a_one_line_error_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "bad.aig").write_bytes(b"aig 1 2\n")
    assert opt.main([str(tmp_path / "bad.aig"), "-o", str(tmp_path / "out.aig"), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-opt: error:") and "bad header" in err and "Traceback" not in err
    assert not (tmp_path / "out.aig").exists()


def test_bad_option_values_are_one_line_errors_with_status_1(tmp_path, capsys):
    _redundant(tmp_path / "in.aig")
    for option in (["--k", "0"], ["--k", "99"], ["--time-limit", "0"], ["--time-limit", "-1"],
                   ["--cuts-per-node", "0"], ["--engine", "nope"], ["--bogus"]):
        assert opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aig"), *option]) == 1, option
        err = capsys.readouterr().err
        assert err.startswith("sc-opt: error:") and err.count("\n") == 1, (option, err)
    assert not (tmp_path / "out.aig").exists()


EXAMPLE = Path(__file__).resolve().parents[2] / "sc_plugin" / "data" / "examples" / "int2float.aig"


def _stand_in_abc(tmp_path: Path, body: str) -> str:
    path = tmp_path / "broken_abc"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def test_a_broken_abc_writes_the_input_with_a_few_lines_and_status_1(tmp_path, monkeypatch, capsys):
    for body in ("exit 1", "kill -SEGV $$", "exit 0"):
        monkeypatch.setenv("SC_ABC", _stand_in_abc(tmp_path, body))
        out = tmp_path / "out.aig"
        out.unlink(missing_ok=True)
        assert opt.main([str(EXAMPLE), "-o", str(out), "--engine", "abc", "--no-cache"]) == 1, body
        captured = capsys.readouterr()
        lines = (captured.out + captured.err).splitlines()
        assert len(lines) <= 3 and all(len(line) < 600 for line in lines), (body, lines)
        assert lines[-1].startswith("sc-opt: error:") and "output is the input" in lines[-1]
        assert out.read_bytes() == EXAMPLE.read_bytes(), body


def test_a_bad_output_path_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    _redundant(tmp_path / "in.aig")
    monkeypatch.setattr(opt, "optimize_verified", lambda *args, **kwargs: pytest.fail("optimized before checking"))
    (tmp_path / "folder.aig").mkdir()
    for output, message in ((tmp_path / "missing" / "out.aig", "does not exist"),
                            (tmp_path / "out.blif", "unknown file type"), (tmp_path / "folder.aig", "is a folder")):
        assert opt.main([str(tmp_path / "in.aig"), "-o", str(output), "--no-cache"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("sc-opt: error:") and message in err and err.count("\n") == 1, err


def test_reads_a_yosys_netlist_with_flip_flops_and_writes_verilog(tmp_path, capsys):
    netlist = Path(__file__).resolve().parents[1] / "aig" / "data" / "counter.yosys.v"
    assert opt.main([str(netlist), "-o", str(tmp_path / "out.v"), "--engine", "exact", "--no-cache", "-q"]) == 0
    text = (tmp_path / "out.v").read_text()
    assert "always @(posedge clk)" in text and "input clk;" in text


def test_a_file_that_is_not_utf8_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "random.v").write_bytes(bytes(range(256)) * 4)
    assert opt.main([str(tmp_path / "random.v"), "-o", str(tmp_path / "out.v"), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-opt: error:") and "not a UTF-8 text file" in err and err.count("\n") == 1


@pytest.mark.parametrize("option, message", [
    (["--time-limit", "inf"], "option --time-limit must be at most"),
    (["--time-limit", "nan"], "option --time-limit expects a number"),
    (["--budget-ms", "1e12"], "option --budget-ms must be at most"),
    (["--odc-levels", "2"], "option --odc-levels needs option --dont-cares"),
    (["--engine", "mcts", "--checkpoint", "/no/such/model.pt"], "option --checkpoint: no file /no/such/model.pt"),
    (["--cache", "/"], "option --cache: / is a folder"),
])
def test_option_errors_name_the_option_as_typed_before_any_work(tmp_path, capsys, option, message):
    _redundant(tmp_path / "in.aig")
    assert opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aig"), *option]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out.aig").exists()


def test_json_of_a_schedule_reports_its_steps(tmp_path, capsys):
    _redundant(tmp_path / "in.aig")
    schedule = tmp_path / "one_step.yaml"
    schedule.write_text("name: two_steps\npasses: 1\nsteps:\n  - {name: sc, sc: {rounds: 1}, share: 1}\n"
                        "  - {name: rewrite, abc: \"strash; rewrite\", share: 0}\n")
    code = opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aig"), "--time-limit", "5", "--schedule",
                     str(schedule), "--engine", "abc", "--no-cache", "--json", "-q"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rounds"] >= 1 and summary["replacements"] >= 1  # the rounds of the schedule's sc step
    assert summary["schedule"]["passes"] >= 1
    assert "rewrite" in summary["schedule"]["seconds_by_step"]
