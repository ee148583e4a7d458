package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

// The content types of the user endpoints (H1, H2).
const (
	typeJSON      = "application/json"
	typeImport    = "application/vnd.pingidentity.user.import+json"
	typeSCIMPatch = "application/vnd.pingidentity.user.scim.patch+json"
	typeLock      = "application/vnd.pingidentity.account.lock+json"
	typeUnlock    = "application/vnd.pingidentity.account.unlock+json"
)

// subResources are the sub-resources of the dedicated operations (H1).
var subResources = map[string]user.Operation{
	"enabled":          user.OperationEnabled,
	"mfaEnabled":       user.OperationMFAEnabled,
	"population":       user.OperationPopulation,
	"identityProvider": user.OperationIdentityProvider,
	"verifyStatus":     user.OperationVerifyStatus,
}

// maxAttempts bounds the read-modify-write retries of one update under
// contention (H7).
const maxAttempts = 64

// request is one API request, routed.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	env    *environment
	actor  policy.Actor
	userID string
}

// api serves /v1/environments/{envID}/users[/{id}[/{sub}]].
func (s *Server) api(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) < 2 || segs[1] != "users" || len(segs) > 4 || slicesContainEmpty(segs) {
		notFound(w, "no route matches "+r.URL.Path)
		return
	}
	if len(segs) == 4 && subResources[segs[3]] == "" {
		notFound(w, "no route matches "+r.URL.Path)
		return
	}
	// The methods of each route, for 405 before anything else is read.
	var allow []string
	switch len(segs) {
	case 2:
		allow = []string{"GET", "POST"}
	case 3:
		allow = []string{"GET", "PUT", "PATCH", "DELETE", "POST"}
	case 4:
		allow = []string{"GET", "PUT"}
	}
	if !strings.Contains(" "+strings.Join(allow, " ")+" ", " "+r.Method+" ") {
		methodNotAllowed(w, allow...)
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		unauthorized(w, "the request has no bearer token")
		return
	}
	actor, ok := s.actor(strings.TrimSpace(token))
	if !ok {
		unauthorized(w, "the bearer token is not valid")
		return
	}
	env := s.environment(segs[0])
	if env == nil {
		notFound(w, "no environment "+segs[0])
		return
	}
	q := &request{w: w, r: r, env: env, actor: actor}
	switch len(segs) {
	case 2:
		if r.Method == "GET" {
			s.list(q)
		} else {
			s.create(q)
		}
	case 3:
		q.userID = segs[2]
		switch r.Method {
		case "GET":
			s.read(q)
		case "DELETE":
			s.delete(q)
		case "POST":
			s.account(q)
		default:
			s.update(q)
		}
	case 4:
		q.userID = segs[2]
		if r.Method == "GET" {
			s.readSub(q, segs[3])
		} else {
			s.operate(q, subResources[segs[3]], segs[3])
		}
	}
}

func slicesContainEmpty(segs []string) bool {
	for _, s := range segs {
		if s == "" {
			return true
		}
	}
	return false
}

// contentType reads every Content-Type header of the request (H2): a
// vnd.pingidentity type wins (PingOne's Go SDK sends two, in any order),
// parameters are ignored; "" when there is none.
func contentType(r *http.Request) string {
	var first string
	for _, v := range r.Header.Values("Content-Type") {
		for _, part := range strings.Split(v, ",") {
			t, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if strings.HasPrefix(t, "application/vnd.pingidentity.") {
				return t
			}
			if first == "" {
				first = t
			}
		}
	}
	return first
}

// acceptJSON checks that a route taking JSON gets it: application/json, or
// no Content-Type at all.
func acceptJSON(q *request) bool {
	if t := contentType(q.r); t != "" && t != typeJSON {
		unsupportedType(q.w)
		return false
	}
	return true
}

func (s *Server) body(q *request) ([]byte, bool) {
	b, err := readBody(q.r, q.env.env.Limits().MaxBodyBytes)
	if err != nil {
		writeError(q.w, &user.Error{Status: http.StatusBadRequest, Code: user.CodeInvalidRequest,
			Message: "the request body could not be read"})
		return nil, false
	}
	return b, true
}

