package patch

import "github.com/amendlib/amend/internal/jsonx"

// MergePatch applies an RFC 7396 JSON Merge Patch to target and returns the
// result (P6): objects merge recursively, null deletes a member at any depth,
// anything else replaces. An absent target is passed as Null. Neither
// argument is modified; the result may share unchanged parts with them.
// Member order: target's members first, in order, then new ones in patch
// order. Cost is linear in the sizes of target and patch.
func MergePatch(target, patch jsonx.Value) jsonx.Value {
	if patch.Kind != jsonx.Object {
		return patch
	}
	var base []jsonx.Member
	if target.Kind == jsonx.Object {
		base = target.Members
	}
	find := indexer(patch.Members)
	used := make([]bool, len(patch.Members))
	out := make([]jsonx.Member, 0, len(base)+len(patch.Members))
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
		out = append(out, jsonx.Member{Name: m.Name, Value: MergePatch(m.Value, p)})
	}
	for i, m := range patch.Members {
		if used[i] || m.Value.IsNull() {
			continue
		}
		out = append(out, jsonx.Member{Name: m.Name, Value: MergePatch(jsonx.NullValue, m.Value)})
	}
	return jsonx.Obj(out)
}

// indexer returns a lookup of member names (-1 when absent): a scan for
// small objects, a map for large ones.
func indexer(ms []jsonx.Member) func(string) int {
	if len(ms) <= 8 {
		return func(name string) int { return jsonx.Index(ms, name) }
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
