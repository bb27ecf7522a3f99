// Package pdfa checks a PDF for what a PDF/A-2b validator (veraPDF, ISO 19005-2) checks of the
// points onewindow's archive copies claim, since no validator is packaged where the tests
// run: the XMP packet (identification, well-formed, extension schemas for custom namespaces,
// agreement with the info dictionary), the output intent and its ICC profile, embedded fonts,
// the file ID, no encryption, no active content, no LZW, no DeviceCMYK against an RGB intent,
// and only constant-alpha transparency with standard blend modes. It is not a full validator:
// content streams are not parsed, so operators' colour spaces and glyph use go unchecked.
package pdfa

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"

	"onewindow/pipeline/pages"
)

// Metadata is what the XMP packet says, for tests to compare with what they filed.
type Metadata struct {
	Part, Conformance string
	Title             string
	Identifier        string
	Keywords          string
	Producer          string
	CreateDate        string
	ModifyDate        string
	// Properties are the packet's simple properties by namespace URI + local name.
	Properties map[string]string
}

// Report is what Check found.
type Report struct {
	Problems []string
	XMP      Metadata
}

// Require fails t with every problem Check finds in data and returns the XMP metadata.
func Require(t testing.TB, data []byte) Metadata {
	t.Helper()
	rep := Check(data)
	for _, p := range rep.Problems {
		t.Errorf("PDF/A-2b: %s", p)
	}
	return rep.XMP
}

// RequireEmbeddedFonts fails t for every font dictionary without an embedded font program.
func RequireEmbeddedFonts(t testing.TB, data []byte) {
	t.Helper()
	pc, err := read(data)
	if err != nil {
		t.Fatalf("pdfcpu cannot read the PDF: %v", err)
	}
	n := 0
	for _, p := range fontProblems(pc.XRefTable, &n) {
		t.Errorf("font: %s", p)
	}
	if n == 0 {
		t.Error("the PDF has no fonts at all")
	}
}

func config() *model.Configuration {
	return &model.Configuration{Reader15: true, ValidationMode: model.ValidationStrict, Limits: model.DefaultResourceLimits()}
}

// strictValidation runs pdfcpu's validator over a context read in strict mode; pdfcpu
// panics on some malformed input, which is a failed validation here.
func strictValidation(pc *model.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("validator panic: %v", r)
		}
	}()
	pc.Cmd = model.VALIDATE
	return validate.XRefTable(pc)
}

func read(data []byte) (*model.Context, error) {
	return pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(data), config())
}

// Check runs every check on data.
func Check(data []byte) Report {
	var rep Report
	bad := func(format string, args ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...)) }

	// ISO 19005-2 §6.1.2: the header, then a comment of four bytes above 127.
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) {
		bad("no %%PDF-1.n header")
	} else if i := bytes.IndexByte(data, '\n'); i < 0 || len(data) < i+6 || data[i+1] != '%' ||
		slices.ContainsFunc(data[i+2:i+6], func(b byte) bool { return b < 128 }) {
		bad("the header is not followed by a binary comment")
	}
	pc, err := read(data)
	if err != nil {
		bad("pdfcpu cannot read the PDF: %v", err)
		return rep
	}
	if err := strictValidation(pc); err != nil {
		bad("pdfcpu's strict validation: %v", err)
	}
	xt := pc.XRefTable
	if pc.Encrypt != nil || xt.Encrypt != nil {
		bad("encrypted")
	}
	if len(xt.ID) != 2 {
		bad("the trailer has no file ID pair (§6.1.3)")
	}
	cat, err := xt.Catalog()
	if err != nil {
		bad("no catalog: %v", err)
		return rep
	}
	if o, ok := cat.Find("AA"); ok {
		bad("the catalog has additional actions /AA %v (§6.5.2)", o)
	}
	info := infoStrings(xt)
	rep.XMP = checkXMP(xt, cat, info, bad)
	checkOutputIntent(xt, cat, bad)
	n := 0
	for _, p := range fontProblems(xt, &n) {
		bad("%s", p)
	}
	if active, err := pages.ActiveContent(context.Background(), data); err != nil || len(active) > 0 {
		bad("active content %v (%v): no JavaScript, launch actions or embedded files", active, err)
	}
	walkObjects(xt, func(d types.Dict) {
		for _, key := range []string{"Filter", "FFilter"} {
			if f, ok := d[key]; ok && strings.Contains(fmt.Sprint(f), "LZWDecode") {
				bad("LZWDecode filter (§6.1.7.2)")
			}
		}
		if cs, ok := d["ColorSpace"]; ok && strings.Contains(fmt.Sprint(cs), "DeviceCMYK") {
			bad("DeviceCMYK image against an RGB output intent (§6.2.4.3)")
		}
		if v, ok := d["Interpolate"].(types.Boolean); ok && bool(v) {
			bad("an image with /Interpolate true (§6.2.8)")
		}
		if t, _ := d["Type"].(types.Name); t == "ExtGState" {
			if bm, ok := d["BM"]; ok && !standardBlend(fmt.Sprint(bm)) {
				bad("ExtGState blend mode %v (§6.2.10)", bm)
			}
			if tr, ok := d["TR"]; ok {
				bad("ExtGState /TR %v (§6.2.5)", tr)
			}
		}
	})
	return rep
}