// optionalBody reads the body of an operation whose body is optional (lock,
// unlock, identityProvider): PingOne's Go SDK, asked for no body, sends the
// JSON text null, which is read as no body.
func (s *Server) optionalBody(q *request) ([]byte, bool) {
	b, ok := s.body(q)
	if ok && strings.TrimSpace(string(b)) == "null" {
		return nil, true
	}
	return b, ok
}

// etag is the strong entity tag of a stored document (H7).
func etag(doc []byte) string {
	sum := sha256.Sum256(doc)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagMatches reports whether an If-Match or If-None-Match header value
// names tag ("*" matches any).
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

func preconditionFailed(w http.ResponseWriter) {
	writeError(w, &user.Error{Status: http.StatusPreconditionFailed, Code: "PRECONDITION_FAILED",
		Message: "the user changed: If-Match does not match its current entity tag"})
}

// fail writes a library error, or a 500 for anything else.
func fail(w http.ResponseWriter, err error) {
	var ue *user.Error
	if errors.As(err, &ue) {
		writeError(w, ue)
		return
	}
	writeError(w, &user.Error{Status: http.StatusInternalServerError, Code: user.CodeUnexpectedError,
		Message: "an unexpected error occurred"})
}

func (s *Server) storeError(q *request, err error) {
	var kt *KeyTakenError
	switch {
	case errors.Is(err, ErrNotFound):
		notFound(q.w, "no user "+q.userID)
	case errors.As(err, &kt):
		writeError(q.w, user.UniquenessViolation(KeyAttribute(kt.Key), kt.ExistingID))
	default:
		fail(q.w, err)
	}
}

// get reads the user of the request, answering 404 when there is none.
func (s *Server) get(q *request) (Record, bool) {
	rec, err := s.store.Get(q.r.Context(), q.env.id, q.userID)
	if err != nil {
		s.storeError(q, err)
		return Record{}, false
	}
	return rec, true
}

// base is the absolute root of the links of a request.
func (s *Server) base(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) userURL(q *request, id string) string {
	return s.base(q.r) + "/v1/environments/" + url.PathEscape(q.env.id) + "/users/" + url.PathEscape(id)
}

// render is the answer of a user: the actor's read view (H5) with _links
// rendered by the server.
func (s *Server) render(q *request, doc []byte) ([]byte, error) {
	view, err := q.env.env.View(doc, q.actor)
	if err != nil {
		return nil, err
	}
	v, err := jsonx.ParseLazy(view, user.MaxDepthCeiling)
	if err != nil {
		return nil, err
	}
	id := q.userID
	if i, ok := v.Get("id"); ok && i.Kind == jsonx.String {
		id = i.Str
	}
	links := jsonx.Obj([]jsonx.Member{{Name: "self", Value: jsonx.Obj([]jsonx.Member{{Name: "href", Value: jsonx.Str(s.userURL(q, id))}})}})
	ms := []jsonx.Member{{Name: "_links", Value: links}}
	for _, m := range v.Members() {
		if m.Name != "_links" {
			ms = append(ms, m)
		}
	}
	return jsonx.Append(make([]byte, 0, len(view)+128), jsonx.Obj(ms)), nil
}

// answerUser writes a user answer with its ETag.
func (s *Server) answerUser(q *request, status int, doc []byte) {
	out, err := s.render(q, doc)
	if err != nil {
		fail(q.w, err)
		return
	}
	q.w.Header().Set("ETag", etag(doc))
	writeJSON(q.w, status, out)
}

// read serves GET /users/{id}.
func (s *Server) read(q *request) {
	rec, ok := s.get(q)
	if !ok {
		return
	}
	if _, err := q.env.env.Read(rec.Doc, q.actor); err != nil {
		fail(q.w, err)
		return
	}
	tag := etag(rec.Doc)
	if inm := q.r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, tag) {
		q.w.Header().Set("ETag", tag)
		q.w.WriteHeader(http.StatusNotModified)
		return
	}
	s.answerUser(q, http.StatusOK, rec.Doc)
}

