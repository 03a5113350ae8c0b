#!/bin/sh
# make bench: the service against the ceilings of this machine, in one run.
#
# A throwaway PostgreSQL with 100,000 generated projects and their events;
# pipelined built with optimization and without sanitizers, access log off;
# wrk over HTTPS with keep-alive at 64 connections. In the same run: nginx
# serving a static JSON document over TLS with the same number of workers
# (the HTTP ceiling) and pgbench running the same one-row SELECT, prepared,
# at the same concurrency (the database ceiling). A new event on projects
# of 10,000 events is measured beside one on fresh projects, the ratio in
# the last column (bench/history.sql). Full TLS handshakes per second,
# the key manager against the key in the worker, for ECDSA P-256 and
# RSA-2048 (bench/handshake.sh). Prints one table and
# writes bench/results/<time>.json. Every number is measured here.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DUR=${BENCH_SECONDS:-10}
CONNS=64
WORKERS=$(nproc)
PROJECTS=100000
BIN=$ROOT/build/release/pipelined
DIR=$(mktemp -d /tmp/pipelined-bench.XXXXXX)
chmod 755 "$DIR"
SRV_PORT=${BENCH_PORT:-18443}
NGX_PORT=${BENCH_NGINX_PORT:-18444}
. bench/lib.sh
trap 'bench_cleanup "$DIR"' EXIT INT TERM

echo "bench: PostgreSQL and $PROJECTS projects..."
bench_db "$DIR" bench
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v projects=$PROJECTS -v year=2024 \
	-f bench/gen.sql >/dev/null
psql "$DATABASE_URL" -Atqc "SELECT id FROM projects" >"$DIR/ids.txt"
# The history rows' projects (bench/history.sql), apart from the others.
HISTORIES=16
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v n=$HISTORIES \
	-f bench/history.sql >/dev/null
psql "$DATABASE_URL" -Atqc "SELECT id FROM projects WHERE name LIKE '长历史项目%' ORDER BY seq" >"$DIR/long.txt"
psql "$DATABASE_URL" -Atqc "SELECT id FROM projects WHERE name LIKE '新项目%' ORDER BY seq" >"$DIR/fresh.txt"
export BENCH_TODAY=$(TZ=Asia/Shanghai date +%F)
EVENTS=$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM project_events")
export BENCH_KEY=$($BIN -c /dev/null key create --role editor --name bench 2>/dev/null)
export BENCH_IDS="$DIR/ids.txt"
bench_serve "$DIR" $SRV_PORT "workers $WORKERS"

cat >"$DIR/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $DIR/nginx.pid;
error_log $DIR/nginx.err;
user root;
events { worker_connections 4096; }
http {
	access_log off;
	# nginx closes a keep-alive connection after 1,000 requests by
	# default, and the new TLS handshake costs it about a tenth of its
	# throughput here; pipelined sets no such limit, so neither does the
	# ceiling.
	keepalive_requests 1000000000;
	server {
		listen 127.0.0.1:$NGX_PORT ssl;
		ssl_certificate $DIR/server.crt;
		ssl_certificate_key $DIR/server.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		location / {
			default_type application/json;
			return 200 '{"status":"ok"}';
		}
	}
}
CONF
nginx -c "$DIR/nginx.conf" -p "$DIR"

# Runs wrk; prints "rps p50_ms p99_ms errors requests".
# WRK_CONNS and WRK_THREADS, when set, replace 64 connections on 2 threads.
run_wrk() { # url [script]
	c=${WRK_CONNS:-$CONNS}
	t=${WRK_THREADS:-2}
	if [ -n "${2:-}" ]; then
		wrk -t$t -c$c -d${DUR}s --latency -s "$2" "$1" >"$DIR/wrk.out" 2>&1
	else
		wrk -t$t -c$c -d${DUR}s --latency "$1" >"$DIR/wrk.out" 2>&1
	fi
	bench_wrk_row - "$DIR/wrk.out" | cut -d' ' -f2-
}

RESULTS="$DIR/results.txt"
: >"$RESULTS"
# Prints "rps p50_ms p99_ms errors requests cpu0 cpu1 rss_mb" for one run
# against the server whose master is pid.
measure() { # pid url [script]
	cpu0=$(server_cpu "$1")
	row=$(run_wrk "$2" "${3:-}")
	echo "$row $cpu0 $(server_cpu "$1") $(worker_rss "$1")"
}

