package server

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
)

// A Store holds user documents, by environment and id (H8). Documents are
// stored exactly as the library returned them, with a version for
// compare-and-swap, and with the unique keys the server computed for them,
// which the store keeps unique within an environment, also under concurrent
// requests (H6). Implementations must be safe for concurrent use; the
// server's contract test (server/storetest) checks one.
type Store interface {
	// Get returns a user's document and version, or ErrNotFound.
	Get(ctx context.Context, env, id string) (Record, error)
	// Create stores a new user. It fails with ErrExists when the id is
	// taken and with a *KeyTakenError when another user of the environment
	// holds one of the keys.
	Create(ctx context.Context, env string, r Record) (Record, error)
	// Update replaces a user's document and keys when its version is still
	// version (compare-and-swap), and returns the new record. It fails with
	// ErrNotFound, ErrConflict when the version moved on, and *KeyTakenError.
	Update(ctx context.Context, env string, r Record, version int64) (Record, error)
	// Put stores a document as it is, replacing any user of that id and
	// keeping no keys: the control API's write (H9).
	Put(ctx context.Context, env, id string, doc []byte) error
	// Delete removes a user, or fails with ErrNotFound.
	Delete(ctx context.Context, env, id string) error
	// List returns up to limit users of the environment whose ids come
	// after the id after ("" for the first), in increasing byte order of
	// their ids.
	List(ctx context.Context, env, after string, limit int) ([]Record, error)
	// DeleteEnvironment removes every user of the environment.
	DeleteEnvironment(ctx context.Context, env string) error
}

// Record is one stored user.
type Record struct {
	ID      string
	Doc     []byte
	Version int64
	// Keys are the user's unique keys ("username\x00joe@example.com"); the
	// store refuses a key another user of the environment holds.
	Keys []string
}

// The errors of a Store.
var (
	ErrNotFound = errors.New("server: no such user")
	ErrExists   = errors.New("server: a user with that id exists")
	ErrConflict = errors.New("server: the user changed since it was read")
)

// KeyTakenError says that another user holds a unique key.
type KeyTakenError struct {
	Key        string
	ExistingID string
}

func (e *KeyTakenError) Error() string {
	attr, _, _ := strings.Cut(e.Key, "\x00")
	return "server: user " + e.ExistingID + " already holds this " + attr
}

// KeyAttribute returns the attribute path of a unique key.
func KeyAttribute(key string) string {
	attr, _, _ := strings.Cut(key, "\x00")
	return attr
}

// MemoryStore is a Store in memory, the server's default. The zero value is
// not usable; call NewMemoryStore.
type MemoryStore struct {
	mu   sync.Mutex
	envs map[string]*memEnv
}

type memEnv struct {
	users map[string]Record
	keys  map[string]string // key -> user id
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{envs: map[string]*memEnv{}} }

func (s *MemoryStore) env(name string) *memEnv {
	e := s.envs[name]
	if e == nil {
		e = &memEnv{users: map[string]Record{}, keys: map[string]string{}}
		s.envs[name] = e
	}
	return e
}

func clone(r Record) Record {
	r.Doc = slices.Clone(r.Doc)
	r.Keys = slices.Clone(r.Keys)
	return r
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, env, id string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.env(env).users[id]
	if !ok {
		return Record{}, ErrNotFound
	}
	return clone(r), nil
}

// taken returns the first key of keys another user than id holds.
func (e *memEnv) taken(id string, keys []string) error {
	for _, k := range keys {
		if owner, ok := e.keys[k]; ok && owner != id {
			return &KeyTakenError{Key: k, ExistingID: owner}
		}
	}
	return nil
}

func (e *memEnv) setKeys(id string, old, keys []string) {
	for _, k := range old {
		if e.keys[k] == id {
			delete(e.keys, k)
		}
	}
	for _, k := range keys {
		e.keys[k] = id
	}
}

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, env string, r Record) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.env(env)
	if _, ok := e.users[r.ID]; ok {
		return Record{}, ErrExists
	}
	if err := e.taken(r.ID, r.Keys); err != nil {
		return Record{}, err
	}
	r = clone(r)
	r.Version = 1
	e.users[r.ID] = r
	e.setKeys(r.ID, nil, r.Keys)
	return clone(r), nil
}

// Update implements Store.
func (s *MemoryStore) Update(_ context.Context, env string, r Record, version int64) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.env(env)
	cur, ok := e.users[r.ID]
	switch {
	case !ok:
		return Record{}, ErrNotFound
	case cur.Version != version:
		return Record{}, ErrConflict
	}
	if err := e.taken(r.ID, r.Keys); err != nil {
		return Record{}, err
	}
	r = clone(r)
	r.Version = version + 1
	e.users[r.ID] = r
	e.setKeys(r.ID, cur.Keys, r.Keys)
	return clone(r), nil
}

// Put implements Store.
func (s *MemoryStore) Put(_ context.Context, env, id string, doc []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.env(env)
	cur, ok := e.users[id]
	version := int64(1)
	if ok {
		version = cur.Version + 1
		e.setKeys(id, cur.Keys, nil)
	}
	e.users[id] = Record{ID: id, Doc: slices.Clone(doc), Version: version}
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, env, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.env(env)
	cur, ok := e.users[id]
	if !ok {
		return ErrNotFound
	}
	e.setKeys(id, cur.Keys, nil)
	delete(e.users, id)
	return nil
}

// List implements Store.
func (s *MemoryStore) List(_ context.Context, env, after string, limit int) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.env(env)
	ids := make([]string, 0, len(e.users))
	for id := range e.users {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]Record, len(ids))
	for i, id := range ids {
		out[i] = clone(e.users[id])
	}
	return out, nil
}

// DeleteEnvironment implements Store.
func (s *MemoryStore) DeleteEnvironment(_ context.Context, env string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.envs, env)
	return nil
}
