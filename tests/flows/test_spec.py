"""Flow-file validation: every mistake names the file and the place."""

from pathlib import Path

import pytest

from sc_plugin.flows import FlowSpecError, load_flow, shared_root

REPO = Path(__file__).resolve().parents[2]
C17 = "${REPO}/flows/designs/iscas85/c17.aig"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(text)
    return path


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(FlowSpecError) as info:
        load_flow(path)
    message = str(info.value)
    assert str(path) in message
    return message


def _fake_shared(tmp_path: Path, monkeypatch, files: list[str]) -> Path:
    """A stand-in for the shared data folder ($SC_SHARED) holding empty files: the tests never read ../shared."""
    root = tmp_path / "shared"
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"")
    monkeypatch.setenv("SC_SHARED", str(root))
    return root


def test_valid_file_resolves_shared_globs_and_defaults(tmp_path, monkeypatch):
    _fake_shared(tmp_path, monkeypatch, ["benchmarks/iscas85/c17.aig", "benchmarks/iscas85/c432.aig",
                                         "benchmarks/iscas85/c880.aig"])
    path = _write(tmp_path, "designs: ['${SHARED}/benchmarks/iscas85/c17.aig', '${SHARED}/benchmarks/iscas85/c43*.aig']\n"
                            "flows:\n  - {name: r2, baseline: true, steps: [{abc: resyn2}]}\n"
                            "  - {name: ours, time_limit_s: 5, steps: [{sc_opt: {engine: abc, rounds: 1}}]}\n")
    spec = load_flow(path)
    assert [d.name for d in spec.designs] == ["c17", "c432"]
    assert spec.designs[0].path == (shared_root() / "benchmarks/iscas85/c17.aig").resolve()
    assert spec.name == "flow" and spec.kind == "aig" and spec.verify_method == "abc"
    assert spec.baselines == ("r2",)
    assert spec.flows[1].time_limit_s == 5 and spec.flows[0].time_limit_s == 600
    assert spec.flows[0].fingerprint() != spec.flows[1].fingerprint()


def test_unknown_top_level_key(tmp_path):
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{abc: resyn2}}]}}]\ntimeout: 3\n")
    assert "unknown key timeout" in message


def test_missing_flows(tmp_path):
    assert "missing required key 'flows'" in _error(tmp_path, f"designs: ['{C17}']\n")


def test_flow_without_steps(tmp_path):
    assert "flows[1]: missing required key 'steps'" in _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a}}]\n")


def test_unknown_step_option_and_kind(tmp_path):
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{abc: resyn2, times: 3}}]}}]\n")
    assert "flow 'a': steps[1] (abc): unknown key times" in message
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{resyn: 2}}]}}]\n")
    assert "exactly one kind key" in message
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{sc_opt: {{engine: magic}}}}]}}]\n")
    assert "option engine: unknown value 'magic'" in message


def test_wrong_types(tmp_path):
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, time_limit_s: soon, steps: [{{abc: b}}]}}]\n")
    assert "'time_limit_s' must be int or float" in message
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{abc: b, repeat: true}}]}}]\n")
    assert "'repeat' must be a number" in message


def test_step_of_another_kind_of_flow(tmp_path):
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{cuts: {{engine: abc}}}}]}}]\n")
    assert "belongs to flows of kind 'cuts'" in message


def test_designs_that_match_nothing_and_duplicate_names(tmp_path):
    assert "matches no file" in _error(tmp_path, "designs: [nowhere/*.aig]\nflows: [{name: a, steps: [{abc: b}]}]\n")
    assert "unknown variable" in _error(tmp_path, "designs: ['${DATA}/x.aig']\nflows: [{name: a, steps: [{abc: b}]}]\n")
    message = _error(tmp_path, f"designs: ['{C17}', '{C17}']\nflows: [{{name: a, steps: [{{abc: b}}]}}]\n")
    assert "two designs are named 'c17'" in message
    message = _error(tmp_path, f"designs: ['{C17}']\nflows: [{{name: a, steps: [{{abc: b}}]}}, "
                               "{name: a, steps: [{abc: c}]}]\n")
    assert "two flows have this name" in message


def test_bad_yaml(tmp_path):
    assert "not valid YAML" in _error(tmp_path, "designs: [\n")


def test_relative_designs_resolve_from_the_flow_files_folder_whatever_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = load_flow(REPO / "flows" / "quick.yaml")
    assert spec.designs[0].path == REPO / "flows" / "designs" / "iscas85" / "c432.aig"
    monkeypatch.chdir(REPO / "flows")
    assert load_flow("quick.yaml").designs == spec.designs


def test_repository_flow_files_are_valid(tmp_path, monkeypatch):
    # Only benchmark-only data (the cut-function sets) may come from ${SHARED}: stand-ins make those flows loadable.
    _fake_shared(tmp_path, monkeypatch, ["benchmarks/cuts/cut6_tt.txt", "benchmarks/cuts/cut8_tt.txt",
                                         "benchmarks/cuts/cut8_tt_hard.txt"])
    names = {path.stem: load_flow(path) for path in (REPO / "flows").glob("*.yaml")}
    assert {"epfl_aig", "cuts", "liberty_area", "quick"} <= set(names)
    assert len([d for d in names["epfl_aig"].designs]) == 31  # 20 EPFL + 11 ISCAS85
    for name in ("quick", "epfl_aig", "liberty_area"):  # designs ship with the repository
        assert all(d.path.is_relative_to(REPO / "flows" / "designs") for d in names[name].designs), name
