package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

// Config configures a Server. Every field is optional.
type Config struct {
	// Environments are the environments the server serves, by id: the case
	// format's environment objects (user.ParseConfig reads one). A
	// Config's own ID is ignored; the key is the environment's id. Clock and
	// NewID of these Configs are ignored: the server's are used.
	Environments map[string]user.Config
	// Tokens maps bearer tokens to actors (H3). A request with no token, or
	// one not in the table, is 401.
	Tokens map[string]policy.Actor
	// Store holds the users; nil means a new MemoryStore.
	Store Store
	// Clock gives the time of updates; nil means time.Now. The control API
	// can replace it.
	Clock func() time.Time
	// NewID returns the id of a created user; nil means a random UUID v4.
	// The control API can queue the next ids.
	NewID func() string
	// BaseURL is the absolute URL of the server's root, used in _links
	// ("https://api.example.com"); "" means the scheme and host of each
	// request.
	BaseURL string
	// Control mounts the control API under /__amend/ (H9). It is the only way
	// to write a document the rules did not produce and to set the clock,
	// so it is off by default and must never be on in a server that was not
	// started for tests.
	Control bool
	// Logger receives a line per request; nil means none.
	Logger *slog.Logger
}

// Server serves PingOne's user endpoints (H1-H8) with amend's rules. It is
// an http.Handler, safe for concurrent use.
type Server struct {
	mu      sync.RWMutex
	envs    map[string]*environment
	tokens  map[string]policy.Actor
	store   Store
	clock   func() time.Time
	fixed   *time.Time // the control API's clock
	ids     []string   // the control API's queue of ids for creates
	newID   func() string
	baseURL string
	control bool
	logger  *slog.Logger
}

type environment struct {
	id  string
	cfg user.Config
	env *user.Environment
}

// New builds a Server. It fails when an environment does not build.
func New(cfg Config) (*Server, error) {
	s := &Server{envs: map[string]*environment{}, tokens: maps.Clone(cfg.Tokens), store: cfg.Store,
		clock: cfg.Clock, newID: cfg.NewID, baseURL: strings.TrimSuffix(cfg.BaseURL, "/"), control: cfg.Control, logger: cfg.Logger}
	if s.tokens == nil {
		s.tokens = map[string]policy.Actor{}
	}
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.newID == nil {
		s.newID = randomUUID
	}
	for _, id := range slices.Sorted(maps.Keys(cfg.Environments)) {
		if err := s.setEnvironment(id, cfg.Environments[id]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// setEnvironment builds and installs an environment.
func (s *Server) setEnvironment(id string, cfg user.Config) error {
	if id == "" {
		return errors.New("server: an environment has an empty id")
	}
	cfg.ID = id
	cfg.Clock = s.now
	cfg.NewID = s.nextID
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return fmt.Errorf("server: environment %q: %w", id, err)
	}
	s.mu.Lock()
	s.envs[id] = &environment{id: id, cfg: cfg, env: env}
	s.mu.Unlock()
	return nil
}

func (s *Server) environment(id string) *environment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.envs[id]
}

func (s *Server) actor(token string) (policy.Actor, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.tokens[token]
	return a, ok
}

// now is the clock of every environment: the control API's fixed time, or
// the configured clock.
func (s *Server) now() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fixed != nil {
		return *s.fixed
	}
	return s.clock()
}

// nextID is the id source of every environment: the control API's queue,
// then the configured source.
func (s *Server) nextID() string {
	s.mu.Lock()
	if len(s.ids) > 0 {
		id := s.ids[0]
		s.ids = s.ids[1:]
		s.mu.Unlock()
		return id
	}
	s.mu.Unlock()
	return s.newID()
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			if s.logger != nil {
				s.logger.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
			}
			if !rec.wrote {
				writeError(rec, &user.Error{Status: http.StatusInternalServerError, Code: user.CodeUnexpectedError,
					Message: "an unexpected error occurred"})
			}
		}
		if s.logger != nil {
			s.logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration", time.Since(start).Round(time.Microsecond).String())
		}
	}()
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/v1/environments/"):
		s.api(rec, r, strings.Split(strings.TrimPrefix(path, "/v1/environments/"), "/"))
	case strings.HasPrefix(path, "/__amend/") && s.control:
		s.controlAPI(rec, r, strings.Split(strings.TrimPrefix(path, "/__amend/"), "/"))
	default:
		notFound(rec, "no route matches "+path)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status, r.wrote = code, true
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// writeError writes a PingOne error body with a fresh UUID id (H4).
func writeError(w http.ResponseWriter, e *user.Error) { user.WriteError(w, e) }

func notFound(w http.ResponseWriter, msg string) {
	writeError(w, &user.Error{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: msg})
}

func methodNotAllowed(w http.ResponseWriter, allow ...string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, &user.Error{Status: http.StatusMethodNotAllowed, Code: "METHOD_NOT_ALLOWED",
		Message: "the method is not supported for the requested resource"})
}

func unsupportedType(w http.ResponseWriter) {
	writeError(w, &user.Error{Status: http.StatusUnsupportedMediaType, Code: user.CodeInvalidRequest,
		Message: "The server is refusing to service the request because the entity of the request is in a format not supported by the requested resource for the requested method."})
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="amend"`)
	writeError(w, &user.Error{Status: http.StatusUnauthorized, Code: user.CodeAccessFailed, Message: msg,
		Details: []user.Detail{{Code: "INVALID_TOKEN", Message: msg}}})
}

// writeJSON writes a JSON answer.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readBody reads a request body, never more than one byte past limit (L1):
// the library refuses a body longer than limit, so the rest of an oversized
// body is never read.
func readBody(r *http.Request, limit int) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
}
