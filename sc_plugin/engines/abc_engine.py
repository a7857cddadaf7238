"""ABC on truth tables, batched: one ABC process synthesizes many functions.

For every function and every script in `AbcParams.scripts` the batch script holds one independent block
`read_truth <hex>; <script>; write_aiger f<i>_<s>.aig`; `read_truth` replaces the current network, so no
function shares logic with another and every count is that function's own. A script's BDD-based commands before
its first `strash` run once on all tables together, and each table's output is then taken alone (`_script_lines`).
The smallest result per function that passes make_candidate is returned. Functions are solved on their support
(`shrink_to_support`), so the inputs ABC sees are exactly those the function depends on; the result is mapped back
to the caller's inputs. Under a budget's deadline the processes are sized by the measured time per function to end
by it (`_functions_in_time`).

ABC synthesizes completely specified functions only (`read_truth` has no don't cares). For an incompletely
specified function the engine runs ABC on each of its cheap completions (`completions`: the table as given, the
don't cares filled with 0 and with 1, both fills after dropping the inputs the care set lets go, and the functions
of irredundant covers), each solved on its own support, and keeps the smallest result, verified on the care
minterms. The table as given gets every script; the other completions, made from covers and fills, only the first
`completion_scripts` (by default the two that start from a sum of products): the DSD and BDD scripts cost several
times as much and rarely win on a completion other than the table itself (docs/HISTORY.md has the measurement).
They run in a second ABC process, and only on tables for which the first scripts left `expensive_min_ands` ANDs
or more: on smaller circuits they never won in the samples docs/HISTORY.md describes.

Every distinct table of a call is run once, whichever functions it is or completes, and the engine remembers the
result of every table it ran all scripts on (`_MEMO_SIZE` of them): a care-set function's table is usually a cut
function that was asked for completely before.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Sequence

from sc_plugin.abc.runner import run_abc
from sc_plugin.aig.aiger import aiger_bytes, read_aiger, read_aiger_bytes
from sc_plugin.aig.functions import completions, expand_support, shrink_to_support, trivial_implementation
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import MAX_INPUTS, table_mask, to_hex
from sc_plugin.engines.base import Budget, Candidate, cares_of, make_candidate
from sc_plugin.errors import AbcError, AbcTimeoutError, AigerFormatError

__all__ = ["AbcParams", "AbcEngineStats", "AbcEngine"]

log = logging.getLogger(__name__)

_MEMO_SIZE = 20000  # tables whose best result the engine remembers, as AIGER (~100 bytes); the oldest goes first


@dataclass(frozen=True)
class AbcParams:
    """Knobs of the ABC engine."""

    # Scripts run after `read_truth` (each from scratch); the best verified result wins. The first two give the
    # "best ABC" columns of the shared cut baselines except &deepsyn; they start from a sum of products, which
    # is hopeless for XOR-rich functions, so two more start from a disjoint-support decomposition and a BDD
    # (on the 500 hard 8-input cuts these halve the total).
    scripts: tuple[str, ...] = ("strash; dc2; resyn2", "strash; resyn2", "dsd; strash; dc2; resyn2",
                                "bdd; muxes; strash; dc2; resyn2")
    deepsyn_time_s: float = 0.0  # > 0 adds `dc2; resyn2; &deepsyn -T t` per function (about t seconds each)
    # The first this many scripts (at least 1), the cheap ones, also run on a care-set function's completions other
    # than its table as given. The table as given gets the others, the expensive ones, when the cheap ones leave
    # at least `expensive_min_ands` ANDs: below that they have never found a smaller circuit (module docstring).
    completion_scripts: int = 2
    expensive_min_ands: int = 8
    batch_size: int = 250  # tables (functions, completions) per ABC process
    timeout_slack_s: float = 10.0  # added to the batch's time limit (process start, file I/O)


@dataclass
class AbcEngineStats:
    functions: int = 0
    processes: int = 0
    reused: int = 0  # tables not run again: met before in the call (as a function or completion) or remembered
    rejected: int = 0  # results that failed verification (logged by make_candidate) or could not be read
    skipped: int = 0  # answers None because ABC fails on the function alone (it crashes, say)
    retries: int = 0  # processes rerun on half a batch after ABC failed on the batch
    time_s: float = 0.0

    def report(self) -> str:
        return (f"abc: {self.functions} functions in {self.processes} processes, {self.reused} tables reused, "
                f"{self.rejected} rejected, {self.skipped} skipped (ABC failed on them), {self.time_s:.2f}s")


@dataclass
class _Job:
    """A completely specified table on its support for ABC, and the functions of the call it answers: (index,
    the table's inputs among the function's, care mask) for each function it is, or is a completion of."""

    table: int
    num_inputs: int
    all_scripts: bool = False  # some function is this table as given; else a completion only
    uses: list[tuple[int, list[int], int | None]] = field(default_factory=list)


class AbcEngine:
    """Engine protocol over ABC. Raises AbcNotFoundError / AbcError (ScError) when ABC is missing or fails."""

    name = "abc"

    def __init__(self, params: AbcParams = AbcParams()) -> None:
        self.params = params
        self.stats = AbcEngineStats()
        self._failed: set[tuple[int, int]] = set()  # (table, inputs) on its support that ABC fails on alone
        self._abc_works = False  # set once ABC has solved a trivial function after failing on a batch
        self._seconds_per_function: float | None = None  # per table, on the last ABC process, start included
        # (table, inputs, scripts) -> the best result of every script on it as binary AIGER, for tables given as
        # functions
        self._memo: dict[tuple[int, int, tuple[str, ...]], bytes] = {}

    def _scripts(self, budget: Budget) -> list[str]:
        scripts = list(self.params.scripts)
        if self.params.deepsyn_time_s > 0:
            seconds = max(0.1, min(self.params.deepsyn_time_s, budget.time_ms / 1000.0))
            scripts.append(f"strash; dc2; resyn2; &get -n; &deepsyn -T {seconds:g}; &put")
        return scripts

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def _functions_in_time(self, budget: Budget, pending: int) -> int:
        """How many tables the next ABC process gets: `batch_size`, or under a deadline as many as fill half the
        time left at the last measured rate (so a misjudged process overruns by little, and the processes shrink
        towards the deadline); 0 when not even one table fits."""
        size = min(max(1, self.params.batch_size), pending)
        left_s = budget.seconds_left()
        if math.isinf(left_s):
            return size
        # before any measurement: the per-function time the batch timeout allows (an overestimate)
        each_s = self._seconds_per_function or budget.time_ms / 1000.0 + 0.05 * len(self._scripts(budget))
        fit = int(0.5 * left_s / each_s)
        if fit < 1:
            return 1 if left_s >= each_s else 0
        return min(size, fit)

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        results: list[Candidate | None] = [None] * len(functions)
        start = time.perf_counter()
        jobs: dict[tuple[int, int], _Job] = {}  # by (table, inputs) on its support
        for index, ((table, num_inputs), care) in enumerate(zip(functions, cares_of(functions, cares))):
            if not 0 <= num_inputs <= MAX_INPUTS:
                raise ValueError(f"{num_inputs} inputs, at most {MAX_INPUTS} supported")
            table &= table_mask(num_inputs)
            trivial = trivial_implementation(table, num_inputs, care)
            if trivial is not None:
                results[index] = make_candidate(table, num_inputs, trivial, engine=self.name,
                                                start_time=time.perf_counter(), optimal=True, care=care)
                continue
            # completions() puts the table as given first
            for position, completion in enumerate([table] if care is None else completions(table, care, num_inputs)):
                small, variables = shrink_to_support(completion, num_inputs)
                job = jobs.setdefault((small, len(variables)), _Job(small, len(variables)))
                job.all_scripts |= position == 0
                job.uses.append((index, variables, care))
        scripts = tuple(self._scripts(budget))
        pending = []
        for job in jobs.values():
            self.stats.reused += len(job.uses) - 1
            remembered = self._memo.get((job.table, job.num_inputs, scripts))
            if remembered is None:
                pending.append(job)
            else:
                self.stats.reused += 1
                self._answer(functions, job, read_aiger_bytes(remembered), 0.0, results)
        first = 0
        while first < len(pending):
            size = self._functions_in_time(budget, len(pending) - first)
            if size == 0:
                break  # the deadline: the functions left are answered None
            batch_start = time.perf_counter()
            self._run_batch(functions, pending[first:first + size], budget, results)
            self._seconds_per_function = (time.perf_counter() - batch_start) / size
            first += size
        self.stats.functions += len(functions)
        self.stats.time_s += time.perf_counter() - start
        for index, candidate in enumerate(results):
            if candidate is not None and budget.max_ands is not None and candidate.ands > budget.max_ands:
                results[index] = None
        return results

    def _answer(self, functions: Sequence[tuple[int, int]], job: _Job, implementation: Aig, elapsed_s: float,
                results: list[Candidate | None]) -> None:
        """Offers `implementation` of the job's table (over its support) to every function it answers; each keeps
        its smallest verified candidate. `elapsed_s`: the time the table took, the candidates' time_s."""
        for index, variables, care in job.uses:
            table, num_inputs = functions[index]
            candidate = make_candidate(table & table_mask(num_inputs), num_inputs,
                                       expand_support(implementation, variables, num_inputs), engine=self.name,
                                       start_time=time.perf_counter() - elapsed_s, care=care)
            best = results[index]
            if candidate is None:
                self.stats.rejected += 1
            elif _smaller(candidate, best):
                results[index] = candidate

    def _run_batch(self, functions, batch, budget: Budget, results: list[Candidate | None]) -> None:
        """Solves `batch` in one ABC process. When ABC fails on it (a crash, an error line), the halves are rerun,
        down to single functions, so that one function ABC cannot handle costs only itself: that function is
        answered None, logged once, counted in `stats.skipped` and not tried again by this engine. An ABC that
        fails on a trivial function as well is broken, and its error is raised."""
        known = [job for job in batch if (job.table, job.num_inputs) in self._failed]
        if known:
            self.stats.skipped += len(known)
            batch = [job for job in batch if (job.table, job.num_inputs) not in self._failed]
        if not batch:
            return
        try:
            self._run_process(functions, batch, budget, results)
        except AbcTimeoutError:
            raise
        except AbcError as exc:
            if not self._abc_works_alone(budget):
                raise
            if len(batch) == 1:
                job = batch[0]
                self._failed.add((job.table, job.num_inputs))
                self.stats.skipped += 1
                log.warning("ABC failed on function %s (%d inputs); skipped: %s", to_hex(job.table, job.num_inputs),
                            job.num_inputs, exc)
                return
            half = len(batch) // 2
            self.stats.retries += 2
            self._run_batch(functions, batch[:half], budget, results)
            self._run_batch(functions, batch[half:], budget, results)

    def _abc_works_alone(self, budget: Budget) -> bool:
        """Whether ABC synthesizes a trivial function (majority of 3); checked once per engine."""
        if not self._abc_works:
            with tempfile.TemporaryDirectory(prefix="sc_abc_probe_") as folder:
                try:
                    run_abc([f"read_truth e8; {self._scripts(budget)[0]}; write_aiger probe.aig"],
                            timeout_s=self.params.timeout_slack_s + budget.time_ms / 1000.0, cwd=folder)
                    probe = read_aiger(os.path.join(folder, "probe.aig"))
                    self._abc_works = probe.num_pis == 3 and probe.num_pos == 1
                except (AbcError, AigerFormatError):
                    pass
        return self._abc_works

    def _run_process(self, functions: Sequence[tuple[int, int]], batch: list[_Job], budget: Budget,
                     results: list[Candidate | None]) -> None:
        """Runs `batch` in ABC, the cheap scripts on every table first, then the expensive ones (`AbcParams`) on
        the tables given as functions that the cheap ones left large; raises AbcError when ABC fails or writes
        none of its results."""
        scripts = self._scripts(budget)
        cheap = max(1, self.params.completion_scripts)
        start = time.perf_counter()
        best = self._best_of_scripts(batch, scripts[:cheap], budget)
        large = [index for index, (job, found) in enumerate(zip(batch, best))
                 if job.all_scripts and (found is None or found.ands >= self.params.expensive_min_ands)]
        if large and scripts[cheap:]:
            again = self._best_of_scripts([batch[index] for index in large], scripts[cheap:], budget)
            for index, found in zip(large, again):
                if found is not None and _smaller(found, best[index]):
                    best[index] = found
        elapsed_each = (time.perf_counter() - start) / max(1, len(batch))
        for job, found in zip(batch, best):
            if found is None:
                continue
            if job.all_scripts:
                if len(self._memo) >= _MEMO_SIZE:
                    del self._memo[next(iter(self._memo))]
                self._memo[job.table, job.num_inputs, tuple(scripts)] = aiger_bytes(found.implementation)
            self._answer(functions, job, found.implementation, elapsed_each, results)

    def _best_of_scripts(self, jobs: list[_Job], scripts: Sequence[str], budget: Budget) -> list[Candidate | None]:
        """One ABC process that runs every script on every job's table; the smallest verified result per job."""
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="sc_abc_tt_") as folder:
            lines = _script_lines(jobs, scripts, folder)
            per_function_s = budget.time_ms / 1000.0 + 0.05 * len(scripts)
            run = run_abc(lines, timeout_s=per_function_s * len(jobs) + self.params.timeout_slack_s, cwd=folder)
            self.stats.processes += 1
            unreadable: list[str] = []
            best: list[Candidate | None] = []
            for position, job in enumerate(jobs):
                found = None
                for s in range(len(scripts)):
                    path = os.path.join(folder, f"f{position}_{s}.aig")
                    try:
                        aig = read_aiger(path)
                    except AigerFormatError as exc:
                        unreadable.append(str(exc))
                        continue
                    if aig.num_pis != job.num_inputs or aig.num_pos != 1:
                        log.error("ABC result %s has %d inputs and %d outputs, expected %d and 1; dropped", path,
                                  aig.num_pis, aig.num_pos, job.num_inputs)
                        self.stats.rejected += 1
                        continue
                    candidate = make_candidate(job.table, job.num_inputs, aig, engine=self.name, start_time=start)
                    if candidate is None:
                        self.stats.rejected += 1
                    elif _smaller(candidate, found):
                        found = candidate
                best.append(found)
            if len(unreadable) == len(jobs) * len(scripts):
                raise AbcError(f"ABC wrote none of its {len(unreadable)} result files", binary=run.binary,
                               command=run.command, output=run.output)
            if unreadable:  # one line per process, not one per file
                log.error("%d of %d ABC results unreadable and dropped (first: %s)", len(unreadable),
                          len(jobs) * len(scripts), unreadable[0])
                self.stats.rejected += len(unreadable)
        return best


