package api

import (
	"context"
	"crypto/subtle"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/internal/esign"
	"onewindow/storage"
)

// Verification is the whole answer to a stamp's QR code: that a document was accepted, when
// and by which hall. Nothing else a stamp's holder could learn from it: no type, case,
// applicant or content.
type Verification struct {
	Accepted   bool      `json:"accepted"`
	DocumentID string    `json:"document_id"`
	FiledAt    time.Time `json:"filed_at"`
	Hall       string    `json:"hall"`
	// Signature is the check of the filed copy's signature, made now: absent when the
	// copy was filed unsigned.
	Signature *SignatureStatus `json:"signature,omitempty"`
}

// SignatureStatus is what anyone may learn of a filed copy's signature: who signed, when,
// the time-stamp, and whether the copy is the one signed.
type SignatureStatus struct {
	Valid     bool       `json:"valid"`
	Signer    string     `json:"signer"`
	SignedAt  time.Time  `json:"signed_at"`
	Timestamp *time.Time `json:"timestamp,omitempty"`
	Intact    bool       `json:"intact"`
	Trusted   bool       `json:"trusted"`
	Reason    string     `json:"reason"`
}

// errNotVerified is the one answer to an unknown ID, a wrong digest and a malformed one
// alike, so the route tells nobody more than the URL they hold already says.
var errNotVerified = errs.E("api.verify", errs.NotFound, "not_found",
	"No accepted document has that ID and digest.", nil)

// verify answers GET /verify/{id}?d=DIGEST without a token (archive.VerifyURL makes the URL):
// JSON when the client asks for it, else a short page in Chinese for a phone's browser.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept")
	w.Header().Set("X-Robots-Tag", "noindex")
	v, err := s.verification(r.Context(), r.PathValue("id"), r.URL.Query().Get("d"))
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		s.verifyPage(w, r, v, err)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, v)
}

func (s *Server) verification(ctx context.Context, id, digest string) (Verification, error) {
	digest = strings.ToLower(digest)
	if !plausibleDocumentID(id) {
		return Verification{}, errNotVerified
	}
	rec, err := archive.ReadRecord(ctx, s.Blobs, id)
	if errs.KindOf(err) == errs.NotFound {
		return Verification{}, errNotVerified
	}
	if err != nil || rec.DocumentID != id {
		return Verification{}, errs.E("api.verify", errs.Internal, "bad_record", "A filed record cannot be read.", err)
	}
	// The digest is required: the QR code always carries it, and the ID alone (printed on
	// every page's stamp, copied into letters) must not be enough to confirm a document.
	if subtle.ConstantTimeCompare([]byte(digest), []byte(archive.VerifyDigest(rec))) != 1 {
		return Verification{}, errNotVerified
	}
	hall := s.Config.HallName
	if hall == "" {
		hall = "政务服务中心"
	}
	v := Verification{Accepted: true, DocumentID: id, FiledAt: rec.FiledAt.UTC(), Hall: hall}
	v.Signature, err = s.signatureStatus(ctx, id)
	return v, err
}

// signatureStatus checks the filed copy's signature against the CAs of --sign-trust.
func (s *Server) signatureStatus(ctx context.Context, id string) (*SignatureStatus, error) {
	pdf, err := s.Blobs.Get(ctx, storage.Archive, storage.DocumentPDFKey(id))
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	roots, err := trustedRoots(s.Config.SignTrust)
	if err != nil {
		return nil, err
	}
	c := (&esign.Verifier{Roots: roots}).VerifyPDF(pdf)
	last := c.Last()
	if last == nil {
		return nil, nil
	}
	st := &SignatureStatus{Valid: c.Valid, Signer: last.Signer, SignedAt: last.SignedAt.UTC(), Intact: last.Intact && last.CoversWholeFile,
		Trusted: last.Trusted, Reason: c.Reason}
	if !st.Intact {
		return st, nil // a time-stamp over a changed copy vouches for nothing
	}
	// The newest time-stamp that verifies: the signature's own, or one filed after it (a copy
	// stamped once the service was back, an archive time-stamp renewing the evidence).
	later, err := archive.LoadEvents(ctx, s.Blobs, id)
	if err != nil {
		return nil, err
	}
	if ev := archive.VerifyEvidence(&esign.Verifier{Roots: roots}, pdf, later, time.Now()); ev.Latest != nil {
		t := ev.Latest.Info.Time.UTC()
		st.Timestamp = &t
	}
	return st, nil
}

// trustedRoots reads a trust file once per process: every /verify asks.
func trustedRoots(path string) ([]*smx509.Certificate, error) {
	if path == "" {
		return nil, nil
	}
	if v, ok := trustCache.Load(path); ok {
		return v.([]*smx509.Certificate), nil
	}
	roots, err := esign.LoadTrust(path)
	if err != nil {
		return nil, err
	}
	trustCache.Store(path, roots)
	return roots, nil
}

var trustCache sync.Map

// plausibleDocumentID keeps object keys out of reach of a crafted ID: document IDs are
// letters, digits and dashes.
func plausibleDocumentID(id string) bool {
	return id != "" && len(id) <= 100 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == ""
}

var verifyPageTmpl = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>受理核验</title><style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em;line-height:1.6}h1{font-size:1.4em}h2{font-size:1.15em}.ok{color:#1a7f37}.no{color:#b42318}</style></head>
<body>{{if .Accepted}}<h1 class="ok">核验通过</h1>
<p>编号为 <code>{{.DocumentID}}</code> 的文件已由{{.Hall}}受理归档。</p>
<p>归档时间：{{.When}}</p>{{with .Signature}}
<h2 class="{{if .Valid}}ok{{else}}no{{end}}">{{if .Valid}}电子签名有效{{else}}电子签名无效{{end}}</h2>
<p>签署者：{{.Signer}}</p>
<p>签名时间：{{$.Signed}}</p>
<p>时间戳：{{if $.Stamped}}{{$.Stamped}}（由时间戳服务证明）{{else}}无{{end}}</p>
<p>存档文件是否与签名时一致：{{if .Intact}}一致，未被改动{{else}}不一致{{end}}</p>
<p>{{.Reason}}</p>{{end}}{{else}}<h1 class="no">未能核验</h1>
<p>没有与此二维码相符的受理记录。请核对二维码，或向受理大厅咨询。</p>{{end}}
</body></html>
`))

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, v Verification, err error) {
	status := http.StatusOK
	switch {
	case err == nil:
	case errs.KindOf(err) == errs.NotFound:
		status = http.StatusNotFound
	default:
		s.Log.WarnContext(r.Context(), "verification failed", "err", err)
		status = errs.HTTPStatus(err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "暂时无法核验，请稍后再试。\n")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	hallTime := func(t time.Time) string { return s.Clock.Minutes(t) + "（" + s.Clock.ZoneLabel(t) + "）" }
	page := struct {
		Verification
		When, Signed, Stamped string
	}{Verification: v, When: hallTime(v.FiledAt)} // the page shows the hall's time; the JSON keeps UTC
	if v.Signature != nil {
		page.Signed = hallTime(v.Signature.SignedAt)
		if v.Signature.Timestamp != nil {
			page.Stamped = hallTime(*v.Signature.Timestamp)
		}
	}
	_ = verifyPageTmpl.Execute(w, page)
}
