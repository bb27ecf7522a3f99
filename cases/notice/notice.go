// Package notice renders the front desk's notices (受理通知书, 一次性告知书, 容缺受理通知书,
// 不予受理决定书, the courier's receipt) and the courier desk's daily register as PDFs, from
// editable text templates. Chinese is real text in an embedded subset of a TrueType CJK font,
// so pdftotext and search read it. Every page carries the case number, a QR code of it (or of
// its progress lookup, Options.LookupBase) and the hall's red seal. Rendering is pure: no I/O
// but reading the font and templates once.
package notice

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/cases"
	"onewindow/internal/auth"
	"onewindow/internal/cjkfont"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
)

// DefaultFontPath is Debian's fonts-wqy-zenhei collection (the stamp's and the reports' font
// too); the face is cut out of the collection once, at New.
const DefaultFontPath = cjkfont.DefaultPath

// Options configure a Renderer; zero values take the defaults.
type Options struct {
	Hall        string // the hall's name, on the seal and in the footer; default "政务服务中心"
	FontPath    string // a TrueType font or collection with CJK glyphs; default DefaultFontPath
	FontIndex   int    // the face in a collection; default 0
	TemplateDir string // a folder of the hall's templates overriding the embedded ones
	// DepartmentNames shows department ids by name (the departments file's names); ids of the
	// sample catalogue have defaults, any other id is shown as it is.
	DepartmentNames map[string]string
	// Clock is the hall's: a notice's and a register's dates are its days, whatever zone the
	// times come in (events keep UTC). Zero: clock.DefaultZone.
	Clock clock.Clock
	// LookupBase is where applicants reach this installation (--public-base-url): the QR code
	// on every notice and receipt then opens the progress lookup of its case,
	// {LookupBase}/progress?case_no=X. Empty: the QR code carries the case number alone.
	LookupBase string
}

// defaultDepartmentNames name the departments of the sample catalogue.
var defaultDepartmentNames = map[string]string{
	"market-regulation": "市场监督管理局", "taxation": "税务局", "public-security": "公安局",
	"natural-resources": "自然资源局", "human-resources-social-security": "人力资源和社会保障局",
	"housing-construction": "住房和城乡建设局", "transport": "交通运输局",
}

// Renderer renders notices. It is safe for concurrent use.
type Renderer struct {
	lookup    string // LookupBase without a trailing slash
	hall      string
	clock     clock.Clock
	depts     map[string]string
	font      []byte
	templates map[string]template
}

// New reads the font and templates. A template with an unknown placeholder is refused
// (code bad_template) naming the template and the placeholder.
func New(opts Options) (*Renderer, error) {
	if opts.FontPath == "" {
		opts.FontPath = DefaultFontPath
	}
	if opts.Hall == "" {
		opts.Hall = "政务服务中心"
	}
	font, err := cjkfont.Face(opts.FontPath, opts.FontIndex)
	if err != nil {
		return nil, errs.E("notice.New", errs.Internal, "font_missing", "The notice font cannot be used.", err)
	}
	t, err := loadTemplates(opts.TemplateDir)
	if err != nil {
		return nil, err
	}
	depts := maps.Clone(defaultDepartmentNames)
	maps.Copy(depts, opts.DepartmentNames)
	return &Renderer{hall: opts.Hall, clock: opts.Clock, depts: depts, font: font, templates: t,
		lookup: strings.TrimSuffix(opts.LookupBase, "/")}, nil
}

// qrText is what a notice's QR code carries: the address of its case's progress lookup, or
// the case number where no address is known.
func (r *Renderer) qrText(caseNo string) string {
	if r.lookup == "" {
		return caseNo
	}
	return r.lookup + "/progress?case_no=" + url.QueryEscape(caseNo)
}

// Hall is the hall's name the notices carry.
func (r *Renderer) Hall() string { return r.hall }

// Item is one entry of a notice's list.
type Item struct {
	Text   string // e.g. "营业执照复印件"
	Detail string // e.g. "缺少", "请于2026年3月9日前补齐", the legal basis
}

