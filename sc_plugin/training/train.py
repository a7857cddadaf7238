"""Supervised training (phase 1), top to bottom: defaults, data, seed, model, loop with eval and checkpoints.

Loss: KL(gold distribution || policy) over actions, where the gold distribution is uniform over the gold ANDs whose
fanins exist; the policy's softmax runs over the structurally possible actions (i < j < num_nodes), not the full
legality mask, which is costly to compute per state and would dominate a training step; at inference the
legality mask only renormalises. Plus value_weight * MSE between the value head and the gold sequence's return.
Configs are a dataclass plus small named YAML overrides (`configs/*.yaml`); resuming takes the architecture from the
checkpoint. `device` runs the model, batches and losses on a GPU ("cuda"); batches are built on the CPU either way,
and checkpoints load on a CPU-only machine (`load_checkpoint` maps them to the CPU).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import yaml

from sc_plugin.errors import ScError
from sc_plugin.learned.actions import NUM_ACTIONS
from sc_plugin.learned.checkpoint import load_checkpoint, load_model, save_checkpoint
from sc_plugin.learned.model import ModelConfig, PolicyValueNet, deepen, featurize
from sc_plugin.training.data import Dataset, Sample, augment, data_summary, load_datasets

__all__ = ["TrainConfig", "load_config", "train", "make_batch", "collate", "batch_loss", "resolve_device",
           "to_device", "DEVICES"]

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
DEVICES = ("cpu", "cuda")  # "cuda:N" picks one GPU of several


@dataclass
class TrainConfig:
    data: str | list[str] = "runs/data.npz"  # written by `sc-train data`; a list is concatenated
    out_dir: str = "runs/supervised"  # checkpoints: last.pt (every eval) and best.pt (lowest validation KL)
    model: ModelConfig = field(default_factory=ModelConfig)
    batch_size: int = 128  # states per step
    learning_rate: float = 1e-3  # AdamW peak rate
    min_lr_fraction: float = 0.1  # cosine decay down to this fraction of the peak
    warmup_steps: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    value_weight: float = 0.5  # weight of the value MSE next to the policy KL
    augment: bool = True  # relabel each training state at random (input permutation, target negation)
    max_steps: int = 20000
    time_limit_min: float = 50.0  # stop (and checkpoint) after this much wall clock, whatever max_steps says
    eval_interval: int = 500  # steps between validation runs and checkpoints
    eval_batches: int = 20
    log_interval: int = 100
    seed: int = 0
    num_threads: int = 1  # the machine is shared: one core for training
    device: str = "cpu"  # where the model trains: cpu, or cuda (cuda:N) on a GPU machine
    loader_workers: int = 0  # processes that build training batches ahead (a GPU outruns one CPU); 0: in this one
    resume: str = ""  # checkpoint to resume from (architecture, weights, optimizer and step come from it)
    init: str = ""  # checkpoint whose weights start a new run (step 0, fresh optimizer); a larger model.n_layer
    # than its own deepens it with identity blocks (model.deepen)


def load_config(name_or_path: str | None = None, overrides: dict | None = None, *,
                kind: type = TrainConfig):
    """A `kind` config (TrainConfig, or rl.RlConfig): defaults, then a YAML override file (a name in configs/ or a
    path), then explicit overrides. Nested dataclass fields (model, selfplay) take mappings; an override's mapping
    updates the file's field by field."""
    values: dict = {}
    if name_or_path:
        path = Path(name_or_path)
        if not path.suffix:
            path = CONFIG_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise ScError(f"{path}: config not found (named configs: "
                          f"{', '.join(sorted(p.stem for p in CONFIG_DIR.glob('*.yaml')))})")
        values = yaml.safe_load(path.read_text()) or {}
        if not isinstance(values, dict):
            raise ScError(f"{path}: a config is a mapping of {kind.__name__} fields")
    for key, value in (overrides or {}).items():
        both_mappings = isinstance(value, dict) and isinstance(values.get(key), dict)
        values[key] = {**values[key], **value} if both_mappings else value
    return _build(kind, values, "config")


def _build(kind: type, values: dict, what: str):
    known = {f.name: f for f in fields(kind)}
    unknown = set(values) - set(known)
    if unknown:
        raise ScError(f"unknown {what} keys: {', '.join(sorted(unknown))}")
    built = {}
    for name, value in values.items():
        default = known[name].default_factory() if callable(known[name].default_factory) else None
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ScError(f"{what} key {name}: a mapping of {type(default).__name__} fields")
            value = _build(type(default), value, name)
        built[name] = value
    return kind(**built)


