package casedesk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"onewindow/cases"
	"onewindow/cases/notice"
	"onewindow/internal/errs"
)

// MailInput is what the courier desk logs for an envelope or parcel; OpenCase opens a new
// mailed case for it instead of naming an existing case_no.
type MailInput struct {
	Carrier   string       `json:"carrier"`
	Waybill   string       `json:"waybill"`
	Sender    cases.Sender `json:"sender"`
	ArrivedAt time.Time    `json:"arrived_at,omitzero"`
	SignedBy  string       `json:"signed_by"`
	Pieces    int          `json:"pieces"`
	Condition string       `json:"condition,omitempty"`
	Note      string       `json:"note,omitempty"`
	CaseNo    string       `json:"case_no,omitempty"`
	OpenCase  *OpenInput   `json:"open_case,omitempty"`
	// ConfirmDuplicate logs a waybill already logged in the last days again (a second parcel
	// under one waybill); without it a repeat scan is refused with duplicate_waybill.
	ConfirmDuplicate bool `json:"confirm_duplicate,omitempty"`
}

// duplicateDays is how far back a waybill counts as already logged: a scanner's repeat and
// a parcel signed for twice both show within days, while carriers reuse numbers only after months.
const duplicateDays = 7

// LogMail logs a mail item, ties it to its case (an existing one, or one it opens with
// channel mail) and files the courier's receipt for that case. Nothing is stored when the
// input or the case is wrong.
func (d *Desk) LogMail(ctx context.Context, in MailInput, by cases.Actor) (*cases.MailItem, error) {
	const op = "desk.LogMail"
	now := d.clock()
	mi := cases.MailItem{Carrier: in.Carrier, Waybill: in.Waybill, Sender: in.Sender, ArrivedAt: in.ArrivedAt,
		SignedBy: in.SignedBy, Pieces: in.Pieces, Condition: in.Condition, Note: in.Note, CaseNo: in.CaseNo, LoggedBy: by.Name}.Normalize()
	if mi.ArrivedAt.IsZero() {
		mi.ArrivedAt = now
	}
	mi.ArrivedAt = d.hall.In(mi.ArrivedAt) // its ID, and so its day's folder, is the hall's
	if err := mi.Validate(); err != nil {
		return nil, err
	}
	if mi.CaseNo != "" && in.OpenCase != nil {
		return nil, errs.Errorf(op, errs.Invalid, "bad_mail", "Give case_no or open_case, not both.")
	}
	var c *cases.Case
	var err error
	if mi.CaseNo != "" {
		if c, err = d.load(ctx, mi.CaseNo); err != nil {
			return nil, err
		}
	}
	if !in.ConfirmDuplicate {
		if err := d.refuseDuplicate(ctx, mi); err != nil {
			return nil, err
		}
	}
	if in.OpenCase != nil {
		oc := *in.OpenCase
		oc.Channel, oc.By = cases.ChannelMail, by
		if c, err = d.Open(ctx, oc); err != nil { // refused before anything is filed
			return nil, err
		}
		mi.CaseNo = c.CaseNo
	}
	mi.ID = mi.ArrivedAt.Format("20060102-150405") + randomHex(3)
	if err := d.putMail(ctx, &mi, true); err != nil {
		return nil, err
	}
	d.log.InfoContext(ctx, "mail logged", "mail_id", mi.ID, "carrier", mi.Carrier, "case_no", mi.CaseNo, "pieces", mi.Pieces)
	if c == nil {
		return &mi, nil
	}
	c, filed, err := d.change(ctx, c.CaseNo, 0, func(c *cases.Case) ([]cases.Event, error) {
		if slices.Contains(c.MailIDs, mi.ID) {
			return nil, nil
		}
		e, err := cases.LinkMail(c, mi.ID, by, now)
		return []cases.Event{e}, err
	})
	if err != nil {
		return nil, err
	}
	if len(filed) == 1 {
		m, _ := d.Catalogue().Matter(c.Matter)
		if _, err := d.fileNotice(ctx, c, filed[0].Seq, notice.FromMail(mi, c, m, now), by); err != nil {
			return nil, err
		}
	}
	return &mi, nil
}

