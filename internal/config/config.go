// Package config holds the daemon's one Config struct. Every field has a flag and an
// ONEWINDOW_ environment variable; flags win over the environment, the environment over the
// defaults written here. A secret setting can also be read from a file (--x-file, or
// ONEWINDOW_X_FILE: the Docker and systemd credentials convention), and is never shown:
// not as a flag default, not in help, not in logs written through Redactor.
package config

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"onewindow/internal/clock"
)

// Config is every setting of the daemon. The `flag` tag names the flag; the variable is
// ONEWINDOW_ plus the flag name upper-cased with dashes as underscores.
type Config struct {
	Addr    string `flag:"addr" help:"HTTP listen address"`
	DataDir string `flag:"data-dir" help:"dev mode: where the child Redis and MinIO keep their data"`

	RedisURL     string `flag:"redis-url" secret:"true" help:"redis://host:port/db, redis-sentinel://host:port,host:port/master?..., or redis-cluster://host:port,host:port; empty in dev mode starts a child redis-server"`
	S3Endpoint   string `flag:"s3-endpoint" help:"S3/MinIO host:port; empty in dev mode starts a child minio server"`
	S3AccessKey  string `flag:"s3-access-key" secret:"true" help:"S3 access key"`
	S3SecretKey  string `flag:"s3-secret-key" secret:"true" help:"S3 secret key"`
	S3Secure     bool   `flag:"s3-secure" help:"use HTTPS for S3"`
	S3Region     string `flag:"s3-region" help:"S3 region"`
	S3PublicURL  string `flag:"s3-public-url" help:"scheme://host[:port] that presigned links name, when users reach object storage by another address than the daemon does (a proxy must pass that Host on); default: the S3 endpoint"`
	BucketPrefix string `flag:"bucket-prefix" help:"prefix of the inbox, work and archive bucket names"`
	MinioBin     string `flag:"minio-bin" help:"dev mode: the minio server binary (default: PATH, then .tools/bin/minio)"`
	RedisBin     string `flag:"redis-bin" help:"dev mode: the redis-server binary"`

	TLSCert string `flag:"tls-cert" help:"serve HTTPS with this certificate file (PEM); empty: plain HTTP behind the hall's proxy"`
	TLSKey  string `flag:"tls-key" help:"the private key file (PEM) of --tls-cert"`

	RateLimit       float64 `flag:"rate-limit" help:"API requests a second per principal (per client address for requests without a valid token), in a token bucket of --rate-limit-burst; over it: 429 rate_limited with Retry-After; 0: no limit"`
	RateLimitBurst  int     `flag:"rate-limit-burst" help:"requests a principal or client address may send at once above --rate-limit"`
	SignInRateLimit float64 `flag:"signin-rate-limit" help:"failed web sign-ins a minute per client address, in bursts of up to ten; over it: 429 without checking the password; 0: no limit"`

	DashboardWrites bool   `flag:"dashboard-writes" help:"let operators delete, cancel and run tasks from the queue dashboard (each write is audited); default read-only"`
	ViewerPDF       string `flag:"viewer-pdf" help:"what a role that sees ID numbers masked gets for a document's PDF: refuse (403) or redacted (numbers covered on the page, left out of the text layer)"`

	AdminToken string `flag:"admin-token" secret:"true" help:"admin bearer token; dev mode generates one when empty"`
	TokensFile string `flag:"tokens-file" help:"JSON file of hashed tokens for the scanner, archivist and other roles"`

	Concurrency    int           `flag:"concurrency" help:"worker goroutines, each with its own OCR engine"`
	TaskTimeout    time.Duration `flag:"task-timeout" help:"longest a single queued task may run"`
	MaxRetry       int           `flag:"max-retry" help:"retries of a failing task before its batch fails"`
	TaskCheck      time.Duration `flag:"task-check-interval" help:"how often an idle worker asks the queue for work; each step of a batch waits up to 1.5x this for an idle worker"`
	OCRLanguages   string        `flag:"ocr-languages" help:"Tesseract languages of the first pass"`
	OCRLatinLangs  string        `flag:"ocr-latin-languages" help:"Tesseract languages of the second pass over pages that came out mostly Latin script (- for none)"`
	TessdataPrefix string        `flag:"tessdata-prefix" help:"Tesseract data directory (empty: the library's default)"`
	OCRPageSegMode int           `flag:"ocr-psm" help:"Tesseract page segmentation mode (0: the engine default, 4 = one column of text of varying sizes; 3 = automatic layout)"`
	OCRRecycle     int           `flag:"ocr-recycle" help:"pages an OCR engine reads before it is recreated (bounds native memory)"`
	OCRPageTimeout time.Duration `flag:"ocr-page-timeout" help:"longest one page may take in its OCR engine process before the engine counts as hung and is replaced"`

	MaxUploadBytes int64 `flag:"max-upload-bytes" help:"largest accepted upload request"`
	MaxPages       int   `flag:"max-pages" help:"most pages in one batch"`
	MaxPagePixels  int64 `flag:"max-page-pixels" help:"most pixels in one page image (decompression-bomb guard)"`

	TimeZone        string  `flag:"time-zone" help:"IANA time zone of the hall: its case numbers, working days, due dates, notices, registers and the times pages show, whatever zone the server keeps; Local: the server's (TZ)"`
	HallName        string  `flag:"hall-name" help:"name of the service hall printed in the acceptance stamp"`
	MetricsAddr     string  `flag:"metrics-addr" help:"work: listen address of GET /metrics (the stage and task timings are the work process's own); empty: none; serve and dev answer /metrics on --addr"`
	PublicBaseURL   string  `flag:"public-base-url" help:"scheme://host[:port][/path] where people reach this installation, for the verification URL in the stamp's QR code (/verify/{id}); set it on work processes too; default: http:// and --addr"`
	TaxonomyFile    string  `flag:"taxonomy-file" help:"document taxonomy (YAML); empty uses the built-in default"`
	ReviewThreshold float64 `flag:"review-threshold" help:"documents classified below this confidence are marked needs_review"`

	IndexDir string `flag:"index-dir" help:"directory of this API process's search index (derived from MinIO; rebuilt by reindex); empty: DATA_DIR/index"`

	RetentionMode  string        `flag:"retention-mode" help:"object-lock mode of filed objects: GOVERNANCE or COMPLIANCE"`
	RetentionYears int           `flag:"retention-years" help:"default retention period of filed objects, in years"`
	ReconcileEvery time.Duration `flag:"reconcile-every" help:"how often API processes check that Redis still holds the indexes (its epoch mark) and, if it lost them, rebuild them from MinIO (one process at a time), and resume batches that failed while storage or the queue was down; 0: never"`
	FixityEvery    time.Duration `flag:"fixity-every" help:"how often API processes re-read the archive to check fixity (one process each time)"`
	TimestampEvery time.Duration `flag:"timestamp-every" help:"how often API processes time-stamp copies filed while the time-stamp service was down and add archive time-stamps to evidence whose time-stamp ages out (one process each time, a batch per run); 0: never"`
	// RetentionByType and RetentionByMatter are parsed by archive.NewRetentionPolicy.
	RetentionByType     string `flag:"retention-by-type" help:"retention per document type, years with an optional mode, e.g. id_card=10,business_license=30:COMPLIANCE; other types get retention-years"`
	RetentionByMatter   string `flag:"retention-by-matter" help:"retention per matter (申请事项) as given at intake or read from the application, e.g. 企业设立登记=30:COMPLIANCE; where a type rule applies too, the stricter wins"`
	AuditRetentionYears int    `flag:"audit-retention-years" help:"retention of access-audit entries, in years"`
	// ArchivalCodePattern is checked by archive.CheckArchivalCodePattern.
	ArchivalCodePattern string `flag:"archival-code-pattern" help:"archival code (档号) of filed documents, from {fonds} {year} {retention} {case} {batch} {type} {seq}"`
	FondsCode           string `flag:"fonds-code" help:"the hall's fonds code (全宗号) for {fonds} in archival codes"`

	MattersFile     string `flag:"matters-file" help:"the matter catalogue (事项清单, YAML); empty uses the bundled sample; reread when it changes"`
	CalendarFile    string `flag:"calendar-file" help:"working-day calendar (holidays and make-up working days, YAML); empty uses the bundled one"`
	CaseNoPattern   string `flag:"case-no-pattern" help:"numbering of new cases (受理编号), from {yyyy} {yy} {mm} {dd} {seq:05} and literal text; empty: the bundled default"`
	NoticeTemplates string `flag:"notice-templates" help:"folder of notice templates overriding the bundled ones"`
	NoticeFont      string `flag:"notice-font" help:"TrueType font or collection with Chinese glyphs for notices and reports (empty: Debian's wqy-zenhei)"`
	NotifyURL       string `flag:"notify-url" help:"webhook that tells applicants (e.g. the hall's SMS gateway); empty: nobody is told"`
	NotifySecret    string `flag:"notify-secret" secret:"true" help:"HMAC secret of the notify webhook"`
	NotifyTemplates string `flag:"notify-templates" help:"YAML file of the messages applicants get when their case changes (accepted, correction needed, refused, result ready, handed out); empty: the bundled texts"`
	DepartmentsFile string `flag:"departments-file" help:"departments and how they receive packages (YAML); empty: no departments; reread when it changes"`
	SessionKey      string `flag:"session-key" secret:"true" help:"key that signs web sessions, at least 32 characters (shared by every serve process); empty: derived from the admin token, or in dev mode kept under --data-dir"`
	WatchDir        string `flag:"watch-dir" help:"dev mode and watch: a folder scanners write to; finished files are uploaded and moved to done/ or failed/"`

	// The hall's signature (internal/esign) on filed copies, notices, registers, receipts,
	// reports, bags and packages. Dev mode without a key signs with a local test CA kept
	// under --data-dir and time-stamps with a local unit.
	SignP12         string `flag:"sign-p12" help:"the hall's signing key and certificate chain as a PKCS#12 file (RSA or ECDSA P-256); empty: --sign-key, else dev mode's test CA, else nothing is signed"`
	SignP12Password string `flag:"sign-p12-password" secret:"true" help:"password of --sign-p12"`
	SignKey         string `flag:"sign-key" help:"the hall's signing key as a PEM file (PKCS#8, PKCS#1 or SEC 1; RSA, ECDSA P-256 or SM2 with SM3), with --sign-cert; for keys a PKCS#12 file cannot carry"`
	SignCert        string `flag:"sign-cert" help:"PEM file of the certificate of --sign-key (or of the token's key) followed by its issuers"`
	SignPKCS11      string `flag:"sign-pkcs11-module" help:"the hall's key is in a PKCS#11 token (HSM, USB key): the vendor's PKCS#11 library; with --sign-pkcs11-token, --sign-pkcs11-key, --sign-pkcs11-pin-file and --sign-cert (or a certificate object labelled like the key)"`
	SignTokenLabel  string `flag:"sign-pkcs11-token" help:"label of the PKCS#11 token holding the signing key"`
	SignKeyLabel    string `flag:"sign-pkcs11-key" help:"label of the signing key pair in the token"`
	SignPKCS11PIN   string `flag:"sign-pkcs11-pin" secret:"true" help:"user PIN of the PKCS#11 token"`
	SignTrust       string `flag:"sign-trust" help:"PEM file of the CA certificates whose signatures /verify, reports and verify-pdf trust; empty: the root of the hall's own chain"`
	TSAURL          string `flag:"tsa-url" help:"the hall's RFC 3161 time-stamp service (PAdES B-T); empty: dev mode uses a local one, otherwise signatures carry no time-stamp; when it is down documents are filed signed and stamped later"`

	LogLevel  string `flag:"log-level" help:"debug, info, warn or error"`
	LogFormat string `flag:"log-format" help:"text or json"`
}

