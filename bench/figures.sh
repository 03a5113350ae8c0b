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
. bench/lib.sh
trap 'bench_cleanup "$DIR"' EXIT INT TERM

echo "figures: generating $PROJECTS projects (a few minutes)..."
bench_db "$DIR" figures
t0=$(date +%s)
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v projects=$PROJECTS -v year=2024 \
	-f bench/gen.sql >/dev/null
t1=$(date +%s)
counts=$(psql "$DATABASE_URL" -Atqc "SELECT (SELECT count(*) FROM projects)
	|| ' projects, ' || (SELECT count(*) FROM project_events) || ' events, '
	|| (SELECT count(*) FROM projects WHERE signed_on >= '2024-01-01'
	    AND signed_on < '2025-01-01') || ' signed in 2024'")
echo "figures: $counts (generated in $((t1 - t0)) s)"
export BENCH_KEY=$($BIN -c /dev/null key create --role viewer --name figures 2>/dev/null)
bench_serve "$DIR" $PORT

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
	bench_wrk_row x "$DIR/wrk.out" | awk -v name="$name" \
	    '{ printf "%-34s %8.1f %8.1f %8.1f %7d\n", name, $2, $3, $4, $5 }'
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
