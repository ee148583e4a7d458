package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/server"
	"github.com/amendlib/amend/user"
)

// bare is the baseline of BenchmarkServer: a net/http handler that only
// decodes and re-encodes the user document, for GET and PATCH alike (a
// PATCH's body is read and dropped), with no rule, store or authorization.
func bare(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		out, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
}

// BenchmarkServer measures GET and PATCH of PingOne's sample user through
// the server on a loopback HTTP server, against the bare handler, in
// requests per second per core (H1). Run it with
//
//	go test ./server -run '^$' -bench Server -benchmem -count 5 -cpu 1,2
func BenchmarkServer(b *testing.B) {
	joe, err := os.ReadFile("../testdata/samples/joe.json")
	if err != nil {
		b.Fatal(err)
	}
	s, err := server.New(server.Config{Control: true, Tokens: map[string]policy.Actor{adminToken: admin},
		Environments: map[string]user.Config{"e1": {}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"amend", s}, {"bare", bare(joe)}} {
		srv := httptest.NewServer(impl.h)
		client := srv.Client()
		client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
		put, _ := http.NewRequest("PUT", srv.URL+"/__amend/environments/e1/users/u1", bytes.NewReader(joe))
		if resp, err := client.Do(put); err == nil {
			resp.Body.Close()
		}
		url := srv.URL + "/v1/environments/e1/users/u1"
		for _, method := range []string{"GET", "PATCH"} {
			b.Run(method+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				var n atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						var body io.Reader
						if method == "PATCH" {
							body = strings.NewReader(fmt.Sprintf(`{"title":"Title %d"}`, i%2))
						}
						req, _ := http.NewRequest(method, url, body)
						req.Header.Set("Authorization", "Bearer "+adminToken)
						if body != nil {
							req.Header.Set("Content-Type", "application/json")
						}
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("%s: %d", method, resp.StatusCode)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/float64(runtime.GOMAXPROCS(0)), "req/s/core")
			})
		}
		srv.Close()
	}
}

// TestSoak runs concurrent creates and PATCHes against one server for a
// bounded time (loopback only; it stops by itself after two seconds or
// 4,000 requests) and checks what H6 and H7 promise: every PATCH that was
// answered 200 is in the final documents (no lost update), and no two users
// share a username, whatever its case.
func TestSoak(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	const workers, maxRequests = 8, 4000
	deadline := time.Now().Add(2 * time.Second)
	var requests atomic.Int64
	ids := make([]string, 4)
	for i := range ids {
		ids[i] = createUser(t, srv, fmt.Sprintf(`{"username":"soak%d@example.com"}`, i))["id"].(string)
	}
	// last[u][a] is the value of attribute a of user u that the last answered
	// PATCH wrote; each worker owns its attributes, so no two workers write
	// one attribute and the final value is known.
	var mu sync.Mutex
	last := map[string]map[string]string{}
	for _, id := range ids {
		last[id] = map[string]string{}
	}
	created := map[string]bool{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline) && requests.Add(1) <= maxRequests; i++ {
				if i%5 == 0 {
					// Creates of usernames that clash across workers in other cases.
					name := fmt.Sprintf("Racer%d@Example.com", i%7)
					if w%2 == 0 {
						name = strings.ToLower(name)
					}
					resp, out := call{method: "POST", path: "/v1/environments/e1/users", token: adminToken,
						body: fmt.Sprintf(`{"username":%q}`, name)}.do(t, srv)
					switch resp.StatusCode {
					case http.StatusCreated:
						mu.Lock()
						created[strings.ToLower(name)] = true
						mu.Unlock()
					case http.StatusBadRequest:
						if !bytes.Contains(out, []byte("UNIQUENESS_VIOLATION")) {
							t.Errorf("create: %s", out)
						}
					default:
						t.Errorf("create: %d %s", resp.StatusCode, out)
					}
					continue
				}
				id := ids[i%len(ids)]
				attr := fmt.Sprintf("a%02d", w*6+i%6)
				value := fmt.Sprintf("w%d-%d", w, i)
				resp, out := call{method: "PATCH", path: "/v1/environments/e1/users/" + id, token: adminToken,
					body: fmt.Sprintf(`{%q:%q}`, attr, value)}.do(t, srv)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("PATCH: %d %s", resp.StatusCode, out)
					continue
				}
				mu.Lock()
				last[id][attr] = value
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		_, out := call{method: "GET", path: "/v1/environments/e1/users/" + id, token: adminToken}.do(t, srv)
		var doc map[string]any
		_ = json.Unmarshal(out, &doc)
		for attr, want := range last[id] {
			if doc[attr] != want {
				t.Errorf("user %s: %s is %v, the last answered PATCH wrote %s (a lost update)", id, attr, doc[attr], want)
			}
		}
	}
	resp, out := call{method: "GET", path: "/v1/environments/e1/users?limit=1000", token: adminToken}.do(t, srv)
	var list struct {
		Embedded struct{ Users []struct{ Username string } } `json:"_embedded"`
	}
	if err := json.Unmarshal(out, &list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list: %d %v", resp.StatusCode, err)
	}
	seen := map[string]bool{}
	for _, u := range list.Embedded.Users {
		k := strings.ToLower(u.Username)
		if seen[k] {
			t.Errorf("two users share the username %s", k)
		}
		seen[k] = true
	}
	t.Logf("%d requests, %d users, %d usernames created in races", requests.Load(), len(list.Embedded.Users), len(created))
}
