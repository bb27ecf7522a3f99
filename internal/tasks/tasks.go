// Package tasks names the queue's work: task types, their payloads and constructors, the
// retry and timeout policy each type runs under, and enqueueing once. It is a leaf that the
// API (which enqueues) and the workers (which handle) both import, so the API links no OCR.
package tasks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/errs"
)

// Task types, "domain:verb".
const (
	TypePrepare  = "batch:prepare"  // split an upload into page images, fan out one task a page
	TypePage     = "page:process"   // detect separator/blank, orient, OCR one page
	TypeAssemble = "batch:assemble" // split, classify, stamp and file a batch's documents
	TypeRefile   = "batch:refile"   // file a batch's documents again as a reviewer regrouped them
	TypeTrain    = "model:train"    // teach the classifier's model a type a reviewer confirmed
	// TypeCaseBatch tells the front desk a batch of a case was filed, so it records the
	// documents and recomputes the case's completeness check.
	TypeCaseBatch = "case:batch_filed"
)

// FailsBatch reports whether a task of this type failing for good fails its batch: the steps
// that make a batch's documents do; what follows once they are filed does not.
func FailsBatch(taskType string) bool {
	switch taskType {
	case TypePrepare, TypePage, TypeAssemble, TypeRefile:
		return true
	}
	return false
}

// Queues: the cheap steps that unblock or finish a batch go before OCR.
const (
	QueueCritical = "critical"
	QueuePages    = "pages"
)

// Queues is the asynq queue priority map of a worker.
var Queues = map[string]int{QueueCritical: 6, QueuePages: 3}

// retention keeps a finished task's ID taken for a day, so a late duplicate enqueue of the
// same step (a redelivered page finishing the batch again) is refused by asynq.
const retention = 24 * time.Hour

// BatchPayload names a batch.
type BatchPayload struct {
	BatchID string `json:"batch_id"`
}

// PagePayload names one page of a batch.
type PagePayload struct {
	BatchID string `json:"batch_id"`
	Index   int    `json:"index"`
}

// RefilePayload names a reviewer's correction of a batch.
type RefilePayload struct {
	BatchID  string `json:"batch_id"`
	Revision int    `json:"revision"`
}

// TrainPayload names a document whose type a person stated.
type TrainPayload struct {
	DocumentID string `json:"document_id"`
	Type       string `json:"type"`
}

func newTask(typ string, payload any, id, queue string) *asynq.Task {
	p, err := json.Marshal(payload)
	if err != nil {
		panic(err) // payloads are plain structs of strings and numbers
	}
	return asynq.NewTask(typ, p, asynq.TaskID(id), asynq.Queue(queue), asynq.Retention(retention))
}

// NewPrepareTask is the first step of a batch.
func NewPrepareTask(batchID string) *asynq.Task {
	return newTask(TypePrepare, BatchPayload{BatchID: batchID}, "prepare:"+batchID, QueueCritical)
}

// NewPageTask processes one page.
func NewPageTask(batchID string, index int) *asynq.Task {
	return newTask(TypePage, PagePayload{BatchID: batchID, Index: index},
		fmt.Sprintf("page:%s:%d", batchID, index), QueuePages)
}

// NewAssembleTask files a batch's documents once all pages are done. Its ID makes it unique:
// whichever page finishes last enqueues it, and any other attempt is refused.
func NewAssembleTask(batchID string) *asynq.Task {
	return newTask(TypeAssemble, BatchPayload{BatchID: batchID}, "assemble:"+batchID, QueueCritical)
}

// NewRefileTask applies correction rev of a batch (filed beforehand, storage.CorrectionKey).
// Its ID makes the same revision run once however often it is asked for.
func NewRefileTask(batchID string, rev int) *asynq.Task {
	return newTask(TypeRefile, RefilePayload{BatchID: batchID, Revision: rev},
		fmt.Sprintf("refile:%s:%d", batchID, rev), QueueCritical)
}

// NewTrainTask trains the model on a filed document as type typ.
func NewTrainTask(docID, typ string) *asynq.Task {
	return newTask(TypeTrain, TrainPayload{DocumentID: docID, Type: typ}, "train:"+docID+":"+typ, QueueCritical)
}

// CaseBatchPayload names a filed batch of a case and the revision of its documents.
type CaseBatchPayload struct {
	BatchID  string `json:"batch_id"`
	CaseNo   string `json:"case_no"`
	Revision int    `json:"revision"`
}

// NewCaseBatchTask tells the front desk that revision rev of a batch of caseNo is filed.
func NewCaseBatchTask(batchID, caseNo string, rev int) *asynq.Task {
	return newTask(TypeCaseBatch, CaseBatchPayload{BatchID: batchID, CaseNo: caseNo, Revision: rev},
		fmt.Sprintf("casebatch:%s:%d", batchID, rev), QueueCritical)
}

// Decode reads a task's payload into v; a payload that does not parse never will.
func Decode(t *asynq.Task, v any) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil {
		return errs.E("tasks.Decode", errs.Invalid, CodeBadTask, "The task payload is not valid.", err)
	}
	return nil
}
