package separator

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline/internal/testpage"
)

func TestIsSeparatorPayload(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"PATCH T", true},
		{"PATCHT", true},
		{" PATCH T\n", true},
		{"OW-SEP", true},
		{"OW-SEP-0001", true},
		{"PATCH II", false},
		{"patch t", false},
		{"XOW-SEP", false},
		{"https://example.org/OW-SEP", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsSeparatorPayload(tt.in); got != tt.want {
			t.Errorf("IsSeparatorPayload(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name        string
		page        func(t testing.TB) image.Image
		wantPayload string
		wantSep     bool
	}{
		{
			name: "corpus style QR PATCH T centred",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 255)
				testpage.DrawText(t, img, "文件分隔页  DOCUMENT SEPARATOR", 270, 330, 66, 0)
				drawMatrix(img, qrMatrix(t, "PATCH T"), 1115, 1629, 10, 10, 0, 0)
				return img
			},
			wantPayload: "PATCH T", wantSep: true,
		},
		{
			name: "small rotated off-centre QR OW-SEP-0001 on noisy scan",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 240)
				// 25 modules × 6 px ≈ 1.3 cm at 300 dpi, near the bottom-right corner.
				drawMatrix(img, qrMatrix(t, "OW-SEP-0001"), 1900, 2900, 6, 6, 7, 10)
				testpage.AddScanNoise(img, 1, 6, 240)
				return img
			},
			wantPayload: "OW-SEP-0001", wantSep: true,
		},
		{
			name: "QR upside down with skew",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 250)
				drawMatrix(img, qrMatrix(t, "OW-SEP-20240517"), 300, 500, 9, 9, 183, 0)
				testpage.AddScanNoise(img, 2, 5, 240)
				return img
			},
			wantPayload: "OW-SEP-20240517", wantSep: true,
		},
		{
			name: "Code 128 PATCHT",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 245)
				drawMatrix(img, code128Matrix(t, "PATCHT"), 900, 1500, 4, 150, 0, 0)
				testpage.AddScanNoise(img, 3, 5, 240)
				return img
			},
			wantPayload: "PATCHT", wantSep: true,
		},
		{
			name: "Code 128 PATCH T small skewed off-centre",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 245)
				// 0.25 mm modules, 6 mm tall, 3 degrees of skew.
				drawMatrix(img, code128Matrix(t, "PATCH T"), 200, 3100, 3, 70, 3, 20)
				testpage.AddScanNoise(img, 4, 5, 240)
				return img
			},
			wantPayload: "PATCH T", wantSep: true,
		},
		{
			name: "Code 128 OW-SEP turned 90 degrees",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageH, testpage.PageW, 245)
				drawMatrix(img, code128Matrix(t, "OW-SEP-7"), 1200, 1000, 4, 120, 0, 0)
				return rotate90(img)
			},
			wantPayload: "OW-SEP-7", wantSep: true,
		},
		{
			name: "QR with another payload",
			page: func(t testing.TB) image.Image {
				img := textPage(t)
				drawMatrix(img, qrMatrix(t, "https://zwfw.example.gov.cn/verify?id=88231"), 1900, 2800, 8, 8, 0, 0)
				return img
			},
			wantPayload: "https://zwfw.example.gov.cn/verify?id=88231", wantSep: false,
		},
		{
			name:        "normal text page",
			page:        func(t testing.TB) image.Image { return textPage(t) },
			wantPayload: "", wantSep: false,
		},
		{
			name: "noisy blank page",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 240)
				testpage.AddScanNoise(img, 5, 8, 300)
				return img
			},
			wantPayload: "", wantSep: false,
		},
		{
			name: "QR PATCH T through JPEG",
			page: func(t testing.TB) image.Image {
				img := testpage.New(testpage.PageW, testpage.PageH, 250)
				drawMatrix(img, qrMatrix(t, "PATCH T"), 1000, 1500, 8, 8, -2, 0)
				dec, err := jpeg.Decode(bytes.NewReader(encode.JPEGAt(t, img, 60)))
				if err != nil {
					t.Fatal(err)
				}
				return dec
			},
			wantPayload: "PATCH T", wantSep: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, sep := Detect(tt.page(t))
			if payload != tt.wantPayload || sep != tt.wantSep {
				t.Errorf("Detect = (%q, %v), want (%q, %v)", payload, sep, tt.wantPayload, tt.wantSep)
			}
		})
	}
}

func BenchmarkDetect(b *testing.B) {
	pages := map[string]image.Image{
		"text page": textPage(b),
		"qr page": func() image.Image {
			img := testpage.New(testpage.PageW, testpage.PageH, 255)
			drawMatrix(img, qrMatrix(b, "PATCH T"), 1115, 1629, 10, 10, 0, 0)
			return img
		}(),
		"blank page": func() image.Image {
			img := testpage.New(testpage.PageW, testpage.PageH, 240)
			testpage.AddScanNoise(img, 5, 8, 300)
			return img
		}(),
	}
	for name, img := range pages {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Detect(img)
			}
		})
	}
}
