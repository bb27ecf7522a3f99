package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/esign"
	"onewindow/storage"
)

// DefaultEvidenceBatch is how many records a scheduled evidence run looks at: each costs an
// event listing, and a copy that needs a stamp costs a read of its PDF and a TSA round trip,
// so a daily run stays minutes long however large the archive grows; the next run resumes.
const DefaultEvidenceBatch = 2000

// EvidenceRun is one scheduled pass of RenewEvidence over a slice of the archive. Its cursor
// is only a bookmark: lost, the next run starts from the first record and finds the work done
// (each stamp is an event in MinIO, asked for before anything is added).
type EvidenceRun struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	From       string    `json:"from,omitempty"`   // the record key this run began after
	Cursor     string    `json:"cursor,omitempty"` // where the next run begins; "" a new pass
	Checked    int       `json:"checked"`
	Stamped    int       `json:"stamped"` // copies filed without a time-stamp that got one
	Renewed    int       `json:"renewed"` // archive time-stamps added
	Waiting    int       `json:"waiting"` // copies that need a stamp and did not get one
	Failures   []string  `json:"failures"`
}

// errTSADown stands in for the service once it failed in a run: the rest of the batch is
// counted as waiting instead of asking a service that is down again for every copy.
var errTSADown = errors.New("the time-stamp service failed earlier in this run")

// tsaTrouble says in plain Chinese what stopped a run asking the service, by error code.
var tsaTrouble = map[string]string{
	"tsa_unavailable": "时间戳服务无法连接",
	"tsa_bad_answer":  "时间戳服务的应答无效",
	"bad_tsa_url":     "时间戳服务地址（--tsa-url）无效",
	"tsa_ageing":      "时间戳服务自身的证书即将到期，不能用于续期，请更换证书",
}

type downTSA struct{}

func (downTSA) Timestamp(context.Context, []byte) ([]byte, error) { return nil, errTSADown }

// RenewEvidence runs renewOne over up to batch records after the key from, in key order.
// A copy left waiting (the service down) keeps the cursor before it, so the next run asks
// again. Failures are sentences in plain Chinese for the operators' page.
func RenewEvidence(ctx context.Context, s Store, tsa esign.Timestamper, from string, batch int, now time.Time, margin time.Duration) (*EvidenceRun, error) {
	run := &EvidenceRun{StartedAt: time.Now().UTC(), From: from, Failures: []string{}}
	if batch <= 0 {
		batch = DefaultEvidenceBatch
	}
	var tsaErr error
	lastOK, waited, full := from, false, false
	var listErr error
	for key, err := range RecordKeys(ctx, s) {
		if err != nil {
			listErr = err
			break
		}
		if from != "" && key <= from {
			continue
		}
		if run.Checked == batch {
			full = true
			break
		}
		run.Checked++
		doc, _ := storage.DocumentOfRecordKey(key)
		rec, err := ReadRecord(ctx, s, doc)
		if err == nil {
			use := tsa
			if tsaErr != nil {
				use = downTSA{}
			}
			var stamped, renewed bool
			stamped, renewed, err = renewOne(ctx, s, use, rec, now, margin)
			run.Stamped += btoi(stamped)
			run.Renewed += btoi(renewed)
		}
		switch {
		case err == nil:
		case errors.Is(err, errTSADown):
			run.Waiting++
			waited = true
		case tsaTrouble[errs.CodeOf(err)] != "":
			// The service failed (or is ageing itself): this copy and the rest wait for the next run.
			tsaErr = err
			run.Waiting++
			waited = true
		default:
			run.Failures = append(run.Failures, fmt.Sprintf("文件 %s：%v", doc, err))
		}
		if !waited {
			lastOK = key
		}
		if ctx.Err() != nil {
			break
		}
	}
	run.FinishedAt = time.Now().UTC()
	switch {
	case waited || ctx.Err() != nil:
		run.Cursor = lastOK
	case full:
		run.Cursor = lastOK
	}
	if tsaErr != nil {
		run.Failures = append([]string{tsaTrouble[errs.CodeOf(tsaErr)] + "，" +
			fmt.Sprint(run.Waiting) + " 份文件等待下次运行"}, run.Failures...)
	}
	if listErr != nil {
		run.Failures = append(run.Failures, "读取档案目录失败："+listErr.Error())
		return run, listErr
	}
	return run, ctx.Err()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
