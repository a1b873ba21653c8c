#!/bin/bash
# Puts a task of an experiment's array back in the queue after scancel, a node failure or a time limit, and submits
# the merge again to run when it succeeds (Slurm never releases the first merge job once a task it waits for has
# failed or been cancelled, even after a requeue: this cancels it if given).
#
#   deploy/slurm/requeue.sh ARRAY_JOB TASK OUT [OLD_MERGE_JOB [SBATCH_OPTION...]]
#
# The requeued task keeps its array index, so --shard auto gives it the same shard; it skips the grid points it had
# finished (its JSON says "resumed_points") and trains the rest. Prints the new merge job's id.
set -euo pipefail
if (( $# < 3 )); then
  echo "usage: $0 ARRAY_JOB TASK OUT [OLD_MERGE_JOB [SBATCH_OPTION...]]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
array=$1 task=$2 out=$3 old=${4:-}
shift $(( $# < 4 ? $# : 4 ))
scontrol requeue "${array}_${task}"
# a requeued job is otherwise held back (BeginTime) for a couple of minutes
scontrol update JobId="${array}_${task}" StartTime=now
if [[ -n $old ]]; then scancel "$old"; fi
merge=$(sbatch --parsable "$@" --dependency=afterok:"${array}_${task}" "$here/merge.sbatch" "$out")
echo "merge ${merge%%;*}"
