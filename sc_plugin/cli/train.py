"""`sc-train`: build supervised data, train the network, evaluate the learned engine on cut-function sets.

  sc-train data [--circuits A.aig ...] [--exclude X_tt.txt ...] [--cones-per-circuit N] [--gold cone|abc|exact]
                [--dont-cares [--odc-levels N]] [-o runs/data.npz]
  sc-train supervised [--config tiny|default|FILE.yaml] [--data runs/data.npz ...] [--out-dir DIR]
                      [--resume CKPT | --init CKPT] [--max-steps N] [--time-limit-min M] [--device cpu|cuda]
                      [--ship PATH]
  sc-train rl [--config rl|FILE.yaml] [--init CKPT] [--data runs/data.npz ...] [--out-dir DIR] [--resume]
              [--iterations N] [--time-limit-min M] [--games N] [--simulations S]
              [--backend inline|local|ray] [--workers W] [--address ADDR] [--device cpu|cuda] [--ship PATH]
  sc-train eval --set cut8_tt.txt [--checkpoint CKPT] [--simulations S] [--rollouts R] [--budget-ms MS]
                [--batch-size B] [--limit N] [--plot P] [--json J]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import torch

from sc_plugin.cli.common import run_cli
from sc_plugin.errors import CliParser
from sc_plugin.learned.checkpoint import default_checkpoint_path, export_checkpoint
from sc_plugin.training.data import GOLD_SOURCES
from sc_plugin.training.evaluate import EvalParams

__all__ = ["main"]

# Shipping into the installed package replaces the model every user of it gets, so it happens only when asked for.
_SHIP_HELP = ("also write the {best}, without optimizer state, to PATH; the run's folder keeps best.pt either way. "
              f"PATH {default_checkpoint_path()} replaces the model that the package ships")


_DEVICE_HELP = ("where {what}: cpu (the config's default) or cuda (cuda:N for the N-th GPU); cuda on a machine "
                "where torch sees no GPU is an error")


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="sc-train", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="build supervised data from AIGER circuits")
    data.add_argument("--circuits", nargs="*", default=[], help="AIGER files (default: the shared EPFL set)")
    data.add_argument("--exclude", nargs="*", default=[],
                      help="*_tt.txt files whose NPN classes are kept out (default: the shared cut files)")
    data.add_argument("--cones-per-circuit", type=int, default=30000, help="roots sampled per circuit (30000)")
    data.add_argument("--max-copies-per-class", type=int, default=6, help="cones kept per NPN class (6)")
    data.add_argument("--episodes-per-cone", type=int, default=2, help="augmented episodes per cone (2)")
    data.add_argument("--gold", choices=GOLD_SOURCES, default="abc",
                      help="gold implementation imitated: the circuit's cone (cone), or the smaller of it and the "
                           "result of ABC (abc, the default: strash; dc2; resyn2; fast, and smaller golds train "
                           "a better model) or of the exact engine with ABC as upper bound (exact: much slower)")
    data.add_argument("--gold-time-ms", type=float, default=100.0,
                      help="the gold engine's time budget per function in ms (100)")
    data.add_argument("--dont-cares", action="store_true",
                      help="give each cone's target its cut's care set in the circuit (satisfiability don't cares "
                           "over a 12-input window, observability ones through --odc-levels levels of fanout), keep "
                           "only cones with some don't care, and have the gold engine use the care set")
    data.add_argument("--odc-levels", type=int, default=2,
                      help="with --dont-cares: fanout levels for observability don't cares; 0 for none (2)")
    data.add_argument("--seed", type=int, default=1, help="seed of the root sampling and augmentation (1)")
    data.add_argument("-o", "--output", default="runs/data.npz", help="dataset file to write (runs/data.npz)")

    sup = sub.add_parser("supervised", help="supervised training (phase 1)")
    sup.add_argument("--config", default="default",
                     help="named config in sc_plugin/training/configs or a YAML file (default); the options below "
                          "override its values, and say what they override")
    sup.add_argument("--data", nargs="+", help="dataset(s) (.npz from `sc-train data`); several are concatenated")
    sup.add_argument("--out-dir", help="folder for last.pt, best.pt and the curves (config out_dir)")
    sup.add_argument("--resume", help="checkpoint to resume from")
    sup.add_argument("--init", help="checkpoint whose weights start a new run at step 0; with a config that asks "
                     "for more blocks (model: {n_layer: N}) it is deepened by identity blocks")
    sup.add_argument("--max-steps", type=int, help="optimizer steps (config max_steps)")
    sup.add_argument("--time-limit-min", type=float,
                     help="wall-clock minutes, after which the run checkpoints and stops (config time_limit_min)")
    sup.add_argument("--seed", type=int, help="seed of initialization and batches (config seed)")
    sup.add_argument("--device", help=_DEVICE_HELP.format(what="the model, its batches and losses live"))
    sup.add_argument("--ship", metavar="PATH", help=_SHIP_HELP.format(best="best checkpoint"))

    rl = sub.add_parser("rl", help="AlphaZero fine-tuning by self-play (phase 2)",
                        description="Self-play with MCTS (root Dirichlet noise, temperature), a replay buffer, a "
                                    "curriculum that favours failed and poorly solved functions, and a gate that "
                                    "keeps new weights (a moving average of the trained ones, config ema_decay) "
                                    "only when they solve more held-out functions (or as many with fewer ANDs). "
                                    "Writes best.pt, last.pt, average.pt, state.json, buffer.npz and curves.png "
                                    "to the output folder.")
    rl.add_argument("--config", default="rl",
                    help="named config in sc_plugin/training/configs or a YAML file (rl); the options below "
                         "override its values")
    rl.add_argument("--init", help="starting checkpoint (default: the shipped one)")
    rl.add_argument("--data", nargs="+",
                    help="dataset(s) from `sc-train data`: the function pool and the gate set; several are "
                         "concatenated")
    rl.add_argument("--out-dir", help="folder for the checkpoints, state and curves (config out_dir)")
    rl.add_argument("--resume", action="store_true", help="continue the run saved in the output folder")
    rl.add_argument("--iterations", type=int, help="self-play and training iterations (config iterations)")
    rl.add_argument("--time-limit-min", type=float, help="wall-clock minutes for the run (config time_limit_min)")
    rl.add_argument("--games", type=int, help="self-play games per iteration (config games_per_iteration)")
    rl.add_argument("--simulations", type=int, help="simulations per move in self-play (config selfplay.simulations)")
    rl.add_argument("--backend", choices=("inline", "local", "ray"),
                    help="where games run: this process, local worker processes, or a Ray cluster")
    rl.add_argument("--workers", type=int, help="worker processes (local) or CPUs of a new local Ray instance")
    rl.add_argument("--address", help="Ray cluster address (ray start --head prints it); default: a new local one")
    rl.add_argument("--seed", type=int, help="seed of the pool sampling and self-play (config seed)")
    rl.add_argument("--device", help=_DEVICE_HELP.format(what="the candidate trains and the gate evaluates "
                                                             "(self-play games stay on CPUs)"))
    rl.add_argument("--ship", metavar="PATH", help=_SHIP_HELP.format(best="champion (best.pt)"))

    ev = sub.add_parser("eval", help="evaluate the mcts engine on a cut-function file")
    ev.add_argument("--set", required=True, help="*_tt.txt file (the matching *_abc.csv is found beside it)")
    ev.add_argument("--checkpoint", help="checkpoint (default: the shipped one)")
    defaults = EvalParams()
    ev.add_argument("--simulations", type=int, default=defaults.simulations,
                    help=f"simulations per move of the first episode; 0 = greedy ({defaults.simulations})")
    ev.add_argument("--budget-ms", type=float, default=defaults.budget_ms,
                    help=f"time budget per function in ms ({defaults.budget_ms:.0f})")
    ev.add_argument("--max-ands", type=int, default=defaults.max_ands, help=f"size cap ({defaults.max_ands})")
    ev.add_argument("--batch-size", type=int, default=defaults.batch_size,
                    help="functions searched together (1 = one at a time, honest per-function latency)")
    ev.add_argument("--rollouts", type=int, default=defaults.rollouts,
                    help=f"extra episodes per function sampled from the policy while the budget lasts "
                         f"({defaults.rollouts})")
    ev.add_argument("--rollout-temperature", type=float, default=defaults.rollout_temperature,
                    help=f"sampling temperature of the rollouts ({defaults.rollout_temperature})")
    ev.add_argument("--limit", type=int, help="only the first N functions")
    ev.add_argument("--plot", help="PNG path (default: beside --json or runs/eval_<set>_s<S>.png)")
    ev.add_argument("--json", help="write the summary as JSON here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("sc-train", _main, argv)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    torch.set_num_threads(1)
    if args.command == "data":
        from sc_plugin.training.data import DataParams, build_dataset
        params = DataParams(circuits=tuple(args.circuits), exclude_sets=tuple(args.exclude),
                            cones_per_circuit=args.cones_per_circuit,
                            max_copies_per_class=args.max_copies_per_class,
                            episodes_per_cone=args.episodes_per_cone, gold=args.gold,
                            gold_time_ms=args.gold_time_ms, dont_cares=args.dont_cares,
                            odc_levels=args.odc_levels, seed=args.seed)
        dataset, stats = build_dataset(params, verbose=True)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        dataset.save(args.output)
        print(stats.report())
        print(f"wrote {args.output}")
        return 0
    if args.command == "supervised":
        from sc_plugin.training.train import load_config, train
        overrides = {key: value for key, value in (("data", args.data), ("out_dir", args.out_dir),
                                                   ("resume", args.resume), ("init", args.init),
                                                   ("max_steps", args.max_steps),
                                                   ("time_limit_min", args.time_limit_min), ("seed", args.seed),
                                                   ("device", args.device))
                     if value is not None}
        config = load_config(args.config, overrides)
        metrics = train(config)
        print(json.dumps(metrics, indent=1))
        if args.ship:
            _ship(Path(config.out_dir) / "best.pt", Path(args.ship))
        return 0
    if args.command == "rl":
        from sc_plugin.training.rl import RlConfig, reinforce
        from sc_plugin.training.train import load_config
        overrides = {key: value for key, value in (
            ("init", args.init), ("data", args.data), ("out_dir", args.out_dir),
            ("iterations", args.iterations),
            ("time_limit_min", args.time_limit_min), ("games_per_iteration", args.games),
            ("backend", args.backend), ("workers", args.workers), ("address", args.address), ("seed", args.seed),
            ("device", args.device))
            if value is not None}
        if args.resume:
            overrides["resume"] = True
        if args.simulations is not None:
            overrides["selfplay"] = {"simulations": args.simulations}
        config = load_config(args.config, overrides, kind=RlConfig)
        metrics = reinforce(config)
        print(json.dumps(metrics, indent=1))
        if args.ship:
            _ship(Path(config.out_dir) / "best.pt", Path(args.ship))
        return 0
    from sc_plugin.training.evaluate import evaluate_set, write_plot
    params = EvalParams(simulations=args.simulations, budget_ms=args.budget_ms, max_ands=args.max_ands,
                        batch_size=args.batch_size, limit=args.limit, checkpoint=args.checkpoint,
                        rollouts=args.rollouts, rollout_temperature=args.rollout_temperature)
    summary, rows = evaluate_set(args.set, params, verbose=True)
    print(summary.report())
    plot = args.plot or (str(Path(args.json).with_suffix(".png")) if args.json else
                         f"runs/eval_{Path(args.set).stem}_s{args.simulations}_r{args.rollouts}.png")
    Path(plot).parent.mkdir(parents=True, exist_ok=True)
    write_plot(rows, plot, title=f"{Path(args.set).name}, {args.simulations} sims/move, {args.rollouts} rollouts")
    print(f"plot: {plot}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary.to_dict(), indent=1))
    return 0


def _ship(best: Path, target: Path) -> None:
    export_checkpoint(best, target)
    print(f"shipped {best} -> {target} ({target.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
