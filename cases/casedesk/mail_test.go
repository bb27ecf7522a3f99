package casedesk_test

import (
	"strings"
	"testing"

	"onewindow/cases"
	"onewindow/internal/errs"
)

// TestCourierScannerDesk covers what a barcode scanner at the courier desk needs of the API:
// the carrier told by the waybill, a repeat scan refused unless confirmed, every wrong field
// in one answer, and a receipt that names only its own sender.
func TestCourierScannerDesk(t *testing.T) {
	e := newEnv(t, nil)
	type answer struct {
		cases.MailItem
		Error struct {
			Code   string
			Fields []errs.FieldError
		}
	}
	post := func(body map[string]any) (int, answer) {
		var a answer
		return e.do("POST", "/api/v1/mail", "courier:c", body, nil, &a), a
	}
	sender := func(name string) map[string]string { return map[string]string{"name": name, "phone": "13804311234"} }

	status, a := post(map[string]any{"waybill": "sf 1234 5678 9012 3", "sender": sender("张三"), "signed_by": "c"})
	if status != 201 || a.Carrier != cases.CarrierSF || a.Waybill != "SF1234567890123" {
		t.Fatalf("no carrier given: %d %+v", status, a)
	}
	first := a.ID
	if status, a = post(map[string]any{"waybill": "SF1234567890123", "sender": sender("张三"), "signed_by": "c"}); status != 409 || a.Error.Code != "duplicate_waybill" {
		t.Fatalf("same waybill again: %d %+v", status, a)
	}
	status, a = post(map[string]any{"carrier": "SF", "waybill": "SF1234567890123", "sender": sender("张三"), "signed_by": "c", "confirm_duplicate": true})
	if status != 201 || a.ID == first {
		t.Fatalf("confirmed duplicate: %d %+v", status, a)
	}
	// The contract's shape still answers 422 bad_waybill for a waybill that does not fit.
	if status, a = post(map[string]any{"carrier": "EMS", "waybill": "SF1234567890124", "sender": sender("李四"), "signed_by": "c"}); status != 422 || a.Error.Code != "bad_waybill" {
		t.Fatalf("SF waybill under EMS: %d %+v", status, a)
	}
	status, a = post(map[string]any{"carrier": "EMS", "waybill": "SF1", "sender": map[string]string{"phone": "110"}, "pieces": 1000})
	var fields []string
	for _, f := range a.Error.Fields {
		fields = append(fields, f.Field)
	}
	if want := "waybill sender.name sender.phone signed_by pieces"; status != 422 || strings.Join(fields, " ") != want {
		t.Fatalf("every wrong field: %d %v, want %s", status, fields, want)
	}
	if status, a = post(map[string]any{"waybill": "JDVA01234567890", "sender": sender("王五"), "signed_by": "c"}); status != 201 || a.Carrier != cases.CarrierJD {
		t.Fatalf("JD: %d %+v", status, a)
	}
	var pdf []byte
	if status := e.do("GET", "/api/v1/mail/"+a.ID+"/receipt.pdf", "courier:c", nil, nil, &pdf); status != 200 {
		t.Fatalf("receipt: %d", status)
	}
	text := pdfText(t, pdf)
	if !strings.Contains(text, "王五") || strings.Contains(text, "张三") || !strings.Contains(text, "JDVA01234567890") {
		t.Errorf("receipt text:\n%s", text)
	}
}

func TestInferCarrier(t *testing.T) {
	for waybill, want := range map[string]string{
		"SF1234567890123": "SF", "JDVA01234567890": "JD", "YT1234567890123": "YTO", "EA123456785CN": "EMS",
		"1180123456789": "EMS", "773123456789012": "STO", "123456789012": "SF", "": "", "3112345678901": "",
	} {
		if got := cases.InferCarrier(waybill); got != want {
			t.Errorf("InferCarrier(%q) = %q, want %q", waybill, got, want)
		}
	}
}
