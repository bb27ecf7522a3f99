package ocr

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"onewindow/pipeline"
)

// ErrEngineCrashed means an engine crashed or hung on the same page twice, each time in a
// fresh process: the page itself brings Tesseract or Leptonica down, and trying again will
// not help.
var ErrEngineCrashed = errors.New("ocr: the engine crashed or hung on this page twice")

// DefaultPageTimeout is how long an isolated engine may take over one page before it counts
// as hung. An A4 page at 300 dpi takes 1-4 s, with orientation and Latin passes at most
// about four times that; a page of many times that size is cut down before OCR.
const DefaultPageTimeout = 2 * time.Minute

// IsolationOptions configure an IsolatedPool. The zero value is ready to use.
type IsolationOptions struct {
	// Command returns the command that starts one engine process; nil means this executable
	// with ChildCommand. The command's main must call RunChild.
	Command func() *exec.Cmd
	// PageTimeout bounds one page; 0 means DefaultPageTimeout.
	PageTimeout time.Duration
	// Replaced, if set, is told each time an engine process is replaced and why ("crashed:
	// …", "hung"), for the caller's logs and metrics; the library itself never logs.
	Replaced func(reason string)
}

// IsolatedPool recognises pages with Engines that each live in a child process, so that a
// crash inside Tesseract, Leptonica or an image decoder costs one page, not the worker. A
// page whose engine crashes or hangs is tried once more on a new process; if that one fails
// too the page gets ErrEngineCrashed. Processes start on first use, at most size of them,
// and are reused for later pages: loading Tesseract's models costs more than a page.
type IsolatedPool struct {
	opts  Options
	iso   IsolationOptions
	free  chan *engineProcess
	slots chan struct{} // a token per process that may still be started

	mu     sync.Mutex
	closed bool
	live   map[*engineProcess]struct{}
}

// NewIsolatedPool allows up to size engine processes (size < 1 means 1).
func NewIsolatedPool(opts Options, size int, iso IsolationOptions) *IsolatedPool {
	size = max(size, 1)
	if iso.PageTimeout <= 0 {
		iso.PageTimeout = DefaultPageTimeout
	}
	if iso.Command == nil {
		iso.Command = selfCommand
	}
	p := &IsolatedPool{opts: opts.withDefaults(), iso: iso, free: make(chan *engineProcess, size),
		slots: make(chan struct{}, size), live: map[*engineProcess]struct{}{}}
	for range size {
		p.slots <- struct{}{}
	}
	return p
}

func selfCommand() *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return exec.Command(exe, ChildCommand)
}

// Ping checks that engines with the pool's options can start; see the package Ping.
func (p *IsolatedPool) Ping() error { return Ping(p.opts) }

// Recognize runs Engine.Recognize for the page in an engine process.
func (p *IsolatedPool) Recognize(ctx context.Context, img pipeline.PageImage) (pipeline.OCRPage, pipeline.PageImage, error) {
	return p.recognize(ctx, childRequest{Image: img})
}

// RecognizeTurned runs Engine.RecognizeTurned for the page in an engine process.
func (p *IsolatedPool) RecognizeTurned(ctx context.Context, img pipeline.PageImage, turn int) (pipeline.OCRPage, pipeline.PageImage, error) {
	return p.recognize(ctx, childRequest{Image: img, Turned: true, Turn: turn})
}

func (p *IsolatedPool) recognize(ctx context.Context, req childRequest) (pipeline.OCRPage, pipeline.PageImage, error) {
	img := req.Image
	resp, err := p.do(ctx, req)
	if err != nil {
		return pipeline.OCRPage{}, img, err
	}
	if resp.Image != nil {
		img = *resp.Image
	}
	return resp.Page, img, nil
}

// Shrink runs the package's Shrink in an engine process: decoding a huge image is C's work
// too, and its memory stays out of the caller's process.
func (p *IsolatedPool) Shrink(ctx context.Context, img pipeline.PageImage, maxPixels int64) (pipeline.PageImage, error) {
	resp, err := p.do(ctx, childRequest{Image: img, ShrinkTo: maxPixels})
	if err != nil {
		return img, err
	}
	return *resp.Image, nil
}

