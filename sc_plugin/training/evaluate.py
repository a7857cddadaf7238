"""Evaluation of the `mcts` engine on a cut-function set against the ABC sizes of the matching `*_abc.csv`.

For `cut8_tt.txt` the ABC file is `cut8_abc.csv` (`X_tt[_Y].txt` <-> `X[_Y]_abc.csv`). Every `*_and` column and
`cone_ands` are compared on the functions we solved (deepsyn is filled only for the first rows: compared where
present). Times are per function: the engine's time_s (a batch's time divided by its size when batched).
"""

from __future__ import annotations

import csv
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sc_plugin.errors import ScError
from sc_plugin.training.data import load_test_functions

__all__ = ["EvalParams", "EvalSummary", "evaluate_set", "abc_csv_for", "write_plot"]


@dataclass(frozen=True)
class EvalParams:
    simulations: int = 0  # per move; 0 = greedy (MctsEngine's defaults throughout)
    budget_ms: float = 10000.0  # per function
    max_ands: int = 30  # size cap (N_max)
    batch_size: int = 1  # functions searched together
    limit: int | None = None  # only the first N functions
    checkpoint: str | None = None  # None = the shipped checkpoint
    rollouts: int = 24  # extra policy-sampled episodes per function (MctsEngine.rollouts)
    rollout_temperature: float = 0.5
    fallback: bool = False  # wrap the engine in the decomposition fallback (engines/decompose.py, default params)
    polish: bool = False  # polish its results (engines/polish.py, default params)
    precision: str = "auto"  # the network's dtype in search (MctsParams.precision)


@dataclass
class EvalSummary:
    set: str
    functions: int
    simulations: int
    rollouts: int = 0
    budget_ms: float = 0.0
    solved: int = 0
    success_rate: float = 0.0
    ands_on_solved: int = 0
    abc_on_solved: dict = field(default_factory=dict)  # column -> {"functions", "ours", "abc", "better", "worse"}
    median_time_s: float = 0.0
    mean_time_s: float = 0.0
    wall_s: float = 0.0
    engine_report: str = ""  # the engine's stats

    def to_dict(self) -> dict:
        return asdict(self)

    def report(self) -> str:
        lines = [f"{self.set}: {self.functions} functions, {self.simulations} simulations/move, "
                 f"{self.rollouts} sampled rollouts, budget {self.budget_ms:.0f} ms/function",
                 f"solved {self.solved} ({100 * self.success_rate:.1f}%), ANDs on solved {self.ands_on_solved}",
                 f"time per function: median {self.median_time_s:.3f} s, mean {self.mean_time_s:.3f} s; "
                 f"wall {self.wall_s:.0f} s"]
        for column, c in self.abc_on_solved.items():
            lines.append(f"  vs {column:16s} on {c['functions']:4d} solved: ours {c['ours']:6d}  abc {c['abc']:6d}  "
                         f"({100 * (c['ours'] - c['abc']) / max(c['abc'], 1):+.1f}%)  better {c['better']}  "
                         f"worse {c['worse']}")
        return "\n".join(lines)


def abc_csv_for(tt_path: str | Path) -> Path:
    path = Path(tt_path)
    stem = path.stem.replace("_tt", "")
    return path.with_name(f"{stem}_abc.csv")


