#!/bin/sh
# make cluster, make cluster-promote: the service as it runs on more than
# one machine, on one machine, on loopback.
#
#   scripts/cluster.sh up            a PostgreSQL primary and a streaming,
#                                    synchronous standby cloned from it
#                                    with pg_basebackup, two pipelined
#                                    instances, HAProxy in front; in the
#                                    foreground, Ctrl-C stops everything
#   scripts/cluster.sh promote       promotes the standby, once the
#                                    primary is gone (as an operator
#                                    would; Patroni does it in production)
#   scripts/cluster.sh kill-primary  kill -9 of every process of the
#                                    primary: the failure to recover from
#   scripts/cluster.sh restart       a rolling restart of the instances,
#                                    one after the other, as an upgrade
#                                    of the binary would go
#
# The clusters live in $CLUSTER_DIR/primary and $CLUSTER_DIR/standby
# (default var/cluster), each reached over a Unix socket in its own
# directory, never over TCP. Each instance's database_url names both, with
# target_session_attrs=read-write: libpq skips the one that is down or a
# standby, so on its next reconnect an instance finds whichever is the
# primary by itself.
#
# Started again after a promotion, `up` makes the promoted standby the
# primary (its data moves to primary/) and clones a new standby from it:
# the old primary's data is from before the failover, and starting it
# beside the new one would give two primaries.
#
# Environment (the tests and make bench-cluster set these):
#   CLUSTER_DIR             var/cluster
#   CLUSTER_PORT            8443, HAProxy's port
#   CLUSTER_INSTANCE_PORTS  "18501 18502", one instance per port
#   CLUSTER_WORKERS         1, workers per instance
#   CLUSTER_DEMO            1: load the demo data when the cluster is new
#   CLUSTER_ACCESS_LOG      stdout (each instance's log), or off
#   CLUSTER_BIN             build/release/pipelined
#   CLUSTER_EXTRA_CONF      more lines for each instance's configuration
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PGBIN=/usr/lib/postgresql/15/bin
BIN=${CLUSTER_BIN:-$ROOT/build/release/pipelined}
DIR=${CLUSTER_DIR:-var/cluster}
HTTPS_PORT=${CLUSTER_PORT:-8443}
INSTANCE_PORTS=${CLUSTER_INSTANCE_PORTS:-18501 18502}
WORKERS=${CLUSTER_WORKERS:-1}
DEMO=${CLUSTER_DEMO:-1}
ACCESS_LOG=${CLUSTER_ACCESS_LOG:-stdout}
EXTRA_CONF=${CLUSTER_EXTRA_CONF:-}

as_pg() { runuser -u postgres -- "$@"; }
say() { echo "cluster: $*"; }

# PostgreSQL (user postgres) and the workers (user pipelined) must reach
# the sockets under DIR; a checkout under /root is out of their reach, so
# the clusters then live under /var/lib and DIR is a link to them.
place_dir() {
	if [ ! -e "$DIR" ]; then
		mkdir -p "$(dirname "$DIR")"
		if runuser -u postgres -- test -x "$(realpath "$(dirname "$DIR")")"; then
			mkdir -p "$DIR"
		else
			target=/var/lib/pipelined-cluster/$(printf %s "$(realpath -m "$DIR")" | cksum | cut -d' ' -f1)
			mkdir -p "$target"
			chmod 755 /var/lib/pipelined-cluster "$target"
			ln -s "$target" "$DIR"
			say "$(realpath "$(dirname "$DIR")") is out of postgres's reach: the data is in $target ($DIR links there)"
		fi
	fi
	DIR=$(realpath "$DIR")
	chmod 755 "$DIR"
}

# The role's own settings go on the command line, not in the files the
# clone copies: its socket and its name (a standby's name is the
# application_name it streams as, which synchronous_standby_names names).
# A standby never waits for a standby of its own: promoted, it commits
# locally, since it has none.
pg_start() { # primary|standby
	d=$DIR/$1
	opts="-c unix_socket_directories=$d -c cluster_name=$1"
	[ "$1" = primary ] || opts="$opts -c synchronous_standby_names=''"
	if ! as_pg "$PGBIN/pg_ctl" -D "$d/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 120 \
			-o "$opts" start >/dev/null
	fi
}

# On the primary: whether each commit waits for the standby to have
# flushed it (synchronous replication) or returns once flushed locally.
# Off while there is no standby to wait for, or every write would wait.
set_sync() { # standby|''
	psql_primary "ALTER SYSTEM SET synchronous_standby_names = '$1'" >/dev/null
	psql_primary "SELECT pg_reload_conf()" >/dev/null
}

