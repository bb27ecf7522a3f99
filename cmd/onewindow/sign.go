package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"onewindow/archive"
	"onewindow/archive/archivedesk"
	"onewindow/internal/config"
	"onewindow/internal/esign"
	"onewindow/web"
)

func init() {
	commands["stamp-later"] = runStampLater
	help["stamp-later"] = command{summary: "time-stamp the filed copies signed while the time-stamp service was down",
		usage: "onewindow stamp-later [--from YYYY-MM-DD] [flags]",
		about: "Asks --tsa-url (dev mode: its local unit) for an RFC 3161 time-stamp over the signature of every filed copy whose \"signed\" event says it has none, " +
			"and files it as a \"timestamped\" event beside the record. The API processes do the same every --timestamp-every (and renew ageing evidence); run it to catch up at once. Copies stamped before are skipped.\n" +
			"Exit status: 0 done; 1 the service is still down or storage failed.",
		flags:  [][2]string{{"from", "only copies filed on or after this day"}},
		groups: connected}
	commands["verify-pdf"] = runVerifyPDF
	help["verify-pdf"] = command{summary: "check the signatures of any PDF (exit 1 if not valid)",
		usage: "onewindow verify-pdf [--trust CA.pem] [--evidence EVENTS-DIR] [--json] FILE.pdf",
		about: "Checks every signature of the file: who signed, the claimed signing time, the time-stamp, whether the signed bytes are intact " +
			"and whether the last signature covers the whole file (nothing added after signing); with --trust (or --sign-trust), whether the signer chains to those CAs. " +
			"With --evidence (a filed copy's events/ folder of an exported bag), also the time-stamps filed after it: the latest, and whether the chain of archive time-stamps is intact.\n" +
			"Exit status: 0 valid; 1 not valid (the reason on standard output) or the file cannot be read.",
		flags: [][2]string{{"trust", "PEM file of the CA certificates to trust (default: --sign-trust)"},
			{"evidence", "folder of the copy's events (JSON), for its later and archive time-stamps"}, {"json", "print the checks as JSON"}}}
}

// devPKI is dev mode's test CA, hall certificate and time-stamp unit, set by runDev when the
// hall gave no key of its own.
var devPKI *esign.DevPKI

// openDevSigning makes or reopens dev mode's test CA under the data directory, unless the
// hall gave a key, and has verifiers trust it.
func openDevSigning(cfg *config.Config) error {
	if cfg.SignP12 != "" || cfg.SignKey != "" || cfg.SignPKCS11 != "" {
		return nil
	}
	dir := filepath.Join(cfg.DataDir, "signing")
	p, err := esign.OpenDevPKI(dir, cfg.HallName, time.Now())
	if err != nil {
		return fmt.Errorf("dev signing keys: %w", err)
	}
	devPKI = p
	if cfg.SignTrust == "" {
		cfg.SignTrust = filepath.Join(dir, esign.DevCAFileName)
	}
	return nil
}

// loadSigner builds the hall's signer from the settings: nil (and no error) when none is
// configured outside dev mode, so that an installation without keys files unsigned copies.
func loadSigner(cfg config.Config) (*esign.Signer, error) {
	now := time.Now()
	var s *esign.Signer
	var err error
	switch {
	case cfg.SignP12 != "":
		s, err = esign.LoadPKCS12(cfg.SignP12, cfg.SignP12Password, now)
	case cfg.SignKey != "":
		s, err = esign.LoadPEM(cfg.SignKey, cfg.SignCert, now)
	case cfg.SignPKCS11 != "":
		// The token's session stays open for the process's lifetime: every signature is made in it.
		s, _, err = esign.LoadPKCS11(esign.PKCS11{Module: cfg.SignPKCS11, TokenLabel: cfg.SignTokenLabel,
			KeyLabel: cfg.SignKeyLabel, PIN: cfg.SignPKCS11PIN, CertFile: cfg.SignCert}, now)
	case devPKI != nil:
		copied := *devPKI.Signer
		s = &copied
	default:
		// A command run beside a dev installation (export, report) signs with its test CA.
		p, err := esign.LoadDevPKI(filepath.Join(cfg.DataDir, "signing"), now)
		if err != nil {
			return nil, nil
		}
		s = p.Signer
	}
	if err != nil {
		return nil, err
	}
	if cfg.TSAURL != "" { // the hall's TSA, in dev mode too
		s.TSA = &esign.HTTPTSA{URL: cfg.TSAURL}
	}
	return s, nil
}

