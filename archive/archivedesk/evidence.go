package archivedesk

import (
	"context"
	"encoding/json"
	"time"

	"onewindow/archive"
)

// EvidenceState is the evidence schedule as the operators' page shows it.
type EvidenceState struct {
	Every time.Duration        // 0: the schedule is off
	Last  *archive.EvidenceRun // nil: no run known
	Next  time.Time            // about when the next run starts; zero when off
	NoTSA bool                 // no time-stamp service is configured: nothing can run
}

// RenewEvidence runs one batch of archive.RenewEvidence from where the last run stopped,
// and keeps the run in Redis for the next one and for the operators' page.
func (d *Desk) RenewEvidence(ctx context.Context, batch int) (*archive.EvidenceRun, error) {
	if d.Signer == nil || d.Signer.TSA == nil {
		return nil, nil
	}
	var from string
	if last, err := d.lastEvidenceRun(ctx); err == nil && last != nil {
		from = last.Cursor
	}
	run, err := archive.RenewEvidence(ctx, d.Blobs, d.Signer.TSA, from, batch, d.Clock.Now(), archive.RenewMargin)
	if data, jerr := json.Marshal(run); jerr == nil {
		if perr := d.State.PutEvidenceRun(ctx, data); perr != nil {
			d.Log.Warn("cannot keep the evidence run's state; the next run starts over", "err", perr)
		}
	}
	d.Log.Info("evidence run done", "checked", run.Checked, "stamped", run.Stamped, "renewed", run.Renewed,
		"waiting", run.Waiting, "failures", len(run.Failures), "cursor", run.Cursor)
	return run, err
}

// ScheduleEvidence runs RenewEvidence every interval until ctx ends, one process a period
// (a Redis claim, as ScheduleFixity): copies filed while the time-stamp service was down get
// their stamp, and evidence whose time-stamp ages out gets an archive time-stamp.
func (d *Desk) ScheduleEvidence(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	if d.Signer == nil || d.Signer.TSA == nil {
		d.Log.Warn("no time-stamp service (--tsa-url): copies are not time-stamped later nor their evidence renewed")
		return
	}
	d.periodic(ctx, every, d.State.ClaimEvidenceRun, func(ctx context.Context) {
		if _, err := d.RenewEvidence(ctx, archive.DefaultEvidenceBatch); err != nil && ctx.Err() == nil {
			d.Log.Error("scheduled evidence run failed", "err", err)
		}
	})
}

// EvidenceState is the schedule's state: its last run and about when the next starts.
func (d *Desk) EvidenceState(ctx context.Context, every time.Duration) (EvidenceState, error) {
	st := EvidenceState{Every: every, NoTSA: d.Signer == nil || d.Signer.TSA == nil}
	last, err := d.lastEvidenceRun(ctx)
	if err != nil {
		return st, err
	}
	st.Last = last
	if every > 0 && !st.NoTSA {
		st.Next = d.Clock.Now().Truncate(every).Add(every)
		if last != nil && last.StartedAt.Add(every).After(st.Next) {
			st.Next = last.StartedAt.Add(every)
		}
	}
	return st, nil
}

func (d *Desk) lastEvidenceRun(ctx context.Context) (*archive.EvidenceRun, error) {
	data, err := d.State.EvidenceRun(ctx)
	if err != nil || data == nil {
		return nil, err
	}
	var r archive.EvidenceRun
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil // an unreadable bookmark: start over, as when Redis lost it
	}
	return &r, nil
}
