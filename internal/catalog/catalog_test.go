package catalog

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
)

func boolp(b bool) *bool { return &b }

// TestNewRefuses checks that every schema L4 forbids, and every inconsistent
// definition, fails when the environment is built, naming the attribute.
func TestNewRefuses(t *testing.T) {
	many := func(n int) []schema.Attribute {
		out := make([]schema.Attribute, n)
		for i := range out {
			out[i] = schema.Attribute{Name: "a" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + strings.Repeat("b", i/26), Type: schema.String}
		}
		return out
	}
	enums := func(n int) []schema.EnumeratedValue {
		out := make([]schema.EnumeratedValue, n)
		for i := range out {
			out[i] = schema.EnumeratedValue{Value: strings.Repeat("v", i+1)}
		}
		return out
	}
	tests := []struct {
		name  string
		attrs []schema.Attribute
		want  string // the attribute the error names
	}{
		{"unknown type (V4)", []schema.Attribute{{Name: "shoe", Type: "NUMBER"}}, `"shoe"`},
		{"missing type (V4)", []schema.Attribute{{Name: "shoe"}}, `"shoe"`},
		{"subAttributes on STRING (V4)", []schema.Attribute{{Name: "shoe", Type: schema.String, SubAttributes: []schema.Attribute{{Name: "size", Type: schema.String}}}}, `"shoe"`},
		{"nested COMPLEX (V4)", []schema.Attribute{{Name: "shoe", Type: schema.Complex, SubAttributes: []schema.Attribute{{Name: "size", Type: schema.Complex}}}}, `"shoe.size"`},
		{"BOOLEAN sub-attribute (V4)", []schema.Attribute{{Name: "shoe", Type: schema.Complex, SubAttributes: []schema.Attribute{{Name: "wide", Type: schema.Boolean}}}}, `"shoe.wide"`},
		{"COMPLEX without subAttributes (V4)", []schema.Attribute{{Name: "shoe", Type: schema.Complex}}, `"shoe"`},
		{"regex that does not compile (V4)", []schema.Attribute{{Name: "shoe", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "(a"}}}, `"shoe"`},
		{"enumeration with regex (V4)", []schema.Attribute{{Name: "shoe", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "a"}, EnumeratedValues: enums(1)}}, `"shoe"`},
		{"enumeration on BOOLEAN (V4)", []schema.Attribute{{Name: "shoe", Type: schema.Boolean, EnumeratedValues: enums(1)}}, `"shoe"`},
		{"repeated enumerated value (V4)", []schema.Attribute{{Name: "shoe", Type: schema.String, EnumeratedValues: []schema.EnumeratedValue{{Value: "a"}, {Value: "a"}}}}, `"shoe"`},
		{"101 enumerated values (L4)", []schema.Attribute{{Name: "shoe", Type: schema.String, EnumeratedValues: enums(101)}}, `"shoe"`},
		{"201 custom attributes (L4)", many(201), `"`},
		{"name starting with a digit (L4)", []schema.Attribute{{Name: "1shoe", Type: schema.String}}, `"1shoe"`},
		{"name with underscore (L4)", []schema.Attribute{{Name: "shoe_size", Type: schema.String}}, `"shoe_size"`},
		{"name of 257 characters (L4)", []schema.Attribute{{Name: "a" + strings.Repeat("b", 256), Type: schema.String}}, `"abbb`},
		{"duplicate name (L4)", []schema.Attribute{{Name: "shoe", Type: schema.String}, {Name: "shoe", Type: schema.String}}, `"shoe"`},
		{"case-colliding names (L4)", []schema.Attribute{{Name: "shoe", Type: schema.String}, {Name: "Shoe", Type: schema.String}}, `"Shoe"`},
		{"collides with a standard name (L4, D7)", []schema.Attribute{{Name: "Nickname", Type: schema.String}}, `"Nickname"`},
		{"case-colliding sub-attributes (L4)", []schema.Attribute{{Name: "shoe", Type: schema.Complex, SubAttributes: []schema.Attribute{{Name: "size", Type: schema.String}, {Name: "Size", Type: schema.String}}}}, `"shoe"`},
		{"STANDARD entry for no standard attribute", []schema.Attribute{{Name: "shoe", SchemaType: schema.SchemaStandard}}, `"shoe"`},
		{"unknown schemaType", []schema.Attribute{{Name: "shoe", Type: schema.String, SchemaType: "EXTRA"}}, `"shoe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.attrs, Limits{})
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "schema: ") {
				t.Errorf("error %q does not name %s", err, tt.want)
			}
		})
	}
	if _, err := New(many(200), Limits{}); err != nil {
		t.Errorf("200 custom attributes refused: %v", err)
	}
	if _, err := New([]schema.Attribute{{Name: "shoe", Type: schema.String, EnumeratedValues: enums(100)}}, Limits{}); err != nil {
		t.Errorf("100 enumerated values refused: %v", err)
	}
	if _, err := New([]schema.Attribute{{Name: "a" + strings.Repeat("b", 255), Type: schema.String}}, Limits{}); err != nil {
		t.Errorf("a 256-character name refused: %v", err)
	}
}

// TestStandardAdjustments checks STANDARD and CORE entries.
func TestStandardAdjustments(t *testing.T) {
	c, err := New([]schema.Attribute{
		{Name: "nickname", SchemaType: schema.SchemaStandard, Type: schema.String, Enabled: boolp(false)},
		{Name: "email", SchemaType: schema.SchemaStandard, Type: schema.String, Unique: boolp(true)},
		{Name: "username", SchemaType: schema.SchemaCore, Type: schema.String, Enabled: boolp(false), Unique: boolp(false)},
	}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Lookup("nickname").Disabled {
		t.Error("nickname not disabled")
	}
	if !c.Lookup("email").Unique {
		t.Error("email not unique")
	}
	if u := c.Lookup("username"); u.Disabled || !u.Unique {
		t.Error("a CORE entry changed username")
	}
}

// TestValidate checks violations per path (V3, V5), innerError facts and
// archived values (V1, V4).
func TestValidate(t *testing.T) {
	c, err := New([]schema.Attribute{
		{Name: "shirt", Type: schema.String, EnumeratedValues: []schema.EnumeratedValue{{Value: "S"}, {Value: "M"}, {Value: "XS", Archived: true}}},
		{Name: "badge", Type: schema.Complex, SubAttributes: []schema.Attribute{{Name: "code", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "[0-9]+"}}}},
		{Name: "tags", Type: schema.String, MultiValued: true},
	}, Limits{MaxValues: 2})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(s string) jsonx.Value {
		v, err := jsonx.Parse([]byte(s), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		attr, value, stored string
		want                []Violation
	}{
		{"username", `""`, `null`, []Violation{{Path: "username", Problem: Empty}}},
		{"username", `"` + strings.Repeat(`é`, 128) + `"`, `null`, nil},
		{"username", `"` + strings.Repeat(`é`, 129) + `"`, `null`, []Violation{{Path: "username", Problem: Invalid, MinLength: 1, MaxLength: 128}}},
		{"name", `{"given":"","family":"O'Brien-Smith Jr."}`, `null`, []Violation{{Path: "name.given", Problem: Empty}}},
		{"name", `{"family":"x@y"}`, `null`, []Violation{{Path: "name.family", Problem: Invalid, AllowedPattern: nameText.pattern}}},
		{"name", `"x"`, `null`, []Violation{{Path: "name", Problem: Invalid}}},
		{"address", `{"countryCode":"us","streetAddress":"1 Main St\nApt 2"}`, `null`, []Violation{{Path: "address.countryCode", Problem: Invalid, AllowedPattern: `^[A-Z]{2}$`}}},
		{"mobilePhone", `"` + strings.Repeat("1", 33) + `"`, `null`, []Violation{{Path: "mobilePhone", Problem: Invalid, MinLength: 1, MaxLength: 32}}},
		{"shirt", `"L"`, `null`, []Violation{{Path: "shirt", Problem: Invalid, AllowedValues: []string{"S", "M"}}}},
		{"shirt", `"XS"`, `null`, []Violation{{Path: "shirt", Problem: Invalid, AllowedValues: []string{"S", "M"}}}},
		{"shirt", `"XS"`, `"XS"`, nil},
		{"shirt", `""`, `null`, []Violation{{Path: "shirt", Problem: Invalid, AllowedValues: []string{"S", "M"}}}},
		{"badge", `{"code":"12a"}`, `null`, []Violation{{Path: "badge.code", Problem: Invalid, AllowedPattern: "[0-9]+"}}},
		{"badge", `{"code":"123"}`, `null`, nil},
		{"tags", `["a","b","c"]`, `null`, []Violation{{Path: "tags", Problem: TooMany, Maximum: 2}}},
		{"tags", `["a",1]`, `null`, []Violation{{Path: "tags", Problem: Invalid}}},
	}
	for _, tt := range tests {
		got := c.Validate(c.Lookup(tt.attr), parse(tt.value), parse(tt.stored))
		for i := range got {
			got[i].Message = ""
		}
		if len(got) != len(tt.want) {
			t.Errorf("Validate(%s, %s) = %+v, want %+v", tt.attr, tt.value, got, tt.want)
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.Path != w.Path || g.Problem != w.Problem || g.AllowedPattern != w.AllowedPattern ||
				strings.Join(g.AllowedValues, ",") != strings.Join(w.AllowedValues, ",") ||
				g.MinLength != w.MinLength || g.MaxLength != w.MaxLength || g.Maximum != w.Maximum {
				t.Errorf("Validate(%s, %s)[%d] = %+v, want %+v", tt.attr, tt.value, i, g, w)
			}
		}
	}
}

// TestRegexExamples checks that the example lists of a regexValidation are
// checked at build time.
func TestRegexExamples(t *testing.T) {
	ok := &schema.RegexValidation{Pattern: "[0-9]+", ValuesPatternShouldMatch: []string{"12"}, ValuesPatternShouldNotMatch: []string{"12a"}}
	if _, err := New([]schema.Attribute{{Name: "code", Type: schema.String, RegexValidation: ok}}, Limits{}); err != nil {
		t.Error(err)
	}
	for _, bad := range []*schema.RegexValidation{
		{Pattern: "[0-9]+", ValuesPatternShouldMatch: []string{"12a"}},
		{Pattern: "[0-9]+", ValuesPatternShouldNotMatch: []string{"12"}},
	} {
		if _, err := New([]schema.Attribute{{Name: "code", Type: schema.String, RegexValidation: bad}}, Limits{}); err == nil || !strings.Contains(err.Error(), `"code"`) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestTextClasses checks that each standard character class agrees, on
// every rune, with the regular expression it reports as allowedPattern (V2).
func TestTextClasses(t *testing.T) {
	for _, tc := range []*textClass{u1Text, nameText, streetText} {
		re := regexp.MustCompile(tc.pattern)
		for r := rune(0); r <= unicode.MaxRune; r++ {
			if r >= 0xD800 && r <= 0xDFFF {
				continue // not encodable in UTF-8; the reader refuses lone surrogates (E3.1)
			}
			s := string(r)
			if got, want := tc.match(s), re.MatchString(s); got != want {
				t.Fatalf("%s: rune %U: class says %v, the pattern %v", tc.pattern, r, got, want)
			}
		}
	}
	for s, want := range map[string]bool{"US": true, "us": false, "U": false, "USA": false, "ÜS": false, "": false} {
		if got := countryCode.match(s); got != want {
			t.Errorf("countryCode %q = %v, want %v", s, got, want)
		}
	}
}

// TestRegexAnchoring checks L4: a pattern must compile on its own, and it
// must match the whole value whatever it contains.
func TestRegexAnchoring(t *testing.T) {
	build := func(pattern string) (*Catalogue, error) {
		return New([]schema.Attribute{{Name: "code", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: pattern}}}, Limits{})
	}
	for _, bad := range []string{`[0-9]{3})|(?:.*`, `a)|(b`, `(?:x`, `x)`, `\`} {
		if _, err := build(bad); err == nil || !strings.Contains(err.Error(), `"code"`) {
			t.Errorf("pattern %q: err = %v, want a build error naming code", bad, err)
		}
	}
	tests := []struct {
		pattern string
		match   []string
		refuse  []string
	}{
		{`\Q1.5`, []string{"1.5"}, []string{"1x5", "11.5", "1.55", ""}},
		{`\Q1.5\E[0-9]`, []string{"1.57"}, []string{"1.5", "1.5x"}},
		{`[0-9]{3}`, []string{"123"}, []string{"1234", "12", "a123", "123\n"}},
		{`a|ab`, []string{"a", "ab"}, []string{"abb", "b"}},
		{`(?i)abc`, []string{"ABC", "abc"}, []string{"abcd"}},
		{`(?m)^a$`, []string{"a"}, []string{"a\nb", "b\na"}},
		{`.*`, []string{"", "anything"}, []string{"two\nlines"}},
		{`(?s).*`, []string{"two\nlines"}, nil},
		{`x*?`, []string{"", "xxx"}, []string{"y"}},
		{`(a)(b)?`, []string{"a", "ab"}, []string{"abb"}},
		{`\d+|[a-z]+`, []string{"123", "abc"}, []string{"12ab"}},
	}
	for _, tt := range tests {
		c, err := build(tt.pattern)
		if err != nil {
			t.Errorf("pattern %q refused: %v", tt.pattern, err)
			continue
		}
		a := c.Lookup("code")
		for _, s := range tt.match {
			if vs := c.Validate(a, jsonx.Str(s), jsonx.NullValue); len(vs) != 0 {
				t.Errorf("pattern %q refuses %q: %+v", tt.pattern, s, vs)
			}
		}
		for _, s := range tt.refuse {
			vs := c.Validate(a, jsonx.Str(s), jsonx.NullValue)
			if len(vs) != 1 || vs[0].Problem != Invalid || vs[0].AllowedPattern != tt.pattern {
				t.Errorf("pattern %q accepts %q: %+v", tt.pattern, s, vs)
			}
		}
	}
}

// TestListingNamesOnce checks L4: a name appears at most once in a listing,
// STANDARD and CORE entries included, regardless of case; and V4: no STANDARD
// entry makes username non-unique.
func TestListingNamesOnce(t *testing.T) {
	for _, attrs := range [][]schema.Attribute{
		{{Name: "nickname", SchemaType: schema.SchemaStandard}, {Name: "nickname", SchemaType: schema.SchemaStandard, Enabled: boolp(false)}},
		{{Name: "username", SchemaType: schema.SchemaCore}, {Name: "username", SchemaType: schema.SchemaCore}},
		{{Name: "email", SchemaType: schema.SchemaStandard}, {Name: "Email", Type: schema.String}},
		{{Name: "shoe", Type: schema.String}, {Name: "SHOE", Type: schema.String}},
	} {
		if _, err := New(attrs, Limits{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
			t.Errorf("%+v: err = %v, want a listed-twice error", attrs, err)
		}
	}
	c, err := New([]schema.Attribute{{Name: "username", SchemaType: schema.SchemaStandard, Unique: boolp(false)}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Lookup("username").Unique {
		t.Error("a STANDARD entry made username non-unique (V4)")
	}
}

// TestValidateLinear checks L5 on the shapes that were costly: once a
// multi-valued attribute breaks L2 its elements are not looked at, and bad
// elements are counted, not materialised one per element. Allocation counts
// stand in for time: they do not depend on the machine.
func TestValidateLinear(t *testing.T) {
	c, err := New([]schema.Attribute{
		{Name: "tags", Type: schema.String, MultiValued: true},
		{Name: "sizes", Type: schema.String, MultiValued: true, EnumeratedValues: []schema.EnumeratedValue{{Value: "S"}, {Value: "XS", Archived: true}}},
		{Name: "mc", Type: schema.Complex, MultiValued: true, SubAttributes: []schema.Attribute{{Name: "k", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "[a-z]"}}}},
	}, Limits{MaxValues: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	array := func(n int, item string) jsonx.Value {
		v, err := jsonx.Parse([]byte("["+strings.Repeat(item+",", n-1)+item+"]"), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		attr   string
		value  jsonx.Value
		stored jsonx.Value
		want   []Violation
	}{
		{"tags", array(100000, "1"), jsonx.NullValue, []Violation{{Path: "tags", Problem: Invalid}}},
		{"sizes", array(100000, `"XS"`), array(100000, `"S"`), []Violation{{Path: "sizes", Problem: Invalid}}},
		{"sizes", array(100000, `"XS"`), array(1, `"XS"`), nil},
		{"sizes", array(100000, `"L"`), jsonx.NullValue, []Violation{{Path: "sizes", Problem: Invalid}}},
		{"mc", array(100000, `{"k":"1","x":1}`), jsonx.NullValue, []Violation{{Path: "mc.k", Problem: Invalid}, {Path: "mc.x", Problem: Invalid}}},
	}
	for _, tt := range tests {
		a := c.Lookup(tt.attr)
		var got []Violation
		allocs := testing.AllocsPerRun(2, func() { got = c.Validate(a, tt.value, tt.stored) })
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %d violations %+v, want %+v", tt.attr, len(got), got, tt.want)
		}
		for i := range got {
			if got[i].Path != tt.want[i].Path || got[i].Problem != tt.want[i].Problem {
				t.Errorf("%s: violation %d = %+v, want %+v", tt.attr, i, got[i], tt.want[i])
			}
		}
		// A map of the stored strings is the only allocation that grows
		// with the input, and only where an archived value is met. Under
		// the race detector the regular expression's pooled machines are
		// dropped and allocated again on many matches; fewer allocations
		// than elements still shows none is made per bad element.
		bound := 64.0
		if raceEnabled {
			bound = 50000
		}
		if allocs > bound && tt.attr != "sizes" {
			t.Errorf("%s: %v allocations for 100,000 elements", tt.attr, allocs)
		}
	}
	// L2 broken: the elements are not validated at all.
	small, err := New([]schema.Attribute{{Name: "tags", Type: schema.String, MultiValued: true}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := small.Validate(small.Lookup("tags"), array(500000, "1"), jsonx.NullValue)
	if len(got) != 1 || got[0].Problem != TooMany || got[0].Maximum != 1000 {
		t.Errorf("500,000 values: %+v, want one TooMany", got)
	}
}
