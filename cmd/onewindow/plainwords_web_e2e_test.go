package main

// Every desk in both languages, as every role, after a day's work: what a person reads is
// words in the page's language, never a code, a catalogue key, an ID or a server sentence in
// English under Chinese headings (issue 25).

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onewindow/cases"
	"onewindow/internal/auth"
	"onewindow/internal/fields"
	"onewindow/internal/testfixtures"
	"onewindow/web"
)

var (
	// i18n keys look like nav.ops or err.bad_csrf; file names (id.pdf) are words people read.
	keyLike   = regexp.MustCompile(`\b[a-z]+\.[a-z][a-z_]*[a-z]\b`)
	fileExt   = regexp.MustCompile(`\.(pdf|png|jpe?g|tiff?|html|json|ya?ml|csv|zip|txt|cn|com|org|gov|net)$`)
	snakeLike = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)
	uuidLike  = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	// an English sentence: four or more words in a row, as the API's messages are written
	englishRun = regexp.MustCompile(`[A-Za-z]+(?:[ ,'][A-Za-z]+){3,}`)
)

// visibleText is what a person reads on the page: text in the rendered document and the
// options of its lists, without code elements (a code in small print is allowed) and scripts.
const visibleText = `(() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("code, .code, script, style, noscript, template, [hidden]")) continue;
    if (el.tagName !== "OPTION" && !el.checkVisibility()) continue;
    const s = n.textContent.trim();
    if (s) out.push(s);
  }
  return out.join("\n");
})()`

// rawCodes lists what a page must not show: the codes of states, events, notice kinds,
// departments, matters, carriers and fields, each asked of its owner. names are the owners'
// names for them, which may hold a code as a word (中国邮政EMS).
func rawCodes(t *testing.T, d *daemon, token string, extra ...string) (codes, names []string) {
	t.Helper()
	codes = slices.Clone(cases.States)
	for _, k := range cases.NoticeKinds {
		codes = append(codes, k.Name)
	}
	for _, c := range cases.Carriers() {
		if c.Code != c.Name && len(c.Code) > 1 {
			// in English a carrier's name is its code (EMS) or starts with it (SF Express)
			codes, names = append(codes, "carrier:"+c.Code), append(names, c.Name)
		}
	}
	for _, f := range fields.Table {
		codes = append(codes, f.Name)
	}
	_, m := dlvCall(t, d, token, "GET", "/api/v1/matters", nil, "", nil)
	ms, _ := m["matters"].([]any)
	for _, x := range ms {
		codes = append(codes, x.(map[string]any)["code"].(string))
	}
	codes = append(codes, cases.EvOpened, cases.EvBatchDone, cases.EvDecided, cases.EvStateChanged, cases.EvNoticeFiled,
		cases.EvMailLinked, cases.EvApplicantNotified, cases.EvHandover, cases.EvHandoverConfirmed, cases.EvDelivery,
		"pending", "delivered", "acknowledged", "answered", "pickup", "intact", "pull", "webhook", "pipeline", "worker")
	return append(codes, extra...), names
}

// rawFindings names what in text is not plain words; zh says the page is in Chinese.
func rawFindings(text string, codes, names []string, zh bool) []string {
	var found []string
	for _, n := range names {
		text = strings.ReplaceAll(text, n, "名称")
	}
	for _, k := range keyLike.FindAllString(text, -1) {
		if !fileExt.MatchString(k) {
			found = append(found, "key "+k)
		}
	}
	for _, k := range snakeLike.FindAllString(text, -1) {
		found = append(found, "code "+k)
	}
	for _, k := range uuidLike.FindAllString(text, -1) {
		found = append(found, "ID "+k)
	}
	for _, c := range codes {
		carrier, isCarrier := strings.CutPrefix(c, "carrier:")
		multi := strings.ContainsAny(c, "_-") || strings.ToUpper(c) == c
		if !zh && !multi && !isCarrier {
			continue // a lone English word is the English page's word
		}
		re := regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(c) + `([^A-Za-z0-9_-]|$)`)
		if isCarrier {
			if !zh {
				continue
			}
			c = carrier
			re = regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(c) + `([^A-Za-z0-9_-]|$)`)
		}
		if re.MatchString(text) {
			found = append(found, "code "+c)
		}
	}
	if zh {
		for _, s := range englishRun.FindAllString(text, -1) {
			found = append(found, "English "+strings.TrimSpace(s))
		}
	}
	sort.Strings(found)
	return slices.Compact(found)
}