// do runs req on a process, once more on a fresh one if the first crashes or hangs.
func (p *IsolatedPool) do(ctx context.Context, req childRequest) (childResponse, error) {
	var reasons []string
	for range 2 {
		proc, err := p.take(ctx)
		if err != nil {
			return childResponse{}, err
		}
		resp, broke, err := p.run(ctx, proc, req)
		if broke == "" {
			p.give(proc)
			if err != nil {
				return childResponse{}, err
			}
			p.replay(resp.Stages)
			return resp, nil
		}
		p.discard(proc)
		if err := ctx.Err(); err != nil {
			return childResponse{}, err
		}
		if p.iso.Replaced != nil {
			p.iso.Replaced(broke)
		}
		reasons = append(reasons, broke)
	}
	return childResponse{}, fmt.Errorf("%w (%s; then %s)", ErrEngineCrashed, reasons[0], reasons[1])
}

// run sends the page to proc and waits for its answer, the page timeout or ctx. broke says
// why proc can no longer be used ("" when it can).
func (p *IsolatedPool) run(ctx context.Context, proc *engineProcess, req childRequest) (resp childResponse, broke string, err error) {
	answered := make(chan error, 1)
	go func() {
		if err := proc.send(req); err != nil {
			answered <- err
			return
		}
		answered <- proc.dec.Decode(&resp)
	}()
	timer := time.NewTimer(p.iso.PageTimeout)
	defer timer.Stop()
	select {
	case err := <-answered:
		if err != nil {
			return resp, proc.crashReason(), nil
		}
		return resp, "", resp.err()
	case <-timer.C:
		proc.kill()
		<-answered
		return resp, fmt.Sprintf("hung: no answer within %s", p.iso.PageTimeout), nil
	case <-ctx.Done():
		proc.kill()
		<-answered
		return resp, "cancelled", ctx.Err()
	}
}

func (r *childResponse) err() error {
	switch {
	case r.Err == "":
		return nil
	case r.BadImage:
		return fmt.Errorf("%w (%s)", ErrBadImage, r.Err)
	case r.NoEngine:
		return fmt.Errorf("%w (%s)", ErrNoEngine, r.Err)
	}
	return errors.New(r.Err)
}

func (p *IsolatedPool) replay(stages []stageTook) {
	if p.opts.Stages == nil {
		return
	}
	for _, s := range stages {
		p.opts.Stages.ObserveStage(s.Stage, s.Took)
	}
}

// take lends a running process, or starts one while fewer than size exist.
func (p *IsolatedPool) take(ctx context.Context) (*engineProcess, error) {
	select {
	case proc := <-p.free:
		return proc, nil
	default:
	}
	select {
	case proc := <-p.free:
		return proc, nil
	case <-p.slots:
		proc, err := p.start()
		if err != nil {
			p.slots <- struct{}{}
			return nil, err
		}
		return proc, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *IsolatedPool) give(proc *engineProcess) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		p.discard(proc)
		return
	}
	p.free <- proc
}

// discard stops proc and frees its slot for a new process.
func (p *IsolatedPool) discard(proc *engineProcess) {
	proc.stop()
	p.mu.Lock()
	delete(p.live, proc)
	p.mu.Unlock()
	p.slots <- struct{}{}
}

func (p *IsolatedPool) start() (*engineProcess, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	opts := p.opts
	opts.Stages = nil // timings come back with each answer
	proc, err := startEngineProcess(p.iso.Command(), opts)
	if err != nil {
		return nil, err
	}
	p.live[proc] = struct{}{}
	return proc, nil
}

// Close stops every engine process; pages in progress end with an error.
func (p *IsolatedPool) Close() {
	p.mu.Lock()
	p.closed = true
	live := make([]*engineProcess, 0, len(p.live))
	for proc := range p.live {
		live = append(live, proc)
	}
	p.mu.Unlock()
	for _, proc := range live {
		proc.stop()
	}
}

// engineProcess is one child running ServeChild.
type engineProcess struct {
	cmd      *exec.Cmd
	requests *os.File
	w        *bufio.Writer
	enc      *gob.Encoder
	answers  *os.File
	dec      *gob.Decoder
	exited   chan struct{}
	stderr   *tailBuffer
	once     sync.Once
}

