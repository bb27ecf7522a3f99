// Package workers adapts the pipeline to asynq: the handlers of the task types named in
// internal/tasks, which fetch inputs from storage, run pipeline steps and store what they
// produce.
package workers
