"""Running flows end to end on ISCAS c17 and c432: reports, resume, and broken outputs reported as failures."""

import csv
import json
from pathlib import Path

import pytest

from sc_plugin.flows import RunParams, load_flow, read_records, run_flow, write_reports
from sc_plugin.flows.steps import sc_then_abc_loop

TINY = """\
designs: ['${REPO}/flows/designs/iscas85/c17.aig', '${REPO}/flows/designs/iscas85/c432.aig']
time_limit_s: 60
verify: {method: abc, time_limit_s: 30}
flows:
  - {name: resyn2, baseline: true, steps: [{abc: resyn2}]}
  - {name: sc_opt, steps: [{sc_opt: {engine: abc, rounds: 1, budget_ms: 100, no_cache: true}}]}
"""


@pytest.fixture(autouse=True)
def _fake_steps_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))


def _spec(tmp_path, text=TINY):
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    return load_flow(path)


def test_tiny_flow_writes_csv_json_markdown_and_png(tmp_path):
    spec = _spec(tmp_path)
    out = tmp_path / "out"
    records = run_flow(spec, RunParams(out_dir=out, quiet=True))
    assert [(r["design"], r["flow"]) for r in records] == [("c17", "resyn2"), ("c17", "sc_opt"),
                                                           ("c432", "resyn2"), ("c432", "sc_opt")]
    assert all(r["status"] == "ok" and r["verified"] == "equivalent" for r in records)
    c432 = {r["flow"]: r for r in records if r["design"] == "c432"}
    assert c432["resyn2"]["ands_in"] == 208 and c432["resyn2"]["ands"] < 208
    paths = write_reports(spec, records, out, command="test")
    assert {p.name for p in paths} == {"results.csv", "results.json", "table.md", "ratio_to_best_abc.png"}
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert len(rows) == 4 and rows[0]["design"] == "c17" and rows[0]["verified"] == "equivalent"
    summary = json.loads((out / "results.json").read_text())
    assert summary["best_abc"]["c432"] == c432["resyn2"]["ands"] and len(summary["records"]) == 4
    table = (out / "table.md").read_text()
    assert "| c432 | 208 | " in table and "sc_opt / best ABC" in table
    assert f"{c432['sc_opt']['ands'] / c432['resyn2']['ands']:.4f}" in table
    assert (out / "ratio_to_best_abc.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resume_skips_finished_tasks_and_redoes_edited_flows(tmp_path):
    text = TINY.replace("sc_opt: {engine: abc, rounds: 1, budget_ms: 100, no_cache: true}", "python: fake_steps:do_nothing")
    spec = _spec(tmp_path, text)
    out = tmp_path / "out"
    first = run_flow(spec, RunParams(out_dir=out, quiet=True))
    # Pretend the run was interrupted after three tasks: drop the last record.
    lines = (out / "records.jsonl").read_text().splitlines()
    (out / "records.jsonl").write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])  # and a line cut short
    ran = []
    second = run_flow(spec, RunParams(out_dir=out, resume=True, quiet=True), on_record=ran.append)
    assert [(r["design"], r["flow"]) for r in ran] == [("c432", "sc_opt")]
    assert len(second) == 4 and [r["ands"] for r in second] == [r["ands"] for r in first]
    # Editing a flow changes its fingerprint: its tasks run again, the others stay done.
    ran.clear()
    edited = _spec(tmp_path, text.replace("{abc: resyn2}", "{abc: resyn2, repeat: 2}"))
    run_flow(edited, RunParams(out_dir=out, resume=True, quiet=True), on_record=ran.append)
    assert sorted((r["design"], r["flow"]) for r in ran) == [("c17", "resyn2"), ("c432", "resyn2")]
    assert len(read_records(out)) == 4
    # Without --resume everything runs again.
    ran.clear()
    run_flow(edited, RunParams(out_dir=out, quiet=True), on_record=ran.append)
    assert len(ran) == 4


def test_output_that_fails_equivalence_is_a_failure_not_a_gain(tmp_path):
    text = TINY.replace("sc_opt: {engine: abc, rounds: 1, budget_ms: 100, no_cache: true}",
                        "python: fake_steps:invert_first_output")
    spec = _spec(tmp_path, text)
    out = tmp_path / "out"
    records = run_flow(spec, RunParams(out_dir=out, quiet=True))
    broken = [r for r in records if r["flow"] == "sc_opt"]
    assert all(r["status"] == "failed" and r["verified"] == "not_equivalent" for r in broken)
    write_reports(spec, records, out)
    table = (out / "table.md").read_text()
    assert "| c432 | 208 | **" in table and "| fail |" in table
    assert "sc_opt: 2 failed" in table


def test_time_limit_stops_a_task_and_records_a_timeout(tmp_path):
    text = TINY.replace("time_limit_s: 60", "time_limit_s: 1").replace(
        "{name: resyn2, baseline: true, steps: [{abc: resyn2}]}",
        "{name: deepsyn, baseline: true, steps: [{abc: '&get; &deepsyn -T 30; &put'}]}").replace(
        "['${REPO}/flows/designs/iscas85/c17.aig', '${REPO}/flows/designs/iscas85/c432.aig']",
        "['${REPO}/flows/designs/iscas85/c432.aig']").replace(
        "sc_opt: {engine: abc, rounds: 1, budget_ms: 100, no_cache: true}", "python: fake_steps:do_nothing")
    records = run_flow(_spec(tmp_path, text), RunParams(out_dir=tmp_path / "out", jobs=2, quiet=True))
    status = {r["flow"]: r["status"] for r in records}
    assert status == {"deepsyn": "timeout", "sc_opt": "ok"}


def test_loop_keeps_the_smaller_network_while_either_step_gains():
    class Net:
        def __init__(self, n):
            self.num_ands = n

    steps = iter([Net(90), Net(95), Net(85), Net(80), Net(80), Net(81)])
    result, iterations = sc_then_abc_loop(Net(100), lambda a: next(steps), lambda a: next(steps), max_iterations=9)
    assert result.num_ands == 80 and iterations == 3


def test_a_schedule_record_says_which_steps_saved_ands(tmp_path):
    text = TINY.replace("""steps: [{sc_opt: {engine: abc, rounds: 1, budget_ms: 100, no_cache: true}}]""",
                        """time_limit_s: 3, steps: [{sc_opt: {engine: abc, no_cache: true, schedule: {steps: [
                           {name: fold, abc: 'strash; dc2'}]}}}]""")
    records = run_flow(_spec(tmp_path, text), RunParams(out_dir=tmp_path / "out", quiet=True))
    c432 = next(r for r in records if r["design"] == "c432" and r["flow"] == "sc_opt")
    assert c432["status"] == "ok" and c432["ands"] < 208
    assert f"ANDs saved by step: fold -{208 - c432['ands']}" in c432["message"]
