"""The anytime schedule: spend a time limit on a network by cycling through steps, keeping the best network so far.

A schedule is data (YAML): a list of steps, each an ABC script, a run of our own cut resynthesis, or a run of
multi-output window resynthesis.

    name: default
    passes: 2                      # the limit is split into this many passes through the steps
    steps:
      - {name: c2rs, abc: "compress2rs"}
      - {name: deepsyn, abc: "&get -n; &deepsyn -T {T} -S {SEED}; &put", share: 2}
      - {name: sc, sc: {rounds: 2, zero_gain: true}, share: 1}
      - {name: eslim, abc: "&get -n; &eslim -T {T} -Z {SEED}; &put", share: 1, min_s: 10}

In an ABC script `{T}` becomes three quarters of the step's seconds (its `share` of a pass; ABC overruns it, and the
process is killed at twice them, or for a script without `{T}` at half the time left if that is more) and `{SEED}`
the pass number from 0, so that randomized commands explore differently on each pass. A step of share 0 (a script
without a time parameter) may run until the schedule's time ends; a script with neither `{T}` nor `{SEED}` is not
run again on the network it last ran on. A step with `min_s` gets at least that many seconds and is skipped when
less is left (for commands that misbehave on short limits). A step with `repeat: N` runs up to N times in a row
while each run saves ANDs (`{abc: compress2rs, repeat: 10}` is compress2rs iterated). An `sc` step runs `rewrite`
with the pipeline options it names, for its share of the pass; a `windows` step (`{name: windows, windows:
{max_inputs: 6, max_gates: 5}}`) runs `rewrite/windows.py` with the `WindowParams` fields it names (all but `exact`
and `time_limit_s`), for its share of the pass. Every step starts from the best network so far; its output is kept
when it has fewer ANDs, or as many (with `accept_equal`, a move sideways that lets the next randomized step escape a
local minimum), and only after it agrees with its start on random patterns. The caller proves the final network
(`rewrite/pipeline.py`), so a step never needs a proof of its own. A step that fails (ABC error, time out) is
recorded and skipped; one killed at its limit is next given twice the seconds it had, or skipped when they are not
left.

With `adaptive: true` (the default) the first pass is a probe: from the second pass on, a step's seconds are its
share weighted by the ANDs it has saved per second so far, and a script with neither `{T}` nor `{SEED}` runs again
only while its last run saved ANDs. A design where `&deepsyn` gains and our resynthesis does not thus gives its time
to `&deepsyn`, and the other way round; see `_step_seconds`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from sc_plugin.abc.runner import optimize_with_abc
from sc_plugin.aig.aiger import aiger_bytes
from sc_plugin.aig.analysis import depth
from sc_plugin.aig.network import Aig
from sc_plugin.engines.base import Engine
from sc_plugin.errors import AbcTimeoutError, ScError
from sc_plugin.rewrite.optimize import RewriteParams, rewrite
from sc_plugin.rewrite.windows import WindowParams, resynthesize_windows
from sc_plugin.verify.cec import differs_on_random_patterns

__all__ = ["ScheduleStep", "Schedule", "ScheduleStats", "load_schedule", "schedule_from_mapping", "run_schedule",
           "SCHEDULES_DIR"]

log = logging.getLogger(__name__)

SCHEDULES_DIR = Path(__file__).resolve().parent / "schedules"
_MIN_STEP_S = 1.0  # ABC's time limits are whole seconds
# ABC's commands check their -T only between iterations, and a process killed at the schedule's end loses all its
# work: an ABC step is asked for this fraction of its seconds (time it leaves goes to the next steps and passes).
_ABC_T_FRACTION = 0.75
# ...and killed at this multiple of its seconds (&eslim can overrun -T by minutes on large networks), so the steps
# after it keep their time. A step without a share (a script with no time parameter) may use all that is left.
_ABC_KILL_FACTOR = 2.0
# A script with a share but no {T} (it cannot be told to stop, and a killed run loses all its work) may also use
# this fraction of the time left, so that a long budget lets it finish (`mfs` on a large network).
_FIXED_SCRIPT_FRACTION_OF_LEFT = 0.5


@dataclass(frozen=True)
class ScheduleStep:
    """One step: an ABC script, our cut resynthesis with pipeline options, or window resynthesis."""

    name: str
    abc: str | None = None  # ABC script; {T}: the step's seconds, {SEED}: the pass number from 0
    sc: Mapping[str, Any] | None = None  # options of `rewrite/options.py` for a ShortCircuit run
    windows: WindowParams | None = None  # multi-output window resynthesis (its time limit is the step's)
    share: float = 1.0  # weight of the step in a pass's time
    min_s: float = 0.0  # the step gets at least this many seconds, and is skipped when less time is left
    repeat: int = 1  # runs up to this many times in a row while each run saves ANDs (a script iterated to its end)


@dataclass(frozen=True)
class Schedule:
    """Steps run in order, `passes` times over the time limit, each from the best network so far."""

    name: str
    steps: tuple[ScheduleStep, ...]
    passes: int = 2  # the limit is split into this many passes; passes repeat while time is left
    accept_equal: bool = True  # keep a step's output of equal AND count (a sideways move)
    adaptive: bool = True  # after the first pass, time goes to the steps that save ANDs (`_step_seconds`)


@dataclass
class ScheduleStats:
    """What the schedule did: per step name, ANDs saved and seconds spent."""

    passes: int = 0
    gains: dict[str, int] = field(default_factory=dict)
    times_s: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # step name -> last error
    history: list[tuple[str, int]] = field(default_factory=list)  # (step, ANDs after it) for every step run
    sc_rounds: int = 0  # rewrite rounds the `sc` steps ran
    sc_functions: int = 0  # distinct functions the `sc` steps handed to the engine
    sc_replacements: int = 0  # replacements the `sc` steps stitched
    windows_tried: int = 0  # windows the `windows` steps handed to exact synthesis
    windows_improved: int = 0  # windows they replaced
    # Every network the schedule kept, in order, as binary AIGER; the last is its result. Each differs from the one
    # before by one step, so a proof that cannot compare the result with the input at once can go link by link.
    path: list[bytes] = field(default_factory=list)

    def report(self) -> str:
        gains = ", ".join(f"{name} -{gain}" for name, gain in self.gains.items() if gain) or "none"
        return f"{self.passes} passes; ANDs saved by step: {gains}"


def load_schedule(name_or_path: str) -> Schedule:
    """A shipped schedule by name (`sc_plugin/rewrite/schedules/NAME.yaml`) or a YAML file; ScError if invalid."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SCHEDULES_DIR / f"{name_or_path}.yaml"
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        shipped = ", ".join(sorted(p.stem for p in SCHEDULES_DIR.glob("*.yaml")))
        raise ScError(f"schedule {name_or_path}: cannot read {path} ({exc.strerror}); shipped: {shipped}") from None
    except yaml.YAMLError as exc:
        raise ScError(f"schedule {path}: not valid YAML ({exc})") from None
    return schedule_from_mapping(data, where=str(path))


