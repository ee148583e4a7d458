package schema

//go:generate go run gen_zones.go

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsTimeZone reports whether s names a zone of the IANA time zone database
// embedded in the program (V2). Names are case-sensitive; "Local" and
// "localtime" are not zone names.
func IsTimeZone(s string) bool {
	i := sort.SearchStrings(zoneNames[:], s)
	return i < len(zoneNames) && zoneNames[i] == s
}

// IsPhone reports whether s holds at least one decimal digit (V2; the length
// is checked by the schema).
func IsPhone(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

// IsHTTPURL reports whether s is an absolute http or https URL with a host
// and no white space or control characters (V2, photo.href).
func IsHTTPURL(s string) bool {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

// IsEmail reports whether s is an RFC 5322 addr-spec: a dot-atom or
// quoted-string local part, "@", and a dot-atom domain or a domain literal.
// UTF-8 is allowed in both parts (RFC 6531). Comments, folding white space,
// display names and obsolete forms are refused (V2).
func IsEmail(s string) bool {
	var local int // length of the local part
	if strings.HasPrefix(s, `"`) {
		i := 1
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' {
				i++
				if i >= len(s) || !(s[i] == ' ' || s[i] == '\t' || (s[i] >= 0x21 && s[i] <= 0x7e)) {
					return false
				}
				continue
			}
			if c == '"' {
				break
			}
			if c < 0x80 && !(c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e)) {
				return false
			}
		}
		if i >= len(s) {
			return false
		}
		local = i + 1
	} else {
		at := strings.LastIndexByte(s, '@')
		if at < 0 || !isDotAtom(s[:at]) {
			return false
		}
		local = at
	}
	if local >= len(s) || s[local] != '@' {
		return false
	}
	domain := s[local+1:]
	if strings.HasPrefix(domain, "[") {
		if len(domain) < 3 || domain[len(domain)-1] != ']' {
			return false
		}
		for i := 1; i < len(domain)-1; i++ {
			c := domain[i]
			if c < 0x21 || c > 0x7e || c == '[' || c == ']' || c == '\\' {
				return false
			}
		}
		return true
	}
	return isDotAtom(domain)
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r == '.' || isAtext(r) {
			continue
		}
		return false
	}
	return true
}

func isAtext(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r < utf8.RuneSelf:
		return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
	}
	return r != utf8.RuneError && !unicode.IsControl(r) && !unicode.IsSpace(r)
}

// IsLanguageTag reports whether s is a well-formed RFC 5646 language tag
// (syntax only; subtags are not looked up in the registry).
func IsLanguageTag(s string) bool {
	if s == "" {
		return false
	}
	lower := strings.ToLower(s)
	if grandfathered[lower] {
		return true
	}
	parts := strings.Split(lower, "-")
	for _, p := range parts {
		if p == "" || len(p) > 8 || !isAlnum(p) {
			return false
		}
	}
	if parts[0] == "x" {
		return privateUse(parts)
	}
	i := 0
	// language
	switch l := len(parts[0]); {
	case l >= 2 && l <= 3 && isAlpha(parts[0]):
		i = 1
		for n := 0; n < 3 && i < len(parts) && len(parts[i]) == 3 && isAlpha(parts[i]); n++ {
			i++ // extlang
		}
	case l >= 4 && l <= 8 && isAlpha(parts[0]):
		i = 1
	default:
		return false
	}
	if i < len(parts) && len(parts[i]) == 4 && isAlpha(parts[i]) {
		i++ // script
	}
	if i < len(parts) && (len(parts[i]) == 2 && isAlpha(parts[i]) || len(parts[i]) == 3 && isDigit(parts[i])) {
		i++ // region
	}
	for i < len(parts) && isVariant(parts[i]) {
		i++
	}
	for i < len(parts) && len(parts[i]) == 1 && parts[i] != "x" {
		i++ // singleton
		n := 0
		for i < len(parts) && len(parts[i]) >= 2 {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	if i < len(parts) && parts[i] == "x" {
		return privateUse(parts[i:])
	}
	return i == len(parts)
}

func privateUse(parts []string) bool { return len(parts) >= 2 } // "x" 1*("-" 1*8alphanum)

func isVariant(p string) bool {
	return len(p) >= 5 || len(p) == 4 && p[0] >= '0' && p[0] <= '9'
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// grandfathered holds RFC 5646's irregular and regular grandfathered tags,
// lower-cased.
var grandfathered = map[string]bool{
	"en-gb-oed": true, "i-ami": true, "i-bnn": true, "i-default": true, "i-enochian": true,
	"i-hak": true, "i-klingon": true, "i-lux": true, "i-mingo": true, "i-navajo": true,
	"i-pwn": true, "i-tao": true, "i-tay": true, "i-tsu": true, "sgn-be-fr": true,
	"sgn-be-nl": true, "sgn-ch-de": true, "art-lojban": true, "cel-gaulish": true,
	"no-bok": true, "no-nyn": true, "zh-guoyu": true, "zh-hakka": true, "zh-min": true,
	"zh-min-nan": true, "zh-xiang": true,
}

// IsAcceptLanguage reports whether s is an Accept-Language value (RFC 9110
// section 12.5.4): a comma-separated list of language ranges ("*" or 1-8
// letters followed by "-" and 1-8 letters or digits), each with an optional
// ";q=" weight between 0 and 1 with at most three decimals.
func IsAcceptLanguage(s string) bool {
	if s == "" {
		return false
	}
	for _, elem := range strings.Split(s, ",") {
		elem = strings.Trim(elem, " \t")
		rng, weight, hasWeight := strings.Cut(elem, ";")
		rng = strings.TrimRight(rng, " \t")
		if !isLanguageRange(rng) {
			return false
		}
		if hasWeight && !isWeight(strings.TrimLeft(weight, " \t")) {
			return false
		}
	}
	return true
}

func isLanguageRange(s string) bool {
	if s == "*" {
		return true
	}
	for i, p := range strings.Split(strings.ToLower(s), "-") {
		if p == "" || len(p) > 8 || i == 0 && !isAlpha(p) || !isAlnum(p) {
			return false
		}
	}
	return true
}

func isWeight(s string) bool {
	if len(s) < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=' {
		return false
	}
	q := s[2:]
	whole, frac, _ := strings.Cut(q, ".")
	if len(frac) > 3 {
		return false
	}
	switch whole {
	case "0":
		return isDigit(frac)
	case "1":
		return strings.Trim(frac, "0") == ""
	}
	return false
}
