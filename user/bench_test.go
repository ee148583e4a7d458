package user_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
)

// The benchmarks compare amend with three baselines on the same inputs:
//
//   - naive: RFC 7396 with evanphx/json-patch (for PUT: the body with the
//     server-managed attributes copied in from the stored document), then
//     JSON Schema validation of the whole result with the environment's own
//     schema, then json.Marshal. This is what an embedder would write without
//     amend, minus the rules amend enforces.
//   - floor: decode both documents, copy the body's members over the stored
//     ones, encode. No rule at all; the cost of touching the bytes twice.
//   - limit: one validating pass over both inputs and a copy of the stored
//     bytes (json.Valid, json.Valid, append): the cost of reading the input
//     once, which no implementation that checks its input can beat by much.
//
// naive exists only for PATCH and PUT; the operation, create and SCIM PATCH
// workloads compare with floor and limit.
//
// Run them with
//
//	go test ./user -run '^$' -bench 'Compare|Parallel|NewEnvironment' -benchmem -count 5 -cpu 1,2

// The benchmarks act as admin, an Identity Data Admin with ORGANIZATION
// scope (user_test.go): authorization is on the path but never refuses. Every
// environment uses fixedClock.

// benchWorkload is one request of BenchmarkCompare.
type benchWorkload struct {
	name   string
	put    bool
	env    *user.Environment
	stored []byte // nil for a create
	body   []byte
	// run, when set, is the request amend serves (an operation, a create,
	// a SCIM PATCH); otherwise the request is a PATCH or a PUT.
	run func() (*user.Result, error)
}

// benchJoe reads PingOne's sample user, a GET response.
func benchJoe(b *testing.B) []byte {
	b.Helper()
	joe, err := os.ReadFile("../testdata/samples/joe.json")
	if err != nil {
		b.Fatal(err)
	}
	return joe
}

// withMembers returns the JSON object doc with members (a JSON text of
// comma-separated members, without braces) appended.
func withMembers(b *testing.B, doc []byte, members string) []byte {
	b.Helper()
	doc = bytes.TrimSpace(doc)
	end := bytes.LastIndexByte(doc, '}')
	if end < 0 {
		b.Fatal("bench: the stored document is not an object")
	}
	out := append([]byte(nil), doc[:end]...)
	out = append(bytes.TrimRight(out, " \t\r\n"), ",\n"...)
	out = append(out, members...)
	return append(out, "\n}\n"...)
}

