package notice

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/internal/clock"
	"onewindow/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

var (
	cst    = clock.Clock{}.Location() // the hall's zone
	issued = time.Date(2026, 3, 3, 10, 0, 0, 0, cst)
)

func renderer(t testing.TB) *Renderer {
	t.Helper()
	if _, err := os.Stat(DefaultFontPath); err != nil {
		t.Skip("fonts-wqy-zenhei is not installed (scripts/setup.sh installs it)")
	}
	r, err := New(Options{Hall: "长春市政务服务中心"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// samples are one notice of each kind, and the register.
func samples(t testing.TB) map[string]func(r *Renderer) ([]byte, error) {
	m, _ := cases.DefaultCatalogue().Matter("JL-SC-003")
	c := &cases.Case{Opening: cases.Opening{CaseNo: "20260302-00042", Matter: m.Code, MatterName: m.Name,
		Applicant: cases.Applicant{Kind: cases.KindOrganisation, Name: "长春市南关区福满楼餐饮有限公司", USCC: "912201011234567884"},
		Window:    "综合窗口3", Channel: cases.ChannelMail}, OpenedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, cst), DueDate: "2026-03-16"}
	c.Check.Inconsistencies = []cases.Inconsistency{{Code: cases.IncFormLicenceUSCC, Message: "申请书上填写的统一社会信用代码与营业执照上的代码不一致。"}}
	mail := cases.MailItem{ID: "m1", Carrier: cases.CarrierEMS, Waybill: "1180123456789", Sender: cases.Sender{Name: "王五", Phone: "13904310000"},
		ArrivedAt: time.Date(2026, 3, 2, 9, 12, 0, 0, cst), SignedBy: "李收发", Pieces: 1, Condition: "intact", CaseNo: c.CaseNo,
		RoutedTo: "综合窗口3", ReceivedBy: "赵窗口"}
	return map[string]func(r *Renderer) ([]byte, error){
		cases.NoticeAcceptance: func(r *Renderer) ([]byte, error) {
			return r.Render(FromDecision(c, m, cases.DecidedData{Decision: cases.DecisionAccept, DueDate: "2026-03-17"}, "", issued))
		},
		cases.NoticeCorrection: func(r *Renderer) ([]byte, error) {
			return r.Render(FromDecision(c, m, cases.DecidedData{Decision: cases.DecisionCorrection,
				Missing: []cases.CheckItem{{Name: "营业执照复印件"}, {Name: "食品安全管理制度承诺书"}}}, "请同时提交经营场所平面布局图。", issued))
		},
		cases.NoticeDeferredAcceptance: func(r *Renderer) ([]byte, error) {
			return r.Render(FromDecision(c, m, cases.DecidedData{Decision: cases.DecisionAcceptDeferred, DueDate: "2026-03-17",
				Deferred: []cases.DeferredItem{{Name: "经营场所使用证明及平面布局图", DueDate: "2026-03-10"}}}, "", issued))
		},
		cases.NoticeRefusal: func(r *Renderer) ([]byte, error) {
			rf, _ := m.Refusal("license_not_needed")
			return r.Render(FromDecision(c, m, cases.DecidedData{Decision: cases.DecisionReject, Refusals: []cases.Refusal{rf}}, "", issued))
		},
		cases.NoticeMailReceipt: func(r *Renderer) ([]byte, error) { return r.Render(FromMail(mail, c, m, issued)) },
		"register": func(r *Renderer) ([]byte, error) {
			other := mail
			other.Carrier, other.Waybill, other.Sender.Name, other.CaseNo = cases.CarrierSF, "SF1234567890123", "吉林省某某建筑工程有限责任公司长春分公司", ""
			return r.RenderRegister(time.Date(2026, 3, 2, 0, 0, 0, 0, cst), []cases.MailItem{mail, other})
		},
	}
}

func TestNoticesGolden(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) is not installed", tool)
		}
	}
	r := renderer(t)
	for kind, render := range samples(t) {
		t.Run(kind, func(t *testing.T) {
			pdf, err := render(r)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "n.pdf")
			if err := os.WriteFile(path, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"长春市南关区福满楼餐饮有限公司", "20260302-00042"}
			if kind == "register" {
				want = []string{"王五", "20260302-00042", "1180123456789", "收件登记簿"}
			}
			for _, w := range want {
				if !strings.Contains(string(text), w) {
					t.Errorf("pdftotext does not find %q in:\n%s", w, text)
				}
			}
			if out, err := exec.Command("pdftoppm", "-r", "50", "-png", "-singlefile", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v %s", err, out)
			}
			got, err := os.ReadFile(filepath.Join(dir, "page.png"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", kind+".png")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantPNG, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if d := diff(t, got, wantPNG); d > 0.005 {
				t.Errorf("page differs from %s in %.2f%% of its pixels", golden, d*100)
			}
		})
	}
}

