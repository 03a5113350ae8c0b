# lib.sh: what the benchmark scripts share. Sourced, not run.
#
#   bench_db DIR NAME       a throwaway cluster in DIR/pg with database
#                           NAME, migrated; exports DATABASE_URL
#   bench_serve DIR PORT [OPTIONS]
#                           pipelined on PORT with a certificate in DIR and
#                           the access log off; sets SRV_PID, waits /ready
#   bench_wrk_row NAME FILE prints "name rps p50 p99 errors requests" from
#                           wrk --latency output
#   bench_cleanup DIR       stops the server and the cluster, removes DIR
#   server_cpu PID          CPU seconds (user + system) of a master and its
#                           children
#   worker_rss PID          the largest worker's resident set, in MB, now

BIN=${BIN:-build/release/pipelined}

bench_db() {
	scripts/pg.sh start "$1/pg"
	runuser -u postgres -- createdb -h "$1/pg" "$2"
	DATABASE_URL=$(scripts/pg.sh url "$1/pg" "$2")
	export DATABASE_URL
	$BIN -c /dev/null migrate >/dev/null
}

bench_serve() {
	dir=$1
	port=$2
	shift 2
	scripts/cert.sh "$dir" >/dev/null
	{
		echo "port $port"
		echo "tls_certificate $dir/server.crt"
		echo "tls_certificate_key $dir/server.key"
		echo "database_url $DATABASE_URL"
		echo "access_log off"
		echo "rate_limit_per_second 1000000"
		echo "rate_limit_burst 1000000"
		for opt in "$@"; do echo "$opt"; done
	} >"$dir/pipelined.conf"
	# Whatever answers must be this run's server: another one left on
	# the port would be measured instead (pipelined refuses a port in
	# use and exits).
	if curl -sk -o /dev/null "https://127.0.0.1:$port/health" 2>/dev/null; then
		echo "bench: port $port is in use; set BENCH_PORT" >&2
		return 1
	fi
	$BIN -c "$dir/pipelined.conf" 2>"$dir/pipelined.err" &
	SRV_PID=$!
	for i in $(seq 100); do
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			break
		fi
		curl -sk "https://127.0.0.1:$port/ready" 2>/dev/null | grep -q ready && return 0
		sleep 0.1
	done
	echo "bench: pipelined did not become ready: $(cat "$dir/pipelined.err")" >&2
	return 1
}

bench_wrk_row() {
	awk -v name="$1" '
	function ms(v) {
		if (v ~ /us$/) return v / 1000;
		if (v ~ /ms$/) return v + 0;
		if (v ~ /s$/) return v * 1000;
		return v;
	}
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/requests in/ { n = $1 }
	/Non-2xx or 3xx/ { err += $5 }
	/Socket errors/ { err += $4 + $6 + $8 + $10 }
	END { printf "%s %.1f %.2f %.2f %d %d\n", name, rps, p50, p99, err + 0, n }' "$2"
}

bench_cleanup() {
	if [ -n "${SRV_PID:-}" ]; then
		kill "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	[ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null || true
	scripts/pg.sh stop "$1/pg"
	rm -rf "$1"
}

server_cpu() { # master pid
	for p in $1 $(cat /proc/$1/task/$1/children); do
		awk '{ print $14 + $15 }' /proc/$p/stat
	done | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f", s / hz }'
}

worker_rss() { # master pid
	for p in $(cat /proc/$1/task/$1/children); do
		# The key manager is not a worker.
		[ "$(cat /proc/$p/comm)" = pipelined-keys ] && continue
		awk '/^VmRSS/ { print $2 }' /proc/$p/status
	done | sort -n | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'
}
