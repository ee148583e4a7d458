package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/server"
	"github.com/amendlib/amend/server/pgstore"
	"github.com/amendlib/amend/user"
)

const serveUsage = `Usage: amend serve [--addr HOST:PORT] [--env FILE]... [--tokens FILE] [--db URL] [--control]

Serves PingOne's user endpoints with amend's rules (rules H1-H9 of
docs/semantics.md; docs/server.md): a PingOne users API double on a
loopback address by default. One request log line per request goes to
standard error. SIGINT or SIGTERM shuts it down gracefully.

Without --env it serves one environment, "env", with the standard user
schema. Without --tokens it makes one random token for an Identity Data
Admin with ORGANIZATION scope and prints it on standard error.

Examples:
  amend serve
  amend serve --addr 127.0.0.1:8080 --env testdata/samples/workforce-env.json --tokens tokens.json
  amend serve --control --addr 127.0.0.1:8080    # for amend conform --target
`

// envFlags collects repeated --env flags.
type envFlags []string

func (e *envFlags) String() string     { return strings.Join(*e, ",") }
func (e *envFlags) Set(s string) error { *e = append(*e, s); return nil }

func serveFlags(fs *flag.FlagSet) func([]string, stdio) (int, error) {
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on, HOST:PORT; a loopback one unless you mean to expose it\n(port 0 picks a free port, printed on standard error)")
	var envs envFlags
	fs.Var(&envs, "env", "an environment, a JSON `file` holding the environment object of the conformance case format;\nits \"id\" (default \"env\") is the {envID} of its URLs; repeat --env for several")
	tokens := fs.String("tokens", "", "the tokens, a JSON `file` mapping each bearer token to an actor object:\n{\"admin-token\": {\"type\": \"ADMIN\", \"roles\": [...]}, \"joe-token\": {\"type\": \"USER\", \"userId\": \"...\", \"scopes\": [...]}}")
	db := fs.String("db", "", "keep users in PostgreSQL at this `URL` (postgres://user@host:5432/db); default: in memory")
	control := fs.Bool("control", false, "mount the control API under /__amend/ (rule H9), for conformance runs:\nit writes any document and sets the clock, so never use it outside tests")
	baseURL := fs.String("base-url", "", "the absolute `URL` of the server's root in links (default: the scheme and Host of each request)")
	return func(args []string, std stdio) (int, error) {
		if err := noArgs(args); err != nil {
			return 0, err
		}
		cfg := server.Config{Environments: map[string]user.Config{}, Control: *control, BaseURL: *baseURL,
			Logger: slog.New(slog.NewTextHandler(std.err, nil))}
		for _, path := range envs {
			c, err := readConfig(path)
			if err != nil {
				return 0, err
			}
			id := c.ID
			if id == "" {
				id = user.DefaultEnvironmentID
			}
			if _, dup := cfg.Environments[id]; dup {
				return 0, fmt.Errorf("--env %s: environment %q is given twice", path, id)
			}
			cfg.Environments[id] = c
		}
		if len(envs) == 0 {
			cfg.Environments[user.DefaultEnvironmentID] = user.Config{}
		}
		var err error
		if cfg.Tokens, err = readTokens(*tokens, std); err != nil {
			return 0, err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if *db != "" {
			store, err := pgstore.Open(ctx, *db, "")
			if err != nil {
				return 0, fmt.Errorf("--db: %v", err)
			}
			defer store.Close()
			cfg.Store = store
		}
		s, err := server.New(cfg)
		if err != nil {
			return 0, err
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return 0, fmt.Errorf("--addr %s: %v", *addr, err)
		}
		hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
		fmt.Fprintf(std.err, "amend serve: listening on http://%s (control API %s)\n", ln.Addr(), map[bool]string{true: "on", false: "off"}[*control])
		done := make(chan error, 1)
		go func() { done <- hs.Serve(ln) }()
		select {
		case err := <-done:
			return exitFailed, err
		case <-ctx.Done():
		}
		fmt.Fprintln(std.err, "amend serve: shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			return exitFailed, err
		}
		return exitOK, nil
	}
}

// readTokens reads --tokens, or makes one random Identity Data Admin token.
func readTokens(path string, std stdio) (map[string]policy.Actor, error) {
	if path == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		token := hex.EncodeToString(b[:])
		fmt.Fprintf(std.err, "amend serve: token for an Identity Data Admin (ORGANIZATION): %s\n", token)
		return map[string]policy.Actor{token: defaultActor()}, nil
	}
	data, err := readFile("--tokens", path)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return nil, fmt.Errorf("--tokens %s: want a JSON object mapping tokens to actors", path)
	}
	out := map[string]policy.Actor{}
	for token, a := range raw {
		var actor policy.Actor
		if err := decodeStrict(a, &actor); err != nil {
			return nil, fmt.Errorf("--tokens %s: token %q: %v", path, token, err)
		}
		if token == "" {
			return nil, fmt.Errorf("--tokens %s: a token is empty", path)
		}
		out[token] = actor
	}
	if len(out) == 0 {
		return nil, errors.New("--tokens " + path + ": no token")
	}
	return out, nil
}
