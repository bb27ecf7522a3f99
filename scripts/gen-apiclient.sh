#!/bin/sh
# Regenerates api/client from api/openapi.json (after the document changed, e.g. after
# go test ./cmd/onewindow -run TestOpenAPISchemasMatchGoTypes -update).
set -eu
cd "$(dirname "$0")/.."
go generate ./api/client
gofmt -l api/client
