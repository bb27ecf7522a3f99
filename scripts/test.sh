#!/usr/bin/env bash
# Runs every test against real services: each integration test starts its own redis-server
# and MinIO on free loopback ports, and OCR tests use the installed Tesseract.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="/usr/local/go/bin:$PATH"
go vet ./...
go test -count=1 -timeout 30m "$@" ./...
# A short fuzz run of every target (80 s of fuzzing) in CI, or when asked for.
if [[ "${CI:-}" == "true" || "${ONEWINDOW_FUZZ:-}" == "1" ]]; then
	scripts/fuzz.sh
fi
