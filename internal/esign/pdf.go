package esign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"onewindow/internal/errs"
)

// Levels of a PAdES baseline signature (ETSI EN 319 142-1).
const (
	LevelBB  = "B-B"  // signed
	LevelBT  = "B-T"  // and time-stamped
	LevelBLT = "B-LT" // and the chain and revocation data embedded (DSS)
)

// Result tells what a signing did.
type Result struct {
	Level    string
	SignedAt time.Time      // the claimed signing time (/M)
	Stamp    *TimestampInfo // nil when not time-stamped
	// TSAErr is why the signature has no time-stamp though a TSA is configured: filing goes
	// on with B-B and the time-stamp is added later.
	TSAErr error
}

// contentsReserve is the room kept in /Contents for the CMS without and with a time-stamp
// token (certificates and signature come on top).
const (
	contentsBase  = 4096
	contentsStamp = 12288
)

// pdfStructure is what an incremental update needs of the original file.
type pdfStructure struct {
	size    int   // the trailer's /Size: new objects are numbered from here
	prev    int64 // offset of the last cross-reference section
	xrefs   bool  // the original uses cross-reference streams
	rootRef string
	infoRef string // "" when there is none
	id      string // the trailer's /ID array, "" when there is none
	pageRef string // the first page
	// rewrite writes the objects that change: the first page (or its /Annots array) gains
	// the field, the catalog (or its AcroForm) the form with SigFlags 3, and the catalog the
	// DSS when dssNr is not 0.
	rewrite func(fieldNr, dssNr int, obj func(nr, gen int, body string))
}

// readStructure reads what signing needs: by a small reader of the classic cross-reference
// table the hall's own PDFs have (pdfcpu's full reading loads every stream, costly on a scan),
// else by pdfcpu.
func readStructure(ctx context.Context, in io.ReaderAt, size int64) (*pdfStructure, error) {
	if st, ok := quickStructure(in, size); ok {
		return st, nil
	}
	return pdfcpuStructure(ctx, io.NewSectionReader(in, 0, size))
}

func pdfcpuStructure(ctx context.Context, r io.ReadSeeker) (st *pdfStructure, err error) {
	defer func() { // pdfcpu is a large parser: its panic is this file's failure, not the process's
		if p := recover(); p != nil {
			st, err = nil, fmt.Errorf("parser failure: %v", p)
		}
	}()
	conf := &model.Configuration{Reader15: true, ValidationMode: model.ValidationRelaxed, Limits: model.DefaultResourceLimits()}
	pc, err := pdfcpu.ReadWithContext(ctx, r, conf)
	if err != nil {
		return nil, err
	}
	x := pc.XRefTable
	if x.Root == nil || x.Size == nil {
		return nil, errors.New("no catalog in the trailer")
	}
	if pc.Read.Linearized && pc.Read.Hybrid {
		return nil, errors.New("hybrid cross-reference files are not signed")
	}
	root := *x.Root
	catalog, err := x.DereferenceDict(root)
	if err != nil || catalog == nil {
		return nil, fmt.Errorf("catalog: %v", err)
	}
	catalog = catalog.Clone().(types.Dict)
	ir, err := x.PageDictIndRef(1)
	if err != nil || ir == nil {
		return nil, fmt.Errorf("first page: %v", err)
	}
	page := *ir
	pageDict, err := x.DereferenceDict(page)
	if err != nil || pageDict == nil {
		return nil, fmt.Errorf("first page: %v", err)
	}
	pageDict = pageDict.Clone().(types.Dict)
	var annots, form *types.IndirectRef
	var annotsArr types.Array
	if o, ok := pageDict.Find("Annots"); ok {
		if ar, ok := o.(types.IndirectRef); ok {
			annots = &ar
		}
		if annotsArr, err = x.DereferenceArray(o); err != nil {
			return nil, fmt.Errorf("annotations: %v", err)
		}
	}
	var formDict types.Dict
	if o, ok := catalog.Find("AcroForm"); ok {
		if ar, ok := o.(types.IndirectRef); ok {
			form = &ar
		}
		d, err := x.DereferenceDict(o)
		if err != nil {
			return nil, fmt.Errorf("form: %v", err)
		}
		if d != nil {
			formDict = d.Clone().(types.Dict)
		}
	}
	st = &pdfStructure{size: *x.Size, xrefs: pc.Read.UsingXRefStreams, rootRef: root.PDFString(), pageRef: page.PDFString()}
	if x.Info != nil {
		st.infoRef = x.Info.PDFString()
	}
	if len(x.ID) > 0 {
		st.id = x.ID.PDFString()
	}
	st.rewrite = func(fieldNr, dssNr int, obj func(nr, gen int, body string)) {
		fieldRef := *types.NewIndirectRef(fieldNr, 0)
		arr := append(annotsArr.Clone().(types.Array), fieldRef)
		if annots != nil {
			obj(annots.ObjectNumber.Value(), annots.GenerationNumber.Value(), arr.PDFString())
		} else {
			pageDict.Update("Annots", arr)
			obj(page.ObjectNumber.Value(), page.GenerationNumber.Value(), pageDict.PDFString())
		}
		fd := formDict
		if fd == nil {
			fd = types.NewDict()
		}
		fields, _ := fd.Find("Fields")
		farr, _ := fields.(types.Array)
		fd.Update("Fields", append(farr.Clone().(types.Array), fieldRef))
		fd.Update("SigFlags", types.Integer(3))
		fd.Delete("NeedAppearances") // PDF/A forbids it true; signatures need no regeneration
		if form != nil {
			obj(form.ObjectNumber.Value(), form.GenerationNumber.Value(), fd.PDFString())
		} else {
			catalog.Update("AcroForm", fd)
		}
		if dssNr != 0 {
			catalog.Update("DSS", *types.NewIndirectRef(dssNr, 0))
		}
		obj(root.ObjectNumber.Value(), root.GenerationNumber.Value(), catalog.PDFString())
	}
	return st, nil
}

