package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onewindow/internal/auth"
	"onewindow/internal/devservices"
	"onewindow/internal/testenv"
)

// Every secret setting given as a file (the Docker and systemd credentials convention):
// `serve` reaches a password-protected Redis and MinIO and takes the admin token and the web
// session key from files, and none of them shows in its log (at debug level, after good
// and bad requests and a sign-in), in /metrics, in help or in a usage error.
func TestSecretsFromFilesNeverShow(t *testing.T) {
	svc := testenv.Services(t)
	secrets := map[string]string{
		"ADMIN_TOKEN":   "admin-from-file-5f0c2d1e9b",
		"REDIS_URL":     "",
		"S3_SECRET_KEY": svc.S3SecretKey,
		"SESSION_KEY":   "session-key-from-file-0123456789abcdef",
		"NOTIFY_SECRET": "notify-secret-from-file-77aa",
	}
	redisPassword := "redis-pw-from-file-31c9e4"
	if err := testenv.State(t, svc).Redis().ConfigSet(context.Background(), "requirepass", redisPassword).Err(); err != nil {
		t.Fatal(err)
	}
	secrets["REDIS_URL"] = "redis://:" + redisPassword + "@" + svc.RedisAddr + "/0"
	dir := t.TempDir()
	env := []string{"ONEWINDOW_S3_ENDPOINT=" + svc.S3Endpoint, "ONEWINDOW_BUCKET_PREFIX=secrets",
		"ONEWINDOW_NOTIFY_URL=http://127.0.0.1:9/notify"}
	// The access key names an account (dev mode's is "onewindow"): read from its file, not
	// looked for in the output.
	files := map[string]string{"S3_ACCESS_KEY": svc.S3AccessKey}
	for name, value := range secrets {
		files[name] = value
	}
	for name, value := range files {
		path := filepath.Join(dir, strings.ToLower(name))
		if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// The plain variable is cleared (launch sets some), the _FILE one names the file.
		env = append(env, "ONEWINDOW_"+name+"=", "ONEWINDOW_"+name+"_FILE="+path)
	}
	d := launch(t, t.TempDir(), "serve", env...)
	d.token = secrets["ADMIN_TOKEN"]
	d.waitReady()

	if code, body := d.get("/api/v1/batches"); code != 200 {
		t.Fatalf("the admin token from its file: %d %v", code, body)
	}
	if code, _ := d.upload(d.token, nil, nil, file{"junk.pdf", []byte("%PDF-1.4 not really")}); code/100 != 4 {
		t.Errorf("a broken upload: %d", code)
	}
	bad := *d
	bad.token = secrets["ADMIN_TOKEN"] + "x"
	if code, _ := bad.get("/api/v1/batches"); code != 401 {
		t.Errorf("a wrong token: %d", code)
	}
	if code := signIn(t, d.base, "", secrets["ADMIN_TOKEN"]); code != http.StatusSeeOther {
		t.Errorf("signing in with the admin token: %d", code)
	}
	signIn(t, d.base, "nobody", secrets["SESSION_KEY"])
	_, metrics := d.getRaw("/metrics")

	cmdEnv := os.Environ()
	cmdEnv = append(cmdEnv, env...)
	run := func(args ...string) string {
		cmd := exec.Command(binPath, args...)
		cmd.Env = cmdEnv
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	help := run("help", "serve")
	if !strings.Contains(help, "--admin-token-file") {
		t.Errorf("help does not offer --admin-token-file:\n%s", help)
	}
	usageErr := run("serve", "--no-such-flag")
	d.stop()

	for what, text := range map[string]string{"log": d.log.String(), "/metrics": string(metrics), "help": help, "usage error": usageErr} {
		for name, value := range secrets {
			if strings.Contains(text, value) {
				t.Errorf("%s shows %s", what, name)
			}
		}
		if strings.Contains(text, redisPassword) {
			t.Errorf("%s shows the Redis password", what)
		}
	}
}

// servicesEnv points a serve or work process at svc's Redis and MinIO, under its own bucket prefix.
func servicesEnv(svc *devservices.Services, bucketPrefix string) []string {
	return []string{"ONEWINDOW_REDIS_URL=" + svc.RedisURL(), "ONEWINDOW_S3_ENDPOINT=" + svc.S3Endpoint,
		"ONEWINDOW_S3_ACCESS_KEY=" + svc.S3AccessKey, "ONEWINDOW_S3_SECRET_KEY=" + svc.S3SecretKey,
		"ONEWINDOW_BUCKET_PREFIX=" + bucketPrefix}
}

// signIn posts the web sign-in form as a browser would (pre-session cookie and CSRF token
// first) and returns the status, not following the redirect.
func signIn(t *testing.T, base, user, password string) int {
	t.Helper()
	code, _ := signInWithHeader(t, base, user, password)
	return code
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signInWithHeader(t *testing.T, base, user, password string) (int, http.Header) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page:\n%s", page)
	}
	resp, err = c.PostForm(base+"/signin", url.Values{"csrf": {string(m[1])}, "user": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// A real `serve` with small limits: a principal over its rate gets 429 rate_limited with
// Retry-After while another principal goes on; requests without a valid token are limited by
// address; failed web sign-ins are limited by address, before the password is checked.
func TestRateLimits(t *testing.T) {
	svc := testenv.Services(t)
	scannerToken := "scanner-token-for-rate-test"
	entries, _ := json.Marshal([]auth.TokenEntry{{Name: "station-1", Role: auth.RoleScanner, SHA256: auth.HashToken(scannerToken)}})
	tokensFile := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(tokensFile, entries, 0o600); err != nil {
		t.Fatal(err)
	}
	d := launch(t, t.TempDir(), "serve", append(servicesEnv(svc, "rate"),
		"ONEWINDOW_TOKENS_FILE="+tokensFile,
		"ONEWINDOW_RATE_LIMIT=1", "ONEWINDOW_RATE_LIMIT_BURST=5", "ONEWINDOW_SIGNIN_RATE_LIMIT=1")...)
	d.waitReady()

	call := func(token string) (int, string, string) {
		req, _ := http.NewRequest("GET", d.base+"/api/v1/batches", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Error.Code, resp.Header.Get("Retry-After")
	}
	count := func(token string, n int) map[int]int {
		seen := map[int]int{}
		for range n {
			code, errCode, retry := call(token)
			seen[code]++
			if code == http.StatusTooManyRequests && (errCode != "rate_limited" || retry == "" || retry == "0") {
				t.Errorf("429 with code %q and Retry-After %q", errCode, retry)
			}
		}
		return seen
	}
	if seen := count(testToken, 12); seen[200] < 5 || seen[200] > 7 || seen[429] < 5 {
		t.Errorf("admin, 12 requests at once with a burst of 5 at 1/s: %v", seen)
	}
	if seen := count(scannerToken, 3); seen[200] != 3 {
		t.Errorf("another principal is held back by the admin's bucket: %v", seen)
	}
	if seen := count("", 12); seen[401] < 3 || seen[429] < 5 { // /readyz spent some of the burst
		t.Errorf("12 requests without a token from one address: %v", seen)
	}

	// Sign-ins: ten failures in a burst, then 429 whatever is typed.
	var last int
	var hdr http.Header
	for i := range 11 {
		last, hdr = signInWithHeader(t, d.base, "", fmt.Sprintf("wrong-token-%d", i))
		if i < 10 && last != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i+1, last)
		}
	}
	if last != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Errorf("eleventh failed sign-in: %d, Retry-After %q", last, hdr.Get("Retry-After"))
	}
}

// `serve --tls-cert --tls-key` answers HTTPS with that certificate, and the key file's path is
// all the log says of it.
func TestServeTLS(t *testing.T) {
	svc := testenv.Services(t)
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	d := launch(t, t.TempDir(), "serve", append(servicesEnv(svc, "tls"),
		"ONEWINDOW_TLS_CERT="+certFile, "ONEWINDOW_TLS_KEY="+keyFile)...)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	base := strings.Replace(d.base, "http://", "https://", 1)
	deadline := time.Now().Add(90 * time.Second)
	for {
		req, _ := http.NewRequest("GET", base+"/api/v1/batches", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 && resp.TLS != nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no HTTPS answer: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if resp, err := http.Get(d.base + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered on the TLS port")
		}
	}
	d.stop()
	block, _ := pem.Decode(keyPEM)
	if strings.Contains(d.log.String(), base64.StdEncoding.EncodeToString(block.Bytes)[:40]) {
		t.Error("the log shows the TLS key")
	}
}

// selfSigned makes a certificate for 127.0.0.1 and its key, PEM-encoded.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "onewindow test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}
