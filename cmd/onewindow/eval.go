package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"onewindow/pipeline/evaluate"
)

func init() {
	commands["eval"] = runEval
}

// runEval scores the pipeline on a ground-truth corpus folder, without Redis or MinIO.
func runEval(ctx context.Context, args []string) error {
	cfg, dirArgs, err := parseConfig("eval", args, nil)
	if err != nil {
		return err
	}
	if len(dirArgs) != 1 {
		return fmt.Errorf("usage: onewindow eval [flags] CORPUS_DIR")
	}
	planner, err := newPlanner(cfg)
	if err != nil {
		return err
	}
	d := &deps{cfg: cfg}
	engines := d.ocrEngines()
	defer engines.Close()
	rep, err := evaluate.Run(ctx, dirArgs[0], engines, planner, cfg.Concurrency)
	if err != nil {
		return err
	}
	for _, m := range rep.Mistakes {
		fmt.Fprintln(os.Stderr, m)
	}
	rep.Mistakes = nil
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	return enc.Encode(rep)
}
