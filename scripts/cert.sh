#!/bin/sh
# A self-signed certificate for 127.0.0.1 and localhost, when DIR has none.
set -e
dir=$1
[ -f "$dir/server.crt" ] && [ -f "$dir/server.key" ] && exit 0
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$dir/server.key" -out "$dir/server.crt" -days 825 \
	-subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 600 "$dir/server.key"
echo "cert: made a self-signed certificate in $dir"
