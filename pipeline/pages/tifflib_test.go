package pages

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeLibtiff puts tools named tiffcp and tiff2rgba that run script on PATH.
func fakeLibtiff(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"tiffcp", "tiff2rgba"} {
		if err := os.WriteFile(filepath.Join(dir, tool), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestLibtiffCrashCostsOnePage: a tool that dies on a signal fails that page as damaged;
// the process goes on.
func TestLibtiffCrashCostsOnePage(t *testing.T) {
	fakeLibtiff(t, "kill -SEGV $$")
	src := mustOpen(t, readTestdata(t, "formats/tiff-multipage.tif"), KindTIFF, 4)
	if _, err := src.Page(context.Background(), 0); err != nil {
		t.Fatalf("the G4 page needs no libtiff: %v", err)
	}
	_, err := src.Page(context.Background(), 1) // JPEG-in-TIFF
	var problem *Problem
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &problem) || problem.Page != 2 {
		t.Fatalf("crashed tool: %v, want a damaged page 2", err)
	}
	t.Log(err)
}

// TestLibtiffHangIsBounded: a tool that hangs is stopped with the caller's context, and the
// error is not the file's fault (the queue retries it).
func TestLibtiffHangIsBounded(t *testing.T) {
	fakeLibtiff(t, "exec sleep 60")
	src := mustOpen(t, readTestdata(t, "formats/tiff-jpeg-ycbcr.tif"), KindTIFF, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := src.Page(ctx, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung tool: %v", err)
	}
	for _, sentinel := range []error{ErrCorrupt, ErrUnreadable, ErrUnsupported} {
		if errors.Is(err, sentinel) {
			t.Errorf("hung tool: %v blames the file", err)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("hung tool stopped after %v", d)
	}
	t.Log(err)
}

// TestLibtiffMissing: without libtiff's tools the page fails as the server's fault, naming
// the package to install.
func TestLibtiffMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	src := mustOpen(t, readTestdata(t, "formats/tiff-lzma.tif"), KindTIFF, 1)
	_, err := src.Page(context.Background(), 0)
	if err == nil || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrUnreadable) {
		t.Fatalf("no libtiff: %v", err)
	}
	t.Log(err)
}
