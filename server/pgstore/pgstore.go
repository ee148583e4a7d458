// Package pgstore is a server.Store on PostgreSQL (H8), with
// github.com/jackc/pgx/v5: durable users for the reference server, and a
// model for a store of your own.
//
// Documents are stored as text, exactly as the library returned them (no
// jsonb normalisation), with a version column for compare-and-swap. The
// case-insensitive uniqueness of username is a unique index on the folded
// username; other unique values are rows of a table with a unique key, so
// uniqueness holds under concurrent transactions (H6). Ids sort in byte
// order (COLLATE "C"), as the in-memory store's do.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/amendlib/amend/server"
)

// Store is a server.Store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	users  string // the quoted, schema-qualified table names
	values string
}

// Open connects to the database at url (postgres://...) and creates the
// store's tables in schema ("" means the connection's default) when they do
// not exist. Close the Store when done.
func Open(ctx context.Context, url, schema string) (*Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s, err := New(ctx, pool, schema)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// New uses an open pool and creates the store's tables in schema when they
// do not exist. The pool stays the caller's.
func New(ctx context.Context, pool *pgxpool.Pool, schema string) (*Store, error) {
	prefix := ""
	if schema != "" {
		prefix = pgx.Identifier{schema}.Sanitize() + "."
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return nil, fmt.Errorf("pgstore: creating the schema: %w", err)
		}
	}
	s := &Store{pool: pool, users: prefix + "amend_users", values: prefix + "amend_unique_values"}
	ddl := `
CREATE TABLE IF NOT EXISTS ` + s.users + ` (
	env          text   NOT NULL,
	id           text   NOT NULL COLLATE "C",
	doc          text   NOT NULL,
	version      bigint NOT NULL,
	username_key text,
	PRIMARY KEY (env, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS amend_users_username ON ` + s.users + ` (env, username_key);
CREATE TABLE IF NOT EXISTS ` + s.values + ` (
	env   text NOT NULL,
	attr  text NOT NULL,
	value text NOT NULL,
	id    text NOT NULL COLLATE "C",
	PRIMARY KEY (env, attr, value),
	FOREIGN KEY (env, id) REFERENCES ` + s.users + ` (env, id) ON DELETE CASCADE
);`
	if _, err := pool.Exec(ctx, ddl); err != nil {
		return nil, fmt.Errorf("pgstore: creating the tables: %w", err)
	}
	return s, nil
}

// Close closes the store's connections when Open made them.
func (s *Store) Close() { s.pool.Close() }

// split separates the username key, which has a column of its own, from
// the other unique keys.
func split(keys []string) (username *string, rest [][2]string) {
	for _, k := range keys {
		attr, value, _ := strings.Cut(k, "\x00")
		if attr == "username" {
			v := value
			username = &v
			continue
		}
		rest = append(rest, [2]string{attr, value})
	}
	return username, rest
}

func join(attr, value string) string { return attr + "\x00" + value }

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// owner finds which other user holds one of the keys.
func (s *Store) owner(ctx context.Context, env, id string, keys []string) error {
	username, rest := split(keys)
	if username != nil {
		var other string
		err := s.pool.QueryRow(ctx, `SELECT id FROM `+s.users+` WHERE env = $1 AND username_key = $2 AND id <> $3`, env, *username, id).Scan(&other)
		if err == nil {
			return &server.KeyTakenError{Key: join("username", *username), ExistingID: other}
		}
	}
	for _, kv := range rest {
		var other string
		err := s.pool.QueryRow(ctx, `SELECT id FROM `+s.values+` WHERE env = $1 AND attr = $2 AND value = $3 AND id <> $4`, env, kv[0], kv[1], id).Scan(&other)
		if err == nil {
			return &server.KeyTakenError{Key: join(kv[0], kv[1]), ExistingID: other}
		}
	}
	return nil
}

// keyConflict turns a unique violation into the KeyTakenError of its key,
// looked up after the transaction rolled back; when the other user went
// meanwhile, it is a conflict to retry.
func (s *Store) keyConflict(ctx context.Context, env, id string, keys []string) error {
	if err := s.owner(ctx, env, id, keys); err != nil {
		return err
	}
	return server.ErrConflict
}

