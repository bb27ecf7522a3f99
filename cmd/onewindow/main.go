// Command onewindow digitises the paper that reaches a service hall and files it.
//
//	onewindow dev      API and workers in one process, with a private Redis and MinIO
//	onewindow serve    the HTTP API
//	onewindow work     the queue workers
//	onewindow token    make a bearer token for a role
//	onewindow version  print the version
//	onewindow help     describe the commands (help COMMAND: one command and its flags)
//
// and the archive's and evaluation's commands (reindex, fixity, export, verify-bag,
// import-bag, report, audit, eval), registered beside their wiring.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"onewindow/pipeline/ocr"
)

var commands = map[string]func(ctx context.Context, args []string) error{
	"dev":     runDev,
	"serve":   runServe,
	"work":    runWork,
	"token":   runTokenCmd,
	"watch":   runWatch,
	"version": runVersion,
}

// help reads commands, so it joins them at init.
func init() { commands["help"] = runHelp }

func main() {
	if len(os.Args) == 2 && os.Args[1] == ocr.ChildCommand {
		// A worker's OCR engine process (pipeline/ocr: a crash there costs one page).
		os.Exit(ocr.RunChild())
	}
	os.Exit(mainCode(os.Args[1:]))
}

// mainCode runs a command line and returns the exit status: 0 for success and for help, 2
// for a misused command line, 3 for a check that found a fault, 1 for anything else.
func mainCode(args []string) int {
	if len(args) == 0 {
		printOverview(os.Stderr)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		printOverview(os.Stdout)
		return 0
	}
	run := commands[name]
	if run == nil {
		fmt.Fprintf(os.Stderr, "onewindow: no command %q\n\n", name)
		printOverview(os.Stderr)
		return 2
	}
	if isHelp(args[1:]) && name != "help" {
		if err := printCommand(os.Stdout, name); err != nil {
			fmt.Fprintln(os.Stderr, "onewindow:", err)
			return 2
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "onewindow:", redactor.String(err.Error()))
		var f checkFailed
		if errors.As(err, &f) {
			return 3
		}
		return 1
	}
	return 0
}

// checkFailed is a check that ran and found a fault (fixity, a bag, the audit chain, a
// report): the command exits with status 3, so that cron and monitoring tell it from a
// command that could not run (status 1).
type checkFailed struct{ msg string }

func (c checkFailed) Error() string { return c.msg }

func failed(format string, args ...any) error { return checkFailed{fmt.Sprintf(format, args...)} }
