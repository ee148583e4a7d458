package schema

import (
	"strings"
	"testing"

	"github.com/amendlib/amend/internal/jsonx"
)

// TestFormats checks the V2 formats registered on amend's compiler.
func TestFormats(t *testing.T) {
	tests := []struct {
		format string
		check  func(string) bool
		good   []string
		bad    []string
	}{
		{"email (V2, RFC 5322 addr-spec, RFC 6531)", IsEmail,
			[]string{"joe@example.com", "a.b+c@d.example", `"joe smith"@example.com`, `"a\"b"@x.org`, "joe@[192.0.2.1]",
				"josé@exämple.com", "用户@例子.广告", "a@localhost", "!#$%&'*+-/=?^_`{|}~@x.y"},
			[]string{"", "joe", "@example.com", "joe@", "a@b@c", "Joe <joe@example.com>", "joe(comment)@x.com",
				".joe@x.com", "joe.@x.com", "jo..e@x.com", "joe@x..com", "jo e@x.com", "joe@[1.2.3.4", `"unterminated@x.com`,
				"joe@-[x]", "joe@x.com\n"}},
		{"timezone (V2, IANA database)", IsTimeZone,
			[]string{"America/Los_Angeles", "America/Argentina/Buenos_Aires", "UTC", "Europe/London", "Etc/GMT+5", "Factory"},
			[]string{"", "Mars/Base", "Local", "localtime", "utc", "america/los_angeles", "../etc/passwd", "America/"}},
		{"locale (V2, RFC 5646 well-formed)", IsLanguageTag,
			[]string{"en", "en-gb", "en-GB", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1901", "x-private", "i-klingon",
				"en-a-bbb-x-ccc", "zh-yue-HK", "sgn-BE-FR", "hy-Latn-IT-arevela"},
			[]string{"", "en_US", "e", "en-abcdefghi", "en-", "-en", "en--gb", "en-a", "x", "123", "en-gb-x", "toolongtag"}},
		{"preferredLanguage (V2, Accept-Language)", IsAcceptLanguage,
			[]string{"en-gb;q=0.8, en;q=0.7", "*", "da, en-gb;q=0.8, en;q=0.7", "en;q=1", "en;q=1.000", "en;q=0", "en;Q=0.5", "zh-Hant-TW"},
			[]string{"", "en;q=2", "en;q=1.5", "en;q=0.1234", "en;x=1", "en_US", ",", "en,,fr", "123", "en;q="}},
		{"photo.href (V2, http or https URL)", IsHTTPURL,
			[]string{"https://example.com/a.png", "http://example.com", "HTTPS://EXAMPLE.COM/x?y=1#z", "https://[2001:db8::1]/p"},
			[]string{"", "{{imageUrl}}>", "ftp://example.com/a", "//example.com/a", "/a.png", "https://", "https:example.com",
				"https://exa mple.com", "mailto:joe@example.com", "https://example.com/a b"}},
		{"phone (V2, at least one digit)", IsPhone,
			[]string{"+1.2225554444", "5", "(555) 123-4567", "٣"},
			[]string{"", "+", "call me", "()-"}},
	}
	for _, tt := range tests {
		for _, s := range tt.good {
			if !tt.check(s) {
				t.Errorf("%s: %q refused, want accepted", tt.format, s)
			}
		}
		for _, s := range tt.bad {
			if tt.check(s) {
				t.Errorf("%s: %q accepted, want refused", tt.format, s)
			}
		}
	}
}

func boolp(b bool) *bool { return &b }

