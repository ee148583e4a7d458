package fuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"pgregory.net/rapid"
)

// marshal writes v (built of map[string]any, []any, string, json.Number,
// bool and nil) as compact JSON with sorted object members and without
// HTML escaping.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("fuzz: writing a generated value: %v", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// decode reads a JSON value, keeping numbers as json.Number so that their
// text survives (O4).
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("fuzz: data after the JSON value")
	}
	return v, nil
}

// decodeObject reads a JSON object.
func decodeObject(data []byte) (map[string]any, error) {
	v, err := decode(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("fuzz: the JSON value is not an object")
	}
	return m, nil
}

// mustObject reads a JSON object the caller promises is one (a generated
// or documented-valid stored document).
func mustObject(data []byte) map[string]any {
	m, err := decodeObject(data)
	if err != nil {
		panic(fmt.Sprintf("fuzz: the stored document is not a JSON object: %v", err))
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// clone copies a decoded JSON value deeply.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = clone(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = clone(x)
		}
		return s
	}
	return v
}

// numberTexts returns JSON number texts that a float64 round trip would
// change or that look alike but differ (O4, O5).
func numberTexts() []string {
	return []string{"0", "1", "-1", "1.0", "12345678901234567890", "3.14159", "1e5", "-0.5", "100"}
}

// jsonValue draws any JSON value but null, nested at most depth levels.
func jsonValue(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any { return drawJSON(t, depth, false) })
}

// mergePatchValue draws a JSON value that may hold null members (RFC 7396
// deletions), never null itself.
func mergePatchValue(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any { return drawJSON(t, depth, true) })
}

// drawJSON draws a JSON value; nulls allows null object members.
func drawJSON(t *rapid.T, depth int, nulls bool) any {
	kinds := 4
	if depth > 0 {
		kinds = 6
	}
	switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
	case 0:
		return anyText(0, 8).Draw(t, "string")
	case 1:
		return json.Number(rapid.SampledFrom(numberTexts()).Draw(t, "number"))
	case 2:
		return rapid.Bool().Draw(t, "bool")
	case 3:
		return anyText(0, 3).Draw(t, "short string")
	case 4:
		n := rapid.IntRange(0, 3).Draw(t, "items")
		s := make([]any, n)
		for i := range s {
			s[i] = drawJSON(t, depth-1, false)
		}
		return s
	default:
		m := map[string]any{}
		for n := rapid.IntRange(0, 3).Draw(t, "members"); n > 0; n-- {
			k := rapid.SampledFrom([]string{"a", "b", "c", "k1", "Ж"}).Draw(t, "member")
			if nulls && rapid.IntRange(0, 3).Draw(t, "null member") == 0 {
				m[k] = nil
				continue
			}
			m[k] = drawJSON(t, depth-1, nulls)
		}
		return m
	}
}
