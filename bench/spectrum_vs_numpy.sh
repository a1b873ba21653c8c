#!/usr/bin/env bash
# `rnnlab spectrum --hidden H` against NumPy doing the same decompositions (all eigenvalues by np.linalg.eigvals, all
# singular values by np.linalg.svd(compute_uv=False)) on an H×H matrix of the same distribution, alternating the
# two each round so both see the same machine load. Each side is timed as a whole process (start-up, matrix,
# decompositions, output); rnnlab's phase lines on stderr also give the seconds of its eigen + singular value
# phases and of the power iteration that NumPy does not do, and NumPy reports the seconds of its two calls.
# Both load the same liblapack.so.3 (OpenBLAS here) and read the same OPENBLAS_NUM_THREADS: run once as is
# (OpenBLAS's default, the cores) and once with OPENBLAS_NUM_THREADS=1 to compare at one thread.
# Prints medians over the rounds; the ratios are medians of the per-round ratios.
# Usage: bench/spectrum_vs_numpy.sh [ROUNDS] [H]   (needs /usr/bin/python3 with NumPy: apt-get install python3-numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
hidden=${2:-2000}
dotnet build -c Release src/RnnLab.Cli -v q -nologo >/dev/null
rnnlab=(dotnet src/RnnLab.Cli/bin/Release/net10.0/RnnLab.Cli.dll)
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | python3 -c "import sys; v=sorted(float(l) for l in sys.stdin); n=len(v); print(v[n//2] if n % 2 else (v[n//2-1]+v[n//2])/2)"; }
calc() { python3 -c "print($1)"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "H = $hidden; $rounds rounds; OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}; liblapack.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/liblapack.so.3 2>/dev/null || echo '?')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
np_wall=(); np_work=(); rl_wall=(); rl_work=(); rl_power=(); ratio_wall=(); ratio_work=()
for ((i = 0; i < rounds; i++)); do
  t0=$(now); /usr/bin/python3 bench/spectrum_numpy.py "$hidden" "$i" >"$tmp/np.json"; t1=$(now)
  "${rnnlab[@]}" spectrum --hidden "$hidden" --seed "$i" --json >"$tmp/rl.json" 2>"$tmp/rl.err"; t2=$(now)
  nw=$(calc "$t1 - $t0"); rw=$(calc "$t2 - $t1")
  nk=$(python3 -c "import json; d=json.load(open('$tmp/np.json')); print(d['eigvals_s'] + d['svd_s'])")
  threads=$(python3 -c "import json; print(json.load(open('$tmp/np.json'))['openblas_threads'])")
  # phase lines: "eigenvalues… (t0 s)", "singular values… (t1 s)", "power iteration… (t2 s)", "done in t3 s (solver)"
  read -r rk rp solver < <(python3 - "$tmp/rl.err" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
starts = [float(x) for x in re.findall(r"… \(([0-9.e+-]+) s\)", text)]
done = re.search(r"done in ([0-9.e+-]+) s \((\w+)\)", text)
print(starts[2] - starts[0], float(done.group(1)) - starts[2], done.group(2))
PY
)
  np_wall+=("$nw"); np_work+=("$nk"); rl_wall+=("$rw"); rl_work+=("$rk"); rl_power+=("$rp")
  ratio_wall+=("$(calc "$rw / $nw")"); ratio_work+=("$(calc "$rk / $nk")")
  printf 'round %d: NumPy %.2f s (eigvals + svd %.2f s, OpenBLAS threads %s); rnnlab %.2f s (eigen + singular values %.2f s, power iteration %.2f s, %s)\n' \
    $((i + 1)) "$nw" "$nk" "$threads" "$rw" "$rk" "$rp" "$solver"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| H | NumPy process s | NumPy eigvals + svd s | rnnlab process s | rnnlab eigen + singular values s | rnnlab power iteration s | process ratio | decompositions ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
python3 -c "print('| $hidden | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f× | %.2f× |' % ($(median "${np_wall[@]}"), $(median "${np_work[@]}"), $(median "${rl_wall[@]}"), $(median "${rl_work[@]}"), $(median "${rl_power[@]}"), $(median "${ratio_wall[@]}"), $(median "${ratio_work[@]}")))"