// refuseDuplicate answers 409 duplicate_waybill when mi's waybill was logged in the last
// duplicateDays days, naming when and under which ID, never who sent it.
func (d *Desk) refuseDuplicate(ctx context.Context, mi cases.MailItem) error {
	for i := range duplicateDays {
		items, err := d.MailOfDay(ctx, mi.ArrivedAt.AddDate(0, 0, -i))
		if err != nil {
			return err
		}
		for _, x := range items {
			if x.Waybill == mi.Waybill {
				return errs.Errorf("desk.LogMail", errs.Conflict, "duplicate_waybill",
					"Waybill %s was already logged on %s as %s; send confirm_duplicate: true to log it again.",
					mi.Waybill, d.hall.In(x.ArrivedAt).Format("2006-01-02 15:04"), x.ID)
			}
		}
	}
	return nil
}

// ReceiptPDF renders the receipt of one mail item, without the other entries of its day.
func (d *Desk) ReceiptPDF(ctx context.Context, id string) ([]byte, error) {
	mi, err := d.Mail(ctx, id)
	if err != nil {
		return nil, err
	}
	pdf, err := d.notices.RenderMailReceipt(*mi)
	if err != nil {
		return nil, err
	}
	return d.sign(ctx, pdf, "receipt")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *Desk) putMail(ctx context.Context, mi *cases.MailItem, create bool) error {
	raw, err := json.Marshal(mi)
	if err != nil {
		return errs.E("desk.putMail", errs.Internal, "", "", err)
	}
	return d.store.PutMail(ctx, mi.ID, raw, create)
}

// Mail reads a mail item.
func (d *Desk) Mail(ctx context.Context, id string) (*cases.MailItem, error) {
	raw, err := d.store.Mail(ctx, id)
	if err != nil {
		return nil, err
	}
	var mi cases.MailItem
	if err := json.Unmarshal(raw, &mi); err != nil {
		return nil, errs.E("desk.Mail", errs.Internal, "", "", err)
	}
	return &mi, nil
}

// MailUpdate is what the courier desk records after logging: where the contents went, who
// received them, the pre-acceptance result.
type MailUpdate struct {
	RoutedTo      *string `json:"routed_to,omitempty"`
	ReceivedBy    *string `json:"received_by,omitempty"`
	PreAcceptance *string `json:"pre_acceptance,omitempty"`
}

var preAcceptance = map[string]bool{"": true, "pre_accepted": true, "correction_required": true, "rejected": true, "forwarded": true}

