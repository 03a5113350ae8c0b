#!/bin/sh
# Installs the Debian packages the build, the service and the tests need,
# when any is missing. Runs as root on Debian 12 (or uses sudo).
#
#   scripts/deps.sh            the packages below
#   scripts/deps.sh PKG...     those instead (make image-test's podman)
set -e
PKGS="build-essential pkg-config libevent-dev libssl-dev libpq-dev
libjansson-dev libhttp-parser-dev libcsv-dev libseccomp-dev libcmocka-dev libcurl4-openssl-dev
libjpeg62-turbo-dev libpng-dev libexif-dev
postgresql-15 openssl curl clang-format clang-tidy cppcheck clang libclang-rt-dev wrk
nginx-light postgresql-client-15 pebble lego haproxy"
[ $# -eq 0 ] || PKGS="$*"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
# shellcheck disable=SC2086 # $missing is a list of names, split on purpose
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
# Debian starts a default cluster, nginx and HAProxy on install; the
# project runs its own (make cluster and test_proxy start theirs) and
# needs none of them.
$SUDO service nginx stop >/dev/null 2>&1 || true
$SUDO service haproxy stop >/dev/null 2>&1 || true
