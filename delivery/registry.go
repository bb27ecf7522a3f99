package delivery

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/yamlfile"
)

// Kind is how a department receives its packages.
type Kind string

const (
	KindWebhook Kind = "webhook" // POSTed, signed, to the department's HTTPS endpoint
	KindS3      Kind = "s3"      // written as a BagIt bag into the department's own bucket
	KindPull    Kind = "pull"    // kept for the department to fetch through the API
)

// Signing algorithms a webhook may ask for.
const (
	AlgSHA256 = "sha256" // HMAC-SHA256, the default
	AlgSM3    = "sm3"    // HMAC-SM3, for receivers that want national algorithms
)

// Defaults for a webhook's settings left out of the file.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultConcurrency = 4
)

// Secret is a signing secret or a key. It never prints, so a department logged whole leaks
// nothing.
type Secret []byte

func (Secret) String() string               { return "[secret]" }
func (Secret) GoString() string             { return "[secret]" }
func (Secret) LogValue() slog.Value         { return slog.StringValue("[secret]") }
func (Secret) MarshalText() ([]byte, error) { return []byte("[secret]"), nil }

// Department is one entry of the departments file, checked and with its secrets read.
type Department struct {
	ID   string
	Name string
	Kind Kind
	// FullIDs lets the department see applicants' full resident ID numbers in manifests;
	// without it they are masked like a viewer's.
	FullIDs bool
	Webhook *Webhook // Kind webhook
	S3      *S3      // Kind s3
}

// Webhook is a department's HTTPS endpoint.
type Webhook struct {
	URL         string
	Secret      Secret
	Algorithm   string // AlgSHA256 or AlgSM3
	Timeout     time.Duration
	Concurrency int // requests in flight to this department at most
	// TLS carries the client certificate and the CA the endpoint's certificate is checked
	// against; nil means the system's roots and no client certificate.
	TLS *tls.Config `json:"-"`

	client *http.Client
}

// LogValue names what a log line may show of a department: never secrets or keys.
func (d *Department) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("id", d.ID), slog.String("kind", string(d.Kind))}
	switch {
	case d.Webhook != nil:
		attrs = append(attrs, slog.String("host", hostOf(d.Webhook.URL)), slog.String("algorithm", d.Webhook.Algorithm),
			slog.Bool("client_cert", d.Webhook.TLS != nil && len(d.Webhook.TLS.Certificates) > 0))
	case d.S3 != nil:
		attrs = append(attrs, slog.String("endpoint", d.S3.Endpoint), slog.String("bucket", d.S3.Bucket))
	}
	return slog.GroupValue(attrs...)
}

// LogValue keeps the certificate's key and the secret out of logs.
func (w *Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", hostOf(w.URL)), slog.String("algorithm", w.Algorithm),
		slog.Duration("timeout", w.Timeout), slog.Int("concurrency", w.Concurrency))
}

// LogValue keeps the secret key out of logs.
func (b *S3) LogValue() slog.Value {
	return slog.GroupValue(slog.String("endpoint", b.Endpoint), slog.String("bucket", b.Bucket), slog.String("prefix", b.Prefix))
}

// S3 is a department's own bucket.
type S3 struct {
	Endpoint  string // host:port
	Bucket    string
	Prefix    string // key prefix, "" or ending in "/"
	AccessKey string
	SecretKey Secret
	Secure    bool
	Region    string
}

// The file's shape. Field names are the YAML keys the contract names.
type fileDoc struct {
	Departments []fileDept `yaml:"departments"`
}

type fileDept struct {
	ID      string       `yaml:"id"`
	Name    string       `yaml:"name"`
	FullIDs bool         `yaml:"full_ids"`
	Webhook *fileWebhook `yaml:"webhook"`
	S3      *fileS3      `yaml:"s3"`
	Pull    bool         `yaml:"pull"`
}

type fileWebhook struct {
	URL         string `yaml:"url"`
	Secret      string `yaml:"secret"`
	SecretFile  string `yaml:"secret_file"`
	Algorithm   string `yaml:"algorithm"`
	ClientCert  string `yaml:"client_cert"`
	ClientKey   string `yaml:"client_key"`
	CAFile      string `yaml:"ca_file"`
	Timeout     string `yaml:"timeout"`
	Concurrency int    `yaml:"concurrency"`
}

type fileS3 struct {
	Endpoint      string `yaml:"endpoint"`
	Bucket        string `yaml:"bucket"`
	Prefix        string `yaml:"prefix"`
	AccessKey     string `yaml:"access_key"`
	SecretKey     string `yaml:"secret_key"`
	SecretKeyFile string `yaml:"secret_key_file"`
	Secure        bool   `yaml:"secure"`
	Region        string `yaml:"region"`
}

