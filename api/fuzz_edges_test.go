package api

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

// FuzzIntakeForm sends arbitrary multipart bodies: whatever arrives, the answer is a 2xx or a
// 4xx with its code, never a 5xx or a panic.
func FuzzIntakeForm(f *testing.F) {
	img := tinyPNG(f)
	e := newEdgeEnv(f)
	for _, parts := range [][]part{
		{field("case_no", "JL-1"), filePart("a.png", img)},
		{field("case_no", "JL\xff"), filePart("a.png", img)},
		{{`form-data; name="file"; filename*=UTF-8''a%00.pdf`, "%PDF-1.7"}},
		{field("departments", "税务、社保"), field("source", "mail"), filePart("b.png", img)},
	} {
		ct, body := form(f, parts...)
		f.Add(ct[len("multipart/form-data; boundary="):], body)
	}
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/batches", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		req.Header.Set("Authorization", "Bearer scanner")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		if w.Code >= 500 || (w.Code >= 400 && errCode(w) == "") {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
	})
}
