package public

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"onewindow/cases"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
)

// page is what every public template gets.
type page struct {
	Title string
	Hall  string
	Data  any
}

// parsePages gives each page a clone of the layout, so that every page can define the
// layout's "content" block.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).
		ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		if path.Base(n) == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		out[path.Base(n)] = t
	}
	return out, nil
}

func (s *Service) render(w http.ResponseWriter, status int, name, title string, data any) {
	var buf bytes.Buffer
	hall := s.o.Catalogue().Hall.Name
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", page{Title: title, Hall: hall, Data: data}); err != nil {
		s.o.Log.Error("public page failed", "page", name, "err", err)
		http.Error(w, "页面生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Service) renderError(w http.ResponseWriter, status int, what, detail string) {
	s.render(w, status, "error.html", what, struct{ What, Detail string }{what, detail})
}

// lookupForm is the progress and rating forms' fields, with what went wrong.
type lookupForm struct {
	CaseNo  string
	Problem string // in words; empty when none
	Status  int
}

// problems say in words why a lookup or rating failed, with the page's status, by error code.
var problems = map[string]struct {
	status int
	text   string
}{
	"bad_case_no":      {http.StatusBadRequest, "办件编号的格式不对：请照受理通知书或回执上的编号填写。"},
	"bad_check":        {http.StatusBadRequest, "查询码是申请时所留手机号码或身份证号码的最后四位（数字或字母 X）。"},
	"not_found":        {http.StatusNotFound, "没有找到与办件编号和查询码相符的办件，请核对后再试。"},
	"rate_limited":     {http.StatusTooManyRequests, "错误次数过多，请稍后再试。"},
	"bad_score":        {http.StatusBadRequest, "请选择 1 到 5 分。"},
	"not_handed_out":   {http.StatusConflict, "办理结果送达后才能评价。"},
	"already_rated":    {http.StatusConflict, "这个办件已经评价过了，评价不能修改。"},
	"bad_reasons":      {http.StatusBadRequest, "评价原因过长或过多，请精简后再提交。"},
	"comment_too_long": {http.StatusBadRequest, "意见和建议最多 500 字，请精简后再提交。"},
}

// formProblem says in words why a lookup or rating failed, and with which status; a
// rate-limited answer says when to come back.
func formProblem(w http.ResponseWriter, err error) (int, string) {
	if ra := (retryAfter{}); errors.As(err, &ra) {
		httpx.SetRetryAfter(w, ra.wait)
	}
	if p, ok := problems[errs.CodeOf(err)]; ok {
		return p.status, p.text
	}
	return errs.HTTPStatus(err), "系统暂时无法处理，请稍后再试或到窗口咨询。"
}

func (s *Service) progressForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "progress.html", "办件进度查询", struct {
		Form     lookupForm
		Progress *Progress
	}{Form: lookupForm{CaseNo: strings.TrimSpace(r.URL.Query().Get("case_no"))}})
}

// progressPage answers the form: the check travels in the body, not in an address a
// browser's history or a proxy's log keeps.
func (s *Service) progressPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	no := strings.TrimSpace(r.PostFormValue("case_no"))
	view := struct {
		Form     lookupForm
		Progress *Progress
	}{Form: lookupForm{CaseNo: no}}
	f, err := s.lookup(r.Context(), r, no, strings.TrimSpace(r.PostFormValue("check")))
	if err == nil {
		view.Progress, err = s.progress(r.Context(), f)
	}
	status := http.StatusOK
	if err != nil {
		status, view.Form.Problem = formProblem(w, err)
	}
	s.render(w, status, "progress.html", "办件进度查询", view)
}

type rateView struct {
	Form    lookupForm
	Reasons []string
	Done    *RatingAnswer
}

// Scores are the words for scores 1 to 5.
func (rateView) Scores() []string {
	return []string{"非常不满意", "不满意", "基本满意", "满意", "非常满意"}
}

func (s *Service) rateForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "rate.html", "办事评价", rateView{Form: lookupForm{CaseNo: strings.TrimSpace(r.URL.Query().Get("case_no"))},
		Reasons: cases.RatingReasons})
}

// rateInput is a rating form's case number and rating.
func rateInput(r *http.Request) (RatingInput, string) {
	_ = r.ParseForm()
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	return RatingInput{Check: strings.TrimSpace(r.PostFormValue("check")), Score: score, Reasons: r.PostForm["reasons"],
		Comment: r.PostFormValue("comment")}, strings.TrimSpace(r.PostFormValue("case_no"))
}

func (s *Service) ratePage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	in, no := rateInput(r)
	view := rateView{Form: lookupForm{CaseNo: no}, Reasons: cases.RatingReasons}
	a, err := s.rate(r.Context(), r, no, in)
	status := http.StatusCreated
	if err != nil {
		status, view.Form.Problem = formProblem(w, err)
	}
	view.Done = a
	s.render(w, status, "rate.html", "办事评价", view)
}