// lastStartXref finds the offset the file's last startxref names.
func lastStartXref(r io.ReaderAt, size int64) (int64, error) {
	n := min(size, 2048)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, errors.New("no startxref at the end of the file")
	}
	f := strings.Fields(string(tail[i+len("startxref"):]))
	if len(f) == 0 {
		return 0, errors.New("startxref names no offset")
	}
	return strconv.ParseInt(f[0], 10, 64)
}

// update assembles an incremental update: objects by number, then the cross-reference
// section in the original's form.
type update struct {
	buf     bytes.Buffer
	base    int64 // the original's size: offsets in the update start there
	offsets map[int]int64
	gens    map[int]int
}

func (u *update) object(nr, gen int, body string) {
	u.offsets[nr] = u.base + int64(u.buf.Len())
	u.gens[nr] = gen
	fmt.Fprintf(&u.buf, "%d %d obj\n%s\nendobj\n", nr, gen, body)
}

func (u *update) stream(nr int, data []byte) {
	u.offsets[nr] = u.base + int64(u.buf.Len())
	fmt.Fprintf(&u.buf, "%d 0 obj\n<< /Length %d >>\nstream\n", nr, len(data))
	u.buf.Write(data)
	u.buf.WriteString("\nendstream\nendobj\n")
}

// finish writes the cross-reference section and trailer.
func (u *update) finish(st *pdfStructure, size int) {
	trailer := fmt.Sprintf("/Size %d /Root %s /Prev %d", size, st.rootRef, st.prev)
	if st.infoRef != "" {
		trailer += " /Info " + st.infoRef
	}
	if st.id != "" {
		trailer += " /ID " + st.id
	}
	nrs := make([]int, 0, len(u.offsets)+1)
	for nr := range u.offsets {
		nrs = append(nrs, nr)
	}
	if st.xrefs {
		xnr := size - 1
		nrs = append(nrs, xnr)
		sort.Ints(nrs)
		xoff := u.base + int64(u.buf.Len())
		u.offsets[xnr] = xoff
		var data bytes.Buffer
		var index []string
		for _, run := range runs(nrs) {
			index = append(index, strconv.Itoa(run[0]), strconv.Itoa(len(run)))
			for _, nr := range run {
				off := u.offsets[nr]
				data.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), byte(u.gens[nr] >> 8), byte(u.gens[nr])})
			}
		}
		fmt.Fprintf(&u.buf, "%d 0 obj\n<< /Type /XRef /W [1 4 2] /Index [%s] %s /Length %d >>\nstream\n",
			xnr, strings.Join(index, " "), trailer, data.Len())
		u.buf.Write(data.Bytes())
		fmt.Fprintf(&u.buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xoff)
		return
	}
	sort.Ints(nrs)
	xoff := u.base + int64(u.buf.Len())
	u.buf.WriteString("xref\n")
	for _, run := range runs(nrs) {
		fmt.Fprintf(&u.buf, "%d %d\n", run[0], len(run))
		for _, nr := range run {
			fmt.Fprintf(&u.buf, "%010d %05d n\r\n", u.offsets[nr], u.gens[nr])
		}
	}
	fmt.Fprintf(&u.buf, "trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xoff)
}

