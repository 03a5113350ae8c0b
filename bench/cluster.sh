#!/bin/sh
# make bench-cluster: what more than one instance gives and costs, in one
# run, on the cluster of make cluster (scripts/cluster.sh) in a scratch
# directory: a primary, a synchronous standby, two instances of
# $BENCH_WORKERS workers (1) each, HAProxy in front.
#
#   read_direct_1    GET /api/v1/projects/{id}, one instance, direct
#   read_haproxy_1   the same through a HAProxy of its own that knows only
#                    that instance: what HAProxy costs
#   read_haproxy_2   the same through the cluster's HAProxy, two instances
#   write_local      POST .../events through HAProxy, the primary's
#                    synchronous_commit = local (flushed here only)
#   write_sync       the same with synchronous_commit = on (flushed here
#                    and on the standby before the commit returns)
#   write_*_1c       the same two at one connection: what synchronous
#                    commit adds to one write's latency
#
# wrk over HTTPS with keep-alive at 64 connections (the *_1c rows, one).
# The machine is shared, so each row runs $BENCH_RUNS (3) times for
# $BENCH_SECONDS (5) s, the rows it is compared with in turn between its
# runs, and its line is the median run by req/s (its errors: all runs').
# Prints one table and writes bench/results/cluster-<time>.json.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DUR=${BENCH_SECONDS:-5}
RUNS=${BENCH_RUNS:-3}
CONNS=64
WORKERS=${BENCH_WORKERS:-1}
PROJECTS=20000
BIN=$ROOT/build/release/pipelined
DIR=$(mktemp -d /tmp/pipelined-bench-cluster.XXXXXX)
chmod 755 "$DIR"
# shellcheck source=bench/lib.sh
. bench/lib.sh

free_port() { scripts/free-port.sh; }

CLUSTER_DIR=$DIR/cluster
CLUSTER_PORT=$(free_port)
P1=$(free_port)
P2=$(free_port)
ONE_PORT=$(free_port)
CLUSTER_INSTANCE_PORTS="$P1 $P2"
export CLUSTER_DIR CLUSTER_PORT CLUSTER_INSTANCE_PORTS
CLUSTER_PID=""
cleanup() {
	if [ -f "$DIR/haproxy1.pid" ]; then
		kill "$(cat "$DIR/haproxy1.pid")" 2>/dev/null || true
	fi
	if [ -n "$CLUSTER_PID" ]; then
		kill -TERM "$CLUSTER_PID" 2>/dev/null || true
		wait "$CLUSTER_PID" 2>/dev/null || true
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench: the cluster (primary, synchronous standby, 2 instances of $WORKERS workers, HAProxy)..."
CLUSTER_DEMO=0 CLUSTER_ACCESS_LOG=off CLUSTER_WORKERS=$WORKERS \
	CLUSTER_EXTRA_CONF="rate_limit_per_second 1000000
rate_limit_burst 1000000" \
	scripts/cluster.sh up >"$DIR/cluster.out" 2>&1 &
CLUSTER_PID=$!
i=0
while [ ! -f "$CLUSTER_DIR/ready" ]; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 "$CLUSTER_PID" 2>/dev/null; then
		cat "$DIR/cluster.out" >&2
		echo "bench: the cluster did not start" >&2
		exit 1
	fi
	sleep 0.1
done
PRIMARY="host=$CLUSTER_DIR/primary dbname=pipeline user=postgres"
as_pg_primary() { runuser -u postgres -- psql -h "$CLUSTER_DIR/primary" -d pipeline -XAtqc "$1"; }

echo "bench: $PROJECTS projects..."
psql "$PRIMARY" -q -v ON_ERROR_STOP=1 -v projects=$PROJECTS -v year=2024 \
	-f bench/gen.sql >/dev/null
psql "$PRIMARY" -Atqc "SELECT id FROM projects" >"$DIR/ids.txt"
BENCH_KEY=$(DATABASE_URL=$PRIMARY "$BIN" -c /dev/null key create --role editor --name bench 2>/dev/null)
BENCH_IDS=$DIR/ids.txt
export BENCH_KEY BENCH_IDS

# A HAProxy that knows only instance 1, as the cluster's knows both.
sed -e "s/bind 127.0.0.1:$CLUSTER_PORT/bind 127.0.0.1:$ONE_PORT/" \
	-e "/server instance2 /d" "$CLUSTER_DIR/haproxy.cfg" >"$DIR/haproxy1.cfg"
haproxy -db -f "$DIR/haproxy1.cfg" >"$DIR/haproxy1.log" 2>&1 &
echo $! >"$DIR/haproxy1.pid"
i=0
until curl -sk "https://127.0.0.1:$ONE_PORT/ready" 2>/dev/null | grep -q ready; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "bench: HAProxy (one instance) did not start" >&2; exit 1; }
	sleep 0.1