bench_one() { # name url script
	echo "$1 $(measure $SRV_PID "$2" "${3:-}")" >>"$RESULTS"
	echo "bench: $1 done"
}

echo "bench: ceilings..."
cp bench/pgbench_get.sql "$DIR/"
NGX=$(measure "$(cat "$DIR/nginx.pid")" "https://127.0.0.1:$NGX_PORT/health")
runuser -u postgres -- pgbench -h "$DIR/pg" -n -M prepared -c $CONNS -j 2 \
	-T "$DUR" -f "$DIR/pgbench_get.sql" bench >"$DIR/pgbench.out" 2>&1

PGB_TPS=$(awk '/^tps/ { printf "%.0f", $3; exit }' "$DIR/pgbench.out")
PGB_LAT=$(awk '/latency average/ { print $4; exit }' "$DIR/pgbench.out")

echo "bench: pipelined..."
U="https://127.0.0.1:$SRV_PORT"
bench_one health "$U/health"
# The same read on a server whose limiter is its own (issue 18): what the
# shared one (a lease from PostgreSQL per 100 requests) costs. The two
# alternate, 3 runs each, and each row is its median run, since the
# difference sought is smaller than one run's noise here.
mkdir -p "$DIR/local"
cp "$DIR/server.crt" "$DIR/server.key" "$DIR/local/"
MAIN_PID=$SRV_PID
bench_serve "$DIR/local" $((SRV_PORT + 2)) "workers $WORKERS" "rate_limit_shared off"
LOCAL_PID=$SRV_PID
SRV_PID=$MAIN_PID
for run in 1 2 3; do
	echo "get_project $(measure $MAIN_PID "$U/" bench/get_project.lua)" >>"$DIR/gp_shared"
	echo "get_project_local $(measure $LOCAL_PID "https://127.0.0.1:$((SRV_PORT + 2))/" bench/get_project.lua)" >>"$DIR/gp_local"
done
kill $LOCAL_PID && wait $LOCAL_PID 2>/dev/null || true
for f in gp_shared gp_local; do
	sort -n -k2 "$DIR/$f" | sed -n 2p >>"$RESULTS"
done
echo "bench: get_project, get_project_local done"
bench_one list_projects "$U/" bench/list_projects.lua
bench_one post_event "$U/" bench/post_event.lua
# A new event on a project of 10,000 events against one on a fresh
# project: 16 projects of each, written in turn by 4 connections, so that
# what is measured is the event, not two writers of one project. Dated
# today, as events are recorded; then, for the record, backdated into
# the long histories, which the whole replay still checks.
export WRK_CONNS=4 WRK_THREADS=1
BENCH_HISTORY_IDS="$DIR/fresh.txt" bench_one post_fresh "$U/" bench/post_event_history.lua
BENCH_HISTORY_IDS="$DIR/long.txt" bench_one post_10k "$U/" bench/post_event_history.lua
BENCH_HISTORY_IDS="$DIR/long.txt" BENCH_BACKDATED=1 bench_one post_10k_past "$U/" bench/post_event_history.lua
unset WRK_CONNS WRK_THREADS
BENCH_PATH="/api/v1/stats/pipeline?year=2024&by=area" bench_one pipeline "$U/" bench/auth_get.lua
bench_one pipeline_days "$U/" bench/pipeline_days.lua
# A field client's queue (issue 12): batches of 200 new reports, at 8
# connections (each batch is 200 writes); reports/s in the last column.
export WRK_CONNS=8
bench_one report_batch "$U/" bench/report_batch.lua
unset WRK_CONNS
# 3 MB photos, 4 uploads at a time: MB/s, and the worker's RSS meanwhile.
bench/photos.sh "$RESULTS" "$DIR" "$SRV_PORT" "$SRV_PID"
# Full TLS handshakes, the key manager against the key in the worker
# (issue 21), on servers of their own: tls_* rows.
bench/handshake.sh "$RESULTS"

mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results/$STAMP.json
awk -v ngx="$NGX" -v pgb="$PGB_TPS" -v pgl="$PGB_LAT" -v out="$OUT" \
    -v projects="$PROJECTS" -v events="$EVENTS" -v conns="$CONNS" \
    -v workers="$WORKERS" -v dur="$DUR" '
