package esign

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

var (
	dssRE     = regexp.MustCompile(`/Type\s*/DSS\b[^>]*?/CRLs\s*\[([^\]]*)\]`)
	refRE     = regexp.MustCompile(`(\d+)\s+0\s+R`)
	lengthRE  = regexp.MustCompile(`/Length\s+(\d+)\b`)
	streamKey = []byte("stream")
)

// dssCRLs returns the CRLs a PDF's DSS embeds, as unfiltered streams (how onewindow writes
// them); a compressed or unreadable one is passed over.
func dssCRLs(pdf []byte) [][]byte {
	var out [][]byte
	for _, m := range dssRE.FindAllSubmatch(pdf, -1) {
		for _, r := range refRE.FindAllSubmatch(m[1], -1) {
			if b := rawStream(pdf, string(r[1])); b != nil {
				out = append(out, b)
			}
		}
	}
	return out
}

// rawStream finds the last definition of object nr and returns its stream's bytes, nil when
// it has a filter or cannot be read.
func rawStream(pdf []byte, nr string) []byte {
	head := []byte("\n" + nr + " 0 obj")
	i := bytes.LastIndex(pdf, head)
	if i < 0 {
		return nil
	}
	rest := pdf[i+len(head):]
	s := bytes.Index(rest, streamKey)
	if s < 0 || s > 512 {
		return nil
	}
	dict := rest[:s]
	if bytes.Contains(dict, []byte("/Filter")) {
		return nil
	}
	m := lengthRE.FindSubmatch(dict)
	if m == nil {
		return nil
	}
	n, err := strconv.Atoi(string(m[1]))
	body := rest[s+len(streamKey):]
	body = bytes.TrimPrefix(body, []byte("\r"))
	body = bytes.TrimPrefix(body, []byte("\n"))
	if err != nil || n < 0 || n > len(body) {
		return nil
	}
	return body[:n]
}

// checkRevocation looks for the signer in the embedded CRLs its issuer signed: revoked at
// or before at is a problem; the answer says whether any such CRL was there to look in.
func checkRevocation(pdf []byte, signer *smx509.Certificate, certs []*smx509.Certificate, at time.Time) (checked bool, problem string) {
	var issuer *smx509.Certificate
	for _, c := range certs {
		if bytes.Equal(c.RawSubject, signer.RawIssuer) {
			issuer = c
		}
	}
	if issuer == nil {
		return false, ""
	}
	for _, der := range dssCRLs(pdf) {
		crl, err := smx509.ParseCRL(der)
		if err != nil || issuer.CheckCRLSignature(crl) != nil {
			continue
		}
		checked = true
		for _, r := range crl.TBSCertList.RevokedCertificates {
			if r.SerialNumber.Cmp(signer.SerialNumber) == 0 && !r.RevocationTime.After(at) {
				return true, fmt.Sprintf("签名证书已于 %s 被吊销（见文件内嵌的吊销列表）。", r.RevocationTime.UTC().Format(time.DateTime))
			}
		}
	}
	return checked, ""
}
