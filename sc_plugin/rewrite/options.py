"""The options of the verified pipeline, declared once for every front end.

Each `Option` names one field of `OptimizeParams` and how users spell it: `--budget-ms` for `sc-opt`,
`-budget_ms` for the Yosys pass and `sc-abc`'s `sc_opt` command, `budget_ms:` in a flow file. The front ends
parse with `parse_dashed_options`, `add_arguments`/`options_from_namespace`, or take a flow's mapping as it is;
all of them end in `apply_options`, which checks every value and builds the params. Help texts come from here too.
"""

from __future__ import annotations

import argparse
import math
import os
import textwrap
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

from sc_plugin.aig.truth import MAX_INPUTS
from sc_plugin.engines.learned import PRECISIONS
from sc_plugin.engines.parallel import BACKENDS
from sc_plugin.engines.registry import ENGINE_NAMES
from sc_plugin.errors import ScError
from sc_plugin.rewrite.pipeline import OptimizeParams, with_field
from sc_plugin.rewrite.schedule import Schedule, ScheduleStep, load_schedule, schedule_from_mapping

__all__ = ["Option", "OPTIONS", "apply_options", "parse_dashed_options", "add_arguments", "options_from_namespace",
           "dashed_help"]


_MAX_SECONDS = 1e6  # about 11 days: larger limits overflow the deadlines computed from them


@dataclass(frozen=True)
class Option:
    """One user-facing setting of the pipeline."""

    name: str  # flow key; `--name-with-dashes` on the command line, `-name` in Yosys (unless `dashed` says)
    field: str  # dotted path of the field it sets in OptimizeParams
    help: str
    kind: Callable[[str], Any] | None = None  # parses a value; None: a switch that takes none
    switch_value: Any = True  # what a switch stores in its field
    choices: tuple[str, ...] = ()
    minimum: float | None = None  # smallest value allowed
    maximum: float | None = None  # largest value allowed
    positive: bool = False  # the value must be above zero
    metavar: str = ""  # how help shows the value, when not by its type
    dashed: str = ""  # the Yosys spelling when it is not "-" + name
    aliases: tuple[str, ...] = ()  # further Yosys spellings

    @property
    def cli_flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def dashed_flags(self) -> tuple[str, ...]:
        return (self.dashed or "-" + self.name, *self.aliases)

    def value_in(self, params: OptimizeParams) -> Any:
        value: Any = params
        for part in self.field.split("."):
            value = getattr(value, part)
        return value

    def default(self) -> Any:
        return self.value_in(OptimizeParams())

    def spelled(self, style: str) -> str:
        """The option as users of a front end write it: style "cli" (`--time-limit`), "yosys" (`-time_limit`) or
        "flow" (`time_limit`)."""
        return {"cli": self.cli_flag, "yosys": self.dashed_flags[0], "flow": self.name}[style]

    def check(self, value: Any, style: str = "flow") -> Any:
        """The value converted and checked; ScError with a one-line reason, naming the option in `style`, when it
        is not acceptable."""
        name = self.spelled(style)
        if self.kind is None:
            if not isinstance(value, bool):
                raise ScError(f"option {name} is a switch: give true or false, not {value!r}")
            return value
        if not isinstance(self.kind, type):  # a parser of its own, which raises ScError
            return self.kind(value)
        try:
            if isinstance(value, str):
                value = self.kind(value)
            elif self.kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, self.kind) or isinstance(value, bool):
                raise ValueError
            if self.kind is float and math.isnan(value):
                raise ValueError
        except ValueError:
            kind = {int: "an integer", float: "a number", str: "a string"}.get(self.kind, "a value")
            raise ScError(f"option {name} expects {kind}, not {value!r}") from None
        if self.choices and value not in self.choices:
            raise ScError(f"option {name}: unknown value {value!r}; choose one of {', '.join(self.choices)}")
        if self.positive and not value > 0:
            raise ScError(f"option {name} must be positive, not {value}")
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            if self.minimum is not None and self.maximum is not None:
                bounds = f"between {self.minimum:g} and {self.maximum:g}"
            else:
                bounds = f"at least {self.minimum:g}" if self.minimum is not None else f"at most {self.maximum:g}"
            raise ScError(f"option {name} must be {bounds}, not {value}")
        return value


