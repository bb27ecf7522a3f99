package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"onewindow/internal/esign"
)

// PAdES signs filed PDFs with the hall's key (internal/esign): the Filer's Signer.
type PAdES struct {
	Signer *esign.Signer
}

var _ Signer = PAdES{}

// Sign signs pdf; a rendered PDF on disk is read in place, anything else is read into memory.
// The Filer uses SignAppend.
func (p PAdES) Sign(ctx context.Context, pdf io.Reader, size int64) (io.Reader, error) {
	ra, ok := pdf.(io.ReaderAt)
	if !ok {
		b, err := io.ReadAll(pdf)
		if err != nil {
			return nil, err
		}
		ra, size = bytes.NewReader(b), int64(len(b))
	}
	var out bytes.Buffer
	out.Grow(int(size) + 64<<10)
	if _, err := p.Signer.SignPDF(ctx, ra, size, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SignAppend returns the incremental update that signs the PDF in pdf (size bytes), whose
// digests d has computed so far: the signature continues d's hash instead of reading the
// file again, and the Filer appends the update to the file it rendered.
func (p PAdES) SignAppend(ctx context.Context, pdf io.ReaderAt, size int64, d *Digester) ([]byte, Event, error) {
	pre := func(isSM3 bool) hash.Hash {
		if isSM3 {
			return cloneHash(d.sm, sm3.New())
		}
		return cloneHash(d.sha, sha256.New())
	}
	upd, res, err := p.Signer.SignUpdate(ctx, pdf, size, pre)
	if err != nil {
		return nil, Event{}, err
	}
	return upd, signedEvent(p.Signer, res), nil
}

// cloneHash copies h's state into fresh, a new hash of the same kind; nil when h cannot
// tell its state (the signer then reads the file again).
func cloneHash(h, fresh hash.Hash) hash.Hash {
	m, ok := h.(encoding.BinaryMarshaler)
	u, ok2 := fresh.(encoding.BinaryUnmarshaler)
	if !ok || !ok2 {
		return nil
	}
	state, err := m.MarshalBinary()
	if err != nil || u.UnmarshalBinary(state) != nil {
		return nil
	}
	return fresh
}

func signedEvent(s *esign.Signer, res *esign.Result) Event {
	detail := fmt.Sprintf("PAdES %s by %s at %s", res.Level, s.Certificate().Subject.CommonName, res.SignedAt.UTC().Format(time.RFC3339))
	switch {
	case res.Stamp != nil:
		detail += ", time-stamped " + res.Stamp.Time.UTC().Format(time.RFC3339)
	case res.TSAErr != nil:
		detail += "; " + noStampYet + ", the time-stamp service failed: " + res.TSAErr.Error()
	}
	return Event{Type: "signed", Agent: "onewindow", Time: res.SignedAt.UTC(), Detail: detail}
}
