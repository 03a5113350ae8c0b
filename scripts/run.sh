#!/bin/sh
# make run: a private cluster under var/ (unless DATABASE_URL is set),
# migrations, demo data on the first start, an admin key on the first
# start, a certificate, and the service in the foreground.
set -e
cd "$(dirname "$0")/.."
BIN=build/release/pipelined
CONF=${PIPELINED_CONF:-conf/pipelined.conf}
if [ -z "$DATABASE_URL" ]; then
	scripts/pg.sh start var/pg
	DATABASE_URL=$(scripts/pg.sh url var/pg pipeline)
	runuser -u postgres -- psql -h "$(realpath var/pg)" -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = 'pipeline'" | grep -q 1 ||
		runuser -u postgres -- createdb -h "$(realpath var/pg)" pipeline
fi
export DATABASE_URL
scripts/cert.sh var/tls
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
