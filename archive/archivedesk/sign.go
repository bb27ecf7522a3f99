package archivedesk

import (
	"context"

	"onewindow/archive"
)

// signing returns the bag info's signer: nil when the desk has none, never a nil pointer in
// an interface.
func (d *Desk) bagSigner() archive.ManifestSigner {
	if d.Signer == nil {
		return nil
	}
	return d.Signer
}

// ReportPDF prints a four-properties report and, when the desk has a signer, signs it: the
// report an archive hands an auditor says who made it.
func (d *Desk) ReportPDF(ctx context.Context, rep *archive.PropertiesReport) ([]byte, error) {
	pdf, err := archive.ReportPDF(rep, d.ReportFont)
	if err != nil || d.Signer == nil {
		return pdf, err
	}
	signed, _, err := d.Signer.SignPDFBytes(ctx, pdf)
	return signed, err
}
