package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"onewindow/internal/errs"
)

// ErrNotABag is the cause of the error for input that cannot be checked as a bag at all: not a
// zip or a directory, unreadable, or holding neither bagit.txt nor a manifest.
var ErrNotABag = errors.New("not a BagIt bag")

// notABag is the error for input VerifyBag cannot check; message is the sentence for people.
func notABag(op, message string, cause error) error {
	if cause == nil {
		cause = ErrNotABag
	} else {
		cause = fmt.Errorf("%w: %w", ErrNotABag, cause)
	}
	return errs.E(op, errs.Invalid, "not_a_bag", message, cause)
}

// bagFile is one file of a bag and how to read it.
type bagFile struct {
	size int64
	open func() (io.ReadCloser, error)
}

// bagSource is a bag's files by their path from its base directory, however the bag came: a
// zip with or without the base directory, or a directory.
type bagSource struct {
	files map[string]bagFile
	// problems are faults of the container rather than of a manifest: entries outside the
	// base directory, repeated or unsafe entry names, a missing bagit.txt.
	problems []BagProblem
	close    func() error
}

// openZipBag lists a zipped bag.
func openZipBag(r io.ReaderAt, size int64) (*bagSource, error) {
	const op = "archive.VerifyBag"
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, notABag(op, "The file is not a readable zip.", err)
	}
	all := map[string]bagFile{}
	var problems []BagProblem
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		switch {
		case unsafeBagPath(f.Name):
			problems = append(problems, BagProblem{f.Name, "the zip entry's path leads outside the bag (absolute, .. or ~)"})
		case all[f.Name].open != nil:
			problems = append(problems, BagProblem{f.Name, "the zip holds this entry twice"})
		default:
			all[f.Name] = bagFile{int64(f.UncompressedSize64), f.Open}
		}
	}
	return locateBag(op, all, problems, "the zip")
}

// openDirBag lists a bag that is a directory. Files are read through an os.Root, so a symbolic
// link cannot lead the check outside the directory.
func openDirBag(dir string) (*bagSource, error) {
	const op = "archive.VerifyBagDir"
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, notABag(op, "The directory cannot be read.", err)
	}
	fsys := root.FS()
	all := map[string]bagFile{}
	var problems []BagProblem
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, BagProblem{p, "unreadable: " + err.Error()})
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := fs.Stat(fsys, p) // follows a link that stays inside the directory
		switch {
		case err != nil:
			problems = append(problems, BagProblem{p, "unreadable: " + err.Error()})
		case !info.Mode().IsRegular():
			problems = append(problems, BagProblem{p, "not a regular file"})
		default:
			all[p] = bagFile{info.Size(), func() (io.ReadCloser, error) { return fsys.Open(p) }}
		}
		return nil
	})
	if err != nil {
		root.Close()
		return nil, notABag(op, "The directory cannot be read.", err)
	}
	src, err := locateBag(op, all, problems, "the directory")
	if err != nil {
		root.Close()
		return nil, err
	}
	src.close = root.Close
	return src, nil
}

// locateBag finds the bag among a container's files (RFC 8493 §4.2): the container's own
// bagit.txt wins, so that a bag kept in another's data/ is never judged instead of it;
// otherwise a single top-level directory holding bagit.txt is the bag. A container with a
// manifest but no bagit.txt is a damaged bag, not intact; one with neither is no bag.
func locateBag(op string, all map[string]bagFile, problems []BagProblem, what string) (*bagSource, error) {
	root := ""
	if all["bagit.txt"].open == nil && !hasBagTags(all, "") {
		var withBagit, tops []string
		seen := map[string]bool{}
		for name := range all {
			top, rest, _ := strings.Cut(name, "/")
			if !seen[top] {
				seen[top] = true
				tops = append(tops, top)
			}
			if rest == "bagit.txt" {
				withBagit = append(withBagit, top)
			}
		}
		sort.Strings(withBagit)
		switch {
		case len(withBagit) > 1:
			return nil, notABag(op, fmt.Sprintf("%s holds several bags (%s); check each on its own.", upperFirst(what), strings.Join(withBagit, ", ")), nil)
		case len(withBagit) == 1:
			root = withBagit[0] + "/"
		case len(tops) == 1 && hasBagTags(all, tops[0]+"/"):
			root = tops[0] + "/"
		default:
			return nil, notABag(op, fmt.Sprintf("%s holds neither bagit.txt nor a manifest.", upperFirst(what)), nil)
		}
	}
	if all[root+"bagit.txt"].open == nil {
		problems = append(problems, BagProblem{"bagit.txt", "missing: every bag declares its version and encoding there (RFC 8493 §2.1.1)"})
	}
	src := &bagSource{files: map[string]bagFile{}, problems: problems, close: func() error { return nil }}
	for name, f := range all {
		rest, ok := strings.CutPrefix(name, root)
		if !ok {
			src.problems = append(src.problems, BagProblem{name, "lies outside the bag's base directory " + root + " (RFC 8493 §4.2: one bag per serialization)"})
			continue
		}
		src.files[rest] = f
	}
	return src, nil
}

// hasBagTags reports whether the files under dir include a manifest, the mark of a bag.
func hasBagTags(all map[string]bagFile, dir string) bool {
	for name := range all {
		rest, ok := strings.CutPrefix(name, dir)
		if ok && !strings.Contains(rest, "/") && (strings.HasPrefix(rest, "manifest-") || strings.HasPrefix(rest, "tagmanifest-")) {
			return true
		}
	}
	return false
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// readBagFile reads a file of a bag, at most limit bytes (0: all of it).
func readBagFile(f bagFile, limit int64) ([]byte, error) {
	if f.open == nil {
		return nil, errors.New("missing")
	}
	rc, err := f.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if limit > 0 {
		return io.ReadAll(io.LimitReader(rc, limit))
	}
	return io.ReadAll(rc)
}

// ZipBagDir writes the bag in dir to w as a zip without a base directory, the form ImportBag
// reads, so that a directory bag is imported the way a zipped one is.
func ZipBagDir(w io.Writer, dir string) error {
	src, err := openDirBag(dir)
	if err != nil {
		return err
	}
	defer src.close()
	// What only the directory shows (an unreadable file, a link leading out) would be lost in
	// the zip, so it stops the import here.
	if len(src.problems) > 0 {
		return notIntact("archive.ZipBagDir", &BagReport{Problems: src.problems})
	}
	zw := zip.NewWriter(w)
	for _, name := range slices.Sorted(maps.Keys(src.files)) {
		// The bytes are digested again on import; compressing them here would only cost time.
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: path.Clean(name), Method: zip.Store, Modified: time.Now().UTC()})
		if err != nil {
			return err
		}
		rc, err := src.files[name].open()
		if err != nil {
			return err
		}
		_, err = copyBuf(fw, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}
