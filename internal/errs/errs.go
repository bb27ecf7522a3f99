// Package errs is the project's one error type. An Error carries the operation that failed,
// a Kind, a stable snake_case code for clients, a human sentence and the cause. Kinds map to
// HTTP status codes and to the queue's retry policy here and nowhere else.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

const (
	Internal      Kind = iota // a bug or an unexpected state; retried
	Invalid                   // the request or input is malformed; never retried
	Unauthorized              // no or wrong credentials
	Forbidden                 // credentials lack the role
	NotFound                  // the named thing does not exist
	Conflict                  // the request clashes with current state
	TooLarge                  // the input exceeds a configured limit; never retried
	Unsupported               // the input's type is not one we take; never retried
	Unavailable               // a dependency (Redis, MinIO, OCR) is down; retried
	Unprocessable             // well-formed input whose content is wrong (a bad waybill); never retried
	RateLimited               // the caller sent too many requests; try later
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", Unauthorized: "unauthorized", Forbidden: "forbidden",
	NotFound: "not_found", Conflict: "conflict", TooLarge: "too_large", Unsupported: "unsupported",
	Unavailable: "unavailable", Unprocessable: "unprocessable", RateLimited: "rate_limited",
}

func (k Kind) String() string { return kindNames[k] }

// Error is the project's error. Code defaults to the kind's name.
type Error struct {
	Op      string // the operation, e.g. "api.createBatch"
	Kind    Kind
	Code    string // stable snake_case code shown to clients, e.g. "encrypted_pdf"
	Message string // one human sentence for clients
	Err     error  // the cause, for logs; never shown to clients
	// Fields lists every wrong field of a form at once, so a desk shows them all beside their
	// fields in one answer; Code and Message are then the first one's.
	Fields []FieldError
}

// FieldError is one wrong field of an input: its JSON name, a stable code and a sentence.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Join makes one error of a form's field errors: nil when there are none, otherwise the
// first one's kind, code and message with every field listed.
func Join(op string, fields []*Error, names []string) error {
	if len(fields) == 0 {
		return nil
	}
	e := &Error{Op: op, Kind: fields[0].Kind, Code: fields[0].code(), Message: fields[0].Message}
	for i, f := range fields {
		e.Fields = append(e.Fields, FieldError{Field: names[i], Code: f.code(), Message: f.Message})
	}
	return e
}

// FieldsOf returns the field errors of the first *Error in err's chain.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// E builds an Error.
func E(op string, kind Kind, code, message string, cause error) *Error {
	return &Error{Op: op, Kind: kind, Code: code, Message: message, Err: cause}
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	s += e.code()
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) code() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// KindOf returns the kind of the first *Error in err's chain, Internal if none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// CodeOf returns the client code of err: the first *Error's code, "internal" otherwise.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.code()
	}
	return Internal.String()
}

// MessageOf returns the sentence to show a client. Internal errors never leak their cause.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if KindOf(err) == Internal {
		return "The server failed to handle the request; it has been logged."
	}
	return err.Error()
}

// HTTPStatus maps an error to the status code the API answers with.
func HTTPStatus(err error) int {
	switch KindOf(err) {
	case Invalid:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unsupported:
		return http.StatusUnsupportedMediaType
	case Unavailable:
		return http.StatusServiceUnavailable
	case Unprocessable:
		return http.StatusUnprocessableEntity
	case RateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// Retryable reports whether a queued task that failed with err can succeed on a later try.
// Input that is malformed, too large or of the wrong type never will.
func Retryable(err error) bool {
	switch KindOf(err) {
	case Invalid, TooLarge, Unsupported, NotFound, Forbidden, Unauthorized, Unprocessable:
		return false
	default:
		return true
	}
}

// Errorf is a shorthand for an Error whose message is formatted.
func Errorf(op string, kind Kind, code, format string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}