// runs splits sorted object numbers into runs of consecutive ones.
func runs(nrs []int) [][]int {
	var out [][]int
	for i, nr := range nrs {
		if i > 0 && nrs[i-1]+1 == nr {
			out[len(out)-1] = append(out[len(out)-1], nr)
			continue
		}
		out = append(out, []int{nr})
	}
	return out
}

// pdfDate formats a PDF date in UTC.
func pdfDate(t time.Time) string {
	return "D:" + t.UTC().Format("20060102150405") + "+00'00'"
}

// textString encodes s as a PDF text string: UTF-16BE with a byte order mark, in hex.
func textString(s string) string {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return "<" + hex.EncodeToString(b) + ">"
}

// byteRangeWidth is the width each ByteRange number is padded to, so that filling in the
// numbers moves nothing.
const byteRangeWidth = 12

// SignPDF writes the PDF read from in (size bytes) followed by an incremental update holding
// the hall's PAdES signature: an invisible signature field on the first page, the catalog's
// AcroForm with SigFlags 3, and a DSS with the chain and revocation data. The signature
// covers the whole output but its /Contents. When the TSA fails the signature is B-B and
// Result.TSAErr says why; any other failure is an error and w may hold part of the output.
func (s *Signer) SignPDF(ctx context.Context, in io.ReaderAt, size int64, w io.Writer) (*Result, error) {
	upd, res, err := s.SignUpdate(ctx, in, size, nil)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, io.NewSectionReader(in, 0, size)); err != nil {
		return nil, err
	}
	if _, err := w.Write(upd); err != nil {
		return nil, err
	}
	return res, nil
}

// Prehashed returns a hash that has already been fed the original's bytes (SM3 when sm3 is
// true, else SHA-256), for the signer to continue, or nil; filing computes both digests
// while it renders, so signing need not read the file again.
type Prehashed func(sm3 bool) hash.Hash

// SignUpdate returns the incremental update that SignPDF appends to the PDF in in.
func (s *Signer) SignUpdate(ctx context.Context, in io.ReaderAt, size int64, pre Prehashed) ([]byte, *Result, error) {
	const op = "esign.SignPDF"
	st, err := readStructure(ctx, in, size)
	if err != nil {
		return nil, nil, errs.E(op, errs.Unprocessable, "pdf_unreadable", "The PDF to sign cannot be read.", err)
	}
	if st.prev, err = lastStartXref(in, size); err != nil {
		return nil, nil, errs.E(op, errs.Unprocessable, "pdf_unreadable", "The PDF to sign has no readable end.", err)
	}
	signedAt := s.now().Truncate(time.Second)
	u := &update{base: size + 1, offsets: map[int]int64{}, gens: map[int]int{}}
	next := st.size
	alloc := func() int { next++; return next - 1 }
	sigNr, fieldNr, apNr := alloc(), alloc(), alloc()
	// An empty appearance: PDF/A-1 validators want one on every widget, even an invisible one.
	u.object(apNr, 0, "<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Resources << >> /Length 0 >>\nstream\n\nendstream")

	// DSS: the chain (and the TSA's certificate) and CRLs, in this same revision, so that
	// the signature covers them and a verifier offline decades later has what it needs.
	var dssNr int
	certs := s.Chain()
	var certRefs, crlRefs []string
	if len(s.Revocation) > 0 || len(certs) > 1 {
		dssNr = alloc()
		for _, c := range certs {
			nr := alloc()
			u.stream(nr, c.Raw)
			certRefs = append(certRefs, fmt.Sprintf("%d 0 R", nr))
		}
		if tc := s.tsaCertDER(); tc != nil {
			nr := alloc()
			u.stream(nr, tc)
			certRefs = append(certRefs, fmt.Sprintf("%d 0 R", nr))
		}
		for _, crl := range s.Revocation {
			nr := alloc()
			u.stream(nr, crl)
			crlRefs = append(crlRefs, fmt.Sprintf("%d 0 R", nr))
		}
		dss := "<< /Type /DSS /Certs [" + strings.Join(certRefs, " ") + "]"
		if len(crlRefs) > 0 {
			dss += " /CRLs [" + strings.Join(crlRefs, " ") + "]"
		}
		u.object(dssNr, 0, dss+" >>")
	}

	reserve := contentsBase
	for _, c := range certs {
		reserve += len(c.Raw)
	}
	if s.TSA != nil {
		reserve += contentsStamp
	}
	placeholder := strings.Repeat(" ", byteRangeWidth)
	sigBody := fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Name %s /M (%s) /ByteRange [%s %s %s %s] /Contents ",
		textString(s.cert.Subject.CommonName), pdfDate(signedAt), placeholder, placeholder, placeholder, placeholder)
	sigStartInObj := len(sigBody)
	sigBody += "<" + strings.Repeat("0", 2*reserve) + "> >>"
	sigObjOff := u.buf.Len()
	u.object(sigNr, 0, sigBody)
	header := len(fmt.Sprintf("%d 0 obj\n", sigNr))
	gapStart := sigObjOff + header + sigStartInObj // in u.buf
	gapEnd := gapStart + 2*reserve + 2

	fieldName := "Signature" + strconv.Itoa(sigNr)
	u.object(fieldNr, 0, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /V %d 0 R /F 132 /Rect [0 0 0 0] /AP << /N %d 0 R >> /P %s >>",
		fieldName, sigNr, apNr, st.pageRef))
	st.rewrite(fieldNr, dssNr, u.object)
	if st.xrefs {
		alloc() // the cross-reference stream's own number
	}
	u.finish(st, next)

	upd := append([]byte{'\n'}, u.buf.Bytes()...)
	gapStart, gapEnd = gapStart+1, gapEnd+1
	br := []int64{0, size + int64(gapStart), size + int64(gapEnd), int64(len(upd) - gapEnd)}
	brAt := bytes.Index(upd[:gapStart], []byte("/ByteRange ["))
	if brAt < 0 {
		return nil, nil, errs.E(op, errs.Internal, "sign_failed", "The signature dictionary was not written as planned.", nil)
	}
	pos := brAt + len("/ByteRange [")
	for _, v := range br {
		num := strconv.FormatInt(v, 10)
		copy(upd[pos:pos+byteRangeWidth], num+strings.Repeat(" ", byteRangeWidth-len(num)))
		pos += byteRangeWidth + 1
	}

	digestOID, newH := digestOf(s.key.Public())
	var h hash.Hash
	if pre != nil {
		h = pre(digestOID.Equal(oidSM3))
	}
	if h == nil {
		h = newH()
		if _, err := io.Copy(h, io.NewSectionReader(in, 0, size)); err != nil {
			return nil, nil, errs.E(op, errs.Internal, "sign_failed", "The PDF to sign could not be read again.", err)
		}
	}
	h.Write(upd[:gapStart])
	h.Write(upd[gapEnd:])
	cs := &cmsSigner{key: s.key, cert: s.cert, chain: s.chain}
	si, err := cs.sign(h.Sum(nil), digestOID)
	if err != nil {
		return nil, nil, errs.E(op, errs.Internal, "sign_failed", "The signing key refused to sign.", err)
	}
	res := &Result{Level: LevelBB, SignedAt: signedAt}
	var token []byte
	if s.TSA != nil {
		d := sha256.Sum256(si.signature)
		token, err = s.TSA.Timestamp(ctx, d[:])
		if err == nil {
			res.Stamp, err = checkToken(token, si.signature)
		}
		if err != nil {
			token, res.TSAErr = nil, err
		}
	}
	der, err := cs.marshal(si, token)
	if err != nil {
		return nil, nil, errs.E(op, errs.Internal, "sign_failed", "The signature could not be encoded.", err)
	}
	if 2*len(der) > gapEnd-gapStart-2 {
		return nil, nil, errs.Errorf(op, errs.Internal, "sign_failed", "The signature (%d bytes) is larger than the room kept for it.", len(der))
	}
	hex.Encode(upd[gapStart+1:], der)
	switch {
	case token != nil && dssNr != 0:
		res.Level = LevelBLT
	case token != nil:
		res.Level = LevelBT
	}
	return upd, res, nil
}

// tsaCertDER is the local time-stamp unit's certificate, for the DSS; a remote TSA's
// certificate travels in its tokens.
func (s *Signer) tsaCertDER() []byte {
	if lt, ok := s.TSA.(*LocalTSA); ok && lt.Cert != nil {
		return lt.Cert.Raw
	}
	return nil
}

// SignPDFBytes signs a PDF held in memory.
func (s *Signer) SignPDFBytes(ctx context.Context, pdf []byte) ([]byte, *Result, error) {
	var out bytes.Buffer
	out.Grow(len(pdf) + 32<<10)
	res, err := s.SignPDF(ctx, bytes.NewReader(pdf), int64(len(pdf)), &out)
	if err != nil {
		return nil, nil, err
	}
	return out.Bytes(), res, nil
}