def schedule_from_mapping(data: Any, *, where: str) -> Schedule:
    """A schedule from its YAML mapping (also the form a flow file holds); ScError names what is wrong. The
    options of `sc` steps are checked by the caller that maps them (`rewrite/options.py`)."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise ScError(f"{where}: a schedule is a mapping with a non-empty list of steps")
    unknown = set(data) - {"name", "steps", "passes", "accept_equal", "adaptive"}
    if unknown:
        raise ScError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    steps = []
    for index, entry in enumerate(data["steps"], 1):
        if not isinstance(entry, dict) or sum(kind in entry for kind in ("abc", "sc", "windows")) != 1:
            raise ScError(f"{where}: step {index} needs exactly one of abc: SCRIPT, sc: {{options}} or "
                          f"windows: {{options}}")
        unknown = set(entry) - {"name", "abc", "sc", "windows", "share", "min_s", "repeat"}
        if unknown:
            raise ScError(f"{where}: step {index}: unknown keys {', '.join(sorted(unknown))}")
        if "sc" in entry and not isinstance(entry["sc"] or {}, dict):
            raise ScError(f"{where}: step {index}: sc takes a mapping of options")
        if "abc" in entry and not isinstance(entry["abc"], str):
            raise ScError(f"{where}: step {index}: abc takes a script")
        share = entry.get("share", 1.0)
        if not isinstance(share, (int, float)) or share < 0:
            raise ScError(f"{where}: step {index}: share must be a number >= 0")
        min_s = entry.get("min_s", 0.0)
        if not isinstance(min_s, (int, float)) or min_s < 0:
            raise ScError(f"{where}: step {index}: min_s must be a number >= 0")
        repeat = entry.get("repeat", 1)
        if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
            raise ScError(f"{where}: step {index}: repeat must be a positive integer")
        windows = _window_params(entry["windows"], f"{where}: step {index}") if "windows" in entry else None
        steps.append(ScheduleStep(name=str(entry.get("name", f"step{index}")), abc=entry.get("abc"),
                                  sc=entry.get("sc") or ({} if "sc" in entry else None), windows=windows,
                                  share=float(share), min_s=float(min_s), repeat=repeat))
    names = [step.name for step in steps]
    if len(set(names)) < len(names):
        raise ScError(f"{where}: step names must differ (the schedule's stats are kept per name)")
    passes = data.get("passes", 2)
    if not isinstance(passes, int) or passes < 1:
        raise ScError(f"{where}: passes must be a positive integer")
    return Schedule(name=str(data.get("name", Path(where).stem)), steps=tuple(steps), passes=passes,
                    accept_equal=bool(data.get("accept_equal", True)), adaptive=bool(data.get("adaptive", True)))


# The fields a `windows` step may set, with what their values must be
_WINDOW_OPTIONS = {f.name: f.type for f in fields(WindowParams) if f.name not in ("exact", "time_limit_s")}
_WINDOW_VALUES = {"bool": "true or false", "int": "an integer >= 0", "float": "a number > 0"}


def _window_value_ok(kind: str, value: Any) -> bool:
    if kind == "bool" or isinstance(value, bool):
        return kind == "bool" and isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and value >= 0
    return isinstance(value, (int, float)) and value > 0


def _window_params(options: Any, where: str) -> WindowParams:
    """The WindowParams a `windows` step's mapping sets; ScError names a bad key or value."""
    if not isinstance(options or {}, dict):
        raise ScError(f"{where}: windows takes a mapping of options")
    for key, value in (options or {}).items():
        kind = _WINDOW_OPTIONS.get(key)
        if kind is None:
            raise ScError(f"{where}: windows: unknown option {key} (known: {', '.join(sorted(_WINDOW_OPTIONS))})")
        if not _window_value_ok(kind, value):
            raise ScError(f"{where}: windows: {key} must be {_WINDOW_VALUES[kind]}")
    params = WindowParams(**(options or {}))
    if not 1 <= params.max_inputs <= 8 or params.max_gates < 2:
        raise ScError(f"{where}: windows: max_inputs must be 1..8 and max_gates at least 2")
    return params


