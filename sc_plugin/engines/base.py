"""The one interface every resynthesis engine implements, and the check every result passes.

An engine turns a truth table of n <= 8 inputs into a small AIG. `synthesize` returns a verified `Candidate`,
or None when the engine found nothing within its budget (normal, not an error). Faults (ABC missing, bad input)
raise `ScError` subclasses. Wrappers (cache, portfolio) and the do-nothing engine implement the same protocol, so
callers never know which engine they hold.

A function may be incompletely specified: with a care mask (bit m set: the value on minterm m matters), any
implementation that agrees with the table on the care minterms is correct, and engines use the freedom to find
smaller ones. None means every minterm is cared for.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from sc_plugin.aig.analysis import depth
from sc_plugin.aig.functions import normalize_care
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import table_mask

__all__ = ["Budget", "Candidate", "Engine", "NullEngine", "make_candidate", "synthesize_each", "ask_engine",
           "cares_of", "wrapped_engines"]

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
    """A verified implementation of `table` on the `care` minterms: `implementation` has num_inputs PIs (input j =
    variable j) and one PO."""

    table: int
    num_inputs: int
    implementation: Aig
    ands: int
    levels: int
    engine: str
    time_s: float
    optimal: bool  # the engine proved that no smaller AIG exists
    verified: bool  # exhaustive simulation matched `table` on `care`; always True for a returned candidate
    care: int | None = None  # the minterms whose value was required; None: all of them


@runtime_checkable
class Engine(Protocol):
    name: str

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        """A verified implementation of the function on its `care` minterms (None: all), or None if nothing was
        found within the budget."""
        ...

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        """`synthesize` for many (table, num_inputs) pairs, `cares` parallel to them (None: all completely
        specified); engines that batch (ABC, the network) override the per-function cost here. The budget applies
        to each function."""
        ...


def cares_of(functions: Sequence[tuple[int, int]], cares: Sequence[int | None] | None) -> list[int | None]:
    """The care mask of every function in normal form (`normalize_care`); checks that `cares` is parallel."""
    if cares is None:
        return [None] * len(functions)
    if len(cares) != len(functions):
        raise ValueError(f"{len(cares)} care masks for {len(functions)} functions")
    return [normalize_care(care, n) for (_, n), care in zip(functions, cares)]


def wrapped_engines(engine: Engine) -> list[Engine]:
    """`engine` and the engines it wraps, outermost first (a wrapper holds its inner engine as `.engine`)."""
    chain = []
    while engine is not None:
        chain.append(engine)
        engine = getattr(engine, "engine", None)
    return chain


def ask_engine(engine: Engine, functions: Sequence[tuple[int, int]], *, budget: Budget,
               cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
    """`engine.synthesize_batch`, passing `cares` only when some function is incompletely specified, so that
    engines written before care sets keep serving completely specified functions. Wrappers call engines this way."""
    if cares is None or all(care is None for care in cares_of(functions, cares)):
        return engine.synthesize_batch(functions, budget=budget)
    return engine.synthesize_batch(functions, budget=budget, cares=cares)


def make_candidate(table: int, num_inputs: int, implementation: Aig, *, engine: str, start_time: float,
                   optimal: bool = False, care: int | None = None) -> Candidate | None:
    """Verifies `implementation` against `table` on the `care` minterms (None: all) by exhaustive simulation and
    wraps it as a Candidate.

    Returns None (and logs an error) if the implementation is wrong: a wrong result is never returned or cached.
    `start_time` is the time.perf_counter() value when the engine started on this function.
    """
    care = normalize_care(care, num_inputs)
    elapsed = time.perf_counter() - start_time
    implementation = implementation.cleanup()
    if implementation.num_pis != num_inputs or implementation.num_pos != 1:
        log.error("engine %s returned an AIG with %d inputs and %d outputs for a %d-input function; dropped",
                  engine, implementation.num_pis, implementation.num_pos, num_inputs)
        return None
    got = output_truth_tables(implementation)[0]
    mask = table_mask(num_inputs) if care is None else care
    if (got ^ table) & mask:
        log.error("engine %s returned a wrong implementation of %x (%d inputs%s); dropped", engine, table,
                  num_inputs, "" if care is None else f", care {care:x}")
        return None
    return Candidate(table=table, num_inputs=num_inputs, implementation=implementation,
                     ands=implementation.num_ands, levels=depth(implementation), engine=engine, time_s=elapsed,
                     optimal=optimal, verified=True, care=care)


def synthesize_each(engine: Engine, functions: Sequence[tuple[int, int]], *, budget: Budget,
                    cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
    """`synthesize_batch` for engines with no batching of their own: one call per function (a care mask is passed
    only for an incompletely specified function, as `ask_engine` does)."""
    return [engine.synthesize(table, n, budget=budget) if care is None else
            engine.synthesize(table, n, budget=budget, care=care)
            for (table, n), care in zip(functions, cares_of(functions, cares))]


class NullEngine:
    """An engine that never proposes anything; for tests and for measuring the rest of a flow."""

    name = "null"

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return None

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        return [None] * len(functions)
