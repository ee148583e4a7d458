#!/usr/bin/env bash
# Starts a throw-away PostgreSQL for the store contract tests (H8): Debian's
# postgresql package (installed when missing), a cluster made by initdb in a
# temporary directory, listening on a loopback port only. Source it, then
# call pg_start; it exports AMEND_TEST_POSTGRES and arranges pg_stop.
#   . .ci/postgres.sh && pg_start
set -euo pipefail

pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
	done
	return 1
}

pg_install() {
	if pg_bindir >/dev/null; then return 0; fi
	echo "== installing Debian's postgresql package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq postgresql >/dev/null
	pg_bindir >/dev/null
}

# pg_run runs a PostgreSQL program as the postgres system user when this
# shell is root (initdb refuses root), as the current user otherwise.
pg_run() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	pg_install
	local bin port
	bin=$(pg_bindir)
	PG_DIR=$(mktemp -d /tmp/amend-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
	port=${AMEND_PG_PORT:-$((20000 + RANDOM % 20000))}
	pg_run "$bin/initdb" -D "$PG_DIR/data" -U amend --auth=trust --no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log"; return 1; }
	pg_run "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null ||
		{ cat "$PG_DIR/server.log"; return 1; }
	PG_BIN=$bin
	export AMEND_TEST_POSTGRES="postgres://amend@127.0.0.1:$port/postgres?sslmode=disable"
	trap pg_stop EXIT
	echo "== PostgreSQL on 127.0.0.1:$port ($PG_DIR)"
}

pg_stop() {
	if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
		pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
		rm -rf "$PG_DIR"
	fi
}
