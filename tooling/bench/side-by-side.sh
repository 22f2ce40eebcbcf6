#!/usr/bin/env bash
# Issue 16's figures in one run, side by side on one machine (shared/bench/BENCH.md):
# PyTorch (wall and CPU time, 1 and 2 threads) and spikelite's workloads (event-driven and
# dense, 1 and 2 threads), then the converted-SNN inference workloads. Every block starts with
# `uptime`; quote ratios from one run. Needs `pnpm build` first and Debian's python3-torch.
#   bash tooling/bench/side-by-side.sh [path/to/torch_ref.py] > runs/bench.txt
set -u
cd "$(dirname "$0")/../.."
ref=${1:-}
if [ -z "$ref" ]; then for r in ../shared/bench/torch_ref.py ../../shared/bench/torch_ref.py; do [ -f "$r" ] && ref=$r && break; done; fi
[ -f "$ref" ] || { echo "torch_ref.py not found: pass its path" >&2; exit 2; }
py=/usr/bin/python3
block() { echo "# $* | $(uptime)"; }
block torch 1 thread; $py "$ref" 1
block torch 1 thread, CPU time; $py tooling/bench/torch_ref_cpu.py "$ref"
block spikelite 1 thread; node packages/training/dist/bench/main.js --threads 1 2>/dev/null
block spikelite 1 thread, dense; node packages/training/dist/bench/main.js --threads 1 --spike-mode dense 2>/dev/null
block spikelite 2 threads; node packages/training/dist/bench/main.js --threads 2 2>/dev/null
block spikelite 1 thread, active network θ=0.3; node packages/training/dist/bench/main.js --threads 1 --threshold 0.3 2>/dev/null
block spikelite 2 threads, active network θ=0.3; node packages/training/dist/bench/main.js --threads 2 --threshold 0.3 2>/dev/null
block torch 2 threads; $py "$ref" 2
block converted SNN inference; node packages/onnx/dist/bench/converted-main.js 2>/dev/null
block end
