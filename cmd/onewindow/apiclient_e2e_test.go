package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"onewindow/api/client"
)

// TestGeneratedClientDrivesACase: the client generated from the OpenAPI document opens a
// case, decides it, moves it to its result and hands it out, with typed bodies both ways.
func TestGeneratedClientDrivesACase(t *testing.T) {
	d := startDaemon(t, filepath.Join(t.TempDir(), "data"))
	ctx := context.Background()
	v := newValidating(t, d.base)
	c, err := client.NewClientWithResponses(d.base, client.WithHTTPClient(&http.Client{Transport: v}),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+d.token)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	id, phone, channel := "220102199003070013", "13912345678", "counter"
	opened, err := c.OpenCaseWithResponse(ctx, client.OpenCase{Matter: "JL-SC-002", Channel: &channel,
		Applicant: client.PartyInput{Name: ptr("张三"), IdNumber: &id, Phone: &phone}})
	if err != nil || opened.JSON201 == nil {
		t.Fatalf("open case: %v %d %s", err, opened.StatusCode(), opened.Body)
	}
	no := opened.JSON201.CaseNo
	decided, err := c.DecideCaseWithResponse(ctx, no, &client.DecideCaseParams{IfMatch: ptr(strconv.Itoa(opened.JSON201.Version))},
		client.DecideInput{Decision: "accept", Reason: ptr("材料齐全")})
	if err != nil || decided.JSON200 == nil || decided.JSON200.State != "accepted" {
		t.Fatalf("decide: %v %d %s", err, decided.StatusCode(), decided.Body)
	}
	version := decided.JSON200.Version
	for _, s := range []string{"in_review", "result_ready"} {
		moved, err := c.MoveCaseWithResponse(ctx, no, &client.MoveCaseParams{IfMatch: ptr(strconv.Itoa(version))}, client.MoveCaseJSONRequestBody{State: s})
		if err != nil || moved.JSON200 == nil || moved.JSON200.State != s {
			t.Fatalf("move to %s: %v %d %s", s, err, moved.StatusCode(), moved.Body)
		}
		version = moved.JSON200.Version
	}
	confirmed := "confirmed"
	h, err := c.HandOutWithResponse(ctx, no, client.HandoutInput{Method: "pickup", Confirmation: &confirmed,
		Collector: &client.PartyInput{Name: ptr("张三"), IdNumber: &id}})
	if err != nil || h.JSON200 == nil || h.JSON200.CaseNo != no {
		t.Fatalf("handout: %v %d %s", err, h.StatusCode(), h.Body)
	}
	got, err := c.GetCaseWithResponse(ctx, no)
	if err != nil || got.JSON200 == nil || got.JSON200.State != "closed" {
		t.Fatalf("case after handout: %v %d %s", err, got.StatusCode(), got.Body)
	}
	check := "5678"
	p, err := c.LookupCaseWithResponse(ctx, no, &client.LookupCaseParams{Check: check})
	if err != nil || p.JSON200 == nil || p.JSON200.State != "closed" {
		t.Errorf("public lookup: %v %d %s", err, p.StatusCode(), p.Body)
	}
}

func ptr[T any](v T) *T { return &v }
