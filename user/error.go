package user

import (
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
// path it concerns (empty for a whole-request problem) and a message.
type Detail struct {
	Code       string      `json:"code"`
	Target     string      `json:"target,omitempty"`
	Message    string      `json:"message"`
	InnerError *InnerError `json:"innerError,omitempty"`
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
		if d.Target != "" {
			s += fmt.Sprintf("; %s %s", d.Code, d.Target)
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
