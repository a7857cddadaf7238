#!/usr/bin/env bash
# Installs everything sc_plugin needs on a fresh Debian machine: Debian's yosys 0.23 (the stock-Yosys path the
# tests exercise) and the Python package with its test and ray extras. Safe to run again; it skips what is present.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v yosys >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq yosys >/dev/null
fi
# torch==2.13.0 is the CPU build (see pyproject.toml); pip takes it from the local wheel cache where present.
python3 -m pip install -q --disable-pip-version-check -e '.[test,ray]'
