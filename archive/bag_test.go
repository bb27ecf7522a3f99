package archive

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// zipBag builds a bag of n payload files and their manifests; file number changed (-1: none)
// has one bit flipped after its digests were taken, as a file damaged in the bag would.
func zipBag(t *testing.T, n int, changed int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "bag/" + name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	add("bagit.txt", []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"))
	var sha, sm3 strings.Builder
	rng := rand.New(rand.NewSource(5))
	for i := range n {
		data := make([]byte, rng.Intn(600<<10))
		rng.Read(data)
		name := fmt.Sprintf("data/doc-%03d/document.pdf", i)
		d, _ := DigestOf(bytes.NewReader(data))
		fmt.Fprintf(&sha, "%s  %s\n", d.SHA256, name)
		fmt.Fprintf(&sm3, "%s  %s\n", d.SM3, name)
		if i == changed {
			data[len(data)/2] ^= 1
		}
		add(name, data)
	}
	add("manifest-sha256.txt", []byte(sha.String()))
	add("manifest-sm3.txt", []byte(sm3.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVerifyBagNamesTheChangedFile: many payload files, hashed many at a time, and exactly the
// one whose bytes changed is reported, under both manifests.
func TestVerifyBagNamesTheChangedFile(t *testing.T) {
	good := zipBag(t, 30, -1)
	rep, err := VerifyBag(bytes.NewReader(good), int64(len(good)))
	if err != nil || !rep.OK() || rep.Files != 30 || len(rep.payload) != 30 {
		t.Fatalf("intact bag: %+v %v", rep, err)
	}
	bad := zipBag(t, 30, 17)
	rep, err = VerifyBag(bytes.NewReader(bad), int64(len(bad)))
	if err != nil {
		t.Fatal(err)
	}
	want := []BagProblem{{"data/doc-017/document.pdf", "sha256 checksum differs from the one manifest-sha256.txt lists"},
		{"data/doc-017/document.pdf", "sm3 checksum differs from the one manifest-sm3.txt lists"}}
	if fmt.Sprint(rep.Problems) != fmt.Sprint(want) {
		t.Errorf("problems %v, want %v", rep.Problems, want)
	}
}
