#!/usr/bin/env bash
# Where the time of a training step goes: `perf record` of `rnnlab bench` at 1 and 2 threads, each sample put in a
# phase of the step by its call stack (bench/step_profile.py). CPU samples, not wall time, so the shares hold on a
# loaded machine too (the absolute rates do not). Needs perf (apt-get install linux-perf) and
# kernel.perf_event_paranoid ≤ 2.
# Usage: bench/step_profile.sh [rnnlab bench options]   e.g. --cell lstm --hidden 256 --seq 100 --batch 32 --input 32 --layers 2
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/RnnLab.Cli -v q -nologo >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for threads in 1 2; do
  # JIT code mapped once (not through a second, writable mapping) so perf can name it from the perf map.
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -q -F 999 -g -o "$work/perf.data" -- \
    dotnet src/RnnLab.Cli/bin/Release/net10.0/RnnLab.Cli.dll bench "$@" --threads "$threads" --json >"$work/bench.json"
  echo "## --threads $threads: $(python3 -c "import json; r=json.load(open('$work/bench.json')); print(f\"{r['steps_per_s']:.2f} steps/s, forward {r['forward_ms']:.0f} ms, backward {r['backward_ms']:.0f} ms, update {r['update_ms']:.0f} ms\")"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  perf script -F tid,ip,sym,dso -i "$work/perf.data" 2>/dev/null | python3 bench/step_profile.py
  echo
done
