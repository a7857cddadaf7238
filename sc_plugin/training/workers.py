"""Where self-play games run. One interface, three backends:

  backend.play(weights, batches, params, seeds) -> one list of GameResult per batch
  backend.close()

`InlineBackend` plays in this process (tests, one core). `ProcessBackend` plays each batch in a local worker process
(spawned once, reused across iterations). `RayBackend` plays each batch as a Ray task, on a cluster given by address
or on a Ray instance it starts on this machine; the cluster's nodes need sc_plugin installed. Every backend runs the
same `play_batch`, so results depend only on (weights, batch, params, seed), not on where they ran.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
import torch

from sc_plugin.errors import ScError
from sc_plugin.learned.model import ModelConfig, PolicyValueNet, network_evaluator
from sc_plugin.training.selfplay import GameResult, SelfPlayParams, SelfPlayTask, play_games

__all__ = ["ModelWeights", "SelfPlayBackend", "play_batch", "InlineBackend", "ProcessBackend", "RayBackend",
           "make_backend", "BACKENDS"]

BACKENDS = ("inline", "local", "ray")

Batch = Sequence[SelfPlayTask]


@dataclass
class ModelWeights:
    """What a worker needs to rebuild the network: plain values, cheap to pickle and ship."""

    config: dict
    state: dict

    @classmethod
    def of(cls, model: PolicyValueNet) -> "ModelWeights":
        # on the CPU: workers play on CPUs whatever device the model trains on
        return cls(config=model.config.to_dict(),
                   state={k: v.detach().cpu().clone() for k, v in model.state_dict().items()})


class SelfPlayBackend(Protocol):
    def play(self, weights: ModelWeights, batches: Sequence[Batch], params: SelfPlayParams,
             seeds: Sequence[int]) -> list[list[GameResult]]: ...

    def close(self) -> None: ...


def play_batch(weights: ModelWeights, batch: Batch, params: SelfPlayParams, seed: int) -> list[GameResult]:
    """Plays one batch of tasks with the given weights, on one thread."""
    torch.set_num_threads(1)
    model = PolicyValueNet(ModelConfig(**weights.config))
    model.load_state_dict(weights.state)
    model.eval()
    return play_games(batch, network_evaluator(model), params, np.random.default_rng(seed))


class InlineBackend:
    def play(self, weights: ModelWeights, batches: Sequence[Batch], params: SelfPlayParams,
             seeds: Sequence[int]) -> list[list[GameResult]]:
        return [play_batch(weights, batch, params, seed) for batch, seed in zip(batches, seeds)]

    def close(self) -> None:
        pass


class ProcessBackend:
    def __init__(self, workers: int) -> None:
        # spawn, not fork: a forked child would inherit torch's thread pools in an undefined state
        self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers,
                                                            mp_context=multiprocessing.get_context("spawn"))

    def play(self, weights: ModelWeights, batches: Sequence[Batch], params: SelfPlayParams,
             seeds: Sequence[int]) -> list[list[GameResult]]:
        futures = [self._pool.submit(play_batch, weights, list(batch), params, seed)
                   for batch, seed in zip(batches, seeds)]
        return [future.result() for future in futures]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class RayBackend:
    """Connects to the cluster at `address` ("auto" finds a running local one), or starts a private local Ray
    instance with `workers` CPUs when address is empty. close() disconnects (and stops a private instance)."""

    def __init__(self, address: str, workers: int) -> None:
        try:
            import ray
        except ImportError:
            raise ScError("--backend ray needs ray: pip install 'sc_plugin[ray]'") from None
        self._ray = ray
        try:
            if address:
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
            else:
                # "local": always a new instance; a bare init() joins the cluster a `ray start` left recorded,
                # even a dead one
                ray.init(address="local", num_cpus=workers, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ScError(f"cannot connect to the Ray cluster at {address or 'a new local instance'}: {exc}") from None
        self._remote = ray.remote(num_cpus=1)(play_batch)

    def play(self, weights: ModelWeights, batches: Sequence[Batch], params: SelfPlayParams,
             seeds: Sequence[int]) -> list[list[GameResult]]:
        shared = self._ray.put(weights)  # one copy in the object store, not one per task
        tasks = [self._remote.remote(shared, list(batch), params, seed) for batch, seed in zip(batches, seeds)]
        return self._ray.get(tasks)

    def close(self) -> None:
        self._ray.shutdown()


def make_backend(name: str, *, workers: int = 2, address: str = "") -> SelfPlayBackend:
    """'inline', 'local' (worker processes; inline when workers <= 1) or 'ray'."""
    if name == "inline" or (name == "local" and workers <= 1):
        return InlineBackend()
    if name == "local":
        return ProcessBackend(workers)
    if name == "ray":
        return RayBackend(address, workers)
    raise ScError(f"unknown self-play backend {name!r} (choose from {', '.join(BACKENDS)})")
