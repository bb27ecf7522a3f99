package metrics

import (
	"strings"
	"testing"
)

func TestBuildInfoFromLinkTime(t *testing.T) {
	defer func(v, r string) { Version, Revision = v, r }(Version, Revision)
	Version, Revision = "v1.2.0", "0123456789abcdef0123456789abcdef01234567"
	b := Build()
	if b.Version != Version || b.Revision != Revision || b.Modified {
		t.Fatalf("Build() = %+v", b)
	}
	if s := b.String(); !strings.HasPrefix(s, "onewindow v1.2.0 (0123456789abcdef0123456789abcdef01234567)") {
		t.Errorf("String() = %q", s)
	}
	mfs, err := New().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, mf := range mfs {
		if mf.GetName() != "onewindow_build_info" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got = append(got, labels["version"]+" "+labels["revision"]+" "+labels["goversion"])
			if m.GetGauge().GetValue() != 1 {
				t.Errorf("onewindow_build_info = %v, want 1", m.GetGauge().GetValue())
			}
		}
	}
	if want := Version + " " + Revision + " " + b.GoVersion; len(got) != 1 || got[0] != want {
		t.Errorf("onewindow_build_info series %q, want one: %q", got, want)
	}
}

func TestBuildInfoWithoutLinkTimeValues(t *testing.T) {
	defer func(v, r string) { Version, Revision = v, r }(Version, Revision)
	Version, Revision = "", ""
	// A test binary has no module version and no VCS stamp: the version says so.
	if b := Build(); b.Version != "dev" {
		t.Errorf("Build().Version = %q, want dev", b.Version)
	}
}
