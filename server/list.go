package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/amendlib/amend/internal/filter"
	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

// The attributes PingOne's user filter compares (H1): eq and sw on these
// (sw also on custom STRING attributes; sw on a value that is not a string,
// such as enabled, matches nothing), ew on email, name.family and
// name.given.
var (
	eqAttributes = []string{"accountId", "address.countryCode", "address.locality", "address.postalCode", "address.region",
		"address.streetAddress", "address.zipCode", "email", "enabled", "externalId", "locale", "mobilePhone",
		"name.family", "name.formatted", "name.given", "name.honorificPrefix", "name.honorificSuffix", "name.middle",
		"nickname", "photo.href", "population.id", "preferredLanguage", "primaryPhone", "timezone", "title", "type", "username"}
	ewAttributes = []string{"email", "name.family", "name.given"}
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
	scanBatch       = 500
)

func invalidFilter(w http.ResponseWriter, msg string) {
	writeError(w, &user.Error{Status: http.StatusBadRequest, Code: user.CodeInvalidData, Message: "the filter is not valid",
		Details: []user.Detail{{Code: user.DetailInvalidFilter, Target: "filter", Message: msg}}})
}

func invalidParameter(w http.ResponseWriter, name, msg string) {
	writeError(w, &user.Error{Status: http.StatusBadRequest, Code: user.CodeInvalidData, Message: "the request could not be completed: some values are not valid",
		Details: []user.Detail{{Code: user.DetailInvalidValue, Target: name, Message: msg}}})
}

// checkFilter checks a list filter against PingOne's subset (H1).
func checkFilter(f filter.Node, customStrings []string) string {
	if filter.UsesNot(f) {
		return "not is not supported"
	}
	for _, c := range filter.Comparisons(f) {
		ok := false
		switch c.Op {
		case "eq":
			ok = slices.Contains(eqAttributes, c.Attr)
		case "sw":
			ok = slices.Contains(eqAttributes, c.Attr) || slices.Contains(customStrings, c.Attr)
		case "ew":
			ok = slices.Contains(ewAttributes, c.Attr)
		}
		if !ok {
			return "the filter cannot compare " + c.Attr + " with " + c.Op + "; supported: eq and sw on standard attributes, sw on custom STRING attributes, ew on email, name.family and name.given, with and, or and parentheses"
		}
	}
	return ""
}

// get returns the value of a dotted attribute path of a document, Null when
// absent.
func get(doc jsonx.Value, path string) jsonx.Value {
	top, sub, dotted := strings.Cut(path, ".")
	v, ok := doc.Get(top)
	if ok && dotted {
		v, ok = v.Get(sub)
	}
	if !ok {
		return jsonx.NullValue
	}
	return v
}

// list serves GET /users (H1): the users the actor may read that match the
// filter, in pages of limit, with absolute links.
func (s *Server) list(q *request) {
	query := q.r.URL.Query()
	if q.actor.Type != policy.Admin {
		writeError(q.w, &user.Error{Status: http.StatusForbidden, Code: user.CodeAccessFailed, Message: "the actor may not list users",
			Details: []user.Detail{{Code: user.DetailInsufficientPermissions, Message: "only an ADMIN lists users"}}})
		return
	}
	limit := defaultPageSize
	if l := query.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPageSize {
			invalidParameter(q.w, "limit", "limit must be a whole number from 1 to 1000")
			return
		}
		limit = n
	}
	after := ""
	if c := query.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			invalidParameter(q.w, "cursor", "cursor is not one this server gave")
			return
		}
		after = string(b)
	}
	var f filter.Node
	if text := query.Get("filter"); text != "" {
		var err error
		if f, err = filter.Parse(text, true); err != nil {
			invalidFilter(q.w, err.Error())
			return
		}
		if msg := checkFilter(f, q.env.customStrings()); msg != "" {
			invalidFilter(q.w, msg)
			return
		}
	}
	// Scan every user in id order: the page is the first limit matches after
	// the cursor, count all matches.
	var page [][]byte
	count, last, more := 0, "", false
	ctx := q.r.Context()
	for from := ""; ; {
		recs, err := s.store.List(ctx, q.env.id, from, scanBatch)
		if err != nil {
			fail(q.w, err)
			return
		}
		for _, rec := range recs {
			if !s.listed(q, rec.Doc, f) {
				continue
			}
			count++
			if rec.ID <= after {
				continue
			}
			if len(page) == limit {
				more = true
				continue
			}
			out, err := s.render(&request{w: q.w, r: q.r, env: q.env, actor: q.actor, userID: rec.ID}, rec.Doc)
			if err != nil {
				continue
			}
			page = append(page, out)
			last = rec.ID
		}
		if len(recs) < scanBatch {
			break
		}
		from = recs[len(recs)-1].ID
	}
	users := make([]jsonx.Member, len(page))
	for i, p := range page {
		v, _ := jsonx.ParseLazy(p, user.MaxDepthCeiling)
		users[i] = jsonx.Member{Value: v}
	}
	self := s.base(q.r) + q.r.URL.Path
	if q.r.URL.RawQuery != "" {
		self += "?" + q.r.URL.RawQuery
	}
	href := func(u string) jsonx.Value { return jsonx.Obj([]jsonx.Member{{Name: "href", Value: jsonx.Str(u)}}) }
	links := []jsonx.Member{{Name: "self", Value: href(self)}}
	if more {
		nq := url.Values{}
		for k, v := range query {
			nq[k] = v
		}
		nq.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(last)))
		nq.Set("limit", strconv.Itoa(limit))
		links = append(links, jsonx.Member{Name: "next", Value: href(s.base(q.r) + q.r.URL.Path + "?" + nq.Encode())})
	}
	body := jsonx.Obj([]jsonx.Member{
		{Name: "_links", Value: jsonx.Obj(links)},
		{Name: "_embedded", Value: jsonx.Obj([]jsonx.Member{{Name: "users", Value: jsonx.Arr(users)}})},
		{Name: "count", Value: jsonx.Value{Kind: jsonx.Number, Str: strconv.Itoa(count)}},
		{Name: "size", Value: jsonx.Value{Kind: jsonx.Number, Str: strconv.Itoa(len(page))}},
	})
	writeJSON(q.w, http.StatusOK, jsonx.Append(nil, body))
}

// listed reports whether a stored user is in a listing: the actor may read
// it, and it matches the filter (strings compared case-insensitively, as
// PingOne's filters do).
func (s *Server) listed(q *request, doc []byte, f filter.Node) bool {
	if _, err := q.env.env.Read(doc, q.actor); err != nil {
		return false
	}
	if f == nil {
		return true
	}
	v, err := jsonx.ParseLazy(doc, user.MaxDepthCeiling)
	if err != nil {
		return false
	}
	return f.Match(func(attr string) jsonx.Value { return get(v, attr) }, true)
}

// customStrings returns the custom single-valued STRING attributes of the
// environment, which sw may compare.
func (e *environment) customStrings() []string {
	var out []string
	for _, a := range e.cfg.Attributes {
		if (a.SchemaType == "" || a.SchemaType == "CUSTOM") && a.Type == "STRING" && !a.MultiValued {
			out = append(out, a.Name)
		}
	}
	return out
}
