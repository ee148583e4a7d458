package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzParse checks the reader against encoding/json: what Parse accepts,
// encoding/json accepts and decodes to the same value; what Parse writes
// back reads back equal; and a syntax error of Parse is one for
// encoding/json too, so E3.1 refuses nothing that is JSON for a syntax
// reason. ParseLazy gives the same errors and equal values. Neither may
// panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[1,2.5e3,-0,true,false,null],"b":{"c":"d\u00e9\n\"\\"}}`,
		`"plain ascii string of some length"`, `"\ud83d\ude00 😀 é"`, `{"a":1,"a":2}`,
		`[{"k0":"v","k1":"v","k2":"v","k3":"v","k4":"v","k5":"v","k6":"v","k7":"v","k8":"v","k9":"v","k10":"v","k11":"v","k12":"v","k13":"v","k14":"v","k15":"v","k16":"v"}]`,
		"\"\xff\"", `[1,]`, `{"a" 1}`, `123abc`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := bytes.Clone(data)
		v, err := Parse(data, 64)
		if !bytes.Equal(in, data) {
			t.Fatal("Parse modified its input")
		}
		// ParseLazy: the same error, or the same value unread.
		lazy, lerr := ParseLazy(data, 64)
		var fe, le *Error
		if errors.As(err, &fe) != errors.As(lerr, &le) || fe != nil && *fe != *le {
			t.Fatalf("Parse: %v; ParseLazy: %v", err, lerr)
		}
		shared, serr := ParseShared(data, 64)
		if (serr == nil) != (lerr == nil) || serr != nil && *serr.(*Error) != *le || serr == nil && !Equal(shared, lazy) {
			t.Fatalf("ParseLazy: %v; ParseShared: %v", lerr, serr)
		}
		if err == nil {
			lout := Append(nil, lazy)
			back, berr := Parse(lout, 64)
			if !Equal(lazy, v) || !Equal(v, lazy) || Size(lazy) != Size(v) || berr != nil || !Equal(back, v) {
				t.Fatalf("%q: the unread value differs (written as %q)", data, lout)
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *jsonx.Error", err)
			}
			if e.Problem == Syntax && json.Valid(data) {
				t.Fatalf("Parse: %v; encoding/json accepts %q", err, data)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("Parse accepted %q, encoding/json refuses it", data)
		}
		out := Append(nil, v)
		if len(out) != Size(v) {
			t.Fatalf("Size %d, Append wrote %d bytes", Size(v), len(out))
		}
		back, err := Parse(out, 64)
		if err != nil || !Equal(v, back) {
			t.Fatalf("%q written as %q reads back as %v, %v", data, out, back, err)
		}
		var want, got any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		dec = json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("encoding/json on our output %q: %v", out, err)
		}
		if !reflect.DeepEqual(want, got) || !reflect.DeepEqual(want, Any(v)) {
			t.Fatalf("%q: encoding/json reads %#v, our output %#v, Any %#v", data, want, got, Any(v))
		}
	})
}
