package jsonx

// MergePatch applies an RFC 7396 JSON Merge Patch to target and returns the
// result (P6): objects merge recursively, null deletes a member at any depth,
// anything else replaces. An absent target is passed as Null. Neither
// argument is modified; the result may share unchanged parts with them,
// unread ones included. Member order: target's members first, in order,
// then new ones in patch order. Cost is linear in the sizes of target and
// patch: an unread target is read one level, and the parts of it the patch
// descends into are read once with every object in them (readObjects); the
// arrays, which a merge only keeps or replaces, stay unread.
func MergePatch(target, patch Value) Value { return mergePatch(target, patch, false) }

func mergePatch(target, patch Value, nested bool) Value {
	if patch.Kind != Object {
		return patch
	}
	if patch.unread() {
		patch = readObjects(patch.Str)
	}
	next := func() (string, Value, bool) { return "", Value{}, false }
	size := 0
	if target.Kind == Object {
		if nested && target.unread() {
			target = readObjects(target.Str)
		}
		// The first level of an unread target is walked in place, straight
		// into the result, sized by the parser's count (BenchmarkCompare/
		// patch-json-4096k: reading it into a slice first cost a second
		// slice of its members).
		next = memberIter(target)
		if n, ok := target.known(); ok || !target.unread() {
			size = max(n, len(target.ms()))
		}
	}
	find := Indexer(patch.ms())
	used := make([]bool, len(patch.ms()))
	out := make([]Member, 0, size+len(patch.ms()))
	for {
		name, v, ok := next()
		if !ok {
			break
		}
		if len(out) == cap(out) {
			out = append(make([]Member, 0, 2*cap(out)+4), out...) // doubling, as readLevel
		}
		i := find(name)
		if i < 0 {
			out = append(out, Member{Name: name, Value: v})
			continue
		}
		used[i] = true
		p := patch.ms()[i].Value
		if p.IsNull() {
			continue
		}
		out = append(out, Member{Name: name, Value: mergePatch(v, p, true)})
	}
	for i, m := range patch.ms() {
		if used[i] || m.Value.IsNull() {
			continue
		}
		out = append(out, Member{Name: m.Name, Value: mergePatch(NullValue, m.Value, true)})
	}
	return Obj(out)
}

// Indexer returns a lookup of member names (-1 when absent): a scan for
// small objects, a map for large ones.
func Indexer(ms []Member) func(string) int {
	if len(ms) <= 8 {
		return func(name string) int { return Index(ms, name) }
	}
	idx := make(map[string]int, len(ms))
	for i, m := range ms {
		idx[m.Name] = i
	}
	return func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		return -1
	}
}
