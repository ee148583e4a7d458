package jsonx

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// BenchmarkParse reads the PingOne documentation's example user, the
// document most of amend's work starts from (docs/benchmarks.md).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../../testdata/samples/joe.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, 64); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend writes the same document back.
func BenchmarkAppend(b *testing.B) {
	data, err := os.ReadFile("../../testdata/samples/joe.json")
	if err != nil {
		b.Fatal(err)
	}
	v, err := Parse(data, 64)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(buf[:0], v)
	}
}

// prefsDoc is a user with a custom JSON attribute of about size bytes, as
// BenchmarkCompare/patch-json-* builds it: sections of eight short strings
// and a number.
func prefsDoc(size int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"id":"u1","username":"joe@example.com","preferences":{`)
	for i := 0; sb.Len() < size; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"s%d":{`, i)
		for k := range 8 {
			fmt.Fprintf(&sb, `"k%d":"value-%04d-%d",`, k, i, k)
		}
		fmt.Fprintf(&sb, `"n":%d}`, 1000+i)
	}
	sb.WriteString("}}")
	return []byte(sb.String())
}

// BenchmarkParseLazy checks a 4 MiB document and reads its top level, with
// json.Valid on the same bytes for scale.
func BenchmarkParseLazy(b *testing.B) {
	data := prefsDoc(4 << 20)
	b.Run("lazy", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseLazy(data, 64); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if !json.Valid(data) {
				b.Fatal("not valid")
			}
		}
	})
	v, _ := ParseLazy(data, 64)
	prefs, _ := v.Get("preferences")
	b.Run("read-level", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			Expand(prefs)
		}
	})
}
