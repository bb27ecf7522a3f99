package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"onewindow/internal/auth"
	"onewindow/internal/config"
	"onewindow/internal/metrics"
)

// command describes a command for help: what it does, how it is called, its own flags, and
// which groups of settings it reads.
type command struct {
	summary string
	usage   string
	about   string
	flags   [][2]string // its own flags: name and help, beside the settings
	groups  []string
}

// Settings groups, in the order help shows them. A setting not named here is shown under
// "other settings", so a new one is never hidden.
var settingGroups = []struct {
	name  string
	flags []string
}{
	{"storage", []string{"redis-url", "s3-endpoint", "s3-access-key", "s3-secret-key", "s3-secure", "s3-region", "s3-public-url", "bucket-prefix"}},
	{"HTTP API", []string{"addr", "tls-cert", "tls-key", "admin-token", "tokens-file", "session-key", "rate-limit", "rate-limit-burst", "signin-rate-limit", "max-upload-bytes", "max-pages", "max-page-pixels", "index-dir", "fixity-every", "timestamp-every"}},
	{"workers and OCR", []string{"concurrency", "task-timeout", "max-retry", "task-check-interval", "ocr-languages", "ocr-latin-languages", "tessdata-prefix", "ocr-psm", "ocr-recycle", "hall-name", "public-base-url", "metrics-addr", "taxonomy-file", "review-threshold"}},
	{"archive", []string{"retention-mode", "retention-years", "retention-by-type", "retention-by-matter", "audit-retention-years", "archival-code-pattern", "fonds-code"}},
	{"front desk", []string{"time-zone", "matters-file", "calendar-file", "case-no-pattern", "notice-templates", "notice-font", "notify-url", "notify-secret", "departments-file"}},
	{"dev mode", []string{"data-dir", "minio-bin", "redis-bin", "watch-dir"}},
	{"logging", []string{"log-level", "log-format"}},
}

var allGroups = []string{"storage", "HTTP API", "workers and OCR", "archive", "front desk", "dev mode", "logging"}

var connected = []string{"storage", "archive", "logging"}

