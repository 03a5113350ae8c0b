#!/bin/sh
# Prints the unprivileged user the workers run as, creating it (a system
# user without a home or a shell) when missing. Prints nothing when not
# root: a worker started by anyone else stays as started.
set -e
NAME=${1:-pipelined}
[ "$(id -u)" -eq 0 ] || exit 0
id -u "$NAME" >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$NAME"
echo "$NAME"