def run_schedule(aig: Aig, schedule: Schedule, time_limit_s: float, *, engine: Engine,
                 sc_params: Callable[[Mapping[str, Any]], RewriteParams], max_depth: int | None = None,
                 verbose: bool = False) -> tuple[Aig, ScheduleStats]:
    """Runs `schedule` on `aig` for `time_limit_s` seconds; returns the best network found and the stats.

    `engine` serves the `sc` steps, whose rewrite params are `sc_params(step.sc)` (the pipeline maps a step's
    options onto its own params). The result never has more ANDs than `aig`, nor more levels than `max_depth`
    (an ABC step's deeper output is dropped; precondition: `aig` is within it).
    """
    stats = ScheduleStats()
    deadline = time.perf_counter() + time_limit_s
    best = aig
    pass_s = time_limit_s / schedule.passes
    # Without randomized steps, a pass that saved nothing would only repeat itself.
    randomized = any("{SEED}" in (step.abc or "") for step in schedule.steps)
    ran_on: dict[str, Aig] = {}  # step name -> the network it last ran on
    last_saved: dict[str, int] = {}  # step name -> ANDs its last run saved
    needs_s: dict[str, float] = {}  # step name -> seconds it needs after being killed at its limit
    changed = True
    while time.perf_counter() < deadline - _MIN_STEP_S / 2 and (changed or randomized):
        stats.passes += 1
        changed = False
        seconds = _step_seconds(schedule, stats, pass_s)
        ran = False
        for step in schedule.steps:
            left = deadline - time.perf_counter()
            if left < _MIN_STEP_S / 2:
                break
            least_s = max(step.min_s, needs_s.get(step.name, 0.0))
            if left < least_s or (_deterministic(step) and (
                    ran_on.get(step.name) is best or (schedule.adaptive and last_saved.get(step.name) == 0))):
                continue  # too little time, or a fixed script on the same network or without gain last time
            if step.name not in seconds:
                continue  # sits this pass out (`_step_seconds`)
            ran = True
            for _ in range(step.repeat):  # again while it saves, as long as its time is left
                left = deadline - time.perf_counter()
                if left < max(least_s, _MIN_STEP_S / 2):
                    break
                ran_on[step.name] = best
                step_s = max(_MIN_STEP_S, least_s, min(left, seconds[step.name]))
                candidate, killed = _timed_run(best, step, step_s, left, stats, engine, sc_params)
                if killed:
                    needs_s[step.name] = 2 * step_s
                kept = _keep(best, candidate, schedule.accept_equal, max_depth, seed=len(stats.history))
                last_saved[step.name] = best.num_ands - candidate.num_ands if kept else 0
                if kept:
                    if candidate.num_ands < best.num_ands:
                        stats.gains[step.name] = stats.gains.get(step.name, 0) + last_saved[step.name]
                        changed = True
                    best = candidate
                    stats.path.append(aiger_bytes(best))
                stats.history.append((step.name, best.num_ands))
                if verbose:
                    log.info("schedule %s, pass %d, %s: %d ANDs (%.1f s left)", schedule.name, stats.passes, step.name,
                             best.num_ands, max(0.0, deadline - time.perf_counter()))
                if not last_saved[step.name]:
                    break
        if not ran:
            break  # no step fits in the time left
    return best, stats