OPTIONS: tuple[Option, ...] = (
    Option("engine", "engine.name", "resynthesis engine: portfolio runs ABC's scripts and SAT exact synthesis on "
           "every function, then the learned engine where ABC's result is not proven optimal, for at most as long "
           "as ABC took (about twice abc's time); abc is fastest, mcts the learned engine alone, exact SAT-based "
           "exact synthesis", str, choices=ENGINE_NAMES),
    Option("k", "rewrite.cuts.max_cut_size", f"largest cut (inputs of a resynthesized function), 2..{MAX_INPUTS}",
           int, minimum=2, maximum=MAX_INPUTS),
    Option("cuts_per_node", "rewrite.cuts.max_cuts_per_node", "priority cuts kept per node", int, minimum=1),
    Option("rounds", "rewrite.max_rounds", "most rewrite rounds; stops earlier when a round gains nothing", int,
           minimum=1),
    Option("time_limit", "rewrite.time_limit_s", "seconds of optimization, spent on the anytime schedule (option "
           "schedule; none: plain rounds until then); the best network found is used (the final proof comes on top)",
           float, positive=True, maximum=_MAX_SECONDS, aliases=("-timeout",)),
    Option("budget_ms", "rewrite.budget.time_ms", "engine time per distinct cut function, in milliseconds",
           float, positive=True, maximum=_MAX_SECONDS * 1000),
    Option("dont_cares", "rewrite.use_dont_cares", "also resynthesize cuts with their satisfiability don't cares "
           "(leaf combinations that never occur, found by simulating a window below the cut)"),
    Option("window_inputs", "rewrite.window_inputs", "most inputs of the window simulated for don't cares", int,
           minimum=2, maximum=16),
    Option("odc_levels", "rewrite.odc_levels", "also observability don't cares (needs dont_cares): leaf "
           "combinations where the root's value does not get past the nodes up to this many levels above it (0: none)",
           int, minimum=0),
    Option("zero_gain", "rewrite.allow_zero_gain", "also accept replacements that save no AND but lower the "
           "level"),
    Option("workers", "pool.workers", "resynthesize in this many workers: processes here, or Ray actors with "
           "backend ray (1 with backend local: in this process)", int, minimum=1),
    Option("backend", "pool.backend", "where the workers run: local processes, or ray actors on a Ray cluster "
           "(needs the ray extra; the result equals a local run's)", str, choices=BACKENDS),
    Option("address", "pool.address", "Ray cluster of backend ray: auto (the one running on this machine) or "
           "host:port (default: start a Ray instance here with as many CPUs as workers)", str),
    Option("no_verify", "proof.enabled", "skip the final proof of the whole network (each replacement is still "
           "checked against its cone)", switch_value=False, dashed="-noverify"),
    Option("cec_time_limit", "proof.time_limit_s", "seconds for the final proof; undecided counts as a failure. "
           "After a schedule (time_limit), the result is compared with the input for a quarter of them, then, if "
           "that is undecided, each network the schedule kept with the one before; the last network proven is "
           "the result", float, positive=True, maximum=_MAX_SECONDS),
    Option("cache", "cache.path", "NPN-class cache file (default: $SC_CACHE, else the user cache folder)", str),
    Option("no_cache", "cache.enabled", "neither read nor write the cache", switch_value=False, dashed="-nocache"),
    Option("cache_reuse", "cache.reuse", "answer from cache entries of any engine (default: only from entries the "
           "chosen engine made, for portfolio also its member engines')"),
    Option("checkpoint", "engine.mcts.checkpoint", "model file of the learned engine (default: the shipped one)",
           str),
    Option("mcts_simulations", "engine.mcts.simulations", "tree-search simulations per move of the learned "
           "engine's first episode (0: greedy)", int, minimum=0),
    Option("mcts_rollouts", "engine.mcts.rollouts", "episodes the learned engine samples after its first one",
           int, minimum=0),
    Option("mcts_precision", "engine.mcts.precision", "dtype of the learned engine's network in search: auto "
           "(bfloat16 where the CPU multiplies it natively, else float32), float32 or bfloat16", str,
           choices=PRECISIONS),
    Option("no_mcts_fallback", "engine.use_mcts_fallback", "the learned engine (engine mcts, and in the portfolio) "
           "without its decomposition fallback (which splits a function its search leaves unsolved into smaller "
           "ones)", switch_value=False,
           dashed="-nomcts_fallback"),
    Option("no_mcts_in_portfolio", "engine.use_mcts_in_portfolio", "engine portfolio without the learned engine "
           "(exact with ABC only; torch is not loaded)", switch_value=False, dashed="-nomcts_in_portfolio"),
    Option("portfolio_time_ratio", "engine.portfolio.followers_time_ratio", "the portfolio's learned engine "
           "takes at most this multiple of the time its ABC and exact synthesis took on the same functions (inf: "
           "up to its share of budget_ms)", float, minimum=0),
    Option("no_mcts_polish", "engine.use_mcts_polish", "the learned engine (engine mcts, and in the portfolio) "
           "without polishing its circuits (ABC's scripts run on each result as built, then resubstitution with "
           "don't cares and 4-input cut rewriting)", switch_value=False,
           dashed="-nomcts_polish"),
    Option("liberty", "mapping.liberty", "liberty file (.lib or .lib.gz): map the input and the result to its "
           "cells with ABC as Yosys's abc -liberty does, and keep the one with the smaller area", str),
    Option("liberty_script", "mapping.script", "the ABC commands of that mapping, as abc -script takes them: "
           "+cmd,arg;cmd... or a file (default: those of Yosys's abc -liberty)", str),
    Option("liberty_delay", "mapping.delay_target", "delay target of that mapping, as abc -D takes it (the {D} of "
           "the commands)", float, positive=True),
    Option("depth_slack", "rewrite.depth_slack", "levels the result may exceed the input's depth by; a replacement "
           "that could push the network further is refused (inf: no bound)", float, minimum=0),
    Option("schedule", "schedule", "anytime schedule that spends the time limit, alternating ABC's strongest "
           "commands with ShortCircuit rounds: a shipped name (default), a YAML file, or none for plain rounds "
           "(default: default when a time limit is given)", lambda value: _parse_schedule(value),
           metavar="name|file|none"),
)

