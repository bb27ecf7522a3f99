// Command check validates the packages for halls without a cluster, a Docker daemon or the
// internet: manifests rendered by helm are decoded strictly into the Kubernetes API types
// (an unknown or misplaced field, a wrong type, a broken reference is an error), the Compose
// file is loaded and checked against the Compose specification's schema, and the Dockerfile
// is parsed into instructions by BuildKit's own front-end parser. It lives in a module of
// its own so that none of this becomes a dependency of the daemon.
//
//	check -manifests rendered.yaml -compose compose.yaml -dockerfile Dockerfile
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func main() {
	manifests := flag.String("manifests", "", "multi-document YAML rendered by helm template")
	compose := flag.String("compose", "", "a Compose file")
	dockerfile := flag.String("dockerfile", "", "a Dockerfile")
	flag.Parse()
	var failed bool
	report := func(what string, errs []error) {
		for _, err := range errs {
			fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
			failed = true
		}
		if len(errs) == 0 {
			fmt.Printf("ok  %s\n", what)
		}
	}
	if *manifests != "" {
		b, err := os.ReadFile(*manifests)
		if err != nil {
			report(*manifests, []error{err})
		} else {
			n, errs := checkManifests(b)
			report(fmt.Sprintf("%s (%d objects)", *manifests, n), errs)
		}
	}
	if *compose != "" {
		report(*compose, checkCompose(*compose))
	}
	if *dockerfile != "" {
		report(*dockerfile, checkDockerfile(*dockerfile))
	}
	if failed {
		os.Exit(1)
	}
}

// checkCompose loads the file as docker compose would, schema validation included; the
// secrets' files need not exist (they are written on the hall's host).
func checkCompose(path string) []error {
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithEnv([]string{}), cli.WithInterpolation(true))
	if err != nil {
		return []error{err}
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, want := range []string{"serve", "work", "redis", "minio"} {
		s, ok := p.Services[want]
		if !ok {
			errs = append(errs, fmt.Errorf("no service %q", want))
			continue
		}
		if s.HealthCheck == nil && want != "minio" {
			errs = append(errs, fmt.Errorf("service %q has no health check", want))
		}
	}
	for _, name := range []string{"serve", "work"} {
		s := p.Services[name]
		if !s.ReadOnly || s.User == "root" {
			errs = append(errs, fmt.Errorf("service %q: read-only root file system and a non-root user expected", name))
		}
		for k, v := range s.Environment {
			if v != nil && isSecretSetting(k) {
				errs = append(errs, fmt.Errorf("service %q: %s is given as a value; give %s_FILE", name, k, k))
			}
		}
	}
	return errs
}

// isSecretSetting names the daemon's secret settings, which must come from files.
func isSecretSetting(env string) bool {
	for _, s := range []string{"ADMIN_TOKEN", "REDIS_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY", "SESSION_KEY", "NOTIFY_SECRET"} {
		if env == "ONEWINDOW_"+s {
			return true
		}
	}
	return false
}

// checkDockerfile parses every instruction as BuildKit's front end does before a build
// fetches anything (with the lint rules that parsing applies), and checks the runtime stage.
func checkDockerfile(path string) []error {
	f, err := os.Open(path)
	if err != nil {
		return []error{err}
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, w := range res.Warnings {
		errs = append(errs, fmt.Errorf("line %d: %s", w.Location.Start.Line, w.Short))
	}
	lint := linter.New(&linter.Config{Warn: func(rule, desc, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		errs = append(errs, fmt.Errorf("line %d: %s: %s", line, rule, msg))
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return append(errs, err)
	}
	if len(stages) < 2 {
		errs = append(errs, errors.New("a multi-stage build expected (the runtime image carries no compiler)"))
	}
	last := stages[len(stages)-1]
	var user, health bool
	for _, c := range last.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User != "root" && c.User != "0" && !strings.HasPrefix(c.User, "0:")
		case *instructions.HealthCheckCommand:
			health = true
		}
	}
	if !strings.HasPrefix(last.BaseName, "debian:bookworm-slim") {
		errs = append(errs, fmt.Errorf("the runtime stage is %s, want debian:bookworm-slim", last.BaseName))
	}
	if !user {
		errs = append(errs, errors.New("the runtime stage runs as root"))
	}
	if !health {
		errs = append(errs, errors.New("the runtime stage has no HEALTHCHECK"))
	}
	return errs
}
