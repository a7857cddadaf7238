"""Running a flow file: every design x flow task in its own worker process, at most `jobs` at a time.

Each task runs in a fresh forked process, so a hard time limit can stop it whatever it is doing: at
time_limit_s + the verification limit + a grace period the worker gets SIGTERM (it raises `TaskTimeout`, which
kills any ABC it started), then SIGKILL. Finished tasks are appended to `records.jsonl` in the results folder the
moment they finish; `resume=True` keeps the records whose flow is unchanged (same fingerprint) and runs the rest.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sc_plugin.flows.spec import Design, FlowDef, FlowSpec
from sc_plugin.flows.steps import RECORD_FIELDS, TaskTimeout, run_task

__all__ = ["RunParams", "run_flow", "read_records", "RECORDS_FILE"]

RECORDS_FILE = "records.jsonl"
_GRACE_S = 30.0  # beyond time limit + verification limit before a worker is stopped
_KILL_AFTER_S = 10.0  # between SIGTERM and SIGKILL


@dataclass(frozen=True)
class RunParams:
    out_dir: Path
    jobs: int = 1  # worker processes at a time
    resume: bool = False  # keep finished tasks of an earlier run in out_dir
    quiet: bool = False  # no per-task lines on stderr


def read_records(out_dir: Path) -> list[dict]:
    """The records of finished tasks in `out_dir` (a later record of the same pair replaces an earlier one)."""
    path = Path(out_dir) / RECORDS_FILE
    if not path.exists():
        return []
    records: dict[tuple[str, str], dict] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
            records[(record["design"], record["flow"])] = record
    return list(records.values())


def _worker(spec: FlowSpec, design: Design, flow: FlowDef, connection) -> None:
    def on_term(signum, frame):
        raise TaskTimeout()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us itself
    try:
        record = run_task(spec, design, flow)
    except TaskTimeout:
        return
    connection.send(record)
    connection.close()


def _timeout_record(design: Design, flow: FlowDef, elapsed: float) -> dict:
    record = {field: None for field in RECORD_FIELDS}
    record.update(design=design.name, flow=flow.name, status="timeout", time_s=round(elapsed, 2),
                  fingerprint=flow.fingerprint(), message=f"stopped after {elapsed:.0f} s (time limit "
                  f"{flow.time_limit_s:g} s plus verification)")
    return record


def _describe(record: dict) -> str:
    ands = record.get("ands")
    parts = [f"{record['status']:7s}"]
    if ands is not None:
        parts.append(f"ands {record.get('ands_in')} -> {ands}")
    if record.get("levels") is not None:
        parts.append(f"levels {record['levels']}")
    if record.get("area") is not None:
        parts.append(f"area {record['area']:.1f} cells {record.get('cells')}")
    parts.append(f"{record.get('time_s') or 0:.1f} s")
    if record.get("verified"):
        parts.append(f"cec {record['verified']}" + (f" {record['cec_s']:.1f} s" if record.get("cec_s") else ""))
    if record["status"] != "ok" and record.get("message"):
        parts.append(f"({record['message'][:120]})")
    return ", ".join(parts)


def run_flow(spec: FlowSpec, params: RunParams, *, on_record: Callable[[dict], None] | None = None) -> list[dict]:
    """Runs every unfinished task of `spec`; returns the records of all tasks (finished earlier or now)."""
    out_dir = Path(params.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records_path = out_dir / RECORDS_FILE
    fingerprints = {flow.name: flow.fingerprint() for flow in spec.flows}
    selected = {(d.name, f.name) for d in spec.designs for f in spec.flows}
    done: dict[tuple[str, str], dict] = {}
    others: list[dict] = []  # records of pairs outside this run (another --designs subset): always kept
    for record in read_records(out_dir):
        pair = (record["design"], record["flow"])
        if pair not in selected:
            others.append(record)
        elif params.resume and fingerprints.get(record["flow"]) == record.get("fingerprint"):
            done[pair] = record
    # Rewrite the file so it holds exactly the records kept (drops redone and edited tasks, and cut-off lines).
    with open(records_path, "w") as handle:
        for record in others + list(done.values()):
            handle.write(json.dumps(record) + "\n")
    tasks = [(design, flow) for design in spec.designs for flow in spec.flows
             if (design.name, flow.name) not in done]
    total = len(tasks) + len(done)
    log = (lambda text: None) if params.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    if done:
        log(f"sc-flow: {spec.name}: {len(done)} of {total} tasks already finished, {len(tasks)} to run")
    context = multiprocessing.get_context("fork")
    running: list[tuple[Design, FlowDef, multiprocessing.Process, object, float, float]] = []
    finished = len(done)
    width = max((len(f"{d.name} {f.name}") for d, f in tasks), default=0)

    def finish(record: dict) -> None:
        nonlocal finished
        finished += 1
        done[(record["design"], record["flow"])] = record
        with open(records_path, "a") as handle:
            handle.write(json.dumps(record) + "\n")
        log(f"[{finished}/{total}] {record['design'] + ' ' + record['flow']:{width}s}  {_describe(record)}")
        if on_record is not None:
            on_record(record)

    pending = list(tasks)
    try:
        while pending or running:
            while pending and len(running) < params.jobs:
                design, flow = pending.pop(0)
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(spec, design, flow, sender), daemon=True)
                process.start()
                sender.close()
                hard_limit = flow.time_limit_s + spec.verify_time_limit_s + _GRACE_S
                running.append((design, flow, process, receiver, time.monotonic(), hard_limit))
            time.sleep(0.05)
            still: list = []
            for design, flow, process, receiver, started, hard_limit in running:
                elapsed = time.monotonic() - started
                record = None
                if receiver.poll():
                    try:
                        record = receiver.recv()
                    except EOFError:
                        record = None
                    process.join()
                elif not process.is_alive():
                    process.join()
                    record = _timeout_record(design, flow, elapsed)
                    record.update(status="error", message=f"worker died (exit code {process.exitcode})")
                elif elapsed > hard_limit:
                    _stop(process)
                    record = _timeout_record(design, flow, elapsed)
                else:
                    still.append((design, flow, process, receiver, started, hard_limit))
                    continue
                if record is None:
                    record = _timeout_record(design, flow, elapsed)
                    record.update(status="error", message=f"worker ended without a result (exit code "
                                                          f"{process.exitcode})")
                finish(record)
            running = still
    finally:
        for _, _, process, _, _, _ in running:  # interrupted: stop what still runs; its task stays unfinished
            _stop(process)
    return [done[(d.name, f.name)] for d in spec.designs for f in spec.flows if (d.name, f.name) in done]


def _stop(process) -> None:
    process.terminate()
    process.join(_KILL_AFTER_S)
    if process.is_alive():
        process.kill()
        process.join()
