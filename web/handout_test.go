package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onewindow/internal/clock"
)

// serve puts the pages in front of api, which answers some routes before the fake API.
func (hs *harness) serve(api http.Handler) {
	hs.t.Helper()
	var err error
	hs.h, err = New(Options{API: api, Tokens: mustTokens(hs.t), SessionKey: bytes.Repeat([]byte("k"), 32),
		Clock: clock.New(nil, func() time.Time { return hs.now }), PollEvery: time.Millisecond})
	if err != nil {
		hs.t.Fatal(err)
	}
}

// handoutAPI answers a case whose result is ready and keeps the hand-out the page sends.
type handoutAPI struct {
	*fakeAPI
	sent []map[string]any
}

func (a *handoutAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/api/v1/cases/JL-3":
		writeJSON(w, 200, map[string]any{"case_no": "JL-3", "matter": "JL-SC-001", "state": "result_ready", "version": 9,
			"applicant": map[string]any{"name": "杨佳", "id_number": "220103********5957"}})
	case r.URL.Path == "/api/v1/cases/JL-3/deliveries":
		writeJSON(w, 200, map[string]any{"case_no": "JL-3", "deliveries": []any{}})
	case r.Method == "POST" && r.URL.Path == "/api/v1/cases/JL-3/handout":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		a.sent = append(a.sent, body)
		if body["waybill"] == "bad" {
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "bad_waybill", "message": "does not fit"}})
			return
		}
		writeJSON(w, 200, map[string]any{"case_no": "JL-3", "method": body["method"]})
	default:
		a.fakeAPI.ServeHTTP(w, r)
	}
}

// The case page hands a result out by mail or pickup; a refusal, the API's or the page's own
// (the confirmation box), shows the case again with what was typed.
func TestHandoutFromTheCasePage(t *testing.T) {
	hs := newHarness(t)
	api := &handoutAPI{fakeAPI: hs.api}
	hs.serve(api)
	hs.signIn("", adminToken)
	page := hs.get("/cases/JL-3").Body.String()
	for _, want := range []string{"结果发放", "窗口领取", "邮寄送达", "<strong>5957</strong>", "发放并办结"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page does not show %q", want)
		}
	}
	token := hs.csrf("/cases/JL-3")

	w := hs.post("/cases/JL-3/handout", url.Values{"csrf": {token}, "method": {"mail"}, "carrier": {"SF"}, "waybill": {" SF1234567890123 "}})
	if w.Code != 303 || w.Header().Get("Location") != "/cases/JL-3?m=handed_out" {
		t.Fatalf("mail hand-out: %d %s", w.Code, w.Body)
	}
	if got := api.sent[0]; got["method"] != "mail" || got["carrier"] != "SF" || got["waybill"] != "SF1234567890123" || got["collector"] != nil {
		t.Errorf("mail hand-out sent %v", got)
	}

	w = hs.post("/cases/JL-3/handout", url.Values{"csrf": {token}, "method": {"mail"}, "carrier": {"EMS"}, "waybill": {"bad"}})
	body := w.Body.String()
	if w.Code != 422 || !strings.Contains(body, "运单号与快递公司的格式不符") || !strings.Contains(body, `value="bad"`) ||
		!strings.Contains(body, `value="mail" checked`) {
		t.Errorf("a refused waybill: %d, the form not kept:\n%s", w.Code, body)
	}

	sent := len(api.sent)
	w = hs.post("/cases/JL-3/handout", url.Values{"csrf": {token}, "method": {"pickup"}, "collector_name": {"杨佳"},
		"collector_id": {"220103198909195957"}})
	if w.Code != 422 || !strings.Contains(w.Body.String(), "请勾选") || !strings.Contains(w.Body.String(), `value="杨佳"`) || len(api.sent) != sent {
		t.Errorf("a pickup without the confirmation: %d, sent %d", w.Code, len(api.sent)-sent)
	}
	w = hs.post("/cases/JL-3/handout", url.Values{"csrf": {token}, "method": {"pickup"}, "collector_name": {"杨佳"},
		"collector_id": {"220103198909195957"}, "confirmed": {"1"}})
	if got := api.sent[len(api.sent)-1]; w.Code != 303 || got["confirmation"] != "confirmed" ||
		got["collector"].(map[string]any)["id_number"] != "220103198909195957" {
		t.Errorf("pickup: %d, sent %v", w.Code, got)
	}
}

// A duplicate archival code shows on the report page in words, with the other document linked.
func TestReportNamesADuplicateArchivalCode(t *testing.T) {
	hs := newHarness(t)
	hs.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/report" {
			hs.api.ServeHTTP(w, r)
			return
		}
		writeJSON(w, 200, map[string]any{"ok": false, "generated_at": "2026-12-07T03:04:05Z", "documents": []map[string]any{
			{"document_id": "b-1-001", "archival_code": "J042-ZW·2026-D30-C1-0003", "properties": map[string]string{"authenticity": "fail"},
				"checks": []map[string]any{{"property": "authenticity", "check": "archival_code_unique", "object": "J042-ZW·2026-D30-C1-0003",
					"status": "fail", "detail": "archival code J042-ZW·2026-D30-C1-0003 is also that of b-2-001", "related": []string{"b-2-001"}}}}}})
	}))
	hs.signIn("", adminToken)
	page := hs.get("/report?case_no=C1").Body.String()
	for _, want := range []string{"有未通过项", "档号唯一性", "档号 J042-ZW·2026-D30-C1-0003 同时属于", `<a href="/documents/b-2-001">b-2-001</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page does not show %q", want)
		}
	}
	if strings.Contains(page, "is also that of") {
		t.Error("the report page shows the English detail")
	}
}

// The pad's field is a signature only when it holds a PNG data URL; anything else is no
// signature, and the confirmation checkbox decides.
func TestSignaturePNG(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n rest"
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte(png)), true},
		{"", false},
		{"data:image/jpeg;base64," + base64.StdEncoding.EncodeToString([]byte(png)), false},
		{"data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("GIF89a")), false},
		{"data:image/png;base64,!!!", false},
	} {
		got, ok := signaturePNG(tc.in)
		if ok != tc.want || (ok && string(got) != png) {
			t.Errorf("%.30q: %v %q", tc.in, ok, got)
		}
	}
}
