#!/usr/bin/env bash
# Issue 27 item 4: phase 1 (supervised) of the learned engine on a GPU machine, as one command that ends within
# 9 minutes and leaves a checkpoint that loads on a CPU.
#
# On the CPU machine, once: make the data. runs/ is ignored by git, so the device run must carry it, and the
# device tool carries at most 64 MiB in all: keep the file under 60 MB (this script refuses a larger one). The
# recipe of the shipped model's first data set gives about 3.1M states, more than one 6.5-minute run reads:
#   sc-train data --gold abc --cones-per-circuit 90000 --max-copies-per-class 12 --episodes-per-cone 3 \
#       --seed 8 -o runs/gpu/data.npz
# (measured here: --cones-per-circuit 1000 gave 84k states in 1.0 MB and took 93 s on two shared cores.)
# On the GPU machine (the device tool: run with carry ["runs/gpu"]):
#   bash benchmarks/gpu_train.sh runs/gpu/data.npz "$OUT"
# writes $OUT/model.pt (the best checkpoint without optimizer state: `sc-opt --checkpoint`, MctsParams.checkpoint)
# and $OUT/train.log; the run's own folder (last.pt with the optimizer, best.pt) is $RUN_DIR, default
# /tmp/sc_gpu_run. Arguments after OUT_DIR go to `sc-train supervised` and override the gpu config; the tests run
# this script with `--device cpu --config tiny --max-steps 3`.
set -euo pipefail
usage="usage: gpu_train.sh DATA OUT_DIR [sc-train supervised options]"
data=${1:?$usage}
out=${2:?$usage}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
run_dir=${RUN_DIR:-/tmp/sc_gpu_run}
size=$(stat -c %s "$data")
if (( size > 60000000 )); then
    echo "gpu_train.sh: $data has $((size / 1000000)) MB; a device run carries at most 60 MB of data" >&2
    exit 1
fi
mkdir -p "$out"
# the device machine's python3 holds torch ($PYTHON overrides it); sc_plugin comes from this checkout, uninstalled
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
# the config's time limit ends the loop after 6.5 minutes; the timeout only guards the 9 minutes
timeout 530 "${PYTHON:-python3}" -m sc_plugin.cli.train supervised --config gpu --device cuda --data "$data" \
    --out-dir "$run_dir" --ship "$out/model.pt" "$@" 2>&1 | tee "$out/train.log"