// ErrInvalidFile is wrapped by every refusal of the departments file.
var ErrInvalidFile = errors.New("invalid departments file")

// departmentsFile names the departments file's refusals (*yamlfile.Error); a reason never
// quotes a secret.
var departmentsFile = yamlfile.File{Name: "departments file", Kind: ErrInvalidFile}

// refuse is departmentsFile.Refuse.
var refuse = departmentsFile.Refuse

// Set is one loaded version of the departments file. It is never modified once built.
type Set struct {
	depts []*Department
	byID  map[string]*Department
}

// Get returns the department with id.
func (s *Set) Get(id string) (*Department, bool) {
	d, ok := s.byID[id]
	return d, ok
}

// All returns the departments in file order.
func (s *Set) All() []*Department { return slices.Clone(s.depts) }

// Resolve returns the departments named by ids (a joint case names several), refusing an
// unknown one.
func (s *Set) Resolve(ids []string) ([]*Department, error) {
	out := make([]*Department, 0, len(ids))
	for _, id := range ids {
		d, ok := s.byID[id]
		if !ok {
			return nil, errs.Errorf("delivery.Resolve", errs.NotFound, "unknown_department", "There is no department %q.", id)
		}
		out = append(out, d)
	}
	return out, nil
}

// CheckRefs reports the first department id in refs (e.g. a matter's code -> the ids the
// matter catalogue routes it to) that the set does not know, so that start-up refuses a
// catalogue that would route cases nowhere.
func (s *Set) CheckRefs(what string, refs map[string][]string) error {
	keys := make([]string, 0, len(refs))
	for k := range refs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, id := range refs[k] {
			if _, ok := s.byID[id]; !ok {
				return errs.Errorf("delivery.CheckRefs", errs.Invalid, "unknown_department",
					"%s %q names department %q, which the departments file does not define.", what, k, id)
			}
		}
	}
	return nil
}

// Registry holds the current Set; Reload swaps in a new one atomically, so a delivery in
// flight keeps the settings it started with.
type Registry struct {
	path string
	cur  atomic.Pointer[Set]
}