// signers caches the hall's signer per process and settings: loading a PKCS#12 file costs a
// key derivation, and every filing, notice and bag signs.
var signers struct {
	sync.Mutex
	by map[string]*esign.Signer
}

// signer returns the hall's signer, nil when the installation signs nothing.
func (d *deps) signer() (*esign.Signer, error) {
	key := strings.Join([]string{d.cfg.SignP12, d.cfg.SignKey, d.cfg.SignPKCS11, d.cfg.SignKeyLabel, d.cfg.SignCert, d.cfg.TSAURL}, "\x00")
	signers.Lock()
	defer signers.Unlock()
	if s, ok := signers.by[key]; ok {
		return s, nil
	}
	s, err := loadSigner(d.cfg)
	if err != nil {
		return nil, err
	}
	if s == nil {
		d.log.Warn("filed copies, notices and bags are not signed: set --sign-p12 or --sign-key")
	}
	if signers.by == nil {
		signers.by = map[string]*esign.Signer{}
	}
	signers.by[key] = s
	return s, nil
}

// trustRoots is what this installation's verifiers trust: --sign-trust, else the root of
// the hall's own chain (dev mode: its test CA).
func trustRoots(cfg config.Config, s *esign.Signer) ([]*smx509.Certificate, error) {
	if cfg.SignTrust != "" {
		return esign.LoadTrust(cfg.SignTrust)
	}
	if s != nil {
		return s.Roots(), nil
	}
	return nil, nil
}

func runVerifyPDF(_ context.Context, args []string) error {
	var trust, evidence string
	var asJSON bool
	cfg, rest, err := parseConfig("verify-pdf", args, func(fs *flag.FlagSet) {
		fs.StringVar(&trust, "trust", "", "PEM file of the CA certificates to trust")
		fs.StringVar(&evidence, "evidence", "", "folder of the copy's events (JSON)")
		fs.BoolVar(&asJSON, "json", false, "print the checks as JSON")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: onewindow verify-pdf [--trust CA.pem] FILE.pdf")
	}
	if trust == "" {
		trust = cfg.SignTrust
	}
	v := &esign.Verifier{}
	if trust != "" {
		if v.Roots, err = esign.LoadTrust(trust); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	check := v.VerifyPDF(data)
	var ev *archive.EvidenceCheck
	if evidence != "" {
		events, err := archive.EventsOf(os.DirFS(evidence))
		if err != nil {
			return err
		}
		ev = archive.VerifyEvidence(v, data, events, time.Now())
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			*esign.PDFCheck
			Evidence *archive.EvidenceCheck `json:"evidence,omitempty"`
		}{check, ev})
	} else {
		printPDFCheck(check, len(v.Roots) > 0)
		printEvidence(ev)
	}
	if !check.Valid {
		return errors.New(check.Reason)
	}
	if ev != nil && !ev.ChainIntact {
		return errors.New(ev.Problem)
	}
	return nil
}

// printEvidence lists the copy's time-stamps, oldest first, and the chain's verdict.
func printEvidence(ev *archive.EvidenceCheck) {
	if ev == nil {
		return
	}
	kinds := map[string]string{"signature": "签名内的时间戳", archive.EventTimestamped: "补加的时间戳", archive.EventArchiveTimestamped: "存档时间戳"}
	fmt.Println("证据链")
	for _, st := range ev.Stamps {
		if st.Info == nil {
			fmt.Printf("  %s：%s\n", kinds[st.Kind], st.Problem)
			continue
		}
		fmt.Printf("  %s：%s（%s，证书到期 %s）", kinds[st.Kind], st.Info.Time.Local().Format(time.DateTime), st.Info.TSA, st.Info.CertNotAfter.Local().Format(time.DateOnly))
		if st.Problem != "" {
			fmt.Printf("：%s", st.Problem)
		}
		fmt.Println()
	}
	if ev.Latest != nil {
		fmt.Printf("  最新时间戳：%s（%s）\n", ev.Latest.Info.Time.Local().Format(time.DateTime), kinds[ev.Latest.Kind])
	} else {
		fmt.Println("  最新时间戳：无")
	}
	if ev.ChainIntact {
		fmt.Printf("  存档时间戳 %d 个，证据链完整\n", ev.ArchiveStamps)
	} else {
		fmt.Printf("  证据链不完整：%s\n", ev.Problem)
	}
}

