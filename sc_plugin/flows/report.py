"""Results of a flow run: `results.csv` and `results.json` (one row per design x flow), `table.md` (per design,
each flow's result, the best marked, the ratio of each non-baseline flow to the best ABC baseline) and
`ratio_to_best_abc.png` (the same ratios per design).

Only records with status ok enter the best, the ratios and the totals: a failed, undecided or timed-out result
is shown as such and never as a gain.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
from pathlib import Path

from sc_plugin.flows.spec import FlowSpec
from sc_plugin.flows.steps import RECORD_FIELDS

__all__ = ["write_reports", "markdown_table", "best_baseline", "plot_ratios"]


def _metric(spec: FlowSpec) -> str:
    return "area" if spec.kind == "liberty" else "ands"


def _index(records: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["design"], r["flow"]): r for r in records}


def _value(record: dict | None, metric: str) -> float | None:
    if record is None or record["status"] != "ok" or record.get(metric) is None:
        return None
    return record[metric]


def best_baseline(spec: FlowSpec, records: list[dict]) -> dict[str, float]:
    """Per design, the smallest verified result among the baseline flows (designs without one are left out)."""
    metric, by_pair = _metric(spec), _index(records)
    best: dict[str, float] = {}
    for design in spec.designs:
        values = [v for f in spec.baselines if (v := _value(by_pair.get((design.name, f)), metric)) is not None]
        if values:
            best[design.name] = min(values)
    return best


def _format(value: float, metric: str) -> str:
    return f"{value:.1f}" if metric == "area" else f"{int(value)}"


def markdown_table(spec: FlowSpec, records: list[dict], *, command: str = "") -> str:
    metric, by_pair = _metric(spec), _index(records)
    label = {"ands": "AND count", "area": "cell area"}[metric]
    best_abc = best_baseline(spec, records)
    ours = [f.name for f in spec.flows if not f.baseline]
    designs = [d.name for d in spec.designs if any((d.name, f.name) in by_pair for f in spec.flows)]
    lines = [f"## {spec.name}: {label} per design (lower is better)", ""]
    if spec.description:
        lines += [spec.description, ""]
    lines += [f"Generated {datetime.date.today().isoformat()}" + (f" by `{command}`" if command else "") + ". "
              "**Bold**: best verified result of the row. Baselines (ABC): "
              f"{', '.join(spec.baselines) or 'none'}; ratios are to the best verified baseline of the row. "
              "fail = equivalence not proven (not equivalent or undecided), never counted as a gain.", ""]
    header = ["design", "input"] + [f.name for f in spec.flows] + (["best ABC"] if spec.baselines else [])
    header += [f"{name} / best ABC" for name in ours] if spec.baselines else []
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    totals = {f.name: 0.0 for f in spec.flows}
    complete = []  # designs where every flow is ok: the totals compare like with like
    ratios: dict[str, list[float]] = {name: [] for name in ours}
    for design in designs:
        values = {f.name: _value(by_pair.get((design, f.name)), metric) for f in spec.flows}
        row_best = min((v for v in values.values() if v is not None), default=None)
        inputs = [r.get(f"{metric}_in") for f in spec.flows if (r := by_pair.get((design, f.name)))]
        cells = [design, _format(inputs[0], metric) if inputs and inputs[0] is not None else ""]
        for flow in spec.flows:
            record, value = by_pair.get((design, flow.name)), values[flow.name]
            if record is None:
                cells.append("")
            elif value is None:
                cells.append({"failed": "fail", "timeout": "timeout", "error": "error"}.get(record["status"],
                                                                                            record["status"]))
            else:
                text = _format(value, metric)
                cells.append(f"**{text}**" if value == row_best else text)
        if spec.baselines:
            best = best_abc.get(design)
            cells.append(_format(best, metric) if best is not None else "")
            for name in ours:
                if best is not None and values[name] is not None:
                    ratio = values[name] / best
                    ratios[name].append(ratio)
                    cells.append(f"{ratio:.4f}")
                else:
                    cells.append("")
        if all(v is not None for v in values.values()):
            complete.append(design)
            for name, value in values.items():
                totals[name] += value
        lines.append("| " + " | ".join(cells) + " |")
    if complete:
        cells = [f"total ({len(complete)} designs where every flow is ok)", ""]
        row_best = min(totals.values())
        for flow in spec.flows:
            text = _format(totals[flow.name], metric)
            cells.append(f"**{text}**" if totals[flow.name] == row_best else text)
        if spec.baselines:
            best_total = sum(best_abc[d] for d in complete if d in best_abc)
            cells.append(_format(best_total, metric))
            cells += [f"{totals[name] / best_total:.4f}" if best_total else "" for name in ours]
        lines.append("| " + " | ".join(cells) + " |")
    if spec.baselines and any(ratios.values()):
        cells = ["geometric mean of ratios", ""] + [""] * len(spec.flows) + [""]
        cells += [f"{math.exp(sum(map(math.log, r)) / len(r)):.4f}" if r else "" for r in ratios.values()]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", _status_summary(spec, records), ""]
    lines += _time_table(spec, designs, by_pair)
    return "\n".join(lines) + "\n"


def _status_summary(spec: FlowSpec, records: list[dict]) -> str:
    parts = []
    for flow in spec.flows:
        statuses = [r["status"] for r in records if r["flow"] == flow.name]
        counts = {s: statuses.count(s) for s in ("ok", "failed", "timeout", "error") if statuses.count(s)}
        parts.append(f"{flow.name}: " + (", ".join(f"{n} {s}" for s, n in counts.items()) or "not run"))
    return "Status per flow: " + "; ".join(parts) + "."


def _time_table(spec: FlowSpec, designs: list[str], by_pair: dict) -> list[str]:
    header = ["design"] + [f.name for f in spec.flows]
    lines = [f"### {spec.name}: levels / time in seconds (optimization; equivalence check not included)", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for design in designs:
        cells = [design]
        for flow in spec.flows:
            record = by_pair.get((design, flow.name))
            if record is None:
                cells.append("")
                continue
            levels = record.get("levels")
            time_s = record.get("time_s")
            cells.append(f"{levels if levels is not None else '-'} / {time_s if time_s is not None else '-'}"
                         + ("" if record["status"] == "ok" else f" ({record['status']})"))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def plot_ratios(spec: FlowSpec, records: list[dict], path: Path) -> bool:
    """Draws every flow's ratio to the best ABC baseline per design; False (no file) if there is nothing to draw."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    metric, by_pair = _metric(spec), _index(records)
    best_abc = best_baseline(spec, records)
    designs = [d.name for d in spec.designs if d.name in best_abc]
    if not designs:
        return False
    figure, axes = plt.subplots(figsize=(max(6.0, 0.55 * len(designs) + 2.5), 4.5))
    markers = "os^vD<>px*h"
    for number, flow in enumerate(spec.flows):
        xs, ys = [], []
        for x, design in enumerate(designs):
            value = _value(by_pair.get((design, flow.name)), metric)
            if value is not None:
                xs.append(x)
                ys.append(value / best_abc[design])
        if xs:
            axes.plot(xs, ys, marker=markers[number % len(markers)], linestyle="-" if not flow.baseline else ":",
                      linewidth=1.5 if not flow.baseline else 0.8, label=flow.name + ("" if not flow.baseline
                                                                                     else " (ABC)"))
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_xticks(range(len(designs)))
    axes.set_xticklabels(designs, rotation=60, ha="right", fontsize=8)
    axes.set_ylabel(f"{'ANDs' if metric == 'ands' else 'area'} / best ABC (lower is better)")
    axes.set_title(f"{spec.name}: ratio to the best verified ABC result per design")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=7, loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True


