#!/bin/bash
# Ships runs/supervised/best.pt and evaluates it on the shared cut sets.
set -e
cd /work/main
C=/work/shared/benchmarks/cuts
python -c "from sc_plugin.cli.train import _ship; from pathlib import Path; _ship(Path('runs/supervised/best.pt'))"
ev() { name=$1; shift; sc-train eval "$@" --json runs/eval/$name.json --plot runs/eval/$name.png 2>/dev/null | tee runs/eval/$name.txt; }
ev cut8_greedy --set $C/cut8_tt.txt --simulations 0 --batch-size 100
ev cut8_s8_first200 --set $C/cut8_tt.txt --simulations 8 --batch-size 100 --limit 200
ev cut6_greedy --set $C/cut6_tt.txt --simulations 0 --batch-size 100
ev cut6_s8_first200 --set $C/cut6_tt.txt --simulations 8 --batch-size 100 --limit 200
ev hard_greedy --set $C/cut8_tt_hard.txt --simulations 0 --batch-size 100
ev hard_s8_first100 --set $C/cut8_tt_hard.txt --simulations 8 --batch-size 100 --limit 100
ev cut8_greedy_batch1_first50 --set $C/cut8_tt.txt --simulations 0 --batch-size 1 --limit 50
ev cut8_s8_rollouts16_first200 --set $C/cut8_tt.txt --simulations 8 --rollouts 16 --batch-size 100 --limit 200
