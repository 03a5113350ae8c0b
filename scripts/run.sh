#!/bin/sh
# make run: a private cluster under var/ (unless DATABASE_URL is set),
# migrations, demo data on the first start, an admin key on the first
# start, a certificate, and the service in the foreground. Started as
# root, its workers run as the system user "pipelined" and the key
# manager as "pipelined-keys" (created when missing), through
# var/run.conf: the configuration (PIPELINED_CONF, else
# conf/pipelined.conf) plus the database, the access log under var/log
# and those users.
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
has_option() { grep -Eq "^[[:space:]]*$1[[:space:]]" "$CONF"; }
# var/run.conf: the configuration plus what make run adds, so that
# "pipelined key create" (which reads var/run.conf when it exists) and a
# second terminal find the same database and log.
EXTRA="# Written by make run from $CONF, with the lines below it added."
if ! has_option database_url; then
	EXTRA="$EXTRA
database_url $DATABASE_URL"
fi
if ! has_option access_log; then
	mkdir -p var/log
	EXTRA="$EXTRA
access_log $(pwd)/var/log/access.log"
fi
if [ -n "$RUN_USER" ] && ! has_option user; then
	# The workers connect as that user: the cluster's socket must be
	# within its reach.
	if [ -n "$OWN_PG" ] &&
		! runuser -u "$RUN_USER" -- test -x "$(realpath $OWN_PG)"; then
		echo "run: $RUN_USER cannot reach $(realpath $OWN_PG); the workers stay root"
	else
		EXTRA="$EXTRA
user $RUN_USER"
	fi
fi
# The key manager reads the key from a descriptor the master opens, so
# its own user needs no access to anything.
if [ -n "$KEYS_USER" ] && ! has_option key_manager_user; then
	EXTRA="$EXTRA
key_manager_user $KEYS_USER"
fi
if [ "$CONF" != var/run.conf ]; then
	{ cat "$CONF"; echo; echo "$EXTRA"; } > var/run.conf.new
	mv var/run.conf.new var/run.conf
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
URL=$($BIN -c "$CONF" url)
echo "run: $URL  (try: curl -k $URL/ready)"
echo "run: configuration var/run.conf (from ${PIPELINED_CONF:-conf/pipelined.conf}); access log var/log/access.log"
exec $BIN -c "$CONF"
