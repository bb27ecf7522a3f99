#!/usr/bin/env bash
# Throughput and memory benchmark, run against the reference tool in the same run:
#   1. plain `tesseract -l chi_sim+eng` over every page image of the corpus, as many at a
#      time as there are cores (OMP_THREAD_LIMIT=1), in pages per minute;
#   2. onewindow dev end to end (first upload to last batch done) on the same corpus;
#   3. peak resident memory of onewindow dev while one 300-page batch goes through;
#   4. fixity against `mc cat > /dev/null` and against Go reads of the same objects (512 MiB),
#      and archive search latency over 100,000 records.
# Usage: scripts/bench.sh [CORPUS_DIR]   (generated with ../shared/corpus/gen.py if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
corpus=${1:-/tmp/onewindow-corpus}
shared=../shared
jobs=$(nproc)

if ! ls "$corpus"/*.truth.json >/dev/null 2>&1; then
  [[ -f $shared/corpus/gen.py ]] || { echo "no corpus in $corpus and no $shared/corpus/gen.py to make one" >&2; exit 1; }
  /usr/bin/python3 "$shared/corpus/gen.py" --out "$corpus" --batches 10 --seed 1 >/dev/null
fi
go build -o bin/onewindow ./cmd/onewindow
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Page images exactly as the scanner made them.
mkdir -p "$work/pages"
for f in "$corpus"/*.pdf "$corpus"/*.tif*; do
  [[ -e $f ]] || continue
  b=$(basename "$f"); b=${b%.*}
  case $f in
    *.pdf) pdfimages -j "$f" "$work/pages/$b" ;;
    *) /usr/bin/python3 -c 'import sys
from PIL import Image, ImageSequence
for i, p in enumerate(ImageSequence.Iterator(Image.open(sys.argv[1]))): p.save("%s-%03d.png" % (sys.argv[2], i))' "$f" "$work/pages/$b" ;;
  esac
done
pages=$(ls "$work/pages" | wc -l)

start=$(date +%s.%N)
ls "$work/pages"/* | OMP_THREAD_LIMIT=1 xargs -P "$jobs" -I{} sh -c 'tesseract "$1" - -l chi_sim+eng >/dev/null 2>&1' _ {}
end=$(date +%s.%N)
ref=$(echo "$pages / ($end - $start) * 60" | bc -l)

ours=""
if [[ -f $shared/acceptance/eval.py ]]; then
  python3 "$shared/acceptance/eval.py" --bin bin/onewindow --corpus "$corpus" --no-pdf --out "$work/eval.json" >/dev/null
  ours=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pages_per_min"])' "$work/eval.json")
else
  ours=$(python3 scripts/throughput.py bin/onewindow "$corpus")
fi

printf '\n%-44s %8.1f pages/min (%d pages, %d at a time)\n' "tesseract CLI, every page" "$ref" "$pages" "$jobs"
printf '%-44s %8.1f pages/min\n' "onewindow dev, upload to filed" "$ours"
printf '%-44s %8.2f\n' "ratio onewindow / tesseract" "$(echo "$ours / $ref" | bc -l)"

# Memory: one 300-page batch made of the corpus's PDF pages repeated.
pdfs=("$corpus"/*.pdf)
args=()
while ((${#args[@]} < 60)); do args+=("${pdfs[@]}"); done
qpdf --empty --pages "${args[@]}" -- "$work/all.pdf"
qpdf --empty --pages "$work/all.pdf" 1-300 -- "$work/big.pdf"
python3 scripts/throughput.py bin/onewindow "$work/big.pdf" --rss

# Archive: fixity against mc cat and raw reads, search latency.
MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
if [[ ! -x .tools/bin/mc ]]; then
  echo "bench: building the MinIO client $MC_VERSION into .tools/bin (about a minute, once)"
  mkdir -p .tools/bin
  (cd /tmp && GOBIN="$OLDPWD/.tools/bin" GOFLAGS=-mod=mod go install "github.com/minio/mc@$MC_VERSION")
fi
ONEWINDOW_BENCH_FIXITY_MB=512 go test -count=1 -run TestFixityThroughput -v ./archive | grep -E 'mc cat|readers'
ONEWINDOW_BENCH_DOCS=100000 go test -count=1 -run TestSearchLatency -v ./archive | grep -E 'median|indexed'
