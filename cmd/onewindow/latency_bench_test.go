package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"onewindow/internal/testfixtures"
)

// TestCaseCheckLatency is the window's "on the spot" benchmark (issue 8): the wait from
// uploading an 8-page stack of a case to its completeness check naming the stack's
// documents, beside plain Tesseract reading the same page images as many at a time as there
// are cores, in the same run. It prints figures and asserts nothing about time.
//
//	ONEWINDOW_BENCH_LATENCY=1 go test ./cmd/onewindow -run TestCaseCheckLatency -v
func TestCaseCheckLatency(t *testing.T) {
	if os.Getenv("ONEWINDOW_BENCH_LATENCY") == "" {
		t.Skip("benchmark: set ONEWINDOW_BENCH_LATENCY=1")
	}
	pages := latencyPages(t)
	dir := t.TempDir()
	var paths []string
	for i, p := range pages {
		path := filepath.Join(dir, fmt.Sprintf("page-%d.jpg", i))
		must(t, os.WriteFile(path, testfixtures.JPEG(t, p), 0o644))
		paths = append(paths, path)
	}
	pdf := testfixtures.ScanPDF(t, pages...)
	d := startDaemon(t, t.TempDir())

	const runs = 3
	var ref, ours []time.Duration
	for run := 0; run < runs; run++ {
		ref = append(ref, tesseractAll(t, paths))
		ours = append(ours, uploadToCheck(t, d, pdf, len(pages)))
	}
	r, o := median(ref), median(ours)
	t.Logf("%d pages, %d cores, median of %d runs", len(pages), runtime.NumCPU(), runs)
	t.Logf("tesseract -l chi_sim+eng, %d at a time: %v (runs %v)", runtime.NumCPU(), r.Round(time.Millisecond), ref)
	t.Logf("onewindow upload to check result:     %v (runs %v)", o.Round(time.Millisecond), ours)
	t.Logf("ratio: %.2f", float64(o)/float64(r))
}

func latencyPages(t *testing.T) []*image.Gray {
	lines := [][]string{
		{"公司登记（备案）申请书", "名称：长春市松原科技有限公司", "统一社会信用代码：91220102QFWNB571XW", "法定代表人：王建国", "住所：长春市朝阳区人民大街1000号"},
		{"居民身份证", "姓名 王建国", "性别 男 民族 汉", "出生 1985年3月7日", "公民身份号码 220102198503071234"},
		{"营业执照", "统一社会信用代码 91220102QFWNB571XW", "名称 长春市松原科技有限公司", "类型 有限责任公司", "登记机关 长春市市场监督管理局"},
		{"公司章程", "第一章 总则", "第一条 为规范公司的组织和行为，根据《中华人民共和国公司法》制定本章程。", "第二条 公司名称：长春市松原科技有限公司"},
		{"公司章程（续）", "第三章 股东", "第十条 股东按期足额缴纳出资。", "第十一条 股东会由全体股东组成。"},
		{"住所使用证明", "兹证明长春市朝阳区人民大街1000号房屋", "提供给长春市松原科技有限公司作为住所使用。", "产权人：李明"},
		{"授权委托书", "委托人：长春市松原科技有限公司", "受托人：赵丽  身份证号码：220103198909195957", "委托事项：办理企业设立登记"},
		{"承诺书", "本公司承诺所提交材料真实有效。", "如有虚假，愿承担法律责任。", "承诺人：王建国"},
	}
	var out []*image.Gray
	for _, l := range lines {
		out = append(out, testfixtures.TextPage(t, l...))
	}
	return out
}

// tesseractAll reads every page with the tesseract CLI, NumCPU at a time.
func tesseractAll(t *testing.T, paths []string) time.Duration {
	start := time.Now()
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cmd := exec.Command("tesseract", p, "-", "-l", "chi_sim+eng")
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("tesseract: %v %s", err, out)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// uploadToCheck opens a case, uploads the stack and waits until the case's check lists the
// stack's documents.
func uploadToCheck(t *testing.T, d *daemon, pdf []byte, pages int) time.Duration {
	body := `{"matter":"JL-SC-001","applicant":{"name":"长春市松原科技有限公司","uscc":"91220102QFWNB571XW"},"channel":"counter"}`
	req, _ := http.NewRequest("POST", d.base+"/api/v1/cases", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.token)
	code, c := d.do(req)
	if code != 201 {
		t.Fatalf("open case: %d %v", code, c)
	}
	caseNo := c["case_no"].(string)
	start := time.Now()
	code, b := d.upload(d.token, nil, map[string]string{"case_no": caseNo}, file{"stack.pdf", pdf})
	if code != 202 {
		t.Fatalf("upload: %d %v", code, b)
	}
	for time.Since(start) < 3*time.Minute {
		_, raw := d.getRaw("/api/v1/cases/" + caseNo)
		var cs struct {
			Documents []string `json:"documents"`
		}
		if json.Unmarshal(raw, &cs) == nil && len(cs.Documents) > 0 {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("case %s never listed its documents", caseNo)
	return 0
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
