#!/bin/sh
# make bench-figures: latency of the figures on the issue's data set —
# 1,000,000 projects, about 5,000,000 events, 100,000 signed in 2024 —
# for the current knowledge, with known_at, and of the alerts list; then
# the plans that bound them (EXPLAIN ANALYZE). One client at a time, so the
# numbers are each request's own latency.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DUR=${BENCH_SECONDS:-10}
PROJECTS=${BENCH_PROJECTS:-1000000}
BIN=$ROOT/build/release/pipelined
DIR=$(mktemp -d /tmp/pipelined-figures.XXXXXX)
chmod 755 "$DIR"
PORT=${BENCH_PORT:-18445}
cleanup() {
	[ -n "${SRV_PID:-}" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null || true
	scripts/pg.sh stop "$DIR/pg"
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

echo "figures: generating $PROJECTS projects (a few minutes)..."
scripts/pg.sh start "$DIR/pg"
runuser -u postgres -- createdb -h "$DIR/pg" figures
export DATABASE_URL=$(scripts/pg.sh url "$DIR/pg" figures)
$BIN -c /dev/null migrate >/dev/null
t0=$(date +%s)
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v projects=$PROJECTS -v year=2024 \
	-f bench/gen_figures.sql >/dev/null
t1=$(date +%s)
counts=$(psql "$DATABASE_URL" -Atqc "SELECT (SELECT count(*) FROM projects)
	|| ' projects, ' || (SELECT count(*) FROM project_events) || ' events, '
	|| (SELECT count(*) FROM projects WHERE signed_on >= '2024-01-01'
	    AND signed_on < '2025-01-01') || ' signed in 2024'")
echo "figures: $counts (generated in $((t1 - t0)) s)"
export BENCH_KEY=$($BIN -c /dev/null key create --role viewer --name figures 2>/dev/null)
scripts/cert.sh "$DIR" >/dev/null
cat >"$DIR/pipelined.conf" <<CONF
port $PORT
tls_certificate $DIR/server.crt
tls_certificate_key $DIR/server.key
database_url $DATABASE_URL
access_log off
rate_limit_per_second 1000000
rate_limit_burst 1000000
CONF
$BIN -c "$DIR/pipelined.conf" 2>"$DIR/err" &
SRV_PID=$!
for i in $(seq 50); do
	curl -sk "https://127.0.0.1:$PORT/ready" 2>/dev/null | grep -q ready && break
	sleep 0.1
done

KNOWN="2024-12-31T23:59:59%2B08:00"
printf "\n%-34s %8s %8s %8s %7s\n" "request (1 connection)" "req/s" "p50 ms" "p99 ms" "errors"
for spec in \
	"pipeline by area, now|/api/v1/stats/pipeline?year=2024&by=area" \
	"pipeline by area, known_at 12-31|/api/v1/stats/pipeline?year=2024&by=area&known_at=$KNOWN" \
	"pipeline by area, known_at 07-01|/api/v1/stats/pipeline?year=2024&by=area&known_at=2024-07-01T00:00:00%2B08:00" \
	"pipeline by month, known_at 12-31|/api/v1/stats/pipeline?year=2024&by=month&known_at=$KNOWN" \
	"alerts, red, first 100|/api/v1/stats/alerts?year=2024&light=red"; do
	name=${spec%%|*}
	BENCH_PATH=${spec#*|} wrk -t1 -c1 -d${DUR}s --timeout 30s --latency -s bench/auth_get.lua \
		"https://127.0.0.1:$PORT/" >"$DIR/wrk.out" 2>&1
	awk -v name="$name" '
	function ms(v) {
		if (v ~ /us$/) return v / 1000;
		if (v ~ /ms$/) return v + 0;
		if (v ~ /s$/) return v * 1000;
		return v;
	}
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx or 3xx/ { err += $5 }
	/Socket errors/ { err += $4 + $6 + $8 + $10 }
	END { printf "%-34s %8.1f %8.1f %8.1f %7d\n", name, rps, p50, p99, err + 0 }' "$DIR/wrk.out"
done

echo
echo "What bounds them (EXPLAIN ANALYZE of the rows each figure reads):"
for q in "SELECT count(*) FROM pipeline_rows(2024, DATE '2024-12-31', NULL, 'area', NULL)" \
	 "SELECT count(*) FROM pipeline_rows(2024, DATE '2024-12-31', TIMESTAMPTZ '2024-12-31 23:59:59+08', 'area', NULL)" \
	 "SELECT count(*) FROM pipeline_rows(2024, DATE '2024-12-31', TIMESTAMPTZ '2024-07-01 00:00:00+08', 'area', NULL)" \
	 "SELECT length(stats_alerts(2024, NULL, 'red', 90, 10, 30, 30, 60, 100)::text)"; do
	echo "-- $q"
	psql "$DATABASE_URL" -Atqc "SET jit = off; EXPLAIN (ANALYZE, BUFFERS) $q" | tail -3
done
echo "-- projects changed since known_at 07-01 (replayed from events):"
psql "$DATABASE_URL" -Atqc "SELECT count(DISTINCT project_id) FROM project_events
	WHERE recorded_at > '2024-07-01 00:00:00+08'"
