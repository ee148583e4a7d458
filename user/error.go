package user

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// The error codes of PingOne's error body (E3).
const (
	CodeInvalidRequest  = "INVALID_REQUEST"  // 400: the body is not an acceptable JSON object
	CodeAccessFailed    = "ACCESS_FAILED"    // 403: the actor may not make the change
	CodeInvalidData     = "INVALID_DATA"     // 400: the change breaks a rule
	CodeUnexpectedError = "UNEXPECTED_ERROR" // 500: the stored document is not a JSON object
)

// The detail codes (V3, A5, L1-L3, O7).
const (
	DetailRequiredValue           = "REQUIRED_VALUE"
	DetailEmptyValue              = "EMPTY_VALUE"
	DetailInvalidValue            = "INVALID_VALUE"
	DetailConstraintViolation     = "CONSTRAINT_VIOLATION"
	DetailSizeLimitExceeded       = "SIZE_LIMIT_EXCEEDED"
	DetailUniquenessViolation     = "UNIQUENESS_VIOLATION"
	DetailInsufficientPermissions = "INSUFFICIENT_PERMISSIONS"
	DetailInvalidFilter           = "INVALID_FILTER" // a SCIM or list filter that does not parse (S5, H1)
)

// Sentinel errors, one per error class, for errors.Is (E2). An *Error
// matches the sentinel of its Code.
var (
	ErrInvalidRequest = errors.New("user: invalid request")
	ErrAccessFailed   = errors.New("user: access failed")
	ErrInvalidData    = errors.New("user: invalid data")
	ErrUnexpected     = errors.New("user: unexpected error")
)

// Error is the one error type of Put and Patch (E1). It marshals to
// PingOne's error body {id, code, message, details}. Callers branch on
// Status, Code and the details' Code and Target; messages are English, for
// people, and may change (E4).
type Error struct {
	// ID is left empty by the library; whatever serves HTTP sets a fresh
	// UUID before writing the body.
	ID      string
	Status  int
	Code    string
	Message string
	Details []Detail
}

// Detail is one problem of an error: a detail code, the dotted attribute
// path it concerns and a message.
//
// A detail about an attribute always has a target; a whole-request detail
// (E3.1, A2, A3) has none. Target is empty for both a whole-request detail
// and a member whose name is the empty string (V5); EmptyTarget tells them
// apart, and the JSON form writes "target": "" for the second only.
type Detail struct {
	Code   string
	Target string
	// EmptyTarget is true for a detail about a member named "" (V5):
	// Target is then "" and is written, not omitted.
	EmptyTarget bool
	Message     string
	InnerError  *InnerError
}

// HasTarget reports whether the detail concerns an attribute, as opposed to
// the request as a whole.
func (d Detail) HasTarget() bool { return d.Target != "" || d.EmptyTarget }

type detailJSON struct {
	Code       string      `json:"code"`
	Target     *string     `json:"target,omitempty"`
	Message    string      `json:"message"`
	InnerError *InnerError `json:"innerError,omitempty"`
}

// MarshalJSON writes the detail as PingOne's error body holds it: target
// only when the detail has one (see HasTarget).
func (d Detail) MarshalJSON() ([]byte, error) {
	j := detailJSON{Code: d.Code, Message: d.Message, InnerError: d.InnerError}
	if d.HasTarget() {
		j.Target = &d.Target
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a detail of PingOne's error body; "target": "" sets
// EmptyTarget.
func (d *Detail) UnmarshalJSON(data []byte) error {
	var j detailJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*d = Detail{Code: j.Code, Message: j.Message, InnerError: j.InnerError}
	if j.Target != nil {
		d.Target, d.EmptyTarget = *j.Target, *j.Target == ""
	}
	return nil
}

// InnerError holds the facts of a detail where they apply.
type InnerError struct {
	AllowedPattern    string   `json:"allowedPattern,omitempty"`
	AllowedValues     []string `json:"allowedValues,omitempty"`
	RangeMinimumValue *int     `json:"rangeMinimumValue,omitempty"`
	RangeMaximumValue *int     `json:"rangeMaximumValue,omitempty"`
	MaximumValue      *int     `json:"maximumValue,omitempty"`
	ExistingID        string   `json:"existingId,omitempty"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("user: %d %s: %s", e.Status, e.Code, e.Message)
	for _, d := range e.Details {
		if d.HasTarget() {
			s += fmt.Sprintf("; %s %q", d.Code, d.Target)
		} else {
			s += "; " + d.Code
		}
	}
	return s
}

// Is reports whether target is the sentinel of e's class (E2).
func (e *Error) Is(target error) bool {
	switch e.Code {
	case CodeInvalidRequest:
		return target == ErrInvalidRequest
	case CodeAccessFailed:
		return target == ErrAccessFailed
	case CodeInvalidData:
		return target == ErrInvalidData
	case CodeUnexpectedError:
		return target == ErrUnexpected
	}
	return false
}

type errorBody struct {
	ID      string   `json:"id,omitempty"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
}

// MarshalJSON writes PingOne's error body. The status is not part of the
// body; it is the HTTP status of the response.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(errorBody{ID: e.ID, Code: e.Code, Message: e.Message, Details: e.Details})
}

// UnmarshalJSON reads PingOne's error body; Status is left as it is, since
// the body does not hold it.
func (e *Error) UnmarshalJSON(data []byte) error {
	var b errorBody
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	e.ID, e.Code, e.Message, e.Details = b.ID, b.Code, b.Message, b.Details
	return nil
}

// WriteError writes err as PingOne's HTTP error response: the status, the
// Content-Type application/json and the error body with a fresh random UUID
// as its id (E1), unless the *Error already has one. An error that is not
// an *Error is written as a 500 UNEXPECTED_ERROR whose message does not
// reveal it. err is not modified.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil {
		e = &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedError, Message: "an unexpected error occurred"}
	}
	body := e.WithID()
	status := body.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	data, merr := json.Marshal(body)
	if merr != nil {
		data = []byte(`{"id":"` + body.ID + `","code":"UNEXPECTED_ERROR","message":"an unexpected error occurred"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// WithID returns a copy of e whose ID is a fresh random UUID (version 4),
// ready to be written to a client (E1); when e already has an ID, the copy
// keeps it. e is not modified.
func (e *Error) WithID() *Error {
	c := *e
	if c.ID == "" {
		c.ID = randomUUID()
	}
	return &c
}

// randomUUID returns a random (version 4) UUID from crypto/rand.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// UniquenessViolation returns the error for a caller that finds another user
// (existingID) already holding the value of the unique attribute at path
// (O7): 400 INVALID_DATA with one UNIQUENESS_VIOLATION detail.
func UniquenessViolation(path, existingID string) *Error {
	return &Error{
		Status:  http.StatusBadRequest,
		Code:    CodeInvalidData,
		Message: "the request could not be completed: a value must be unique",
		Details: []Detail{{
			Code:       DetailUniquenessViolation,
			Target:     path,
			Message:    fmt.Sprintf("another user already has this %s", path),
			InnerError: &InnerError{ExistingID: existingID},
		}},
	}
}

func intp(n int) *int { return &n }
