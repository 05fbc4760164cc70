#!/usr/bin/env bash
# Create .venv and install the package with its development tools; safe to rerun.
# constraints-cpu.txt takes the CPU build of PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet -c constraints-cpu.txt -e ".[dev]"
