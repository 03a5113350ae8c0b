#!/bin/sh
# make test-cluster: the cluster of make cluster (scripts/cluster.sh) in a
# scratch directory, on free ports, then each test binary given against
# it. The tests kill the primary, promote the standby and kill an
# instance, so every binary gets a cluster of its own. The last line of
# output is "N passed, N failed", counted from cmocka's summaries as
# scripts/test.sh counts them; any failure exits non-zero.
#
#   scripts/test-cluster.sh TEST...
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# A TCP port nothing uses (scripts/free-port.sh).
free_port() { scripts/free-port.sh; }

TEST_DIR=$(mktemp -d /tmp/pipelined-cluster-test.XXXXXX)
chmod 755 "$TEST_DIR"
CLUSTER_PID=""
stop_cluster() {
	if [ -n "$CLUSTER_PID" ]; then
		kill -TERM "$CLUSTER_PID" 2>/dev/null || true
		wait "$CLUSTER_PID" 2>/dev/null || true
		CLUSTER_PID=""
	fi
}
cleanup() {
	stop_cluster
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$TEST_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
n=0
for t in "$@"; do
	n=$((n + 1))
	CLUSTER_DIR=$TEST_DIR/cluster$n
	CLUSTER_PORT=$(free_port)
	CLUSTER_INSTANCE_PORTS="$(free_port) $(free_port)"
	export CLUSTER_DIR CLUSTER_PORT CLUSTER_INSTANCE_PORTS
	echo "== $t (cluster in $CLUSTER_DIR, HAProxy on $CLUSTER_PORT, instances on $CLUSTER_INSTANCE_PORTS)"
	# The write load is one principal writing as fast as it can: its
	# limit, which the instances share, is set above it, so that what
	# the tests count is the failover's doing, not the limiter's.
	CLUSTER_EXTRA_CONF="rate_limit_per_second 5000
rate_limit_burst 5000" \
	CLUSTER_DEMO=0 CLUSTER_ACCESS_LOG=off scripts/cluster.sh up >"$TEST_DIR/cluster$n.out" 2>&1 &
	CLUSTER_PID=$!
	i=0
	while [ ! -f "$CLUSTER_DIR/ready" ] && kill -0 "$CLUSTER_PID" 2>/dev/null && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -f "$CLUSTER_DIR/ready" ]; then
		cat "$TEST_DIR/cluster$n.out"
		echo "test-cluster: the cluster did not start"
		failed=$((failed + 1))
		stop_cluster
		continue
	fi
	TEST_ADMIN_KEY=$(cat "$CLUSTER_DIR/admin-key")
	DATABASE_URL="host=$CLUSTER_DIR/primary,$CLUSTER_DIR/standby port=5432,5432 dbname=pipeline user=postgres target_session_attrs=read-write"
	export TEST_ADMIN_KEY DATABASE_URL
	out="$TEST_DIR/$(basename "$t").out"
	rc=0
	(cd "$ROOT" && "$t") >"$out" 2>&1 || rc=$?
	cat "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		echo "-- the cluster's output ($CLUSTER_DIR holds the logs with KEEP_TEST_DIR=1):"
		cat "$TEST_DIR/cluster$n.out"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	stop_cluster
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
