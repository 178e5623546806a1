#!/usr/bin/env bash
# Body of the merge job: combines every part in REMC_OUT_DIR into REMC_OUT.
# remc merge refuses missing, repeated or foreign parts (exit 2), so a merge
# that succeeds is exactly the single-run result.
#
#   REMC_OUT_DIR   folder with part-K-of-N.h5 files (required)
#   REMC_OUT       merged result file (required)
#   REMC_BIN       remc binary (default: remc on PATH)
set -euo pipefail

: "${REMC_OUT_DIR:?set REMC_OUT_DIR to the folder with the parts}"
: "${REMC_OUT:?set REMC_OUT to the merged result file}"
shopt -s nullglob
parts=("$REMC_OUT_DIR"/part-*-of-*.h5)
[ ${#parts[@]} -gt 0 ] || { echo "merge-task.sh: no parts in $REMC_OUT_DIR" >&2; exit 2; }
"${REMC_BIN:-remc}" merge "${parts[@]}" -o "$REMC_OUT"
"${REMC_BIN:-remc}" info "$REMC_OUT"
