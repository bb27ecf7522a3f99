package cases

import (
	"regexp"
	"strings"

	"onewindow/internal/errs"
	"onewindow/pipeline/extract"
)

// Party is a person or organisation named on a case: the applicant, or a submitter who hands
// the materials in for them.
type Party struct {
	Kind     string `json:"kind"` // person or organisation
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"` // resident ID number (a person's, or an organisation's representative)
	USCC     string `json:"uscc,omitempty"`      // unified social credit code (organisations)
	Phone    string `json:"phone,omitempty"`
	Address  string `json:"address,omitempty"`
}

// Applicant is the party a case is for.
type Applicant = Party

var (
	mobileRe   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRe = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$`)
)

// NormalizePhone strips spaces, dashes between groups of a mobile number and a +86 / 0086
// prefix; it returns "" when what is left is neither a mobile nor a landline number.
func NormalizePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u3000' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+86"), "0086")
	if m := strings.ReplaceAll(s, "-", ""); mobileRe.MatchString(m) {
		return m
	}
	if landlineRe.MatchString(s) {
		return s
	}
	return ""
}

// Normalize trims the party's fields, upper-cases codes, normalises the phone and infers the
// kind (organisation when only a credit code is given). It validates nothing.
func (p Party) Normalize() Party {
	p.Kind = strings.TrimSpace(p.Kind)
	p.Name = strings.TrimSpace(p.Name)
	p.IDNumber = strings.ToUpper(strings.TrimSpace(p.IDNumber))
	p.USCC = strings.ToUpper(strings.TrimSpace(p.USCC))
	p.Address = strings.TrimSpace(p.Address)
	if n := NormalizePhone(p.Phone); n != "" {
		p.Phone = n
	} else {
		p.Phone = strings.TrimSpace(p.Phone)
	}
	if p.Kind == "" {
		p.Kind = KindPerson
		if p.USCC != "" && p.IDNumber == "" {
			p.Kind = KindOrganisation
		}
	}
	return p
}

// Validate checks a normalised party: a name, a known kind, the check characters of its ID
// number (bad_id_number) and credit code (bad_uscc), its phone (bad_phone). role names the
// party in messages ("applicant", "submitter", "sender"). A person needs an ID number, an
// organisation a credit code.
func (p Party) Validate(op, role string) error {
	switch {
	case p.Name == "":
		return errs.Errorf(op, errs.Invalid, "missing_name", "The %s's name is missing.", role)
	case p.Kind != KindPerson && p.Kind != KindOrganisation:
		return errs.Errorf(op, errs.Invalid, "bad_party_kind", "The %s's kind must be person or organisation.", role)
	case p.Kind == KindPerson && p.IDNumber == "":
		return errs.Errorf(op, errs.Invalid, "missing_id_number", "The %s's resident ID number is missing.", role)
	case p.Kind == KindOrganisation && p.USCC == "":
		return errs.Errorf(op, errs.Invalid, "missing_uscc", "The %s's unified social credit code is missing.", role)
	case p.IDNumber != "" && !extract.ValidIDNumber(p.IDNumber):
		return errs.Errorf(op, errs.Unprocessable, "bad_id_number", "The %s's resident ID number is not valid (check character, region or birth date).", role)
	case p.USCC != "" && !extract.ValidUSCC(p.USCC):
		return errs.Errorf(op, errs.Unprocessable, "bad_uscc", "The %s's unified social credit code is not valid.", role)
	case p.Phone != "" && NormalizePhone(p.Phone) == "":
		return errs.Errorf(op, errs.Unprocessable, "bad_phone", "The %s's phone number is neither a mobile nor a landline number.", role)
	}
	return nil
}

// same reports whether two parties are the same person or organisation, by their codes.
func (p Party) same(q Party) bool {
	if p.USCC != "" && q.USCC != "" {
		return p.USCC == q.USCC
	}
	if p.IDNumber != "" && q.IDNumber != "" {
		return p.IDNumber == q.IDNumber
	}
	return p.Name == q.Name
}

// representative validates an organisation's legal representative: a person with a name, whose
// ID number and phone, when given, are valid. A person applicant has none; nothing typed is nil.
func representative(op string, applicant Party, r *Party) (*Party, error) {
	if r == nil {
		return nil, nil
	}
	p := r.Normalize()
	p.Kind = KindPerson
	if p.Name == "" && p.IDNumber == "" && p.Phone == "" && p.Address == "" {
		return nil, nil
	}
	const role = "legal representative"
	switch {
	case applicant.Kind != KindOrganisation:
		return nil, errs.Errorf(op, errs.Invalid, "representative_for_person",
			"Only an organisation has a legal representative (法定代表人); leave it empty for a person.")
	case p.Name == "":
		return nil, errs.Errorf(op, errs.Invalid, "missing_name", "The %s's name is missing.", role)
	case p.IDNumber != "" && !extract.ValidIDNumber(p.IDNumber):
		return nil, errs.Errorf(op, errs.Unprocessable, "bad_id_number", "The %s's resident ID number is not valid (check character, region or birth date).", role)
	case p.Phone != "" && NormalizePhone(p.Phone) == "":
		return nil, errs.Errorf(op, errs.Unprocessable, "bad_phone", "The %s's phone number is neither a mobile nor a landline number.", role)
	}
	return &p, nil
}
