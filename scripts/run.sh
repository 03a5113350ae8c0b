#!/bin/sh
# make run: a private cluster under var/ (unless DATABASE_URL is set),
# migrations, demo data on the first start, an admin key on the first
# start, a certificate, and the service in the foreground. Started as
# root, its workers run as the system user "pipelined" and the key
# manager as "pipelined-keys" (created when missing), through
# var/run.conf: the configuration plus those users.
set -e
cd "$(dirname "$0")/.."
BIN=build/release/pipelined
CONF=${PIPELINED_CONF:-conf/pipelined.conf}
OWN_PG=""
if [ -z "$DATABASE_URL" ]; then
	OWN_PG=var/pg
	scripts/pg.sh start var/pg
	DATABASE_URL=$(scripts/pg.sh url var/pg pipeline)
	runuser -u postgres -- psql -h "$(realpath var/pg)" -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = 'pipeline'" | grep -q 1 ||
		runuser -u postgres -- createdb -h "$(realpath var/pg)" pipeline
fi
export DATABASE_URL
scripts/cert.sh var/tls
RUN_USER=$(scripts/user.sh)
KEYS_USER=$(scripts/user.sh pipelined-keys)
EXTRA=""
if [ -n "$RUN_USER" ] && ! grep -Eq '^[[:space:]]*user[[:space:]]' "$CONF"; then
	# The workers connect as that user: the cluster's socket must be
	# within its reach (a checkout under /root is not).
	if [ -n "$OWN_PG" ] &&
		! runuser -u "$RUN_USER" -- test -x "$(realpath $OWN_PG)"; then
		echo "run: $RUN_USER cannot reach $(realpath $OWN_PG); the workers stay root"
	else
		EXTRA="user $RUN_USER"
	fi
fi
# The key manager reads the key from a descriptor the master opens, so
# its own user needs no access to anything.
if [ -n "$KEYS_USER" ] && ! grep -Eq '^[[:space:]]*key_manager_user[[:space:]]' "$CONF"; then
	EXTRA="$EXTRA
key_manager_user $KEYS_USER"
fi
if [ -n "$EXTRA" ]; then
	{ cat "$CONF"; echo; echo "$EXTRA"; } > var/run.conf
	CONF=var/run.conf
fi
$BIN -c "$CONF" migrate
if [ ! -f var/demo-loaded ]; then
	psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -o /dev/null -f sql/demo/demo.sql
	touch var/demo-loaded
	echo "run: loaded the demo data (amounts are illustrative)"
fi
if [ ! -f var/admin-key ]; then
	umask 077
	$BIN -c "$CONF" key create --role admin --name "make run admin" > var/admin-key
	echo "run: your admin key (kept in var/admin-key): $(cat var/admin-key)"
fi
echo "run: https://127.0.0.1:8443  (try: curl -k https://127.0.0.1:8443/ready)"
exec $BIN -c "$CONF"
