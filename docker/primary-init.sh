#!/bin/sh
# The primary's first start (docker-entrypoint-initdb.d): the standby
# streams as the database user, over the compose network.
set -eu
echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