// keys are the unique keys of a document (H6): username folded to lower
// case, other unique attributes by their JSON value.
func keys(env *user.Environment, doc []byte) ([]string, error) {
	vals, err := env.UniqueValues(doc)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		val := string(v.Value)
		if v.Path == "username" {
			val = strings.ToLower(val)
		}
		out = append(out, v.Path+"\x00"+val)
	}
	return out, nil
}

// modify runs one atomic read-modify-write of a user (H7): fn computes the
// update from the stored document; a concurrent change retries it.
func (s *Server) modify(q *request, fn func(stored []byte) (*user.Result, error)) (Record, *user.Result, bool) {
	ifMatch := q.r.Header.Get("If-Match")
	for range maxAttempts {
		rec, ok := s.get(q)
		if !ok {
			return Record{}, nil, false
		}
		if ifMatch != "" && !etagMatches(ifMatch, etag(rec.Doc)) {
			preconditionFailed(q.w)
			return Record{}, nil, false
		}
		res, err := fn(rec.Doc)
		if err != nil {
			fail(q.w, err)
			return Record{}, nil, false
		}
		if len(res.Changes) == 0 {
			return rec, res, true // nothing to write (O3)
		}
		ks, err := keys(q.env.env, res.Document)
		if err != nil {
			fail(q.w, err)
			return Record{}, nil, false
		}
		next, err := s.store.Update(q.r.Context(), q.env.id, Record{ID: q.userID, Doc: res.Document, Keys: ks}, rec.Version)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			s.storeError(q, err)
			return Record{}, nil, false
		}
		return next, res, true
	}
	writeError(q.w, &user.Error{Status: http.StatusInternalServerError, Code: user.CodeUnexpectedError,
		Message: "the user changed too often while this request was applied; try again"})
	return Record{}, nil, false
}

// update serves PUT and PATCH /users/{id}.
func (s *Server) update(q *request) {
	t := contentType(q.r)
	scim := q.r.Method == "PATCH" && t == typeSCIMPatch
	if !scim && t != "" && t != typeJSON {
		unsupportedType(q.w)
		return
	}
	body, ok := s.body(q)
	if !ok {
		return
	}
	env := q.env.env
	rec, _, ok := s.modify(q, func(stored []byte) (*user.Result, error) {
		switch {
		case scim:
			return env.PatchSCIM(stored, q.actor, body)
		case q.r.Method == "PUT":
			return env.Put(stored, q.actor, body)
		}
		return env.Patch(stored, q.actor, body)
	})
	if ok {
		s.answerUser(q, http.StatusOK, rec.Doc)
	}
}

// account serves POST /users/{id}: lock and unlock by content type (H1, X6).
func (s *Server) account(q *request) {
	var op user.Operation
	switch contentType(q.r) {
	case typeLock:
		op = user.OperationLock
	case typeUnlock:
		op = user.OperationUnlock
	default:
		unsupportedType(q.w)
		return
	}
	body, ok := s.optionalBody(q)
	if !ok {
		return
	}
	rec, _, ok := s.modify(q, func(stored []byte) (*user.Result, error) {
		return q.env.env.Apply(op, stored, q.actor, body)
	})
	if ok {
		s.answerUser(q, http.StatusOK, rec.Doc)
	}
}

// operate serves PUT /users/{id}/{sub}: a dedicated operation (H1, X2-X7).
func (s *Server) operate(q *request, op user.Operation, sub string) {
	if !acceptJSON(q) {
		return
	}
	read := s.body
	if op == user.OperationIdentityProvider {
		read = s.optionalBody
	}
	body, ok := read(q)
	if !ok {
		return
	}
	rec, _, ok := s.modify(q, func(stored []byte) (*user.Result, error) {
		return q.env.env.Apply(op, stored, q.actor, body)
	})
	if ok {
		s.answerSub(q, sub, rec.Doc)
	}
}

