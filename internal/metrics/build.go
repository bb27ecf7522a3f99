package metrics

import (
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// Version and Revision name the release a binary was built from. Release builds set them
// with -ldflags "-X onewindow/internal/metrics.Version=v1.4.0 -X
// onewindow/internal/metrics.Revision=<commit>" (the Makefile's build target and the
// container build do), because a build without VCS stamping (-buildvcs=false, a source tree
// without .git) has no revision of its own.
var (
	Version  string
	Revision string
)

// BuildInfo is what a running binary says of itself: `onewindow version`, the
// onewindow_build_info gauge and the operators' page show the same.
type BuildInfo struct {
	Version   string // the release, e.g. v1.4.0 or v1.4.0-3-gabc1234; "dev" when unknown
	Revision  string // the full commit hash; empty when unknown
	Modified  bool   // built from a tree with uncommitted changes (Go's VCS stamping only)
	GoVersion string
}

// Build reads the build information: the values set at link time first, then Go's own
// (module version, vcs.revision), else "dev".
func Build() BuildInfo {
	b := BuildInfo{Version: Version, Revision: Revision}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.GoVersion = bi.GoVersion
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Revision == "" {
					b.Revision = s.Value
				}
			case "vcs.modified":
				// Only Go's stamping knows; a revision given at link time is a clean release.
				b.Modified = Revision == "" && s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// String is the line `onewindow version` prints.
func (b BuildInfo) String() string {
	line := "onewindow " + b.Version
	if b.Revision != "" {
		line += " (" + b.Revision
		if b.Modified {
			line += ", modified"
		}
		line += ")"
	}
	if b.GoVersion != "" {
		line += " " + b.GoVersion
	}
	return line
}

// buildInfoGauge is onewindow_build_info{version,revision} 1, the Prometheus convention for
// telling which release every scraped process runs (an upgrade half done shows two).
func buildInfoGauge(b BuildInfo) prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "onewindow_build_info", Help: "Always 1; its labels name the release and commit this process was built from.",
	}, []string{"version", "revision", "goversion"})
	g.WithLabelValues(b.Version, b.Revision, b.GoVersion).Set(1)
	return g
}
