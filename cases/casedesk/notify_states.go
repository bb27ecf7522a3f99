package casedesk

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/template"
	"time"

	"onewindow/cases"
	"onewindow/internal/yamlfile"
)

// The applicant is told of these changes of a case, each with its own message: the window's
// decisions and the result being ready and handed out.
var messageKinds = []string{
	cases.StateAccepted, cases.StateAcceptedWithDeficiencies, cases.StateCorrectionRequired, cases.StateRejected,
	cases.StateResultReady, cases.StateDelivered,
}

// ErrInvalidMessages marks a notification templates file that cannot be used.
var ErrInvalidMessages = errors.New("invalid notification templates")

var messagesFile = yamlfile.File{Name: "notification templates", Kind: ErrInvalidMessages}

//go:embed notify_messages.yaml
var defaultMessages []byte

// MessageFields are what a message template may say of a case; nothing that identifies the
// applicant (their ID or phone number) is among them.
type MessageFields struct {
	Hall, CaseNo, Matter, DueDate, Reason string
}

// Messages are the texts the applicant gets when their case changes, one template per
// change (notify_messages.yaml is the bundled file and its format).
type Messages struct {
	t map[string]*template.Template
}

// DefaultMessages are the bundled texts.
func DefaultMessages() *Messages {
	m, err := parseMessages(defaultMessages, nil)
	if err != nil {
		panic(err) // the bundled file is checked by the tests
	}
	return m
}

// LoadMessages reads a hall's templates file; a change it leaves out keeps the bundled
// text. A file that does not parse, names a change there is none of, or holds a template
// that does not parse or uses a field there is none of is refused with its line and reason.
func LoadMessages(path string) (*Messages, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseMessages(data, DefaultMessages())
}

func parseMessages(data []byte, defaults *Messages) (*Messages, error) {
	var raw map[string]string
	root, err := messagesFile.Decode(data, &raw)
	if err != nil {
		return nil, err
	}
	m := &Messages{t: map[string]*template.Template{}}
	if defaults != nil {
		for k, t := range defaults.t {
			m.t[k] = t
		}
	}
	sample := MessageFields{Hall: "政务服务中心", CaseNo: "JL2026-0001", Matter: "事项", DueDate: "2026-01-01", Reason: "原因"}
	for k, text := range raw {
		line := yamlfile.LineOf(root, k)
		if !isMessageKind(k) {
			return nil, messagesFile.Refuse(line, fmt.Sprintf("%q is not a change the applicant is told of (one of %v)", k, messageKinds))
		}
		t, err := template.New(k).Option("missingkey=error").Parse(text)
		if err == nil {
			err = t.Execute(new(bytes.Buffer), sample)
		}
		if err != nil {
			return nil, messagesFile.Refuse(line, fmt.Sprintf("the template of %s does not work: %v (fields: .Hall .CaseNo .Matter .DueDate .Reason)", k, err))
		}
		m.t[k] = t
	}
	for _, k := range messageKinds {
		if m.t[k] == nil {
			return nil, messagesFile.Refuse(root.Line, "no message for "+k)
		}
	}
	return m, nil
}

func isMessageKind(k string) bool {
	for _, x := range messageKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Render is the message for a change of kind.
func (m *Messages) Render(kind string, f MessageFields) (string, error) {
	t := m.t[kind]
	if t == nil {
		return "", fmt.Errorf("no message for %q", kind)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}

// messageKind is the change of a case e tells the applicant of, "" for none.
func messageKind(e cases.Event) string {
	switch e.Type {
	case cases.EvDecided:
		var d cases.DecidedData
		if json.Unmarshal(e.Data, &d) == nil && isMessageKind(d.State) {
			return d.State
		}
	case cases.EvStateChanged:
		var d cases.StateChangedData
		if json.Unmarshal(e.Data, &d) == nil && (d.To == cases.StateResultReady || d.To == cases.StateDelivered) {
			return d.To
		}
	}
	return ""
}

// notifier is the desk's part of telling applicants: the actor recorded for its messages.
var notifierActor = cases.Actor{Name: "notifier", Role: "system"}

// tellApplicant is the desk's after-event hook when a notifier is configured: a change the
// applicant cares about gets its message, sent out of the change that filed it (the gateway
// may be slow) and recorded on the case once the notifier says it went out.
func (d *Desk) tellApplicant(ctx context.Context, caseNo string, e cases.Event) {
	kind := messageKind(e)
	if kind == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		if err := d.sendMessage(ctx, caseNo, kind, e); err != nil {
			d.log.WarnContext(ctx, "applicant not told of a change", "case_no", caseNo, "what", kind, "seq", e.Seq, "err", err)
		}
	}()
}

func (d *Desk) sendMessage(ctx context.Context, caseNo, kind string, e cases.Event) error {
	c, err := d.load(ctx, caseNo)
	if err != nil {
		return err
	}
	if c.Applicant.Phone == "" {
		d.log.InfoContext(ctx, "applicant gave no phone: not told of a change", "case_no", caseNo, "what", kind)
		return nil
	}
	text, err := d.messages.Render(kind, MessageFields{Hall: d.hallName(), CaseNo: c.CaseNo, Matter: c.MatterName, DueDate: c.DueDate, Reason: e.Reason})
	if err != nil {
		return err
	}
	n := Notification{CaseNo: c.CaseNo, What: kind, Seq: e.Seq, Phone: c.Applicant.Phone, Message: text}
	delivered, err := d.notifier.Notify(ctx, n)
	if err != nil || !delivered {
		return err
	}
	_, err = d.RecordNotified(ctx, n, d.notifier.Channel(), notifierActor)
	return err
}
