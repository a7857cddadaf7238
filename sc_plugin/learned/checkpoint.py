"""Checkpoint files: the model's config and weights plus metadata, with a format version.

A checkpoint is a `torch.save`d dict of plain values (loaded with weights_only=True, so a file cannot run code):
  format_version, model_config (ModelConfig fields), model_state, step, metrics, train_config, data (the data
  set's description), created, and optionally optimizer_state for resuming.
Any unreadable, corrupt or incompatible file raises CheckpointError naming the file.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import fields
from pathlib import Path

import torch

from sc_plugin.errors import ScError
from sc_plugin.learned.model import ModelConfig, PolicyValueNet

__all__ = ["FORMAT_VERSION", "CheckpointError", "save_checkpoint", "load_checkpoint", "load_model",
           "export_checkpoint", "default_checkpoint_path"]

FORMAT_VERSION = 1
_REQUIRED = ("format_version", "model_config", "model_state", "step", "metrics")


class CheckpointError(ScError):
    """A checkpoint file cannot be used; the message names the file and the reason."""


def default_checkpoint_path() -> Path:
    """The checkpoint shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "data" / "checkpoints" / "default.pt"


def save_checkpoint(path: str | os.PathLike, model: PolicyValueNet, *, step: int, metrics: dict,
                    train_config: dict | None = None, data: dict | None = None,
                    optimizer: torch.optim.Optimizer | None = None) -> None:
    """Writes atomically (temp file, then rename), so an interrupted save never leaves a half-written checkpoint."""
    payload = {
        "format_version": FORMAT_VERSION,
        "model_config": model.config.to_dict(),
        "model_state": model.state_dict(),
        "step": int(step),
        "metrics": dict(metrics),
        "train_config": dict(train_config or {}),
        "data": dict(data or {}),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if optimizer is not None:
        payload["optimizer_state"] = optimizer.state_dict()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """The checkpoint dict, checked for format version and required fields."""
    path = str(path)
    if not Path(path).is_file():
        raise CheckpointError(f"{path}: checkpoint file not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for corrupt files (pickle, zip, runtime errors)
        # the first sentence only: torch goes on with advice (load with weights_only=False) a user must not take
        reason = str(exc).splitlines()[0].split(". ")[0] if str(exc) else ""
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(exc).__name__}: {reason})") from None
    if not isinstance(payload, dict) or any(key not in payload for key in _REQUIRED):
        raise CheckpointError(f"{path}: not an sc_plugin checkpoint (missing fields)")
    if payload["format_version"] != FORMAT_VERSION:
        raise CheckpointError(f"{path}: checkpoint format version {payload['format_version']}, this version of "
                              f"sc_plugin reads version {FORMAT_VERSION}")
    return payload


def load_model(path: str | os.PathLike) -> tuple[PolicyValueNet, dict]:
    """The model (eval mode) rebuilt from the checkpoint's own config, and the checkpoint dict."""
    payload = load_checkpoint(path)
    known = {f.name for f in fields(ModelConfig)}
    config_dict = payload["model_config"]
    if not isinstance(config_dict, dict) or set(config_dict) - known:
        raise CheckpointError(f"{path}: model config {config_dict!r} does not match this version's ModelConfig")
    try:
        model = PolicyValueNet(ModelConfig(**config_dict))
        model.load_state_dict(payload["model_state"])
    except (RuntimeError, TypeError, AssertionError) as exc:
        raise CheckpointError(f"{path}: weights do not fit the model ({str(exc).splitlines()[0]})") from None
    model.eval()
    return model, payload


def export_checkpoint(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Writes the model of `source`, with its step, metrics, config and data record but without optimizer state, to
    `target`: the file to hand to the engine (MctsParams.checkpoint). Writing to `default_checkpoint_path()` replaces
    the model that the package ships, which only an explicit request should do. Returns the target path."""
    model, payload = load_model(source)
    save_checkpoint(target, model, step=payload["step"], metrics=payload["metrics"],
                    train_config=payload.get("train_config"), data=payload.get("data"))
    return Path(target)
