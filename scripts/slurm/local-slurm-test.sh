#!/usr/bin/env bash
# Submits the real job array and merge job (submit.sh) to a single-node Slurm
# started here for the purpose, and checks the merged result against a single
# run, bit for bit. Exit 77 (skipped) when Slurm or munge is not installed or
# the daemons will not start; 0 on success; 1 on a wrong or missing result.
#   scripts/slurm/local-slurm-test.sh REMC_BINARY
set -euo pipefail
remc=${1:?usage: local-slurm-test.sh REMC_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in slurmctld slurmd munged sbatch squeue; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not installed"; exit 77; }
done

work=$(mktemp -d)
export SLURM_CONF=$work/slurm.conf
# The daemons save state while they stop, so wait for them to exit before
# removing their folders; cleanup never changes the test's exit status.
cleanup() {
  local pids=() pid alive
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    pid=$(cat "$pidfile" 2>/dev/null) && pids+=("$pid") || true
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 60); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work" 2>/dev/null; } || echo "note: could not remove $work"
}
trap cleanup EXIT
mkdir -p "$work/state" "$work/spool"
host=$(hostname -s)
cat >"$SLURM_CONF" <<CONF
ClusterName=remc-local
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

# munge: a key and a running daemon (reused if one is already up).
if ! munge -n >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge && chown munge:munge /run/munge
  su -s /bin/sh munge -c munged 2>/dev/null || munged --force 2>/dev/null || true
  sleep 1
  munge -n >/dev/null 2>&1 || { echo "skip: munged will not start"; exit 77; }
fi
slurmctld && slurmd || { echo "skip: Slurm daemons will not start"; exit 77; }
for _ in $(seq 1 40); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 0.5
done
sinfo -h -o %t 2>/dev/null | grep -q idle || { echo "skip: the Slurm node did not come up"; cat "$work/slurmd.log"; exit 77; }

# One argument holds a space: it must reach every task as one word.
args=(--paths 6000 --seed 4 --set run.months=12 --block-paths 1024 --set "output.thresholds.price_gap=2 3")
cd "$work"
REMC_SBATCH_ARGS="--cpus-per-task=1" REMC_BIN=$remc "$here/submit.sh" 3 "$root/configs/baseline.ini" \
  "$work/parts" "$work/merged.h5" "${args[@]}"
# Done when the merged file exists and the queue is empty; a squeue that
# fails (a busy controller) just means ask again.
wait_for_merge() {
  for _ in $(seq 1 480); do
    if [ -f "$work/merged.h5" ] && queue=$(squeue -h 2>/dev/null) && [ -z "$queue" ]; then return 0; fi
    sleep 0.5
  done
  echo "FAIL: no merged result after 240 s ($1)"
  squeue 2>&1 || true
  tail -n 20 "$work"/remc-*.log "$work/slurmctld.log" 2>/dev/null || true
  exit 1
}
wait_for_merge "first submission"
# A lost shard, queued again with the settings submit.sh saved, merges anew.
rm "$work/merged.h5" "$work/parts/part-1-of-3.h5"
"$here/submit.sh" --resubmit "$work/parts" 1
wait_for_merge "resubmission of shard 1"
"$remc" run --config "$root/configs/baseline.ini" "${args[@]}" --quiet --out "$work/single.h5"
if ! "${REMC_PYTHON:-/usr/bin/python3}" "$root/scripts/compare_results.py" --exact "$work/single.h5" "$work/merged.h5"; then
  echo "FAIL: the merged result differs from the single run"
  tail -n 20 "$work"/remc-*.log 2>/dev/null || true
  exit 1
fi
