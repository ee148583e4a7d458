package apply

import (
	"hash/maphash"

	"github.com/amendlib/amend/internal/jsonx"
)

// document is the working copy of a user document: the stored members, with
// the request's sets and removals applied. Look-ups go through an index once
// the document is large, so a request touching many attributes of a stored
// document with many members stays linear (L5). Values may be unread
// (jsonx.ParseLazy): those the request does not touch go to the output as
// they were read.
type document struct {
	orig  []jsonx.Member // the stored members, read only
	ms    []jsonx.Member // the current members: orig's at the same positions, then new ones
	index *nameIndex     // positions in ms by name; nil for small documents
	dead  []bool         // positions removed; nil until something is removed
	// read[i] is orig[i]'s value read one level, once readAt made it: an
	// attribute the request looks at more than once is read once
	// (BenchmarkHostile/stored-name-many-members).
	read  []jsonx.Value
	isSet []bool // positions of orig whose value the request set; nil until one is
}

// indexFrom is the size from which the document is indexed: below it a scan
// is cheaper than building a map (BenchmarkCompare/patch-title: PingOne's
// example user has 20 members).
const indexFrom = 32

func newDocument(stored []jsonx.Member, extra int) document {
	d := document{orig: stored, ms: append(make([]jsonx.Member, 0, len(stored)+extra+1), stored...)}
	if len(stored) >= indexFrom {
		d.index = newNameIndex(len(stored) + extra)
		for i := range stored {
			d.index.insert(d.ms, i)
		}
	}
	return d
}

// nameIndex finds members by name: an open-addressing hash table of
// positions, four bytes a slot and at most half full, which for a stored
// document of many members takes an eighth of what a map of names does
// (BenchmarkHostile/stored-many-members-put).
type nameIndex struct {
	slots []int32 // position + 1; 0 is empty
	n     int
	seed  maphash.Seed
}

func newNameIndex(n int) *nameIndex {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return &nameIndex{slots: make([]int32, size), seed: maphash.MakeSeed()}
}

// find returns the position of name in ms, or -1.
func (x *nameIndex) find(ms []jsonx.Member, name string) int {
	mask := uint64(len(x.slots) - 1)
	for j := maphash.String(x.seed, name) & mask; ; j = (j + 1) & mask {
		k := x.slots[j]
		if k == 0 {
			return -1
		}
		if ms[k-1].Name == name {
			return int(k - 1)
		}
	}
}

// insert adds the position i of ms, whose name the index does not hold.
func (x *nameIndex) insert(ms []jsonx.Member, i int) {
	if 2*(x.n+1) > len(x.slots) {
		old := x.slots
		x.slots, x.n = make([]int32, 2*len(old)), 0
		for _, k := range old {
			if k != 0 {
				x.insert(ms, int(k-1))
			}
		}
	}
	mask := uint64(len(x.slots) - 1)
	j := maphash.String(x.seed, ms[i].Name) & mask
	for x.slots[j] != 0 {
		j = (j + 1) & mask
	}
	x.slots[j] = int32(i + 1)
	x.n++
}

// find returns the position of name in ms, removed or not, or -1.
func (d *document) find(name string) int {
	if d.index != nil {
		return d.index.find(d.ms, name)
	}
	return jsonx.Index(d.ms, name)
}

func (d *document) alive(i int) bool { return i >= 0 && (d.dead == nil || !d.dead[i]) }

// get returns the current value of name.
func (d *document) get(name string) (jsonx.Value, bool) {
	i := d.find(name)
	if !d.alive(i) {
		return jsonx.Value{}, false
	}
	if i < len(d.orig) && (d.isSet == nil || !d.isSet[i]) {
		return d.readAt(i), true
	}
	return d.ms[i].Value, true
}

// stored returns the stored value of name, whatever the request did to it.
func (d *document) stored(name string) (jsonx.Value, bool) {
	if i := d.find(name); i >= 0 && i < len(d.orig) {
		return d.readAt(i), true
	}
	return jsonx.Value{}, false
}

// original returns the stored value of name as it was parsed, unread when
// it was: for a value compared or merged in place (a JSON attribute, an
// array), reading it would only cost memory (BenchmarkCompare/patch-json-4096k).
func (d *document) original(name string) (jsonx.Value, bool) {
	if i := d.find(name); i >= 0 && i < len(d.orig) {
		return d.orig[i].Value, true
	}
	return jsonx.Value{}, false
}

// readAt returns the stored object at i read one level, reading it once.
// Other values are returned as they are: an unread array or a JSON value is
// walked in place by whoever looks at it.
func (d *document) readAt(i int) jsonx.Value {
	v := d.orig[i].Value
	if v.Kind != jsonx.Object {
		return v
	}
	if d.read == nil {
		d.read = make([]jsonx.Value, len(d.orig))
	}
	if d.read[i].Kind != jsonx.Object {
		d.read[i] = jsonx.Expand(v)
	}
	return d.read[i]
}

// set gives name the value v: in place when present (removed or not), at the
// end otherwise.
func (d *document) set(name string, v jsonx.Value) {
	if i := d.find(name); i >= 0 {
		if i < len(d.orig) {
			if d.isSet == nil {
				d.isSet = make([]bool, len(d.orig))
			}
			d.isSet[i] = true
		}
		d.ms[i].Value = v
		if d.dead != nil {
			d.dead[i] = false
		}
		return
	}
	d.ms = append(d.ms, jsonx.Member{Name: name, Value: v})
	if d.index != nil {
		d.index.insert(d.ms, len(d.ms)-1)
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