pg_stop() { # primary|standby
	as_pg "$PGBIN/pg_ctl" -D "$DIR/$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

psql_primary() { # SQL
	as_pg psql -h "$DIR/primary" -d "${DB:-postgres}" -XAtqc "$1"
}

init_primary() {
	d=$DIR/primary
	mkdir -p "$d"
	chown postgres "$d"
	as_pg "$PGBIN/initdb" -D "$d/data" -U postgres --auth=trust \
		--locale=C.UTF-8 --encoding=UTF8 >"$d/initdb.log"
	# What both roles share: the standby's clone copies this file.
	cat >>"$d/data/postgresql.conf" <<CONF
listen_addresses = ''
max_connections = 200
shared_buffers = 128MB
fsync = on
# With synchronous_standby_names (set by scripts/cluster.sh once the
# standby streams), a commit returns once the standby has flushed it.
synchronous_commit = on
wal_level = replica
max_wal_senders = 5
hot_standby = on
CONF
	pg_start primary
	as_pg createdb -h "$d" pipeline
	say "made the primary in $d"
}

# A new standby: a base backup of the primary, streaming with a
# replication slot (the primary keeps the WAL it has not received).
clone_standby() {
	d=$DIR/standby
	rm -rf "$d"
	mkdir -p "$d"
	chown postgres "$d"
	psql_primary "SELECT pg_drop_replication_slot('standby') FROM pg_replication_slots WHERE slot_name = 'standby'" >/dev/null
	as_pg "$PGBIN/pg_basebackup" -h "$DIR/primary" -U postgres -D "$d/data" \
		-X stream -R -C -S standby -c fast
	say "cloned the standby from the primary with pg_basebackup into $d"
}

# The standby was promoted (it has no standby.signal) while the primary's
# data is from before: the promoted one becomes the primary.
adopt_promoted() {
	say "the standby was promoted: it becomes the primary, and a new standby is cloned from it"
	pg_stop standby
	pg_stop primary
	rm -rf "$DIR/primary/data"
	mv "$DIR/standby/data" "$DIR/primary/data"
	rm -f "$DIR/primary/data/standby.signal"
}

wait_streaming() { # async|sync
	i=0
	while [ "$(psql_primary "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby' AND state = 'streaming'")" != "$1" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			say "the standby does not stream; see $DIR/standby/server.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

url() {
	echo "host=$DIR/primary,$DIR/standby port=5432,5432 dbname=pipeline user=postgres target_session_attrs=read-write"
}

read_url() {
	echo "host=$DIR/standby,$DIR/primary port=5432,5432 dbname=pipeline user=postgres target_session_attrs=prefer-standby"
}

instance_conf() { # n port
	cat >"$DIR/instance$1.conf" <<CONF
# Instance $1 of make cluster (written by scripts/cluster.sh).
port $2
workers $WORKERS
tls_certificate $DIR/tls/server.crt
tls_certificate_key $DIR/tls/server.key
# Both clusters; libpq connects to the one that takes writes.
database_url $(url)
# Lists, figures, alerts and the change feed from the standby while it is
# less than replica_max_lag_ms behind (else from the primary); libpq
# prefers the standby and falls back to the primary.
database_read_url $(read_url)
replica_max_lag_ms 500
db_reconnect_max_ms 1000
access_log $ACCESS_LOG
# HAProxy passes TLS through and connects from 127.0.0.2, opening each
# connection with a PROXY protocol v2 header that names the client: the
# per-address limits, the access log and the audit rows see the client,
# not HAProxy. From anywhere else (127.0.0.1: these scripts and the
# tests, straight to an instance) a connection is plain TLS.
proxy_protocol_from 127.0.0.2/32
# SIGTERM (a rolling restart): /ready turns 503 at once and the instance
# keeps serving, with Connection: close, until HAProxy's check (every
# 500 ms, down after 2) has taken it out; then it closes its port.
drain_accept_ms 1500
CONF
	if [ -n "$RUN_USER" ] && runuser -u "$RUN_USER" -- test -x "$DIR/primary"; then
		echo "user $RUN_USER" >>"$DIR/instance$1.conf"
	fi
	[ -z "$KEYS_USER" ] || echo "key_manager_user $KEYS_USER" >>"$DIR/instance$1.conf"
	[ -z "$EXTRA_CONF" ] || echo "$EXTRA_CONF" >>"$DIR/instance$1.conf"
}

# One backend over every instance, health-checked on path: from
# 127.0.0.2, with a PROXY protocol v2 header (the instances'
# proxy_protocol_from), the checks too.
haproxy_backend() { # name path
	cat <<CONF

backend $1
	balance roundrobin
	option httpchk
	http-check send meth GET uri $2 ver HTTP/1.1 hdr Host 127.0.0.1
	http-check expect status 200
	default-server check check-ssl verify none inter 500ms fall 2 rise 1
	default-server source 127.0.0.2 send-proxy-v2 check-send-proxy
CONF
	n=0
	for p in $INSTANCE_PORTS; do
		n=$((n + 1))
		printf '\tserver instance%d 127.0.0.1:%s\n' "$n" "$p"
	done
}

haproxy_conf() {
	{
		cat <<CONF
# HAProxy in front of the instances of make cluster (scripts/cluster.sh).
# TCP mode: TLS passes through to the instances, which terminate it.
global
	log stderr format raw daemon
	maxconn 8192
CONF
		if [ "$(id -u)" -eq 0 ] && id -u haproxy >/dev/null 2>&1; then
			printf '\tuser haproxy\n\tgroup haproxy\n'
		fi
		cat <<CONF

defaults
	mode tcp
	log global
	option tcplog
	timeout connect 1s
	# Longer than an instance's keepalive_timeout (60 s): the instance
	# closes an idle connection, not HAProxy.
	timeout client 70s
	timeout server 70s
	timeout check 2s
	# A connection refused by an instance that died goes to another.
	retries 3
	option redispatch 1

frontend https
	bind 127.0.0.1:$HTTPS_PORT
	# While no instance is ready (the database is failing over), the
	# instances still alive take the connections and answer 503 with
	# Retry-After, rather than HAProxy closing them.
	use_backend ready if { nbsrv(ready) gt 0 }
	default_backend alive

CONF
		# "ready" takes the clients while any instance's /ready says so;
		# "alive" (checked on /health) when none does.
		haproxy_backend ready /ready
		haproxy_backend alive /health
	} >"$DIR/haproxy.cfg"
}

wait_https() { # port path what log
	i=0
	until curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$1$2" 2>/dev/null | grep -q 200; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			say "$3 did not answer $2 on port $1; see $4" >&2
			exit 1
		fi
		sleep 0.1
	done
}

PIDS=""
stop_all() {
	trap - EXIT INT TERM
	rm -f "$DIR/ready"
	say "stopping"
	# The instances as started, and as restarted since (restart).
	for f in "$DIR"/instance*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	pg_stop primary
	pg_stop standby
	say "stopped; the data stays in $DIR"
}

up() {
	[ -x "$BIN" ] || { say "no $BIN: build it first (make cluster does)" >&2; exit 1; }
	for p in $HTTPS_PORT $INSTANCE_PORTS; do
		if ss -Hltn "sport = :$p" | grep -q .; then
			say "port $p is in use (CLUSTER_PORT, CLUSTER_INSTANCE_PORTS)" >&2
			exit 1
		fi
	done
	place_dir
	rm -f "$DIR/ready"
	trap stop_all EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ -f "$DIR/standby/data/PG_VERSION" ] && [ ! -f "$DIR/standby/data/standby.signal" ]; then
		adopt_promoted
	fi
	if [ -f "$DIR/primary/data/PG_VERSION" ]; then
		pg_start primary
		set_sync ""
	else
		rm -rf "$DIR/standby"
		init_primary
	fi
	URL1="host=$DIR/primary dbname=pipeline user=postgres"
	DATABASE_URL=$URL1 "$BIN" -c /dev/null migrate
	if [ ! -f "$DIR/demo-loaded" ] && [ "$DEMO" = 1 ]; then
		psql "$URL1" -q -v ON_ERROR_STOP=1 -o /dev/null -f sql/demo/demo.sql
		touch "$DIR/demo-loaded"
		say "loaded the demo data (amounts are illustrative)"
	fi
	if [ ! -s "$DIR/admin-key" ]; then
		(umask 077 && DATABASE_URL=$URL1 "$BIN" -c /dev/null key create \
			--role admin --name "make cluster admin" >"$DIR/admin-key")
	fi
	[ -f "$DIR/standby/data/PG_VERSION" ] || clone_standby
	pg_start standby
	wait_streaming async
	set_sync standby
	wait_streaming sync
	say "the standby streams from the primary, synchronously"

	scripts/cert.sh "$DIR/tls" >/dev/null
	RUN_USER=$(scripts/user.sh)
	KEYS_USER=$(scripts/user.sh pipelined-keys)
	n=0
	for p in $INSTANCE_PORTS; do
		n=$((n + 1))
		instance_conf $n "$p"
		"$BIN" -c "$DIR/instance$n.conf" >>"$DIR/instance$n.log" 2>&1 &
		echo $! >"$DIR/instance$n.pid"
		PIDS="$PIDS $!"
	done
	n=0
	for p in $INSTANCE_PORTS; do
		n=$((n + 1))
		wait_https "$p" /ready "instance $n" "$DIR/instance$n.log"
	done
	haproxy_conf
	haproxy -c -q -f "$DIR/haproxy.cfg"
	haproxy -db -f "$DIR/haproxy.cfg" >>"$DIR/haproxy.log" 2>&1 &
	echo $! >"$DIR/haproxy.pid"
	PIDS="$PIDS $!"
	wait_https "$HTTPS_PORT" /ready HAProxy "$DIR/haproxy.log"

	echo
	echo "cluster: https://127.0.0.1:$HTTPS_PORT    HAProxy (TLS passed through), checks /ready"
	n=0
	for p in $INSTANCE_PORTS; do
		n=$((n + 1))
		echo "cluster: https://127.0.0.1:$p   instance $n, log $DIR/instance$n.log"
	done
	echo "cluster: primary  host=$DIR/primary dbname=pipeline user=postgres"
	echo "cluster: standby  host=$DIR/standby dbname=pipeline user=postgres (read-only, synchronous)"
	echo "cluster: the instances' database_url: $(url)"
	echo "cluster: admin key (kept in $DIR/admin-key): $(cat "$DIR/admin-key")"
	echo "cluster: failover: scripts/cluster.sh kill-primary, then make cluster-promote"
	echo "cluster: Ctrl-C stops everything"
	touch "$DIR/ready"
	# Whatever dies, the rest serves on until Ctrl-C: the tests kill an
	# instance and the primary on purpose.
	while :; do
		sleep 1 &
		wait $! || true
	done
}

# Whether the primary's postmaster runs: its process exists and has not
# exited (pg_ctl status takes a zombie, not yet reaped, for alive).
primary_alive() {
	pid=$(head -1 "$DIR/primary/data/postmaster.pid" 2>/dev/null) || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
	grep -q postgres "/proc/$pid/cmdline" 2>/dev/null
}

promote() {
	DIR=$(realpath "$DIR")
	if primary_alive; then
		say "the primary is still running: promoting the standby beside it would make two primaries. Stop it first (scripts/cluster.sh kill-primary)." >&2
		exit 1
	fi
	if [ ! -f "$DIR/standby/data/standby.signal" ]; then
		say "the standby in $DIR/standby is not a standby (promoted already?)" >&2
		exit 1
	fi
	t0=$(date +%s%N)
	as_pg "$PGBIN/pg_ctl" -D "$DIR/standby/data" -w -t 60 promote >/dev/null
	t1=$(date +%s%N)
	say "promoted the standby in $(((t1 - t0) / 1000000)) ms; it is the primary now, with no standby: commits are local until the next make cluster clones one"
}

kill_primary() {
	DIR=$(realpath "$DIR")
	pid=$(head -1 "$DIR/primary/data/postmaster.pid" 2>/dev/null) || {
		say "the primary is not running" >&2
		exit 1
	}
	# The postmaster leads its own process group (pg_ctl starts it with
	# setsid): every backend, the WAL sender and writer die at once.
	# (procps's kill: the shell's own may not take a negative id.)
	/bin/kill -KILL -- "-$pid"
	while primary_alive; do sleep 0.05; done
	say "killed the primary's processes (group $pid)"
}

# Whether pid runs (a zombie, not yet reaped by the shell of `up`, has
# stopped).
running() { # pid
	[ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Each instance in turn: SIGTERM drains it (/ready 503 at once, so HAProxy
# takes it out within its check's second; served meanwhile with
# Connection: close; its port closes after drain_accept_ms, and what is in
# flight finishes); once it has exited it starts again from its
# configuration and the binary now in place, and the next waits until
# HAProxy has it back.
restart() {
	DIR=$(realpath "$DIR")
	n=0
	for p in $INSTANCE_PORTS; do
		n=$((n + 1))
		pid=$(cat "$DIR/instance$n.pid")
		kill -TERM "$pid"
		while running "$pid"; do sleep 0.05; done
		"$BIN" -c "$DIR/instance$n.conf" >>"$DIR/instance$n.log" 2>&1 &
		echo $! >"$DIR/instance$n.pid"
		wait_https "$p" /ready "instance $n" "$DIR/instance$n.log"
		# HAProxy's check (every 500 ms, rise 1) puts it back.
		sleep 1
		say "restarted instance $n (pid $(cat "$DIR/instance$n.pid"))"
	done
}

case "${1:-up}" in
up) up ;;
promote) promote ;;
kill-primary) kill_primary ;;
restart) restart ;;
*)
	echo "usage: $0 up|promote|kill-primary" >&2
	exit 2
	;;
esac