// Default returns the defaults.
func Default() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		DataDir:      "data",
		BucketPrefix: "onewindow",
		S3Region:     "us-east-1",
		Concurrency:  runtime.NumCPU(),
		TaskTimeout:  10 * time.Minute,
		MaxRetry:     8,
		// asynq polls an empty queue every 0.5-1.5 s by default, and a stack passes four
		// queue steps (prepare, pages, assembly, case check): up to 6 s of waiting on an idle
		// hall. Ten polls a second per worker process cost Redis nothing.
		TaskCheck: 100 * time.Millisecond,
		// chi_sim alone reads Chinese pages better and twice as fast as chi_sim+eng; pages that
		// come out mostly Latin are read again with eng.
		OCRLanguages:        "chi_sim",
		OCRLatinLangs:       "eng",
		OCRRecycle:          50,
		OCRPageTimeout:      2 * time.Minute,
		MaxUploadBytes:      1 << 30,
		MaxPages:            2000,
		MaxPagePixels:       120_000_000,
		TimeZone:            clock.DefaultZone,
		HallName:            "政务服务中心",
		ReviewThreshold:     0.6,
		RetentionMode:       "GOVERNANCE",
		RetentionYears:      30,
		FixityEvery:         24 * time.Hour,
		TimestampEvery:      24 * time.Hour,
		ReconcileEvery:      15 * time.Second,
		AuditRetentionYears: 30,
		ArchivalCodePattern: "{fonds}-ZW·{year}-{retention}-{case}-{seq}",
		FondsCode:           "OW",
		ViewerPDF:           "refuse",
		// A scan station sends a few requests a second, a batch page polls once a second;
		// 200/s per principal stops only a runaway client or a flood (the fault suite polls
		// three batches every 20 ms with one token: 150/s).
		RateLimit:       500,
		RateLimitBurst:  2000,
		SignInRateLimit: 10,
		LogLevel:        "info",
		LogFormat:       "text",
	}
}

