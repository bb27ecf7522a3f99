package cases

import (
	"regexp"
	"strings"
	"time"

	"onewindow/internal/errs"
)

// Carriers the courier desk signs for.
const (
	CarrierEMS   = "EMS"
	CarrierSF    = "SF"
	CarrierJD    = "JD"
	CarrierOther = "other"
)

var waybillRes = map[string]*regexp.Regexp{
	// EMS: 13 digits domestic, or a UPU S10 item number (EA123456789CN), checked below.
	CarrierEMS: regexp.MustCompile(`^([0-9]{13}|[A-Z]{2}[0-9]{9}[A-Z]{2})$`),
	// SF Express: SF and 12 or 13 digits, or the older 12 digits alone.
	CarrierSF: regexp.MustCompile(`^(SF[0-9]{12,13}|[0-9]{12})$`),
	// JD Logistics: JD, then 13 to 15 letters or digits (JDVA01234567890).
	CarrierJD:    regexp.MustCompile(`^JD[0-9A-Z]{13,15}$`),
	CarrierOther: regexp.MustCompile(`^[0-9A-Z-]{6,32}$`),
}

// s10Weights are the UPU S10 weights of an item number's eight serial digits.
var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// validS10 checks the check digit of an S10 item number (two letters, 8 digits, check digit, two letters).
func validS10(s string) bool {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(s[2+i]-'0') * s10Weights[i]
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return int(s[10]-'0') == check
}

