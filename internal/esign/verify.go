package esign

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// SignatureCheck is what a verifier found of one signature in a PDF. Problem is a sentence
// in plain Chinese for whoever reads the verdict; empty when the signature is good.
type SignatureCheck struct {
	Signer          string         `json:"signer"`
	Issuer          string         `json:"issuer,omitempty"`
	SubFilter       string         `json:"sub_filter,omitempty"`
	SignedAt        time.Time      `json:"signed_at,omitzero"` // claimed (/M)
	Stamp           *TimestampInfo `json:"timestamp,omitempty"`
	Level           string         `json:"level,omitempty"`
	Intact          bool           `json:"intact"`            // the signed bytes are unchanged
	CoversWholeFile bool           `json:"covers_whole_file"` // nothing was added after signing
	Trusted         bool           `json:"trusted"`           // the signer chains to a trusted certificate
	// RevocationChecked: the file embeds its signer's issuer's CRL (DSS) and the signer was
	// not revoked when it signed.
	RevocationChecked bool   `json:"revocation_checked"`
	Problem           string `json:"problem,omitempty"`
}

// PDFCheck is the verdict on a PDF: Valid when it has a signature, every signature is
// intact and trusted, and the last one covers the whole file.
type PDFCheck struct {
	Valid      bool             `json:"valid"`
	Reason     string           `json:"reason"` // plain Chinese, also when valid
	Signatures []SignatureCheck `json:"signatures"`
}

