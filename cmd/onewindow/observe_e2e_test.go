package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onewindow/internal/devservices"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures"
	"onewindow/pipeline/separator"
)

// A filed document's stamp carries a verification URL that a phone can open without a
// token; and every metric the sample Grafana dashboard draws exists in a running daemon
// after a small batch, so the dashboard cannot drift from the code.
func TestStampVerifiesAndDashboardMetricsExist(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	pdf := testfixtures.ScanPDF(t, testfixtures.TextPage(t, "授权委托书", "现委托受托人代为办理食品经营许可相关事宜。"))
	b := d.uploadDone(map[string]string{"case_no": "JL-VERIFY-1", "station": "A08"}, 3*time.Minute, file{"one.pdf", pdf})
	docID := b["documents"].([]any)[0].(map[string]any)["id"].(string)
	// A refused upload, so that failures by code has a series.
	if code, _ := d.upload(testToken, nil, nil, file{"junk.pdf", []byte("not a scan at all")}); code < 400 {
		t.Fatalf("junk upload: %d", code)
	}

	t.Run("stamp QR", func(t *testing.T) {
		code, filed := d.getRaw("/api/v1/documents/" + docID + "/pdf")
		if code != 200 {
			t.Fatalf("pdf: %d", code)
		}
		dir := t.TempDir()
		in := filepath.Join(dir, "doc.pdf")
		if err := os.WriteFile(in, filed, 0o600); err != nil {
			t.Fatal(err)
		}
		// 200 dpi: what a print of the page offers a phone's camera, give or take; the
		// detector works on a downscaled page, so a code that lands badly on its grid is
		// looked for again at 300 dpi, as a phone moved closer would.
		var url string
		var isSeparator bool
		for _, dpi := range []string{"200", "300"} {
			out := filepath.Join(dir, "p"+dpi)
			if msg, err := exec.Command("pdftoppm", "-r", dpi, "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", in, out).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v %s", err, msg)
			}
			f, err := os.Open(out + ".png")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if url, isSeparator = separator.Detect(img); url != "" {
				break
			}
		}
		prefix := d.base + "/verify/" + docID + "?d="
		if isSeparator || !regexp.MustCompile(`^`+regexp.QuoteMeta(prefix)+`[0-9a-f]{16}$`).MatchString(url) {
			t.Fatalf("the stamp's QR code reads %q, want %s and 16 hex digits", url, prefix)
		}
		var v map[string]any
		if code := getPublic(t, url, "application/json", &v); code != 200 || v["accepted"] != true || v["document_id"] != docID ||
			v["hall"] == "" || v["filed_at"] == nil || len(v) != 5 {
			t.Errorf("verify %s: %d %v", url, code, v)
		}
		// The filed copy's signature, checked on each request: dev mode signs with its test CA.
		if sig, _ := v["signature"].(map[string]any); sig["valid"] != true || sig["intact"] != true || sig["signer"] == "" {
			t.Errorf("verify %s: the signature reads %v", url, v["signature"])
		}
		wrong := url[:len(url)-16] + strings.Repeat("0", 16)
		var miss map[string]any
		if code := getPublic(t, wrong, "application/json", &miss); code != 404 || errorCode(miss) != "not_found" {
			t.Errorf("a wrong digest: %d %v", code, miss)
		}
		var unknown map[string]any
		if code := getPublic(t, d.base+"/verify/"+docID+"9"+url[len(prefix)-3:], "application/json", &unknown); code != 404 || fmtJSON(unknown) != fmtJSON(miss) {
			t.Errorf("an unknown ID: %d %v, a wrong digest: %v", code, unknown, miss)
		}
		var page string
		if code := getPublic(t, url, "text/html", &page); code != 200 || !strings.Contains(page, "核验通过") {
			t.Errorf("the page for people: %d %s", code, page)
		}
	})

	t.Run("dashboard metrics", func(t *testing.T) {
		code, fix := d.post("/api/v1/admin/fixity")
		if code != 200 {
			t.Fatalf("fixity: %d %v", code, fix)
		}
		var scrape string
		if code := getPublic(t, d.base+"/metrics", "text/plain", &scrape); code != 200 {
			t.Fatalf("/metrics: %d", code)
		}
		types := map[string]string{}
		for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) (\S+)$`).FindAllStringSubmatch(scrape, -1) {
			types[m[1]] = m[2]
		}
		exprs := dashboardExprs(t, filepath.Join("..", "..", "docs", "grafana-dashboard.json"))
		if len(exprs) < 10 {
			t.Fatalf("%d panel expressions", len(exprs))
		}
		for _, expr := range exprs {
			names := regexp.MustCompile(`\bonewindow_[a-z0-9_]+`).FindAllString(expr, -1)
			if len(names) == 0 {
				t.Errorf("%s draws no onewindow metric", expr)
			}
			for _, name := range names {
				family := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(name, "")
				if _, ok := types[name]; !ok && types[family] != "histogram" {
					t.Errorf("the dashboard draws %s, which the daemon does not export", name)
				}
			}
		}
		// The batch went through every stage, timed.
		var took []string
		for _, stage := range []string{"fetch", "render", "store", "decode", "detect", "ocr", "orient", "reread", "gather",
			"split", "classify", "extract", "stamp", "pdf", "file", "index"} {
			var sum, count float64
			_, errSum := fmt.Sscan(seriesValue(scrape, `onewindow_stage_seconds_sum{stage="`+stage+`"}`), &sum)
			_, errCount := fmt.Sscan(seriesValue(scrape, `onewindow_stage_seconds_count{stage="`+stage+`"}`), &count)
			if errSum != nil || errCount != nil || count == 0 {
				t.Errorf("no onewindow_stage_seconds for stage %s", stage)
				continue
			}
			took = append(took, fmt.Sprintf("%s %.1f ms (%g)", stage, 1000*sum/count, count))
		}
		t.Logf("mean stage time (observations): %s", strings.Join(took, ", "))
		for _, series := range []string{`onewindow_task_seconds_count{outcome="ok",type="page:process"}`,
			`onewindow_queue_latency_seconds{queue=`, "onewindow_queue_up 1", "onewindow_batch_seconds_count 1"} {
			if !strings.Contains(scrape, series) {
				t.Errorf("no %s in /metrics", series)
			}
		}
	})
}

// A work process without the API serves its own /metrics on --metrics-addr: the stage and
// task timings of a hall's workers are theirs, not the API processes'.
func TestWorkProcessServesMetrics(t *testing.T) {
	svc := testenv.Services(t)
	h := startHall(t, svc.RedisURL(), testenv.S3Options(svc), 0)
	port, err := devservices.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	launch(t, t.TempDir(), "work", append(h.env, "ONEWINDOW_CONCURRENCY=1", fmt.Sprintf("ONEWINDOW_METRICS_ADDR=127.0.0.1:%d", port))...)
	ids := h.uploadStacks(t, "JL-METRICS", 1)
	if b := h.api.waitBatch(ids[0], 3*time.Minute); b["status"] != "done" {
		t.Fatalf("batch: %v", b)
	}
	var scrape string
	if code := getPublic(t, metricsURL, "text/plain", &scrape); code != 200 {
		t.Fatalf("work /metrics: %d", code)
	}
	for _, series := range []string{`onewindow_stage_seconds_count{stage="ocr"}`, `onewindow_stage_seconds_count{stage="file"}`,
		`onewindow_task_seconds_count{outcome="ok",type="batch:assemble"}`, "onewindow_batch_seconds_count 1"} {
		if !strings.Contains(scrape, series) {
			t.Errorf("no %s in the work process's /metrics", series)
		}
	}
}

// dashboardExprs checks the dashboard is a Grafana JSON model to import (its datasource an
// input, every panel placed and numbered once) and returns its panels' expressions.
func dashboardExprs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type target struct {
		Expr       string `json:"expr"`
		RefID      string `json:"refId"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	}
	var dash struct {
		Inputs []struct {
			Name, Type, PluginID string
		} `json:"__inputs"`
		SchemaVersion int    `json:"schemaVersion"`
		Title         string `json:"title"`
		UID           string `json:"uid"`
		Panels        []struct {
			ID      int    `json:"id"`
			Type    string `json:"type"`
			Title   string `json:"title"`
			GridPos *struct {
				H, W, X, Y int
			} `json:"gridPos"`
			Targets []target `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	if len(dash.Inputs) != 1 || dash.Inputs[0].Name != "DS_PROMETHEUS" || dash.Inputs[0].PluginID != "prometheus" ||
		dash.SchemaVersion < 36 || dash.Title == "" || dash.UID == "" {
		t.Errorf("not a Grafana 10 model with a DS_PROMETHEUS input: %+v", dash.Inputs)
	}
	ids := map[int]bool{}
	var exprs []string
	for _, p := range dash.Panels {
		if ids[p.ID] || p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %d %q: id repeated or not placed", p.ID, p.Title)
		}
		ids[p.ID] = true
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Datasource.UID != "${DS_PROMETHEUS}" || tg.RefID == "" {
				t.Errorf("panel %q: query %q not on ${DS_PROMETHEUS}", p.Title, tg.Expr)
			}
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}

// getPublic GETs url without a token, asking for accept; the body goes into out as JSON
// (a map) or as text (a string).
func getPublic(t *testing.T, url, accept string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch o := out.(type) {
	case *string:
		*o = string(body)
	default:
		if err := json.Unmarshal(body, out); err != nil {
			t.Errorf("%s: %d, not JSON: %q", url, resp.StatusCode, body)
		}
	}
	return resp.StatusCode
}

// seriesValue is the value of one series in a Prometheus text scrape, "" if it is not there.
func seriesValue(scrape, series string) string {
	for _, line := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func fmtJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