// Data is what a notice says. Times are shown as the hall's clock (Options.Clock) tells them.
type Data struct {
	Kind          string
	CaseNo        string
	ApplicantName string
	ApplicantID   string // shown masked
	MatterName    string
	MatterCode    string
	Submitted     time.Time
	Issued        time.Time
	DueDate       string // YYYY-MM-DD
	TimeLimitDays int
	Departments   []string
	Window        string // the window that accepted the application (受理窗口)
	Clerk         string // who decided (经办人)
	Reason        string
	// Assessment is what the check found, in the notice's words: whether the materials are
	// complete, and what the window accepted despite (FromDecision).
	Assessment string
	Items      []Item
	Mail       *cases.MailItem // for mail receipts
}

// FromDecision builds the notice of a decision just taken on c: an acceptance lists the
// materials received and says what the check found missing or inconsistent (it claims
// "齐全、符合法定形式" only when they are); a 容缺 notice lists what is owed and by when; a
// correction lists the checklist's items by their catalogue names; a refusal its catalogue
// reasons with their legal basis.
func FromDecision(c *cases.Case, m cases.Matter, d cases.DecidedData, reason string, at time.Time) Data {
	n := caseData(c, m, at)
	n.Kind = cases.NoticeFor(d.Decision)
	n.Reason = reason
	if d.DueDate != "" {
		n.DueDate = d.DueDate
	}
	var incs []string
	for _, in := range c.Check.Inconsistencies {
		incs = append(incs, strings.TrimSuffix(in.Message, "。"))
	}
	switch d.Decision {
	case cases.DecisionAccept:
		var missing []string
		for _, it := range c.Check.Items {
			if it.Status == cases.StatusPresent {
				n.Items = append(n.Items, Item{Text: it.Name, Detail: fmt.Sprintf("已收取，%d件", len(it.Documents))})
			} else {
				missing = append(missing, "未提交"+it.Name)
			}
		}
		if found := append(missing, incs...); len(found) > 0 {
			n.Assessment = "经审查，申请材料有以下欠缺或者不一致：" + strings.Join(found, "；") + "。经窗口核实，上述情况不影响受理。"
		} else {
			n.Assessment = "经审查，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第五项的规定，"
		}
	case cases.DecisionCorrection:
		for _, it := range d.Missing {
			n.Items = append(n.Items, Item{Text: it.Name, Detail: "未提交，请补充提交"})
		}
		for _, in := range c.Check.Inconsistencies {
			n.Items = append(n.Items, Item{Text: in.Message, Detail: "请核对更正"})
		}
	case cases.DecisionAcceptDeferred:
		n.Assessment = "经审查，主要申请材料齐全、符合法定形式，次要材料有欠缺。"
		if len(incs) > 0 {
			n.Assessment += "另有以下情况经窗口核实，不影响受理：" + strings.Join(incs, "；") + "。"
		}
		for _, it := range d.Deferred {
			n.Items = append(n.Items, Item{Text: it.Name, Detail: "请于" + chineseDate(it.DueDate) + "前补齐"})
		}
	case cases.DecisionReject:
		for _, r := range d.Refusals {
			n.Items = append(n.Items, Item{Text: r.Reason, Detail: "依据：" + r.LegalBasis})
		}
		if len(d.Refusals) == 0 && n.Reason != "" {
			// A reason stated without the catalogue's (an API client of the first contract):
			// it is the reason, not a remark beside one.
			n.Items, n.Reason = []Item{{Text: n.Reason}}, ""
		}
	}
	return n
}

// FromMail builds the courier desk's receipt for a mail item (c may be nil when the item is
// not tied to a case yet).
func FromMail(mi cases.MailItem, c *cases.Case, m cases.Matter, at time.Time) Data {
	n := Data{Kind: cases.NoticeMailReceipt, CaseNo: mi.CaseNo, ApplicantName: mi.Sender.Name, Issued: at, Submitted: mi.ArrivedAt}
	if c != nil {
		n = caseData(c, m, at)
		n.Kind = cases.NoticeMailReceipt
	}
	n.Mail = &mi
	return n
}

func caseData(c *cases.Case, m cases.Matter, at time.Time) Data {
	return Data{
		CaseNo: c.CaseNo, ApplicantName: c.Applicant.Name, ApplicantID: c.Applicant.IDNumber + c.Applicant.USCC,
		MatterName: m.Name, MatterCode: m.Code, Submitted: c.OpenedAt, Issued: at, DueDate: c.DueDate,
		TimeLimitDays: m.TimeLimitDays, Departments: m.Departments, Window: c.Window,
	}
}

