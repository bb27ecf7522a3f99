package workers

import (
	"context"
	"encoding/json"

	"onewindow/internal/errs"
	"onewindow/pipeline/extract"
	"onewindow/storage"
)

// caseCodes are the codes b's case holds for certain before b is read: those its other
// batches filed and those the window typed for its parties. A guess or near miss of one of
// them in b is taken as that code (extract.Confirm).
func (p *Processor) caseCodes(ctx context.Context, b *storage.Batch) ([]extract.Code, error) {
	if b.CaseNo == "" {
		return nil, nil
	}
	filed, err := p.filedCodes(ctx, b)
	if err != nil {
		return nil, err
	}
	typed, err := p.typedCodes(ctx, b.CaseNo)
	if err != nil {
		return nil, err
	}
	return append(filed, typed...), nil
}

// filedCodes are the ID numbers and credit codes that b's case filed in its other batches
// (superseded documents left out).
func (p *Processor) filedCodes(ctx context.Context, b *storage.Batch) ([]extract.Code, error) {
	docs, err := p.State.CaseDocuments(ctx, b.CaseNo)
	if err != nil {
		return nil, err
	}
	var out []extract.Code
	for _, d := range docs {
		if d.BatchID == b.ID || len(d.SupersededBy) > 0 {
			continue
		}
		for _, f := range extract.Finders {
			if f.Code == "" {
				continue
			}
			for _, v := range d.Fields[f.Field] {
				out = append(out, extract.Code{Kind: f.Code, Value: v})
			}
		}
	}
	return out, nil
}

// openedEvent is the part of a case's first event (cases.Event of type cases.EvOpened, with
// cases.OpenedData) that names its parties' codes. The parties are typed once, when the case
// is opened, and never change.
type openedEvent struct {
	Type string `json:"type"`
	Data struct {
		Applicant      typedParty  `json:"applicant"`
		Submitter      *typedParty `json:"submitter"`
		Representative *typedParty `json:"representative"`
	} `json:"data"`
}

type typedParty struct {
	IDNumber string `json:"id_number"`
	USCC     string `json:"uscc"`
}

// typedCodes are the codes the window typed when it opened case caseNo: the applicant's ID
// number or credit code, the agent's (经办人) and the legal representative's ID numbers. They
// are read from the case's opening event in the archive, not from the cached view, so that a
// Redis lost or rebuilt does not lose them. A batch of a case not opened (yet) has none.
func (p *Processor) typedCodes(ctx context.Context, caseNo string) ([]extract.Code, error) {
	raw, err := p.Blobs.Get(ctx, storage.Archive, storage.CaseEventKey(caseNo, 1))
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return nil, nil
		}
		return nil, err
	}
	return typedIn(caseNo, raw)
}

// typedIn reads the parties' codes from the opening event raw of case caseNo.
func typedIn(caseNo string, raw []byte) ([]extract.Code, error) {
	var ev openedEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, errs.E("workers.typedCodes", errs.Internal, "bad_event", "A case event does not decode: "+caseNo, err)
	}
	if ev.Type != "opened" {
		return nil, nil
	}
	var out []extract.Code
	for _, party := range []*typedParty{&ev.Data.Applicant, ev.Data.Submitter, ev.Data.Representative} {
		if party == nil {
			continue
		}
		if party.IDNumber != "" {
			out = append(out, extract.Code{Kind: extract.KindID, Value: party.IDNumber, Source: extract.SourceWindow})
		}
		if party.USCC != "" {
			out = append(out, extract.Code{Kind: extract.KindUSCC, Value: party.USCC, Source: extract.SourceWindow})
		}
	}
	return out, nil
}
