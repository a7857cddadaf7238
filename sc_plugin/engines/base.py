"""The one interface every resynthesis engine implements, and the check every result passes.

An engine turns a truth table of n <= 8 inputs into a small AIG. `synthesize` returns a verified `Candidate`,
or None when the engine found nothing within its budget (normal, not an error). Faults (ABC missing, bad input)
raise `ScError` subclasses. Wrappers (cache, portfolio) and the do-nothing engine implement the same protocol, so
callers never know which engine they hold.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from sc_plugin.aig.analysis import depth
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import table_mask

__all__ = ["Budget", "Candidate", "Engine", "NullEngine", "make_candidate", "synthesize_each"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    """Limits for one function, and the deadline of the whole call.

    `deadline` is a `time.time()` value (epoch seconds, so that worker processes read it the same way) by which a
    `synthesize_batch` call must return: an engine starts no new work after it and cuts the work it is running
    short, answering None for the functions it did not get to. None means no deadline.
    """

    time_ms: float = 1000.0  # wall-clock time an engine may spend on one function
    max_ands: int | None = None  # results with more ANDs than this are useless to the caller
    deadline: float | None = None  # time.time() by which the call must return; None: no deadline

    def seconds_left(self) -> float:
        """Seconds until the deadline (negative once it has passed); infinity without one."""
        return math.inf if self.deadline is None else self.deadline - time.time()


@dataclass(frozen=True)
class Candidate:
    """A verified implementation of `table`: `implementation` has num_inputs PIs (input j = variable j) and one PO."""

    table: int
    num_inputs: int
    implementation: Aig
    ands: int
    levels: int
    engine: str
    time_s: float
    optimal: bool  # the engine proved that no smaller AIG exists
    verified: bool  # exhaustive simulation matched `table`; always True for a returned candidate


@runtime_checkable
class Engine(Protocol):
    name: str

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget) -> Candidate | None:
        """A verified implementation of the function, or None if nothing was found within the budget."""
        ...

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget) -> list[Candidate | None]:
        """`synthesize` for many (table, num_inputs) pairs; engines that batch (ABC, the network) override the
        per-function cost here. The budget applies to each function."""
        ...


def make_candidate(table: int, num_inputs: int, implementation: Aig, *, engine: str, start_time: float,
                   optimal: bool = False) -> Candidate | None:
    """Verifies `implementation` against `table` by exhaustive simulation and wraps it as a Candidate.

    Returns None (and logs an error) if the implementation is wrong: a wrong result is never returned or cached.
    `start_time` is the time.perf_counter() value when the engine started on this function.
    """
    elapsed = time.perf_counter() - start_time
    implementation = implementation.cleanup()
    if implementation.num_pis != num_inputs or implementation.num_pos != 1:
        log.error("engine %s returned an AIG with %d inputs and %d outputs for a %d-input function; dropped",
                  engine, implementation.num_pis, implementation.num_pos, num_inputs)
        return None
    got = output_truth_tables(implementation)[0]
    if got != table & table_mask(num_inputs):
        log.error("engine %s returned a wrong implementation of %x (%d inputs); dropped", engine, table, num_inputs)
        return None
    return Candidate(table=table, num_inputs=num_inputs, implementation=implementation,
                     ands=implementation.num_ands, levels=depth(implementation), engine=engine, time_s=elapsed,
                     optimal=optimal, verified=True)


def synthesize_each(engine: Engine, functions: Sequence[tuple[int, int]], *, budget: Budget
                    ) -> list[Candidate | None]:
    """`synthesize_batch` for engines with no batching of their own: one call per function."""
    return [engine.synthesize(table, n, budget=budget) for table, n in functions]


class NullEngine:
    """An engine that never proposes anything; for tests and for measuring the rest of a flow."""

    name = "null"

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget) -> Candidate | None:
        return None

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget) -> list[Candidate | None]:
        return [None] * len(functions)
