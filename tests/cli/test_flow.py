"""sc-flow: run, resume, list and report on a tiny flow; user errors exit 1 with one line."""

from sc_plugin.cli import flow

TINY = """\
name: tiny
designs: ['${REPO}/flows/designs/iscas85/c17.aig', '${REPO}/flows/designs/iscas85/c432.aig']
time_limit_s: 60
verify: {method: abc, time_limit_s: 30}
flows:
  - {name: resyn2, baseline: true, steps: [{abc: resyn2}]}
  - {name: sc_opt, steps: [{sc_opt: {engine: abc, rounds: 1, budget_ms: 100, no_cache: true}}]}
"""


def test_run_writes_reports_and_resume_runs_nothing_new(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    assert flow.main(["run", str(path), "--jobs", "2"]) == 0
    out_dir = tmp_path / "results" / "tiny"
    assert {p.name for p in out_dir.iterdir()} == {"records.jsonl", "results.csv", "results.json", "table.md",
                                                   "ratio_to_best_abc.png"}
    captured = capsys.readouterr()
    assert "4 tasks: 4 ok" in captured.out and "| c432 | 208 |" in captured.out
    assert "[4/4]" in captured.err
    assert flow.main(["run", str(path), "--resume", "--out", str(out_dir)]) == 0
    captured = capsys.readouterr()
    assert "4 of 4 tasks already finished, 0 to run" in captured.err and "[1/" not in captured.err
    assert flow.main(["report", str(path)]) == 0
    assert "4 records" in capsys.readouterr().out


def test_partial_run_keeps_the_other_records(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    out = tmp_path / "o"
    assert flow.main(["run", str(path), "--out", str(out), "--designs", "c17", "-q"]) == 0
    assert flow.main(["run", str(path), "--out", str(out), "--designs", "c432", "--flows", "resyn2", "-q"]) == 0
    table = (out / "table.md").read_text()
    assert "| c17 |" in table and "| c432 |" in table
    assert "3 tasks: 3 ok" in capsys.readouterr().out


def test_list_and_user_errors(tmp_path, capsys, monkeypatch):
    # flows/cuts.yaml reads the cut-function sets from ${SHARED}: empty stand-ins let `list` load it in a plain clone
    cuts = tmp_path / "shared" / "benchmarks" / "cuts"
    cuts.mkdir(parents=True)
    for name in ("cut6_tt.txt", "cut8_tt.txt", "cut8_tt_hard.txt"):
        (cuts / name).write_text("")
    monkeypatch.setenv("SC_SHARED", str(tmp_path / "shared"))
    assert flow.main(["list"]) == 0
    assert "flows/epfl_aig.yaml: 31 designs x 7 flows" in capsys.readouterr().out
    path = tmp_path / "bad.yaml"
    path.write_text(TINY.replace("time_limit_s: 60", "time_limit: 60"))
    assert flow.main(["run", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"sc-flow: error: {path}: unknown key time_limit (allowed: " \
        "description, designs, flows, kind, limit, name, time_limit_s, verify)"
    path.write_text(TINY)
    assert flow.main(["run", str(path), "--designs", "c9999"]) == 1
    assert "no design named c9999" in capsys.readouterr().err
    assert flow.main(["run", str(tmp_path / "missing.yaml")]) == 1
