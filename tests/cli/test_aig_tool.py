import json
from pathlib import Path

from sc_plugin.aig import Aig, write_aiger
from sc_plugin.cli.aig_tool import main

EXAMPLE = Path(__file__).resolve().parents[2] / "sc_plugin" / "data" / "examples" / "int2float.aig"


def test_info_reports_sizes_and_cuts(capsys):
    assert main(["info", str(EXAMPLE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["inputs"], report["outputs"], report["ands"], report["levels"]) == (11, 7, 260, 16)
    assert report["cuts"] > report["ands"]


def _gate(path: Path, use_or: bool) -> None:
    aig = Aig()
    a, b = aig.create_pi("a"), aig.create_pi("b")
    aig.create_po(aig.create_or(a, b) if use_or else aig.create_and(a, b), "y")
    write_aiger(aig, path)


def test_cec_exit_codes_and_counterexample(tmp_path, capsys):
    _gate(tmp_path / "and.aig", use_or=False)
    _gate(tmp_path / "or.aag", use_or=True)
    assert main(["cec", str(tmp_path / "and.aig"), str(tmp_path / "and.aig")]) == 0
    assert main(["cec", str(tmp_path / "and.aig"), str(tmp_path / "or.aag")]) == 2
    out = capsys.readouterr().out
    assert "not equivalent" in out and "counterexample" in out


def test_convert_and_user_errors(tmp_path, capsys):
    assert main(["convert", str(EXAMPLE), str(tmp_path / "x.v")]) == 0
    assert main(["info", str(tmp_path / "x.v"), "--cut-size", "0"]) == 0
    assert main(["info", str(tmp_path / "missing.aig")]) == 1
    assert main(["convert", str(EXAMPLE), str(tmp_path / "x.blif")]) == 1
    err = capsys.readouterr().err
    assert "cannot read file" in err and "unknown file type" in err and "Traceback" not in err


def test_cec_of_different_interfaces_is_a_one_line_error(tmp_path, capsys):
    _gate(tmp_path / "and.aig", use_or=False)
    assert main(["cec", str(tmp_path / "and.aig"), str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-aig: error:") and "interfaces differ" in err and err.count("\n") == 1, err


def test_convert_checks_the_output_before_reading(tmp_path, capsys):
    (tmp_path / "bad.aig").write_bytes(b"not an aiger file")  # would fail if it were read first
    for output, message in ((tmp_path / "missing" / "x.aig", "does not exist"), (tmp_path / "x.blif", "unknown")):
        assert main(["convert", str(tmp_path / "bad.aig"), str(output)]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err



def test_usage_errors_exit_1_not_the_status_of_a_difference(tmp_path, capsys):
    _gate(tmp_path / "and.aig", use_or=False)
    for args, message in ((["cec", str(tmp_path / "and.aig")], "required: second"),
                          (["info", str(tmp_path / "and.aig"), "--cut-size", "12"], "must be 0 or in 2..8"),
                          (["cec", "a", "b", "--time-limit", "-1"], "positive number of seconds")):
        assert main(args) == 1, args
        err = capsys.readouterr().err
        assert err.startswith("sc-aig: error:") and message in err and err.count("\n") == 1, err