// benchJSON returns a compact JSON object of at least size bytes: sections
// "s0", "s1", ... each holding eight short strings and a number, two levels
// deep, like a preferences blob.
func benchJSON(size int) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i := 0; sb.Len() < size-1; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"s%d":{`, i)
		for k := range 8 {
			fmt.Fprintf(&sb, `"k%d":"value-%04d-%d",`, k, i, k)
		}
		fmt.Fprintf(&sb, `"n":%d}`, 1000+i)
	}
	sb.WriteByte('}')
	return sb.String()
}

func benchEnv(b *testing.B, cfg user.Config) *user.Environment {
	b.Helper()
	cfg.Clock = fixedClock
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return env
}

// custom200 returns 200 custom STRING attributes, attr000 to attr199.
func custom200() []schema.Attribute {
	attrs := make([]schema.Attribute, 200)
	for i := range attrs {
		attrs[i] = schema.Attribute{Name: fmt.Sprintf("attr%03d", i), Type: schema.String,
			SchemaType: schema.SchemaCustom}
	}
	return attrs
}

func benchWorkloads(b *testing.B) []benchWorkload {
	b.Helper()
	joe := benchJoe(b)
	std := benchEnv(b, user.Config{})

	// The GET response sent back with title changed.
	const title = `"title": "Senior Director"`
	if bytes.Count(joe, []byte(title)) != 1 {
		b.Fatal("bench: joe.json changed; put-roundtrip needs its title")
	}
	putBody := bytes.Replace(joe, []byte(title), []byte(`"title": "Manager"`), 1)

	// One environment for every JSON workload, with room for 4 MiB.
	jsonEnv := benchEnv(b, user.Config{
		Attributes: []schema.Attribute{{Name: "preferences", Type: schema.JSON, SchemaType: schema.SchemaCustom}},
		Limits:     user.Limits{MaxCustomBytes: 8 << 20},
	})
	jsonUser := func(size int) []byte {
		return withMembers(b, joe, `"preferences": `+benchJSON(size))
	}

	env200 := benchEnv(b, user.Config{Attributes: custom200()})
	var members []string
	for i := range 200 {
		members = append(members, fmt.Sprintf(`"attr%03d": "value of custom attribute %d"`, i, i))
	}
	user200 := withMembers(b, joe, strings.Join(members, ",\n"))

	ws := []benchWorkload{
		{name: "patch-title", env: std, stored: joe, body: []byte(`{"title":"Manager"}`)},
		{name: "put-roundtrip", put: true, env: std, stored: joe, body: putBody},
		{name: "patch-json-merge", env: jsonEnv, stored: jsonUser(2 << 10),
			body: []byte(`{"preferences":{"s0":{"k1":"dark","k9":"new"},"s3":{"n":7,"k2":null},"s99":{"added":true}}}`)},
		{name: "patch-200-custom", env: env200, stored: user200, body: []byte(`{"attr117":"changed"}`)},
	}
	for _, size := range []int{1 << 10, 16 << 10, 256 << 10, 1 << 20, 4 << 20} {
		ws = append(ws, benchWorkload{name: fmt.Sprintf("patch-json-%dk", size>>10), env: jsonEnv,
			stored: jsonUser(size), body: []byte(`{"preferences":{"s0":{"k1":"changed"}}}`)})
	}

	// X1: the enabled operation disables Joe.
	disable := []byte(`{"enabled":false}`)
	ws = append(ws, benchWorkload{name: "operation-enabled", env: std, stored: joe, body: disable,
		run: func() (*user.Result, error) { return std.Apply(user.OperationEnabled, joe, admin, disable) }})

	// C1: a create in an environment with a default population.
	createEnv := benchEnv(b, user.Config{ID: "abfba8f6-49eb-49f5-a5d9-80ad5c98f9f6",
		Populations: []user.Population{{ID: "60971d3b-cc5a-4601-9c44-2be541f91bf1", Default: true}},
		NewID:       func() string { return "5c1b8a0e-4f7d-4a51-9d5a-0b2f1e6c7d80" }})
	create, err := os.ReadFile("../testdata/samples/create-body.json")
	if err != nil {
		b.Fatal(err)
	}
	ws = append(ws, benchWorkload{name: "create", env: createEnv, body: create,
		run: func() (*user.Result, error) { return createEnv.Create(admin, create) }})

	// S2: a SCIM PATCH of one element of a 1,000-element attribute (L2's
	// default maximum).
	tshirtEnv := benchEnv(b, user.Config{Attributes: []schema.Attribute{{Name: "tShirt", Type: schema.Complex,
		SchemaType: schema.SchemaCustom, MultiValued: true, SubAttributes: []schema.Attribute{
			{Name: "tshirtSize", Type: schema.String},
			{Name: "tshirtColor", Type: schema.String}}}},
		Limits: user.Limits{MaxCustomBytes: 1 << 20}})
	var shirts []string
	for i := range 1000 {
		shirts = append(shirts, fmt.Sprintf(`{"tshirtSize":"M","tshirtColor":"color-%04d"}`, i))
	}
	tshirtUser := withMembers(b, joe, `"tShirt": [`+strings.Join(shirts, ",\n")+`]`)
	scim := []byte(`{"Operations":[{"op":"replace","path":"tShirt[tshirtColor eq \"color-0500\"].tshirtSize","value":"XL"}]}`)
	ws = append(ws, benchWorkload{name: "scim-one-of-1000", env: tshirtEnv, stored: tshirtUser, body: scim,
		run: func() (*user.Result, error) { return tshirtEnv.PatchSCIM(tshirtUser, admin, scim) }})
	return ws
}

// naiveSchema compiles env's user JSON Schema with a compiler of its own:
// no URL is loaded and amend's formats are simple stand-ins.
func naiveSchema(b *testing.B, env *user.Environment) *jsonschema.Schema {
	b.Helper()
	const url = "https://amendlib.invalid/bench-user.schema.json"
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = func(s string) (io.ReadCloser, error) { return nil, fmt.Errorf("bench: loading %q refused", s) }
	str := func(f func(string) bool) func(any) bool {
		return func(v any) bool { s, ok := v.(string); return !ok || f(s) }
	}
	nonEmpty := func(s string) bool { return s != "" }
	c.Formats = map[string]func(any) bool{
		"amend-email":           str(func(s string) bool { return strings.Contains(s, "@") }),
		"amend-time-zone":       str(nonEmpty),
		"amend-language-tag":    str(nonEmpty),
		"amend-accept-language": str(nonEmpty),
		"amend-http-url": str(func(s string) bool {
			return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
		}),
		"amend-phone": str(func(s string) bool { return strings.ContainsAny(s, "0123456789") }),
	}
	if err := c.AddResource(url, bytes.NewReader(env.JSONSchema())); err != nil {
		b.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// naiveFixed are the attributes a naive PUT copies from the stored
// document: server-managed ones and those with an operation of their own.
var naiveFixed = []string{"id", "environment", "createdAt", "updatedAt", "_links", "lastSignOn",
	"memberOfGroupIDs", "memberOfGroupNames", "emailVerified", "population", "account", "lifecycle",
	"enabled", "mfaEnabled", "verifyStatus", "password", "identityProvider"}

func decodeNumbers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// naive applies w the way an embedder without amend would.
func naive(w *benchWorkload, sch *jsonschema.Schema) ([]byte, error) {
	var doc any
	if w.put {
		stored, err := decodeNumbers(w.stored)
		if err != nil {
			return nil, err
		}
		body, err := decodeNumbers(w.body)
		if err != nil {
			return nil, err
		}
		sm, bm := stored.(map[string]any), body.(map[string]any)
		for _, name := range naiveFixed {
			if v, ok := sm[name]; ok {
				bm[name] = v
			} else {
				delete(bm, name)
			}
		}
		doc = bm
	} else {
		merged, err := jsonpatch.MergePatch(w.stored, w.body)
		if err != nil {
			return nil, err
		}
		if doc, err = decodeNumbers(merged); err != nil {
			return nil, err
		}
	}
	if err := sch.Validate(doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// floor decodes, copies the body's members over the stored ones and encodes.
// A create has no stored document.
func floor(stored, body []byte) ([]byte, error) {
	var sm, bm map[string]any
	if stored == nil {
		sm = map[string]any{}
	} else if err := json.Unmarshal(stored, &sm); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &bm); err != nil {
		return nil, err
	}
	for k, v := range bm {
		sm[k] = v
	}
	return json.Marshal(sm)
}

// limit validates both inputs in one pass each and copies the stored bytes
// (the body's, for a create).
func limit(stored, body []byte) ([]byte, error) {
	if !json.Valid(body) || stored != nil && !json.Valid(stored) {
		return nil, errors.New("bench: not JSON")
	}
	if stored == nil {
		return append([]byte(nil), body...), nil
	}
	return append([]byte(nil), stored...), nil
}

func (w *benchWorkload) amend() (*user.Result, error) {
	if w.run != nil {
		return w.run()
	}
	if w.put {
		return w.env.Put(w.stored, admin, w.body)
	}
	return w.env.Patch(w.stored, admin, w.body)
}

func BenchmarkCompare(b *testing.B) {
	schemas := map[*user.Environment]*jsonschema.Schema{}
	for _, w := range benchWorkloads(b) {
		sch := schemas[w.env]
		if sch == nil {
			sch = naiveSchema(b, w.env)
			schemas[w.env] = sch
		}
		// Every workload changes something, so that each implementation
		// does the whole job.
		res, err := w.amend()
		if err != nil {
			b.Fatalf("%s: %v", w.name, err)
		}
		if len(res.Changes) == 0 {
			b.Fatalf("%s: amend changed nothing", w.name)
		}
		b.Run(w.name+"/amend", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(w.stored) + len(w.body)))
			for b.Loop() {
				if _, err := w.amend(); err != nil {
					b.Fatal(err)
				}
			}
		})
		if w.run != nil {
			sch = nil // no naive form
		} else if _, err := naive(&w, sch); err != nil {
			b.Fatalf("%s: naive: %v", w.name, err)
		}
		if sch != nil {
			b.Run(w.name+"/naive", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w.stored) + len(w.body)))
				for b.Loop() {
					if _, err := naive(&w, sch); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(w.name+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(w.stored) + len(w.body)))
			for b.Loop() {
				if _, err := floor(w.stored, w.body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(w.name+"/limit", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(w.stored) + len(w.body)))
			for b.Loop() {
				if _, err := limit(w.stored, w.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParallel runs patch-title from GOMAXPROCS goroutines on one
// shared environment.
func BenchmarkParallel(b *testing.B) {
	env := benchEnv(b, user.Config{})
	joe := benchJoe(b)
	body := []byte(`{"title":"Manager"}`)
	b.Run("patch-title/amend", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := env.Patch(joe, admin, body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkNewEnvironment200 builds an environment with 200 custom
// attributes, the most L4 allows by default.
func BenchmarkNewEnvironment200(b *testing.B) {
	cfg := user.Config{Attributes: custom200(), Clock: fixedClock}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := user.NewEnvironment(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