// Last returns the check of the PDF's last signature, nil when it has none.
func (c *PDFCheck) Last() *SignatureCheck {
	if len(c.Signatures) == 0 {
		return nil
	}
	return &c.Signatures[len(c.Signatures)-1]
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// byteRanges finds every /ByteRange array, as byteRangeRE's submatch indexes: a plain search
// for the key first, the expression only where it is (a regular expression over megabytes of
// scan costs more than the signature check).
func byteRanges(pdf []byte) [][]int {
	var out [][]int
	key := []byte("/ByteRange")
	for from := 0; ; {
		i := bytes.Index(pdf[from:], key)
		if i < 0 {
			return out
		}
		at := from + i
		end := min(len(pdf), at+128)
		if m := byteRangeRE.FindSubmatchIndex(pdf[at:end]); m != nil && m[0] == 0 {
			for k := range m {
				m[k] += at
			}
			out = append(out, m)
		}
		from = at + len(key)
	}
}

// Verifier checks PDF signatures against the certificates it trusts.
type Verifier struct {
	Roots []*smx509.Certificate // nil: nothing is trusted, signatures are checked for integrity only
}

// VerifyPDF checks every signature of pdf: that the bytes its ByteRange names still match
// it, that the signer chains to a trusted root at the signing time (the time-stamp's when
// there is one), that a time-stamp is over this signature, and that the last signature
// covers the whole file.
func (v *Verifier) VerifyPDF(pdf []byte) *PDFCheck {
	out := &PDFCheck{}
	for _, m := range byteRanges(pdf) {
		var br [4]int64
		for i := range br {
			br[i], _ = strconv.ParseInt(string(pdf[m[2+2*i]:m[3+2*i]]), 10, 64)
		}
		out.Signatures = append(out.Signatures, v.check(pdf, br, m[0]))
	}
	switch last := out.Last(); {
	case last == nil:
		out.Reason = "文件中没有数字签名。"
	case !last.CoversWholeFile && last.Problem == "":
		out.Reason = "签名之后文件又被追加了内容：签名只覆盖了文件的一部分，当前文件不是签名时的文件。"
	default:
		out.Valid = true
		for i, s := range out.Signatures {
			if s.Problem != "" {
				out.Valid = false
				out.Reason = fmt.Sprintf("第%d个签名无效：%s", i+1, s.Problem)
				break
			}
		}
		if out.Valid && !last.CoversWholeFile {
			out.Valid, out.Reason = false, "签名之后文件又被追加了内容：签名只覆盖了文件的一部分，当前文件不是签名时的文件。"
		}
		if out.Valid {
			out.Reason = fmt.Sprintf("签名有效：由“%s”签署，文件自签名后未被改动。", last.Signer)
		}
	}
	return out
}

func (v *Verifier) check(pdf []byte, br [4]int64, at int) (c SignatureCheck) {
	n := int64(len(pdf))
	c.SubFilter = dictName(pdf, at)
	if m := dictString(pdf, at); m != "" {
		c.SignedAt, _ = parsePDFDate(m)
	}
	if br[0] != 0 || br[1] <= 0 || br[2] < br[1]+2 || br[3] < 0 || br[2]+br[3] > n {
		c.Problem = "签名的字节范围不合理，不指向本文件。"
		return c
	}
	c.CoversWholeFile = br[2]+br[3] == n
	gap := pdf[br[1]:br[2]]
	if gap[0] != '<' || gap[len(gap)-1] != '>' {
		c.Problem = "签名的字节范围之外除签名值外还有其他内容：签名没有覆盖整个文件。"
		return c
	}
	// The padding zeros decode to zero bytes after the DER, which the parser leaves alone.
	der, err := hex.DecodeString(string(gap[1 : len(gap)-1]))
	if err != nil {
		c.Problem = "签名值不是十六进制数据。"
		return c
	}
	p, err := parseCMS(der)
	if err != nil {
		c.Problem = "签名值无法读取：" + err.Error()
		return c
	}
	c.Signer, c.Issuer = p.signer.Subject.CommonName, p.signer.Issuer.CommonName
	if c.Signer == "" {
		c.Signer = p.signer.Subject.String()
	}
	newH, err := p.hasher()
	if err != nil {
		c.Problem = "签名使用了不支持的摘要算法。"
		return c
	}
	h := newH()
	h.Write(pdf[:br[1]])
	h.Write(pdf[br[2] : br[2]+br[3]])
	if err := p.check(h.Sum(nil)); err != nil {
		if err == errDigestMismatch {
			c.Problem = "文件在签名后被改动过：签名覆盖的内容与签名值不符。"
		} else {
			c.Problem = "签名值与签名证书不符：" + err.Error()
		}
		return c
	}
	c.Intact = true
	c.Level = LevelBB
	at2 := c.SignedAt
	if p.token != nil {
		info, err := checkToken(p.token, p.signature)
		if err != nil {
			c.Problem = "时间戳无效：" + err.Error()
			return c
		}
		info.trust(v.Roots)
		c.Stamp, c.Level, at2 = info, LevelBT, info.Time
		if bytes.Contains(pdf, []byte("/DSS")) {
			c.Level = LevelBLT
		}
	}
	if at2.IsZero() {
		at2 = time.Now()
	}
	if at2.Before(p.signer.NotBefore) || at2.After(p.signer.NotAfter) {
		c.Problem = fmt.Sprintf("签名时（%s）签名证书不在有效期内（%s 至 %s）。", at2.UTC().Format(time.DateTime),
			p.signer.NotBefore.UTC().Format(time.DateOnly), p.signer.NotAfter.UTC().Format(time.DateOnly))
		return c
	}
	checked, revoked := checkRevocation(pdf, p.signer, p.certs, at2)
	if revoked != "" {
		c.Problem = revoked
		return c
	}
	c.RevocationChecked = checked
	if len(v.Roots) > 0 {
		roots, inter := smx509.NewCertPool(), smx509.NewCertPool()
		for _, r := range v.Roots {
			roots.AddCert(r)
		}
		for _, ic := range p.certs {
			inter.AddCert(ic)
		}
		_, err := p.signer.Verify(smx509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at2,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			c.Problem = "签名证书不是由受信任的机构签发的：" + err.Error()
			return c
		}
		c.Trusted = true
	}
	return c
}

// sigDict returns the bytes around at, bounded by the object that holds the signature
// dictionary.
func sigDict(pdf []byte, at int) []byte {
	start := max(0, at-4096)
	if i := bytes.LastIndex(pdf[start:at], []byte(" obj")); i >= 0 {
		start += i
	}
	end := min(len(pdf), at+256)
	return pdf[start:end]
}

var (
	subFilterRE = regexp.MustCompile(`/SubFilter\s*/([A-Za-z0-9.#_-]+)`)
	claimedRE   = regexp.MustCompile(`/M\s*\(([^)]*)\)`)
)

func dictName(pdf []byte, at int) string {
	m := subFilterRE.FindSubmatch(sigDict(pdf, at))
	if m == nil {
		return ""
	}
	return string(m[1])
}

func dictString(pdf []byte, at int) string {
	m := claimedRE.FindSubmatch(sigDict(pdf, at))
	if m == nil {
		return ""
	}
	return string(m[1])
}

// parsePDFDate reads D:YYYYMMDDHHmmSS with an optional zone (Z, +HH'mm' or -HH'mm').
func parsePDFDate(s string) (time.Time, error) {
	s = string(bytes.TrimPrefix([]byte(s), []byte("D:")))
	if len(s) < 14 {
		return time.Time{}, fmt.Errorf("short date %q", s)
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return t, err
	}
	zone := s[14:]
	if len(zone) >= 3 && (zone[0] == '+' || zone[0] == '-') {
		hh, _ := strconv.Atoi(zone[1:3])
		mm := 0
		if len(zone) >= 6 {
			mm, _ = strconv.Atoi(zone[4:6])
		}
		off := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
		if zone[0] == '+' {
			off = -off
		}
		t = t.Add(off)
	}
	return t.UTC(), nil
}

// LastSignatureValue returns the signature value of pdf's last signature: what a time-stamp
// obtained later (StampLater in archive) is over.
func LastSignatureValue(pdf []byte) ([]byte, error) {
	p, err := lastSignature(pdf)
	if err != nil {
		return nil, err
	}
	return p.signature, nil
}

// lastSignature reads back the CMS of pdf's last signature.
func lastSignature(pdf []byte) (*parsedCMS, error) {
	der, err := lastSignatureCMS(pdf)
	if err != nil {
		return nil, err
	}
	return parseCMS(der)
}

// lastSignatureCMS returns the CMS of pdf's last signature, DER.
func lastSignatureCMS(pdf []byte) ([]byte, error) {
	ms := byteRanges(pdf)
	if len(ms) == 0 {
		return nil, errNoSignature
	}
	m := ms[len(ms)-1]
	var br [4]int64
	for i := range br {
		br[i], _ = strconv.ParseInt(string(pdf[m[2+2*i]:m[3+2*i]]), 10, 64)
	}
	if br[1] <= 0 || br[2] < br[1]+2 || br[2] > int64(len(pdf)) {
		return nil, errors.New("the signature's byte range does not point into the file")
	}
	return hex.DecodeString(string(pdf[br[1]+1 : br[2]-1]))
}

// CheckStamp verifies an RFC 3161 token obtained for signature (a signature value) after
// the fact: the token's own signature and that its imprint is the signature's SHA-256.
func CheckStamp(token, signature []byte) (*TimestampInfo, error) { return checkToken(token, signature) }
