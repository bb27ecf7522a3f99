package pdfout

import (
	_ "embed"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// Filed PDFs claim PDF/A-2b (ISO 19005-2, level B: the pages look the same in every reader
// for as long as the archive keeps them). What that asks of this writer: an XMP metadata
// packet that says so and agrees with the info dictionary, an output intent naming the
// colour space DeviceRGB and DeviceGray are meant in, every font embedded (the glyphless
// text font is), a file ID, and nothing PDF/A forbids (encryption, JavaScript, LZW,
// transparency without a defined blending space).

// srgbProfile is sRGB-v2-magic.icc from Clinton Ingram's Compact-ICC-Profiles
// (github.com/saucecontrol/Compact-ICC-Profiles, CC0 1.0; see sRGB-v2-magic.icc.LICENSE):
// the sRGB IEC 61966-2.1 primaries and curve in 736 bytes, an ICC v2 display profile, which
// every PDF/A-2 reader accepts as a destination profile.
//
//go:embed sRGB-v2-magic.icc
var srgbProfile []byte

// OutputCondition names the output intent's colour space for readers without the profile.
const OutputCondition = "sRGB IEC61966-2.1"

// RecordNamespace is the XMP namespace of Meta.Properties, described inside every packet by
// a PDF/A extension schema, as PDF/A requires of a schema it does not predefine.
const RecordNamespace = "urn:onewindow:xmp:record:1.0#"

// Property is one field of the filing record carried in the XMP metadata, in
// RecordNamespace, so that a reader of the PDF alone finds the case and archival code.
type Property struct {
	Name        string // an XML name of ASCII letters, e.g. "CaseNo"
	Value       string
	Description string // what the property means, for the extension schema
}

func validPropertyName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// xmpDate formats t as the info dictionary's pdfDate does, to the second and with a numeric
// offset (+00:00 for UTC, like pdfDate's +00'00'), so PDF/A's rule that both say the same holds.
func xmpDate(t time.Time) string {
	return t.Truncate(time.Second).Format("2006-01-02T15:04:05-07:00")
}

// xmpPacket is the document's XMP metadata: PDF/A identification, the info dictionary's
// fields in their XMP twins (dc:title for Title, dc:creator for Author, dc:description for
// Subject, pdf:Keywords, xmp:CreatorTool for Creator, pdf:Producer, xmp:CreateDate and
// xmp:ModifyDate), dc:identifier and dc:language, and the record properties.
func xmpPacket(m Meta) []byte {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">` + "\n")
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")

	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">` + "\n")
	b.WriteString("<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n")
	b.WriteString("</rdf:Description>\n")

	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	if m.Title != "" {
		fmt.Fprintf(&b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:title>\n", esc(m.Title))
	}
	if m.Author != "" {
		fmt.Fprintf(&b, "<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>\n", esc(m.Author))
	}
	if m.Subject != "" {
		fmt.Fprintf(&b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:description>\n", esc(m.Subject))
	}
	if m.Identifier != "" {
		fmt.Fprintf(&b, "<dc:identifier>%s</dc:identifier>\n", esc(m.Identifier))
	}
	if m.Language != "" {
		fmt.Fprintf(&b, "<dc:language><rdf:Bag><rdf:li>%s</rdf:li></rdf:Bag></dc:language>\n", esc(m.Language))
	}
	if kw := keywords(m.Keywords); len(kw) > 0 {
		b.WriteString("<dc:subject><rdf:Bag>")
		for _, k := range kw {
			fmt.Fprintf(&b, "<rdf:li>%s</rdf:li>", esc(k))
		}
		b.WriteString("</rdf:Bag></dc:subject>\n")
	}
	b.WriteString("</rdf:Description>\n")

	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">` + "\n")
	fmt.Fprintf(&b, "<pdf:Producer>%s</pdf:Producer>\n", esc(m.Producer))
	if kw := strings.Join(keywords(m.Keywords), ", "); kw != "" {
		fmt.Fprintf(&b, "<pdf:Keywords>%s</pdf:Keywords>\n", esc(kw))
	}
	if m.Creator != "" {
		fmt.Fprintf(&b, "<xmp:CreatorTool>%s</xmp:CreatorTool>\n", esc(m.Creator))
	}
	if !m.CreationDate.IsZero() {
		fmt.Fprintf(&b, "<xmp:CreateDate>%s</xmp:CreateDate>\n", xmpDate(m.CreationDate))
	}
	if !m.ModDate.IsZero() {
		fmt.Fprintf(&b, "<xmp:ModifyDate>%s</xmp:ModifyDate>\n", xmpDate(m.ModDate))
		fmt.Fprintf(&b, "<xmp:MetadataDate>%s</xmp:MetadataDate>\n", xmpDate(m.ModDate))
	}
	b.WriteString("</rdf:Description>\n")

	if len(m.Properties) > 0 {
		fmt.Fprintf(&b, "<rdf:Description rdf:about=\"\" xmlns:ow=\"%s\">\n", RecordNamespace)
		for _, p := range m.Properties {
			fmt.Fprintf(&b, "<ow:%s>%s</ow:%s>\n", p.Name, esc(p.Value), p.Name)
		}
		b.WriteString("</rdf:Description>\n")
		b.WriteString(extensionSchema(m.Properties, esc))
	}
	b.WriteString("</rdf:RDF>\n</x:xmpmeta>\n")
	// Padding lets an editor update the packet in place, as the XMP specification advises.
	for range 20 {
		b.WriteString(strings.Repeat(" ", 99) + "\n")
	}
	b.WriteString(`<?xpacket end="w"?>`)
	return []byte(b.String())
}

// extensionSchema describes RecordNamespace's properties the way PDF/A (ISO 19005-2 §6.6.2.3)
// requires for every schema outside the XMP specification's.
func extensionSchema(props []Property, esc func(string) string) string {
	var b strings.Builder
	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">` + "\n")
	b.WriteString("<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n")
	b.WriteString("<pdfaSchema:schema>onewindow filing record</pdfaSchema:schema>\n")
	fmt.Fprintf(&b, "<pdfaSchema:namespaceURI>%s</pdfaSchema:namespaceURI>\n", RecordNamespace)
	b.WriteString("<pdfaSchema:prefix>ow</pdfaSchema:prefix>\n<pdfaSchema:property><rdf:Seq>\n")
	for _, p := range props {
		desc := p.Description
		if desc == "" {
			desc = p.Name
		}
		fmt.Fprintf(&b, "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>%s</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>%s</pdfaProperty:description></rdf:li>\n",
			p.Name, esc(desc))
	}
	b.WriteString("</rdf:Seq></pdfaSchema:property>\n</rdf:li></rdf:Bag></pdfaExtension:schemas>\n</rdf:Description>\n")
	return b.String()
}

// keywords drops empty entries, so a document without a case number has no ", " keyword.
func keywords(kw []string) []string {
	var out []string
	for _, k := range kw {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// writePDFA writes the metadata stream and the output intent's ICC profile and returns the
// catalog entries that refer to them.
func (w *Writer) writePDFA() string {
	metaObj := w.newObj()
	// Uncompressed, so that tools that read XMP without a PDF parser find the packet.
	w.stream(metaObj, "/Type /Metadata /Subtype /XML", xmpPacket(w.meta))
	iccObj := w.newObj()
	w.flateStream(iccObj, "/N 3", srgbProfile)
	intent := fmt.Sprintf("<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier %s /RegistryName (http://www.color.org) /Info %s /DestOutputProfile %d 0 R >>",
		textString(OutputCondition), textString(OutputCondition), iccObj)
	entries := fmt.Sprintf(" /Metadata %d 0 R /OutputIntents [%s]", metaObj, intent)
	if w.meta.Language != "" {
		entries += " /Lang " + textString(w.meta.Language)
	}
	return entries
}
