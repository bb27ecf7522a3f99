#!/usr/bin/env bash
# Scores the pipeline on ground-truth corpora: split exactness (with and without separator
# sheets), dropped-page precision/recall, type accuracy, ID/credit-code precision/recall and
# OCR character error rate, one JSON report per corpus, each headed by its folder.
# Usage: scripts/eval.sh [CORPUS_DIR...] [gen.py options...]
# A folder without truth files is generated first (10 batches, seed 1, plus the options).
# ONEWINDOW_EVAL_DUMP_OCR=1 also writes each page's OCR beside the truth, for the corpus tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
dirs=()
while [[ $# -gt 0 && $1 != -* ]]; do
  dirs+=("$1")
  shift
done
[[ ${#dirs[@]} -gt 0 ]] || dirs=(/tmp/onewindow-corpus)
go build -o bin/onewindow ./cmd/onewindow
for corpus in "${dirs[@]}"; do
  if ! ls "$corpus"/*.truth.json >/dev/null 2>&1; then
    gen=../shared/corpus/gen.py
    [[ -f $gen ]] || { echo "no corpus in $corpus and no $gen to make one" >&2; exit 1; }
    /usr/bin/python3 "$gen" --out "$corpus" --batches 10 --seed 1 "$@" >/dev/null
  fi
  echo "== $corpus"
  bin/onewindow eval "$corpus"
done