func standardBlend(bm string) bool {
	for _, s := range []string{"Normal", "Compatible", "Multiply", "Screen", "Overlay", "Darken", "Lighten", "ColorDodge",
		"ColorBurn", "HardLight", "SoftLight", "Difference", "Exclusion", "Hue", "Saturation", "Color", "Luminosity"} {
		if strings.Trim(bm, "/[] ") == s {
			return true
		}
	}
	return false
}

// infoStrings reads the info dictionary's text entries, decoded.
func infoStrings(xt *model.XRefTable) map[string]string {
	out := map[string]string{}
	if xt.Info == nil {
		return out
	}
	d, err := xt.DereferenceDict(*xt.Info)
	if err != nil || d == nil {
		return out
	}
	for k, v := range d {
		if s, err := xt.DereferenceText(v); err == nil {
			out[k] = s
		}
	}
	return out
}

// pdfDateToXMP turns D:YYYYMMDDHHmmSS+HH'mm' (or Z) into the XMP form, to compare.
func pdfDateToXMP(s string) string {
	s = strings.TrimPrefix(s, "D:")
	if len(s) < 14 {
		return "short date " + s
	}
	out := fmt.Sprintf("%s-%s-%sT%s:%s:%s", s[:4], s[4:6], s[6:8], s[8:10], s[10:12], s[12:14])
	switch tz := s[14:]; {
	case tz == "Z" || tz == "" || strings.HasPrefix(tz, "Z"):
		return out + "Z"
	case len(tz) >= 6:
		return out + tz[:3] + ":" + tz[4:6]
	default:
		return out + "?" + tz
	}
}

const (
	nsRDF    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC     = "http://purl.org/dc/elements/1.1/"
	nsPDF    = "http://ns.adobe.com/pdf/1.3/"
	nsXMP    = "http://ns.adobe.com/xap/1.0/"
	nsPDFAID = "http://www.aiim.org/pdfa/ns/id/"
	nsExt    = "http://www.aiim.org/pdfa/ns/extension/"
	nsSchema = "http://www.aiim.org/pdfa/ns/schema#"
	nsProp   = "http://www.aiim.org/pdfa/ns/property#"
)

// predefined are the XMP specification's schemas, which need no extension schema (§6.6.2.3).
var predefined = map[string]bool{
	nsDC: true, nsPDF: true, nsXMP: true, nsPDFAID: true, nsExt: true, nsSchema: true, nsProp: true,
	"http://ns.adobe.com/xap/1.0/mm/": true, "http://ns.adobe.com/xap/1.0/rights/": true,
	"http://ns.adobe.com/photoshop/1.0/": true, "http://ns.adobe.com/tiff/1.0/": true, "http://ns.adobe.com/exif/1.0/": true,
	"http://ns.adobe.com/xap/1.0/t/pg/": true, "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": true,
}