// maskID shows a notice's ID number or credit code as the one masking rule does: notices
// leave the hall.
func maskID(s string) string {
	if s == "" {
		return ""
	}
	return auth.MaskID(s)
}

// chineseDate shows a YYYY-MM-DD date, already the hall's day, as 2026年3月9日.
func chineseDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return civilDate(t)
}

// chineseTime shows t's day in the hall as 2026年3月9日.
func chineseTime(c clock.Clock, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return civilDate(c.In(t))
}

func civilDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

var conditionNames = map[string]string{"intact": "完好", "damaged": "破损", "opened": "已拆封"}

func (d Data) values(hall string, depts map[string]string, c clock.Clock) map[string]string {
	names := make([]string, len(d.Departments))
	for i, id := range d.Departments {
		names[i] = cmp.Or(depts[id], id)
	}
	v := map[string]string{
		"hall": hall, "case_no": d.CaseNo, "applicant_name": d.ApplicantName, "applicant_id": maskID(d.ApplicantID),
		"matter_name": d.MatterName, "matter_code": d.MatterCode, "submitted_date": chineseTime(c, d.Submitted),
		"issued_date": chineseTime(c, d.Issued), "due_date": chineseDate(d.DueDate), "time_limit_days": strconv.Itoa(d.TimeLimitDays),
		"departments": strings.Join(names, "、"), "window": d.Window, "reason": d.Reason,
		"clerk": d.Clerk, "assessment": d.Assessment,
	}
	if mi := d.Mail; mi != nil {
		v["carrier"] = cases.CarrierName(mi.Carrier)
		v["waybill"] = mi.Waybill
		v["sender_name"] = mi.Sender.Name
		v["pieces"] = strconv.Itoa(mi.Pieces)
		v["condition"] = conditionNames[mi.Condition]
		v["arrived_at"] = c.In(mi.ArrivedAt).Format("2006年1月2日 15:04")
		v["signed_by"] = mi.SignedBy
	}
	return v
}

// Render renders one notice as a PDF.
func (r *Renderer) Render(d Data) ([]byte, error) {
	t, ok := r.templates[d.Kind]
	if !ok {
		return nil, errs.Errorf("notice.Render", errs.Invalid, "bad_notice_kind", "There is no notice of kind %q.", d.Kind)
	}
	p := r.page("P", t.title, d.CaseNo, r.clock.In(d.Issued))
	vals := d.values(r.hall, r.depts, r.clock)
	p.SetFont(fontName, "", 12)
	for _, line := range t.lines {
		switch strings.TrimSpace(line) {
		case "{items}":
			r.items(p, d.Items)
			continue
		case "":
			p.Ln(3)
			continue
		}
		text, empty := expand(line, vals)
		if empty || strings.Trim(text, "　 ") == "" { // "受理意见：{reason}" without a reason says nothing
			continue
		}
		paragraph(p, text, 7.5)
	}
	r.signature(p, d.Issued)
	return output(p)
}

func (r *Renderer) items(p *fpdf.Fpdf, items []Item) {
	if len(items) == 0 {
		paragraph(p, "　　（无）", 7.5)
		return
	}
	for i, it := range items {
		paragraph(p, fmt.Sprintf("　　%d. %s", i+1, it.Text), 7.5)
		if it.Detail != "" {
			p.SetFont(fontName, "", 10.5)
			paragraph(p, "　　　 "+it.Detail, 6.5)
			p.SetFont(fontName, "", 12)
		}
	}
}

// signature closes a notice: the hall's name and the date, with the seal over them.
func (r *Renderer) signature(p *fpdf.Fpdf, issued time.Time) {
	p.Ln(12)
	y := p.GetY()
	if y > 230 {
		p.AddPage()
		y = p.GetY()
	}
	p.SetFont(fontName, "", 12)
	p.SetXY(110, y)
	p.CellFormat(75, 8, r.hall, "", 2, "C", false, 0, "")
	p.SetX(110)
	p.CellFormat(75, 8, chineseTime(r.clock, issued), "", 2, "C", false, 0, "")
	seal(p, r.hall, "业务专用章", 147.5, y+8, 20)
}

// output writes the PDF, reporting fpdf's accumulated error.
func output(p *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, errs.E("notice.Render", errs.Internal, "", "", err)
	}
	return buf.Bytes(), nil
}