_BY_NAME = {option.name: option for option in OPTIONS}
_STEP_OPTIONS = tuple(option.name for option in OPTIONS if option.field.startswith("rewrite."))
_BY_DASHED = {flag: option for option in OPTIONS for flag in option.dashed_flags}


def apply_options(values: Mapping[str, Any], base: OptimizeParams = OptimizeParams(),
                  style: str = "flow") -> OptimizeParams:
    """`base` with the options in `values` (option name -> value; a switch set to False is left at its default).
    ScError names the first unknown option or bad value, spelled as the front end's users write it (`style`:
    `Option.spelled`)."""

    def spelled(*names: str) -> str:
        return " and ".join(_BY_NAME[name].spelled(style) for name in names)

    params = base
    for name, value in values.items():
        option = _BY_NAME.get(name)
        if option is None:
            raise ScError(f"unknown option {name!r}; known: {', '.join(_BY_NAME)}")
        value = option.check(value, style)
        if option.kind is None:
            if value:
                params = with_field(params, option.field, option.switch_value)
        elif value is not None:
            params = with_field(params, option.field, value)
    if "schedule" not in values and params.rewrite.time_limit_s is not None and base.schedule is None:
        params = replace(params, schedule=_parse_schedule("default"))
    if params.schedule is not None and params.rewrite.time_limit_s is None:
        raise ScError(f"option {spelled('schedule')} needs a time limit ({spelled('time_limit')})")
    if values.get("cache") is not None and values.get("no_cache"):
        raise ScError(f"options {spelled('cache', 'no_cache')} exclude each other")
    if values.get("cache_reuse") and values.get("no_cache"):
        raise ScError(f"options {spelled('cache_reuse', 'no_cache')} exclude each other")
    if params.mapping.liberty is not None and not os.path.isfile(params.mapping.liberty):
        raise ScError(f"option {spelled('liberty')}: no file {params.mapping.liberty}")
    if values.get("cache") is not None and os.path.isdir(params.cache.path):
        raise ScError(f"option {spelled('cache')}: {params.cache.path} is a folder; give the cache file's path")
    if values.get("checkpoint") is not None and not os.path.isfile(params.engine.mcts.checkpoint):
        raise ScError(f"option {spelled('checkpoint')}: no file {params.engine.mcts.checkpoint}")
    if params.mapping.liberty is None and (values.get("liberty_script") or values.get("liberty_delay")):
        raise ScError(f"options {spelled('liberty_script', 'liberty_delay')} need option {spelled('liberty')}")
    if params.rewrite.odc_levels and not params.rewrite.use_dont_cares:
        raise ScError(f"option {spelled('odc_levels')} needs option {spelled('dont_cares')}")
    if values.get("address") and params.pool.backend != "ray":
        raise ScError(f"option {spelled('address')} needs {spelled('backend')} ray")
    return params