func checkXMP(xt *model.XRefTable, cat types.Dict, info map[string]string, bad func(string, ...any)) Metadata {
	var md Metadata
	obj, ok := cat.Find("Metadata")
	if !ok {
		bad("the catalog has no /Metadata (§6.6.2.1)")
		return md
	}
	sd, _, err := xt.DereferenceStreamDict(obj)
	if err != nil || sd == nil {
		bad("/Metadata is not a stream: %v", err)
		return md
	}
	if t, _ := sd.Dict["Type"].(types.Name); t != "Metadata" {
		bad("/Metadata stream /Type is %v", sd.Dict["Type"])
	}
	if t, _ := sd.Dict["Subtype"].(types.Name); t != "XML" {
		bad("/Metadata stream /Subtype is %v", sd.Dict["Subtype"])
	}
	if sd.Content == nil {
		if err := sd.Decode(); err != nil {
			bad("/Metadata cannot be decoded: %v", err)
			return md
		}
	}
	packet := sd.Content
	if !bytes.HasPrefix(packet, []byte("<?xpacket begin=")) || !bytes.Contains(packet, []byte(`id="W5M0MpCehiHzreSzNTczkc9d"`)) {
		bad("the XMP packet lacks its xpacket header (§6.6.2.2)")
	}
	if !bytes.Contains(packet, []byte(`<?xpacket end=`)) {
		bad("the XMP packet lacks its xpacket trailer")
	}
	md, used, described, err := parseXMP(packet)
	if err != nil {
		bad("the XMP packet is not well-formed XML: %v", err)
		return md
	}
	if md.Part != "2" || md.Conformance != "B" {
		bad("pdfaid part %q conformance %q, want 2 and B", md.Part, md.Conformance)
	}
	for ns := range used {
		if !predefined[ns] && !described[ns] {
			bad("XMP namespace %s has no PDF/A extension schema (§6.6.2.3)", ns)
		}
	}
	// §6.6.3: the info dictionary's entries and their XMP twins say the same.
	twins := []struct{ key, xmp string }{
		{"Title", md.Title}, {"Keywords", md.Keywords}, {"Producer", md.Producer},
		{"Creator", md.Properties[nsXMP+"CreatorTool"]}, {"Subject", md.Properties[nsDC+"description"]},
		{"Author", md.Properties[nsDC+"creator"]},
	}
	for _, tw := range twins {
		if v, ok := info[tw.key]; ok && v != tw.xmp {
			bad("Info /%s %q but XMP says %q", tw.key, v, tw.xmp)
		}
	}
	for _, tw := range []struct{ key, xmp string }{{"CreationDate", md.CreateDate}, {"ModDate", md.ModifyDate}} {
		if v, ok := info[tw.key]; ok && pdfDateToXMP(v) != tw.xmp {
			bad("Info /%s %s (%s) but XMP says %q", tw.key, v, pdfDateToXMP(v), tw.xmp)
		}
	}
	return md
}

