#!/usr/bin/env bash
# Submits a sharded remc run to Slurm: a job array of N shards, then a merge
# job that starts only if every shard succeeded.
#
#   scripts/slurm/submit.sh N CONFIG OUT_DIR OUT.h5 [remc run arguments...]
#   e.g. scripts/slurm/submit.sh 64 configs/baseline.ini /scratch/run1 results/run1.h5 --paths 10000000000
#
# Environment passed through to the jobs: REMC_BIN, REMC_BACKEND (cpu|cuda).
# REMC_SBATCH_ARGS: extra sbatch options for both jobs (e.g. "--partition=gpu"
# or "--cpus-per-task=4"), overriding the #SBATCH lines.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
shards=$1 config=$2 out_dir=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
export REMC_CONFIG=$config REMC_OUT_DIR=$out_dir REMC_OUT=$out REMC_ARGS="$*" REMC_SLURM_DIR=$here REMC_SHARDS=$shards
# shellcheck disable=SC2086  # REMC_SBATCH_ARGS is a list of options
array=$(sbatch --parsable --array=0-$((shards - 1)) --export=ALL ${REMC_SBATCH_ARGS:-} "$here/array.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --dependency=afterok:"$array" --export=ALL ${REMC_SBATCH_ARGS:-} "$here/merge.sbatch")
echo "submitted array job $array ($shards shards) and merge job ${merge%%;*}"
echo "watch: squeue -j $array,${merge%%;*}   resubmit failed shards: sbatch --array=K,... --export=ALL $here/array.sbatch"
