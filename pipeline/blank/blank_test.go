package blank

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline/internal/testpage"
)

func TestIsBlank(t *testing.T) {
	tests := []struct {
		name string
		page func(t testing.TB) *image.Gray
		want bool
	}{
		{
			name: "clean white",
			page: func(t testing.TB) *image.Gray { return testpage.New(testpage.PageW, testpage.PageH, 255) },
			want: true,
		},
		{
			name: "noisy with speckles",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 238)
				testpage.AddScanNoise(img, 1, 10, 400)
				return img
			},
			want: true,
		},
		{
			name: "dark shadow band on the left",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 242)
				testpage.AddScanNoise(img, 2, 6, 200)
				addEdgeShadow(img, "left", 74, 40)
				return img
			},
			want: true,
		},
		{
			name: "wide shadow band along the top",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 242)
				addEdgeShadow(img, "top", 300, 20)
				return img
			},
			want: true,
		},
		{
			name: "faint mirrored show-through",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 245)
				addShowThrough(t, img, 4)
				testpage.AddScanNoise(img, 3, 6, 240)
				return img
			},
			want: true,
		},
		{
			name: "strong show-through with shadow and noise",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 240)
				addShowThrough(t, img, 3)
				testpage.AddScanNoise(img, 4, 8, 300)
				addEdgeShadow(img, "right", 60, 60)
				return img
			},
			want: true,
		},
		{
			name: "one line of text",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 242)
				testpage.DrawText(t, img, "委托人签字：________    日期：2021年1月2日", 270, 1800, 39, 40)
				testpage.AddScanNoise(img, 5, 6, 240)
				return img
			},
			want: false,
		},
		{
			name: "one short word in dark ink",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 242)
				testpage.DrawText(t, img, "附件", 1100, 600, 39, 30)
				testpage.AddScanNoise(img, 6, 6, 240)
				return img
			},
			want: false,
		},
		{
			name: "small page number near the bottom edge",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 250)
				testpage.DrawText(t, img, "- 3 -", 1180, 3300, 30, 20)
				return img
			},
			want: false,
		},
		{
			name: "signature line only",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 250)
				testpage.DrawText(t, img, "________", 1500, 3000, 39, 30)
				return img
			},
			want: false,
		},
		{
			name: "ID card copy with little text",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 248)
				// The card outline and a few fields, as a photocopy shows them.
				for x := 700; x < 1712; x++ {
					img.Pix[900*img.Stride+x], img.Pix[1538*img.Stride+x] = 90, 90
				}
				for y := 900; y < 1539; y++ {
					img.Pix[y*img.Stride+700], img.Pix[y*img.Stride+1711] = 90, 90
				}
				testpage.DrawText(t, img, "姓名 李秀", 760, 1000, 30, 50)
				testpage.AddScanNoise(img, 7, 5, 200)
				return img
			},
			want: false,
		},
		{
			name: "full text page",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 245)
				for i := range 20 {
					testpage.DrawText(t, img, "第一条 为规范白山金鼎商贸有限公司的组织和行为，根据《中华人民共和国公司法》制定本章程。", 270, 400+i*90, 39, 30)
				}
				return img
			},
			want: false,
		},
		{
			name: "bilevel scan with speckles",
			page: func(t testing.TB) *image.Gray {
				img := testpage.New(testpage.PageW, testpage.PageH, 255)
				testpage.AddScanNoise(img, 8, 4, 300)
				for i, v := range img.Pix { // threshold as a bilevel G4 scan would
					if v > 160 {
						img.Pix[i] = 255
					} else {
						img.Pix[i] = 0
					}
				}
				return img
			},
			want: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := tt.page(t)
			if got := IsBlank(img); got != tt.want {
				t.Errorf("IsBlank = %v, want %v (analysis %+v)", got, tt.want, Analyze(img))
			}
			if got := Analyze(img).Blank; got != tt.want {
				t.Errorf("Analyze.Blank = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsBlankOnDecodedJPEG(t *testing.T) {
	img := testpage.New(testpage.PageW, testpage.PageH, 242)
	testpage.DrawText(t, img, "附件", 1100, 600, 39, 30)
	dec, err := jpeg.Decode(bytes.NewReader(encode.JPEGAt(t, img, 50)))
	if err != nil {
		t.Fatal(err)
	}
	if IsBlank(dec) {
		t.Errorf("IsBlank(JPEG with one word) = true, want false")
	}
}

func BenchmarkIsBlank(b *testing.B) {
	text := testpage.New(testpage.PageW, testpage.PageH, 245)
	for i := range 20 {
		testpage.DrawText(b, text, "第一条 为规范白山金鼎商贸有限公司的组织和行为。", 270, 400+i*90, 39, 30)
	}
	noisy := testpage.New(testpage.PageW, testpage.PageH, 240)
	addShowThrough(b, noisy, 4)
	testpage.AddScanNoise(noisy, 1, 8, 300)
	jpegBytes := encode.JPEG(b, noisy)
	decoded, err := jpeg.Decode(bytes.NewReader(jpegBytes))
	if err != nil {
		b.Fatal(err)
	}

	b.Run("blank page", func(b *testing.B) {
		for b.Loop() {
			IsBlank(decoded)
		}
	})
	b.Run("text page", func(b *testing.B) {
		for b.Loop() {
			IsBlank(text)
		}
	})
	// The JPEG decode the caller pays anyway, for scale.
	b.Run("jpeg decode only", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(jpegBytes)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// blot paints a dark square side pixels wide at (x, y): at 300 dpi, 12 px is 1 mm.
func blot(img *image.Gray, x, y, side int) {
	for dy := range side {
		for dx := range side {
			img.SetGray(x+dx, y+dy, color.Gray{Y: 30})
		}
	}
}

func TestBlankAfterOCR(t *testing.T) {
	page := func(blots ...[3]int) *image.Gray {
		img := testpage.New(testpage.PageW, testpage.PageH, 245)
		for _, b := range blots {
			blot(img, b[0], b[1], b[2])
		}
		return img
	}
	stray := page([3]int{1200, 1700, 17}) // one blot of 1.4 mm: above speckle, IsBlank keeps it
	if IsBlank(stray) {
		t.Fatal("the stray blot is below IsBlank's mark size; the test needs a bigger one")
	}
	tests := []struct {
		name string
		img  *image.Gray
		text string
		want bool
	}{
		{"a stray blot and no text", stray, " \n", true},
		{"a stray blot and text read", stray, "2", false},
		{"a tick of 5 mm", page([3]int{1200, 1700, 60}), "", false},
		{"many blots", page([3]int{400, 500, 17}, [3]int{900, 900, 17}, [3]int{1300, 1500, 17}, [3]int{1800, 2500, 17}), "", false},
	}
	for _, tt := range tests {
		if got := BlankAfterOCR(tt.img, tt.text); got != tt.want {
			t.Errorf("%s: BlankAfterOCR = %v, want %v (%+v)", tt.name, got, tt.want, Analyze(tt.img))
		}
	}
}