// TestNewRefuses checks that every schema L4 forbids, and every inconsistent
// definition, fails when the environment is built, naming the attribute.
func TestNewRefuses(t *testing.T) {
	many := func(n int) []Attribute {
		out := make([]Attribute, n)
		for i := range out {
			out[i] = Attribute{Name: "a" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + strings.Repeat("b", i/26), Type: String}
		}
		return out
	}
	enums := func(n int) []EnumeratedValue {
		out := make([]EnumeratedValue, n)
		for i := range out {
			out[i] = EnumeratedValue{Value: strings.Repeat("v", i+1)}
		}
		return out
	}
	tests := []struct {
		name  string
		attrs []Attribute
		want  string // the attribute the error names
	}{
		{"unknown type (V4)", []Attribute{{Name: "shoe", Type: "NUMBER"}}, `"shoe"`},
		{"missing type (V4)", []Attribute{{Name: "shoe"}}, `"shoe"`},
		{"subAttributes on STRING (V4)", []Attribute{{Name: "shoe", Type: String, SubAttributes: []Attribute{{Name: "size", Type: String}}}}, `"shoe"`},
		{"nested COMPLEX (V4)", []Attribute{{Name: "shoe", Type: Complex, SubAttributes: []Attribute{{Name: "size", Type: Complex}}}}, `"shoe.size"`},
		{"BOOLEAN sub-attribute (V4)", []Attribute{{Name: "shoe", Type: Complex, SubAttributes: []Attribute{{Name: "wide", Type: Boolean}}}}, `"shoe.wide"`},
		{"COMPLEX without subAttributes (V4)", []Attribute{{Name: "shoe", Type: Complex}}, `"shoe"`},
		{"regex that does not compile (V4)", []Attribute{{Name: "shoe", Type: String, RegexValidation: &RegexValidation{Pattern: "(a"}}}, `"shoe"`},
		{"enumeration with regex (V4)", []Attribute{{Name: "shoe", Type: String, RegexValidation: &RegexValidation{Pattern: "a"}, EnumeratedValues: enums(1)}}, `"shoe"`},
		{"enumeration on BOOLEAN (V4)", []Attribute{{Name: "shoe", Type: Boolean, EnumeratedValues: enums(1)}}, `"shoe"`},
		{"repeated enumerated value (V4)", []Attribute{{Name: "shoe", Type: String, EnumeratedValues: []EnumeratedValue{{Value: "a"}, {Value: "a"}}}}, `"shoe"`},
		{"101 enumerated values (L4)", []Attribute{{Name: "shoe", Type: String, EnumeratedValues: enums(101)}}, `"shoe"`},
		{"201 custom attributes (L4)", many(201), `"`},
		{"name starting with a digit (L4)", []Attribute{{Name: "1shoe", Type: String}}, `"1shoe"`},
		{"name with underscore (L4)", []Attribute{{Name: "shoe_size", Type: String}}, `"shoe_size"`},
		{"name of 257 characters (L4)", []Attribute{{Name: "a" + strings.Repeat("b", 256), Type: String}}, `"abbb`},
		{"duplicate name (L4)", []Attribute{{Name: "shoe", Type: String}, {Name: "shoe", Type: String}}, `"shoe"`},
		{"case-colliding names (L4)", []Attribute{{Name: "shoe", Type: String}, {Name: "Shoe", Type: String}}, `"Shoe"`},
		{"collides with a standard name (L4, D7)", []Attribute{{Name: "Nickname", Type: String}}, `"Nickname"`},
		{"case-colliding sub-attributes (L4)", []Attribute{{Name: "shoe", Type: Complex, SubAttributes: []Attribute{{Name: "size", Type: String}, {Name: "Size", Type: String}}}}, `"shoe"`},
		{"STANDARD entry for no standard attribute", []Attribute{{Name: "shoe", SchemaType: SchemaStandard}}, `"shoe"`},
		{"unknown schemaType", []Attribute{{Name: "shoe", Type: String, SchemaType: "EXTRA"}}, `"shoe"`},
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
	if _, err := New([]Attribute{{Name: "shoe", Type: String, EnumeratedValues: enums(100)}}, Limits{}); err != nil {
		t.Errorf("100 enumerated values refused: %v", err)
	}
	if _, err := New([]Attribute{{Name: "a" + strings.Repeat("b", 255), Type: String}}, Limits{}); err != nil {
		t.Errorf("a 256-character name refused: %v", err)
	}
}

// TestStandardAdjustments checks STANDARD and CORE entries.
func TestStandardAdjustments(t *testing.T) {
	c, err := New([]Attribute{
		{Name: "nickname", SchemaType: SchemaStandard, Type: String, Enabled: boolp(false)},
		{Name: "email", SchemaType: SchemaStandard, Type: String, Unique: boolp(true)},
		{Name: "username", SchemaType: SchemaCore, Type: String, Enabled: boolp(false), Unique: boolp(false)},
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

// TestParseAttributes checks both forms of PingOne's listing.
func TestParseAttributes(t *testing.T) {
	for _, in := range []string{
		`[{"name":"shoe","type":"STRING"}]`,
		`{"_embedded":{"attributes":[{"name":"shoe","type":"STRING","id":"x","_links":{}}]},"count":1}`,
	} {
		attrs, err := ParseAttributes([]byte(in))
		if err != nil || len(attrs) != 1 || attrs[0].Name != "shoe" {
			t.Errorf("ParseAttributes(%s) = %v, %v", in, attrs, err)
		}
	}
	for _, in := range []string{`{}`, `{"_embedded":{}}`, `nope`, `[1]`} {
		if _, err := ParseAttributes([]byte(in)); err == nil {
			t.Errorf("ParseAttributes(%s) succeeded", in)
		}
	}
}

// TestValidate checks violations per path (V3, V5), innerError facts and
// archived values (V1, V4).
func TestValidate(t *testing.T) {
	c, err := New([]Attribute{
		{Name: "shirt", Type: String, EnumeratedValues: []EnumeratedValue{{Value: "S"}, {Value: "M"}, {Value: "XS", Archived: true}}},
		{Name: "badge", Type: Complex, SubAttributes: []Attribute{{Name: "code", Type: String, RegexValidation: &RegexValidation{Pattern: "[0-9]+"}}}},
		{Name: "tags", Type: String, MultiValued: true},
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
		{"name", `{"family":"x@y"}`, `null`, []Violation{{Path: "name.family", Problem: Invalid, AllowedPattern: nameText}}},
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

// TestAttributesJSON checks that both listing forms decode into Attributes
// and that members amend does not use are ignored.
func TestAttributesJSON(t *testing.T) {
	for _, in := range []string{
		`[{"name":"shoe","type":"STRING","id":"1","ldapAttribute":"x","_links":{"self":{}}}]`,
		`{"_embedded":{"attributes":[{"name":"shoe","type":"STRING","environment":{"id":"e"}}]},"size":1}`,
	} {
		var a Attributes
		if err := a.UnmarshalJSON([]byte(in)); err != nil || len(a) != 1 || a[0].Name != "shoe" {
			t.Errorf("%s: %v %v", in, a, err)
		}
	}
}

// TestRegexExamples checks that the example lists of a regexValidation are
// checked at build time.
func TestRegexExamples(t *testing.T) {
	ok := &RegexValidation{Pattern: "[0-9]+", ValuesPatternShouldMatch: []string{"12"}, ValuesPatternShouldNotMatch: []string{"12a"}}
	if _, err := New([]Attribute{{Name: "code", Type: String, RegexValidation: ok}}, Limits{}); err != nil {
		t.Error(err)
	}
	for _, bad := range []*RegexValidation{
		{Pattern: "[0-9]+", ValuesPatternShouldMatch: []string{"12a"}},
		{Pattern: "[0-9]+", ValuesPatternShouldNotMatch: []string{"12"}},
	} {
		if _, err := New([]Attribute{{Name: "code", Type: String, RegexValidation: bad}}, Limits{}); err == nil || !strings.Contains(err.Error(), `"code"`) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
