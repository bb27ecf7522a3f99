package pages

// tiffCodec says who decodes a TIFF compression scheme.
type tiffCodec struct {
	name    string
	native  bool // golang.org/x/image/tiff
	libtiff bool // libtiff as Debian builds it
	lossy   bool // the page is re-encoded as JPEG, not as a PNG ten times its size
}

// tiffCodecs are the compression schemes (tag 259) of the TIFF registry. Scanners and copiers
// write the first few; the rest come from archives, GIS and imaging software.
var tiffCodecs = map[uint64]tiffCodec{
	1:     {name: "no", native: true, libtiff: true},
	2:     {name: "CCITT modified Huffman", libtiff: true},
	3:     {name: "CCITT Group 3 fax", native: true, libtiff: true},
	4:     {name: "CCITT Group 4 fax", native: true, libtiff: true},
	5:     {name: "LZW", native: true, libtiff: true},
	6:     {name: "old-style JPEG", libtiff: true, lossy: true},
	7:     {name: "JPEG", libtiff: true, lossy: true},
	8:     {name: "Deflate", native: true, libtiff: true},
	32766: {name: "NeXT", libtiff: true},
	32771: {name: "CCITT modified Huffman (word-aligned)", libtiff: true},
	32773: {name: "PackBits", native: true, libtiff: true},
	32809: {name: "ThunderScan", libtiff: true},
	32946: {name: "Deflate", native: true, libtiff: true},
	34661: {name: "JBIG", libtiff: true},
	34676: {name: "SGI LogLuv", libtiff: true},
	34677: {name: "SGI LogLuv", libtiff: true},
	32909: {name: "Pixar log", libtiff: true},
	34712: {name: "JPEG 2000"},
	34887: {name: "LERC", libtiff: true},
	34925: {name: "LZMA", libtiff: true},
	50000: {name: "Zstandard", libtiff: true},
	50001: {name: "WebP", libtiff: true, lossy: true},
	50002: {name: "JPEG XL"},
}

// Advice for an encoding nothing here reads: a compression, or a layout of samples.
const (
	fixResave       = "Save it again as PDF, or as TIFF with LZW or no compression, and upload that."
	fixResaveLayout = "Save it again as PDF, or as an 8-bit grey or colour TIFF, and upload that."
)
