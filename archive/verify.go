package archive

import (
	"net/url"
	"strings"
)

// VerifyDigestLen is how many hex digits of a digest a verification URL carries: 64 bits,
// enough that a URL cannot be guessed from a document ID, short enough for the stamp's QR code.
const VerifyDigestLen = 16

// VerifyURL is what the stamp's QR code carries: base/verify/{id}?d={digest}, where the
// digest is the start of the SHA-256 of the document's text (text.txt). The filed PDF's own
// digest cannot be printed inside that PDF; the text is fixed before the stamp is drawn, is
// filed beside the PDF and is named with its digests in the record, so the answering side
// reads it from there (VerifyDigest).
func VerifyURL(base, documentID, textSHA256 string) string {
	u := strings.TrimRight(base, "/") + "/verify/" + url.PathEscape(documentID)
	if len(textSHA256) >= VerifyDigestLen {
		u += "?d=" + strings.ToLower(textSHA256[:VerifyDigestLen])
	}
	return u
}

// VerifyDigest is the digest a verification URL of r carries, "" when r names no text file.
func VerifyDigest(r *Record) string {
	for _, f := range r.Files {
		if f.Role == "text" && len(f.Digests.SHA256) >= VerifyDigestLen {
			return strings.ToLower(f.Digests.SHA256[:VerifyDigestLen])
		}
	}
	return ""
}
