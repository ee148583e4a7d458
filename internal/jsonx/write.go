package jsonx

const hexDigits = "0123456789abcdef"

// plain[c] is true for the bytes a JSON string holds as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Append appends the compact JSON text of v to dst. Strings are escaped only
// as JSON requires (quote, backslash and control characters), so the length
// of the output is the size L3 counts; an unread value is copied as it was
// read, with the escapes it had, without its white space.
func Append(dst []byte, v Value) []byte {
	if v.spaced() {
		return appendCompact(dst, v.Str)
	}
	if v.unread() {
		return append(dst, v.Str...)
	}
	switch v.Kind {
	case Null:
		return append(dst, "null"...)
	case False:
		return append(dst, "false"...)
	case True:
		return append(dst, "true"...)
	case Number:
		return append(dst, v.Str...)
	case String:
		return AppendString(dst, v.Str)
	case Array:
		dst = append(dst, '[')
		for i, it := range v.ms() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = Append(dst, it.Value)
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		for i, m := range v.ms() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, m.Name)
			dst = append(dst, ':')
			dst = Append(dst, m.Value)
		}
		return append(dst, '}')
	}
	return dst
}

// AppendString appends s as a JSON string.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plain[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Size returns the length of the compact text of v with strings escaped only
// as JSON requires, the size L3 counts: that of Append(nil, v) when no
// unread part of v holds needless escapes. It builds nothing.
func Size(v Value) int {
	if v.unread() {
		return sizeRaw(v)
	}
	switch v.Kind {
	case Null, True:
		return 4
	case False:
		return 5
	case Number:
		return len(v.Str)
	case String:
		return stringSize(v.Str)
	case Array:
		n := 2
		for i, it := range v.ms() {
			if i > 0 {
				n++
			}
			n += Size(it.Value)
		}
		return n
	case Object:
		n := 2
		for i, m := range v.ms() {
			if i > 0 {
				n++
			}
			n += stringSize(m.Name) + 1 + Size(m.Value)
		}
		return n
	}
	return 0
}

func stringSize(s string) int {
	n := 2 + len(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			n++
		case c < 0x20:
			n += 5
		}
	}
	return n
}
