package ocr

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/otiai10/gosseract/v2"
)

// initMu serialises gosseract's Init across every engine of the process.
var initMu sync.Mutex

// client is one gosseract client for a language list, replaced after recycleAfter pages.
// Tesseract initialises lazily on the first page, so an unused client costs nothing.
type client struct {
	langs        string
	opts         *Options
	c            *gosseract.Client // nil until the next page after a recycle
	pages        int               // pages recognised by c
	recycleAfter int
}

func (cl *client) close() {
	if cl.c != nil {
		cl.c.Close()
		cl.c = nil
		trimCHeap()
	}
	cl.pages = 0
}

func (cl *client) ready() (*gosseract.Client, error) {
	if cl.c != nil && cl.recycleAfter > 0 && cl.pages >= cl.recycleAfter {
		cl.close()
	}
	if cl.c != nil {
		return cl.c, nil
	}
	c := gosseract.NewClient()
	if cl.opts.TessdataPrefix != "" {
		if err := c.SetTessdataPrefix(cl.opts.TessdataPrefix); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.SetLanguage(cl.langs); err != nil {
		c.Close()
		return nil, err
	}
	// gosseract's SetPageSegMode is lost when it initialises Tesseract lazily; a variable
	// is applied after init.
	vars := map[string]string{"tessedit_pageseg_mode": strconv.Itoa(cl.opts.PageSegMode)}
	for k, v := range defaultVariables {
		vars[k] = v
	}
	for k, v := range cl.opts.Variables {
		vars[k] = v
	}
	for k, v := range vars {
		c.SetVariable(gosseract.SettableVariable(k), v)
	}
	cl.c = c
	return c, nil
}

// recognize returns the words of an encoded image Leptonica can read.
func (cl *client) recognize(data []byte, dpi int) ([]gosseract.BoundingBox, error) {
	c, err := cl.ready()
	if err != nil {
		return nil, err
	}
	if err := c.SetImageFromBytes(data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	// Leptonica reads no resolution from Go-written PNGs; without it Tesseract assumes 70 dpi.
	c.SetVariable("user_defined_dpi", strconv.Itoa(dpi))
	// One result call per page: gosseract recognises the page again on every call.
	// The first call initialises Tesseract, and gosseract's Init swaps the process's stderr
	// (fd 2) out and back; two Inits at once lose fd 2 and with it the daemon's logs.
	first := cl.pages == 0
	if first {
		initMu.Lock()
	}
	boxes, err := c.GetBoundingBoxesVerbose()
	if first {
		initMu.Unlock()
	}
	cl.pages++
	if err != nil {
		// A failed init leaves the client unusable; start afresh next page.
		cl.close()
		return nil, fmt.Errorf("ocr: recognize: %w", err)
	}
	return boxes, nil
}
