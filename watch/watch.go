// Package watch uploads what scanners leave in a folder (a network share, for scanners that
// can only write files). A file is taken once it is finished: a sidecar NAME.done exists, or
// its size and modification time held still for a while. Its case number and station come
// from a sidecar NAME.json or from the folders it sits in (CASE/file or STATION/CASE/file).
// It is uploaded through the API like any scan, with an Idempotency-Key made from its content,
// and then moved to done/ (with the batch it became) or failed/ (with the reason). Nothing is
// deleted: a file leaves its place only after the API has answered that MinIO holds it, and one
// the API could not take for a passing reason stays where it is for the next round.
package watch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure a Watcher.
type Options struct {
	Dir string
	// Client sends the uploads; its transport reaches the API (over the network, or in
	// process in dev mode).
	Client *http.Client
	// URL is the API's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Token is the bearer token uploads carry (a scanner's); empty in process.
	Token string
	// Station is the station of files whose folder names none.
	Station string
	// Every is how often the folder is looked at (default 2 s); StableFor is how long a file
	// without a .done sidecar must keep its size before it counts as finished (default 5 s).
	Every, StableFor time.Duration
	Log              *slog.Logger
	Now              func() time.Time
}

// Watcher watches one folder.
type Watcher struct {
	o    Options
	seen map[string]seenFile

	mu      sync.Mutex
	waiting int
	recent  []Outcome // newest last, at most keepOutcomes
}

// Outcome is what became of one file: uploaded as a batch, or refused with a code.
type Outcome struct {
	Name    string
	At      time.Time
	BatchID string
	Code    string
	Message string
}

const keepOutcomes = 20

// Status reports the files waiting (being written, or not yet taken) and the latest
// outcomes, newest first: the operators' page shows them.
func (w *Watcher) Status() (dir string, waiting int, recent []Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	recent = make([]Outcome, len(w.recent))
	for i, o := range w.recent {
		recent[len(w.recent)-1-i] = o
	}
	return w.o.Dir, w.waiting, recent
}

func (w *Watcher) note(o Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.recent = append(w.recent, o)
	if len(w.recent) > keepOutcomes {
		w.recent = w.recent[len(w.recent)-keepOutcomes:]
	}
}

type seenFile struct {
	size  int64
	mod   time.Time
	since time.Time
}

// Sidecar is the optional NAME.json beside a scan.
type Sidecar struct {
	CaseNo  string `json:"case_no"`
	Station string `json:"station"`
	Source  string `json:"source"`
}

// Folders that hold what was handled.
const (
	DoneDir   = "done"
	FailedDir = "failed"
)

