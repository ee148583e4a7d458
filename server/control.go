package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

// maxControlBody bounds the bodies of the control API.
const maxControlBody = 64 << 20

func badControl(w http.ResponseWriter, msg string) {
	writeError(w, &user.Error{Status: http.StatusBadRequest, Code: user.CodeInvalidRequest, Message: msg,
		Details: []user.Detail{{Code: user.DetailInvalidValue, Message: msg}}})
}

// decodeStrict reads a JSON object, refusing unknown members and trailing
// data.
func decodeStrict(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return errors.New("want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// controlAPI serves the control API (H9), mounted only with Config.Control:
//
//	PUT    /__amend/environments/{envID}                  the environment object; replaces it and deletes its users
//	DELETE /__amend/environments/{envID}                  removes it and its users
//	PUT    /__amend/environments/{envID}/users/{userID}   a stored document, byte for byte, not validated
//	GET    /__amend/environments/{envID}/users/{userID}   reads it back byte for byte
//	PUT    /__amend/tokens/{token}                        an actor object
//	PUT    /__amend/clock                                 {"now": "<RFC 3339>"} or {"now": null}
//	PUT    /__amend/ids                                   {"next": ["<id>", ...]}: the ids of the next creates
//
// Every write answers 204.
func (s *Server) controlAPI(w http.ResponseWriter, r *http.Request, segs []string) {
	body := func() ([]byte, bool) {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
		if err != nil || len(b) > maxControlBody {
			badControl(w, "the body could not be read or is too large")
			return nil, false
		}
		return b, true
	}
	ctx := r.Context()
	switch {
	case len(segs) == 2 && segs[0] == "environments" && segs[1] != "":
		switch r.Method {
		case "PUT":
			b, ok := body()
			if !ok {
				return
			}
			cfg, err := user.ParseConfig(b)
			if err != nil {
				badControl(w, err.Error())
				return
			}
			if err := s.setEnvironment(segs[1], cfg); err != nil {
				badControl(w, err.Error())
				return
			}
			if err := s.store.DeleteEnvironment(ctx, segs[1]); err != nil {
				fail(w, err)
				return
			}
		case "DELETE":
			s.mu.Lock()
			delete(s.envs, segs[1])
			s.mu.Unlock()
			if err := s.store.DeleteEnvironment(ctx, segs[1]); err != nil {
				fail(w, err)
				return
			}
		default:
			methodNotAllowed(w, "PUT", "DELETE")
			return
		}
	case len(segs) == 4 && segs[0] == "environments" && segs[2] == "users" && segs[1] != "" && segs[3] != "":
		if s.environment(segs[1]) == nil {
			notFound(w, "no environment "+segs[1])
			return
		}
		switch r.Method {
		case "PUT":
			b, ok := body()
			if !ok {
				return
			}
			if err := s.store.Put(ctx, segs[1], segs[3], b); err != nil {
				fail(w, err)
				return
			}
		case "GET":
			rec, err := s.store.Get(ctx, segs[1], segs[3])
			if errors.Is(err, ErrNotFound) {
				notFound(w, "no user "+segs[3])
				return
			}
			if err != nil {
				fail(w, err)
				return
			}
			writeJSON(w, http.StatusOK, rec.Doc)
			return
		default:
			methodNotAllowed(w, "GET", "PUT")
			return
		}
	case len(segs) == 2 && segs[0] == "tokens" && segs[1] != "":
		if r.Method != "PUT" {
			methodNotAllowed(w, "PUT")
			return
		}
		b, ok := body()
		if !ok {
			return
		}
		var a policy.Actor
		if err := decodeStrict(b, &a); err != nil {
			badControl(w, "the actor: "+err.Error())
			return
		}
		s.mu.Lock()
		s.tokens[segs[1]] = a
		s.mu.Unlock()
	case len(segs) == 1 && segs[0] == "clock":
		if r.Method != "PUT" {
			methodNotAllowed(w, "PUT")
			return
		}
		b, ok := body()
		if !ok {
			return
		}
		var c struct {
			Now *string `json:"now"`
		}
		if err := decodeStrict(b, &c); err != nil {
			badControl(w, "the clock: "+err.Error())
			return
		}
		var fixed *time.Time
		if c.Now != nil {
			t, err := time.Parse(time.RFC3339Nano, *c.Now)
			if err != nil {
				badControl(w, "now is not an RFC 3339 time")
				return
			}
			fixed = &t
		}
		s.mu.Lock()
		s.fixed = fixed
		s.mu.Unlock()
	case len(segs) == 1 && segs[0] == "ids":
		if r.Method != "PUT" {
			methodNotAllowed(w, "PUT")
			return
		}
		b, ok := body()
		if !ok {
			return
		}
		var ids struct {
			Next []string `json:"next"`
		}
		if err := decodeStrict(b, &ids); err != nil {
			badControl(w, "the ids: "+err.Error())
			return
		}
		s.mu.Lock()
		s.ids = append([]string(nil), ids.Next...)
		s.mu.Unlock()
	default:
		notFound(w, "no control route matches "+r.URL.Path)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
