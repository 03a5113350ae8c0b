#!/bin/sh
# make test: a throwaway PostgreSQL cluster and certificates in a scratch
# directory, then every unit test and API test. The last line of output is
# "N passed, N failed"; any failure exits non-zero.
#
#   scripts/test.sh UNIT_TEST... -- API_TEST...
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
units=""
apis=""
seen_sep=0
for a in "$@"; do
	if [ "$a" = "--" ]; then seen_sep=1
	elif [ $seen_sep -eq 0 ]; then units="$units $a"
	else apis="$apis $a"
	fi
done

TEST_DIR=$(mktemp -d /tmp/pipelined-test.XXXXXX)
chmod 755 "$TEST_DIR"
TEST_PGDIR=$TEST_DIR/pg
cleanup() {
	scripts/pg.sh stop "$TEST_PGDIR"
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$TEST_DIR"
}
trap cleanup EXIT INT TERM

scripts/pg.sh start "$TEST_PGDIR" || { echo "test: cannot start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
runuser -u postgres -- createdb -h "$TEST_PGDIR" pipeline_test
DATABASE_URL=$(scripts/pg.sh url "$TEST_PGDIR" pipeline_test)
export DATABASE_URL TEST_DIR TEST_PGDIR
export PIPELINED_BIN="$ROOT/build/asan/pipelined"
# For the tests that measure memory, which ASan's allocator would hide.
export PIPELINED_RELEASE_BIN="$ROOT/build/release/pipelined"
# Run as root, the servers' workers switch to this user, as make run's do.
PIPELINED_USER=$(scripts/user.sh)
# and the key manager to this one, so that a worker cannot trace it.
PIPELINED_KEYS_USER=$(scripts/user.sh pipelined-keys)
export PIPELINED_USER PIPELINED_KEYS_USER
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:print_summary=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

scripts/test-certs.sh "$TEST_DIR" >/dev/null
scripts/contract.sh deps || { echo "test: cannot install tests/contract"; echo "0 passed, 1 failed"; exit 1; }
# The document every response the API tests receive is held to
# (tests/support/contract.c), and the validators' counts.
PIPELINED_OPENAPI=$TEST_DIR/openapi.json
CONTRACT_COUNTS=$TEST_DIR/contract-counts
export PIPELINED_OPENAPI CONTRACT_COUNTS
build/release/pipelined -c /dev/null openapi >"$PIPELINED_OPENAPI"
: >"$CONTRACT_COUNTS"
build/release/pipelined -c /dev/null migrate >/dev/null || { echo "test: migration failed"; echo "0 passed, 1 failed"; exit 1; }
TEST_ADMIN_KEY=$(build/release/pipelined -c /dev/null key create --role admin --name "test admin" 2>/dev/null)
export TEST_ADMIN_KEY

passed=0
failed=0
echo "== lint /openapi.json"
if scripts/contract.sh lint "$PIPELINED_OPENAPI"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
for t in $units $apis; do
	echo "== $t"
	out="$TEST_DIR/$(basename "$t").out"
	(cd "$ROOT" && "$t") >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A crash or sanitizer report before the summary.
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
scripts/contract.sh summary "$CONTRACT_COUNTS" "$PIPELINED_OPENAPI" || failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