// EnvName is the environment variable of a flag.
func EnvName(flagName string) string {
	return "ONEWINDOW_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Register adds a flag for every field of c to fs, with the environment applied to the
// defaults first, so that parsing fs yields flag > environment > default.
func (c *Config) Register(fs *flag.FlagSet) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("flag")
		if name == "" {
			continue
		}
		field := v.Field(i)
		env := EnvName(name)
		if f.Tag.Get("secret") != "" {
			if err := registerSecret(fs, field.Addr().Interface().(*string), name, f.Tag.Get("help")); err != nil {
				return err
			}
			continue
		}
		if s, ok := os.LookupEnv(env); ok {
			if err := set(field, s); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
		usage := f.Tag.Get("help") + " (" + env + ")"
		switch p := field.Addr().Interface().(type) {
		case *string:
			fs.StringVar(p, name, *p, usage)
		case *bool:
			fs.BoolVar(p, name, *p, usage)
		case *int:
			fs.IntVar(p, name, *p, usage)
		case *int64:
			fs.Int64Var(p, name, *p, usage)
		case *float64:
			fs.Float64Var(p, name, *p, usage)
		case *time.Duration:
			fs.DurationVar(p, name, *p, usage)
		default:
			return fmt.Errorf("config field %s has an unsupported type", f.Name)
		}
	}
	return nil
}

