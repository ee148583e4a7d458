package jsonx

// MergePatch applies an RFC 7396 JSON Merge Patch to target and returns the
// result (P6): objects merge recursively, null deletes a member at any depth,
// anything else replaces. An absent target is passed as Null. Neither
// argument is modified; the result may share unchanged parts with them.
// Member order: target's members first, in order, then new ones in patch
// order. Cost is linear in the sizes of target and patch.
func MergePatch(target, patch Value) Value {
	if patch.Kind != Object {
		return patch
	}
	var base []Member
	if target.Kind == Object {
		base = target.Members
	}
	find := Indexer(patch.Members)
	used := make([]bool, len(patch.Members))
	out := make([]Member, 0, len(base)+len(patch.Members))
	for _, m := range base {
		i := find(m.Name)
		if i < 0 {
			out = append(out, m)
			continue
		}
		used[i] = true
		p := patch.Members[i].Value
		if p.IsNull() {
			continue
		}
		out = append(out, Member{Name: m.Name, Value: MergePatch(m.Value, p)})
	}
	for i, m := range patch.Members {
		if used[i] || m.Value.IsNull() {
			continue
		}
		out = append(out, Member{Name: m.Name, Value: MergePatch(NullValue, m.Value)})
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
