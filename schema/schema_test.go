package schema

import "testing"

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