// parseXMP reads the packet's properties. used are the namespaces of properties,
// described the namespaces extension schemas describe.
func parseXMP(packet []byte) (md Metadata, used, described map[string]bool, err error) {
	md.Properties = map[string]string{}
	used, described = map[string]bool{}, map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(packet))
	var stack []xml.Name
	var text strings.Builder
	// property is the child of rdf:Description being read; values of arrays are its li's.
	var property xml.Name
	var values []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return md, nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 0 && stack[len(stack)-1].Space == nsRDF && stack[len(stack)-1].Local == "Description" {
				property, values = t.Name, nil
				used[t.Name.Space] = true
			}
			if t.Name.Space == nsRDF && t.Name.Local == "Description" {
				for _, a := range t.Attr { // properties may be attributes
					if a.Name.Space != "" && a.Name.Space != nsRDF && a.Name.Space != "xmlns" && a.Name.Space != "http://www.w3.org/XML/1998/namespace" {
						used[a.Name.Space] = true
						md.Properties[a.Name.Space+a.Name.Local] = a.Value
					}
				}
			}
			stack = append(stack, t.Name)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			v := strings.TrimSpace(text.String())
			switch {
			case t.Name.Space == nsRDF && t.Name.Local == "li":
				values = append(values, v)
			case t.Name.Space == nsSchema && t.Name.Local == "namespaceURI":
				described[v] = true
			case t.Name == property:
				if len(values) > 0 {
					v = strings.Join(values, ", ")
				}
				md.Properties[property.Space+property.Local] = v
				property = xml.Name{}
			}
			text.Reset()
		}
	}
	p := md.Properties
	md.Part, md.Conformance = p[nsPDFAID+"part"], p[nsPDFAID+"conformance"]
	md.Title, md.Identifier = p[nsDC+"title"], p[nsDC+"identifier"]
	md.Keywords, md.Producer = p[nsPDF+"Keywords"], p[nsPDF+"Producer"]
	md.CreateDate, md.ModifyDate = p[nsXMP+"CreateDate"], p[nsXMP+"ModifyDate"]
	return md, used, described, nil
}

// checkOutputIntent: a GTS_PDFA1 output intent whose profile is an ICC RGB display or printer
// profile with /N 3 (§6.2.3), the same profile in every such intent.
func checkOutputIntent(xt *model.XRefTable, cat types.Dict, bad func(string, ...any)) {
	obj, ok := cat.Find("OutputIntents")
	if !ok {
		bad("the catalog has no /OutputIntents (§6.2.3)")
		return
	}
	arr, err := xt.DereferenceArray(obj)
	if err != nil {
		bad("/OutputIntents: %v", err)
		return
	}
	var profiles []string
	for _, o := range arr {
		d, err := xt.DereferenceDict(o)
		if err != nil || d == nil {
			bad("an output intent is not a dictionary")
			continue
		}
		if s, _ := d["S"].(types.Name); s != "GTS_PDFA1" {
			continue
		}
		if _, ok := d["OutputConditionIdentifier"]; !ok {
			bad("the output intent has no /OutputConditionIdentifier")
		}
		ref, ok := d["DestOutputProfile"]
		if !ok {
			bad("the GTS_PDFA1 output intent has no /DestOutputProfile")
			continue
		}
		profiles = append(profiles, fmt.Sprint(ref))
		sd, _, err := xt.DereferenceStreamDict(ref)
		if err != nil || sd == nil {
			bad("/DestOutputProfile is not a stream: %v", err)
			continue
		}
		if n, _ := sd.Dict["N"].(types.Integer); n != 3 {
			bad("/DestOutputProfile /N is %v, want 3 for RGB", sd.Dict["N"])
		}
		if sd.Content == nil {
			if err := sd.Decode(); err != nil {
				bad("the ICC profile cannot be decoded: %v", err)
				continue
			}
		}
		icc := sd.Content
		switch {
		case len(icc) < 128:
			bad("the ICC profile has %d bytes, less than its header", len(icc))
		case string(icc[36:40]) != "acsp":
			bad("the ICC profile has no 'acsp' signature")
		case string(icc[16:20]) != "RGB ":
			bad("the ICC profile's colour space is %q, want 'RGB '", icc[16:20])
		case string(icc[12:16]) != "mntr" && string(icc[12:16]) != "prtr":
			bad("the ICC profile's class is %q, want mntr or prtr", icc[12:16])
		case int(binary.BigEndian.Uint32(icc)) != len(icc):
			bad("the ICC profile says it has %d bytes, the stream %d", binary.BigEndian.Uint32(icc), len(icc))
		case icc[8] > 4:
			bad("ICC version %d is newer than PDF 1.7 allows", icc[8])
		}
	}
	if len(profiles) == 0 {
		bad("no GTS_PDFA1 output intent")
	}
	for _, p := range profiles[min(1, len(profiles)):] {
		if p != profiles[0] {
			bad("output intents with different profiles (§6.2.3)")
		}
	}
}

