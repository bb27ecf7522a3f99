package web

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"onewindow/internal/clock"
)

// The operators' page shows the time-stamp schedule: its last run's figures, what waits, the
// next run and failures in plain Chinese.
func TestOpsShowsTheTimestampSchedule(t *testing.T) {
	hs := newHarness(t)
	var err error
	hs.h, err = New(Options{API: hs.api, Tokens: mustTokens(t), SessionKey: bytes.Repeat([]byte("k"), 32),
		Clock: clock.New(nil, func() time.Time { return hs.now }),
		EvidenceStatus: func(context.Context) (EvidenceStatus, error) {
			return EvidenceStatus{LastRun: hs.now, Checked: 40, Stamped: 3, Renewed: 5, Waiting: 2, Next: hs.now.Add(24 * time.Hour),
				Failures: []string{"时间戳服务无法连接，2 份文件等待下次运行"}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	hs.signIn("", adminToken)
	page := hs.get("/ops").Body.String()
	for _, want := range []string{"时间戳与证据续期", "查看 40 份，补加时间戳 3 份，续期（存档时间戳）5 份", "2 份文件等待时间戳", "下次运行约在", "时间戳服务无法连接"} {
		if !strings.Contains(page, want) {
			t.Errorf("ops page lacks %q", want)
		}
	}
}
