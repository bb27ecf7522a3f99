package lifecycle

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestStopWaitsForComponentsThenClosesInReverse(t *testing.T) {
	g := New(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	var order []string
	stopped := make(chan string, 2)
	for _, name := range []string{"feed", "fixity"} {
		g.Go(name, func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond)
			stopped <- name
			return nil
		})
	}
	g.OnStop("index", func() error { order = append(order, "index"); return nil })
	g.OnStop("redis", func() error { order = append(order, "redis"); return errors.New("already closed") })
	err := g.Stop(time.Second)
	if len(stopped) != 2 {
		t.Fatalf("Stop returned before its components: %d of 2 stopped", len(stopped))
	}
	if !slices.Equal(order, []string{"redis", "index"}) {
		t.Errorf("closers ran in order %v", order)
	}
	if err == nil {
		t.Error("a closer's error was lost")
	}
	if g.Stop(time.Second) != nil {
		t.Error("a second Stop did something")
	}
}

func TestFailedReportsAComponentThatStopsOnItsOwn(t *testing.T) {
	g := New(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	g.Go("http", func(ctx context.Context) error { return errors.New("address in use") })
	select {
	case err := <-g.Failed():
		if err == nil {
			t.Fatal("nil error")
		}
	case <-time.After(time.Second):
		t.Fatal("no failure reported")
	}
	_ = g.Stop(time.Second)
}
