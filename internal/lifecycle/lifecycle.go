// Package lifecycle gives a process's background components one start and stop shape: each
// runs until the group's context ends, and Stop waits for all of them before closing what
// they used, in reverse order. One signal handler (in main) ends the context; nothing else
// starts goroutines that outlive the process's shutdown.
package lifecycle

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Group runs background components and stops them together.
type Group struct {
	ctx     context.Context
	cancel  context.CancelFunc
	log     *slog.Logger
	wg      sync.WaitGroup
	failed  chan error
	mu      sync.Mutex
	closers []closer
	stopped bool
}

type closer struct {
	name  string
	close func() error
}

// New returns a group whose components run until parent ends or Stop is called.
func New(parent context.Context, log *slog.Logger) *Group {
	ctx, cancel := context.WithCancel(parent)
	return &Group{ctx: ctx, cancel: cancel, log: log, failed: make(chan error, 1)}
}

// Context is the context the components run under.
func (g *Group) Context() context.Context { return g.ctx }

// Go runs a component. It should return when ctx ends; an error it returns before that is
// reported by Failed, so that the process stops instead of running without it.
func (g *Group) Go(name string, run func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := run(g.ctx)
		if err != nil && g.ctx.Err() == nil {
			g.log.Error("component failed", "component", name, "err", err)
			select {
			case g.failed <- errors.Join(errors.New(name), err):
			default:
			}
			return
		}
		g.log.Debug("component stopped", "component", name)
	}()
}

// OnStop registers close to run at Stop, after every component has returned; closers run in
// the reverse order of registration, like defers.
func (g *Group) OnStop(name string, close func() error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closers = append(g.closers, closer{name, close})
}

// Failed delivers the first error of a component that stopped on its own.
func (g *Group) Failed() <-chan error { return g.failed }

// Stop ends the context, waits up to timeout for the components, then runs the closers. It
// returns the closers' errors.
func (g *Group) Stop(timeout time.Duration) error {
	g.mu.Lock()
	if g.stopped {
		g.mu.Unlock()
		return nil
	}
	g.stopped = true
	g.mu.Unlock()
	g.cancel()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		g.log.Warn("components still running at shutdown", "waited", timeout)
	}
	var errs []error
	for i := len(g.closers) - 1; i >= 0; i-- {
		c := g.closers[i]
		if err := c.close(); err != nil {
			g.log.Warn("close failed", "component", c.name, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