def _step_seconds(schedule: Schedule, stats: ScheduleStats, pass_s: float) -> dict[str, float]:
    """Each step's seconds in the coming pass; a step left out sits the pass out.

    In the first pass (always, unless `adaptive`) a step's seconds are its `share` of the pass. After it, the timed
    steps split the pass by share times the ANDs each has saved per second so far, counting one AND per first-pass
    slice as a prior: a step that saved nothing keeps a shrinking part, so it is still tried now and then. A fixed
    script takes the time it takes, so it keeps its first slice (its kill limit) and no part of the split: a fast
    script's part would otherwise go unspent while the timed steps starve. A timed step whose part is below both a
    run's minimum and its first slice sits out; its part grows again as the others spend theirs.
    """
    total_share = sum(step.share for step in schedule.steps) or 1.0
    first = {step.name: pass_s * step.share / total_share for step in schedule.steps}
    if not schedule.adaptive or stats.passes <= 1:
        return first
    timed = [step.name for step in schedule.steps if first[step.name] and not _deterministic(step)]
    weights = {name: first[name] * (stats.gains.get(name, 0) + 1) / (stats.times_s.get(name, 0.0) + first[name])
               for name in timed}
    total_weight = sum(weights.values()) or 1.0
    split = {name: pass_s * weight / total_weight for name, weight in weights.items()}
    return {name: split.get(name, slice_s) for name, slice_s in first.items()
            if name not in split or split[name] >= min(_MIN_STEP_S, slice_s)}


def _timed_run(aig: Aig, step: ScheduleStep, step_s: float, left_s: float, stats: ScheduleStats, engine: Engine,
               sc_params: Callable[[Mapping[str, Any]], RewriteParams]) -> tuple[Aig, bool]:
    """`_run_step`, its time added to the stats; a failure is recorded and gives back `aig`, with True when ABC was
    killed at its limit."""
    start = time.perf_counter()
    try:
        return _run_step(aig, step, step_s, left_s, stats, engine, sc_params), False
    except ScError as exc:
        stats.failures[step.name] = str(exc)[:300]
        log.info("schedule step %s failed: %s", step.name, str(exc)[:200])
        return aig, isinstance(exc, AbcTimeoutError)
    finally:
        stats.times_s[step.name] = stats.times_s.get(step.name, 0.0) + time.perf_counter() - start


def _run_step(aig: Aig, step: ScheduleStep, step_s: float, left_s: float, stats: ScheduleStats, engine: Engine,
              sc_params: Callable[[Mapping[str, Any]], RewriteParams]) -> Aig:
    if step.abc is not None:
        seconds = max(1, int(step_s * _ABC_T_FRACTION))
        script = step.abc.replace("{T}", str(seconds)).replace("{SEED}", str(stats.passes - 1))
        # ABC commands check their own limit only now and then: the process is killed at the step's kill limit
        if step.share == 0:
            timeout_s = left_s
        elif "{T}" not in step.abc:
            timeout_s = max(_ABC_KILL_FACTOR * step_s, _FIXED_SCRIPT_FRACTION_OF_LEFT * left_s)
        else:
            timeout_s = _ABC_KILL_FACTOR * step_s
        timeout_s = min(left_s, timeout_s)
        return optimize_with_abc(aig, script, timeout_s=max(timeout_s, _MIN_STEP_S))[0]
    if step.windows is not None:
        result, window_stats = resynthesize_windows(aig, replace(step.windows, time_limit_s=step_s))
        stats.windows_tried += window_stats.windows_tried
        stats.windows_improved += window_stats.windows_improved
        return result
    params = sc_params(step.sc or {})
    result, rewrite_stats = rewrite(aig, engine, replace(params, time_limit_s=step_s))
    stats.sc_rounds += rewrite_stats.rounds
    stats.sc_functions += rewrite_stats.functions_requested
    stats.sc_replacements += rewrite_stats.replacements
    return result


def _deterministic(step: ScheduleStep) -> bool:
    """An ABC script with neither a time limit nor a seed: on the same network it gives the same result."""
    return step.abc is not None and "{T}" not in step.abc and "{SEED}" not in step.abc


def _keep(best: Aig, candidate: Aig, accept_equal: bool, max_depth: int | None, *, seed: int) -> bool:
    """Whether a step's output replaces the best network: smaller (or as small, when allowed), no deeper than
    `max_depth`, and in agreement with it on random patterns."""
    if candidate is best or candidate.num_ands > best.num_ands:
        return False
    if candidate.num_ands == best.num_ands and not accept_equal:
        return False
    if max_depth is not None and depth(candidate) > max_depth:
        return False
    if differs_on_random_patterns(best, candidate, seed=seed):
        log.error("a schedule step changed the network's function; its output is dropped")
        return False
    return True
