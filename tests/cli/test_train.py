"""sc-train from the command line: data with ABC golds by default; a tiny rl run writes its champion; a bad
resume is a one-line error; --device cuda without a GPU is one too; the GPU training script runs at a tiny size on
the CPU."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from sc_plugin.cli.train import main
from sc_plugin.learned.checkpoint import default_checkpoint_path, load_model
from sc_plugin.training.data import load_dataset


def test_data_imitates_abc_results_by_default(tmp_path, capsys, require_abc):
    out = tmp_path / "data.npz"
    no_test_sets = tmp_path / "none_tt.txt"  # the default test sets lie outside the repository
    no_test_sets.write_text("id\ttt_hex\n")
    assert main(["data", "--circuits", "sc_plugin/data/examples/int2float.aig", "--exclude", str(no_test_sets),
                 "--cones-per-circuit", "100", "--seed", "3", "-o", str(out)]) == 0
    replaced = int(capsys.readouterr().out.split("gold_replaced: ")[1].split()[0])
    dataset = load_dataset(out)
    assert replaced > 0 and dataset.metadata["params"]["gold"] == "abc"
    assert "ABC" in dataset.metadata["gold"]


def test_rl_writes_a_champion_checkpoint_and_ships_it_where_asked(tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    packaged = default_checkpoint_path().stat().st_mtime_ns
    shipped = tmp_path / "shipped" / "model.pt"
    assert main(["rl", "--config", "rl_tiny", "--data", str(path), "--out-dir", str(tmp_path), "--iterations", "1",
                 "--simulations", "1", "--device", "cpu", "--ship", str(shipped)]) == 0
    out = capsys.readouterr().out
    assert "iter 1/1" in out and "gate:" in out
    _, payload = load_model(tmp_path / "best.pt")
    assert payload["metrics"]["phase"] == "rl"
    assert payload["train_config"]["selfplay"]["simulations"] == 1
    _, exported = load_model(shipped)
    assert exported["metrics"] == payload["metrics"] and "optimizer_state" not in exported
    assert default_checkpoint_path().stat().st_mtime_ns == packaged  # the installed package is left alone


def test_rl_resume_of_an_empty_folder_fails_cleanly(tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    assert main(["rl", "--config", "rl_tiny", "--data", str(path), "--out-dir", str(tmp_path), "--resume"]) == 1
    assert "sc-train: error:" in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
@pytest.mark.parametrize("command", [["supervised", "--config", "tiny"], ["rl", "--config", "rl_tiny"]])
def test_device_cuda_without_a_gpu_is_a_one_line_error(command, tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    assert main([*command, "--data", str(path), "--out-dir", str(tmp_path), "--device", "cuda"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-train: error: device cuda: torch") and "sees no GPU" in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # refused before anything was written


ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_training_script_runs_its_code_path_on_the_cpu_at_a_tiny_size(tiny_dataset, tmp_path):
    path, _ = tiny_dataset
    out = tmp_path / "out"
    done = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu_train.sh"), str(path), str(out),
                           "--device", "cpu", "--config", "tiny", "--max-steps", "3"],
                          env={**os.environ, "PYTHON": sys.executable, "RUN_DIR": str(tmp_path / "run")},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    model, payload = load_model(out / "model.pt")
    assert payload["step"] == 3 and payload["train_config"]["device"] == "cpu" and "optimizer_state" not in payload
    assert "parameters on cpu" in (out / "train.log").read_text()