var help = map[string]command{
	"dev": {summary: "API and workers in one process, with a private Redis and MinIO",
		usage:  "onewindow dev [flags]",
		about:  "Starts redis-server and minio under --data-dir on free loopback ports unless --redis-url and --s3-endpoint name running ones, prints the admin token and a curl line, and stops what it started on exit.",
		groups: allGroups},
	"serve": {summary: "the HTTP API and the web desks",
		usage:  "onewindow serve [flags]",
		about:  "Runs against an existing Redis and S3; run as many as the hall needs behind its proxy.",
		groups: []string{"storage", "HTTP API", "archive", "front desk", "logging", "workers and OCR"}},
	"work": {summary: "the queue workers (OCR, assembly, filing, delivery)",
		usage:  "onewindow work [flags]",
		about:  "Runs against an existing Redis and S3; each process runs --concurrency OCR engines.",
		groups: []string{"storage", "workers and OCR", "archive", "front desk", "logging"}},
	"token": {summary: "make a bearer token (and optionally a web password) for a role",
		usage: "onewindow token --role ROLE --name NAME [--station S] [--department D] [--password-stdin]",
		about: "Prints the token once and the entry to add to the tokens file; only hashes are stored.",
		flags: [][2]string{{"role", "one of " + strings.Join(auth.Roles, ", ")}, {"name", "who holds the token, e.g. station-3"},
			{"station", "binds a scanner to its station's batches"}, {"department", "the department a department token speaks for"},
			{"password-stdin", "read a password for the web sign-in from standard input (one line)"}}},
	"healthcheck": {summary: "ask a local serve or work process whether it is alive (exit 0) or not (1)", usage: "onewindow healthcheck [--ready] serve|work",
		about:  "serve: GET /healthz on --addr (with --ready, /readyz: Redis, MinIO and OCR answer); work: GET /healthz on --metrics-addr. For systemd timers, container health checks and probes.",
		flags:  [][2]string{{"ready", "ask /readyz instead (serve only)"}, {"timeout", "how long to wait for the answer"}, {"wait", "ask again every second until healthy or this long has passed"}},
		groups: []string{"HTTP API", "workers and OCR", "logging"}},
	"version": {summary: "print the version, VCS revision and Go version", usage: "onewindow version"},
	"help":    {summary: "describe the commands, or one command and its flags", usage: "onewindow help [COMMAND]"},
	"watch": {summary: "upload what scanners leave in a folder", usage: "onewindow watch [flags] DIR",
		flags: [][2]string{{"api-url", "the onewindow API to upload to (ONEWINDOW_API_URL)"}, {"token", "a scanner's bearer token (ONEWINDOW_WATCH_TOKEN)"}, {"token-file", "read the token from this file (ONEWINDOW_WATCH_TOKEN_FILE)"},
			{"station", "station of files whose folder names none (ONEWINDOW_STATION)"}, {"every", "how often the folder is looked at"},
			{"stable-for", "how long a file without a .done sidecar must keep its size"}}},
	"reindex": {summary: "rebuild Redis and the search indexes from MinIO", usage: "onewindow reindex [flags]", groups: connected},
	"fixity": {summary: "re-read every archived object and compare digests (exit 3 on a mismatch)", usage: "onewindow fixity [flags]",
		flags: [][2]string{{"parallel", "objects read at once"}}, groups: connected},
	"export": {summary: "export a case as a BagIt bag", usage: "onewindow export --case-no N --out FILE.zip [flags]",
		flags: [][2]string{{"case-no", "the case to export"}, {"out", "the zip file to write"}}, groups: connected},
	"verify-bag": {summary: "check a bag, zipped or a directory (exit 3 if not intact, 1 if it cannot be checked)", usage: "onewindow verify-bag FILE.zip|DIR",
		about: "Checks bagit.txt, every manifest in md5, sha1, sha224, sha256, sha384, sha512 or sm3, fetch.txt and Payload-Oxum (RFC 8493).\nExit status: 0 intact; 3 not intact (a check found a fault, each named on standard output); 1 cannot be checked (not a bag, unreadable)."},
	"import-bag": {summary: "import a verified bag into this installation (exit 3 if not intact)", usage: "onewindow import-bag [flags] FILE.zip|DIR", groups: connected},
	"audit":      {summary: "verify the access log's hash chain (exit 3 at the first bad link)", usage: "onewindow audit verify [flags]", groups: connected},
	"report": {summary: "the four-properties report (DA/T 70) of a case or a period", usage: "onewindow report [--case-no N | --from D --to D] [--format json|pdf] [--out FILE] [flags]",
		flags:  [][2]string{{"case-no", "the case to report on"}, {"from", "first day filed (YYYY-MM-DD)"}, {"to", "last day filed (YYYY-MM-DD)"}, {"format", "json or pdf"}, {"out", "write here instead of standard output"}, {"notice-font", "the Chinese font the PDF embeds (empty: Debian's wqy-zenhei)"}},
		groups: connected},
	"eval": {summary: "score the pipeline on a ground-truth corpus (no Redis or MinIO)", usage: "onewindow eval [flags] CORPUS_DIR",
		groups: []string{"workers and OCR", "logging"}},
}

// isHelp reports whether args ask for help rather than a run.
func isHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// printOverview lists the commands with what each does.
func printOverview(w io.Writer) {
	fmt.Fprintln(w, "onewindow digitises the paper that reaches a service hall and files it.")
	fmt.Fprintln(w, "\nUsage: onewindow COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-11s %s\n", name, help[name].summary)
	}
	fmt.Fprintln(w, "\nonewindow help COMMAND (or onewindow COMMAND -h) describes a command and its flags.")
	fmt.Fprintln(w, "Every setting is a flag and an ONEWINDOW_ environment variable; a flag wins.")
}

