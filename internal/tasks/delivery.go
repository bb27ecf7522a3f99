package tasks

import (
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Delivery to departments (delivery/deliverydesk).
const (
	// TypePlan decides what a change of a case sends out: a first package when it is
	// accepted, a new version when a supplement is filed.
	TypePlan = "package:plan"
	// TypeDeliver sends one package version of a case to one department.
	TypeDeliver = "package:deliver"
	// TypeNotify tells a department how the case's result reached the applicant.
	TypeNotify = "package:notify"
)

// DeliverTimeout bounds one attempt: a webhook answers within 10 minutes at most (the
// registry's limit), an S3 bag of a large case takes longer to stream.
const DeliverTimeout = 30 * time.Minute

// PlanPayload names the case event that may send packages out.
type PlanPayload struct {
	CaseNo string `json:"case_no"`
	Seq    int    `json:"seq"`
}

// NewPlanTask plans the packages after event seq of a case; one task per event.
func NewPlanTask(caseNo string, seq int) *asynq.Task {
	return newTask(TypePlan, PlanPayload{CaseNo: caseNo, Seq: seq}, fmt.Sprintf("plan:%s:%d", caseNo, seq), QueueCritical)
}

// DeliverPayload names one package: a version of a case's package for one department.
type DeliverPayload struct {
	CaseNo     string `json:"case_no"`
	Department string `json:"department"`
	Version    int    `json:"version"`
	Key        string `json:"key"` // the idempotency key
}

// NewDeliverTask sends a package. Its task ID is the idempotency key, so a package is queued
// once however often it is planned; repush > 0 names a re-push, queued anew under its own
// ID (asynq keeps the given-up task archived under the first).
func NewDeliverTask(p DeliverPayload, repush int) *asynq.Task {
	id := "deliver:" + p.Key
	if repush > 0 {
		id += ":r" + strconv.Itoa(repush)
	}
	return newTask(TypeDeliver, p, id, QueueCritical)
}

// NotifyPayload names an event of a case a department is told of.
type NotifyPayload struct {
	CaseNo     string `json:"case_no"`
	Department string `json:"department"`
	Kind       string `json:"kind"` // handout
}

// NewNotifyTask tells a department of an event of a case, once.
func NewNotifyTask(p NotifyPayload) *asynq.Task {
	return newTask(TypeNotify, p, "notify:"+p.CaseNo+":"+p.Kind+":"+p.Department, QueueCritical)
}