BEGIN {
	split(ngx, n, " ");
	printf "\n%d projects, %d events; %d connections, %d workers, %ds per run\n\n", projects, events, conns, workers, dur;
	printf "%-14s %9s %8s %8s %12s %9s %7s %s\n", "route", "req/s", "p50 ms", "p99 ms", "cpu s/1000", "rss MB", "errors", "ratio to ceiling";
	nper = n[5] > 0 ? (n[7] - n[6]) / n[5] * 1000 : 0;
	printf "%-14s %9d %8.2f %8.2f %12.4f %9.1f %7d %s\n", "nginx static", n[1], n[2], n[3], nper, n[8], n[4], "(HTTP ceiling)";
	printf "%-14s %9d %8s %8s %12s %9s %7s %s\n", "pgbench", pgb, pgl, "-", "-", "-", "-", "(database ceiling)";
	json = sprintf("{\"projects\":%d,\"events\":%d,\"connections\":%d,\"workers\":%d,\"seconds\":%d,\"nginx\":{\"rps\":%d,\"p50_ms\":%s,\"p99_ms\":%s,\"cpu_s_per_1000\":%.4f,\"worker_rss_mb\":%s,\"errors\":%d},\"pgbench\":{\"tps\":%d},\"routes\":{", projects, events, conns, workers, dur, n[1], n[2], n[3], nper, n[8], n[4], pgb);
}
{
	name = $1; rps = $2; p50 = $3; p99 = $4; err = $5; reqs = $6; cpu = $8 - $7; rss = $9;
	per = reqs > 0 ? cpu / reqs * 1000 : 0;
	if (name == "health") ratio = sprintf("%.2fx nginx", rps / n[1]);
	else if (name == "get_project") { gp_rps = rps; ratio = sprintf("%.0f%% of pgbench", 100 * rps / pgb); }
	else if (name == "get_project_local" && rps > 0) ratio = sprintf("(own limiter) get_project: %.0f%% of it", 100 * gp_rps / rps);
	else if (name == "post_fresh") { fresh_rps = rps; fresh_p50 = p50; ratio = "(4 connections)"; }
	else if (name ~ /^post_10k/ && fresh_rps > 0 && p50 > 0)
		ratio = sprintf("%.2fx post_fresh p50, %.2fx its req/s", p50 / fresh_p50, rps / fresh_rps);
	else if (name == "report_batch") ratio = sprintf("%d reports/s (8 connections)", rps * 200);
	else if (name == "photo_3mb") ratio = sprintf("%.1f MB/s of photos, 4 at a time; rss: the most seen while they went", $10);
	else if (name ~ /^tls_.*_wrk$/) { wrk_rps = rps; wrk_per = per; tls = 1; ratio = "(key in worker)"; }
	else if (name ~ /^tls_.*_km$/ && wrk_rps > 0 && wrk_per > 0) {
		km = rps / wrk_rps;
		ratio = sprintf("%.0f%% of key in worker, %.2fx its cpu; wait per signature %d us (max %.1f ms)", 100 * km, per / wrk_per, $10, $11 / 1000);
	} else ratio = "";
	printf "%-14s %9d %8.2f %8.2f %12.4f %9.1f %7d %s\n", name, rps, p50, p99, per, rss, err, ratio;
	json = json sprintf("%s\"%s\":{\"rps\":%d,\"p50_ms\":%s,\"p99_ms\":%s,\"cpu_s_per_1000\":%.4f,\"worker_rss_mb\":%s,\"errors\":%d", sep, name, rps, p50, p99, per, rss, err);
	if (km != "") json = json sprintf(",\"vs_key_in_worker\":%.3f,\"key_wait_us\":%d,\"key_wait_max_us\":%d", km, $10, $11);
	json = json "}";
	km = "";
	sep = ",";
}
END {
	print json "}}" > out;
	if (tls) printf "\ntls_*: full TLS handshakes/s (no resumption), ECDSA P-256 or RSA-2048,\nkey manager (km) or key in worker (wrk); median of 3 runs, 64 connections;\ncpu per 1,000 handshakes, master and children\n";
	printf "\nwritten to %s\n", out
}' "$RESULTS"
