"""Compares checkpoints on validation functions that self-play's gate never scored, to choose which one ships
without looking at the test sets (`../shared/benchmarks/cuts`).

  python benchmarks/heldout_compare.py --data runs/data_s8_abc.npz runs/data_s9_abc.npz runs/data_s10_abc.npz \
      --checkpoint shipped=sc_plugin/data/checkpoints/default.pt --checkpoint new=runs/rl9/best.pt \
      [--simulations 0 8] [--functions 4000] [--skip 512] [--seed 0] [--c-puct 1.25] [--leaf-value shortcut]

The functions are those of `rl.validation_functions(data, seed)` after the first --skip, which are the gate set of
a `sc-train rl` run with the same --data, seed and gate_functions (so pass the run's values). The validation split
holds no NPN class of the training split nor of the test sets. Per checkpoint and simulations per move (0 = greedy;
no rollouts): functions solved within the default cap (30 ANDs) and the ANDs over them, searched in batches of 128
on one thread. --c-puct and --leaf-value set the search (`learned.search.SearchParams`) for every row.
"""

from __future__ import annotations

import argparse
import time

import torch

from sc_plugin.learned.actions import DEFAULT_MAX_ANDS
from sc_plugin.learned.checkpoint import load_model
from sc_plugin.learned.search import LEAF_VALUES, SearchParams
from sc_plugin.training.data import load_datasets
from sc_plugin.training.rl import gate_score, validation_functions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", required=True, help="the `sc-train data` files of the self-play run")
    parser.add_argument("--checkpoint", action="append", required=True, help="NAME=PATH, repeatable")
    parser.add_argument("--simulations", nargs="+", type=int, default=[0, 8], help="per move; 0 = greedy")
    parser.add_argument("--functions", type=int, default=4000, help="held-out functions to search")
    parser.add_argument("--skip", type=int, default=512, help="the run's gate_functions (its gate set comes first)")
    parser.add_argument("--seed", type=int, default=0, help="the run's seed (it orders the validation functions)")
    parser.add_argument("--c-puct", type=float, default=SearchParams.c_puct, help="PUCT exploration weight")
    parser.add_argument("--leaf-value", choices=LEAF_VALUES, default=SearchParams.leaf_value,
                        help="value of a non-terminal leaf")
    args = parser.parse_args()
    torch.set_num_threads(1)
    functions = validation_functions(load_datasets(args.data), args.seed)[args.skip:args.skip + args.functions]
    print(f"{len(functions)} held-out validation functions (after the first {args.skip})\n")
    print("| checkpoint | sims | solved | ANDs on solved | wall s |")
    print("|---|---|---|---|---|")
    for name, path in (item.split("=", 1) for item in args.checkpoint):
        model, _ = load_model(path)
        for simulations in args.simulations:
            start = time.perf_counter()
            params = SearchParams(num_simulations=simulations, c_puct=args.c_puct, leaf_value=args.leaf_value)
            solved, ands = gate_score(model, functions, params=params, max_ands=DEFAULT_MAX_ANDS)
            print(f"| {name} | {simulations} | {solved}/{len(functions)} ({100 * solved / max(len(functions), 1):.1f}%)"
                  f" | {ands} | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
