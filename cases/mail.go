package cases

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"onewindow/internal/errs"
)

// Carriers the courier desk signs for.
const (
	CarrierEMS   = "EMS"
	CarrierSF    = "SF"
	CarrierJD    = "JD"
	CarrierYTO   = "YTO"
	CarrierZTO   = "ZTO"
	CarrierSTO   = "STO"
	CarrierYunda = "YUNDA"
	CarrierOther = "other"
)

// Carrier is a row of the carrier table: its code in the API, its name on paper and on the
// desk, and the pattern of its waybill numbers (upper case, no spaces).
type Carrier struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	re      *regexp.Regexp
}

// carriers is the one table of carriers, in the order the desk offers them. Patterns are
// kept to what both Go and browsers' regular expressions read alike, since the desk infers
// the carrier from a scanned waybill with the same patterns.
var carriers = []Carrier{
	// EMS: 13 digits domestic, or a UPU S10 item number (EA123456789CN), checked below.
	{Code: CarrierEMS, Name: "中国邮政EMS", Pattern: `^([0-9]{13}|[A-Z]{2}[0-9]{9}[A-Z]{2})$`},
	// SF Express: SF and 12 or 13 digits, or the older 12 digits alone.
	{Code: CarrierSF, Name: "顺丰速运", Pattern: `^(SF[0-9]{12,13}|[0-9]{12})$`},
	// JD Logistics: JD, then 13 to 15 letters or digits (JDVA01234567890).
	{Code: CarrierJD, Name: "京东物流", Pattern: `^JD[0-9A-Z]{13,15}$`},
	// YTO Express: YT and 13 to 16 digits.
	{Code: CarrierYTO, Name: "圆通速递", Pattern: `^YT[0-9]{13,16}$`},
	// ZTO Express: 12 or 14 digits starting 7, 5 or 6 (7312 3456 7890).
	{Code: CarrierZTO, Name: "中通快递", Pattern: `^[567]([0-9]{11}|[0-9]{13})$`},
	// STO Express: 12 to 16 digits starting 77, 88 or 268.
	{Code: CarrierSTO, Name: "申通快递", Pattern: `^(77|88|268)[0-9]{10,13}$`},
	// Yunda: 13 or 15 digits starting 31, 43 or 46.
	{Code: CarrierYunda, Name: "韵达速递", Pattern: `^(31|43|46)([0-9]{11}|[0-9]{13})$`},
	{Code: CarrierOther, Name: "其他", Pattern: `^[0-9A-Z-]{6,32}$`},
}

func init() {
	for i := range carriers {
		carriers[i].re = regexp.MustCompile(carriers[i].Pattern)
	}
}

// Carriers returns the carrier table, in the order the desk offers it.
func Carriers() []Carrier { return slices.Clone(carriers) }

func carrierOf(code string) (Carrier, bool) {
	for _, c := range carriers {
		if strings.EqualFold(c.Code, code) {
			return c, true
		}
	}
	return Carrier{}, false
}

// CarrierName is a carrier's name on paper, the code itself if the table lacks it.
func CarrierName(code string) string {
	if c, ok := carrierOf(code); ok {
		return c.Name
	}
	return code
}

// InferCarrier names the one carrier whose waybill format fits waybill, or "" when none or
// several do (a bare 12 or 13 digit number fits more than one carrier; the desk then asks).
func InferCarrier(waybill string) string {
	w := NormalizeWaybill(waybill)
	found := ""
	for _, c := range carriers {
		if c.Code == CarrierOther || !c.fits(w) {
			continue
		}
		if found != "" {
			return ""
		}
		found = c.Code
	}
	return found
}

func (c Carrier) fits(w string) bool {
	return c.re.MatchString(w) && !(c.Code == CarrierEMS && len(w) == 13 && w[0] >= 'A' && !validS10(w))
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
	c, ok := carrierOf(carrier)
	if !ok || c.Code != carrier {
		return errs.Errorf(op, errs.Invalid, "bad_carrier", "carrier must be one of %s, or left empty to be told by the waybill.", carrierCodes())
	}
	if w := NormalizeWaybill(waybill); !c.fits(w) {
		if other := InferCarrier(w); other != "" {
			return errs.Errorf(op, errs.Unprocessable, "bad_waybill", "%q does not fit the %s waybill format; it looks like %s.", waybill, carrier, other)
		}
		return errs.Errorf(op, errs.Unprocessable, "bad_waybill", "%q does not fit the %s waybill format.", waybill, carrier)
	}
	return nil
}

func carrierCodes() string {
	codes := make([]string, len(carriers))
	for i, c := range carriers {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
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
// (one piece, intact, the carrier the waybill's format names when none is given).
func (m MailItem) Normalize() MailItem {
	m.Waybill = NormalizeWaybill(m.Waybill)
	if c, ok := carrierOf(strings.TrimSpace(m.Carrier)); ok {
		m.Carrier = c.Code
	} else {
		m.Carrier = strings.TrimSpace(m.Carrier)
	}
	if m.Carrier == "" { // a scanned waybill tells its carrier; only an ambiguous one needs asking
		m.Carrier = InferCarrier(m.Waybill)
	}
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

// Validate checks a normalised mail item as the courier logs it, and reports every wrong
// field at once (errs.FieldsOf), so the desk can mark them all in one answer.
func (m MailItem) Validate() error {
	const op = "cases.MailItem"
	var bad []*errs.Error
	var names []string
	add := func(field string, e *errs.Error) { bad, names = append(bad, e), append(names, field) }
	switch {
	case m.Carrier == "" && m.Waybill == "":
		add("waybill", errs.Errorf(op, errs.Invalid, "missing_waybill", "The waybill number is missing."))
	case m.Carrier == "":
		add("carrier", errs.Errorf(op, errs.Invalid, "bad_carrier", "The carrier cannot be told from waybill %q; choose the carrier.", m.Waybill))
	default:
		if err := CheckWaybill(m.Carrier, m.Waybill); err != nil {
			field := "waybill"
			if errs.CodeOf(err) == "bad_carrier" {
				field = "carrier"
			}
			add(field, err.(*errs.Error))
		}
	}
	if m.Sender.Name == "" {
		add("sender.name", errs.Errorf(op, errs.Invalid, "missing_name", "The sender's name is missing."))
	}
	if m.Sender.Phone == "" || NormalizePhone(m.Sender.Phone) == "" {
		add("sender.phone", errs.Errorf(op, errs.Unprocessable, "bad_phone", "The sender's phone number is neither a mobile nor a landline number."))
	}
	if m.SignedBy == "" {
		add("signed_by", errs.Errorf(op, errs.Invalid, "missing_signed_by", "Who signed for the item is missing."))
	}
	if m.Pieces < 1 || m.Pieces > 999 {
		add("pieces", errs.Errorf(op, errs.Invalid, "bad_pieces", "pieces must be between 1 and 999."))
	}
	if !conditions[m.Condition] {
		add("condition", errs.Errorf(op, errs.Invalid, "bad_condition", "condition must be intact, damaged or opened."))
	}
	if m.CaseNo != "" && !ValidCaseNo(m.CaseNo) {
		add("case_no", errs.Errorf(op, errs.Invalid, "bad_case_no", "The case number must be letters, digits, '-' and '_'."))
	}
	return errs.Join(op, bad, names)
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
