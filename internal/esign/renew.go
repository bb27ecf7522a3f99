package esign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/emmansun/gmsm/smx509"
)

// weakDigests are imprint algorithms a time-stamp can no longer be relied on for: a collision
// would let other bytes claim the same time (SHA-1: SHAttered, 2017).
var weakDigests = map[crypto.Hash]bool{crypto.MD5: true, crypto.SHA1: true}

var errNoSignature = errors.New("the file has no signature")

func infoOf(ts *timestamp.Timestamp) *TimestampInfo {
	info := &TimestampInfo{Time: ts.Time, certs: ts.Certificates, Digest: ts.HashAlgorithm.String(), WeakDigest: weakDigests[ts.HashAlgorithm]}
	if len(ts.Certificates) > 0 {
		info.TSA = ts.Certificates[0].Subject.String()
		info.CertNotAfter = ts.Certificates[0].NotAfter
	}
	return info
}

// StampInfo reads what a token says (time, unit, its certificate's end, digest) without
// checking what it is over: enough to decide whether evidence needs renewing.
func StampInfo(token []byte) (*TimestampInfo, error) {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("the time-stamp is not valid: %w", err)
	}
	return infoOf(ts), nil
}

// RenewalReason says in plain Chinese why evidence resting on t must be renewed by now,
// "" when it need not: its unit's certificate ends within margin, or its digest is weak.
func (t *TimestampInfo) RenewalReason(now time.Time, margin time.Duration) string {
	switch {
	case t.WeakDigest:
		return "时间戳使用的摘要算法（" + t.Digest + "）已不安全"
	case t.CertNotAfter.IsZero():
		return "时间戳未附带服务证书，无法确定有效期"
	case t.CertNotAfter.Before(now.Add(margin)):
		return "时间戳服务证书将于 " + t.CertNotAfter.Local().Format(time.DateOnly) + " 到期"
	}
	return ""
}

// CheckStamp verifies token over data (its imprint is data's digest) and, with v.Roots,
// whether its unit chains to them at the time it attests.
func (v *Verifier) CheckStamp(token, data []byte) (*TimestampInfo, error) {
	info, err := checkToken(token, data)
	if err != nil {
		return nil, err
	}
	info.trust(v.Roots)
	return info, nil
}

// LastSignatureStamp returns the signature-time-stamp token embedded in pdf's last signature,
// nil when it has none (signed while the service was down).
func LastSignatureStamp(pdf []byte) ([]byte, error) {
	p, err := lastSignature(pdf)
	if err != nil {
		return nil, err
	}
	return p.token, nil
}

// IssueTSA makes another time-stamp unit of this dev CA whose certificate lasts validity from
// now: a unit about to age out, to show evidence being renewed before it does.
func (p *DevPKI) IssueTSA(validity time.Duration, now time.Time) (*LocalTSA, error) {
	if p.caKey == nil {
		return nil, errors.New("this dev CA was loaded from files and issues no certificates")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	start := now.Add(-time.Hour).Truncate(time.Second)
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: p.CA.Subject.CommonName + " 短期时间戳服务（仅供开发）"},
		NotBefore: start, NotAfter: now.Add(validity), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, p.CA.ToX509(), key.Public(), p.caKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &LocalTSA{Key: key, Cert: cert}, nil
}
