// Package client is an HTTP client of the daemon generated from api/openapi.json by
// oapi-codegen (types and client), so a hall's own systems need not hand-write one. The daemon
// never imports it; tests drive a case with it, which keeps the document usable by generators.
package client

// The generator runs from the module cache, so it never becomes a dependency of the binary.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml ../openapi.json
