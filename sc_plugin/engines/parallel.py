"""Engine wrappers that spread each batch over workers, each holding its own engine built from `EngineParams`.

`ProcessPoolEngine` runs the workers as processes on this machine, `RayPoolEngine` as Ray actors on a cluster (or
on a Ray instance it starts here). Both cut a batch into the same chunks (`split_batch`), so a run gives the same
result on either backend with the same number of workers. `make_pool` builds the one that `PoolParams` describe.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import socket
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Sequence

from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, cares_of
from sc_plugin.engines.registry import EngineParams, make_engine
from sc_plugin.errors import ScError

__all__ = ["BACKENDS", "PoolParams", "ProcessPoolEngine", "RayPoolEngine", "make_pool", "split_batch"]

log = logging.getLogger(__name__)

BACKENDS = ("local", "ray")


@dataclass(frozen=True)
class PoolParams:
    """Where the engine runs."""

    workers: int = 1  # engines working at once; 1 with backend local runs the engine in this process
    backend: str = "local"  # one of BACKENDS: local worker processes, or one Ray actor per worker
    address: str = ""  # backend ray: "auto" or host:port of a running cluster; empty starts a local Ray instance
    start_timeout_s: float = 120.0  # backend ray: actors not all started by then is an error (too few free CPUs)


def split_batch(functions: Sequence, workers: int) -> list[list]:
    """At most `workers` contiguous chunks of nearly equal size, in order. Engines that search several functions in
    lock-step (mcts) draw their random numbers per chunk, so every backend must cut a batch the same way (and a
    batch's care masks are cut the same way as its functions)."""
    functions = list(functions)
    size = -(-len(functions) // workers) or 1
    return [functions[i:i + size] for i in range(0, len(functions), size)]


# ---- local worker processes --------------------------------------------------------------------------------------

_worker_engine: Engine | None = None


def _start_worker(params: EngineParams) -> None:
    global _worker_engine
    _worker_engine = make_engine(params)


def _synthesize_chunk(functions: list[tuple[int, int]], budget: Budget,
                      cares: list[int | None]) -> list[Candidate | None]:
    assert _worker_engine is not None
    return ask_engine(_worker_engine, functions, budget=budget, cares=cares)


class ProcessPoolEngine:
    """`synthesize_batch` split into one chunk per worker process; results come back in order. Close it when done."""

    def __init__(self, params: EngineParams, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.name = params.name
        self.workers = workers
        context = multiprocessing.get_context("spawn")  # fork would copy torch's thread pools and locks
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                         initargs=(params,))

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        chunks = split_batch(functions, self.workers)
        care_chunks = split_batch(cares_of(functions, cares), self.workers)
        results: list[Candidate | None] = []
        for part in self._pool.map(_synthesize_chunk, chunks, [budget] * len(chunks), care_chunks):
            results.extend(part)
        return results

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


# ---- Ray actors --------------------------------------------------------------------------------------------------

class _EngineActor:
    """One Ray worker. It builds its engine in `start`, not in the constructor, so that an engine that cannot be
    built (a missing model, torch missing) comes back as the engine's own error rather than as a dead actor."""

    def __init__(self, params: EngineParams) -> None:
        self._params = params
        self._engine: Engine | None = None

    def start(self) -> None:
        self._engine = make_engine(self._params)

    def synthesize_batch(self, functions: list[tuple[int, int]], budget: Budget,
                         cares: list[int | None]) -> list[Candidate | None]:
        assert self._engine is not None, "start() first"
        return ask_engine(self._engine, functions, budget=budget, cares=cares)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ScError("backend ray needs the ray package: pip install 'sc_plugin[ray]'") from None
    return ray


def _unreachable(address: str, timeout_s: float = 10.0) -> str | None:
    """Why nothing accepts connections at a "host:port" or "ray://host:port" address; None when something does, or
    for addresses Ray resolves itself ("auto")."""
    host, colon, port = address.rpartition("://")[2].rpartition(":")
    if not colon or not port.isdigit():
        return None
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            return None
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


class RayPoolEngine:
    """`synthesize_batch` split as by `ProcessPoolEngine`, chunk i sent to the i-th of `workers` Ray actors (one CPU
    each), each holding an engine built from `params`; results come back in order.

    Ray: a process already connected to Ray keeps its connection (and `address` is not used); otherwise the engine
    connects to the cluster at `address` ("auto": the one running on this machine, or host:port), or starts a
    private Ray instance on this machine with `workers` CPUs when `address` is empty. The cluster's nodes need
    sc_plugin installed (and ABC, for the engines that call it). A worker's fault is raised here as its own
    exception; a lost worker, a failed connection or actors that do not start within `start_timeout_s` (the
    cluster has too few free CPUs) raise ScError. Close it when done: close() kills the actors, removes the folder
    their temporary files go to (a killed actor cannot remove its own) and disconnects only when this engine
    connected (stopping the private instance). A missing `ray` package is an ScError.
    """

    def __init__(self, params: EngineParams, workers: int, *, address: str = "",
                 start_timeout_s: float = 120.0) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.name = params.name
        self.workers = workers
        self._ray = _import_ray()
        self._actors: list[Any] = []
        self._connected = False  # this engine called ray.init: close() disconnects
        # the actors' TMPDIR (where it does not exist, on another node, Python falls back to its default)
        self._temp_root = tempfile.mkdtemp(prefix="sc_ray_")
        try:
            if self._ray.is_initialized():
                log.info("Ray pool: using this process's Ray connection")
            else:
                self._connect(address)
            actor_class = self._ray.remote(num_cpus=1, max_restarts=0,
                                           runtime_env={"env_vars": {"TMPDIR": self._temp_root}})(_EngineActor)
            self._actors = [actor_class.remote(params) for _ in range(workers)]
            self._get([actor.start.remote() for actor in self._actors], start_timeout_s=start_timeout_s)
        except BaseException:  # Ctrl-C while starting too: no actor or Ray instance stays behind
            self.close()
            raise

    def _connect(self, address: str) -> None:
        ray = self._ray
        unreachable = _unreachable(address) if address else None
        if unreachable:  # Ray itself would retry for many minutes
            raise ScError(f"cannot reach the Ray cluster at {address}: {unreachable}")
        settings = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
        try:
            if address:
                ray.init(address=address, **settings)
            else:  # "local": a new instance even when `ray start` runs one here (no address would join that)
                ray.init(address="local", num_cpus=self.workers, **settings)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            ray.shutdown()  # processes a failed start left behind
            where = f"the Ray cluster at {address}" if address else "a new local Ray instance"
            raise ScError(f"cannot start or reach {where}: {_first_line(str(exc))}") from None
        self._connected = True

    def _get(self, refs: list[Any], *, start_timeout_s: float | None = None) -> list[Any]:
        """ray.get with the errors this package raises: a worker's own exception as itself, Ray's as ScError."""
        errors = self._ray.exceptions
        try:
            return self._ray.get(refs, timeout=start_timeout_s)
        except errors.RayTaskError as exc:
            if isinstance(exc.cause, Exception):
                raise exc.cause from exc
            raise ScError(f"a Ray worker failed: {_first_line(str(exc))}") from None
        except errors.GetTimeoutError:
            raise ScError(f"{self.workers} Ray workers did not start within {start_timeout_s:g} s: the cluster "
                          f"needs {self.workers} free CPUs") from None
        except errors.RayError as exc:
            raise ScError(f"a Ray worker was lost: {_first_line(str(exc))}") from None

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        if not self._actors:
            raise ScError("the Ray pool is closed")
        chunks = split_batch(functions, self.workers)
        care_chunks = split_batch(cares_of(functions, cares), self.workers)
        refs = [actor.synthesize_batch.remote(chunk, budget, care_chunk)
                for actor, chunk, care_chunk in zip(self._actors, chunks, care_chunks)]
        results: list[Candidate | None] = []
        for part in self._get(refs):
            results.extend(part)
        return results

    def close(self) -> None:
        """Kills the actors (a chunk in progress is abandoned) and disconnects from Ray when this engine connected.
        Calling it again does nothing."""
        actors, self._actors = self._actors, []
        for actor in actors:
            try:
                self._ray.kill(actor)
            except Exception as exc:  # gone already, with its node or the connection; nothing left to stop
                log.debug("Ray pool: killing an actor: %s", exc)
        if self._connected:
            self._connected = False
            self._ray.shutdown()
        # ray.kill does not wait: an actor may still write there for a moment after it was told to die
        for _ in range(50):
            shutil.rmtree(self._temp_root, ignore_errors=True)
            if not os.path.exists(self._temp_root):
                break
            time.sleep(0.1)


def make_pool(engine: EngineParams, pool: PoolParams) -> ProcessPoolEngine | RayPoolEngine | None:
    """The workers `pool` describes, each with an engine built from `engine`; None when the engine should run in
    this process (backend local with one worker). The caller closes the pool."""
    if pool.backend == "ray":
        return RayPoolEngine(engine, pool.workers, address=pool.address, start_timeout_s=pool.start_timeout_s)
    if pool.backend != "local":
        raise ScError(f"unknown backend {pool.backend!r}; choose one of {', '.join(BACKENDS)}")
    return ProcessPoolEngine(engine, pool.workers) if pool.workers > 1 else None
