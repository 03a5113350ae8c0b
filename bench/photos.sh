#!/bin/sh
# make bench's photo row (issue 12): photos of about 3 MB uploaded with
# PUT /api/v1/photos/{sha256}, 4 at a time, each one never sent before
# (bench/photo_gen.c), by curl over HTTPS. Appends to the results file
#   photo_3mb req/s p50_ms p99_ms errors requests cpu0 cpu1 rss_mb mb_s
# where rss_mb is the largest worker's resident memory seen while the
# uploads went (sampled every 50 ms), and mb_s the photos' bytes a second.
#
#   bench/photos.sh RESULTS DIR PORT MASTER_PID
set -eu
RESULTS=$1
DIR=$2
PORT=$3
PID=$4
N=${BENCH_PHOTOS:-48}
. bench/lib.sh

mkdir -p "$DIR/photos"
build/release/photo_gen "$DIR/photos" "$N"
BYTES=$(cat "$DIR/photos"/* | wc -c)
: >"$DIR/photo_rss"
(
	while [ ! -f "$DIR/photo_done" ]; do
		worker_rss "$PID" >>"$DIR/photo_rss"
		echo >>"$DIR/photo_rss"
		sleep 0.05
	done
) &
SAMPLER=$!
CPU0=$(server_cpu "$PID")
T0=$(date +%s.%N)
ls "$DIR/photos" | xargs -P 4 -I{} curl -s -o /dev/null \
	-w '%{http_code} %{time_total}\n' --cacert "$DIR/server.crt" \
	-H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: image/jpeg' \
	-T "$DIR/photos/{}" "https://127.0.0.1:$PORT/api/v1/photos/{}" \
	>"$DIR/photo_codes"
T1=$(date +%s.%N)
CPU1=$(server_cpu "$PID")
touch "$DIR/photo_done"
wait $SAMPLER
RSS=$(sort -n "$DIR/photo_rss" | tail -1)
ERRORS=$(awk '$1 != 201' "$DIR/photo_codes" | wc -l)
sort -n -k2 "$DIR/photo_codes" | awk -v n="$N" -v t0="$T0" -v t1="$T1" \
    -v bytes="$BYTES" -v errors="$ERRORS" -v cpu0="$CPU0" -v cpu1="$CPU1" \
    -v rss="$RSS" '
	{ t[NR] = $2 * 1000 }
	END {
		s = t1 - t0;
		printf "photo_3mb %.1f %.2f %.2f %d %d %s %s %s %.1f\n", n / s,
		    t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)], errors, n,
		    cpu0, cpu1, rss, bytes / s / 1e6
	}' >>"$RESULTS"
echo "bench: photo_3mb done"