// diff returns the share of pixels whose gray value differs by more than 48 levels.
func diff(t *testing.T, a, b []byte) float64 {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return 1
	}
	gray := func(img image.Image, x, y int) int {
		r, g, b, _ := img.At(x, y).RGBA()
		return int(r>>8+g>>8+b>>8) / 3
	}
	bad, all := 0, 0
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			all++
			if d := gray(ia, x, y) - gray(ib, x, y); d > 48 || d < -48 {
				bad++
			}
		}
	}
	return float64(bad) / float64(all)
}

func TestRenderDeterministic(t *testing.T) {
	r := renderer(t)
	render := samples(t)[cases.NoticeCorrection]
	a, err := render(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := render(r)
	if !bytes.Equal(a, b) {
		t.Error("the same notice renders to different bytes")
	}
}

func TestTemplateOverride(t *testing.T) {
	if _, err := os.Stat(DefaultFontPath); err != nil {
		t.Skip("no font")
	}
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("acceptance.txt", "# ours\n受理通知书（本厅）\n{applicant_name}：你的申请已受理，编号{case_no}。\n")
	r, err := New(Options{TemplateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.templates[cases.NoticeAcceptance].title; got != "受理通知书（本厅）" {
		t.Errorf("title = %q", got)
	}
	tests := []struct{ file, body, want string }{
		{"refusal.txt", "不予受理决定书\n{applicant}：\n", "refusal.txt line 2: unknown placeholder {applicant}"},
		{"receipt.txt", "回执\n", "receipt.txt is for no known kind"},
		{"correction.txt", "# only a comment\n", "correction.txt has no title"},
		{"correction.txt", "告知书\n见下：{items}\n", "must stand alone"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := New(Options{TemplateDir: dir})
		if errs.CodeOf(err) != "bad_template" || !strings.Contains(errs.MessageOf(err), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.file, err, tt.want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	r := renderer(b)
	render := samples(b)[cases.NoticeCorrection]
	size := 0
	for b.Loop() {
		pdf, err := render(r)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

func Example() {
	r, err := New(Options{Hall: "长春市政务服务中心"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pdf, err := r.Render(Data{Kind: cases.NoticeAcceptance, CaseNo: "20260302-00042", ApplicantName: "张三", MatterName: "个体工商户登记",
		Issued: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), TimeLimitDays: 1, DueDate: "2026-03-03"})
	fmt.Println(err == nil && bytes.HasPrefix(pdf, []byte("%PDF-")))
	// Output: true
}

func FuzzParseTemplate(f *testing.F) {
	for _, k := range cases.NoticeKinds {
		data, _ := defaultTemplates.ReadFile("templates/" + k.Name + ".txt")
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := parseTemplate("x.txt", data)
		if err != nil {
			return
		}
		if tpl.title == "" {
			t.Fatal("accepted a template without a title")
		}
		for _, line := range tpl.lines {
			for _, m := range placeholderRe.FindAllStringSubmatch(line, -1) {
				if !slices.Contains(Placeholders, m[1]) {
					t.Fatalf("accepted placeholder %s", m[0])
				}
			}
		}
	})
}

// With the installation's address, a notice's QR code opens its case's progress lookup.
func TestQRTextOpensTheLookup(t *testing.T) {
	if got := (&Renderer{}).qrText("JL2026-0001"); got != "JL2026-0001" {
		t.Errorf("without an address: %q", got)
	}
	r := &Renderer{lookup: "https://hall.example.gov.cn/ow"}
	if got := r.qrText("JL 2026/1"); got != "https://hall.example.gov.cn/ow/progress?case_no=JL+2026%2F1" {
		t.Errorf("with an address: %q", got)
	}
}