def resolve_device(name: str) -> torch.device:
    """The torch device for a config's `device`; ScError (one line) for an unknown name, or a GPU that torch does
    not see."""
    kind, _, index = name.partition(":")
    if kind not in DEVICES or (index and (kind != "cuda" or not index.isdigit())):
        raise ScError(f"device {name!r}: choose cpu or cuda (cuda:N for the N-th GPU)")
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise ScError(f"device {name}: torch {torch.__version__} sees no GPU "
                          f"({'no CUDA build' if torch.version.cuda is None else 'no device visible'}); "
                          f"use --device cpu")
        if index and int(index) >= torch.cuda.device_count():
            raise ScError(f"device {name}: torch sees {torch.cuda.device_count()} GPU(s)")
    return torch.device(name)


def to_device(batch: tuple[torch.Tensor, ...], device: torch.device) -> tuple[torch.Tensor, ...]:
    """The batch's tensors on `device` (no copy when they are there already)."""
    return tuple(tensor.to(device, non_blocking=True) for tensor in batch)


class _Batches(torch.utils.data.IterableDataset):
    """Endless training batches for a DataLoader's worker processes, each drawing from its own generator (seeded by
    the run's seed and the worker's number)."""

    def __init__(self, dataset: Dataset, steps: np.ndarray, config: TrainConfig, start_step: int) -> None:
        self.dataset, self.steps, self.config, self.start_step = dataset, steps, config, start_step

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.config.seed, self.start_step, info.id if info is not None else 0])
        while True:
            yield make_batch(self.dataset, rng.choice(self.steps, size=self.config.batch_size),
                             rng if self.config.augment else None)


def _training_batches(dataset: Dataset, steps: np.ndarray, config: TrainConfig, rng: np.random.Generator,
                      start_step: int, device: torch.device) -> Iterator[tuple[torch.Tensor, ...]]:
    """Training batches: built here from `rng` (loader_workers 0), or ahead of time by worker processes."""
    if config.loader_workers <= 0:
        while True:
            yield make_batch(dataset, rng.choice(steps, size=config.batch_size), rng if config.augment else None)
    loader = torch.utils.data.DataLoader(_Batches(dataset, steps, config, start_step), batch_size=None,
                                         num_workers=config.loader_workers, prefetch_factor=4,
                                         pin_memory=device.type == "cuda")
    yield from loader


def make_batch(dataset: Dataset, steps: np.ndarray, augment_rng: np.random.Generator | None = None
               ) -> tuple[torch.Tensor, ...]:
    """The batch of dataset states `steps` (see `collate`), relabeled at random (`data.augment`) when given a
    generator."""
    samples = dataset.samples(steps)
    return collate(augment(samples, augment_rng) if augment_rng is not None else samples)


def collate(samples: list[Sample]) -> tuple[torch.Tensor, ...]:
    """features (B, T, F), types (B, T), policy targets (B, NUM_ACTIONS), value targets (B,)."""
    features, types = featurize(samples)
    policy = np.zeros((len(samples), NUM_ACTIONS), dtype=np.float32)
    for row, sample in zip(policy, samples):
        row[sample.actions] = sample.weights
    values = np.array([sample.value for sample in samples], dtype=np.float32)
    return features, types, torch.from_numpy(policy), torch.from_numpy(values)


def batch_loss(model: PolicyValueNet, batch: tuple[torch.Tensor, ...], value_weight: float
               ) -> tuple[torch.Tensor, dict]:
    """(loss, metrics): policy KL, value MSE, top-1 accuracy (argmax is a gold action)."""
    features, types, gold, values = batch
    logits, predicted = model(features, types)  # (B, A), (B,)
    log_probs = torch.log_softmax(logits, dim=-1)
    cross = -torch.where(gold > 0, gold * log_probs, torch.zeros_like(gold)).sum(-1)  # (B,)
    entropy = -torch.where(gold > 0, gold * torch.log(gold.clamp_min(1e-12)), torch.zeros_like(gold)).sum(-1)
    kl = (cross - entropy).mean()
    mse = torch.mean((predicted - values) ** 2)
    accuracy = (gold.gather(1, logits.argmax(-1, keepdim=True)) > 0).float().mean()
    return kl + value_weight * mse, {"kl": kl.item(), "value_mse": mse.item(), "accuracy": accuracy.item()}


