package ocr

/*
#cgo pkg-config: tesseract lept
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include <dlfcn.h>
#include <malloc.h>
#include <tesseract/capi.h>
#include <leptonica/allheaders.h>

// ow_omp_serial makes every later OpenMP parallel region inactive (one thread). Tesseract
// asks for num_threads(4) in its LSTM code; OMP_THREAD_LIMIT would cap that, but libgomp
// reads it in a load-time constructor, before Go's os.Setenv could run. Looked up with
// dlsym so a Tesseract built without OpenMP still links.
static void ow_omp_serial(void) {
	static void (*set_levels)(int) = NULL;
	static int looked = 0;
	if (!looked) {
		set_levels = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
		looked = 1;
	}
	if (set_levels) set_levels(0);
}

static int ow_omp_thread_limit(void) {
	int (*get_limit)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "omp_get_thread_limit");
	return get_limit ? get_limit() : -1;
}

static int ow_pix_decodes(const unsigned char* data, size_t n) {
	PIX* pix = NULL;
	l_int32 format = 0;
	findFileFormatBuffer(data, &format);
	if (format == IFF_JFIF_JPEG) {
		// Decoding at 1/8 scale still reads every entropy-coded byte, so it fails where a
		// full decode would, in a fraction of the time.
		l_int32 nwarn = 0;
		pix = pixReadMemJpeg(data, n, 0, 8, &nwarn, 0);
	} else {
		pix = pixReadMem(data, n);
	}
	if (pix == NULL) return 0;
	pixDestroy(&pix);
	return 1;
}

// ow_ink_threshold makes an 8-bit image black and white at the level ink_frac of the way
// from its ink (the 2nd percentile) to its paper (the median): below a half the strokes come
// out thinner than Tesseract's own threshold makes them, parting glyphs that noise or a heavy
// font made touch; above, broken strokes close. Returns a new 8-bit image, or NULL.
static PIX* ow_ink_threshold(PIX* gray, float ink_frac) {
	NUMA* hist = pixGetGrayHistogram(gray, 1);
	if (hist == NULL) return NULL;
	l_float32 total = 0, seen = 0, v = 0;
	numaGetSum(hist, &total);
	int ink = -1, paper = -1;
	for (int i = 0; i < 256; i++) {
		numaGetFValue(hist, i, &v);
		seen += v;
		if (ink < 0 && seen >= 0.02f * total) ink = i;
		if (paper < 0 && seen >= 0.5f * total) paper = i;
	}
	numaDestroy(&hist);
	// A crop of one grey (no ink in it) has no threshold to choose: it is read as it is.
	if (ink < 0 || paper <= ink) return pixCopy(NULL, gray);
	int t = ink + (int)((paper - ink) * ink_frac + 0.5f);
	PIX* bw = pixThresholdToBinary(gray, t < 1 ? 1 : t);
	if (bw == NULL) return NULL;
	PIX* out = pixConvert1To8(NULL, bw, 255, 0);
	pixDestroy(&bw);
	return out;
}

// ow_crop cuts the rectangle (x, y, w, h) out of an encoded page image, converts it to gray,
// scales it by scale, makes it black and white at ink_frac (ow_ink_threshold; 0 keeps it
// gray) and adds a white border, and returns it PNG-encoded (free with free()), or NULL.
// Leptonica's decoders are several times faster than Go's on a full page.
static unsigned char* ow_crop(const unsigned char* data, size_t n, int x, int y, int w, int h,
		float scale, float ink_frac, int border, size_t* outlen) {
	PIX* pix = pixReadMem(data, n);
	if (pix == NULL) return NULL;
	BOX* box = boxCreate(x, y, w, h);
	PIX* clip = pixClipRectangle(pix, box, NULL);
	boxDestroy(&box);
	pixDestroy(&pix);
	if (clip == NULL) return NULL;
	PIX* gray = pixConvertTo8(clip, 0);
	pixDestroy(&clip);
	if (gray == NULL) return NULL;
	PIX* scaled = pixScale(gray, scale, scale);
	pixDestroy(&gray);
	if (scaled == NULL) return NULL;
	if (ink_frac > 0) {
		PIX* bw = ow_ink_threshold(scaled, ink_frac);
		pixDestroy(&scaled);
		if (bw == NULL) return NULL;
		scaled = bw;
	}
	PIX* framed = pixAddBorder(scaled, border, 255);
	pixDestroy(&scaled);
	if (framed == NULL) return NULL;
	l_uint8* out = NULL;
	size_t size = 0;
	l_int32 rc = pixWriteMemPng(&out, &size, framed, 0);
	pixDestroy(&framed);
	if (rc != 0 || out == NULL) return NULL;
	*outlen = size;
	return out;
}

// ow_read_reduced decodes an encoded image that is to be shrunk by *scale; a JPEG is reduced
// by a power of two while decoding (libjpeg's DCT scaling, never held at full size) and
// *scale becomes what remains to be done.
static PIX* ow_read_reduced(const unsigned char* data, size_t n, float* scale) {
	PIX* pix = NULL;
	l_int32 format = 0;
	findFileFormatBuffer(data, &format);
	if (format == IFF_JFIF_JPEG) {
		int reduce = *scale <= 0.125f ? 8 : *scale <= 0.25f ? 4 : *scale <= 0.5f ? 2 : 1;
		l_int32 nwarn = 0;
		pix = pixReadMemJpeg(data, n, 0, reduce, &nwarn, 0);
		if (pix != NULL) *scale *= reduce;
	}
	if (pix == NULL) pix = pixReadMem(data, n);
	return pix;
}

// ow_shrink decodes an encoded image, converts it to gray, shrinks it by scale (< 1) and
// returns it PNG-encoded (free with free()), or NULL. A JPEG shrunk to half or less is
// reduced while decoding, so a huge scan is never held at full size.
static unsigned char* ow_shrink(const unsigned char* data, size_t n, float scale, size_t* outlen) {
	PIX* pix = ow_read_reduced(data, n, &scale);
	if (pix == NULL) return NULL;
	PIX* small = NULL;
	if (pixGetDepth(pix) == 1) {
		small = pixScaleToGray(pix, scale);
	} else {
		PIX* g = pixConvertTo8(pix, 0);
		if (g != NULL) {
			small = scale < 0.7f ? pixScaleAreaMap(g, scale, scale) : pixScale(g, scale, scale);
			pixDestroy(&g);
		}
	}
	pixDestroy(&pix);
	if (small == NULL) return NULL;
	l_uint8* out = NULL;
	size_t size = 0;
	l_int32 rc = pixWriteMemPng(&out, &size, small, 0);
	pixDestroy(&small);
	if (rc != 0 || out == NULL) return NULL;
	*outlen = size;
	return out;
}

// ow_resize decodes an encoded image and scales it by scale (< 1), keeping its colour:
// bilevel pages come back as gray PNG (scaled to gray, which keeps thin strokes), others as
// JPEG (gray or colour) of the given quality. Returns the encoded bytes (free with free()),
// or NULL; *png says which format they are.
static unsigned char* ow_resize(const unsigned char* data, size_t n, float scale, int quality,
		size_t* outlen, int* png) {
	PIX* pix = ow_read_reduced(data, n, &scale);
	if (pix == NULL) return NULL;
	PIX* small = NULL;
	int depth = pixGetDepth(pix);
	if (depth == 1) {
		small = pixScaleToGray(pix, scale);
	} else {
		// pixRemoveColormap copies even a page without a colormap: 440 MB more for 110 MP.
		PIX* plain = pixGetColormap(pix) != NULL ? pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC) : pixClone(pix);
		if (plain != NULL && pixGetDepth(plain) != 8 && pixGetDepth(plain) != 32) {
			PIX* c = pixConvertTo32(plain);
			pixDestroy(&plain);
			plain = c;
		}
		if (plain != NULL) {
			small = scale < 0.7f ? pixScaleAreaMap(plain, scale, scale) : pixScale(plain, scale, scale);
			pixDestroy(&plain);
		}
	}
	pixDestroy(&pix);
	if (small == NULL) return NULL;
	l_uint8* out = NULL;
	size_t size = 0;
	l_int32 rc;
	if (depth == 1) {
		*png = 1;
		rc = pixWriteMemPng(&out, &size, small, 0);
	} else {
		*png = 0;
		rc = pixWriteMemJpeg(&out, &size, small, quality, 0);
	}
	pixDestroy(&small);
	if (rc != 0 || out == NULL) return NULL;
	*outlen = size;
	return out;
}

// ow_quiet_leptonica stops Leptonica printing to stderr about undecodable images; those
// come back to callers as ErrBadImage.
static void ow_quiet_leptonica(void) { setMsgSeverity(L_SEVERITY_NONE); }

// ow_crash faults the way a bad read in Tesseract or Leptonica does; only the isolation
// tests reach it.
static void ow_crash(void) { volatile int* nowhere = NULL; *nowhere = 1; }

static void ow_malloc_trim(void) { malloc_trim(0); }

// ow_limit_arenas caps glibc's malloc arenas: each thread Tesseract runs on would otherwise
// get its own arena, and freed pages of one page's recognition stay resident in it.
static void ow_limit_arenas(void) { mallopt(M_ARENA_MAX, 2); }

static TessBaseAPI* ow_init(const char* datapath, const char* lang) {
	TessBaseAPI* api = TessBaseAPICreate();
	if (TessBaseAPIInit3(api, datapath, lang) != 0) {
		TessBaseAPIDelete(api);
		return NULL;
	}
	return api;
}

static void ow_free(TessBaseAPI* api) {
	TessBaseAPIEnd(api);
	TessBaseAPIDelete(api);
}

// ow_detect runs orientation detection on an encoded image, shrunk by 1/reduce first:
// OSD only needs character shapes, and a 2x reduction of a 300 dpi page keeps them.
// Returns 0 on success, 1 when OSD found too little text, -1 when the image did not decode.
static int ow_detect(TessBaseAPI* api, const unsigned char* data, size_t n, int reduce, int dpi,
		int* deg, float* conf) {
	PIX* pix = NULL;
	l_int32 format = 0;
	findFileFormatBuffer(data, &format);
	if (format == IFF_JFIF_JPEG && (reduce == 2 || reduce == 4 || reduce == 8)) {
		// libjpeg scales while decoding (DCT scaling): far cheaper than decode-then-shrink.
		l_int32 nwarn = 0;
		pix = pixReadMemJpeg(data, n, 0, reduce, &nwarn, 0);
		if (pix != NULL) {
			dpi = dpi / reduce;
			reduce = 1;
		}
	}
	if (pix == NULL) pix = pixReadMem(data, n);
	if (pix == NULL) return -1;
	if (reduce > 1) {
		PIX* small = NULL;
		if (pixGetDepth(pix) == 1) {
			small = pixScaleToGray(pix, 1.0f / reduce);
		} else {
			PIX* g = pixConvertTo8(pix, 0);
			if (g != NULL) {
				small = pixScaleAreaMap(g, 1.0f / reduce, 1.0f / reduce);
				pixDestroy(&g);
			}
		}
		if (small != NULL) {
			pixDestroy(&pix);
			pix = small;
			dpi = dpi / reduce;
		}
	}
	TessBaseAPISetImage2(api, pix);
	TessBaseAPISetSourceResolution(api, dpi);
	float sconf = 0;
	BOOL ok = TessBaseAPIDetectOrientationScript(api, deg, conf, NULL, &sconf);
	TessBaseAPIClear(api);
	pixDestroy(&pix);
	return ok ? 0 : 1;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

func init() {
	C.ow_quiet_leptonica()
	C.ow_limit_arenas()
}

// tessAPI is a bare Tesseract handle for what gosseract does not expose: orientation
// detection and an init-only readiness check.
type tessAPI struct{ h *C.TessBaseAPI }

func newTessAPI(tessdataPrefix, lang string) (*tessAPI, bool) {
	var prefix *C.char
	if tessdataPrefix != "" {
		prefix = C.CString(tessdataPrefix)
		defer C.free(unsafe.Pointer(prefix))
	}
	cl := C.CString(lang)
	defer C.free(unsafe.Pointer(cl))
	h := C.ow_init(prefix, cl)
	if h == nil {
		return nil, false
	}
	return &tessAPI{h: h}, true
}

func (t *tessAPI) close() {
	if t != nil && t.h != nil {
		C.ow_free(t.h)
		t.h = nil
	}
}

// osdResult is what Tesseract's orientation detection said: the page's text is turned
// deg degrees clockwise (so turning it 360-deg more makes it upright); conf is its margin
// over the next-best orientation.
type osdResult struct {
	deg  int
	conf float64
}

// detect returns ok=false when the page had too little text for a verdict, and an error
// only when the image did not decode.
func (t *tessAPI) detect(data []byte, reduce, dpi int) (osdResult, bool, error) {
	if len(data) == 0 {
		return osdResult{}, false, ErrBadImage
	}
	var deg C.int
	var conf C.float
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	C.ow_omp_serial()
	rc := C.ow_detect(t.h, (*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data)), C.int(reduce), C.int(dpi), &deg, &conf)
	switch rc {
	case -1:
		return osdResult{}, false, ErrBadImage
	case 1:
		return osdResult{}, false, nil
	}
	return osdResult{deg: int(deg), conf: float64(conf)}, true, nil
}

// serialOpenMP keeps Tesseract's OpenMP regions on the calling OS thread. The setting may be
// per thread, so callers lock the goroutine to its thread around it and the Tesseract call.
func serialOpenMP() { C.ow_omp_serial() }

// crashInC brings the process down inside C code, as an engine fault would.
func crashInC() { C.ow_crash() }

// openMPThreadLimit reports libgomp's thread limit, -1 without OpenMP.
func openMPThreadLimit() int { return int(C.ow_omp_thread_limit()) }

// trimCHeap hands freed C heap pages back to the kernel; Tesseract frees most of a page's
// working set after each page, but glibc keeps it mapped.
func trimCHeap() { C.ow_malloc_trim() }

// cropPNG returns the rectangle r of an encoded image as a gray PNG scaled by scale, made
// black and white at ink (see ow_ink_threshold; 0 keeps it gray), inside a white border; ok
// is false when the image does not decode or r is outside it.
func cropPNG(data []byte, x, y, w, h int, scale, ink float64, border int) ([]byte, bool) {
	if len(data) == 0 || w <= 0 || h <= 0 {
		return nil, false
	}
	var n C.size_t
	out := C.ow_crop((*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data)), C.int(x), C.int(y), C.int(w), C.int(h),
		C.float(scale), C.float(ink), C.int(border), &n)
	if out == nil {
		return nil, false
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), true
}

// shrinkPNG returns an encoded image shrunk by scale (< 1) as a gray PNG; ok is false when
// it does not decode.
func shrinkPNG(data []byte, scale float64) ([]byte, bool) {
	if len(data) == 0 {
		return nil, false
	}
	var n C.size_t
	out := C.ow_shrink((*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data)), C.float(scale), &n)
	if out == nil {
		return nil, false
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), true
}

// resizeImage returns an encoded image scaled by scale (< 1) in its own colours, as a gray PNG
// for a bilevel image and a JPEG of quality otherwise; ok is false when it does not decode.
func resizeImage(data []byte, scale float64, quality int) (out []byte, png, ok bool) {
	if len(data) == 0 {
		return nil, false, false
	}
	var n C.size_t
	var isPNG C.int
	p := C.ow_resize((*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data)), C.float(scale), C.int(quality), &n, &isPNG)
	if p == nil {
		return nil, false, false
	}
	defer C.free(unsafe.Pointer(p))
	return C.GoBytes(unsafe.Pointer(p), C.int(n)), isPNG == 1, true
}

// pixDecodes reports whether Leptonica can read the image: gosseract hands Tesseract a nil
// image otherwise, and Tesseract crashes on it once the client has seen a good page.
func pixDecodes(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	return C.ow_pix_decodes((*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data))) == 1
}
