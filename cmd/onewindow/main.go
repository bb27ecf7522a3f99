// Command onewindow digitises the paper that reaches a service hall and files it.
//
//	onewindow dev      API and workers in one process, with a private Redis and MinIO
//	onewindow serve    the HTTP API
//	onewindow work     the queue workers
//	onewindow token    make a bearer token for a role
//	onewindow version  print the version
//
// and the archive's and evaluation's commands (reindex, fixity, export, verify-bag,
// import-bag, report, audit, eval), registered beside their wiring.
package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

var commands = map[string]func(ctx context.Context, args []string) error{
	"dev":     runDev,
	"serve":   runServe,
	"work":    runWork,
	"token":   runToken,
	"watch":   runWatch,
	"version": func(context.Context, []string) error { fmt.Println("onewindow", version); return nil },
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintf(os.Stderr, "usage: onewindow %s [flags]   (onewindow CMD -h lists the flags)\n",
			strings.Join(slices.Sorted(maps.Keys(commands)), "|"))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := commands[os.Args[1]](ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "onewindow:", err)
		var f checkFailed
		if errors.As(err, &f) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

// checkFailed is a check that ran and found a fault (fixity, a bag, the audit chain, a
// report): the command exits with status 3, so that cron and monitoring tell it from a
// command that could not run (status 1).
type checkFailed struct{ msg string }

func (c checkFailed) Error() string { return c.msg }

func failed(format string, args ...any) error { return checkFailed{fmt.Sprintf(format, args...)} }
