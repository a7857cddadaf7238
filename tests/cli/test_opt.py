import json
from pathlib import Path

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
