#!/usr/bin/env bash
# Body of one Slurm array task: simulates shard K of N of one remc run and
# writes it as a partial result. Used by array.sbatch; runnable by hand (and
# by the tests) with the Slurm variables set.
#
#   REMC_CONFIG    config file (required)
#   REMC_OUT_DIR   folder for the parts (required; created if missing)
#   REMC_BIN       remc binary (default: remc on PATH)
#   REMC_BACKEND   cpu (default) or cuda
#   REMC_ARGS      more arguments for remc run, e.g. "--paths 1000000000 --seed 7",
#                  split as the shell would (quote words with spaces:
#                  "--set 'output.thresholds.price=2 5'"; submit.sh does)
#   REMC_SHARDS    number of shards N (submit.sh sets it, so that a resubmitted
#                  subset such as --array=3,7 keeps N and its task ids)
#
# Slurm sets SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN.
# Without REMC_SHARDS the shard is ID - MIN of COUNT, so --array=0-15 and
# --array=1-16 both work; with it, the shard is ID of REMC_SHARDS (ids 0..N-1).
set -euo pipefail

: "${REMC_CONFIG:?set REMC_CONFIG to the config file}"
: "${REMC_OUT_DIR:?set REMC_OUT_DIR to the folder for the parts}"
: "${SLURM_ARRAY_TASK_ID:?not an array task (SLURM_ARRAY_TASK_ID unset)}"
: "${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT unset}"

if [ -n "${REMC_SHARDS:-}" ]; then
  index=$SLURM_ARRAY_TASK_ID
  count=$REMC_SHARDS
else
  index=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
  count=$SLURM_ARRAY_TASK_COUNT
fi
mkdir -p "$REMC_OUT_DIR"
threads=()
[ -n "${SLURM_CPUS_PER_TASK:-}" ] && threads=(--threads "$SLURM_CPUS_PER_TASK")
extra=()
eval "extra=(${REMC_ARGS:-})"
exec "${REMC_BIN:-remc}" run --config "$REMC_CONFIG" --shard "$index/$count" \
  --backend "${REMC_BACKEND:-cpu}" "${threads[@]}" --quiet \
  --out "$REMC_OUT_DIR/part-$index-of-$count.h5" "${extra[@]}"
