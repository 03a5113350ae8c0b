#!/bin/sh
# Container start: a self-signed certificate when none is mounted, the
# migrations, then the service. DATABASE_URL comes from the environment.
set -e
if [ ! -f var/tls/server.crt ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout var/tls/server.key -out var/tls/server.crt \
		-days 825 -subj "/CN=localhost" 2>/dev/null
fi
pipelined -c conf/pipelined.conf migrate
exec pipelined -c "${PIPELINED_CONF:-conf/container.conf}"
