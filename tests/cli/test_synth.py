from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sc_plugin.aig.aiger import read_aiger, read_aiger_bytes
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.cli.synth import main, read_batch_file
from sc_plugin.learned.checkpoint import default_checkpoint_path

FIELDS = {"tt_hex", "care_hex", "n_inputs", "ands", "levels", "engine", "verified", "optimal", "time_s", "aag"}




@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SC_CACHE", str(tmp_path / "cache.sqlite"))


def test_single_hex_text(capsys, require_abc):
    assert main(["e8", "--engine", "exact"]) == 0
    out = capsys.readouterr().out
    assert "ands=4" in out and "optimal=yes" in out


def test_single_hex_json_and_out_file(capsys, tmp_path, require_abc):
    out_file = tmp_path / "f.aig"
    assert main(["ca", "--engine", "portfolio", "--json", "--out", str(out_file), "--budget-ms", "5000"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert FIELDS <= set(record)
    assert record["ands"] == 3 and record["verified"] and record["optimal"] and record["n_inputs"] == 3
    aig = read_aiger_bytes(record["aag"].encode())
    assert aig.num_pis == 3 and output_truth_tables(aig) == [0xCA]
    assert output_truth_tables(read_aiger(out_file)) == [0xCA]


def test_inputs_option_and_abc_engine(capsys, require_abc):
    assert main(["8", "--inputs", "2", "--engine", "abc", "--json", "--no-cache"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["ands"] == 1 and record["engine"] == "abc"


def test_batch_with_shared_cut_format(tmp_path, capsys, require_abc):
    cut_file = tmp_path / "cuts.txt"
    cut_file.write_text("# comment\n# another\nid\ttt_hex\tcircuit\tnode\tcone_ands\tnpn_canon\n"
                        "0\t00000000ffff00f7\tadder\t276\t5\t0\n"
                        "1\t404040404040ea40\tbar\t1587\t6\t0\n"
                        "2\t88888880fffffff0\tx\t1\t5\t0\n")
    out = tmp_path / "r.jsonl"
    assert main(["--batch", str(cut_file), "--engine", "exact", "--budget-ms", "20000", "--json-out", str(out),
                 "--quiet"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["tt_hex"] for r in records] == ["00000000ffff00f7", "404040404040ea40", "88888880fffffff0"]
    assert [r["ands"] for r in records] == [5, 6, 5]
    assert all(FIELDS <= set(r) and r["verified"] and r["n_inputs"] == 6 for r in records)
    summary = capsys.readouterr().out
    assert "3 functions, 3 verified" in summary and "total ANDs 16" in summary


def test_batch_plain_hex_lines(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("8\n\n# c\ne8 7f\n6996\n")
    assert read_batch_file(plain) == [("8", None), ("e8", "7f"), ("6996", None)]


def test_batch_care_column_in_the_tab_separated_format(tmp_path):
    cut_file = tmp_path / "cuts.tsv"
    cut_file.write_text("id\ttt_hex\tcare_hex\n0\t6\t7\n1\te8\t\n")
    assert read_batch_file(cut_file) == [("6", "7"), ("e8", None)]


def test_care_set_lets_xor2_become_one_and(capsys):
    """XOR2 with minterm 3 free: OR2 matches it on the care set (1 AND; the complete XOR2 needs 3)."""
    assert main(["6", "--care", "7", "--engine", "exact", "--no-cache", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["care_hex"] == "7" and record["ands"] == 1 and record["verified"]
    got = output_truth_tables(read_aiger_bytes(record["aag"].encode()))[0]
    assert (got ^ 0x6) & 0x7 == 0


def test_batch_records_carry_the_care_set(tmp_path, capsys):
    batch = tmp_path / "batch.txt"
    batch.write_text("6 7\n6\n")
    out = tmp_path / "r.jsonl"
    assert main(["--batch", str(batch), "--engine", "exact", "--no-cache", "--quiet", "--json-out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["care_hex"], r["ands"]) for r in records] == [("7", 1), (None, 3)]


@pytest.mark.parametrize("args, message", [
    (["6", "--care", "77"], "care set: truth table '77': 2 inputs need 1 hex digits"),
    (["6", "--care", "xz"], "care set: truth table 'xz' has non-hex characters"),
    (["--batch", "{tmp}/three.txt"], "expected 'TABLE_HEX [CARE_HEX]', got 3 fields"),
    (["--batch", "{tmp}/badcare.txt"], "entry 1: care set: truth table 'e8e8'"),
    (["--batch", "{tmp}/three.txt", "--care", "7"], "--care are for a single function"),
])
def test_bad_care_sets_are_one_line_errors(tmp_path, capsys, args, message):
    (tmp_path / "three.txt").write_text("6 7 8\n")
    (tmp_path / "badcare.txt").write_text("e8 e8e8\n")
    assert main([a.format(tmp=tmp_path) for a in args] + ["--no-cache"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-synth: error:") and message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("bad", ["123", "12x4", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                                 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", "xyz", "abc"])
def test_bad_hex_is_a_one_line_error(bad, capsys):
    assert main([bad, "--engine", "abc"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("sc-synth: error:") and len(err.strip().splitlines()) == 1


def test_too_many_inputs_is_an_error(capsys):
    assert main(["8", "--inputs", "9"]) != 0
    assert "at most 8" in capsys.readouterr().err


def test_bad_hex_in_a_subprocess_has_no_traceback():
    for bad in ("12x4", "123"):
        proc = subprocess.run([sys.executable, "-m", "sc_plugin.cli.synth", bad], capture_output=True, text=True)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr and "error" in proc.stderr


def test_help_lists_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for option in ("--inputs", "--engine", "--budget-ms", "--out", "--json", "--batch", "--json-out", "--cache",
                   "--no-cache", "--mcts-simulations", "--mcts-rollouts", "--mcts-precision", "--checkpoint",
                   "default"):
        assert option in text


def test_conflicting_modes_are_refused(capsys, tmp_path):
    assert main(["8", "--batch", str(tmp_path / "x")]) != 0
    assert main([]) != 0


def test_learned_engine_options(capsys):
    assert main(["e8", "--engine", "mcts", "--mcts-simulations", "2", "--mcts-rollouts", "3", "--mcts-precision",
                 "float32", "--checkpoint", str(default_checkpoint_path()), "--no-cache", "--json", "--verbose",
                 "--budget-ms", "600000"]) == 0  # rollouts run only while the budget lasts: never let a slow host skip them
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["engine"] == "mcts" and record["verified"] and record["ands"] >= 4  # MAJ3 needs 4 ANDs
    assert "mcts: 1 functions, 0 trivial, 1 solved by search, 1 episodes, 3 rollouts" in captured.err


@pytest.mark.parametrize("args, message", [
    (["--engine", "abc", "--mcts-rollouts", "3"], "--mcts-rollouts: only for --engine mcts or portfolio"),
    (["--engine", "mcts", "--mcts-simulations", "-1"], "--mcts-simulations must be at least 0"),
    (["--engine", "portfolio", "--checkpoint", "nowhere.pt"], "nowhere.pt: checkpoint file not found"),
])
def test_learned_engine_options_are_checked_before_any_work(args, message, capsys):
    assert main(["e8", "--no-cache", *args]) == 1
    assert message in capsys.readouterr().err


def test_a_batch_file_that_is_not_utf8_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "random.aig").write_bytes(bytes(range(256)))
    assert main(["--batch", str(tmp_path / "random.aig"), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-synth: error:") and "not a UTF-8 text file" in err and err.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["8", "--out", "{tmp}/missing/f.aig"], "does not exist"),
    (["8", "--out", "{tmp}/f.v"], "give a .aig or .aag file"),
    (["--batch", "{tmp}/batch.txt", "--json-out", "{tmp}/missing/r.jsonl"], "does not exist"),
])
def test_output_paths_are_checked_before_any_work(tmp_path, monkeypatch, capsys, args, message):
    import sc_plugin.cli.synth as synth

    (tmp_path / "batch.txt").write_text("8\n")
    monkeypatch.setattr(synth, "make_engine", lambda *a, **k: pytest.fail("engine built before checking"))
    assert main([a.format(tmp=tmp_path) for a in args] + ["--no-cache"]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_json_out_is_replaced_only_when_the_batch_is_done(tmp_path, monkeypatch, capsys):
    import sc_plugin.cli.synth as synth

    (tmp_path / "batch.txt").write_text("8\ne8\n")
    (tmp_path / "r.jsonl").write_text("old\n")

    class Interrupted:
        name = "abc"

        def synthesize_batch(self, functions, *, budget):
            raise KeyboardInterrupt

    monkeypatch.setattr(synth, "make_engine", lambda *a, **k: Interrupted())
    assert main(["--batch", str(tmp_path / "batch.txt"), "--json-out", str(tmp_path / "r.jsonl"), "--no-cache",
                 "--quiet"]) == 130
    assert (tmp_path / "r.jsonl").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.txt", "r.jsonl"]


def test_json_out_without_a_batch_is_refused(tmp_path, capsys):
    assert main(["e8", "--json-out", str(tmp_path / "r.jsonl")]) == 1
    assert "--json-out is for --batch" in capsys.readouterr().err
    assert not (tmp_path / "r.jsonl").exists()


def test_text_line_names_the_engine_asked_and_the_one_whose_circuit_won(capsys, require_abc):
    assert main(["8", "--inputs", "2", "--engine", "abc", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "engine=abc" in out and "circuit_by" not in out
    # the exact engine proves ABC's 4-AND majority optimal and keeps that circuit
    assert main(["e8", "--engine", "exact", "--no-cache"]) == 0
    assert "engine=exact circuit_by=abc optimal=yes" in capsys.readouterr().out