def _lr(config: TrainConfig, step: int, elapsed_min: float = 0.0) -> float:
    """Linear warmup, then cosine decay over whichever runs out first: max_steps or time_limit_min (on a shared
    machine the step rate varies, and a run cut by its time limit should still end annealed)."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(1.0, max((step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps),
                            elapsed_min / config.time_limit_min))
    floor = config.min_lr_fraction
    return config.learning_rate * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def _evaluate(model: PolicyValueNet, dataset: Dataset, steps: np.ndarray, config: TrainConfig,
              rng: np.random.Generator, device: torch.device) -> dict:
    model.eval()
    totals: dict[str, float] = {}
    count = 0
    for _ in range(config.eval_batches):
        chosen = rng.choice(steps, size=min(config.batch_size, len(steps)), replace=False)
        _, metrics = batch_loss(model, to_device(make_batch(dataset, chosen), device), config.value_weight)
        for key, value in metrics.items():
            totals[key] = totals.get(key, 0.0) + value
        count += 1
    model.train()
    return {key: value / count for key, value in totals.items()}


def train(config: TrainConfig, *, verbose: bool = True) -> dict:
    """Runs the loop; returns the final metrics. Writes out_dir/last.pt and out_dir/best.pt."""
    device = resolve_device(config.device)  # before anything else: a missing GPU fails at once
    torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    # checkpoints first, so that a bad one fails before the data is loaded
    if config.resume and config.init:
        raise ScError("give either resume (continue a run) or init (start a new run from its weights), not both")
    start_step = 0
    resume_payload = None
    if config.resume:
        resume_payload = load_checkpoint(config.resume)
        config.model = ModelConfig(**resume_payload["model_config"])  # architecture comes from the checkpoint
        start_step = resume_payload["step"]
    if config.init:
        initial, _ = load_model(config.init)
        mismatched = {key: value for key, value in config.model.to_dict().items()
                      if key != "n_layer" and value != getattr(initial.config, key)}
        if mismatched:
            raise ScError(f"{config.init}: the config asks for model {mismatched}, the checkpoint has "
                          f"{ {key: getattr(initial.config, key) for key in mismatched} }; only n_layer may grow")
        model = deepen(initial, max(initial.config.n_layer, config.model.n_layer))
        config.model = model.config
    else:
        model = PolicyValueNet(config.model)
    dataset = load_datasets(config.data)
    valid_steps_mask = dataset.valid[dataset.step_episode]
    train_steps = np.flatnonzero(~valid_steps_mask)
    valid_steps = np.flatnonzero(valid_steps_mask)
    if len(train_steps) == 0 or len(valid_steps) == 0:
        raise ScError(f"{config.data}: needs both training and validation samples "
                      f"({len(train_steps)} / {len(valid_steps)})")

    data_info = data_summary(dataset, config.data)
    model.to(device)  # before the optimizer is built (and loads its state), so that its state lives there too
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    best_kl = float("inf")
    if resume_payload is not None:
        model.load_state_dict(resume_payload["model_state"])
        if "optimizer_state" in resume_payload:
            optimizer.load_state_dict(resume_payload["optimizer_state"])
        if resume_payload.get("data") == data_info:  # a best KL on another validation split is not comparable
            best_kl = resume_payload["metrics"].get("best_valid_kl", best_kl)

    if verbose:
        print(f"model: {model.num_params():,} parameters on {device}; data: {len(train_steps):,} train / "
              f"{len(valid_steps):,} valid states; {config.batch_size} states per step; "
              f"{len(train_steps) / config.batch_size:.0f} steps per epoch", flush=True)
    out_dir = Path(config.out_dir)
    config_dict = asdict(config)
    start = time.perf_counter()
    metrics: dict = {}
    running: dict[str, float] = {}
    step = start_step
    model.train()
    batches = _training_batches(dataset, train_steps, config, rng, start_step, device)
    while step < config.max_steps:
        for group in optimizer.param_groups:
            group["lr"] = _lr(config, step, (time.perf_counter() - start) / 60)
        batch = to_device(next(batches), device)
        loss, batch_metrics = batch_loss(model, batch, config.value_weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        step += 1
        for key, value in batch_metrics.items():
            running[key] = running.get(key, 0.0) + value
        elapsed_min = (time.perf_counter() - start) / 60
        out_of_time = elapsed_min >= config.time_limit_min
        if verbose and step % config.log_interval == 0:
            shown = " ".join(f"{k} {v / config.log_interval:.4f}" for k, v in running.items())
            print(f"step {step} {shown} lr {_lr(config, step, elapsed_min):.2e} {elapsed_min:.1f} min", flush=True)
        if step % config.log_interval == 0:
            running = {}
        if step % config.eval_interval == 0 or step == config.max_steps or out_of_time:
            valid = _evaluate(model, dataset, valid_steps, config, rng, device)
            best_kl = min(best_kl, valid["kl"])
            metrics = {**{f"valid_{k}": v for k, v in valid.items()}, "best_valid_kl": best_kl,
                       "train_minutes": round(elapsed_min, 2), "steps": step}
            if verbose:
                print(f"eval step {step}: " + " ".join(f"{k} {v:.4f}" for k, v in valid.items()), flush=True)
            save_checkpoint(out_dir / "last.pt", model, step=step, metrics=metrics, train_config=config_dict,
                            data=data_info, optimizer=optimizer)
            if valid["kl"] <= best_kl:
                save_checkpoint(out_dir / "best.pt", model, step=step, metrics=metrics, train_config=config_dict,
                                data=data_info)
        if out_of_time:
            break
    batches.close()  # stops the loader's worker processes
    return metrics
