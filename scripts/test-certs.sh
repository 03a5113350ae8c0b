#!/bin/sh
# Certificates for the tests, in DIR: the server's (self-signed), a client
# CA with two client certificates (one to register, one not), and a second
# CA with a client certificate of its own.
set -e
dir=$1

scripts_dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir"
"$scripts_dir/cert.sh" "$dir" >/dev/null
mk_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1.key" -out "$1.crt" -days 30 -subj "/CN=$1" 2>/dev/null
}
mk_client() { # name ca
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
		-CAcreateserial -out "$1.crt" -days 30 2>/dev/null
	openssl x509 -in "$1.crt" -noout -fingerprint -sha256 |
		sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' >"$1.sha256"
}
mk_ca client-ca
mk_ca other-ca
mk_client client-registered client-ca
mk_client client-unregistered client-ca
mk_client client-other other-ca
