package public

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"onewindow/cases"
	"onewindow/internal/qr"
)

// docTypes name the default taxonomy's document types in a guide; a hall's own types show
// their code, and every material carries its own name besides.
var docTypes = map[string]string{
	"application_form": "申请表", "id_card": "身份证件", "business_license": "营业执照",
	"power_of_attorney": "授权委托书", "commitment_letter": "承诺书", "property_certificate": "权属或场所证明",
	"household_register": "户口簿", "articles_of_association": "章程", "foreign_document": "境外文书", "other": "其他材料",
}

var paperWords = map[string]string{cases.PaperOriginal: "原件", cases.PaperCopy: "复印件", cases.PaperBoth: "原件和复印件"}

// guideMaterial is one row of a guide's material table.
type guideMaterial struct {
	cases.Material
	TypeName, Paper string
}

type guideView struct {
	Matter      cases.Matter
	Guide       cases.Guide
	Hall        cases.HallInfo
	Departments []string
	Materials   []guideMaterial
	URL         string
	QR          template.HTML
}

func (s *Service) guideList(w http.ResponseWriter, r *http.Request) {
	cat := s.o.Catalogue()
	s.render(w, http.StatusOK, "guides.html", "办事指南", struct {
		Matters []cases.Matter
		Hall    cases.HallInfo
	}{cat.Matters, cat.Hall})
}

// guidePage answers /guide/{code} with the guide as a page, and /guide/{code}.pdf with it as
// a printable PDF.
func (s *Service) guidePage(w http.ResponseWriter, r *http.Request) {
	cat := s.o.Catalogue()
	code, asPDF := strings.CutSuffix(r.PathValue("code"), ".pdf")
	m, ok := cat.Matter(code)
	if !ok {
		s.renderError(w, http.StatusNotFound, "没有这个事项", "事项编码不在本中心的事项清单中，请从办事指南目录中选择。")
		return
	}
	v := guideView{Matter: m, Guide: cat.GuideFor(m), Hall: cat.Hall, URL: s.baseURL(r) + "/guide/" + m.Code}
	for _, d := range m.Departments {
		v.Departments = append(v.Departments, s.departmentName(cat, d))
	}
	for _, mt := range m.Materials {
		v.Materials = append(v.Materials, guideMaterial{Material: mt, TypeName: typeName(mt.Type), Paper: paperWords[mt.OriginalOrCopy]})
	}
	if asPDF {
		s.guidePDF(w, r, v)
		return
	}
	svg, err := qrSVG(v.URL, "本指南的网址二维码")
	if err != nil {
		s.o.Log.ErrorContext(r.Context(), "guide QR code not drawn", "matter", m.Code, "err", err)
	}
	v.QR = template.HTML(svg) // drawn here from modules: no outside text reaches it
	s.render(w, http.StatusOK, "guide.html", m.Name+" 办事指南", v)
}

// guideQR is a guide's QR code alone, for posters and screens.
func (s *Service) guideQR(w http.ResponseWriter, r *http.Request) {
	m, ok := s.o.Catalogue().Matter(r.PathValue("code"))
	if !ok {
		http.Error(w, "没有这个事项", http.StatusNotFound)
		return
	}
	svg, err := qrSVG(s.baseURL(r)+"/guide/"+m.Code, m.Name+" 办事指南")
	if err != nil {
		http.Error(w, "二维码生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + svg))
}

func typeName(t string) string {
	if n, ok := docTypes[t]; ok {
		return n
	}
	return t
}

// departmentName is a department's name from the departments file, else the catalogue's,
// else its id.
func (s *Service) departmentName(cat *cases.Catalogue, id string) string {
	if s.o.DepartmentName != nil {
		if n := s.o.DepartmentName(id); n != "" {
			return n
		}
	}
	if n := cat.DepartmentName(id); n != "" {
		return n
	}
	return id
}

// baseURL is where people reach this installation: the configured address, else the one the
// request came to.
func (s *Service) baseURL(r *http.Request) string {
	if s.o.BaseURL != "" {
		return strings.TrimSuffix(s.o.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// qrSVG draws text as a QR code in SVG, one path of dark runs inside a 4-module quiet zone;
// title is its accessible name.
func qrSVG(text, title string) (string, error) {
	mods, err := qr.Modules(text)
	if err != nil {
		return "", err
	}
	const quiet = 4
	n := len(mods) + 2*quiet
	var d bytes.Buffer
	qr.Runs(mods, func(row, col, k int) {
		fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", col+quiet, row+quiet, k, k)
	})
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="qr" role="img" aria-label="%s" shape-rendering="crispEdges"><title>%s</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, template.HTMLEscapeString(title), template.HTMLEscapeString(title), n, n, d.String()), nil
}
