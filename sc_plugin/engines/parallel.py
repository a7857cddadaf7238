"""An engine wrapper that spreads each batch over worker processes, each holding its own engine built by name."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Sequence

from sc_plugin.engines.base import Budget, Candidate, Engine
from sc_plugin.engines.registry import EngineParams, make_engine

__all__ = ["ProcessPoolEngine"]

_worker_engine: Engine | None = None


def _start_worker(params: EngineParams) -> None:
    global _worker_engine
    _worker_engine = make_engine(params)


def _synthesize_chunk(functions: list[tuple[int, int]], budget: Budget) -> list[Candidate | None]:
    assert _worker_engine is not None
    return _worker_engine.synthesize_batch(functions, budget=budget)


class ProcessPoolEngine:
    """`synthesize_batch` split into one chunk per worker; results come back in order. Close it when done."""

    def __init__(self, params: EngineParams, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.name = params.name
        self.workers = workers
        context = multiprocessing.get_context("spawn")  # fork would copy torch's thread pools and locks
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                         initargs=(params,))

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget)[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget) -> list[Candidate | None]:
        functions = list(functions)
        size = -(-len(functions) // self.workers) or 1
        chunks = [functions[i:i + size] for i in range(0, len(functions), size)]
        results: list[Candidate | None] = []
        for part in self._pool.map(_synthesize_chunk, chunks, [budget] * len(chunks)):
            results.extend(part)
        return results

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
