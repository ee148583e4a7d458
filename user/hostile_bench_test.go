package user_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
)

// hostileShape is one costly input of L5 and its baseline: the same bytes
// sent as the valid value of a single-valued JSON attribute, "blob".
type hostileShape struct {
	name string
	env  *user.Environment
	// baseEnv runs the baseline, with room for it in L3.
	baseEnv *user.Environment
	put     bool
	// stored and body are the hostile request; baseStored and baseBody the
	// baseline. want is the status the hostile request answers (0 for
	// success).
	stored, body         []byte
	baseStored, baseBody []byte
	want                 int
}

// hostileEnv has every kind of attribute a hostile shape attacks, and limits
// raised where a shape needs them to reach the costly code.
func hostileEnv(tb testing.TB, limits user.Limits) *user.Environment {
	tb.Helper()
	enum := []schema.EnumeratedValue{{Value: "S"}, {Value: "M"}, {Value: "XS", Archived: true}}
	return newEnv(tb, user.Config{Attributes: []schema.Attribute{
		{Name: "blob", Type: schema.JSON},
		{Name: "tags", Type: schema.String, MultiValued: true},
		{Name: "sizes", Type: schema.String, MultiValued: true, EnumeratedValues: enum},
		{Name: "mc", Type: schema.Complex, MultiValued: true, SubAttributes: []schema.Attribute{
			{Name: "k", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "[a-z]+"}}, {Name: "v", Type: schema.JSON}}},
		{Name: "code", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "[0-9]+"}},
	}, Limits: limits})
}

