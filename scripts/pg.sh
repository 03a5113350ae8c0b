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

# The 'postgres' user must be able to enter dir; a clone under /root
# (mode 700) is out of its reach. Then the cluster lives under
# /var/lib/pipelined, one directory per clone, and DIR links to it.
relocate() {
	mkdir -p "$(dirname "$dir")"
	if as_pg test -x "$(dirname "$dir")"; then
		return
	fi
	alt=/var/lib/pipelined/pg-$(printf %s "$dir" | sha256sum | cut -c1-16)
	mkdir -p "$alt"
	chmod 755 /var/lib/pipelined
	ln -s "$alt" "$dir"
	echo "pg: postgres cannot enter $(dirname "$dir"); the cluster is in $alt ($dir links to it)" >&2
	dir=$alt
}

case "$cmd" in
start)
	[ -e "$dir" ] || [ -L "$dir" ] || relocate
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
