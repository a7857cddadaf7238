"""A few training steps: loss goes down on a handful of samples; the loop writes checkpoints and resumes."""

import shutil

import numpy as np
import pytest
import torch

from sc_plugin.errors import ScError
from sc_plugin.learned.checkpoint import load_checkpoint
from sc_plugin.learned.model import PolicyValueNet
from sc_plugin.training.train import batch_loss, load_config, make_batch, resolve_device, train

@pytest.fixture
def dataset_path(tiny_dataset):
    return tiny_dataset


def test_loss_decreases_on_a_few_samples(dataset_path):
    _, dataset = dataset_path
    torch.manual_seed(0)
    config = load_config("tiny")
    model = PolicyValueNet(config.model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    batch = make_batch(dataset, np.arange(8))
    first, _ = batch_loss(model, batch, 0.5)
    for _ in range(40):
        loss, _ = batch_loss(model, batch, 0.5)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * first.item()


def test_gold_distribution_rows_sum_to_one(dataset_path):
    _, dataset = dataset_path
    features, types, gold, values = make_batch(dataset, np.arange(5))
    assert torch.allclose(gold.sum(-1), torch.ones(5))
    assert features.shape[0] == 5 and values.shape == (5,)


def test_train_loop_checkpoints_and_resumes(dataset_path, tmp_path):
    path, _ = dataset_path
    config = load_config("tiny", {"data": str(path), "out_dir": str(tmp_path), "max_steps": 6, "eval_interval": 3,
                                  "eval_batches": 1, "batch_size": 8})
    metrics = train(config, verbose=False)
    assert metrics["steps"] == 6 and np.isfinite(metrics["valid_kl"])
    last = load_checkpoint(tmp_path / "last.pt")
    assert last["step"] == 6 and "optimizer_state" in last and last["train_config"]["batch_size"] == 8
    assert (tmp_path / "best.pt").is_file()
    resumed = load_config("tiny", {"data": str(path), "out_dir": str(tmp_path), "max_steps": 9,
                                   "eval_interval": 3, "eval_batches": 1, "batch_size": 8,
                                   "resume": str(tmp_path / "last.pt")})
    assert train(resumed, verbose=False)["steps"] == 9


def test_train_on_two_dataset_files(dataset_path, tmp_path):
    path, dataset = dataset_path
    config = load_config("tiny", {"data": [str(path), str(path)], "out_dir": str(tmp_path), "max_steps": 2,
                                  "eval_interval": 2, "eval_batches": 1, "batch_size": 8})
    assert train(config, verbose=False)["steps"] == 2
    data = load_checkpoint(tmp_path / "last.pt")["data"]
    assert data["path"] == [str(path), str(path)] and data["gold"] == [dataset.metadata["gold"]] * 2


def test_init_starts_a_new_run_from_weights_and_can_deepen(dataset_path, tmp_path):
    path, _ = dataset_path
    base = {"data": str(path), "eval_interval": 2, "eval_batches": 1, "batch_size": 8, "max_steps": 2}
    train(load_config("tiny", {**base, "out_dir": str(tmp_path / "a")}), verbose=False)
    start = str(tmp_path / "a" / "last.pt")
    deeper = load_config("tiny", {**base, "out_dir": str(tmp_path / "b"), "init": start, "model": {"n_layer": 2}})
    assert train(deeper, verbose=False)["steps"] == 2  # counts from 0 again
    payload = load_checkpoint(tmp_path / "b" / "last.pt")
    assert payload["model_config"]["n_layer"] == 2 and payload["train_config"]["init"] == start
    with pytest.raises(ScError, match="not both"):
        train(load_config("tiny", {**base, "init": start, "resume": start}), verbose=False)
    with pytest.raises(ScError, match="only n_layer may grow"):
        train(load_config("tiny", {**base, "init": start, "model": {"d_model": 64, "d_ff": 64}}), verbose=False)


def test_resume_on_other_data_does_not_keep_the_old_best_kl(dataset_path, tmp_path):
    path, _ = dataset_path
    base = {"out_dir": str(tmp_path), "eval_interval": 3, "eval_batches": 1, "batch_size": 8}
    train(load_config("tiny", {**base, "data": str(path), "max_steps": 3}), verbose=False)
    payload = load_checkpoint(tmp_path / "last.pt")
    payload["metrics"]["best_valid_kl"] = 0.0  # no validation KL is lower
    torch.save(payload, tmp_path / "unbeatable.pt")
    other = tmp_path / "other.npz"
    shutil.copy(path, other)
    for data, best_rewritten in ((path, False), (other, True)):
        train(load_config("tiny", {**base, "data": str(data), "max_steps": 6,
                                   "resume": str(tmp_path / "unbeatable.pt")}), verbose=False)
        assert (load_checkpoint(tmp_path / "best.pt")["step"] == 6) == best_rewritten


def test_override_mapping_updates_the_file_field_by_field():
    config = load_config("tiny", {"model": {"n_layer": 2}})
    assert config.model.n_layer == 2 and config.model.d_model == 32  # d_model still from tiny.yaml


def test_config_errors():
    with pytest.raises(ScError, match="unknown config keys"):
        load_config("tiny", {"bogus": 1})
    with pytest.raises(ScError, match="config not found"):
        load_config("no_such_config")


def test_device_names():
    assert resolve_device("cpu") == torch.device("cpu")
    for bad in ("tpu", "cuda:x", "cpu:0", ""):
        with pytest.raises(ScError, match="choose cpu or cuda"):
            resolve_device(bad)


def test_the_gpu_config_fits_what_a_device_run_returns():
    config = load_config("gpu")
    assert config.device == "cuda" and config.time_limit_min < 9
    # a checkpoint without optimizer state comes back from the device machine only below 16 MiB
    assert PolicyValueNet(config.model).num_params() * 4 < 15 * 2**20


def test_batches_built_by_loader_workers_train_the_same_loop(dataset_path, tmp_path):
    path, _ = dataset_path
    config = load_config("tiny", {"data": str(path), "out_dir": str(tmp_path), "max_steps": 4, "eval_interval": 2,
                                  "eval_batches": 1, "batch_size": 8, "loader_workers": 2})
    metrics = train(config, verbose=False)
    assert metrics["steps"] == 4 and np.isfinite(metrics["valid_kl"])
    assert load_checkpoint(tmp_path / "last.pt")["train_config"]["loader_workers"] == 2
