#!/bin/sh
# A private PostgreSQL 15 cluster in a directory, owned by the unprivileged
# 'postgres' user (initdb refuses root), reached over a Unix socket in the
# same directory and never over TCP.
#
#   scripts/pg.sh start DIR     create on first use, then start
#   scripts/pg.sh stop DIR
#   scripts/pg.sh url DIR DB    print the connection string
set -e
BIN=/usr/lib/postgresql/15/bin
cmd=$1
dir=$(realpath -m "$2")
as_pg() { runuser -u postgres -- "$@"; }

case "$cmd" in
start)
	mkdir -p "$dir"
	chown postgres "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
			--locale=C.UTF-8 --encoding=UTF8 >"$dir/initdb.log"
		cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
	fi
	if ! as_pg "$BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
	fi
	;;
stop)
	as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
url)
	echo "host=$dir dbname=$3 user=postgres"
	;;
*)
	echo "usage: $0 start|stop|url DIR [DB]" >&2
	exit 2
	;;
esac
