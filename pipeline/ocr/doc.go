// Package ocr recognises page images with Tesseract through gosseract: Chinese and
// English text, word boxes in reading order, and pages scanned upside down or sideways
// turned upright.
//
// # Concurrency
//
// An Engine holds Tesseract instances and is not safe for concurrent use. Either give
// each worker goroutine its own Engine, or share a Pool of as many engines as workers.
// Tesseract is kept to one thread per engine: its OpenMP threads burn more CPU than they
// save, so parallelism comes from running several engines. OMP_THREAD_LIMIT cannot do
// this from inside the process (libgomp reads it while being loaded, before Go code runs),
// so each Engine makes OpenMP regions inactive on the thread it runs Tesseract on.
//
// # Recognition
//
// gosseract recognises the whole page again on every result call, so an Engine makes one
// (GetBoundingBoxesVerbose) per pass and builds the text from the words: blocks top to
// bottom, one line of text per Tesseract line, Latin words spaced, Chinese run together,
// ASCII punctuation touching Chinese made full-width. The first pass uses chi_sim alone;
// a page that comes out mostly Latin is read again with eng, and the better-scoring pass
// kept.
//
// # Orientation
//
// Checked after the first pass, not before: upright pages read with a mean word
// confidence of 80-95, upside-down ones 18-45, and sideways pages come back as vertical
// lines. Only pages that read badly get a second pass on the turned image (OSD decides
// between 90 and 270 for sideways pages), so upright pages pay nothing.
//
// # Memory
//
// gosseract does not free the word strings and result iterator of each page, and
// Tesseract's heap grows with the pages it has seen; an engine's Tesseract instances are
// replaced every RecycleAfter pages and the C heap trimmed.
package ocr
