package config

import (
	"flag"
	"reflect"
	"testing"
	"time"
)

func TestFlagBeatsEnvBeatsDefault(t *testing.T) {
	t.Setenv("ONEWINDOW_MAX_PAGES", "77")
	t.Setenv("ONEWINDOW_TASK_TIMEOUT", "3m")
	t.Setenv("ONEWINDOW_HALL_NAME", "from env")
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if err := c.Register(fs); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--hall-name", "from flag"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"env int", c.MaxPages, 77},
		{"env duration", c.TaskTimeout, 3 * time.Minute},
		{"flag over env", c.HallName, "from flag"},
		{"default", c.OCRLatinLangs, "eng"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestEveryFieldHasAFlag(t *testing.T) {
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if err := c.Register(fs); err != nil {
		t.Fatal(err)
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	typ, secrets := reflect.TypeOf(c), 0
	for i := 0; i < typ.NumField(); i++ {
		if typ.Field(i).Tag.Get("secret") != "" {
			secrets++ // and its -file twin
		}
	}
	if want := typ.NumField() + secrets; n != want {
		t.Errorf("%d flags for %d fields and %d secrets", n, typ.NumField(), secrets)
	}
}

func TestBadEnvIsRefused(t *testing.T) {
	t.Setenv("ONEWINDOW_MAX_PAGES", "many")
	c := Default()
	if err := c.Register(flag.NewFlagSet("t", flag.ContinueOnError)); err == nil {
		t.Fatal("want an error for a non-numeric ONEWINDOW_MAX_PAGES")
	}
}