func set(field reflect.Value, s string) error {
	switch p := field.Addr().Interface().(type) {
	case *string:
		*p = s
	case *bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		*p = n
	case *float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*p = d
	}
	return nil
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	if c.FixityEvery < time.Minute {
		return fmt.Errorf("fixity-every must be at least a minute")
	}
	if c.Concurrency < 1 {
		return fmt.Errorf("concurrency must be at least 1")
	}
	if c.ViewerPDF != "refuse" && c.ViewerPDF != "redacted" {
		return fmt.Errorf("viewer-pdf is refuse or redacted")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("tls-cert and tls-key go together")
	}
	if c.SignKey != "" && c.SignCert == "" {
		return fmt.Errorf("sign-key needs sign-cert")
	}
	if n := btoi(c.SignP12 != "") + btoi(c.SignKey != "") + btoi(c.SignPKCS11 != ""); n > 1 {
		return fmt.Errorf("sign-p12, sign-key and sign-pkcs11-module each name a signing key; give one")
	}
	if c.SignPKCS11 != "" && (c.SignTokenLabel == "" || c.SignKeyLabel == "") {
		return fmt.Errorf("sign-pkcs11-module needs sign-pkcs11-token and sign-pkcs11-key")
	}
	if c.MaxUploadBytes < 1 || c.MaxPages < 1 || c.MaxPagePixels < 1 {
		return fmt.Errorf("upload limits must be positive")
	}
	if c.RateLimit < 0 || c.SignInRateLimit < 0 || c.RateLimitBurst < 1 {
		return fmt.Errorf("rate-limit and signin-rate-limit must be 0 (off) or more, rate-limit-burst at least 1")
	}
	if c.AuditRetentionYears < 1 {
		return fmt.Errorf("audit-retention-years must be at least 1")
	}
	if c.S3PublicURL != "" {
		u, err := url.Parse(c.S3PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
			return fmt.Errorf("s3-public-url must be http(s)://host[:port] with no path, not %q", c.S3PublicURL)
		}
	}
	if c.PublicBaseURL != "" {
		u, err := url.Parse(c.PublicBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("public-base-url must be http(s)://host[:port][/path], not %q", c.PublicBaseURL)
		}
	}
	switch c.RetentionMode {
	case "GOVERNANCE", "COMPLIANCE":
	default:
		return fmt.Errorf("retention-mode must be GOVERNANCE or COMPLIANCE, not %q", c.RetentionMode)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
