#!/bin/sh
# acme-hook.sh: lego's deploy hook for pipelined (issue 21). Installs the
# certificate lego has just obtained or renewed where pipelined reads it,
# then sends SIGHUP to pipelined's master, which rereads tls_certificate
# and tls_certificate_key and serves the new pair to new connections.
#
#   acme-hook.sh [CERT KEY [PID]]
#
# CERT, KEY  the paths of pipelined's tls_certificate (the chain) and
#            tls_certificate_key; else $PIPELINED_CERT and $PIPELINED_KEY.
# PID        pipelined's master, else $PIPELINED_PID: a process id, the path
#            of a file that holds one, or "systemd:UNIT" for the MainPID of
#            that systemd unit (systemctl show). Without one nothing is
#            signalled: the files are installed for the next start.
#
# From lego's environment (lego 4.9: --run-hook of "lego run",
# --renew-hook of "lego renew"): LEGO_CERT_PATH, the new chain (the
# certificate and its issuer, unless --no-bundle), and LEGO_CERT_KEY_PATH,
# its key. lego splits the hook's command line at blanks and passes no
# shell, so the paths must not contain blanks.
#
# The new pair is checked first (both parse, the key is the certificate's),
# so a broken one is refused and the installed pair stays. Each file is
# written to a temporary file in its destination's directory and renamed
# over it, so pipelined (or a restart) never reads half a file; the key is
# mode 600 before it holds a byte. The master reads both as root before
# its workers drop privileges. Exit status: 0 installed (and signalled when
# a PID was given), 1 refused or failed, with the reason on stderr.
set -eu

die() {
	echo "acme-hook: $*" >&2
	exit 1
}

cert=${1:-${PIPELINED_CERT:-}}
key=${2:-${PIPELINED_KEY:-}}
pidspec=${3:-${PIPELINED_PID:-}}
if [ -z "$cert" ] || [ -z "$key" ]; then
	die "usage: acme-hook.sh CERT KEY [PID] (or PIPELINED_CERT, PIPELINED_KEY, PIPELINED_PID)"
fi
new_cert=${LEGO_CERT_PATH:-}
new_key=${LEGO_CERT_KEY_PATH:-}
if [ -z "$new_cert" ] || [ -z "$new_key" ]; then
	die "LEGO_CERT_PATH and LEGO_CERT_KEY_PATH are not set: run me as lego's --run-hook or --renew-hook"
fi
[ -s "$new_cert" ] || die "$new_cert: missing or empty"
[ -s "$new_key" ] || die "$new_key: missing or empty"

# The pair must be one: the public key of the certificate (the first of the
# chain) is the public key of the private key.
cert_pub=$(openssl x509 -in "$new_cert" -noout -pubkey 2>/dev/null) ||
	die "$new_cert: not a PEM certificate"
key_pub=$(openssl pkey -in "$new_key" -pubout 2>/dev/null) ||
	die "$new_key: not a PEM private key"
[ "$cert_pub" = "$key_pub" ] || die "$new_key is not the key of $new_cert"

# Which process to signal, resolved before anything is installed so that a
# wrong PID refuses the whole renewal rather than half of it.
pid=""
case $pidspec in
"") ;;
systemd:*)
	pid=$(systemctl show --property MainPID --value "${pidspec#systemd:}") ||
		die "systemctl show ${pidspec#systemd:} failed"
	[ "$pid" != 0 ] || die "${pidspec#systemd:} is not running"
	;;
*[!0-9]*)
	[ -r "$pidspec" ] || die "$pidspec: no such pid file"
	pid=$(tr -d ' \n' <"$pidspec")
	;;
*) pid=$pidspec ;;
esac
if [ -n "$pid" ]; then
	case $pid in
	'' | *[!0-9]*) die "'$pid' is not a process id" ;;
	esac
	kill -0 "$pid" 2>/dev/null || die "no process $pid"
	# On Linux, refuse to signal a process that is not pipelined.
	if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" != pipelined ]; then
		die "process $pid is $(cat "/proc/$pid/comm"), not pipelined"
	fi
fi

tmp_cert=""
tmp_key=""
trap 'rm -f "$tmp_cert" "$tmp_key"' EXIT
trap 'exit 1' HUP INT TERM

# stage SRC DEST MODE TMPVAR: SRC copied to a new temporary file beside
# DEST, of MODE; its name is left in TMPVAR for the rename.
stage() {
	t=$(umask 077 && mktemp "$(dirname "$2")/.$(basename "$2").XXXXXX") ||
		die "cannot create a temporary file beside $2"
	eval "$4=\$t"
	chmod "$3" "$t"
	cat "$1" >"$t" || die "cannot write $t"
}
stage "$new_key" "$key" 600 tmp_key
stage "$new_cert" "$cert" 644 tmp_cert
# The key first: pipelined reads them only on SIGHUP or at start.
mv -f "$tmp_key" "$key" || die "cannot rename $tmp_key to $key"
tmp_key=""
mv -f "$tmp_cert" "$cert" || die "cannot rename $tmp_cert to $cert"
tmp_cert=""
echo "acme-hook: installed $cert and $key" >&2

if [ -n "$pid" ]; then
	kill -HUP "$pid" || die "kill -HUP $pid failed"
	echo "acme-hook: sent SIGHUP to pipelined ($pid)" >&2
fi