// repeatJSON joins n copies of item with commas.
func repeatJSON(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// members returns n members "m0": item, "m1": item, ...
func membersJSON(item string, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"m%d":%s`, i, item)
	}
	return sb.String()
}

const hostileStored = `{"id":"u1","environment":{"id":"e1"},"population":{"id":"p1"},"username":"joe@example.com","updatedAt":"2022-11-16T19:12:23.459Z"}`

// hostileShapes returns the shapes of L5 at about size bytes each.
func hostileShapes(tb testing.TB, size int) []hostileShape {
	tb.Helper()
	def := hostileEnv(tb, user.Limits{MaxBodyBytes: 8 << 20})
	raised := hostileEnv(tb, user.Limits{MaxValues: 1 << 30, MaxCustomBytes: 1 << 30, MaxBodyBytes: 1 << 30})
	stored := []byte(hostileStored)
	body := func(attr, value string) []byte { return []byte(`{"` + attr + `":` + value + `}`) }
	shape := func(name string, env *user.Environment, attr, value string, want int) hostileShape {
		return hostileShape{name: name, env: env, stored: stored, body: body(attr, value),
			baseStored: stored, baseBody: body("blob", value), want: want}
	}
	n := func(item string) int { return size / (len(item) + 1) }
	var out []hostileShape
	out = append(out,
		shape("tags-wrong-type-over-L2", def, "tags", "["+repeatJSON("1", n("1"))+"]", 400),
		shape("tags-wrong-type-within-L2", raised, "tags", "["+repeatJSON("1", n("1"))+"]", 400),
		shape("sizes-archived-over-L2", def, "sizes", "["+repeatJSON(`"XS"`, n(`"XS"`))+"]", 400),
		shape("sizes-archived-within-L2", raised, "sizes", "["+repeatJSON(`"XS"`, n(`"XS"`))+"]", 400),
		shape("sizes-unknown-within-L2", raised, "sizes", "["+repeatJSON(`"L"`, n(`"L"`))+"]", 400),
		shape("mc-bad-elements-within-L2", raised, "mc", "["+repeatJSON(`{"k":"1","x":1}`, n(`{"k":"1","x":1}`))+"]", 400),
		shape("mc-distinct-unknown-members", raised, "mc", "[{"+membersJSON("1", size/8)+"}]", 400),
		shape("nested-one-element-arrays", raised, "tags", "["+repeatJSON("[0]", n("[0]"))+"]", 400),
		shape("regex-long-string", def, "code", `"`+strings.Repeat("1", size-2)+`x"`, 400),
		shape("escaped-string", raised, "code", `"`+strings.Repeat(`\u0031`, size/6)+`"`, 0),
	)
	// Many unknown members at the top level: ignored, one entry each (O6).
	many := []byte("{" + membersJSON("0", size/8) + "}")
	out = append(out, hostileShape{name: "unknown-members", env: def, stored: stored, body: many,
		baseStored: stored, baseBody: body("blob", string(many))})
	// The same, refused one detail each under the strict option (D5).
	strict := newEnv(tb, user.Config{Attributes: []schema.Attribute{{Name: "blob", Type: schema.JSON}},
		Options: user.Options{UnknownAttributes: "reject"}, Limits: user.Limits{MaxCustomBytes: 8 << 20, MaxBodyBytes: 8 << 20}})
	out = append(out, hostileShape{name: "unknown-members-strict", env: strict, stored: stored, body: many,
		baseStored: stored, baseBody: body("blob", string(many)), want: 400})
	// A stored COMPLEX attribute with many members, one sub-attribute patched.
	bigName := `{` + membersJSON(`"x"`, size/10) + `,"given":"Joe"}`
	out = append(out, hostileShape{name: "stored-name-many-members", env: def,
		stored:     []byte(`{"id":"u1","username":"joe@example.com","name":` + bigName + `}`),
		body:       []byte(`{"name":{"given":"Jo"}}`),
		baseStored: []byte(`{"id":"u1","username":"joe@example.com","blob":` + bigName + `}`),
		baseBody:   []byte(`{"blob":{"given":"Jo"}}`)})
	// A stored document with many top-level members, sent through PUT.
	bigDoc := []byte(`{"id":"u1","username":"joe@example.com",` + membersJSON("1", size/8) + `}`)
	out = append(out, hostileShape{name: "stored-many-members-put", env: def, put: true,
		stored: bigDoc, body: []byte(`{"username":"joe@example.com","title":"T"}`),
		baseStored: []byte(`{"id":"u1","username":"joe@example.com","blob":{` + membersJSON("1", size/8) + `}}`),
		baseBody:   []byte(`{"username":"joe@example.com","blob":{` + membersJSON("1", size/8) + `},"title":"T"}`)})
	for i := range out {
		out[i].baseEnv = raised
	}
	return out
}

func (h *hostileShape) run(env *user.Environment, stored, body []byte) (*user.Result, error) {
	if h.put {
		return env.Put(stored, admin, body)
	}
	return env.Patch(stored, admin, body)
}

// BenchmarkHostile measures L5: each hostile shape and its baseline, the
// same bytes as the valid value of a single-valued JSON attribute, with
// ns and allocated bytes per input byte. Run it with
//
//	go test ./user -run '^$' -bench Hostile -benchmem -count 5
func BenchmarkHostile(b *testing.B) {
	for _, h := range hostileShapes(b, 1<<20) {
		for _, side := range []string{"hostile", "baseline"} {
			env, stored, body := h.env, h.stored, h.body
			if side == "baseline" {
				env, stored, body = h.baseEnv, h.baseStored, h.baseBody
			}
			b.Run(h.name+"/"+side, func(b *testing.B) {
				if _, err := h.run(env, stored, body); (err != nil) != (side == "hostile" && h.want != 0) {
					b.Fatalf("%s: %v", side, err)
				}
				in := float64(len(stored) + len(body))
				b.ReportAllocs()
				b.SetBytes(int64(in))
				var ms testingMem
				ms.start()
				for b.Loop() {
					_, _ = h.run(env, stored, body)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/in, "ns/B")
				b.ReportMetric(ms.perOp(b.N)/in, "allocB/B")
			})
		}
	}
}

// testingMem measures the bytes allocated over a benchmark's loop.
type testingMem struct{ before uint64 }

func (m *testingMem) start() { m.before = totalAlloc() }

func (m *testingMem) perOp(n int) float64 { return float64(totalAlloc()-m.before) / float64(n) }

func totalAlloc() uint64 {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return s.TotalAlloc
}

// TestHostileShapesBounded checks L5 on every shape of BenchmarkHostile at
// 256 KiB: the request gets its answer, and allocates at most 24 bytes per
// input byte (30 under the race detector, whose allocations are larger), a
// bound on its peak heap, and at most three times what the same bytes cost
// as the valid value of a JSON attribute. Time is measured by the
// benchmark, not asserted here; allocations do not depend on the machine.
func TestHostileShapesBounded(t *testing.T) {
	for _, h := range hostileShapes(t, 256<<10) {
		t.Run(h.name, func(t *testing.T) {
			before := totalAlloc()
			_, err := h.run(h.env, h.stored, h.body)
			got := totalAlloc() - before
			if (err != nil) != (h.want != 0) {
				t.Fatalf("err = %v, want status %d", err, h.want)
			}
			var ue *user.Error
			if h.want != 0 && (!errors.As(err, &ue) || ue.Status != h.want) {
				t.Fatalf("err = %v, want status %d", err, h.want)
			}
			before = totalAlloc()
			if _, err := h.run(h.baseEnv, h.baseStored, h.baseBody); err != nil {
				t.Fatalf("baseline: %v", err)
			}
			base := totalAlloc() - before
			in := len(h.stored) + len(h.body)
			perByte := float64(got) / float64(in)
			t.Logf("%6.1f bytes allocated per input byte (baseline %.1f)", perByte, float64(base)/float64(in))
			limit := 24.0
			if raceEnabled {
				limit = 30
			}
			if perByte > limit {
				t.Errorf("%.1f bytes allocated per input byte, more than %.0f", perByte, limit)
			}
			if got > 3*base+1<<16 {
				t.Errorf("%d bytes allocated, %.1f times the baseline's %d", got, float64(got)/float64(base), base)
			}
		})
	}
}
