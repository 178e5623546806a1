#!/usr/bin/env bash
# Submits a sharded remc run to Slurm: a job array of N shards, then a merge
# job that starts only if every shard succeeded.
#
#   scripts/slurm/submit.sh N CONFIG OUT_DIR OUT.h5 [remc run arguments...]
#   e.g. scripts/slurm/submit.sh 64 configs/baseline.ini /scratch/run1 results/run1.h5 --paths 10000000000
#   scripts/slurm/submit.sh --resubmit OUT_DIR IDS    (IDS like 3,17: shards that failed)
#
# Environment passed through to the jobs: REMC_BIN, REMC_BACKEND (cpu|cuda).
# REMC_SBATCH_ARGS: extra sbatch options for both jobs (e.g. "--partition=gpu"
# or "--cpus-per-task=4"), overriding the #SBATCH lines.
# The run's settings are saved to OUT_DIR/remc-submit.env, which --resubmit
# reads: it queues the given shards again with the same settings, and a new
# merge job after them.
set -euo pipefail
usage() { sed -n '2,14p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--resubmit" ]; then
  [ $# -eq 3 ] || usage
  env_file="$2/remc-submit.env"
  ids=$3
  [ -f "$env_file" ] || { echo "submit.sh: $env_file not found (submit.sh N ... writes it)" >&2; exit 2; }
  # shellcheck source=/dev/null
  source "$env_file"
else
  [ $# -ge 4 ] || usage
  shards=$1 config=$2 out_dir=$3 out=$4
  shift 4
  ids=0-$((shards - 1))
  # Quoted word by word, so arguments with spaces (--set "k=a b") survive;
  # array-task.sh and mpi.sbatch read them back with eval.
  REMC_ARGS=$(printf '%q ' "$@")
  export REMC_CONFIG=$config REMC_OUT_DIR=$out_dir REMC_OUT=$out REMC_ARGS
  export REMC_SLURM_DIR=$here REMC_SHARDS=$shards REMC_BIN=${REMC_BIN:-remc} REMC_BACKEND=${REMC_BACKEND:-cpu}
  export REMC_SBATCH_ARGS=${REMC_SBATCH_ARGS:-}
  mkdir -p "$out_dir"
  for name in REMC_CONFIG REMC_OUT_DIR REMC_OUT REMC_ARGS REMC_SLURM_DIR REMC_SHARDS REMC_BIN REMC_BACKEND \
    REMC_SBATCH_ARGS; do
    printf 'export %s=%q\n' "$name" "${!name}"
  done >"$out_dir/remc-submit.env"
fi

# shellcheck disable=SC2086  # REMC_SBATCH_ARGS is a list of options
array=$(sbatch --parsable --array="$ids" --export=ALL ${REMC_SBATCH_ARGS} "$REMC_SLURM_DIR/array.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --dependency=afterok:"$array" --export=ALL ${REMC_SBATCH_ARGS} "$REMC_SLURM_DIR/merge.sbatch")
echo "submitted array job $array (shards $ids of $REMC_SHARDS) and merge job ${merge%%;*}"
echo "watch: squeue -j $array,${merge%%;*}"
echo "if shards fail: scancel the waiting merge job, then $here/submit.sh --resubmit $REMC_OUT_DIR K,..."