// UpdateMail records routing and the pre-acceptance result of a mail item.
func (d *Desk) UpdateMail(ctx context.Context, id string, u MailUpdate) (*cases.MailItem, error) {
	mi, err := d.Mail(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.RoutedTo != nil {
		mi.RoutedTo = strings.TrimSpace(*u.RoutedTo)
	}
	if u.ReceivedBy != nil {
		mi.ReceivedBy = strings.TrimSpace(*u.ReceivedBy)
	}
	if u.PreAcceptance != nil {
		if !preAcceptance[*u.PreAcceptance] {
			return nil, errs.Errorf("desk.UpdateMail", errs.Invalid, "bad_pre_acceptance", "pre_acceptance must be pre_accepted, correction_required, rejected or forwarded.")
		}
		mi.PreAcceptance = *u.PreAcceptance
	}
	return mi, d.putMail(ctx, mi, false)
}

// MailOfDay lists the mail items that arrived on day (the hall's date), in arrival order.
func (d *Desk) MailOfDay(ctx context.Context, day time.Time) ([]cases.MailItem, error) {
	raws, err := d.store.MailOfDay(ctx, day)
	if err != nil {
		return nil, err
	}
	out := make([]cases.MailItem, 0, len(raws))
	for _, raw := range raws {
		var mi cases.MailItem
		if err := json.Unmarshal(raw, &mi); err != nil {
			return nil, errs.E("desk.MailOfDay", errs.Internal, "", "", err)
		}
		out = append(out, mi)
	}
	return out, nil
}

// RegisterPDF renders the courier desk's register of day.
func (d *Desk) RegisterPDF(ctx context.Context, day time.Time) ([]byte, error) {
	items, err := d.MailOfDay(ctx, day)
	if err != nil {
		return nil, err
	}
	pdf, err := d.notices.RenderRegister(day, items)
	if err != nil {
		return nil, err
	}
	return d.sign(ctx, pdf, "register")
}

// NotifyMail tells the applicant of a mail item's case its pre-acceptance result through the
// notifier, and records it when the notifier says the message went out.
func (d *Desk) NotifyMail(ctx context.Context, id string, by cases.Actor) (*cases.MailItem, error) {
	const op = "desk.NotifyMail"
	if d.notifier == nil {
		return nil, errs.Errorf(op, errs.Unavailable, "notifier_not_configured", "No notifier is configured for this hall.")
	}
	mi, err := d.Mail(ctx, id)
	if err != nil {
		return nil, err
	}
	if mi.CaseNo == "" {
		return nil, errs.Errorf(op, errs.Conflict, "mail_without_case", "Mail item %s is tied to no case.", id)
	}
	c, err := d.load(ctx, mi.CaseNo)
	if err != nil {
		return nil, err
	}
	phone := c.Applicant.Phone
	if phone == "" {
		phone = mi.Sender.Phone
	}
	result := mi.PreAcceptance
	if result == "" {
		result = c.State
	}
	n := Notification{CaseNo: c.CaseNo, MailID: mi.ID, What: "pre_acceptance", Phone: phone,
		Message: fmt.Sprintf("【%s】您邮寄的“%s”申请材料已于%s签收，编号%s，预审结果：%s。", d.hallName(), c.MatterName,
			mi.ArrivedAt.Format("1月2日"), c.CaseNo, resultText[result])}
	delivered, err := d.notifier.Notify(ctx, n)
	if err != nil {
		return nil, err
	}
	if !delivered {
		return mi, nil // queued: RecordNotified follows when it is sent
	}
	return d.RecordNotified(ctx, n, d.notifier.Channel(), by)
}

var resultText = map[string]string{
	"pre_accepted": "材料已预受理，待窗口审查", "correction_required": "材料需补正，请留意一次性告知书", "rejected": "不予受理",
	"forwarded": "已转交承办部门", cases.StateAccepted: "已受理", cases.StateAcceptedWithDeficiencies: "已容缺受理",
	cases.StateSubmitted: "待窗口审查",
}

func (d *Desk) hallName() string { return d.notices.Hall() }

// RecordNotified records that the applicant of n was told: on the mail item and as an event
// of the case. The notifier's queued sends call it once they succeed; twice changes nothing.
func (d *Desk) RecordNotified(ctx context.Context, n Notification, channel string, by cases.Actor) (*cases.MailItem, error) {
	var mi *cases.MailItem
	if n.MailID != "" {
		var err error
		if mi, err = d.Mail(ctx, n.MailID); err != nil {
			return nil, err
		}
		if !mi.ApplicantNotified {
			mi.ApplicantNotified, mi.NotifiedAt = true, d.clock()
			if err := d.putMail(ctx, mi, false); err != nil {
				return nil, err
			}
		}
	}
	_, _, err := d.change(ctx, n.CaseNo, 0, func(c *cases.Case) ([]cases.Event, error) {
		for _, x := range c.Notified {
			if x.What == n.What && x.Channel == channel {
				return nil, nil
			}
		}
		e, err := cases.Notified(c, channel, n.What, by, d.clock())
		return []cases.Event{e}, err
	})
	return mi, err
}