done

RESULTS=$DIR/results.txt
: >"$RESULTS"
# One row: "name rps p50 p99 errors requests".
bench_one() { # name port connections script
	wrk -t"$([ "$3" -gt 1 ] && echo 2 || echo 1)" -c"$3" -d"${DUR}s" --latency \
		-s "$4" "https://127.0.0.1:$2/" >"$DIR/wrk.out" 2>&1
	bench_wrk_row "$1" "$DIR/wrk.out" >>"$RESULTS"
}
sync_commit() { # on|local
	as_pg_primary "ALTER SYSTEM SET synchronous_commit = $1" >/dev/null
	as_pg_primary "SELECT pg_reload_conf()" >/dev/null
	sleep 1
}

[ "$(as_pg_primary "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'")" = sync ] ||
	{ echo "bench: the standby is not synchronous" >&2; exit 1; }
for r in $(seq "$RUNS"); do
	echo "bench: reads, run $r of $RUNS..."
	bench_one read_direct_1 "$P1" $CONNS bench/get_project.lua
	bench_one read_haproxy_1 "$ONE_PORT" $CONNS bench/get_project.lua
	bench_one read_haproxy_2 "$CLUSTER_PORT" $CONNS bench/get_project.lua
done
for r in $(seq "$RUNS"); do
	echo "bench: writes, run $r of $RUNS..."
	sync_commit local
	bench_one write_local "$CLUSTER_PORT" $CONNS bench/post_event.lua
	bench_one write_local_1c "$CLUSTER_PORT" 1 bench/post_event.lua
	sync_commit on
	bench_one write_sync "$CLUSTER_PORT" $CONNS bench/post_event.lua
	bench_one write_sync_1c "$CLUSTER_PORT" 1 bench/post_event.lua
done

mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results/cluster-$STAMP.json
awk -v out="$OUT" -v workers="$WORKERS" -v dur="$DUR" -v conns="$CONNS" \
    -v projects="$PROJECTS" -v cores="$(nproc)" -v runs="$RUNS" '
{
	n = $1;
	if (!(n in count)) order[++rows] = n;
	k = ++count[n];
	run_rps[n, k] = $2; run_p50[n, k] = $3; run_p99[n, k] = $4;
	err[n] += $5;
}
# The median run by req/s (the lower middle one of an even number).
function pick(n,   i, j, c, best) {
	for (i = 1; i <= count[n]; i++) {
		c = 0;
		for (j = 1; j <= count[n]; j++)
			c += run_rps[n, j] < run_rps[n, i] || (run_rps[n, j] == run_rps[n, i] && j < i);
		if (c == int((count[n] - 1) / 2)) best = i;
	}
	rps[n] = run_rps[n, best]; p50[n] = run_p50[n, best]; p99[n] = run_p99[n, best];
}
END {
	for (i = 1; i <= rows; i++) pick(order[i]);
	printf "\n%d projects; %d connections (*_1c: 1); instances of %d workers; median of %d runs of %ds; %d cores for everything\n\n", projects, conns, workers, runs, dur, cores;
	printf "%-15s %9s %8s %8s %7s  %s\n", "row", "req/s", "p50 ms", "p99 ms", "errors", "ratio";
	for (i = 1; i <= rows; i++) {
		n = order[i];
		r = "";
		if (n == "read_haproxy_1") r = sprintf("%.2fx read_direct_1 (HAProxy alone)", rps[n] / rps["read_direct_1"]);
		if (n == "read_haproxy_2") r = sprintf("%.2fx read_direct_1", rps[n] / rps["read_direct_1"]);
		if (n == "write_sync") r = sprintf("%.2fx write_local req/s, p50 %+.2f ms", rps[n] / rps["write_local"], p50[n] - p50["write_local"]);
		if (n == "write_sync_1c") r = sprintf("%.2fx write_local_1c req/s, p50 %+.2f ms a write", rps[n] / rps["write_local_1c"], p50[n] - p50["write_local_1c"]);
		printf "%-15s %9d %8.2f %8.2f %7d  %s\n", n, rps[n], p50[n], p99[n], err[n], r;
		json = json sprintf("%s\"%s\":{\"rps\":%d,\"p50_ms\":%s,\"p99_ms\":%s,\"errors\":%d}", sep, n, rps[n], p50[n], p99[n], err[n]);
		sep = ",";
	}
	printf "{\"workers_per_instance\":%d,\"connections\":%d,\"seconds\":%d,\"runs\":%d,\"rows\":{%s}}\n", workers, conns, dur, runs, json > out;
	printf "\nwritten to %s\n", out;
}' "$RESULTS"