def _parse_schedule(value: Any) -> Schedule | None:
    """A schedule from a name, a YAML file or a flow's inline mapping; None for "none"."""
    if value in (None, "none"):
        return None
    schedule = schedule_from_mapping(value, where="schedule") if isinstance(value, dict) else load_schedule(value)
    return replace(schedule, steps=tuple(_resolve_step(schedule.name, step) for step in schedule.steps))


def _resolve_step(schedule_name: str, step: ScheduleStep) -> ScheduleStep:
    """An `sc` step with its options checked and turned into the RewriteParams fields they set."""
    if step.sc is None:
        return step
    unknown = sorted(set(step.sc) - set(_STEP_OPTIONS))
    if unknown:
        raise ScError(f"schedule {schedule_name}, step {step.name}: {', '.join(unknown)} cannot be set per step "
                      f"(these can: {', '.join(_STEP_OPTIONS)})")
    checked = apply_options(step.sc)
    return replace(step, sc={_BY_NAME[name].field.removeprefix("rewrite."): _BY_NAME[name].value_in(checked)
                             for name in step.sc})


def parse_dashed_options(words: Sequence[str], start: int = 0) -> tuple[dict[str, Any], int]:
    """Yosys-style options (`-k 6 -nocache ...`) from words[start:], up to the first word that is not one of ours.
    Returns (option name -> value, index of that word). Values are checked by `apply_options`."""
    values: dict[str, Any] = {}
    index = start
    while index < len(words) and words[index] in _BY_DASHED:
        option = _BY_DASHED[words[index]]
        if option.kind is None:
            values[option.name] = True
        else:
            if index + 1 >= len(words):
                raise ScError(f"option {words[index]} needs a value")
            index += 1
            values[option.name] = words[index]
        index += 1
    return values, index


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds every option to a command-line parser (values are parsed later, by `apply_options`)."""
    group = parser.add_argument_group("optimization")
    for option in OPTIONS:
        default = option.default()
        if option.kind is None:
            group.add_argument(option.cli_flag, dest=option.name, action="store_true", help=option.help)
        else:
            shown = "none" if default is None else f"{default:g}" if isinstance(default, float) else default
            choices = f" ({'|'.join(option.choices)})" if option.choices else ""
            shown = "" if "default" in option.help else f" (default {shown})"
            group.add_argument(option.cli_flag, dest=option.name, default=None, metavar=option.name.upper(),
                               help=f"{option.help}{choices}{shown}")


def options_from_namespace(namespace: argparse.Namespace) -> dict[str, Any]:
    """The options a user gave on the command line (unset ones are left out, so the params' defaults hold)."""
    values = {}
    for option in OPTIONS:
        value = getattr(namespace, option.name)
        if value is not None and value is not False:
            values[option.name] = value
    return values


def dashed_help(width: int = 88) -> str:
    """The options as a Yosys help block: each spelling with its value, then the meaning indented."""
    blocks = []
    for option in OPTIONS:
        default = option.default()
        shown = option.metavar or (option.kind.__name__ if option.kind else "")
        flags = ", ".join(f"{flag} <{shown}>" if option.kind else flag
                          for flag in option.dashed_flags)
        text = option.help
        if option.choices:
            text += f"; one of {', '.join(option.choices)}"
        if option.kind is not None and "default" not in text:
            text += f" (default: {'none' if default is None else default})"
        body = textwrap.fill(text, width=width, initial_indent="        ", subsequent_indent="        ")
        blocks.append(f"    {flags}\n{body}\n")
    return "\n".join(blocks)