def _smaller(candidate: Candidate, best: Candidate | None) -> bool:
    """Whether `candidate` beats `best`: fewer ANDs, then fewer levels."""
    return best is None or (candidate.ands, candidate.levels) < (best.ands, best.levels)


def _script_lines(jobs: Sequence[_Job], scripts: Sequence[str], folder: str) -> list[str]:
    """ABC's lines that leave script s's result for jobs[p] in `f<p>_<s>.aig`. A script is run on each table alone
    (`read_truth`), except for the commands before its first `strash` (`dsd`, `bdd; muxes`): those run once on
    the network of all tables with as many inputs (`read_truth -f tables<n>.txt`), whose outputs are then taken one
    at a time (`cone`). Such commands build a BDD manager, whose setup costs more kernel time than a small table's
    whole synthesis; this way it is built once per process (docs/HISTORY.md has the measurement)."""
    by_inputs: dict[int, list[int]] = {}
    for p, job in enumerate(jobs):
        by_inputs.setdefault(job.num_inputs, []).append(p)
    written: set[int] = set()
    lines = []
    for s, script in enumerate(scripts):
        commands = [command.strip() for command in script.split(";")]
        first_strash = next((i for i, command in enumerate(commands) if command == "strash"), 0)
        if first_strash == 0:
            lines += [f"read_truth {to_hex(job.table, job.num_inputs)}; {script}; write_aiger f{p}_{s}.aig"
                      for p, job in enumerate(jobs)]
            continue
        head, tail = "; ".join(commands[:first_strash]), "; ".join(commands[first_strash:])
        for num_inputs, positions in by_inputs.items():
            if num_inputs not in written:
                with open(os.path.join(folder, f"tables{num_inputs}.txt"), "w") as tables:
                    tables.writelines(f"{to_hex(jobs[p].table, num_inputs)}\n" for p in positions)
                written.add(num_inputs)
            # `sop` first: restoring a network that holds BDDs would build a manager again
            lines.append(f"read_truth -f tables{num_inputs}.txt; {head}; sop; backup")
            lines += [f"restore; cone -O {output}; {tail}; write_aiger f{p}_{s}.aig"
                      for output, p in enumerate(positions)]
    return lines
