package casedesk_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"onewindow/cases/casedesk"
	"onewindow/cases/notice"
	"onewindow/internal/clock"
	"onewindow/internal/esign"
)

// Notices and the courier desk's register carry the hall's signature: a copy of the seal
// picture proves nothing, the signature anyone can check.
func TestNoticesAndRegistersAreSigned(t *testing.T) {
	e := newEnv(t, nil)
	pki, err := esign.NewDevPKI("长春市政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := notice.New(notice.Options{Hall: "长春市政务服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := casedesk.New(casedesk.Options{Store: e.store, Notices: r, Clock: clock.New(cst, nil), Log: slog.New(slog.DiscardHandler), Signer: pki.Signer})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	d.Routes(mux, testAuthz)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)

	var c caseJSON
	if status := e.do("POST", "/api/v1/cases", "window:w1", map[string]any{"matter": "JL-RS-001",
		"applicant": map[string]string{"name": "王五", "id_number": idZhang}}, nil, &c); status != 201 {
		t.Fatalf("open: %d %+v", status, c)
	}
	var got caseJSON
	if status := e.do("POST", "/api/v1/cases/"+c.CaseNo+"/decision", "window:w1", map[string]string{"decision": "correction_required", "reason": "材料不全"},
		map[string]string{"If-Match": fmt.Sprint(c.Version)}, &got); status != 200 {
		t.Fatalf("decide: %d %+v", status, got)
	}
	id, _ := got.lastNotice()
	ctx := context.Background()
	pdf, err := e.store.Notice(ctx, c.CaseNo, id)
	if err != nil {
		t.Fatal(err)
	}
	v := &esign.Verifier{Roots: pki.Signer.Roots()}
	if check := v.VerifyPDF(pdf); !check.Valid || check.Last().Signer != "长春市政务服务中心" || check.Last().Stamp == nil {
		t.Fatalf("notice: %+v", check)
	}
	register, err := d.RegisterPDF(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if check := v.VerifyPDF(register); !check.Valid {
		t.Fatalf("register: %+v", check)
	}
}
