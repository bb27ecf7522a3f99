#!/usr/bin/env bash
# Scores the pipeline on a ground-truth corpus: split exactness (with and without separator
# sheets), dropped-page precision/recall, type accuracy, ID/credit-code precision/recall and
# OCR character error rate. Usage: scripts/eval.sh [CORPUS_DIR] [gen.py options...]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
corpus=${1:-/tmp/onewindow-corpus}
shift || true
if ! ls "$corpus"/*.truth.json >/dev/null 2>&1; then
  gen=../shared/corpus/gen.py
  [[ -f $gen ]] || { echo "no corpus in $corpus and no $gen to make one" >&2; exit 1; }
  /usr/bin/python3 "$gen" --out "$corpus" --batches 10 --seed 1 "$@" >/dev/null
fi
go build -o bin/onewindow ./cmd/onewindow
bin/onewindow eval "$corpus"