def _read_abc(tt_path: str | Path) -> list[dict]:
    path = abc_csv_for(tt_path)
    if not path.is_file():
        raise ScError(f"{path}: ABC results for {tt_path} not found")
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def evaluate_set(tt_path: str | Path, params: EvalParams, *, verbose: bool = False) -> tuple[EvalSummary, list[dict]]:
    """(summary, per-function rows with our size, time and the ABC columns)."""
    from sc_plugin.progress import progress
    # imported here: `sc-train supervised` needs no engine (nor python-sat)
    from sc_plugin.engines.base import Budget, wrapped_engines
    from sc_plugin.engines.learned import MctsParams
    from sc_plugin.engines.registry import EngineParams, make_engine

    functions = load_test_functions([str(tt_path)])
    abc_rows = _read_abc(tt_path)
    if params.limit is not None:
        functions, abc_rows = functions[:params.limit], abc_rows[:params.limit]
    if len(abc_rows) != len(functions):
        raise ScError(f"{abc_csv_for(tt_path)} has {len(abc_rows)} rows for {len(functions)} functions")
    mcts = MctsParams(checkpoint=params.checkpoint, simulations=params.simulations, max_ands=params.max_ands,
                      batch_size=params.batch_size, rollouts=params.rollouts,
                      rollout_temperature=params.rollout_temperature, precision=params.precision)
    engine = make_engine(EngineParams(name="mcts", mcts=mcts, use_mcts_fallback=params.fallback,
                                      use_mcts_polish=params.polish))
    budget = Budget(time_ms=params.budget_ms, max_ands=params.max_ands)
    start = time.perf_counter()
    rows = []
    chunks = [range(i, min(i + params.batch_size, len(functions))) for i in range(0, len(functions),
                                                                              params.batch_size)]
    for chunk in progress(chunks, label=Path(tt_path).name, enabled=verbose):
        chunk_start = time.perf_counter()
        found = engine.synthesize_batch([functions[i] for i in chunk], budget=budget)
        share = (time.perf_counter() - chunk_start) / len(chunk)
        for i, candidate in zip(chunk, found):
            row = {"id": i, "ours": candidate.ands if candidate else None, "time_s": share}
            for column, value in abc_rows[i].items():
                if column.endswith("_and") or column == "cone_ands":
                    row[column] = int(value) if value not in ("", None) else None
            rows.append(row)
    summary = EvalSummary(set=str(tt_path), functions=len(functions), simulations=params.simulations,
                          rollouts=params.rollouts, budget_ms=params.budget_ms)
    solved = [r for r in rows if r["ours"] is not None]
    summary.solved = len(solved)
    summary.success_rate = len(solved) / max(len(rows), 1)
    summary.ands_on_solved = sum(r["ours"] for r in solved)
    columns = [c for c in rows[0] if c.endswith("_and") or c == "cone_ands"] if rows else []
    for column in columns:
        both = [r for r in solved if r[column] is not None]
        summary.abc_on_solved[column] = {
            "functions": len(both), "ours": sum(r["ours"] for r in both), "abc": sum(r[column] for r in both),
            "better": sum(r["ours"] < r[column] for r in both), "worse": sum(r["ours"] > r[column] for r in both)}
    times = [r["time_s"] for r in rows]
    summary.median_time_s = statistics.median(times) if times else 0.0
    summary.mean_time_s = statistics.fmean(times) if times else 0.0
    summary.wall_s = time.perf_counter() - start
    summary.engine_report = "; ".join(obj.stats.report() for obj in wrapped_engines(engine))
    return summary, rows


def write_plot(rows: list[dict], path: str | Path, *, title: str, reference: str = "dc2_resyn2_and") -> None:
    """Scatter of our size against ABC's `reference` per solved function, with the diagonal; failures on top."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ScError("the plot needs matplotlib (pip install matplotlib)") from None
    solved = [r for r in rows if r["ours"] is not None and r.get(reference) is not None]
    failed = [r for r in rows if r["ours"] is None and r.get(reference) is not None]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    if solved:
        ax.scatter([r[reference] for r in solved], [r["ours"] for r in solved], s=8, alpha=0.5, label="solved")
    top = max([r[reference] for r in solved + failed] + [r["ours"] for r in solved] + [1])
    if failed:
        ax.scatter([r[reference] for r in failed], [top + 1] * len(failed), s=8, marker="x", color="red",
                   label=f"failed ({len(failed)})")
    ax.plot([0, top], [0, top], color="gray", linewidth=1)
    ax.set_xlabel(f"ABC {reference.replace('_and', '')} ANDs")
    ax.set_ylabel("mcts ANDs")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
