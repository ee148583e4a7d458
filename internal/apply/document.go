package apply

import "github.com/amendlib/amend/internal/jsonx"

// document is the working copy of a user document: the stored members, with
// the request's sets and removals applied. Look-ups go through an index once
// the document is large, so a request touching many attributes of a stored
// document with many members stays linear (L5).
type document struct {
	orig  []jsonx.Member // the stored members, read only
	ms    []jsonx.Member // the current members: orig's at the same positions, then new ones
	index map[string]int // name -> position in ms; nil for small documents
	dead  []bool         // positions removed; nil until something is removed
}

// indexFrom is the size from which the document is indexed: below it a scan
// is cheaper than building a map (BenchmarkCompare/patch-title: PingOne's
// example user has 20 members).
const indexFrom = 32

func newDocument(stored []jsonx.Member, extra int) document {
	d := document{orig: stored, ms: append(make([]jsonx.Member, 0, len(stored)+extra+1), stored...)}
	if len(stored) >= indexFrom {
		d.index = make(map[string]int, len(stored)+extra)
		for i, m := range stored {
			d.index[m.Name] = i
		}
	}
	return d
}

// find returns the position of name in ms, removed or not, or -1.
func (d *document) find(name string) int {
	if d.index != nil {
		if i, ok := d.index[name]; ok {
			return i
		}
		return -1
	}
	return jsonx.Index(d.ms, name)
}

func (d *document) alive(i int) bool { return i >= 0 && (d.dead == nil || !d.dead[i]) }

// get returns the current value of name.
func (d *document) get(name string) (jsonx.Value, bool) {
	if i := d.find(name); d.alive(i) {
		return d.ms[i].Value, true
	}
	return jsonx.Value{}, false
}

// stored returns the stored value of name, whatever the request did to it.
func (d *document) stored(name string) (jsonx.Value, bool) {
	if i := d.find(name); i >= 0 && i < len(d.orig) {
		return d.orig[i].Value, true
	}
	return jsonx.Value{}, false
}

// set gives name the value v: in place when present (removed or not), at the
// end otherwise.
func (d *document) set(name string, v jsonx.Value) {
	if i := d.find(name); i >= 0 {
		d.ms[i].Value = v
		if d.dead != nil {
			d.dead[i] = false
		}
		return
	}
	d.ms = append(d.ms, jsonx.Member{Name: name, Value: v})
	if d.index != nil {
		d.index[name] = len(d.ms) - 1
	}
	if d.dead != nil {
		d.dead = append(d.dead, false)
	}
}

// del removes name.
func (d *document) del(name string) {
	i := d.find(name)
	if !d.alive(i) {
		return
	}
	if d.dead == nil {
		d.dead = make([]bool, len(d.ms), cap(d.ms))
	}
	d.dead[i] = true
}

// members returns the current members in order.
func (d *document) members() []jsonx.Member {
	if d.dead == nil {
		return d.ms
	}
	out := make([]jsonx.Member, 0, len(d.ms))
	for i, m := range d.ms {
		if !d.dead[i] {
			out = append(out, m)
		}
	}
	return out
}
