#!/usr/bin/env bash
# Training steps per second, RnnLab against PyTorch, measured side by side in one run (alternating, so both see
# the same machine load). Each implementation gets its best thread setting on two cores: PyTorch with 1 thread
# and with 2 (OPENBLAS_NUM_THREADS=1, as ../shared/DESIGN.md advises), RnnLab with --threads 1 and 2.
# Usage: bench/training_vs_torch.sh [ROUNDS]   (needs /usr/bin/python3 with torch: apt-get install python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
torch=../shared/bench/torch_baseline.py
dotnet build -c Release src/RnnLab.Cli -v q -nologo >/dev/null
rnnlab=(dotnet src/RnnLab.Cli/bin/Release/net10.0/RnnLab.Cli.dll)
json() { python3 -c "import json,sys; print(json.loads(sys.stdin.read())['steps_per_s'])"; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
echo "| scenario | PyTorch steps/s (best of 1 and 2 threads) | RnnLab steps/s, 1 thread | RnnLab steps/s, 2 threads | ratio (best RnnLab ÷ best PyTorch) |"
echo "|---|---:|---:|---:|---:|"
while read -r cell hidden seq batch input steps; do
  t=(); r1=(); r2=()
  for ((i = 0; i < rounds; i++)); do
    t+=("$(/usr/bin/python3 "$torch" "$cell" "$hidden" "$seq" "$batch" "$input" "$steps" 1 | json)")
    t+=("$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$torch" "$cell" "$hidden" "$seq" "$batch" "$input" "$steps" 2 | json)")
    r1+=("$("${rnnlab[@]}" bench --cell "$cell" --hidden "$hidden" --seq "$seq" --batch "$batch" --input "$input" --steps $((steps * 3)) --threads 1 --json | json)")
    r2+=("$("${rnnlab[@]}" bench --cell "$cell" --hidden "$hidden" --seq "$seq" --batch "$batch" --input "$input" --steps $((steps * 3)) --threads 2 --json | json)")
  done
  bt=$(best "${t[@]}"); b1=$(best "${r1[@]}"); b2=$(best "${r2[@]}")
  ratio=$(python3 -c "print(f'{max($b1, $b2) / $bt:.2f}×')")
  printf '| `--cell %s --hidden %s --seq %s --batch %s --input %s` | %.1f | %.1f | %.1f | %s |\n' "$cell" "$hidden" "$seq" "$batch" "$input" "$bt" "$b1" "$b2" "$ratio"
done <<'SCENARIOS'
rnn 128 200 32 2 20
lstm 128 200 32 2 20
gru 128 200 32 2 20
lstm 512 100 64 64 4
SCENARIOS