// fontProblems names every font dictionary in the file without an embedded font program
// (§6.2.11.4); Type0 fonts are judged by their descendant, Type3 fonts are drawn by the PDF
// itself. n counts the fonts seen.
func fontProblems(xt *model.XRefTable, n *int) []string {
	var out []string
	walkObjects(xt, func(d types.Dict) {
		if t, _ := d["Type"].(types.Name); t != "Font" {
			return
		}
		sub, _ := d["Subtype"].(types.Name)
		if sub == "Type0" || sub == "Type3" {
			return
		}
		*n++
		name := fmt.Sprint(d["BaseFont"])
		fd, err := xt.DereferenceDict(d["FontDescriptor"])
		if err != nil || fd == nil {
			out = append(out, fmt.Sprintf("font %s (%s) has no font descriptor", name, sub))
			return
		}
		for _, key := range []string{"FontFile", "FontFile2", "FontFile3"} {
			if _, ok := fd[key]; ok {
				return
			}
		}
		out = append(out, fmt.Sprintf("font %s (%s) is not embedded", name, sub))
	})
	return out
}

// walkObjects calls fn for every dictionary in the file, direct ones inside others included.
func walkObjects(xt *model.XRefTable, fn func(types.Dict)) {
	var walk func(o types.Object, depth int)
	walk = func(o types.Object, depth int) {
		if depth > 32 {
			return
		}
		switch v := o.(type) {
		case types.StreamDict:
			walk(v.Dict, depth+1)
		case types.Dict:
			fn(v)
			for _, e := range v {
				walk(e, depth+1)
			}
		case types.Array:
			for _, e := range v {
				walk(e, depth+1)
			}
		}
	}
	for _, e := range xt.Table {
		if e != nil && !e.Free && e.Object != nil {
			walk(e.Object, 0)
		}
	}
}

// preflightJars is Apache PDFBox Preflight (Debian's libpdfbox2-java, the set-up installs it)
// and what it needs on a Java 11+ runtime, which no longer bundles activation and JAXB.
var preflightJars = []string{"preflight.jar", "pdfbox2.jar", "fontbox2.jar", "xmpbox.jar", "commons-logging.jar",
	"javax.activation.jar", "jaxb-api.jar"}

// PDFA1Only are the PDFBox Preflight error codes a PDF/A-2b file is expected to get from a
// PDF/A-1b validator: constant-alpha transparency and its page group (PDF/A-2 allows both)
// and pdfaid:part 2.
var PDFA1Only = []string{"4.1.2", "2.2.1", "7.11.2"}

// Preflight runs Apache PDFBox Preflight, an independent validator, on the PDF at path and
// returns its error lines but those whose codes allowed lists. Preflight validates PDF/A-1b,
// not -2b, so it is a second opinion on the checks the two parts share: the XMP packet and
// its agreement with the info dictionary, the output intent's ICC profile, fonts and their
// widths, colour spaces against the output intent, syntax, and the trailer ID.
func Preflight(t testing.TB, path string, allowed ...string) []string {
	t.Helper()
	var cp []string
	for _, j := range preflightJars {
		cp = append(cp, "/usr/share/java/"+j)
	}
	out, err := exec.Command("java", "-cp", strings.Join(cp, ":"), "org.apache.pdfbox.preflight.Validator_A1b", path).CombinedOutput()
	text := string(out)
	if !strings.Contains(text, "is a valid PDF/A-1b file") && !strings.Contains(text, "is not a valid PDF/A-1b file") {
		t.Fatalf("PDFBox Preflight did not run (run the README's set-up): %v\n%s", err, text)
	}
	var problems []string
	for _, line := range strings.Split(text, "\n") {
		code, _, ok := strings.Cut(strings.TrimSpace(line), " : ")
		if ok && !slices.Contains(allowed, code) {
			problems = append(problems, strings.TrimSpace(line))
		}
	}
	return problems
}