def write_reports(spec: FlowSpec, records: list[dict], out_dir: Path, *, command: str = "") -> list[Path]:
    """Writes results.csv, results.json, table.md and (when possible) ratio_to_best_abc.png; returns the paths."""
    out_dir = Path(out_dir)
    order = {(d.name, f.name): i for i, (d, f) in
             enumerate((d, f) for d in spec.designs for f in spec.flows)}
    rows = sorted(records, key=lambda r: order.get((r["design"], r["flow"]), len(order)))
    written = [out_dir / "results.csv", out_dir / "results.json", out_dir / "table.md"]
    with open(written[0], "w", newline="") as handle:
        writer = csv.DictWriter(handle, RECORD_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    summary = {"flow_file": str(spec.path), "name": spec.name, "kind": spec.kind, "command": command,
               "date": datetime.date.today().isoformat(), "baselines": list(spec.baselines),
               "best_abc": best_baseline(spec, rows), "records": rows}
    written[1].write_text(json.dumps(summary, indent=1) + "\n")
    written[2].write_text(markdown_table(spec, rows, command=command))
    try:
        if plot_ratios(spec, rows, out_dir / "ratio_to_best_abc.png"):
            written.append(out_dir / "ratio_to_best_abc.png")
    except ImportError:
        pass  # matplotlib missing: the CLI says so
    return written
