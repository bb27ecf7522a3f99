package ocr

import (
	"fmt"
	"sync"
	"time"

	"github.com/otiai10/gosseract/v2"
)

// Version is the Tesseract library version, e.g. "5.3.0".
func Version() string { return tesseractVersion() }

var tesseractVersion = sync.OnceValue(gosseract.Version)

// pingFailRetry is how long a failed check is remembered before Tesseract is tried again.
const pingFailRetry = 10 * time.Second

type pingResult struct {
	err error
	at  time.Time
}

var (
	pingMu    sync.Mutex
	pingCache = map[string]pingResult{}
)

// Ping reports whether a Tesseract engine can start with opts' languages (and the
// orientation model unless SkipOrientation). Success is remembered for the life of the
// process, failure for pingFailRetry, so /readyz can call it often.
func Ping(opts Options) error { return ping(opts.withDefaults()) }

func ping(opts Options) error {
	key := fmt.Sprintf("%q %q %q %v", opts.TessdataPrefix, opts.Languages, opts.LatinLanguages, opts.SkipOrientation)
	pingMu.Lock()
	defer pingMu.Unlock()
	if r, ok := pingCache[key]; ok && (r.err == nil || time.Since(r.at) < pingFailRetry) {
		return r.err
	}
	err := tryInit(opts.TessdataPrefix, opts.Languages)
	if err == nil && opts.LatinLanguages != "-" {
		err = tryInit(opts.TessdataPrefix, opts.LatinLanguages)
	}
	if err == nil && !opts.SkipOrientation {
		err = tryInit(opts.TessdataPrefix, "osd")
	}
	pingCache[key] = pingResult{err: err, at: time.Now()}
	return err
}

func tryInit(prefix, langs string) error {
	api, ok := newTessAPI(prefix, langs)
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoEngine, langs)
	}
	api.close()
	return nil
}
