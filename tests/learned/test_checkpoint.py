"""Checkpoint round trip and clear errors for corrupt, foreign or incompatible files."""

import pytest
import torch

from sc_plugin.learned.checkpoint import (FORMAT_VERSION, CheckpointError, export_checkpoint, load_checkpoint,
                                          load_model, save_checkpoint)
from sc_plugin.learned.model import ModelConfig, PolicyValueNet, featurize
from sc_plugin.learned.actions import initial_state

TINY = ModelConfig(d_model=32, n_layer=1, n_head=2, d_ff=64, d_policy=8)


def test_round_trip(tmp_path):
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    optimizer = torch.optim.AdamW(model.parameters())
    path = tmp_path / "m.pt"
    save_checkpoint(path, model, step=7, metrics={"valid_kl": 1.5}, train_config={"batch_size": 4},
                    data={"gold": "test"}, optimizer=optimizer)
    loaded, payload = load_model(path)
    assert payload["format_version"] == FORMAT_VERSION and payload["step"] == 7
    assert payload["metrics"]["valid_kl"] == 1.5 and payload["data"]["gold"] == "test"
    assert "optimizer_state" in payload and loaded.config == TINY
    features, types = featurize([initial_state(0x96, 3)])
    with torch.no_grad():
        a, b = model(features, types), loaded(features, types)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_export_drops_the_optimizer_and_keeps_the_rest(tmp_path):
    model = PolicyValueNet(TINY)
    save_checkpoint(tmp_path / "run.pt", model, step=3, metrics={"valid_kl": 2.0}, data={"gold": "test"},
                    optimizer=torch.optim.AdamW(model.parameters()))
    target = export_checkpoint(tmp_path / "run.pt", tmp_path / "out" / "model.pt")
    exported = load_checkpoint(target)
    assert "optimizer_state" not in exported and exported["step"] == 3 and exported["data"] == {"gold": "test"}
    assert all(torch.equal(exported["model_state"][k], v) for k, v in model.state_dict().items())


def test_corrupt_file_names_the_file(tmp_path):
    path = tmp_path / "broken.pt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="broken.pt"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="nowhere.pt"):
        load_checkpoint(tmp_path / "nowhere.pt")


def test_foreign_and_incompatible_files(tmp_path):
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(CheckpointError, match="foreign.pt.*not an sc_plugin checkpoint"):
        load_checkpoint(foreign)
    model = PolicyValueNet(TINY)
    future = tmp_path / "future.pt"
    save_checkpoint(future, model, step=0, metrics={})
    payload = torch.load(future, weights_only=True)
    payload["format_version"] = FORMAT_VERSION + 1
    torch.save(payload, future)
    with pytest.raises(CheckpointError, match="future.pt.*format version"):
        load_checkpoint(future)
    mismatched = tmp_path / "mismatched.pt"
    save_checkpoint(mismatched, model, step=0, metrics={})
    payload = torch.load(mismatched, weights_only=True)
    payload["model_config"]["d_model"] = 64
    torch.save(payload, mismatched)
    with pytest.raises(CheckpointError, match="mismatched.pt.*do not fit"):
        load_model(mismatched)
