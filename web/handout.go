package web

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// mailCarriers are the carriers the courier desk and the hand-out know, in the order offered.
var mailCarriers = []string{"EMS", "SF", "JD", "other"}

// handoutStates are the case states in which the window hands the result out: result_ready,
// and delivered, a hand-out that stopped before the case closed (the same one again ends it).
var handoutStates = map[string]bool{"result_ready": true, "delivered": true}

// handoutData is the case page's hand-out: the form while the result waits, the record after.
type handoutData struct {
	Open     bool
	Done     *handoutRecord
	Form     map[string]string
	Carriers []carrierOption // the courier desk's carrier table, named in the page's language
	// ApplicantIDEnd is the end of the applicant's ID number, for the clerk to hold beside the
	// collector's card; the whole number stays with the API.
	ApplicantIDEnd string
}

// handoutRecord is the filed hand-out as the delivery desk shows it to the role.
type handoutRecord struct {
	Method        string `json:"method"`
	CollectorName string `json:"collector_name"`
	CollectorID   string `json:"collector_id"`
	Authority     string `json:"authority"`
	Carrier       string `json:"carrier"`
	Waybill       string `json:"waybill"`
	By            string `json:"by"`
	At            string `json:"at"`
	SignatureSHA  string `json:"signature_sha256"` // the collector signed on the pad
	CarrierName   string `json:"-"`
}

// handoutCarriers asks the courier desk's carrier table (its one owner) for the hand-out's
// list; English pages name the carriers in English where the catalogue knows them.
func (s *site) handoutCarriers(rq *req) []carrierOption {
	var table struct {
		Carriers []carrierOption `json:"carriers"`
	}
	if s.getJSON(rq, "/api/v1/mail/carriers", &table) != nil {
		for _, c := range mailCarriers {
			table.Carriers = append(table.Carriers, carrierOption{Code: c, Name: rq.l.T("carrier." + c)})
		}
		return table.Carriers
	}
	if rq.l.idx() == en {
		for i, c := range table.Carriers {
			table.Carriers[i].Name = rq.l.or("carrier."+c.Code, c.Name)
		}
	}
	return table.Carriers
}

// carrierName is code's name among cs; the code itself only if the table does not know it.
func carrierName(cs []carrierOption, code string) string {
	for _, c := range cs {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

// signaturePNG is the pad's drawing from its data URL; false when the collector did not sign
// (or the field holds anything but a PNG, which the API would refuse in words no clerk needs).
func signaturePNG(dataURL string) ([]byte, bool) {
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		return nil, false
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		return nil, false
	}
	return png, true
}

// handoutSignature shows the signature filed with a case's pickup.
func (s *site) handoutSignature(w http.ResponseWriter, rq *req) {
	s.stream(w, rq, "/api/v1/cases/"+url.PathEscape(rq.PathValue("no"))+"/handout/signature", true)
}

// lastDigits is the last n characters of an ID number, "" when it is shorter.
func lastDigits(id string, n int) string {
	if len(id) < n {
		return ""
	}
	return id[len(id)-n:]
}

// caseHandout hands a case's result out: POST /api/v1/cases/{no}/handout, by pickup (the
// collector named and checked, the hand-over confirmed) or by mail (carrier and waybill). A
// refusal shows the case again with what the clerk typed.
func (s *site) caseHandout(w http.ResponseWriter, rq *req) {
	no := rq.PathValue("no")
	form := map[string]string{}
	for _, f := range []string{"method", "collector_name", "collector_id", "confirmed", "carrier", "waybill", "address", "note"} {
		form[f] = strings.TrimSpace(rq.PostFormValue(f))
	}
	body := map[string]any{"method": form["method"], "note": form["note"]}
	var e *apiError
	switch form["method"] {
	case "pickup":
		body["collector"] = map[string]string{"name": form["collector_name"], "id_number": form["collector_id"]}
		body["confirmation"] = "confirmed"
		png, drawn := signaturePNG(rq.PostFormValue("signature"))
		switch {
		case drawn:
			// The collector signed on the pad: the image is filed with the hand-out.
			body["confirmation"], body["signature"] = "signature", png
		case form["confirmed"] == "":
			// The API takes a pickup as confirmed; the page asks the clerk to say so.
			e = &apiError{Status: http.StatusUnprocessableEntity, Code: "handout_unconfirmed"}
		}
	case "mail":
		body["carrier"], body["waybill"], body["address"] = form["carrier"], form["waybill"], form["address"]
	}
	if e == nil {
		e = s.sendJSON(rq, http.MethodPost, "/api/v1/cases/"+url.PathEscape(no)+"/handout", body, nil, nil)
	}
	if e == nil {
		http.Redirect(w, rq.Request, "/cases/"+url.PathEscape(no)+"?m=handed_out", http.StatusSeeOther)
		return
	}
	s.caseAgain(w, rq, no, e, func(d *caseData) { d.Handout.Form = form })
}