// New checks the options.
func New(o Options) (*Watcher, error) {
	if o.Dir == "" || o.URL == "" || o.Client == nil {
		return nil, errors.New("watch: Dir, URL and Client are required")
	}
	if fi, err := os.Stat(o.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("watch: %s is not a folder", o.Dir)
	}
	if o.Every == 0 {
		o.Every = 2 * time.Second
	}
	if o.StableFor == 0 {
		o.StableFor = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Watcher{o: o, seen: map[string]seenFile{}}, nil
}

// Run looks at the folder every o.Every until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.o.Every)
	defer t.Stop()
	for {
		w.Scan(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Scan takes every finished file once; it returns how many it moved.
func (w *Watcher) Scan(ctx context.Context) int {
	moved := 0
	present := map[string]bool{}
	_ = filepath.WalkDir(w.o.Dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || ctx.Err() != nil {
			return nil
		}
		rel, _ := filepath.Rel(w.o.Dir, path)
		if e.IsDir() {
			if rel == DoneDir || rel == FailedDir || (rel != "." && strings.HasPrefix(e.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !isScan(e.Name()) {
			return nil
		}
		present[path] = true
		if w.finished(path) && w.take(ctx, path, rel) {
			moved++
		}
		return nil
	})
	for p := range w.seen {
		if !present[p] {
			delete(w.seen, p)
		}
	}
	w.mu.Lock()
	w.waiting = len(present) - moved
	w.mu.Unlock()
	return moved
}

// isScan leaves out sidecars, hidden files and the partial files of copy tools.
func isScan(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".done", ".json", ".part", ".tmp", ".crdownload", ".partial", ".txt":
		return false
	}
	return true
}

// finished: a .done sidecar, or the same size and time for StableFor.
func (w *Watcher) finished(path string) bool {
	if _, err := os.Stat(path + ".done"); err == nil {
		return true
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	now := w.o.Now()
	s, ok := w.seen[path]
	if !ok || s.size != fi.Size() || !s.mod.Equal(fi.ModTime()) {
		w.seen[path] = seenFile{size: fi.Size(), mod: fi.ModTime(), since: now}
		return false
	}
	return fi.Size() > 0 && now.Sub(s.since) >= w.o.StableFor
}

// take uploads one file and moves it; false leaves it for the next round.
func (w *Watcher) take(ctx context.Context, path, rel string) bool {
	meta, err := w.metaOf(path, rel)
	if err != nil {
		return w.move(path, FailedDir, "bad_sidecar", err.Error(), nil)
	}
	res, err := w.upload(ctx, path, meta)
	var refused *Refused
	switch {
	case errors.As(err, &refused):
		return w.move(path, FailedDir, refused.Code, refused.Message, nil)
	case err != nil:
		w.o.Log.Warn("watched file not uploaded; will try again", "file", filepath.Base(path), "err", err)
		return false
	}
	return w.move(path, DoneDir, "", "", res)
}

func (w *Watcher) metaOf(path, rel string) (Sidecar, error) {
	meta := Sidecar{Station: w.o.Station}
	parts := strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")
	switch {
	case len(parts) == 1 && parts[0] != ".":
		meta.CaseNo = parts[0]
	case len(parts) >= 2:
		meta.Station, meta.CaseNo = parts[len(parts)-2], parts[len(parts)-1]
	}
	data, err := os.ReadFile(path + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return meta, nil
	}
	if err != nil {
		return meta, err
	}
	var side Sidecar
	if err := json.Unmarshal(data, &side); err != nil {
		return meta, fmt.Errorf("the sidecar %s.json is not valid JSON: %v", filepath.Base(path), err)
	}
	if side.CaseNo != "" {
		meta.CaseNo = side.CaseNo
	}
	if side.Station != "" {
		meta.Station = side.Station
	}
	meta.Source = side.Source
	return meta, nil
}

// Refused is the API's refusal of a file: it will not be taken however often it is sent.
type Refused struct {
	Status        int
	Code, Message string
}

func (r *Refused) Error() string { return fmt.Sprintf("%d %s: %s", r.Status, r.Code, r.Message) }

// Accepted is the API's answer to a taken file.
type Accepted struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// upload sends the file as a multipart body streamed from disk; the Idempotency-Key is the
// file's SHA-256, so a file sent twice (a crash between upload and move) is one batch.
func (w *Watcher) upload(ctx context.Context, path string, meta Sidecar) (*Accepted, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeForm(mw, path, meta))
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(w.o.URL, "/")+"/api/v1/batches", pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Idempotency-Key", "watch-"+sum)
	if w.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+w.o.Token)
	}
	resp, err := w.o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		var a Accepted
		if err := json.Unmarshal(body, &a); err != nil || a.ID == "" {
			return nil, fmt.Errorf("the API answered %d without a batch", resp.StatusCode)
		}
		return &a, nil
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	// Auth, rate limits, timeouts and server trouble pass; anything else is about the file.
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden,
		resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode == http.StatusConflict:
		return nil, fmt.Errorf("the API answered %d %s", resp.StatusCode, e.Error.Code)
	}
	return nil, &Refused{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
}

func writeForm(mw *multipart.Writer, path string, meta Sidecar) error {
	for k, v := range map[string]string{"case_no": meta.CaseNo, "station": meta.Station, "source": meta.Source} {
		if v != "" {
			if err := mw.WriteField(k, v); err != nil {
				return err
			}
		}
	}
	part, err := mw.CreateFormFile("file", filepath.Base(path))
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(part, f); err != nil {
		return err
	}
	return mw.Close()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// move puts the file (and its sidecars) under DIR/to/YYYY-MM-DD/ with a note saying what
// became of it. A name taken there already gets a numbered suffix: nothing is overwritten.
func (w *Watcher) move(path, to, code, message string, res *Accepted) bool {
	day := w.o.Now().Format("2006-01-02")
	dir := filepath.Join(w.o.Dir, to, day)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		w.o.Log.Error("cannot make folder", "dir", dir, "err", err)
		return false
	}
	base := filepath.Base(path)
	dest := filepath.Join(dir, base)
	for i := 1; exists(dest); i++ {
		ext := filepath.Ext(base)
		dest = filepath.Join(dir, fmt.Sprintf("%s.%d%s", strings.TrimSuffix(base, ext), i, ext))
	}
	var note bytes.Buffer
	if res != nil {
		fmt.Fprintf(&note, "{\"batch_id\": %q, \"status\": %q}\n", res.ID, res.Status)
	} else {
		fmt.Fprintf(&note, "%s: %s\n", code, message)
	}
	noteName := dest + ".batch.json"
	if res == nil {
		noteName = dest + ".reason.txt"
	}
	if err := os.WriteFile(noteName, note.Bytes(), 0o644); err != nil {
		w.o.Log.Error("cannot write note", "file", noteName, "err", err)
		return false
	}
	if err := os.Rename(path, dest); err != nil {
		w.o.Log.Error("cannot move watched file", "file", base, "err", err)
		return false
	}
	for _, side := range []string{".json", ".done"} {
		if exists(path + side) {
			_ = os.Rename(path+side, dest+side)
		}
	}
	delete(w.seen, path)
	o := Outcome{Name: filepath.Base(dest), At: w.o.Now(), Code: code, Message: message}
	if res != nil {
		o.BatchID = res.ID
	}
	w.note(o)
	if res != nil {
		w.o.Log.Info("watched file uploaded", "file", base, "batch", res.ID)
	} else {
		w.o.Log.Warn("watched file refused", "file", base, "code", code)
	}
	return true
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }
