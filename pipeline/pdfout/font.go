package pdfout

import (
	_ "embed"
)

// glyphlessTTF is Tesseract's "glyphless" font (tessdata/pdf.ttf), copyright Google,
// Apache License 2.0. It has one invisible glyph, half an em wide, which every character
// code is drawn with; the text is only there to be selected, searched and extracted.
//
//go:embed glyphless.ttf
var glyphlessTTF []byte

// glyphWidth is the glyph's advance in 1/1000 em (the font's 1024 of 2048 units).
const glyphWidth = 500

// cidToGIDMap maps each of the 65536 CIDs to glyph 1, the invisible glyph.
func cidToGIDMap() []byte {
	m := make([]byte, 2*65536)
	for i := 1; i < len(m); i += 2 {
		m[i] = 1
	}
	return m
}

// toUnicodeCMap maps every two-byte code to the same UTF-16 code unit.
const toUnicodeCMap = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`
