package cases

import (
	"slices"
	"strings"
	"time"
)

// Item statuses of a completeness check.
const (
	StatusPresent           = "present"
	StatusMissing           = "missing"
	StatusDeferrableMissing = "deferrable_missing"
)

// Inconsistency codes.
const (
	IncFormCardID      = "form_id_card_mismatch"
	IncFormLicenceUSCC = "form_licence_uscc_mismatch"
	IncApplicantID     = "applicant_id_mismatch"
	IncApplicantUSCC   = "applicant_uscc_mismatch"
)

// DocumentFacts is what the pipeline found in one classified document of a case.
type DocumentFacts struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"`
	IDNumbers  []string `json:"id_numbers,omitempty"`
	USCC       []string `json:"uscc,omitempty"`
	Superseded bool     `json:"superseded,omitempty"`
}

// CheckItem is one material of the checklist and the documents that satisfy it.
type CheckItem struct {
	Type       string   `json:"type"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Documents  []string `json:"documents"`
	Required   bool     `json:"required"`
	Deferrable bool     `json:"deferrable"`
	// DueDate is when a deferrable item would be due if the case were accepted with
	// deficiencies on the day of the check (YYYY-MM-DD).
	DueDate string `json:"due_date,omitempty"`
}

// Inconsistency is a disagreement between documents, or between documents and what was typed.
type Inconsistency struct {
	Code    string `json:"code"`
	Message string `json:"message"` // without the numbers: notices print it
	// Values are the numbers that disagree, one per side, so a clerk sees which digits differ;
	// the API masks ID numbers for roles that may not see them whole.
	Values []IncValue `json:"values,omitempty"`
}

// Sources of an inconsistency's value besides a document type.
const SourceWindow = "window" // what the window typed when it opened the case

// IncValue is one side of an inconsistency: where a number was read (a document type, or
// SourceWindow) and what was read there.
type IncValue struct {
	Source string `json:"source"`
	Value  string `json:"value"`
	// IDNumber says the value is a resident ID number (masked as one); otherwise a USCC.
	IDNumber bool `json:"id_number,omitempty"`
}

// Check is the completeness check of a case (形式审查) and the decision it proposes.
type Check struct {
	Complete        bool            `json:"complete"`
	Items           []CheckItem     `json:"items"`
	Inconsistencies []Inconsistency `json:"inconsistencies"`
	Proposed        string          `json:"proposed_decision"`
}

// Evaluate compares a case's documents with its matter's checklist. Superseded documents do
// not count; a later document of a missing type (a supplement) fills its item. Items list the
// required materials, optional ones that are present, and a power of attorney whenever the
// submitter is not the applicant. A document fills one item only, in checklist order.
func Evaluate(m Matter, docs []DocumentFacts, a Applicant, submitter *Party, now time.Time, cal *Calendar) Check {
	live := make([]DocumentFacts, 0, len(docs))
	for _, d := range docs {
		if !d.Superseded {
			live = append(live, d)
		}
	}
	used := make([]bool, len(live))
	take := func(typ string, n int) []string {
		ids := []string{}
		for i, d := range live {
			if len(ids) == n {
				break
			}
			if !used[i] && d.Type == typ {
				used[i] = true
				ids = append(ids, d.ID)
			}
		}
		return ids
	}
	needPOA := submitter != nil && submitter.Name != "" && !submitter.same(a)
	c := Check{Items: []CheckItem{}, Inconsistencies: []Inconsistency{}}
	hasPOA := false
	for _, mt := range m.Materials {
		ids := take(mt.Type, mt.Count)
		required := mt.Required || (needPOA && mt.Type == "power_of_attorney")
		if mt.Type == "power_of_attorney" {
			hasPOA = true
		}
		if len(ids) == 0 && !required {
			continue
		}
		it := CheckItem{Type: mt.Type, Name: mt.Name, Documents: ids, Required: required, Deferrable: mt.Deferrable, Status: StatusPresent}
		if len(ids) < mt.Count {
			it.Status = StatusMissing
			if mt.Deferrable {
				it.Status = StatusDeferrableMissing
				if cal != nil {
					it.DueDate = cal.AddWorkingDays(now, mt.DeferDays).Format(time.DateOnly)
				}
			}
		}
		c.Items = append(c.Items, it)
	}
	if needPOA && !hasPOA { // the matter does not list one, but the rule asks for it
		it := CheckItem{Type: "power_of_attorney", Name: "授权委托书", Documents: take("power_of_attorney", 1), Required: true, Status: StatusPresent}
		if len(it.Documents) == 0 {
			it.Status = StatusMissing
		}
		c.Items = append(c.Items, it)
	}
	c.Inconsistencies = inconsistencies(live, a, needPOA)
	c.Complete, c.Proposed = true, DecisionAccept
	deferrable := false
	for _, it := range c.Items {
		switch it.Status {
		case StatusMissing:
			c.Complete = false
			c.Proposed = DecisionCorrection
		case StatusDeferrableMissing:
			c.Complete = false
			deferrable = true
		}
	}
	if len(c.Inconsistencies) > 0 {
		c.Complete = false
		c.Proposed = DecisionCorrection
	}
	if c.Proposed == DecisionAccept && deferrable {
		c.Proposed = DecisionAcceptDeferred
	}
	return c
}

// inconsistencies runs the cross-checks no clerk has time for. Numbers stay out of the
// messages, which end up in notices and logs; they travel in Values for the pages.
func inconsistencies(docs []DocumentFacts, a Applicant, needPOA bool) []Inconsistency {
	codes := func(typ string, ids bool) []string {
		var out []string
		for _, d := range docs {
			if d.Type != typ {
				continue
			}
			if ids {
				out = append(out, d.IDNumbers...)
			} else {
				out = append(out, d.USCC...)
			}
		}
		return out
	}
	disjoint := func(x, y []string) bool {
		if len(x) == 0 || len(y) == 0 {
			return false // nothing read on one side: nothing to compare
		}
		for _, v := range x {
			if slices.Contains(y, v) {
				return false
			}
		}
		return true
	}
	side := func(src string, vs []string, id bool) IncValue {
		return IncValue{Source: src, Value: strings.Join(vs, "、"), IDNumber: id}
	}
	out := []Inconsistency{}
	formIDs, cardIDs := codes("application_form", true), codes("id_card", true)
	if disjoint(formIDs, cardIDs) {
		out = append(out, Inconsistency{IncFormCardID, "申请书上填写的身份证号码与身份证件上的号码不一致。",
			[]IncValue{side("application_form", formIDs, true), side("id_card", cardIDs, true)}})
	}
	formUSCC, licUSCC := codes("application_form", false), codes("business_license", false)
	if disjoint(formUSCC, licUSCC) {
		out = append(out, Inconsistency{IncFormLicenceUSCC, "申请书上填写的统一社会信用代码与营业执照上的代码不一致。",
			[]IncValue{side("application_form", formUSCC, false), side("business_license", licUSCC, false)}})
	}
	// The typed number must be on the card, unless the card belongs to a submitter (then it is
	// theirs and the form's numbers are compared instead).
	if a.IDNumber != "" && !needPOA && disjoint([]string{a.IDNumber}, cardIDs) {
		out = append(out, Inconsistency{IncApplicantID, "窗口登记的申请人身份证号码与所交身份证件不一致。",
			[]IncValue{side(SourceWindow, []string{a.IDNumber}, true), side("id_card", cardIDs, true)}})
	} else if a.IDNumber != "" && needPOA && disjoint([]string{a.IDNumber}, formIDs) {
		out = append(out, Inconsistency{IncApplicantID, "窗口登记的申请人身份证号码与申请书不一致。",
			[]IncValue{side(SourceWindow, []string{a.IDNumber}, true), side("application_form", formIDs, true)}})
	}
	if a.USCC != "" && disjoint([]string{a.USCC}, licUSCC) {
		out = append(out, Inconsistency{IncApplicantUSCC, "窗口登记的统一社会信用代码与营业执照不一致。",
			[]IncValue{side(SourceWindow, []string{a.USCC}, false), side("business_license", licUSCC, false)}})
	}
	return out
}
