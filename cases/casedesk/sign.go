package casedesk

import (
	"context"

	"onewindow/internal/esign"
)

// PDFSigner signs a notice, receipt or register before it is filed or served: the hall's
// PAdES signature (internal/esign), which anyone can check where a seal picture proves
// nothing.
type PDFSigner interface {
	SignPDFBytes(ctx context.Context, pdf []byte) ([]byte, *esign.Result, error)
}

// sign signs pdf when the desk has a signer. A time-stamp service that is down costs the
// time-stamp (logged), not the notice.
func (d *Desk) sign(ctx context.Context, pdf []byte, what string) ([]byte, error) {
	if d.signer == nil {
		return pdf, nil
	}
	signed, res, err := d.signer.SignPDFBytes(ctx, pdf)
	if err != nil {
		return nil, err
	}
	if res.TSAErr != nil {
		d.log.WarnContext(ctx, "signed without a time-stamp: the time-stamp service failed", "what", what, "err", res.TSAErr)
	}
	return signed, nil
}