func printPDFCheck(c *esign.PDFCheck, trusted bool) {
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	for i, s := range c.Signatures {
		fmt.Printf("签名 %d\n  签署者：%s\n  签发机构：%s\n  签名类型：%s（PAdES %s）\n", i+1, s.Signer, s.Issuer, s.SubFilter, s.Level)
		if !s.SignedAt.IsZero() {
			fmt.Printf("  签名时间（签署者声明）：%s\n", s.SignedAt.Local().Format(time.DateTime))
		}
		if s.Stamp != nil {
			fmt.Printf("  时间戳：%s（%s）\n", s.Stamp.Time.Local().Format(time.DateTime), s.Stamp.TSA)
			if trusted && !s.Stamp.Trusted {
				fmt.Println("  时间戳服务的证书不是由受信任的机构签发的：时间仅供参考")
			}
		} else {
			fmt.Println("  时间戳：无")
		}
		fmt.Printf("  签名内容完整：%s\n  覆盖整个文件：%s\n", yes(s.Intact), yes(s.CoversWholeFile))
		if s.RevocationChecked {
			fmt.Println("  吊销检查：已核对文件内嵌的吊销列表，签名时未被吊销")
		}
		if trusted {
			fmt.Printf("  证书受信任：%s\n", yes(s.Trusted))
		} else {
			fmt.Println("  证书受信任：未检查（用 --trust 指定签发机构证书）")
		}
		if s.Problem != "" {
			fmt.Printf("  问题：%s\n", s.Problem)
		}
	}
	fmt.Println(c.Reason)
}

func runStampLater(ctx context.Context, args []string) error {
	var from string
	cfg, _, err := parseConfig("stamp-later", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "only copies filed on or after this day (YYYY-MM-DD)")
	})
	if err != nil {
		return err
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	s, err := d.signer()
	if err != nil {
		return err
	}
	if s == nil || s.TSA == nil {
		return errors.New("stamp-later needs a time-stamp service: set --tsa-url")
	}
	var scope archivedesk.ReportScope
	if from != "" {
		if scope.From, err = d.hall.ParseDate(from); err != nil {
			return fmt.Errorf("--from is YYYY-MM-DD: %w", err)
		}
	}
	recs, err := d.desk().Records(ctx, scope)
	if err != nil {
		return err
	}
	n, err := archive.StampLater(ctx, d.blobs, s.TSA, recs, time.Now())
	fmt.Printf("%d filed copies time-stamped\n", n)
	return err
}

// evidenceStatus tells the operators' page the time-stamp schedule's state (archivedesk.EvidenceState).
func (d *deps) evidenceStatus() func(ctx context.Context) (web.EvidenceStatus, error) {
	var once sync.Once
	var dk *archivedesk.Desk
	return func(ctx context.Context) (web.EvidenceStatus, error) {
		once.Do(func() { dk = d.desk() })
		st, err := dk.EvidenceState(ctx, d.cfg.TimestampEvery)
		if err != nil {
			return web.EvidenceStatus{}, err
		}
		out := web.EvidenceStatus{Off: st.NoTSA || st.Every <= 0, Next: st.Next}
		if r := st.Last; r != nil {
			out.LastRun, out.Checked, out.Stamped, out.Renewed, out.Waiting, out.Failures = r.StartedAt, r.Checked, r.Stamped, r.Renewed, r.Waiting, r.Failures
		}
		return out, nil
	}
}
