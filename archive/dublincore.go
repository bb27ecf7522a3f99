package archive

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// oaiDC is a simple Dublin Core description in the OAI-PMH oai_dc container, the form most
// repositories and bag tools read (DSpace, Archivematica, the OAI-PMH harvesters).
type oaiDC struct {
	XMLName        xml.Name `xml:"oai_dc:dc"`
	NSOAI          string   `xml:"xmlns:oai_dc,attr"`
	NSDC           string   `xml:"xmlns:dc,attr"`
	NSXSI          string   `xml:"xmlns:xsi,attr"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr"`
	Title          []string `xml:"dc:title"`
	Identifier     []string `xml:"dc:identifier"`
	Date           []string `xml:"dc:date"`
	Type           []string `xml:"dc:type"`
	Format         []string `xml:"dc:format"`
	Language       []string `xml:"dc:language"`
	Source         []string `xml:"dc:source"`
	Subject        []string `xml:"dc:subject"`
	Description    []string `xml:"dc:description"`
	Publisher      []string `xml:"dc:publisher"`
	Relation       []string `xml:"dc:relation"`
	Rights         []string `xml:"dc:rights"`
}

// DublinCore describes a filed document in simple Dublin Core, for the bag's data beside
// record.json, so that a tool that knows nothing of onewindow's record finds what it is. The
// elements carry the DA/T 46 fields the record has: 题名 (title), 档号 (archival code, the
// first identifier; the document ID second), 日期 (the day it was received), 文种 (document
// type, beside the DCMI type Text), 立档单位 (the hall, as publisher), 保管期限 (retention,
// as rights), and the case (受理号) as source, the matter as subject, the batch as relation.
// The applicant is left out: it is personal data, and record.json carries it for those who
// may see it.
func DublinCore(rec *Record, hall string) []byte {
	dc := oaiDC{
		NSOAI:          "http://www.openarchives.org/OAI/2.0/oai_dc/",
		NSDC:           "http://purl.org/dc/elements/1.1/",
		NSXSI:          "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
		Type:           []string{"Text"},
		Format:         []string{"application/pdf"},
		Language:       []string{"zh"},
	}
	add := func(dst *[]string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = append(*dst, v)
		}
	}
	add(&dc.Title, rec.Title)
	add(&dc.Identifier, rec.ArchivalCode)
	add(&dc.Identifier, rec.DocumentID)
	if !rec.ReceivedAt.IsZero() {
		add(&dc.Date, rec.ReceivedAt.Format("2006-01-02"))
	}
	typ := rec.TypeName
	if typ == "" {
		typ = rec.Type
	}
	add(&dc.Type, typ)
	if rec.CaseNo != "" {
		add(&dc.Source, "case "+rec.CaseNo)
	}
	add(&dc.Subject, rec.Matter)
	if rec.PageCount > 0 {
		add(&dc.Description, fmt.Sprintf("%d pages, scanned and recognised (OCR); document type %s", rec.PageCount, rec.Type))
	}
	add(&dc.Publisher, hall)
	if rec.BatchID != "" {
		add(&dc.Relation, "batch "+rec.BatchID)
	}
	if !rec.Retention.Until.IsZero() {
		rights := "Retained until " + rec.Retention.Until.UTC().Format("2006-01-02")
		if rec.Retention.Mode != "" {
			rights += " (object lock " + rec.Retention.Mode + ")"
		}
		if rec.Retention.LegalHold {
			rights += ", under legal hold"
		}
		add(&dc.Rights, rights)
	}
	out, _ := xml.MarshalIndent(dc, "", "  ") // strings only: it cannot fail
	return append([]byte(xml.Header), append(out, '\n')...)
}
