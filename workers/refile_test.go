package workers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"onewindow/internal/testenv"
	"onewindow/pipeline/classify"
	"onewindow/storage"
	"onewindow/workers"
)

func TestRevisionOf(t *testing.T) {
	tests := []struct {
		id   string
		want int
	}{
		{"B1-001", 0},
		{workers.DocumentID("B1", 0), 0},
		{storage.RevisionDocumentID("B1", 1, 0), 1},
		{storage.RevisionDocumentID("B1", 12, 4), 12},
		{"B1-rx-001", 0},
		{"B2-r3-001", 0}, // another batch's document
	}
	for _, tt := range tests {
		if got := storage.RevisionOf("B1", tt.id); got != tt.want {
			t.Errorf("storage.RevisionOf(%q) = %d, want %d", tt.id, got, tt.want)
		}
	}
}

// Workers train one stored model: none loses another's examples, a document counts once,
// and a worker that did not train picks the model up on its next Refresh.
func TestModelStoreSharedByWorkers(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
	a := &workers.ModelStore{Blobs: blobs, Model: classify.NewModel()}
	b := &workers.ModelStore{Blobs: blobs, Model: classify.NewModel()}
	if err := b.Refresh(ctx); err != nil {
		t.Fatalf("refresh with no model stored: %v", err)
	}
	examples := func(prefix string, n int) []workers.Example {
		var out []workers.Example
		for i := range n {
			typ, text := "id_card", "居民身份证 姓名 性别 民族 出生 住址 公民身份号码"
			if i%2 == 1 {
				typ, text = "business_license", "营业执照 统一社会信用代码 名称 类型 法定代表人 经营范围"
			}
			out = append(out, workers.Example{DocumentID: fmt.Sprintf("%s-%03d", prefix, i), Type: typ, Text: text})
		}
		return out
	}
	var wg sync.WaitGroup
	for _, s := range []*workers.ModelStore{a, b} {
		for k := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Train(ctx, examples(fmt.Sprintf("%p-%d", s, k), 4)); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if n, err := a.Train(ctx, examples(fmt.Sprintf("%p-%d", a, 0), 4)); err != nil || n != 0 {
		t.Errorf("training the same documents again added %d (%v), want 0", n, err)
	}
	c := &workers.ModelStore{Blobs: blobs, Model: classify.NewModel()}
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.Model.Examples(); got != 24 {
		t.Fatalf("stored model has %d examples, want 24", got)
	}
	if err := b.Refresh(ctx); err != nil || b.Model.Examples() != 24 {
		t.Errorf("worker b after refresh: %d examples (%v)", b.Model.Examples(), err)
	}
	// Enough examples: the planner's classifier now hears the model.
	cls := classify.New(nil, c.Model)
	if typ, _ := cls.Classify("营业执照 统一社会信用代码 法定代表人"); typ != "business_license" {
		t.Errorf("classified as %s", typ)
	}
}