// readSub serves GET /users/{id}/{sub}.
func (s *Server) readSub(q *request, sub string) {
	rec, ok := s.get(q)
	if !ok {
		return
	}
	if _, err := q.env.env.Read(rec.Doc, q.actor); err != nil {
		fail(q.w, err)
		return
	}
	s.answerSub(q, sub, rec.Doc)
}

// answerSub writes a sub-resource answer: {"_links": {"self", "user"}} and
// the sub-resource's members (H1).
func (s *Server) answerSub(q *request, sub string, doc []byte) {
	v, err := jsonx.ParseLazy(doc, user.MaxDepthCeiling)
	if err != nil {
		fail(q.w, err)
		return
	}
	userURL := s.userURL(q, q.userID)
	href := func(u string) jsonx.Value {
		return jsonx.Obj([]jsonx.Member{{Name: "href", Value: jsonx.Str(u)}})
	}
	ms := []jsonx.Member{{Name: "_links", Value: jsonx.Obj([]jsonx.Member{
		{Name: "self", Value: href(userURL + "/" + sub)}, {Name: "user", Value: href(userURL)}})}}
	defaults := map[string]jsonx.Value{"enabled": jsonx.Bool(true), "mfaEnabled": jsonx.Bool(false), "verifyStatus": jsonx.Str("NOT_INITIATED")}
	switch sub {
	case "population", "identityProvider":
		obj, _ := v.Get(sub)
		for _, name := range []string{"id", "type"} {
			if m, ok := obj.Get(name); ok {
				ms = append(ms, jsonx.Member{Name: name, Value: m})
			}
		}
		if sub == "identityProvider" && len(ms) == 1 {
			ms = append(ms, jsonx.Member{Name: "type", Value: jsonx.Str("PING_ONE")})
		}
	default:
		m, ok := v.Get(sub)
		if !ok {
			m = defaults[sub]
		}
		ms = append(ms, jsonx.Member{Name: sub, Value: m})
	}
	q.w.Header().Set("ETag", etag(doc))
	writeJSON(q.w, http.StatusOK, jsonx.Append(nil, jsonx.Obj(ms)))
}

// create serves POST /users (C1-C3): application/json or the import type.
func (s *Server) create(q *request) {
	t := contentType(q.r)
	if t != "" && t != typeJSON && t != typeImport {
		unsupportedType(q.w)
		return
	}
	body, ok := s.body(q)
	if !ok {
		return
	}
	env := q.env.env
	var res *user.Result
	var err error
	if t == typeImport {
		res, err = env.Import(q.actor, body)
	} else {
		res, err = env.Create(q.actor, body)
	}
	if err != nil {
		fail(q.w, err)
		return
	}
	v, _ := jsonx.ParseLazy(res.Document, user.MaxDepthCeiling)
	idv, _ := v.Get("id")
	q.userID = idv.Str
	ks, err := keys(env, res.Document)
	if err != nil {
		fail(q.w, err)
		return
	}
	rec, err := s.store.Create(q.r.Context(), q.env.id, Record{ID: q.userID, Doc: res.Document, Keys: ks})
	if errors.Is(err, ErrExists) {
		writeError(q.w, &user.Error{Status: http.StatusInternalServerError, Code: user.CodeUnexpectedError,
			Message: "a user with the new id already exists"})
		return
	}
	if err != nil {
		s.storeError(q, err)
		return
	}
	q.w.Header().Set("Location", s.userURL(q, q.userID))
	s.answerUser(q, http.StatusCreated, rec.Doc)
}

// delete serves DELETE /users/{id} (C4): 204.
func (s *Server) delete(q *request) {
	rec, ok := s.get(q)
	if !ok {
		return
	}
	if im := q.r.Header.Get("If-Match"); im != "" && !etagMatches(im, etag(rec.Doc)) {
		preconditionFailed(q.w)
		return
	}
	if err := q.env.env.Delete(rec.Doc, q.actor); err != nil {
		fail(q.w, err)
		return
	}
	if err := s.store.Delete(q.r.Context(), q.env.id, q.userID); err != nil {
		s.storeError(q, err)
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}
