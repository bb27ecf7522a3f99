package main

import (
	"strings"
	"testing"
	"time"

	"onewindow/internal/testfixtures"
	"onewindow/internal/testfixtures/encode"
)

// TestOCREngineCrashAndHang runs `serve` and two `work` processes whose OCR engines crash
// (a fault inside C, as Tesseract's own) or hang on marked pages. Each marked batch fails
// with ocr_engine_crashed naming its page; an ordinary batch uploaded after the hanging one
// is filed before it gives up; both workers are still serving at the end.
func TestOCREngineCrashAndHang(t *testing.T) {
	fh := startFaultHall(t, faultScenario{name: "ocr engine faults",
		env: []string{"ONEWINDOW_TEST_OCR_FAULTS=1", "ONEWINDOW_OCR_PAGE_TIMEOUT=5s"}})
	api := fh.hall.api
	page := testfixtures.PNG(t, testfixtures.TextPage(t, "营业执照", "统一社会信用代码：91220101MA17XJ1234", "Business licence"))

	upload := func(name string, data []byte) string {
		t.Helper()
		code, body := api.upload(testToken, nil, map[string]string{"case_no": "OCR-FAULTS"}, file{name, data})
		if code != 202 {
			t.Fatalf("upload %s: %d %v", name, code, body)
		}
		return body["id"].(string)
	}
	hangID := upload("hang.png", encode.PNGWithComment(t, page, "onewindow-test-fault:hang"))
	time.Sleep(time.Second) // the hanging page is on its engine before the others arrive
	okID := upload("stack.pdf", stackPages(t)[0].data)
	crashID := upload("crash.png", encode.PNGWithComment(t, page, "onewindow-test-fault:crash"))

	ok := api.waitBatch(okID, 3*time.Minute)
	if ok["status"] != "done" {
		t.Fatalf("ordinary batch: %v", ok)
	}
	hang := api.waitBatch(hangID, 3*time.Minute)
	for name, b := range map[string]map[string]any{"crash": api.waitBatch(crashID, 3*time.Minute), "hang": hang} {
		e, _ := b["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if b["status"] != "failed" || e["code"] != "ocr_engine_crashed" || !strings.Contains(msg, "Page 1") {
			t.Errorf("%s batch: %v, want failed with ocr_engine_crashed naming page 1", name, b)
		}
	}
	for i, w := range fh.hall.workers {
		if w.cmd.ProcessState != nil {
			t.Errorf("work process %d exited: %v", i+1, w.cmd.ProcessState)
		}
	}
	fh.waitWorkers(t, 2)
	if !strings.Contains(fh.hall.workers[0].log.String()+fh.hall.workers[1].log.String(), "SIGSEGV") {
		t.Error("no worker logged the engine's crash")
	}
}
