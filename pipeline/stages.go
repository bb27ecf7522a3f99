package pipeline

import "time"

// Stages of processing, as a StageObserver is told them (and as the stage label of the
// daemon's onewindow_stage_seconds names them).
const (
	StageFetch    = "fetch"    // reading an upload or a page image from storage
	StageRender   = "render"   // taking page images out of an upload (PDF, TIFF)
	StageStore    = "store"    // writing page images and page results for later stages
	StageDecode   = "decode"   // page image to pixels
	StageDetect   = "detect"   // separator code and blank-page checks
	StageOCR      = "ocr"      // recognition passes over the page as it stands
	StageOrient   = "orient"   // finding the upright turn, with the recognitions it needs
	StageReread   = "reread"   // labelled codes read again from their crops
	StageGather   = "gather"   // reading a batch's page results back for assembly
	StageSplit    = "split"    // cutting the pages into documents
	StageClassify = "classify" // a document's type
	StageExtract  = "extract"  // ID numbers, credit codes, applicant, matter
	StageStamp    = "stamp"    // drawing the acceptance stamp and page marks
	StagePDF      = "pdf"      // writing the searchable PDF
	StageFile     = "file"     // filing PDF, text, originals and record in the archive
	StageIndex    = "index"    // a filed document's index entry and announcement
)

// StageObserver is told how long each stage took. The pipeline keeps no metrics of its own:
// the workers pass one that feeds Prometheus.
type StageObserver interface {
	ObserveStage(stage string, took time.Duration)
}

// Timed starts timing stage; calling the result reports it to o. A nil o observes nothing.
func Timed(o StageObserver, stage string) func() {
	if o == nil {
		return func() {}
	}
	start := time.Now()
	return func() { o.ObserveStage(stage, time.Since(start)) }
}