// NormalizeWaybill upper-cases a waybill number and drops spaces.
func NormalizeWaybill(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// CheckWaybill reports, as an Unprocessable error with code bad_waybill (HTTP 422), a waybill
// number that does not fit its carrier's format; an unknown carrier is code bad_carrier.
func CheckWaybill(carrier, waybill string) error {
	const op = "cases.CheckWaybill"
	re, ok := waybillRes[carrier]
	if !ok {
		return errs.Errorf(op, errs.Invalid, "bad_carrier", "carrier must be EMS, SF, JD or other.")
	}
	w := NormalizeWaybill(waybill)
	if !re.MatchString(w) || (carrier == CarrierEMS && len(w) == 13 && w[0] >= 'A' && !validS10(w)) {
		return errs.Errorf(op, errs.Unprocessable, "bad_waybill", "%q does not fit the %s waybill format.", waybill, carrier)
	}
	return nil
}

// Sender is who mailed a submission.
type Sender struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// MailItem is one envelope or parcel signed for at the courier desk (物料流转窗口).
type MailItem struct {
	ID        string    `json:"id"`
	Carrier   string    `json:"carrier"`
	Waybill   string    `json:"waybill"`
	Sender    Sender    `json:"sender"`
	ArrivedAt time.Time `json:"arrived_at"`
	SignedBy  string    `json:"signed_by"`
	Pieces    int       `json:"pieces"`
	Condition string    `json:"condition"` // intact, damaged, opened
	Note      string    `json:"note,omitempty"`
	CaseNo    string    `json:"case_no,omitempty"`
	// RoutedTo is where the contents went: a window or a department id.
	RoutedTo   string `json:"routed_to,omitempty"`
	ReceivedBy string `json:"received_by,omitempty"`
	// PreAcceptance is the result recorded after scanning (pre_accepted, correction_required...).
	PreAcceptance     string    `json:"pre_acceptance,omitempty"`
	ApplicantNotified bool      `json:"applicant_notified"`
	NotifiedAt        time.Time `json:"notified_at,omitzero"`
	LoggedBy          string    `json:"logged_by"`
}

// Conditions of a mail item on arrival.
var conditions = map[string]bool{"intact": true, "damaged": true, "opened": true}

// Normalize trims fields, normalises carrier spelling, waybill and phone, and fills defaults
// (one piece, intact).
func (m MailItem) Normalize() MailItem {
	switch c := strings.TrimSpace(m.Carrier); strings.ToUpper(c) {
	case CarrierEMS, CarrierSF, CarrierJD:
		m.Carrier = strings.ToUpper(c)
	case "OTHER":
		m.Carrier = CarrierOther
	default:
		m.Carrier = c
	}
	m.Waybill = NormalizeWaybill(m.Waybill)
	m.Sender.Name = strings.TrimSpace(m.Sender.Name)
	m.Sender.Address = strings.TrimSpace(m.Sender.Address)
	if p := NormalizePhone(m.Sender.Phone); p != "" {
		m.Sender.Phone = p
	}
	m.SignedBy = strings.TrimSpace(m.SignedBy)
	m.CaseNo = strings.TrimSpace(m.CaseNo)
	if m.Pieces == 0 {
		m.Pieces = 1
	}
	if m.Condition == "" {
		m.Condition = "intact"
	}
	return m
}

// Validate checks a normalised mail item as the courier logs it.
func (m MailItem) Validate() error {
	const op = "cases.MailItem"
	if err := CheckWaybill(m.Carrier, m.Waybill); err != nil {
		return err
	}
	switch {
	case m.Sender.Name == "":
		return errs.Errorf(op, errs.Invalid, "missing_name", "The sender's name is missing.")
	case m.Sender.Phone == "" || NormalizePhone(m.Sender.Phone) == "":
		return errs.Errorf(op, errs.Unprocessable, "bad_phone", "The sender's phone number is neither a mobile nor a landline number.")
	case m.SignedBy == "":
		return errs.Errorf(op, errs.Invalid, "missing_signed_by", "Who signed for the item is missing.")
	case m.Pieces < 1 || m.Pieces > 999:
		return errs.Errorf(op, errs.Invalid, "bad_pieces", "pieces must be between 1 and 999.")
	case !conditions[m.Condition]:
		return errs.Errorf(op, errs.Invalid, "bad_condition", "condition must be intact, damaged or opened.")
	case m.CaseNo != "" && !ValidCaseNo(m.CaseNo):
		return errs.Errorf(op, errs.Invalid, "bad_case_no", "The case number must be letters, digits, '-' and '_'.")
	}
	return nil
}

// Handover is an entry of the paper handover register (§7.1.5): which originals went to which
// department, handed by whom, received by whom, when; the receiving side confirms.
type Handover struct {
	ID          string    `json:"id"`
	CaseNo      string    `json:"case_no"`
	Originals   []string  `json:"originals"` // what was handed over, e.g. "不动产权属证书原件 1 份"
	Department  string    `json:"department"`
	HandedBy    string    `json:"handed_by"`
	HandedAt    time.Time `json:"handed_at"`
	ReceivedBy  string    `json:"received_by,omitempty"`
	Confirmed   bool      `json:"confirmed"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// RecordHandover validates a handover and returns its event.
func RecordHandover(c *Case, h Handover, by Actor) (Event, error) {
	const op = "cases.RecordHandover"
	h.CaseNo = c.CaseNo
	h.Confirmed, h.ReceivedBy, h.ConfirmedAt = false, "", time.Time{}
	switch {
	case h.ID == "":
		return Event{}, errs.Errorf(op, errs.Invalid, "missing_id", "A handover needs an id.")
	case len(h.Originals) == 0:
		return Event{}, errs.Errorf(op, errs.Invalid, "missing_originals", "A handover lists the originals handed over.")
	case h.Department == "":
		return Event{}, errs.Errorf(op, errs.Invalid, "missing_department", "A handover names the receiving department.")
	case h.HandedAt.IsZero():
		return Event{}, errs.Errorf(op, errs.Invalid, "missing_time", "A handover says when it happened.")
	}
	if h.HandedBy == "" {
		h.HandedBy = by.Name
	}
	for _, x := range c.Handovers {
		if x.ID == h.ID {
			return Event{}, errs.Errorf(op, errs.Conflict, "handover_exists", "Handover %s is already registered.", h.ID)
		}
	}
	return c.next(EvHandover, by, h.HandedAt, "", h)
}

// ConfirmHandover is the receiving department's signature for a handover.
func ConfirmHandover(c *Case, id, receivedBy string, by Actor, at time.Time) (Event, error) {
	const op = "cases.ConfirmHandover"
	for _, h := range c.Handovers {
		if h.ID != id {
			continue
		}
		if h.Confirmed {
			return Event{}, errs.Errorf(op, errs.Conflict, "already_confirmed", "Handover %s was already confirmed.", id)
		}
		if strings.TrimSpace(receivedBy) == "" {
			receivedBy = by.Name
		}
		return c.next(EvHandoverConfirmed, by, at, "", HandoverConfirmedData{ID: id, ReceivedBy: receivedBy})
	}
	return Event{}, errs.Errorf(op, errs.NotFound, "handover_not_found", "Case %s has no handover %s.", c.CaseNo, id)
}