func startEngineProcess(cmd *exec.Cmd, opts Options) (*engineProcess, error) {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("ocr: engine process: %w", err)
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, fmt.Errorf("ocr: engine process: %w", err)
	}
	cmd.ExtraFiles = []*os.File{reqR, ansW}
	// Its own process group keeps a terminal's Ctrl-C for the worker, which stops its
	// engines itself; Pdeathsig ends an engine stuck in C when the worker dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	tail := &tailBuffer{max: 4096}
	cmd.Stderr = tail
	if cmd.Stdout == nil {
		cmd.Stdout = tail
	}
	if err := cmd.Start(); err != nil {
		reqR.Close()
		reqW.Close()
		ansR.Close()
		ansW.Close()
		return nil, fmt.Errorf("%w: cannot start an engine process: %v", ErrNoEngine, err)
	}
	reqR.Close()
	ansW.Close()
	proc := &engineProcess{cmd: cmd, requests: reqW, answers: ansR, exited: make(chan struct{}), stderr: tail}
	proc.w = bufio.NewWriterSize(reqW, 1<<16)
	proc.enc = gob.NewEncoder(proc.w)
	proc.dec = gob.NewDecoder(bufio.NewReaderSize(ansR, 1<<16))
	go func() {
		cmd.Wait()
		close(proc.exited)
	}()
	if err := proc.send(childHello{Options: opts}); err != nil {
		proc.stop()
		return nil, fmt.Errorf("%w: engine process: %v", ErrNoEngine, err)
	}
	if err := proc.awaitReady(); err != nil {
		proc.stop()
		return nil, err
	}
	return proc, nil
}

// engineStartTimeout bounds loading an engine's models, which takes a second or two.
const engineStartTimeout = 2 * time.Minute

// awaitReady waits for the child's word that its engine has loaded.
func (proc *engineProcess) awaitReady() error {
	ready := make(chan error, 1)
	go func() {
		var resp childResponse
		if err := proc.dec.Decode(&resp); err != nil {
			ready <- fmt.Errorf("%w: the engine process ended while starting (%v)", ErrNoEngine, err)
			return
		}
		ready <- resp.err()
	}()
	select {
	case err := <-ready:
		return err
	case <-time.After(engineStartTimeout):
		proc.kill()
		<-ready
		return fmt.Errorf("%w: the engine process did not start within %s", ErrNoEngine, engineStartTimeout)
	}
}

func (proc *engineProcess) send(v any) error {
	if err := proc.enc.Encode(v); err != nil {
		return err
	}
	return proc.w.Flush()
}

// crashReason says how the process ended, waiting briefly for it to be reaped.
func (proc *engineProcess) crashReason() string {
	select {
	case <-proc.exited:
	case <-time.After(2 * time.Second):
		proc.kill()
		<-proc.exited
	}
	reason := "crashed"
	if st := proc.cmd.ProcessState; st != nil {
		reason = "crashed: " + st.String()
	}
	if line := proc.stderr.firstFatal(); line != "" {
		reason += " (" + line + ")"
	}
	return reason
}

func (proc *engineProcess) kill() {
	if proc.cmd.Process != nil {
		proc.cmd.Process.Kill()
	}
}

// stop closes the request pipe, which ends a healthy child, and kills it if it lingers.
func (proc *engineProcess) stop() {
	proc.once.Do(func() {
		proc.requests.Close()
		select {
		case <-proc.exited:
		case <-time.After(5 * time.Second):
			proc.kill()
			<-proc.exited
		}
		proc.answers.Close()
	})
}

// tailBuffer takes an engine process's output and keeps the first line that says why it
// died (a Go runtime fatal, a signal); the rest is Tesseract's chatter and goroutine dumps.
type tailBuffer struct {
	max     int
	mu      sync.Mutex
	partial []byte
	fatal   string
}

var fatalPrefixes = []string{"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "fatal error:", "panic:", "terminate called"}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fatal != "" {
		return len(b), nil
	}
	t.partial = append(t.partial, b...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(t.partial[:i]))
		t.partial = t.partial[i+1:]
		for _, p := range fatalPrefixes {
			if strings.HasPrefix(line, p) {
				t.fatal = line
				return len(b), nil
			}
		}
	}
	if len(t.partial) > t.max {
		t.partial = t.partial[len(t.partial)-t.max:]
	}
	return len(b), nil
}

func (t *tailBuffer) firstFatal() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fatal
}
