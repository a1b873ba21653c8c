#!/bin/bash
# A one-node Slurm cluster inside one folder, to try the array scripts on a single machine (RnnLab's CI test
# of deploy/slurm runs on it). Needs Debian's slurm-wlm and munge, and root: munged, slurmctld and slurmd run as
# root with SlurmUser=root; the munge key, sockets, state, spool, logs and pid files all stay in DIR.
#
#   deploy/slurm/single-node.sh start DIR [CTLD_PORT SLURMD_PORT]   then: export SLURM_CONF=DIR/slurm.conf
#   deploy/slurm/single-node.sh stop DIR                            stops the three daemons by their pids
set -euo pipefail
usage="usage: $0 start DIR [CTLD_PORT SLURMD_PORT] | stop DIR"
action=${1:?$usage}
dir=${2:?$usage}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  local pidfile
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [[ -s $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
}

case $action in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

ctld_port=${3:-6817} slurmd_port=${4:-6818}
node=$(hostname -s)
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir" "$dir/munge"
# munged refuses a key that others may read; 1 KiB of random bytes is what mungekey makes.
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cat > "$dir/slurm.conf" <<CONF
ClusterName=rnnlab
SlurmctldHost=$node
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups here: processes are tracked by parentage, tasks are not confined, CPUs are the unit of allocation.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
# Seconds between the SIGTERM of scancel (or preemption) and the SIGKILL.
KillWait=10
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$node CPUs=$(nproc)
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -f "$dir/slurm.conf"
slurmd -f "$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"
for _ in $(seq 100); do
  if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
    echo "SLURM_CONF=$dir/slurm.conf"
    exit 0
  fi
  sleep 0.1
done
echo "$0: the node did not come up within 10 s; logs in $dir/log" >&2
stop
exit 1
