package jsonx

import (
	"os"
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
