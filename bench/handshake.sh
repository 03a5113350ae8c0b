#!/bin/sh
# handshake.sh: full TLS handshakes per second with the key manager
# (tls_key_manager on) and with the key in the worker (off), for an ECDSA
# P-256 and an RSA-2048 certificate; make bench's tls_* rows (issue 21).
#
#   bench/handshake.sh [OUT]   appends to OUT (default: standard output)
#                              one row per configuration, as run.sh's
#                              results: "name handshakes/s p50_ms p99_ms
#                              failed handshakes cpu0 cpu1 rss_mb
#                              [wait_us wait_max_us]"
#
# Four servers, one per configuration, with make bench's options, idle but
# for the one measured. build/release/handshake makes full handshakes at
# them (no session cache, no ticket, a fresh SSL each time) for
# BENCH_HANDSHAKE_SECONDS (5) with 64 connections on one thread per core,
# BENCH_HANDSHAKE_RUNS (3) times each, on and off alternating; each row is
# the run of median handshakes/s, its failures those of all runs. The
# servers' CPU (master and children, so the key manager too) is read
# around each run. BENCH_TLS_VERSION (1.2 or 1.3) pins the protocol;
# unset, 1.3 is negotiated. Uses DATABASE_URL when set (run.sh's); alone,
# starts a throwaway cluster, for /ready. A key manager's row has two more
# columns, from its server's /metrics after all runs: the mean and the
# longest wait of a worker for one signature, in microseconds.
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-/dev/stdout}
DUR=${BENCH_HANDSHAKE_SECONDS:-5}
RUNS=${BENCH_HANDSHAKE_RUNS:-3}
CONNS=64
WORKERS=$(nproc)
PORT=${BENCH_HANDSHAKE_PORT:-18450}
HS=build/release/handshake
. bench/lib.sh
DIR=$(mktemp -d /tmp/pipelined-handshake.XXXXXX)
chmod 755 "$DIR"
PIDS=
OWN_DB=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	[ -z "$OWN_DB" ] || scripts/pg.sh stop "$DIR/pg"
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
if [ -z "${DATABASE_URL:-}" ]; then
	OWN_DB=1
	bench_db "$DIR" handshake
fi

MODES="off on"

# The certificates: each configuration's directory has its own copy.
scripts/cert.sh "$DIR/ecdsa" >/dev/null
mkdir -p "$DIR/rsa"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DIR/rsa/server.key" \
	-out "$DIR/rsa/server.crt" -days 825 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 600 "$DIR/rsa/server.key"

# name of a configuration: tls_<key>_<km|wrk>
name() { # key mode
	case $2 in on) echo "tls_$1_km" ;; *) echo "tls_$1_wrk" ;; esac
}

for key in ecdsa rsa; do
	for mode in $MODES; do
		n=$(name $key $mode)
		mkdir -p "$DIR/$n"
		cp "$DIR/$key/server.crt" "$DIR/$key/server.key" "$DIR/$n/"
		bench_serve "$DIR/$n" $PORT "workers $WORKERS" \
			"tls_key_manager $mode"
		PIDS="$PIDS $SRV_PID"
		echo "$SRV_PID $PORT" >"$DIR/$n/server"
		PORT=$((PORT + 1))
	done
done

echo "bench: TLS handshakes, $RUNS runs of ${DUR}s each..." >&2
VERSION=${BENCH_TLS_VERSION:+-v $BENCH_TLS_VERSION}
for run in $(seq $RUNS); do
	# On before off in one run, off before on in the next.
	order=$MODES
	[ $((run % 2)) -eq 0 ] && order="on off"
	for key in ecdsa rsa; do
		for mode in $order; do
			n=$(name $key $mode)
			read -r pid port <"$DIR/$n/server"
			cpu0=$(server_cpu "$pid")
			r=$($HS -p "$port" -c $CONNS -t "$WORKERS" -d "$DUR" $VERSION) || true
			cpu1=$(server_cpu "$pid")
			rss=$(worker_rss "$pid")
			echo "$r" | awk -v n="$n" -v c0="$cpu0" -v c1="$cpu1" -v rss="$rss" \
				'{ print n, $2, $4, $6, $8, $10, c0, c1, rss }' >>"$DIR/$n/runs"
			tail -1 "$DIR/$n/runs" | awk -v r="$run" \
				'{ printf "bench: %s run %d: %s/s, cpu %.2f ms each\n", $1, r, $2, ($6 > 0 ? ($8 - $7) / $6 * 1000 : 0) }' >&2
		done
	done
done

# A worker's wait for one signature, over every run: the key manager's
# /metrics ("mean max", in microseconds).
key_waits() { # port
	curl -sk "https://127.0.0.1:$1/metrics" | awk '
		$1 == "pipelined_key_signatures_total{outcome=\"ok\"}" { n = $2 }
		$1 == "pipelined_key_wait_seconds_sum" { s = $2 }
		$1 == "pipelined_key_wait_seconds_max" { m = $2 }
		END { printf "%.0f %.0f", (n > 0 ? s / n * 1e6 : 0), m * 1e6 }'
}

for key in ecdsa rsa; do
	for mode in $MODES; do
		n=$(name $key $mode)
		waits=""
		if [ "$mode" = on ]; then
			read -r pid port <"$DIR/$n/server"
			waits=$(key_waits "$port")
		fi
		failed=$(awk '{ s += $5 } END { print s + 0 }' "$DIR/$n/runs")
		sort -n -k2 "$DIR/$n/runs" | sed -n "$(((RUNS + 1) / 2))p" |
			awk -v f="$failed" -v w="$waits" '{ $5 = f; print $0 (w != "" ? " " w : "") }' >>"$OUT"
	done
done
