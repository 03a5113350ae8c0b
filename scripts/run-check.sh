#!/bin/sh
# make run-check: first contact, as a newcomer has it (issue 13). A clone
# of this commit under /root (mode 700, out of the postgres user's reach)
# runs `make run` on a free port given by PIPELINED_CONF; then, from the
# clone as a second terminal would: /ready answers, the admin key reads
# the figures, `pipelined key create` finds make run's database with no
# -c and no DATABASE_URL, the banner names the configured port, and the
# access log is in var/log/access.log. Prints "run-check: ok" or why not.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
fail() {
	echo "run-check: $*"
	[ -f "$DIR/run.log" ] && tail -20 "$DIR/run.log"
	exit 1
}
mkdir -p /root/.cache
DIR=$(mktemp -d /root/.cache/pipelined-run-check.XXXXXX)
CLONE=$DIR/clone
SERVER=""
# The master that make run exec'd, in the clone.
master() {
	for p in $(pgrep -f 'release/pipelined -c var/run.conf'); do
		[ "$(readlink "/proc/$p/cwd")" = "$CLONE" ] && echo "$p"
	done
}
cleanup() {
	for p in $(master); do
		kill -TERM "$p" 2>/dev/null
		while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
	done
	[ -n "$SERVER" ] && wait "$SERVER" 2>/dev/null
	[ -d "$CLONE/var/pg" ] && "$CLONE/scripts/pg.sh" stop "$CLONE/var/pg"
	alt=$(readlink "$CLONE/var/pg" 2>/dev/null)
	case "$alt" in /var/lib/pipelined/pg-*) rm -rf "$alt" ;; esac
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

git clone -q "$ROOT" "$CLONE" || fail "cannot clone"
PORT=$(scripts/free-port.sh)
{ cat "$CLONE/conf/pipelined.conf"; echo "port $PORT"; } >"$DIR/my.conf"
(cd "$CLONE" && PIPELINED_CONF="$DIR/my.conf" exec make run) >"$DIR/run.log" 2>&1 &
SERVER=$!
i=0
until curl -sk -o /dev/null "https://127.0.0.1:$PORT/ready"; do
	i=$((i + 1))
	[ $i -lt 600 ] || fail "make run did not serve on $PORT in 300 s"
	kill -0 "$SERVER" 2>/dev/null || fail "make run exited"
	sleep 0.5
done
grep -q "run: https://127.0.0.1:$PORT " "$DIR/run.log" ||
	fail "the banner does not name port $PORT"
cd "$CLONE"
key=$(build/release/pipelined key create --role viewer --name run-check 2>/dev/null) ||
	fail "pipelined key create did not find make run's database"
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
	"https://127.0.0.1:$PORT/api/v1/stats/pipeline?year=2024&by=area")
[ "$code" = 200 ] || fail "the new key read the figures with $code"
i=0
until grep -q '"path":"/api/v1/stats/pipeline"' var/log/access.log 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 20 ] || fail "no access log line in var/log/access.log"
	sleep 0.2
done
echo "run-check: ok (a clone under /root served on $PORT; the cluster in $(readlink var/pg))"
