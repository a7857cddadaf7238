"""Flow files: what to run on which designs, read from YAML and validated before anything runs.

A flow file compares flows (sequences of steps) on designs (paths or globs). Top-level keys:

    name: epfl_aig                # optional; default: the file's stem
    description: ...              # optional, one line
    kind: aig                     # aig (default): steps transform AIGs; cuts: engines on cut-function sets;
                                  # liberty: Yosys scripts mapped to a liberty library
    designs: [paths or globs]     # ${SHARED} = the shared data folder (../shared from the repo root, or $SC_SHARED),
                                  # ${REPO} = the repository root; relative paths are taken from the flow file's
                                  # folder, then from the repository root. Globs match in order of file size.
    time_limit_s: 600             # default wall-clock limit of one design x flow task (its flows may override)
    verify: {method: abc, time_limit_s: 120}   # equivalence of every output to its input; method none skips it
    flows:
      - name: abc_resyn2
        baseline: true            # an ABC reference: "best ABC" per design is the smallest verified baseline result
        time_limit_s: 300         # optional override
        steps: [{abc: resyn2}]

Step kinds (one kind key per step, plus that kind's options):
    abc: SCRIPT               optional repeat: N (repeat until no AND gain, at most N times)
    sc_opt: {OPTION: VALUE, ...}   the verified pipeline of sc-opt; options as in `rewrite/options.py`
        (engine, k, rounds, budget_ms, no_cache, ...)
    sc_loop: {OPTION: VALUE, ..., then, max_iterations}   sc_opt, then `then` (an ABC script, default
        compress2rs), repeated while either gains
    python: "module:function"  optional args: {...}; function(aig, **args) -> Aig (tests, experiments)
    cuts: {OPTION: VALUE, ..., limit}   (kind cuts) synthesize every function of the design's cut set
    cuts_reference: COLUMN     (kind cuts) ABC's AND counts from the cut set's *_abc.csv column, e.g. resyn2_and
    yosys: SCRIPT              (kind liberty) a Yosys script run by sc-yosys; optional defines: {...}
Unknown keys, missing fields and wrong types raise `FlowSpecError` naming the file and the place.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sc_plugin.errors import ScError
from sc_plugin.rewrite.options import apply_options

__all__ = ["FlowSpecError", "FlowSpec", "FlowDef", "Design", "load_flow", "repo_root", "shared_root",
           "STEP_KINDS", "FLOW_KINDS"]

FLOW_KINDS = ("aig", "cuts", "liberty")
VERIFY_METHODS = ("abc", "sat", "auto", "none")

# For each step kind: the flow kind it belongs to, the type of its main value, and its other options with types.
STEP_KINDS: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "abc": ("aig", str, {"repeat": int}),
    "sc_opt": ("aig", dict, {}),
    "sc_loop": ("aig", dict, {}),
    "python": ("aig", str, {"args": dict}),
    "cuts": ("cuts", dict, {}),
    "cuts_reference": ("cuts", str, {}),
    "yosys": ("liberty", str, {"defines": dict}),
}
# What a flow's sc_opt or sc_loop step runs with unless it says otherwise: the task proves its final network
# against the input, so the step skips the pipeline's own proof, and it runs plain rounds unless it names a schedule.
STEP_DEFAULTS = {"no_verify": True, "schedule": "none"}
# The mapping-valued kinds hold the pipeline's options (checked by `apply_options`) plus these of their own.
_MAPPING_EXTRAS: dict[str, dict[str, Any]] = {
    "sc_opt": {},
    "sc_loop": {"then": str, "max_iterations": int},
    "cuts": {"limit": int},
}
_TOP_KEYS = {"name": str, "description": str, "kind": str, "designs": list, "time_limit_s": (int, float),
             "verify": dict, "flows": list, "limit": int}
_FLOW_KEYS = {"name": str, "baseline": bool, "time_limit_s": (int, float), "steps": list, "description": str}
_VERIFY_KEYS = {"method": str, "time_limit_s": (int, float)}
_NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")


class FlowSpecError(ScError):
    """A flow file that cannot be run: bad YAML, unknown keys, missing fields, no designs."""


@dataclass(frozen=True)
class Design:
    name: str  # file stem, unique in the flow
    path: Path


@dataclass(frozen=True)
class FlowDef:
    name: str
    steps: tuple[dict, ...]  # validated step mappings, as written
    time_limit_s: float
    baseline: bool = False

    def fingerprint(self) -> str:
        """Changes when the flow's steps or limit change: a resumed run redoes tasks whose flow was edited."""
        text = json.dumps({"steps": self.steps, "time_limit_s": self.time_limit_s}, sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class FlowSpec:
    path: Path
    name: str
    kind: str
    description: str
    designs: tuple[Design, ...]
    flows: tuple[FlowDef, ...]
    verify_method: str  # "none" skips the equivalence check
    verify_time_limit_s: float
    extra: dict = field(default_factory=dict)

    @property
    def baselines(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.flows if f.baseline)


def repo_root() -> Path:
    """The repository this package was installed from (editable install): the folder holding pyproject.toml."""
    return Path(__file__).resolve().parents[2]


def shared_root() -> Path:
    """The shared data folder: $SC_SHARED, else ../shared next to the repository root."""
    override = os.environ.get("SC_SHARED")
    return Path(override) if override else repo_root().parent / "shared"


def _check_keys(where: str, data: dict, allowed: dict[str, Any], required: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise FlowSpecError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                            f"(allowed: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in data:
            raise FlowSpecError(f"{where}: missing required key '{key}'")
    for key, value in data.items():
        expected = allowed[key]
        if isinstance(value, bool) and expected in (int, (int, float)):
            raise FlowSpecError(f"{where}: '{key}' must be a number, not {value!r}")
        if not isinstance(value, expected):
            names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            raise FlowSpecError(f"{where}: '{key}' must be {names}, not {type(value).__name__} ({value!r})")


def _check_step(where: str, step: Any, flow_kind: str) -> dict:
    if isinstance(step, str):
        raise FlowSpecError(f"{where}: a step is a mapping such as {{abc: resyn2}}, not the string {step!r}")
    if not isinstance(step, dict):
        raise FlowSpecError(f"{where}: a step must be a mapping, not {type(step).__name__}")
    kinds = [key for key in step if key in STEP_KINDS]
    if len(kinds) != 1:
        found = f"found {', '.join(kinds)}" if kinds else f"found keys {', '.join(map(str, step)) or 'none'}"
        raise FlowSpecError(f"{where}: a step needs exactly one kind key among {', '.join(STEP_KINDS)} ({found})")
    kind = kinds[0]
    owner, main_type, options = STEP_KINDS[kind]
    if owner != flow_kind:
        raise FlowSpecError(f"{where}: step kind '{kind}' belongs to flows of kind '{owner}', and this file's "
                            f"kind is '{flow_kind}'")
    _check_keys(f"{where} ({kind})", step, {kind: main_type, **options}, (kind,))
    if kind in _MAPPING_EXTRAS:
        extras = _MAPPING_EXTRAS[kind]
        _check_keys(f"{where} ({kind})", {k: v for k, v in step[kind].items() if k in extras}, extras, ())
        try:
            # the task supplies the time limit (steps.py)
            apply_options({**STEP_DEFAULTS, "time_limit": 1.0,
                           **{k: v for k, v in step[kind].items() if k not in extras}})
        except ScError as exc:
            raise FlowSpecError(f"{where} ({kind}): {exc}") from None
    if kind == "python" and ":" not in step[kind]:
        raise FlowSpecError(f"{where} (python): expected 'module:function', got {step[kind]!r}")
    if "repeat" in step and step["repeat"] < 1:
        raise FlowSpecError(f"{where} (abc): 'repeat' must be at least 1")
    return step


def _expand(pattern: str, base: Path, where: str) -> list[Path]:
    text = pattern.replace("${SHARED}", str(shared_root())).replace("${REPO}", str(repo_root()))
    if "${" in text:
        raise FlowSpecError(f"{where}: unknown variable in {pattern!r} (known: ${{SHARED}}, ${{REPO}})")
    candidates = [Path(text)] if os.path.isabs(text) else [base / text, repo_root() / text]
    for candidate in candidates:
        if glob.has_magic(str(candidate)):
            matches = [Path(p) for p in glob.glob(str(candidate)) if os.path.isfile(p)]
            if matches:
                return sorted(matches, key=lambda p: (p.stat().st_size, p.name))
        elif candidate.is_file():
            return [candidate]
    return []


def load_flow(path: str | os.PathLike, *, limit_designs: list[str] | None = None) -> FlowSpec:
    """Reads and validates a flow file. limit_designs: keep only these design names (error if one is unknown)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise FlowSpecError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FlowSpecError(f"{path}: the top level must be a mapping with 'designs' and 'flows'")
    _check_keys(str(path), data, _TOP_KEYS, ("designs", "flows"))
    kind = data.get("kind", "aig")
    if kind not in FLOW_KINDS:
        raise FlowSpecError(f"{path}: 'kind' must be one of {', '.join(FLOW_KINDS)}, not {kind!r}")
    verify = data.get("verify", {})
    _check_keys(f"{path}: verify", verify, _VERIFY_KEYS, ())
    method = verify.get("method", "abc" if kind == "aig" else "none")
    if method not in VERIFY_METHODS:
        raise FlowSpecError(f"{path}: verify: 'method' must be one of {', '.join(VERIFY_METHODS)}, not {method!r}")
    default_limit = float(data.get("time_limit_s", 600))

    designs: list[Design] = []
    for number, entry in enumerate(data["designs"], start=1):
        if not isinstance(entry, str):
            raise FlowSpecError(f"{path}: designs[{number}]: expected a path or glob string, not {entry!r}")
        matches = _expand(entry, path.parent, f"{path}: designs[{number}]")
        if not matches:
            raise FlowSpecError(f"{path}: designs[{number}]: {entry!r} matches no file")
        for match in matches:
            if any(d.name == match.stem for d in designs):
                raise FlowSpecError(f"{path}: two designs are named {match.stem!r} ({match})")
            designs.append(Design(match.stem, match.resolve()))
    if limit_designs:
        unknown = sorted(set(limit_designs) - {d.name for d in designs})
        if unknown:
            raise FlowSpecError(f"{path}: no design named {', '.join(unknown)} "
                                f"(known: {', '.join(d.name for d in designs)})")
        designs = [d for d in designs if d.name in limit_designs]

    flows: list[FlowDef] = []
    if not data["flows"]:
        raise FlowSpecError(f"{path}: 'flows' is empty")
    for number, entry in enumerate(data["flows"], start=1):
        where = f"{path}: flows[{number}]"
        if not isinstance(entry, dict):
            raise FlowSpecError(f"{where}: a flow must be a mapping with 'name' and 'steps'")
        _check_keys(where, entry, _FLOW_KEYS, ("name", "steps"))
        name = entry["name"]
        where = f"{path}: flow '{name}'"
        if not _NAME.match(name):
            raise FlowSpecError(f"{where}: names may hold only letters, digits and _ . + -")
        if any(f.name == name for f in flows):
            raise FlowSpecError(f"{where}: two flows have this name")
        if not entry["steps"]:
            raise FlowSpecError(f"{where}: 'steps' is empty")
        steps = tuple(_check_step(f"{where}: steps[{i}]", step, kind) for i, step in enumerate(entry["steps"], 1))
        flows.append(FlowDef(name, steps, float(entry.get("time_limit_s", default_limit)),
                             bool(entry.get("baseline", False))))
    return FlowSpec(path=path.resolve(), name=data.get("name", path.stem), kind=kind,
                    description=data.get("description", ""), designs=tuple(designs), flows=tuple(flows),
                    verify_method=method, verify_time_limit_s=float(verify.get("time_limit_s", 120)),
                    extra={"limit": data["limit"]} if "limit" in data else {})
