"""Phase 2, AlphaZero fine-tuning by self-play, top to bottom: config, function pool, curriculum, replay buffer,
gate, loop.

Two networks: the champion plays the self-play games (`selfplay.py`, run by a backend of `workers.py`); the
candidate trains on their samples, mixed with phase-1 data so that it keeps what the gold cones taught, and an
exponential moving average of its weights (ema_decay per step) smooths out the noise of small self-play batches.
Every gate_interval iterations that average plays the gate set (functions of the data's validation split, whose NPN
classes training never saw) without noise, and becomes the champion only when it solves more of them, or as many
with fewer ANDs; the raw candidate's gate score is logged beside it. The curriculum spends games on the functions
the champion failed or solved with more ANDs than the function's cone in its source circuit.

out_dir holds best.pt (the champion, a normal checkpoint), last.pt (the candidate with its optimizer), average.pt
(the weight average), state.json (iteration, curriculum, gate score, history) and buffer.npz (replay buffer), all
written at every gate so that `resume` continues from there, and curves.png.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from sc_plugin.aig.truth import from_words
from sc_plugin.errors import ScError
from sc_plugin.learned.actions import MAX_NODES, initial_state, solution_size
from sc_plugin.learned.checkpoint import default_checkpoint_path, load_checkpoint, load_model, save_checkpoint
from sc_plugin.learned.model import ModelConfig, PolicyValueNet, network_evaluator
from sc_plugin.learned.search import SearchParams, search
from sc_plugin.training.data import FULL_CARE, Dataset, Sample, data_summary, load_datasets, read_npz
from sc_plugin.training.selfplay import SelfPlayParams, SelfPlayTask
from sc_plugin.training.train import batch_loss, collate, resolve_device, to_device
from sc_plugin.training.workers import ModelWeights, make_backend

__all__ = ["RlConfig", "Curriculum", "ReplayBuffer", "function_pool", "validation_functions", "gate_score",
           "reinforce", "write_curves"]


@dataclass
class RlConfig:
    init: str = ""  # starting checkpoint; "" = the shipped one
    data: str | list[str] = "runs/data.npz"  # `sc-train data` output(s): function pool (train split), gate set (valid)
    out_dir: str = "runs/rl"
    resume: bool = False  # continue the run saved in out_dir
    iterations: int = 100
    time_limit_min: float = 60.0  # stop after the iteration that crosses it (and gate, and save)
    games_per_iteration: int = 128
    batches_per_iteration: int = 4  # games are played in this many batches: the parallel tasks of the backend
    selfplay: SelfPlayParams = field(default_factory=SelfPlayParams)
    buffer_size: int = 50000  # samples kept, the newest
    train_steps_per_iteration: int = 30
    batch_size: int = 128
    supervised_fraction: float = 0.5  # share of each batch drawn from the phase-1 data
    learning_rate: float = 5e-5  # AdamW, constant and low: fine-tuning must not undo phase 1
    ema_decay: float = 0.995  # weight average gated for champion (~200-step horizon); 0 = gate the raw candidate
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    value_weight: float = 0.5
    gate_interval: int = 5  # iterations between gates (and saves)
    gate_functions: int = 256
    gate_simulations: int = 0  # simulations per move at the gate; 0 = greedy
    backend: str = "local"  # inline | local (worker processes) | ray
    workers: int = 2
    address: str = ""  # Ray cluster address; "" starts a local Ray instance
    seed: int = 0
    device: str = "cpu"  # where the candidate trains and the gate evaluates: cpu, or cuda (cuda:N); games stay on CPUs


# ---- function pool and curriculum -----------------------------------------------------------------------------

def function_pool(dataset: Dataset, *, valid: bool) -> tuple[list[SelfPlayTask], np.ndarray]:
    """Distinct target functions of one split (a table with its care mask: episodes from `sc-train data
    --dont-cares` are played with their don't cares, and the environment counts care minterms only), each with its
    smallest gold cone (the task's expert) and that cone's size (the curriculum's reference)."""
    smallest: dict[tuple[int, int, int | None], int] = {}  # (table, n, care) -> episode
    complete = np.all(dataset.cares == FULL_CARE, axis=1)
    for episode in np.flatnonzero(dataset.valid == valid):
        n = int(dataset.num_inputs[episode])
        care = None if complete[episode] else from_words(dataset.cares[episode], n)
        key = (from_words(dataset.targets[episode], n), n, care)
        if key not in smallest or dataset.sizes[episode] < dataset.sizes[smallest[key]]:
            smallest[key] = episode
    tasks, reference = [], []
    for (table, n, care), episode in sorted(smallest.items(), key=lambda item: (item[0][:2], item[0][2] or 0)):
        start = dataset.node_offset[episode] + n
        tasks.append(SelfPlayTask(table, n, gold=dataset.node_tables[start:start + dataset.sizes[episode]],
                                  care=care))
        reference.append(int(dataset.sizes[episode]))
    return tasks, np.array(reference, dtype=np.int64)


class Curriculum:
    """The latest outcome per pool function; games are drawn with weights that favour failures, then results larger
    than the reference size."""

    UNSEEN, FAILED = -2, -1
    WEIGHT_UNSEEN, WEIGHT_FAILED, WEIGHT_WORSE, WEIGHT_GOOD = 1.0, 4.0, 2.0, 0.25

    def __init__(self, reference: np.ndarray) -> None:
        self.reference = reference
        self.last = np.full(len(reference), self.UNSEEN, dtype=np.int64)  # UNSEEN, FAILED or the size found

    def weights(self) -> np.ndarray:
        return np.select([self.last == self.UNSEEN, self.last == self.FAILED, self.last > self.reference],
                         [self.WEIGHT_UNSEEN, self.WEIGHT_FAILED, self.WEIGHT_WORSE], self.WEIGHT_GOOD)

    def pick(self, count: int, rng: np.random.Generator) -> np.ndarray:
        weights = self.weights()
        return rng.choice(len(weights), size=min(count, len(weights)), replace=False, p=weights / weights.sum())

    def update(self, indices: np.ndarray, sizes: list[int | None]) -> None:
        self.last[indices] = [self.FAILED if size is None else size for size in sizes]

    def counts(self) -> dict:
        played = self.last != self.UNSEEN
        return {"played": int(played.sum()), "failed": int((self.last == self.FAILED).sum()),
                "worse": int((played & (self.last > self.reference)).sum())}


# ---- replay buffer ------------------------------------------------------------------------------------------------

class ReplayBuffer:
    """The newest `capacity` samples (a ring)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.samples: list[Sample] = []
        self._next = 0

    def __len__(self) -> int:
        return len(self.samples)

    def extend(self, samples: list[Sample]) -> None:
        for sample in samples:
            if len(self.samples) < self.capacity:
                self.samples.append(sample)
            else:
                self.samples[self._next] = sample
            self._next = (self._next + 1) % self.capacity

    def draw(self, count: int, rng: np.random.Generator) -> list[Sample]:
        return [self.samples[k] for k in rng.integers(len(self.samples), size=count)]

    def save(self, path: Path) -> None:
        s = self.samples
        np.savez(path, num_inputs=np.array([x.num_inputs for x in s], np.int64),
                 num_nodes=np.array([x.num_nodes for x in s], np.int64),
                 tables=np.concatenate([x.tables for x in s]) if s else np.zeros((0, 4), np.uint64),
                 targets=np.array([x.target for x in s], np.uint64).reshape(-1, 4),
                 cares=np.array([x.care for x in s], np.uint64).reshape(-1, 4),
                 num_actions=np.array([len(x.actions) for x in s], np.int64),
                 actions=np.concatenate([x.actions for x in s]) if s else np.zeros(0, np.int64),
                 weights=np.concatenate([x.weights for x in s]) if s else np.zeros(0, np.float32),
                 values=np.array([x.value for x in s], np.float64), next=np.array(self._next))

    @classmethod
    def load(cls, path: Path, capacity: int) -> "ReplayBuffer":
        buffer = cls(capacity)
        what = "a replay buffer written by `sc-train rl`"
        data = read_npz(path, what)
        try:
            node_end, action_end = np.cumsum(data["num_nodes"]), np.cumsum(data["num_actions"])
            for k in range(min(len(data["num_inputs"]), capacity)):  # a smaller capacity keeps the first ones
                nodes = slice(node_end[k] - data["num_nodes"][k], node_end[k])
                acts = slice(action_end[k] - data["num_actions"][k], action_end[k])
                buffer.samples.append(Sample(num_inputs=int(data["num_inputs"][k]), target=data["targets"][k],
                                             care=data["cares"][k],
                                             tables=data["tables"][nodes], actions=data["actions"][acts],
                                             weights=data["weights"][acts], value=float(data["values"][k])))
            buffer._next = int(data["next"]) % capacity
        except (ValueError, KeyError, IndexError) as exc:
            raise ScError(f"{path}: not {what} ({exc})") from None
        return buffer


# ---- gate -----------------------------------------------------------------------------------------------------------

def validation_functions(dataset: Dataset, seed: int) -> list[SelfPlayTask]:
    """The validation split's distinct functions (with their care masks) in a seeded random order: the gate set of
    a run with this seed is its first gate_functions, and the rest were never scored by that run."""
    tasks, _ = function_pool(dataset, valid=True)
    return [tasks[k] for k in np.random.default_rng(seed).permutation(len(tasks))]


def gate_score(model: PolicyValueNet, functions: Sequence[SelfPlayTask], *, params: SearchParams, max_ands: int,
               batch_size: int = 128) -> tuple[int, int]:
    """(functions solved, total ANDs over them) by search with `params` (noise-free unless they add noise); better =
    more solved, then fewer ANDs."""
    evaluate = network_evaluator(model)
    rng = np.random.default_rng(0)
    solved = ands = 0
    for offset in range(0, len(functions), batch_size):
        roots = [initial_state(f.table, f.num_inputs, care=f.care, max_ands=min(max_ands, MAX_NODES - f.num_inputs))
                 for f in functions[offset:offset + batch_size]]
        for result in search(roots, evaluate, params, rng):
            if result.best is not None:
                solved += 1
                ands += solution_size(result.best)
    return solved, ands


def _better(score: tuple[int, int], than: tuple[int, int]) -> bool:
    return score[0] > than[0] or (score[0] == than[0] and score[1] < than[1])


# ---- the loop -------------------------------------------------------------------------------------------------------

def reinforce(config: RlConfig, *, verbose: bool = True, log: Callable[[str], None] = print) -> dict:
    """Runs self-play iterations; returns the champion's metrics. See the module docstring for out_dir."""
    device = resolve_device(config.device)  # before anything else: a missing GPU fails at once
    torch.set_num_threads(1)
    dataset = load_datasets(config.data)
    pool, reference = function_pool(dataset, valid=False)
    validation = validation_functions(dataset, config.seed)
    if not pool or not validation:
        raise ScError(f"{config.data}: needs functions in both splits ({len(pool)} train, {len(validation)} valid)")
    gate_set = validation[:config.gate_functions]
    supervised_steps = np.flatnonzero(~dataset.valid[dataset.step_episode])
    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    def score(model: PolicyValueNet) -> tuple[int, int]:
        return gate_score(model, gate_set, params=SearchParams(num_simulations=config.gate_simulations),
                          max_ands=config.selfplay.max_ands)

    curriculum = Curriculum(reference)
    buffer = ReplayBuffer(config.buffer_size)
    history: list[dict] = []
    start_iteration, train_steps = 0, 0
    if config.resume:
        state = _load_state(out_dir, config, curriculum)
        buffer = ReplayBuffer.load(out_dir / "buffer.npz", config.buffer_size)
        start_iteration, train_steps, history = state["iteration"], state["train_steps"], state["history"]
        champion, champion_payload = load_model(out_dir / "best.pt")
        candidate_payload = load_checkpoint(out_dir / "last.pt")
        candidate = PolicyValueNet(ModelConfig(**candidate_payload["model_config"]))
        candidate.load_state_dict(candidate_payload["model_state"])
        average = load_model(out_dir / "average.pt")[0] if (out_dir / "average.pt").is_file() else None
        champion_score = tuple(state["champion_score"])
        init_info = champion_payload["metrics"].get("init", {})
    else:
        init_path = config.init or str(default_checkpoint_path())
        champion, init_payload = load_model(init_path)
        candidate, candidate_payload, average = copy.deepcopy(champion), None, None
        champion_score = score(champion)
        init_info = {"path": init_path, "step": init_payload["step"], "metrics": init_payload["metrics"]}
        if verbose:
            log(f"start: {init_path}: gate {champion_score[0]}/{len(gate_set)} solved, {champion_score[1]} ANDs")
    candidate.to(device).train()  # before the optimizer is built (and loads its state), so that its state lives there
    if average is None:
        average = copy.deepcopy(candidate).eval()
    average.to(device)
    optimizer = torch.optim.AdamW(candidate.parameters(), lr=config.learning_rate,
                                  weight_decay=config.weight_decay)
    if candidate_payload is not None and "optimizer_state" in candidate_payload:
        optimizer.load_state_dict(candidate_payload["optimizer_state"])

    def champion_metrics(iteration: int) -> dict:
        return {"phase": "rl", "gate_solved": champion_score[0], "gate_ands": champion_score[1],
                "gate_functions": len(gate_set), "gate_simulations": config.gate_simulations,
                "iterations": iteration, "train_steps": train_steps, "init": init_info}

    if not config.resume:
        _save_champion(out_dir, champion, champion_metrics(0), config, dataset)
    backend = make_backend(config.backend, workers=config.workers, address=config.address)
    start = time.perf_counter()
    iteration = start_iteration
    try:
        while iteration < config.iterations:
            tick = time.perf_counter()
            rng = np.random.default_rng([config.seed, iteration])
            picked = curriculum.pick(config.games_per_iteration, rng)
            batches = [picked[k::config.batches_per_iteration] for k in range(config.batches_per_iteration)]
            batches = [b for b in batches if len(b)]
            seeds = [int(rng.integers(1 << 31)) for _ in batches]
            played = backend.play(ModelWeights.of(champion), [[pool[i] for i in b] for b in batches],
                                  config.selfplay, seeds)
            sizes: list[int | None] = []
            for batch, games in zip(batches, played):
                curriculum.update(batch, [g.size for g in games])
                sizes += [g.size for g in games]
                for game in games:
                    buffer.extend(game.samples)
            play_s = time.perf_counter() - tick

            losses = _train_steps(candidate, average, optimizer, buffer, dataset, supervised_steps, config, rng)
            train_steps += len(losses)
            iteration += 1
            solved = [s for s in sizes if s is not None]
            record = {"iteration": iteration, "games": len(sizes), "solved": len(solved) / max(len(sizes), 1),
                      "mean_size": float(np.mean(solved)) if solved else None, "buffer": len(buffer),
                      **{k: float(np.mean([m[k] for m in losses])) for k in ("kl", "value_mse") if losses},
                      "play_s": round(play_s, 1), "minutes": round((time.perf_counter() - start) / 60, 2),
                      **{f"pool_{k}": v for k, v in curriculum.counts().items()}}
            history.append(record)
            out_of_time = record["minutes"] >= config.time_limit_min
            if iteration % config.gate_interval == 0 or iteration == config.iterations or out_of_time:
                candidate.eval()
                raw_score = score(candidate)
                candidate.train()
                gated, candidate_score = candidate, raw_score
                if config.ema_decay > 0:
                    gated, candidate_score = average, score(average)
                    record.update(gate_raw_solved=raw_score[0], gate_raw_ands=raw_score[1])
                accepted = _better(candidate_score, champion_score)
                record.update(gate_solved=candidate_score[0], gate_ands=candidate_score[1], accepted=accepted)
                if accepted:
                    champion = copy.deepcopy(gated).cpu().eval()  # games are played on CPUs
                    champion_score = candidate_score
                    _save_champion(out_dir, champion, champion_metrics(iteration), config, dataset)
                save_checkpoint(out_dir / "last.pt", candidate, step=train_steps, metrics=record,
                                train_config=asdict(config), optimizer=optimizer)
                save_checkpoint(out_dir / "average.pt", average, step=train_steps, metrics=record,
                                train_config=asdict(config))
                buffer.save(out_dir / "buffer.npz")
                _save_state(out_dir, iteration, train_steps, champion_score, curriculum, history)
                write_curves(history, out_dir / "curves.png")
            if verbose:
                log(_describe(record, config.iterations))
            if out_of_time:
                break
    finally:
        backend.close()
    return champion_metrics(iteration)


def _train_steps(model: PolicyValueNet, average: PolicyValueNet, optimizer: torch.optim.Optimizer,
                 buffer: ReplayBuffer, dataset: Dataset, supervised_steps: np.ndarray, config: RlConfig,
                 rng: np.random.Generator) -> list[dict]:
    if len(buffer) < config.batch_size:
        return []
    from_data = int(round(config.batch_size * config.supervised_fraction))
    losses = []
    for _ in range(config.train_steps_per_iteration):
        samples = buffer.draw(config.batch_size - from_data, rng)
        if from_data:
            samples += dataset.samples(rng.choice(supervised_steps, size=from_data))
        batch = to_device(collate(samples), next(model.parameters()).device)
        loss, metrics = batch_loss(model, batch, config.value_weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        _update_average(average, model, config.ema_decay)
        losses.append(metrics)
    return losses


@torch.no_grad()
def _update_average(average: PolicyValueNet, model: PolicyValueNet, decay: float) -> None:
    for kept, trained in zip(average.parameters(), model.parameters()):
        kept.lerp_(trained, 1.0 - decay)


def _describe(record: dict, iterations: int) -> str:
    text = (f"iter {record['iteration']}/{iterations}: {record['games']} games, solved {100 * record['solved']:.1f}%"
            + (f", mean size {record['mean_size']:.2f}" if record["mean_size"] is not None else "")
            + f", buffer {record['buffer']}"
            + (f", kl {record['kl']:.3f}, value mse {record['value_mse']:.4f}" if "kl" in record else "")
            + f", pool {record['pool_played']} played / {record['pool_failed']} failing"
            + f", play {record['play_s']:.0f} s, {record['minutes']:.1f} min")
    if "gate_solved" in record:
        text += (f"\n  gate: {record['gate_solved']} solved, {record['gate_ands']} ANDs"
                 + (f" (raw candidate {record['gate_raw_solved']}, {record['gate_raw_ands']})"
                    if "gate_raw_solved" in record else "") + " -> "
                 + ("new champion" if record["accepted"] else "kept the champion"))
    return text


def _save_champion(out_dir: Path, model: PolicyValueNet, metrics: dict, config: RlConfig, dataset: Dataset) -> None:
    save_checkpoint(out_dir / "best.pt", model, step=metrics["train_steps"], metrics=metrics,
                    train_config=asdict(config), data=data_summary(dataset, config.data))


def _save_state(out_dir: Path, iteration: int, train_steps: int, champion_score: tuple[int, int],
                curriculum: Curriculum, history: list[dict]) -> None:
    state = {"iteration": iteration, "train_steps": train_steps, "champion_score": list(champion_score),
             "curriculum_last": curriculum.last.tolist(), "history": history}
    tmp = out_dir / "state.json.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(out_dir / "state.json")


def _load_state(out_dir: Path, config: RlConfig, curriculum: Curriculum) -> dict:
    missing = [name for name in ("state.json", "buffer.npz", "best.pt", "last.pt") if not (out_dir / name).is_file()]
    if missing:
        raise ScError(f"{out_dir}: cannot resume, missing {', '.join(missing)}")
    try:
        state = json.loads((out_dir / "state.json").read_text())
        last = np.array(state["curriculum_last"], dtype=np.int64)
    except (ValueError, KeyError) as exc:
        raise ScError(f"{out_dir / 'state.json'}: unreadable ({exc})") from None
    if len(last) != len(curriculum.last):
        raise ScError(f"{out_dir}: the saved run used another data set than {config.data}")
    curriculum.last = last
    return state


def write_curves(history: list[dict], path: Path) -> None:
    """Self-play success and size, losses, and gate results per iteration, as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    its = [r["iteration"] for r in history]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(its, [100 * r["solved"] for r in history], label="self-play solved %")
    axes[0].plot(its, [r["mean_size"] or np.nan for r in history], label="mean size of solved")
    axes[0].set_title("self-play")
    for key in ("kl", "value_mse"):
        axes[1].plot(its, [r.get(key, np.nan) for r in history], label=key)
    axes[1].set_yscale("log")
    axes[1].set_title("training loss")
    gated = [r for r in history if "gate_solved" in r]
    axes[2].plot([r["iteration"] for r in gated], [r["gate_solved"] for r in gated], marker="o", label="solved")
    if any("gate_raw_solved" in r for r in gated):
        axes[2].plot([r["iteration"] for r in gated], [r.get("gate_raw_solved", np.nan) for r in gated],
                     marker=".", linestyle=":", label="solved, raw candidate")
    twin = axes[2].twinx()
    twin.plot([r["iteration"] for r in gated], [r["gate_ands"] for r in gated], marker="x", color="tab:red",
              label="ANDs on solved")
    axes[2].set_title("gate (candidate's weight average)")
    for ax in axes:
        ax.set_xlabel("iteration")
        ax.legend(loc="best", fontsize=8)
    twin.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
