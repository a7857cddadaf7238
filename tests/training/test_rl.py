"""Phase 2 loop: curriculum, replay buffer, gate and checkpoints, resume, and the three self-play backends."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from sc_plugin.aig.truth import from_words
from sc_plugin.errors import ScError
from sc_plugin.learned.checkpoint import load_checkpoint, load_model
from sc_plugin.learned.model import ModelConfig, PolicyValueNet
from sc_plugin.training.data import DataParams, Sample, build_dataset, merge_datasets
from sc_plugin.training.rl import Curriculum, ReplayBuffer, RlConfig, _update_average, function_pool, reinforce
from sc_plugin.training.selfplay import SelfPlayTask
from sc_plugin.training.train import load_config
from sc_plugin.training.workers import InlineBackend, ModelWeights, ProcessBackend, make_backend

@pytest.fixture
def data_path(tiny_dataset):
    return tiny_dataset[0]


def tiny_config(data_path, out_dir, **overrides) -> RlConfig:
    return load_config("rl_tiny", {"data": str(data_path), "out_dir": str(out_dir), **overrides}, kind=RlConfig)


def test_self_play_pool_plays_episodes_with_dont_cares_with_their_care_masks(tiny_dataset, tmp_path):
    _, complete = tiny_dataset
    empty = tmp_path / "none_tt.txt"
    empty.write_text("id\ttt_hex\n")
    with_care, stats = build_dataset(DataParams(circuits=("sc_plugin/data/examples/int2float.aig",),
                                                exclude_sets=(str(empty),), cones_per_circuit=80, valid_fraction=0.3,
                                                dont_cares=True, seed=1))
    assert stats.cones_kept > 0
    for valid in (False, True):
        alone, _ = function_pool(complete, valid=valid)
        mixed, reference = function_pool(merge_datasets([complete, with_care]), valid=valid)
        assert all(t.care is None for t in alone)
        partial = [t for t in mixed if t.care is not None]
        assert [(t.table, t.num_inputs) for t in mixed if t.care is None] == [(t.table, t.num_inputs) for t in alone]
        assert partial or not valid  # the validation split is small; the training split has care episodes
        for task, size in zip(mixed, reference):
            assert len(task.gold) == size
        for task in partial:  # the gold ends on a node equal to the table (or its complement) on the care set
            mask = (1 << (1 << task.num_inputs)) - 1
            last = from_words(task.gold[-1], task.num_inputs)
            assert (last ^ task.table) & task.care in (0, task.care) and task.care != mask


def test_curriculum_favours_failures_then_poor_results():
    curriculum = Curriculum(np.array([3, 3, 3, 3]))
    curriculum.update(np.array([0, 1, 2]), [None, 5, 3])  # failed, worse than reference, as good
    weights = curriculum.weights()
    assert weights[0] > weights[1] > weights[3] > weights[2]  # failed > worse > unseen > good
    picks = np.concatenate([curriculum.pick(1, np.random.default_rng(s)) for s in range(400)])
    counts = np.bincount(picks, minlength=4)
    assert counts[0] > counts[1] > counts[3] > counts[2]
    assert curriculum.counts() == {"played": 3, "failed": 1, "worse": 1}


def sample(k: int) -> Sample:
    tables = np.arange(4 * (3 + k % 3), dtype=np.uint64).reshape(-1, 4)
    return Sample(num_inputs=3, target=np.full(4, k, np.uint64), care=np.full(4, 2 * k + 1, np.uint64), tables=tables,
                  actions=np.array([k, k + 1]), weights=np.array([0.25, 0.75], np.float32), value=k / 10)


def test_replay_buffer_keeps_the_newest_and_round_trips(tmp_path):
    buffer = ReplayBuffer(capacity=5)
    buffer.extend([sample(k) for k in range(8)])
    assert len(buffer) == 5
    assert sorted(int(s.target[0]) for s in buffer.samples) == [3, 4, 5, 6, 7]
    buffer.save(tmp_path / "b.npz")
    loaded = ReplayBuffer.load(tmp_path / "b.npz", capacity=5)
    for a, b in zip(buffer.samples, loaded.samples):
        assert a.num_inputs == b.num_inputs and a.value == b.value
        assert np.array_equal(a.tables, b.tables) and np.array_equal(a.actions, b.actions)
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.target, b.target)
        assert np.array_equal(a.care, b.care)
    # Samples are views of one array read once; a copy of the whole array per sample ran a resume out of memory.
    assert len({id(s.tables.base) for s in loaded.samples}) == 1
    loaded.extend([sample(9)])  # the ring continues where it stopped: 3 (the oldest) goes
    assert sorted(int(s.target[0]) for s in loaded.samples) == [4, 5, 6, 7, 9]


def test_unreadable_replay_buffer_is_a_clear_error_naming_the_file(tmp_path):
    (tmp_path / "buffer.npz").write_bytes(b"not an npz file")
    with pytest.raises(ScError, match="buffer.npz: not a replay buffer"):
        ReplayBuffer.load(tmp_path / "buffer.npz", capacity=5)
    np.savez(tmp_path / "partial.npz", num_nodes=np.zeros(1, np.int64))
    with pytest.raises(ScError, match="partial.npz: not a replay buffer"):
        ReplayBuffer.load(tmp_path / "partial.npz", capacity=5)


def test_loop_gates_saves_and_resumes(data_path, tmp_path):
    metrics = reinforce(tiny_config(data_path, tmp_path), verbose=False)
    assert metrics["phase"] == "rl" and metrics["iterations"] == 2
    for name in ("best.pt", "last.pt", "average.pt", "state.json", "buffer.npz", "curves.png"):
        assert (tmp_path / name).is_file(), name
    state = json.loads((tmp_path / "state.json").read_text())
    assert [r["iteration"] for r in state["history"]] == [1, 2]
    assert all("gate_solved" in r and "gate_raw_solved" in r for r in state["history"])  # gate_interval 1
    champion, payload = load_model(tmp_path / "best.pt")  # a normal checkpoint, usable by the engine
    assert payload["metrics"]["gate_solved"] == metrics["gate_solved"]
    assert "optimizer_state" in load_checkpoint(tmp_path / "last.pt")

    resumed = reinforce(tiny_config(data_path, tmp_path, resume=True, iterations=3), verbose=False)
    assert resumed["iterations"] == 3
    assert [r["iteration"] for r in json.loads((tmp_path / "state.json").read_text())["history"]] == [1, 2, 3]


def test_weight_average_moves_a_share_of_the_way_to_the_trained_weights():
    config = ModelConfig(d_model=16, n_layer=1, n_head=2, d_ff=16, d_policy=4)
    average, trained = PolicyValueNet(config), PolicyValueNet(config)
    before = [p.detach().clone() for p in average.parameters()]
    _update_average(average, trained, decay=0.75)
    for old, new, kept in zip(before, trained.parameters(), average.parameters()):
        assert torch.allclose(kept, 0.75 * old + 0.25 * new, atol=1e-6)


def test_resume_without_a_saved_run_is_a_clear_error(data_path, tmp_path):
    with pytest.raises(ScError, match="cannot resume, missing"):
        reinforce(tiny_config(data_path, tmp_path, resume=True), verbose=False)


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ScError, match="unknown self-play backend"):
        make_backend("slurm")


def test_worker_processes_play_the_same_games_as_this_process():
    model, _ = load_model(Path("sc_plugin/data/checkpoints/default.pt"))
    weights = ModelWeights.of(model)
    batches = [[SelfPlayTask(0x8, 2), SelfPlayTask(0x96, 3)], [SelfPlayTask(0xE8, 3)]]
    params = tiny_config("unused", "unused").selfplay
    inline = InlineBackend().play(weights, batches, params, [1, 2])
    backend = ProcessBackend(workers=2)
    try:
        spawned = backend.play(weights, batches, params, [1, 2])
    finally:
        backend.close()
    assert [[g.size for g in batch] for batch in inline] == [[g.size for g in batch] for batch in spawned]
    assert [[len(g.samples) for g in batch] for batch in inline] == [[len(g.samples) for g in batch]
                                                                      for batch in spawned]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_cluster():
    """A private Ray head started with `ray start --block` in its own process group, killed with that group (a plain
    `ray stop` would stop every Ray instance of the user)."""
    ray = pytest.importorskip("ray")
    ray_cli = shutil.which("ray", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    assert ray_cli, "the ray package is installed but its `ray` command is not on PATH"
    address = f"127.0.0.1:{_free_port()}"
    head = subprocess.Popen([ray_cli, "start", "--head", f"--port={address.split(':')[1]}", "--num-cpus=2",
                             "--include-dashboard=false", "--disable-usage-stats", "--block"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    try:
        deadline = time.monotonic() + 120
        while True:  # the head needs a few seconds before it accepts drivers
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
                ray.shutdown()
                break
            except ConnectionError:
                if time.monotonic() > deadline or head.poll() is not None:
                    raise
                time.sleep(1)
        yield address
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()


def test_ray_backend_runs_self_play_on_a_ray_cluster(ray_cluster, data_path, tmp_path):
    metrics = reinforce(tiny_config(data_path, tmp_path, backend="ray", address=ray_cluster, iterations=1),
                        verbose=False)
    assert metrics["iterations"] == 1
    history = json.loads((tmp_path / "state.json").read_text())["history"]
    assert history[0]["games"] == 6 and history[0]["buffer"] > 0
