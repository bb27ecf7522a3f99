package cases

import (
	"testing"
	"time"

	"onewindow/internal/errs"
)

func TestCheckWaybill(t *testing.T) {
	tests := []struct {
		carrier, waybill string
		code             string
	}{
		{"EMS", "1180123456789", ""},
		{"EMS", "EA123456785CN", ""}, // S10 check digit 5
		{"EMS", "EA123456784CN", "bad_waybill"},
		{"EMS", "SF1234567890123", "bad_waybill"},
		{"SF", "SF1234567890123", ""},
		{"SF", "sf 1234 5678 9012", ""},
		{"SF", "123456789012", ""},
		{"SF", "SF12345", "bad_waybill"},
		{"JD", "JDVA01234567890", ""},
		{"JD", "JD123", "bad_waybill"},
		{"other", "YT1234567890", ""},
		{"other", "a", "bad_waybill"},
		{"UPS", "1Z999", "bad_carrier"},
	}
	for _, tt := range tests {
		err := CheckWaybill(tt.carrier, tt.waybill)
		if errs.CodeOf(err) != tt.code && !(err == nil && tt.code == "") {
			t.Errorf("CheckWaybill(%s, %s) = %v, want %q", tt.carrier, tt.waybill, err, tt.code)
		}
		if tt.code == "bad_waybill" && errs.HTTPStatus(err) != 422 {
			t.Errorf("bad waybill answers %d", errs.HTTPStatus(err))
		}
	}
}

func TestMailItemValidate(t *testing.T) {
	good := MailItem{Carrier: "ems", Waybill: "1180123456789", Sender: Sender{Name: "王五", Phone: "13904310000", Address: "长春市"}, SignedBy: "courier-1"}
	if err := good.Normalize().Validate(); err != nil {
		t.Fatal(err)
	}
	if n := good.Normalize(); n.Carrier != "EMS" || n.Pieces != 1 || n.Condition != "intact" {
		t.Errorf("Normalize = %+v", n)
	}
	bad := good
	bad.Sender.Phone = "110"
	if err := bad.Normalize().Validate(); errs.CodeOf(err) != "bad_phone" {
		t.Errorf("bad phone: %v", err)
	}
	bad = good
	bad.Condition = "wet"
	if err := bad.Normalize().Validate(); errs.CodeOf(err) != "bad_condition" {
		t.Errorf("bad condition: %v", err)
	}
}

func TestHandover(t *testing.T) {
	m := matter(t, "JL-ZR-001")
	c, _ := build(t, m, ChannelCounter)
	at := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	h := Handover{ID: "h1", Originals: []string{"不动产权属证书原件 1 份"}, Department: "natural-resources", HandedAt: at}
	e, err := RecordHandover(c, h, window)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(e); err != nil {
		t.Fatal(err)
	}
	if _, err := RecordHandover(c, h, window); errs.CodeOf(err) != "handover_exists" {
		t.Errorf("second handover: %v", err)
	}
	dept := Actor{Name: "dept-clerk", Role: "department"}
	e, err = ConfirmHandover(c, "h1", "", dept, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(e); err != nil {
		t.Fatal(err)
	}
	if got := c.Handovers[0]; !got.Confirmed || got.ReceivedBy != "dept-clerk" || got.HandedBy != window.Name {
		t.Errorf("handover %+v", got)
	}
	if _, err := ConfirmHandover(c, "h1", "", dept, at); errs.CodeOf(err) != "already_confirmed" {
		t.Errorf("confirm twice: %v", err)
	}
	if _, err := ConfirmHandover(c, "h9", "", dept, at); errs.KindOf(err) != errs.NotFound {
		t.Errorf("confirm unknown: %v", err)
	}
}
