#!/usr/bin/env bash
# Training steps per second, RnnLab against PyTorch, measured side by side in one run (alternating, so both see
# the same machine load). PyTorch gets its best thread setting on this machine each round: 1 thread, or 2 with
# OPENBLAS_NUM_THREADS=1 (as ../shared/DESIGN.md advises); RnnLab runs at its default --threads (the cores the
# process may use). Each round also measures RnnLab's float32 GEMM peak at the same thread count (RnnLab.Bench
# peak), so the table shows how much of the machine's matrix-multiply rate a training step reaches.
# Prints medians over the rounds; the ratio is the median of the per-round ratios.
# Usage: bench/training_vs_torch.sh [ROUNDS] [PATTERN]   (PATTERN: an extended regex picking scenario lines below;
# needs /usr/bin/python3 with torch: apt-get install python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
pattern=${2:-.}
torch=bench/torch_baseline.py
dotnet build -c Release src/RnnLab.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/RnnLab.Bench -v q -nologo >/dev/null
rnnlab=(dotnet src/RnnLab.Cli/bin/Release/net10.0/RnnLab.Cli.dll)
peak=(dotnet bench/RnnLab.Bench/bin/Release/net10.0/RnnLab.Bench.dll peak)
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])"; }
median() { printf '%s\n' "$@" | sort -g | python3 -c "import sys; v=[float(l) for l in sys.stdin]; n=len(v); print(v[n//2] if n % 2 else (v[n//2-1]+v[n//2])/2)"; }
threads=$("${rnnlab[@]}" bench --hidden 4 --seq 2 --batch 1 --steps 1 --json | field threads)
echo "RnnLab default threads: $threads; $rounds rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| scenario | PyTorch steps/s (best of 1 and 2 threads) | RnnLab steps/s ($threads threads) | ratio | RnnLab GEMM GFLOPS | of RnnLab's GEMM peak |"
echo "|---|---:|---:|---:|---:|---:|"
while read -r cell hidden seq batch input layers bidir steps; do
  t=(); r=(); g=(); p=(); q=()
  extra=(--layers "$layers"); [[ $bidir == 1 ]] && extra+=(--bidirectional)
  for ((i = 0; i < rounds; i++)); do
    t1=$(/usr/bin/python3 "$torch" "$cell" "$hidden" "$seq" "$batch" "$input" "$steps" 1 "$layers" "$bidir" | field steps_per_s)
    t2=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$torch" "$cell" "$hidden" "$seq" "$batch" "$input" "$steps" 2 "$layers" "$bidir" | field steps_per_s)
    bt=$(python3 -c "print(max($t1, $t2))")
    out=$("${rnnlab[@]}" bench --cell "$cell" --hidden "$hidden" --seq "$seq" --batch "$batch" --input "$input" "${extra[@]}" --steps $((steps * 3)) --quiet --json)
    rs=$(field steps_per_s <<<"$out"); gf=$(field gemm_gflops <<<"$out")
    pk=$("${peak[@]}" --threads "$threads" | field gflops)
    t+=("$bt"); r+=("$rs"); g+=("$gf"); p+=("$pk")
    q+=("$(python3 -c "print($rs / $bt)")")
  done
  mt=$(median "${t[@]}"); mr=$(median "${r[@]}"); mq=$(median "${q[@]}"); mg=$(median "${g[@]}"); mp=$(median "${p[@]}")
  name="--cell $cell --hidden $hidden --seq $seq --batch $batch --input $input"
  [[ $layers != 1 ]] && name+=" --layers $layers"; [[ $bidir == 1 ]] && name+=" --bidirectional"
  python3 -c "print(f'| \`$name\` | {$mt:.1f} | {$mr:.1f} | {$mq:.2f}× | {$mg:.0f} | {100 * $mg / $mp:.0f}% of {$mp:.0f} |')"
done < <(grep -E "$pattern" <<'SCENARIOS'
rnn 128 200 32 2 1 0 20
lstm 128 200 32 2 1 0 20
gru 128 200 32 2 1 0 20
lstm 512 100 64 64 1 0 4
lstm 256 100 32 32 2 0 6
gru 128 100 32 32 1 1 15
SCENARIOS
)
