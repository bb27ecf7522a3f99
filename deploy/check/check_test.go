package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hall-work
spec:
  selector:
    matchLabels: {app: work}
  template:
    metadata:
      labels: {app: work}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: work
          image: onewindow:1
          ports: [{name: metrics, containerPort: 9464}]
          livenessProbe:
            httpGet: {path: /healthz, port: metrics}
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
`

// Each mistake the check exists for is found; the good manifest passes.
func TestManifestMistakesAreFound(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"good", goodDeployment, ""},
		{"unknown field", strings.Replace(goodDeployment, "image: onewindow:1", "image: onewindow:1\n          imagePolicy: Always", 1), "unknown field"},
		{"selector misses the pods", strings.Replace(goodDeployment, "matchLabels: {app: work}", "matchLabels: {app: serve}", 1), "does not match"},
		{"probe names no port", strings.Replace(goodDeployment, "port: metrics}", "port: http}", 1), "names no port"},
		{"secret as a value", strings.Replace(goodDeployment, "image: onewindow:1", "image: onewindow:1\n          env: [{name: ONEWINDOW_ADMIN_TOKEN, value: x}]", 1), "_FILE"},
		{"root", strings.Replace(goodDeployment, "runAsNonRoot: true", "runAsNonRoot: false", 1), "non-root"},
		{"unknown kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", "does not know"},
		{"scale target missing", goodDeployment + "---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {name: other}\n  triggers: [{type: prometheus, metadata: {serverAddress: http://p, query: q, threshold: '1'}}]\n", "not rendered"},
		{"trigger without its query", goodDeployment + "---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {name: hall-work}\n  triggers: [{type: prometheus, metadata: {serverAddress: http://p, threshold: '1'}}]\n", "without query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := checkManifests([]byte(tt.doc))
			var all []string
			for _, err := range errs {
				all = append(all, err.Error())
			}
			got := strings.Join(all, "\n")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("errors %q, want one containing %q", got, tt.want)
			}
		})
	}
}

func TestDockerfileMistakesAreFound(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	for _, tt := range []struct{ text, want string }{
		{"FROM debian:bookworm-slim\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\n", "multi-stage"},
		{"FROM golang AS b\nFROM debian:bookworm-slim\nHEALTHCHECK CMD [\"true\"]\n", "runs as root"},
		{"FROM golang AS b\nFROM debian:bookworm-slim\nUSER 10001\n", "no HEALTHCHECK"},
		{"FROM golang AS b\nFROM debian:bookworm-slim\nUSER 10001\nHEALTHCHECK --bogus=1 CMD [\"true\"]\n", "bogus"},
	} {
		if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, err := range checkDockerfile(path) {
			all = append(all, err.Error())
		}
		if got := strings.Join(all, "\n"); !strings.Contains(got, tt.want) {
			t.Errorf("%q: errors %q, want one containing %q", tt.text, got, tt.want)
		}
	}
}
