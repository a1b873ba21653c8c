#!/bin/bash
# Submits an experiment as a Slurm job array of SHARDS tasks and a merge job that runs when all of them succeed.
#
#   deploy/slurm/submit.sh EXPERIMENT OUT SHARDS [PRESET [SBATCH_OPTION...]]
#
# e.g. deploy/slurm/submit.sh long-range $SCRATCH/agreement 8 full --time=01:00:00
# Extra options go to both sbatch calls (a partition, an account, --cpus-per-task). Prints the two job ids.
set -euo pipefail
if (( $# < 3 )); then
  echo "usage: $0 EXPERIMENT OUT SHARDS [PRESET [SBATCH_OPTION...]]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
experiment=$1 out=$2 shards=$3 preset=${4:-full}
shift $(( $# < 4 ? $# : 4 ))
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: SHARDS must be a positive integer, got '$shards'" >&2
  exit 2
fi
array=$(sbatch --parsable "$@" --array=0-$((shards - 1)) "$here/experiment.sbatch" "$experiment" "$out" "$preset")
array=${array%%;*}  # --parsable prints "id" or "id;cluster"
merge=$(sbatch --parsable "$@" --dependency=afterok:"$array" "$here/merge.sbatch" "$out")
echo "array $array merge ${merge%%;*}"