// Get implements server.Store.
func (s *Store) Get(ctx context.Context, env, id string) (server.Record, error) {
	r := server.Record{ID: id}
	var doc string
	err := s.pool.QueryRow(ctx, `SELECT doc, version FROM `+s.users+` WHERE env = $1 AND id = $2`, env, id).Scan(&doc, &r.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return server.Record{}, server.ErrNotFound
	}
	if err != nil {
		return server.Record{}, fmt.Errorf("pgstore: %w", err)
	}
	r.Doc = []byte(doc)
	return r, nil
}

func (s *Store) insertValues(ctx context.Context, tx pgx.Tx, env, id string, rest [][2]string) error {
	for _, kv := range rest {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.values+` (env, attr, value, id) VALUES ($1, $2, $3, $4)`, env, kv[0], kv[1], id); err != nil {
			return err
		}
	}
	return nil
}

// Create implements server.Store.
func (s *Store) Create(ctx context.Context, env string, r server.Record) (server.Record, error) {
	username, rest := split(r.Keys)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO `+s.users+` (env, id, doc, version, username_key) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (env, id) DO NOTHING`,
			env, r.ID, string(r.Doc), username)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return server.ErrExists
		}
		return s.insertValues(ctx, tx, env, r.ID, rest)
	})
	switch {
	case isUnique(err):
		if kerr := s.owner(ctx, env, r.ID, r.Keys); kerr != nil {
			return server.Record{}, kerr
		}
		return server.Record{}, fmt.Errorf("pgstore: a unique value is taken by a user being removed: %w", err)
	case err != nil && !errors.Is(err, server.ErrExists):
		return server.Record{}, fmt.Errorf("pgstore: %w", err)
	case err != nil:
		return server.Record{}, err
	}
	r.Version = 1
	return r, nil
}

// Update implements server.Store.
func (s *Store) Update(ctx context.Context, env string, r server.Record, version int64) (server.Record, error) {
	username, rest := split(r.Keys)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE `+s.users+` SET doc = $3, version = version + 1, username_key = $5 WHERE env = $1 AND id = $2 AND version = $4`,
			env, r.ID, string(r.Doc), version, username)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT true FROM `+s.users+` WHERE env = $1 AND id = $2`, env, r.ID).Scan(&exists); errors.Is(err, pgx.ErrNoRows) {
				return server.ErrNotFound
			}
			return server.ErrConflict
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.values+` WHERE env = $1 AND id = $2`, env, r.ID); err != nil {
			return err
		}
		return s.insertValues(ctx, tx, env, r.ID, rest)
	})
	switch {
	case isUnique(err):
		return server.Record{}, s.keyConflict(ctx, env, r.ID, r.Keys)
	case errors.Is(err, server.ErrNotFound), errors.Is(err, server.ErrConflict):
		return server.Record{}, err
	case err != nil:
		return server.Record{}, fmt.Errorf("pgstore: %w", err)
	}
	r.Version = version + 1
	return r, nil
}

// Put implements server.Store.
func (s *Store) Put(ctx context.Context, env, id string, doc []byte) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.users+` (env, id, doc, version) VALUES ($1, $2, $3, 1)
ON CONFLICT (env, id) DO UPDATE SET doc = excluded.doc, version = `+s.users+`.version + 1, username_key = NULL`, env, id, string(doc)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM `+s.values+` WHERE env = $1 AND id = $2`, env, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}

// Delete implements server.Store.
func (s *Store) Delete(ctx context.Context, env, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM `+s.users+` WHERE env = $1 AND id = $2`, env, id)
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return server.ErrNotFound
	}
	return nil
}

// List implements server.Store.
func (s *Store) List(ctx context.Context, env, after string, limit int) ([]server.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, doc, version FROM `+s.users+` WHERE env = $1 AND id > $2 ORDER BY id LIMIT $3`, env, after, limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (server.Record, error) {
		var r server.Record
		var doc string
		err := row.Scan(&r.ID, &doc, &r.Version)
		r.Doc = []byte(doc)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return out, nil
}

// DeleteEnvironment implements server.Store.
func (s *Store) DeleteEnvironment(ctx context.Context, env string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM `+s.users+` WHERE env = $1`, env); err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}

var _ server.Store = (*Store)(nil)
