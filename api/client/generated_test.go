package client

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestClientIsCurrent generates the client again from api/openapi.json with the generator and
// settings of doc.go's go:generate line and compares it with client.gen.go: a document
// changed without scripts/gen-apiclient.sh leaves halls a client that no longer matches it.
func TestClientIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator from the module cache")
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^//go:generate go run (\S+) `).FindSubmatch(doc)
	if m == nil {
		t.Fatal("doc.go has no go:generate line naming the generator")
	}
	// The settings name the output file; the copy writes to a temporary one.
	settings, err := os.ReadFile("oapi-codegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "client.gen.go")
	settings = regexp.MustCompile(`(?m)^output: .*$`).ReplaceAll(settings, []byte("output: "+out))
	if err := os.WriteFile(filepath.Join(dir, "oapi-codegen.yaml"), settings, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", string(m[1]), "-config", filepath.Join(dir, "oapi-codegen.yaml"), "../openapi.json")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	current, err := os.ReadFile("client.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, current) {
		t.Fatal("client.gen.go is not what api/openapi.json generates: run scripts/gen-apiclient.sh and commit the result")
	}
}
