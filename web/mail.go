package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The courier desk (寄递收件): a clerk with a keyboard-wedge barcode scanner logs what the
// carriers bring. The carrier is told by the waybill, a repeat scan is questioned, and every
// wrong field is shown beside it in one answer.

type mailData struct {
	Form     map[string]string
	Carriers []carrierOption
	Receipt  map[string]any
	Today    []map[string]any
	Missing  bool
	// Errs holds a sentence per wrong field (the form's names), from the API's error.fields.
	Errs map[string]string
	// Problem is the sentence above the form when the input has to be looked at again.
	Problem string
	// Duplicate asks the clerk whether a waybill logged before is really a second parcel.
	Duplicate string
	// Fields are the sender's and the desk's fields after carrier and waybill, in tab order.
	Fields []mailField
}

// mailField is one input of the courier form as the page draws it.
type mailField struct {
	Name, ID, Type, Label, Value, Err string
	Required, Grow, Wedge             bool
}

// carrierOption is a carrier as the API's table gives it; the page's script infers the
// carrier from a scanned waybill with Pattern.
type carrierOption struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
}

// mailFormFields are the form's names; the API's field names differ only for the sender.
var mailFormFields = map[string]string{"carrier": "carrier", "waybill": "waybill", "sender.name": "name",
	"sender.phone": "phone", "sender.address": "address", "signed_by": "signed_by", "pieces": "pieces", "case_no": "case_no"}

func (s *site) mailForm(w http.ResponseWriter, rq *req) {
	d := mailData{Form: map[string]string{"pieces": "1"}}
	s.mailPage(w, rq, http.StatusOK, &d)
}

// mailPage adds the carrier table and today's register, then renders the desk.
func (s *site) mailPage(w http.ResponseWriter, rq *req, status int, d *mailData) {
	var table struct {
		Carriers []carrierOption `json:"carriers"`
	}
	if e := s.getJSON(rq, "/api/v1/mail/carriers", &table); e == nil {
		d.Carriers = table.Carriers
	} else {
		for _, c := range mailCarriers {
			d.Carriers = append(d.Carriers, carrierOption{Code: c, Name: rq.l.T("carrier." + c)})
		}
	}
	var reg struct {
		Mail []map[string]any `json:"mail"`
	}
	// no date: the desk's today, in the hall's time zone
	e := s.getJSON(rq, "/api/v1/mail", &reg)
	d.Missing = e != nil
	d.Today = reg.Mail
	for _, f := range []mailField{
		{Name: "name", ID: "m-name", Type: "text", Label: rq.l.T("mail.sender"), Required: true, Wedge: true},
		{Name: "phone", ID: "m-phone", Type: "tel", Label: rq.l.T("mail.phone"), Required: true, Wedge: true},
		{Name: "address", ID: "m-address", Type: "text", Label: rq.l.T("mail.address"), Grow: true, Wedge: true},
		{Name: "signed_by", ID: "m-signed", Type: "text", Label: rq.l.T("mail.signed_by"), Required: true, Wedge: true},
		{Name: "pieces", ID: "m-pieces", Type: "number", Label: rq.l.T("mail.pieces"), Wedge: true},
		{Name: "case_no", ID: "m-case", Type: "text", Label: rq.l.T("scan.case_no")},
	} {
		f.Value, f.Err = d.Form[f.Name], d.Errs[f.Name]
		d.Fields = append(d.Fields, f)
	}
	s.render(w, rq, status, "mail.html", "mail.title", *d)
}

// mailCreate logs a mailed submission: POST /api/v1/mail, then shows its own receipt. A
// refusal keeps what was typed and marks every wrong field.
func (s *site) mailCreate(w http.ResponseWriter, rq *req) {
	form := map[string]string{}
	for _, f := range mailFormFields {
		form[f] = strings.TrimSpace(rq.PostFormValue(f))
	}
	pieces, _ := strconv.Atoi(form["pieces"])
	body := map[string]any{"carrier": form["carrier"], "waybill": form["waybill"], "signed_by": form["signed_by"],
		"pieces": pieces, "case_no": form["case_no"], "confirm_duplicate": rq.PostFormValue("confirm_duplicate") == "1",
		"sender": map[string]string{"name": form["name"], "phone": form["phone"], "address": form["address"]}}
	if form["pieces"] == "" {
		delete(body, "pieces") // the API's default, one piece
	}
	d := mailData{Form: form}
	if e := s.sendJSON(rq, http.MethodPost, "/api/v1/mail", body, nil, &d.Receipt); e != nil {
		d.Receipt = nil
		switch {
		case e.Code == "duplicate_waybill":
			d.Duplicate = rq.l.T("mail.duplicate")
		case len(e.Fields) > 0:
			d.Errs = map[string]string{}
			for _, f := range e.Fields {
				d.Errs[mailFormFields[f.Field]] = rq.l.Err(f.Code)
			}
			d.Problem = rq.l.T("mail.fix_fields")
		default:
			d.Problem = rq.l.Err(e.Code)
		}
		s.mailPage(w, rq, e.Status, &d)
		return
	}
	d.Receipt["at"] = when(s.opts.Clock, d.Receipt["arrived_at"])
	// the next envelope starts empty; the carrier is told again by its waybill
	d.Form = map[string]string{"pieces": "1", "signed_by": form["signed_by"]}
	s.mailPage(w, rq, http.StatusCreated, &d)
}

// mailRegisterPDF streams the day's register for printing.
func (s *site) mailRegisterPDF(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/mail/register.pdf", true)
}

// mailReceiptPDF streams one entry's receipt: that envelope only, never the day's register.
func (s *site) mailReceiptPDF(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/mail/"+url.PathEscape(rq.PathValue("id"))+"/receipt.pdf", true)
}
