#!/bin/sh
# The standby's start: on the first, a clone of the primary (db) with
# pg_basebackup, streaming through a replication slot; then PostgreSQL
# as a hot standby named "standby", the name the primary's
# synchronous_standby_names gives. It never waits for a standby of its
# own: promoted, it commits locally.
set -eu
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	pg_basebackup -h db -U pipeline -D "$PGDATA" -X stream -R -C -S standby -c fast
fi
# The image makes the volume's directory 1777; PostgreSQL wants it private.
chmod 700 "$PGDATA"
exec postgres -D "$PGDATA" -c cluster_name=standby -c hot_standby=on \
	-c synchronous_standby_names=
