#!/usr/bin/env bash
# Rebuilds the upgrade fixture from an earlier release: builds REV's onewindow from a
# temporary git worktree, lets it file a small batch of a case against a private Redis and
# MinIO (TestMakeUpgradeFixture), and keeps every object of its buckets with what it answered
# in cmd/onewindow/testdata/upgrade/SHORTREV. Point upgradeFixture in
# cmd/onewindow/upgrade_e2e_test.go at it, and remove the fixture it replaces.
#   scripts/make-upgrade-fixture.sh v1.3.0
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
rev=$(git rev-parse --verify "${1:?usage: scripts/make-upgrade-fixture.sh REV}^{commit}")
short=$(git rev-parse --short=7 "$rev")
describe=$(git describe --tags --always "$rev")
out="$PWD/cmd/onewindow/testdata/upgrade/$short"

tmp=$(mktemp -d)
cleanup() { git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git worktree add --quiet --detach "$tmp/src" "$rev"
echo "make-upgrade-fixture: building $describe ($rev)"
# Both names of the version variable: releases before metrics.Version had main.version.
(cd "$tmp/src" && go build -trimpath -ldflags "-X main.version=$describe -X onewindow/internal/metrics.Version=$describe -X onewindow/internal/metrics.Revision=$rev" \
	-o "$tmp/onewindow" ./cmd/onewindow)

ONEWINDOW_UPGRADE_FIXTURE_BIN="$tmp/onewindow" ONEWINDOW_UPGRADE_FIXTURE_OUT="$out" ONEWINDOW_UPGRADE_FIXTURE_REV="$rev" \
	go test -count=1 -timeout 15m -run '^TestMakeUpgradeFixture$' -v ./cmd/onewindow
echo "make-upgrade-fixture: wrote $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1), in ${out#"$PWD"/}"
echo "make-upgrade-fixture: set upgradeFixture = \"testdata/upgrade/$short\" in cmd/onewindow/upgrade_e2e_test.go"