// printCommand describes one command: its use, its own flags and its settings by group.
func printCommand(w io.Writer, name string) error {
	c, ok := help[name]
	if _, known := commands[name]; !ok && !known {
		return fmt.Errorf("no command %q (onewindow help lists them)", name)
	}
	fmt.Fprintf(w, "onewindow %s: %s\n\nUsage: %s\n", name, c.summary, c.usage)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", c.about)
	}
	if len(c.flags) > 0 {
		fmt.Fprintln(w, "\nFlags:")
		for _, f := range c.flags {
			fmt.Fprintf(w, "  --%-22s %s\n", f[0], f[1])
		}
	}
	if len(c.groups) == 0 {
		return nil
	}
	cfg := config.Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if err := cfg.Register(fs); err != nil {
		return err
	}
	grouped := map[string]bool{}
	show := func(title string, names []string) {
		var lines []string
		for _, n := range names {
			f := fs.Lookup(n)
			if f == nil {
				continue
			}
			grouped[n] = true
			usage := f.Usage
			if config.IsSecret(n) {
				grouped[n+"-file"] = true
				usage += "; or --" + n + "-file FILE"
			}
			def := ""
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "0s" {
				def = " [" + f.DefValue + "]"
			}
			lines = append(lines, fmt.Sprintf("  --%-22s %s%s", n, usage, def))
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "\nSettings: %s\n%s\n", title, strings.Join(lines, "\n"))
		}
	}
	for _, g := range settingGroups {
		if slices.Contains(c.groups, g.name) {
			show(g.name, g.flags)
		} else {
			for _, n := range g.flags {
				grouped[n] = true
			}
		}
	}
	var other []string
	fs.VisitAll(func(f *flag.Flag) {
		if !grouped[f.Name] {
			other = append(other, f.Name)
		}
	})
	show("other settings", other)
	return nil
}

func runHelp(_ context.Context, args []string) error {
	if len(args) == 0 {
		printOverview(os.Stdout)
		return nil
	}
	return printCommand(os.Stdout, args[0])
}

// runVersion prints the release and the revision the binary was built from (metrics.Build:
// the values a release build links in, else Go's VCS stamping).
func runVersion(context.Context, []string) error {
	fmt.Println(metrics.Build())
	return nil
}

// runTokenCmd makes a token for a known role and prints the tokens-file entry, checked as
// loading the file would check it, so a bad role fails now rather than at the next restart.
func runTokenCmd(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("onewindow token", flag.ContinueOnError)
	role := fs.String("role", auth.RoleScanner, "one of "+strings.Join(auth.Roles, ", "))
	name := fs.String("name", "", "who holds the token, e.g. station-3")
	station := fs.String("station", "", "binds a scanner to its station's batches")
	department := fs.String("department", "", "the department a department token speaks for")
	pwStdin := fs.Bool("password-stdin", false, "read a password for the web sign-in from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !auth.ValidRole(*role) {
		return fmt.Errorf("unknown role %q: one of %s", *role, strings.Join(auth.Roles, ", "))
	}
	if *name == "" {
		return errors.New("give the token a --name")
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	tok := hex.EncodeToString(buf)
	e := auth.TokenEntry{Name: *name, Role: *role, SHA256: auth.HashToken(tok), Station: *station, Department: *department}
	if *pwStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw := strings.TrimRight(line, "\r\n")
		if len(pw) < 8 {
			return errors.New("the password needs at least 8 characters")
		}
		if e.Password, err = auth.HashPassword(pw); err != nil {
			return err
		}
	}
	if err := auth.CheckEntry(e); err != nil {
		return err
	}
	entry, _ := json.Marshal(e)
	fmt.Printf("token (give it to %s; it is not stored): %s\n", *name, tok)
	fmt.Printf("add to the tokens file:\n  %s\n", entry)
	return nil
}