// NewRegistry loads path; "" gives an empty registry (no departments).
func NewRegistry(path string) (*Registry, error) {
	r := &Registry{path: path}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// StaticRegistry serves a set built in code (tests, tools).
func StaticRegistry(s *Set) *Registry {
	r := &Registry{}
	r.cur.Store(s)
	return r
}

// Current is the set in force.
func (r *Registry) Current() *Set { return r.cur.Load() }

// Reload reads the file again (secrets and certificates too). On any error the set in force
// stays.
func (r *Registry) Reload() error {
	if r.path == "" {
		if r.cur.Load() == nil {
			s, _ := NewSet()
			r.cur.Store(s)
		}
		return nil
	}
	data, err := os.ReadFile(r.path)
	if err != nil {
		return errs.E("delivery.Reload", errs.Invalid, "departments_file_unreadable", "The departments file cannot be read.", err)
	}
	s, err := Parse(data, filepath.Dir(r.path))
	if err != nil {
		return err
	}
	if old := r.cur.Swap(s); old != nil {
		old.closeIdle()
	}
	return nil
}

// closeIdle lets a replaced set's connections go; requests still in flight finish on them.
func (s *Set) closeIdle() {
	for _, d := range s.depts {
		if d.Webhook != nil && d.Webhook.client != nil {
			d.Webhook.client.CloseIdleConnections()
		}
	}
}

// Parse checks a departments file. Relative file names in it (secret_file, certificates)
// are taken from dir. A refused file yields an errs.Invalid error wrapping a *yamlfile.Error.
func Parse(data []byte, dir string) (*Set, error) {
	s, err := parse(data, dir)
	if err != nil {
		return nil, errs.E("delivery.Parse", errs.Invalid, "bad_departments_file", err.Error(), err)
	}
	return s, nil
}

var (
	idRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	bucketRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

func parse(data []byte, dir string) (*Set, error) {
	var f fileDoc
	doc, err := departmentsFile.Decode(data, &f)
	if errors.Is(err, yamlfile.ErrEmpty) {
		return NewSet() // an empty file: no departments
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var depts []*Department
	for i, fd := range f.Departments {
		at := func(path ...any) int { return lineOf(doc, append([]any{"departments", i}, path...)...) }
		fail := func(reason string, path ...any) error { return refuse(at(path...), reason) }
		if !idRe.MatchString(fd.ID) {
			return nil, fail(fmt.Sprintf("id %q must be 1-64 lower-case letters, digits, - or _", fd.ID), "id")
		}
		if line, dup := seen[fd.ID]; dup {
			return nil, fail(fmt.Sprintf("id %q is already used on line %d", fd.ID, line), "id")
		}
		seen[fd.ID] = at("id")
		d := &Department{ID: fd.ID, Name: fd.Name, FullIDs: fd.FullIDs}
		if d.Name == "" {
			d.Name = d.ID
		}
		kinds := 0
		for _, set := range []bool{fd.Webhook != nil, fd.S3 != nil, fd.Pull} {
			if set {
				kinds++
			}
		}
		switch {
		case kinds == 0:
			return nil, fail(fmt.Sprintf("department %q has no way to receive packages: give webhook, s3 or pull: true", fd.ID))
		case kinds > 1:
			return nil, fail(fmt.Sprintf("department %q gives more than one of webhook, s3 and pull; give exactly one", fd.ID))
		case fd.Webhook != nil:
			w, err := fd.Webhook.check(dir, func(reason, key string) error { return fail(reason, "webhook", key) })
			if err != nil {
				return nil, err
			}
			d.Kind, d.Webhook = KindWebhook, w
		case fd.S3 != nil:
			b, err := fd.S3.check(dir, func(reason, key string) error { return fail(reason, "s3", key) })
			if err != nil {
				return nil, err
			}
			d.Kind, d.S3 = KindS3, b
		default:
			d.Kind = KindPull
		}
		depts = append(depts, d)
	}
	return NewSet(depts...)
}

// NewSet builds a set from departments made in code (tests, tools), filling the defaults the
// file would. The departments are the set's from then on.
func NewSet(depts ...*Department) (*Set, error) {
	s := &Set{byID: map[string]*Department{}}
	for _, d := range depts {
		if _, dup := s.byID[d.ID]; dup || d.ID == "" {
			return nil, refuse(0, fmt.Sprintf("department id %q is empty or used twice", d.ID))
		}
		if w := d.Webhook; w != nil {
			if w.Algorithm == "" {
				w.Algorithm = AlgSHA256
			}
			if w.Timeout <= 0 {
				w.Timeout = DefaultTimeout
			}
			if w.Concurrency <= 0 {
				w.Concurrency = DefaultConcurrency
			}
			w.client = w.httpClient()
		}
		s.depts = append(s.depts, d)
		s.byID[d.ID] = d
	}
	return s, nil
}

func (fw *fileWebhook) check(dir string, fail func(reason, key string) error) (*Webhook, error) {
	w := &Webhook{URL: fw.URL, Algorithm: fw.Algorithm, Timeout: DefaultTimeout, Concurrency: fw.Concurrency}
	u, err := url.Parse(fw.URL)
	switch {
	case fw.URL == "":
		return nil, fail("webhook url is missing", "url")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fail("webhook url is not an absolute http(s) URL", "url")
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fail("webhook url must use https (plain http is allowed only to a loopback address)", "url")
	case u.User != nil:
		return nil, fail("webhook url must not carry a user or password; use secret and client_cert", "url")
	}
	sec, err := secretOf(dir, fw.Secret, fw.SecretFile)
	if err != nil {
		return nil, fail("webhook "+err.Error(), "secret_file")
	}
	if sec == nil {
		return nil, fail("webhook has no secret: give secret or secret_file", "url")
	}
	w.Secret = sec
	switch w.Algorithm {
	case "":
		w.Algorithm = AlgSHA256
	case AlgSHA256, AlgSM3:
	default:
		return nil, fail(fmt.Sprintf("webhook algorithm %q is not sha256 or sm3", fw.Algorithm), "algorithm")
	}
	if fw.Timeout != "" {
		t, err := time.ParseDuration(fw.Timeout)
		if err != nil || t <= 0 || t > 10*time.Minute {
			return nil, fail(fmt.Sprintf("webhook timeout %q is not a duration between 0 and 10m (e.g. 30s)", fw.Timeout), "timeout")
		}
		w.Timeout = t
	}
	switch {
	case w.Concurrency == 0:
		w.Concurrency = DefaultConcurrency
	case w.Concurrency < 0 || w.Concurrency > 256:
		return nil, fail("webhook concurrency must be between 1 and 256", "concurrency")
	}
	if (fw.ClientCert == "") != (fw.ClientKey == "") {
		return nil, fail("webhook client_cert and client_key go together", "client_cert")
	}
	if fw.ClientCert == "" && fw.CAFile == "" {
		return w, nil
	}
	w.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	if fw.ClientCert != "" {
		cert, err := tls.LoadX509KeyPair(inDir(dir, fw.ClientCert), inDir(dir, fw.ClientKey))
		if err != nil {
			return nil, fail("webhook client certificate cannot be loaded: "+redactPEMError(err), "client_cert")
		}
		w.TLS.Certificates = []tls.Certificate{cert}
	}
	if fw.CAFile != "" {
		pem, err := os.ReadFile(inDir(dir, fw.CAFile))
		if err != nil {
			return nil, fail("webhook ca_file cannot be read: "+err.Error(), "ca_file")
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fail("webhook ca_file holds no PEM certificate", "ca_file")
		}
		w.TLS.RootCAs = pool
	}
	return w, nil
}

func (fs *fileS3) check(dir string, fail func(reason, key string) error) (*S3, error) {
	b := &S3{Endpoint: fs.Endpoint, Bucket: fs.Bucket, Prefix: fs.Prefix, AccessKey: fs.AccessKey,
		Secure: fs.Secure, Region: fs.Region}
	switch {
	case fs.Endpoint == "":
		return nil, fail("s3 endpoint is missing (host:port)", "endpoint")
	case strings.Contains(fs.Endpoint, "/"):
		return nil, fail("s3 endpoint is host:port, without a scheme or path (use secure: true for https)", "endpoint")
	case !fs.Secure && !loopback(hostOnly(fs.Endpoint)):
		return nil, fail("s3 endpoint must use TLS (secure: true) unless it is a loopback address", "secure")
	case fs.Bucket == "":
		return nil, fail("s3 bucket is missing", "bucket")
	case !bucketRe.MatchString(fs.Bucket):
		return nil, fail(fmt.Sprintf("s3 bucket %q is not a valid bucket name (3-63 lower-case letters, digits, . and -)", fs.Bucket), "bucket")
	case fs.AccessKey == "":
		return nil, fail("s3 access_key is missing", "access_key")
	case strings.HasPrefix(fs.Prefix, "/") || strings.Contains(fs.Prefix, ".."):
		return nil, fail("s3 prefix must be relative and must not contain ..", "prefix")
	}
	if b.Prefix != "" && !strings.HasSuffix(b.Prefix, "/") {
		b.Prefix += "/"
	}
	sec, err := secretOf(dir, fs.SecretKey, fs.SecretKeyFile)
	if err != nil {
		return nil, fail("s3 "+err.Error(), "secret_key_file")
	}
	if sec == nil {
		return nil, fail("s3 has no secret key: give secret_key or secret_key_file", "access_key")
	}
	b.SecretKey = sec
	return b, nil
}

// secretOf returns the inline secret or the file's content (trailing newline dropped); nil
// when neither is given.
func secretOf(dir, inline, file string) (Secret, error) {
	switch {
	case inline != "" && file != "":
		return nil, errors.New("gives a secret both inline and in a file; give one")
	case inline != "":
		return Secret(inline), nil
	case file == "":
		return nil, nil
	}
	data, err := os.ReadFile(inDir(dir, file))
	if err != nil {
		// The path is the hall's own configuration, not the secret: it may be named.
		return nil, fmt.Errorf("secret file cannot be read: %v", err)
	}
	data = bytes.TrimRight(data, "\r\n")
	if len(data) == 0 {
		return nil, errors.New("secret file is empty")
	}
	return Secret(data), nil
}

// redactPEMError keeps crypto/tls's reason without any key material (it quotes none today;
// this keeps it so).
func redactPEMError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "-----BEGIN"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func inDir(dir, name string) string {
	if filepath.IsAbs(name) || dir == "" {
		return name
	}
	return filepath.Join(dir, name)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// loopback reports whether host is this machine: the only place plain HTTP may go, since a
// package carries personal data.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpClient builds the client of one webhook: its own transport, so that its TLS settings
// and its connections are its own and a hung department exhausts only its own pool.
func (w *Webhook) httpClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = w.TLS
	tr.MaxConnsPerHost = w.Concurrency
	tr.MaxIdleConnsPerHost = w.Concurrency
	tr.ResponseHeaderTimeout = w.Timeout
	return &http.Client{Transport: tr, Timeout: w.Timeout,
		// A redirect would resend personal data to an address the hall never configured.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// lineOf is yamlfile.LineOf.
var lineOf = yamlfile.LineOf
