package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amendlib/amend"
	"github.com/amendlib/amend/conformance"
	"github.com/amendlib/amend/server"
)

// rewrite wraps a correct server and rewrites the JSON body of PATCH and
// PUT requests on the way in: a deliberately wrong server.
func rewrite(t *testing.T, store server.Store, fn func(r *http.Request, body map[string]any)) http.Handler {
	t.Helper()
	s, err := server.New(server.Config{Control: true, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == "PATCH" || r.Method == "PUT") && strings.HasPrefix(r.URL.Path, "/v1/") && r.Header.Get("Content-Type") == "application/json" {
			data, _ := io.ReadAll(r.Body)
			var body map[string]any
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if dec.Decode(&body) == nil && body != nil {
				fn(r, body)
				data, _ = json.Marshal(body)
			}
			r.Body = io.NopCloser(bytes.NewReader(data))
			r.ContentLength = int64(len(data))
		}
		s.ServeHTTP(w, r)
	})
}

// runAgainst runs some case files against h and returns the report.
func runAgainst(t *testing.T, h http.Handler, files ...string) *conformance.Report {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	var cases []*conformance.Case
	for _, f := range files {
		cs, err := conformance.LoadFS(amend.Suite, "testdata/conformance/"+f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	target, err := conformance.NewHTTP(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return conformance.Run(context.Background(), target, cases, conformance.Options{Parallel: 4})
}

// failure returns the failure of the named case.
func failure(rep *conformance.Report, name string) string {
	for _, r := range rep.Results {
		if r.Name == name {
			return r.Failure
		}
	}
	return "(no such case)"
}

// TestWrongServers checks that the kit catches servers that get the rules
// wrong, with readable diffs (H10): one merges multi-valued attributes
// instead of replacing them (P5), one drops dedicated-operation members
// silently instead of refusing a change (D4), one writes part of a request
// it then refuses (E3).
func TestWrongServers(t *testing.T) {
	t.Run("merges multi-valued attributes", func(t *testing.T) {
		store := server.NewMemoryStore()
		h := rewrite(t, store, func(r *http.Request, body map[string]any) {
			if r.Method != "PATCH" {
				return
			}
			// Read the stored user and prepend its elements to every array.
			parts := strings.Split(r.URL.Path, "/")
			rec, err := store.Get(r.Context(), parts[3], parts[5])
			if err != nil {
				return
			}
			var stored map[string]any
			dec := json.NewDecoder(bytes.NewReader(rec.Doc))
			dec.UseNumber()
			_ = dec.Decode(&stored)
			for k, v := range body {
				if arr, ok := v.([]any); ok {
					if old, ok := stored[k].([]any); ok {
						body[k] = append(append([]any{}, old...), arr...)
					}
				}
			}
		})
		rep := runAgainst(t, h, "seeds.json", "custom-multivalued.json")
		if rep.Failed == 0 {
			t.Fatal("the kit did not catch a server that merges multi-valued attributes")
		}
		f := failure(rep, "seed-locales-replaced-whole")
		for _, want := range []string{"document (-want +got)", `"London"`, `"Tel Aviv"`} {
			if !strings.Contains(f, want) {
				t.Errorf("the failure of the seed's multi-valued example lacks %q:\n%s", want, f)
			}
		}
		t.Logf("%d passed, %d failed; the seed's example:\n%s", rep.Passed, rep.Failed, f)
	})
	t.Run("drops dedicated members silently", func(t *testing.T) {
		h := rewrite(t, server.NewMemoryStore(), func(_ *http.Request, body map[string]any) {
			for _, k := range []string{"enabled", "mfaEnabled", "population", "account", "lifecycle", "verifyStatus", "password"} {
				delete(body, k)
			}
		})
		rep := runAgainst(t, h, "readonly.json")
		if rep.Failed == 0 {
			t.Fatal("the kit did not catch a server that drops dedicated members")
		}
		var text bytes.Buffer
		rep.Write(&text)
		if !strings.Contains(text.String(), "want an error, got the document") || !strings.Contains(text.String(), "CONSTRAINT_VIOLATION") {
			t.Errorf("the report does not say what went wrong:\n%.2000s", text.String())
		}
	})
	t.Run("writes part of a refused request", func(t *testing.T) {
		store := server.NewMemoryStore()
		s, err := server.New(server.Config{Control: true, Store: store})
		if err != nil {
			t.Fatal(err)
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, r)
			parts := strings.Split(r.URL.Path, "/")
			if r.Method == "PATCH" && rec.Code >= 400 && len(parts) == 6 && parts[1] == "v1" {
				// The refused request "half happened": the user gains a title.
				if u, err := store.Get(r.Context(), parts[3], parts[5]); err == nil {
					doc := bytes.Replace(u.Doc, []byte("{"), []byte(`{"title":"half-written",`), 1)
					_ = store.Put(r.Context(), parts[3], parts[5], doc)
				}
			}
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
		rep := runAgainst(t, h, "readonly.json")
		if rep.Failed == 0 {
			t.Fatal("the kit did not catch a server that writes part of a refused request")
		}
		var text bytes.Buffer
		rep.Write(&text)
		if !strings.Contains(text.String(), "the request was refused but the stored user changed") || !strings.Contains(text.String(), "half-written") {
			t.Errorf("the report does not say what went wrong:\n%.2000s", text.String())
		}
	})
}