// startWithDesks starts the daemon in dir with a token for each of entries and two
// departments that pull their packages: natural resources and taxation (JL-ZR-001's).
func startWithDesks(t *testing.T, dir string, entries []auth.TokenEntry) *daemon {
	t.Helper()
	depts := "departments:\n  - id: natural-resources\n    name: 自然资源局\n    pull: true\n" +
		"  - id: taxation\n    name: 税务局\n    pull: true\n"
	tokJSON, _ := json.Marshal(entries)
	deptFile, tokFile := filepath.Join(dir, "departments.yaml"), filepath.Join(dir, "tokens.json")
	for path, data := range map[string][]byte{deptFile: []byte(depts), tokFile: tokJSON} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_DEPARTMENTS_FILE="+deptFile, "ONEWINDOW_TOKENS_FILE="+tokFile)
}

func TestWebPlainWordsInEveryPage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	tokens := map[string]string{}
	var entries []auth.TokenEntry
	for _, r := range auth.Roles {
		tokens[r] = "plain-words-" + r
		e := auth.TokenEntry{Name: auth.Label(r, false), Role: r, SHA256: auth.HashToken(tokens[r])}
		if r == auth.RoleDepartment {
			e.Name, e.Department = "自然资源局", "natural-resources"
		}
		entries = append(entries, e)
	}
	entries = append(entries, auth.TokenEntry{Name: "税务局", Role: auth.RoleDepartment, Department: "taxation", SHA256: auth.HashToken("plain-words-taxation")})
	d := startWithDesks(t, t.TempDir(), entries)
	window := tokens[auth.RoleWindow]

	// A day: two cases accepted and answered by both departments, one handed out and rated,
	// one waiting at the window; another whose ID card disagrees with the number typed, sent
	// back for corrections, with an envelope logged for it; a batch filed alone.
	closed, ready := acceptedCase(t, d, window, "JL-ZR-001"), acceptedCase(t, d, window, "JL-ZR-001")
	dlvWait(t, time.Minute, "the packages are out", func() bool {
		_, list := dlvCall(t, d, tokens[auth.RoleDepartment], "GET", "/api/v1/deliveries", nil, "", nil)
		x, _ := list["deliveries"].([]any)
		return len(x) == 2
	})
	for _, no := range []string{closed, ready} {
		for id, tok := range map[string]string{"natural-resources": tokens[auth.RoleDepartment], "taxation": "plain-words-taxation"} {
			if st, r := postDecision(t, d, tok, no, id); st != 201 {
				t.Fatalf("%s result: %d %v", id, st, r)
			}
		}
	}
	if st, r := dlvCall(t, d, window, "POST", "/api/v1/cases/"+closed+"/handout", []byte(`{"method":"pickup","collector":{"name":"杨佳","id_number":"`+
		handoutApplicantID+`"},"confirmation":"confirmed"}`), "", nil); st != 200 && st != 201 {
		t.Fatalf("hand-out: %d %v", st, r)
	}
	if code, _, body := callPublic(t, "POST", d.base+"/api/v1/public/cases/"+closed+"/rating", "",
		map[string]any{"check": handoutApplicantID[14:], "score": 4, "comment": "窗口很耐心"}); code != 201 {
		t.Fatalf("rating: %d %s", code, body)
	}
	st, c := dlvCall(t, d, window, "POST", "/api/v1/cases", []byte(`{"matter":"JL-ZR-001","applicant":{"name":"杨佳","id_number":"`+handoutApplicantID+`"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	open := c["case_no"].(string)
	card := testfixtures.TextPage(t, "居民身份证", "姓名 王芳", "公民身份号码 11010519491231002X")
	d.uploadDone(map[string]string{"case_no": open}, 2*time.Minute, file{"id.pdf", testfixtures.ScanPDF(t, card)})
	dlvWait(t, 30*time.Second, "the case has the card", func() bool {
		_, c = dlvCall(t, d, window, "GET", "/api/v1/cases/"+open, nil, "", nil)
		docs, _ := c["documents"].([]any)
		return len(docs) > 0
	})
	caseDoc := c["documents"].([]any)[0].(string)
	if st, r := dlvCall(t, d, window, "POST", "/api/v1/cases/"+open+"/decision", []byte(`{"decision":"correction_required","reason":"身份证号不一致"}`),
		"", map[string]string{"If-Match": strconv.Itoa(int(c["version"].(float64)))}); st != 200 {
		t.Fatalf("decide: %d %v", st, r)
	}
	if st, r := dlvCall(t, d, tokens[auth.RoleCourier], "POST", "/api/v1/mail", []byte(`{"carrier":"SF","waybill":"SF1234567890123","sender":{"name":"杨佳","phone":"13800005678","address":"长春市朝阳区"},"signed_by":"李收发","case_no":"`+open+`"}`), "", nil); st != 201 {
		t.Fatalf("mail: %d %v", st, r)
	}
	batch := d.uploadDone(nil, 2*time.Minute, file{"form.pdf", testfixtures.ScanPDF(t, testfixtures.TextPage(t, "申请表", "申请人 杨佳"))})
	docs, _ := batch["documents"].([]any)
	if len(docs) == 0 {
		t.Fatalf("the filed batch has no documents: %v", batch)
	}
	docID := docs[0].(map[string]any)["id"].(string)
	codes, names := rawCodes(t, d, window, "natural-resources", "taxation")

	for _, role := range auth.Roles {
		pages := append([]string{"/", "/no-such-page"}, web.DeskPaths(role)...)
		if auth.Can(role, auth.CapCasePage) {
			// and a case that does not exist: the API's refusal, in the page's words
			pages = append(pages, "/cases/"+closed, "/cases/"+ready, "/cases/"+open, "/cases/20990101-99999")
		}
		if auth.Can(role, auth.CapReadDocuments) {
			pages = append(pages, "/batches/"+batch["id"].(string), "/documents/"+docID, "/documents/"+caseDoc)
		}
		b.signInAs(d.base, tokens[role])
		for _, lang := range []string{"zh", "en"} {
			b.useLang(lang)
			for _, p := range pages {
				b.do(chromedp.Navigate(d.base+p), chromedp.WaitReady("body"))
				text := b.eval(visibleText)
				for _, no := range []string{closed, ready, open} {
					text = strings.ReplaceAll(text, no, "办件编号") // case numbers are what people quote
				}
				if auth.Can(role, auth.CapCaseWindow) && slices.Contains([]string{"/cases/" + closed, "/cases/" + ready, "/cases/" + open}, p) {
					// a decision is offered only where the case's state allows one: the case sent
					// back for corrections, not the ones accepted, answered or closed
					form := b.eval(`String(document.querySelector("form[action$='/decision']") !== null)`) == "true"
					if want := p == "/cases/"+open; form != want {
						t.Errorf("%s, %s, %s: the decision form shows: %v, want %v", role, lang, p, form, want)
					}
				}
				if p == "/cases/"+open {
					// the check names both numbers and where each was read, masked as the role requires
					typed, card := handoutApplicantID, "11010519491231002X"
					if !auth.Can(role, auth.CapFullIDs) {
						typed, card = auth.MaskID(typed), auth.MaskID(card)
					}
					want := map[string]string{"zh": "窗口登记的身份证号 " + typed + " 与 身份证上身份证号 " + card + " 不一致",
						"en": "ID number " + typed + " (typed at the window) and " + card + " (ID card)"}[lang]
					if got := b.eval(`Array.from(document.querySelectorAll(".inconsistency")).map(e => e.innerText).join("\n")`); !strings.Contains(got, want) {
						t.Errorf("%s, %s: the inconsistency reads %q, want it to contain %q", role, lang, got, want)
					}
				}
				if f := rawFindings(text, codes, names, lang == "zh"); len(f) > 0 {
					b.shot(fmt.Sprintf("%s-%s-%s", role, lang, strings.ReplaceAll(strings.Trim(p, "/"), "/", "-")))
					t.Errorf("%s, %s, %s shows %s", role, lang, p, strings.Join(f, "; "))
				}
			}
		}
		b.useLang("zh") // signInAs reads the Chinese header
	}
}

// useLang switches the pages to lang with the header's language switch, as a clerk would.
func (b *browser) useLang(lang string) {
	b.t.Helper()
	want := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
	if b.eval(`document.documentElement.lang`) == want {
		return
	}
	b.do(chromedp.Click(`form[action='/lang'] button`), chromedp.WaitReady(`html[lang='`+want+`']`))
}
