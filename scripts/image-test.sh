#!/bin/sh
# make image-test: docker/Dockerfile built and its entrypoint run, on
# machines where no container can start (podman's runtimes are refused
# their setrlimit; ../shared/notes/containers.md).
#
#   1. a Debian 12 base without any image registry: debootstrap minbase
#      bookworm, kept as var/image/debian-12.tar, imported as
#      localhost/debian:12;
#   2. podman build --isolation=chroot of docker/Dockerfile FROM it;
#   3. the image's root (podman create + podman mount) with /dev, /proc
#      and a throwaway PostgreSQL's socket directory bound into it, and
#      the image's ENTRYPOINT run there under chroot as the image's USER,
#      in its WORKDIR, with its ENV, DATABASE_URL and a free port;
#   4. /health and /ready over HTTPS, then SIGTERM.
#
# podman keeps its images and build cache under var/image/storage (not
# the machine's /var/lib/containers, which other users share): a second
# run reuses the base and the build's layers. rm -rf var/image makes the
# next run cold. The last line is "N passed, N failed"; any failure
# exits non-zero. Runs as root (mount, chroot).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
IMG=$ROOT/var/image
BASE=localhost/debian:12
BASE_LABEL=org.pipelined.base=debootstrap-minbase-bookworm
IMAGE=localhost/pipelined:image-test
MIRROR=http://deb.debian.org/debian

[ "$(id -u)" -eq 0 ] || { echo "image-test: needs root (mount, chroot)"; echo "0 passed, 1 failed"; exit 1; }
scripts/deps.sh podman debootstrap

mkdir -p "$IMG"
RUNROOT=/run/pipelined-image/$(printf %s "$IMG" | cksum | cut -d' ' -f1)
mkdir -p "$RUNROOT"
pm() {
	podman --root "$IMG/storage" --runroot "$RUNROOT/run" \
		--tmpdir "$RUNROOT/libpod" --storage-driver overlay \
		--events-backend file --cgroup-manager cgroupfs "$@"
}

passed=0
failed=0
t0=$(date +%s)
t=$t0
# took: the seconds since the last step, in $took.
step() { n=$(date +%s); took="$((n - t)) s"; t=$n; }
ok() { step; passed=$((passed + 1)); echo "ok   $1 ($took)"; }
bad() { step; failed=$((failed + 1)); echo "FAIL $1 ($took)"; }
# A step the later ones need failed: what ran is counted, the rest is not.
give_up() { bad "$1"; echo "$passed passed, $failed failed"; exit 1; }

TEST_DIR=$(mktemp -d /tmp/pipelined-image.XXXXXX)
chmod 755 "$TEST_DIR"
TEST_PGDIR=$TEST_DIR/pg
CTR=""
MNT=""
PID=""
MOUNTS=""

# Mount points under $1, deepest first.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r
}
# Processes whose root is the image's root (the server and its children).
in_image() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$MNT" ] && echo "${p#/proc/}"
	done
	return 0
}
running() {
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$s" in Z*) return 1 ;; esac
}
cleanup() {
	set +e
	if [ -n "$PID" ] && running "$PID"; then
		kill -TERM "$PID"
		i=0
		while running "$PID" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	if [ -n "$MNT" ]; then
		for p in $(in_image); do kill -KILL "$p"; done
		for m in $MOUNTS; do umount "$m" || umount -l "$m"; done
		left=$(mounts_under "$MNT" | grep -vx "$MNT")
	fi
	if [ -n "${left:-}" ]; then
		# Removing the container with /dev still bound in it is not safe.
		echo "image-test: still mounted, container $CTR kept: $left"
	elif [ -n "$CTR" ]; then
		pm umount "$CTR" >/dev/null
		pm rm -f "$CTR" >/dev/null
	fi
	scripts/pg.sh stop "$TEST_PGDIR"
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$TEST_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The base: localhost/debian:12 from our own debootstrap, made once.
make_base_tar() {
	tmp=$IMG/rootfs.tmp
	for m in $(mounts_under "$tmp"); do umount "$m" || umount -l "$m"; done
	rm -rf "$tmp"
	echo "image-test: debootstrap --variant=minbase bookworm, kept in var/image/debian-12.tar"
	if ! debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" \
		>"$IMG/debootstrap.log" 2>&1; then
		tail -20 "$IMG/debootstrap.log"
		for m in $(mounts_under "$tmp"); do umount "$m" || umount -l "$m"; done
		return 1
	fi
	# The sources of Docker's debian:12, updates and security included.
	rm -f "$tmp/etc/apt/sources.list"
	cat >"$tmp/etc/apt/sources.list.d/debian.sources" <<-SOURCES
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: http://deb.debian.org/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	SOURCES
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
	tar -C "$tmp" --numeric-owner -cf "$IMG/debian-12.tar.tmp" .
	mv "$IMG/debian-12.tar.tmp" "$IMG/debian-12.tar"
	rm -rf "$tmp"
}
base_ok() {
	[ "$(pm image inspect --format '{{index .Labels "org.pipelined.base"}}' \
		"$BASE" 2>/dev/null)" = "${BASE_LABEL#*=}" ]
}
if base_ok; then
	echo "image-test: $BASE reused from var/image/storage"
else
	if [ ! -f "$IMG/debian-12.tar" ]; then
		make_base_tar || give_up "base: debootstrap (var/image/debootstrap.log)"
	fi
	pm import -q --change "LABEL $BASE_LABEL" --change 'CMD ["bash"]' \
		"$IMG/debian-12.tar" "$BASE" >/dev/null || give_up "base: import of $BASE"
	step
	echo "image-test: $BASE imported from var/image/debian-12.tar ($took)"
fi

# 2. The build, FROM that base, never pulling.
if pm build --isolation=chroot --network host --pull=never \
	--build-arg BASE="$BASE" -f docker/Dockerfile -t "$IMAGE" . \
	>"$IMG/build.log" 2>&1; then
	ok "build: podman build --isolation=chroot of docker/Dockerfile"
else
	tail -30 "$IMG/build.log"
	give_up "build (var/image/build.log)"
fi

# 3. The image's root and what the image says about running it.
inspect() { pm image inspect --format "$1" "$IMAGE"; }
USER_SPEC=$(inspect '{{.Config.User}}')
WORKDIR=$(inspect '{{.Config.WorkingDir}}')
ENTRY=$(inspect '{{range .Config.Entrypoint}}{{.}} {{end}}')
inspect '{{range .Config.Env}}{{println .}}{{end}}' >"$TEST_DIR/env"
CTR=$(pm create --pull=never --name "pipelined-image-test-$$" "$IMAGE") ||
	give_up "podman create"
MNT=$(pm mount "$CTR") || give_up "podman mount"

# Field $2 of /etc/passwd in the image for user name or number $1.
pw() {
	awk -F: -v u="$1" -v f="$2" '$1 == u || $3 == u { print $f; exit }' \
		"$MNT/etc/passwd"
}
conf_opt() {
	sed -n "s/^[[:space:]]*$1[[:space:]][[:space:]]*\([^[:space:]#]*\).*/\1/p" \
		"$MNT$WORKDIR/conf/container.conf" | tail -1
}
RUN_USER=${USER_SPEC%%:*}
RUN_UID=$(pw "$RUN_USER" 3)
RUN_GID=$(pw "$RUN_USER" 4)
WORKERS_USER=$(conf_opt user)
KEYS_USER=$(conf_opt key_manager_user)
WORKERS_UID=$(pw "$WORKERS_USER" 3)
KEYS_UID=$(pw "$KEYS_USER" 3)
if [ -n "$RUN_UID" ] && [ "$RUN_UID" != 0 ] && [ "${USER_SPEC#*:}" = "$USER_SPEC" ] &&
	[ -n "$WORKERS_UID" ] && [ "$WORKERS_UID" != 0 ] &&
	[ -n "$KEYS_UID" ] && [ "$KEYS_UID" != 0 ] && [ "$KEYS_UID" != "$WORKERS_UID" ]; then
	ok "users: USER $RUN_USER ($RUN_UID); user $WORKERS_USER ($WORKERS_UID), key_manager_user $KEYS_USER ($KEYS_UID)"
else
	give_up "users: USER '$USER_SPEC' ($RUN_UID), user '$WORKERS_USER' ($WORKERS_UID), key_manager_user '$KEYS_USER' ($KEYS_UID): each must exist and not be root, the last two differ"
fi

scripts/pg.sh start "$TEST_PGDIR" || give_up "PostgreSQL: cannot start"
runuser -u postgres -- createdb -h "$TEST_PGDIR" pipeline_image ||
	give_up "PostgreSQL: createdb"
DATABASE_URL=$(scripts/pg.sh url "$TEST_PGDIR" pipeline_image)
for d in /dev /proc "$TEST_PGDIR"; do
	mkdir -p "$MNT$d" && mount --bind "$d" "$MNT$d" || give_up "mount --bind $d"
	MOUNTS="$MNT$d $MOUNTS"
done

# A free port on loopback (the image's 0.0.0.0 would open it to the
# machine's network for the test's few seconds); the rest is the image's
# own container.conf.
PORT=$((20000 + $$ % 20000))
while [ -n "$(ss -Htln "sport = :$PORT")" ]; do PORT=$((PORT + 1)); done
{
	grep -Ev '^[[:space:]]*(port|bind)[[:space:]]' "$MNT$WORKDIR/conf/container.conf"
	echo "bind 127.0.0.1"
	echo "port $PORT"
} >"$MNT/tmp/image-test.conf"
chmod 644 "$MNT/tmp/image-test.conf"

# The entrypoint as a container would start it: the image's ENV, HOME
# from its passwd, the image's user and no other group.
set --
while IFS= read -r kv; do [ -z "$kv" ] || set -- "$@" "$kv"; done <"$TEST_DIR/env"
# shellcheck disable=SC2086 # ENTRY is the entrypoint's words
env -i "$@" HOME="$(pw "$RUN_USER" 6)" DATABASE_URL="$DATABASE_URL" \
	PIPELINED_CONF=/tmp/image-test.conf \
	/usr/sbin/chroot --userspec="$RUN_UID:$RUN_GID" --groups="$RUN_GID" "$MNT" \
	/bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$WORKDIR" $ENTRY \
	>"$TEST_DIR/server.log" 2>&1 &
PID=$!
URL=https://127.0.0.1:$PORT
i=0
while running "$PID" && [ $i -lt 300 ] &&
	! curl -sk -o /dev/null "$URL/health"; do
	sleep 0.1
	i=$((i + 1))
done

# 4. The checks.
WANT=$(ls sql/[0-9][0-9][0-9]_*.sql | tail -1 | sed 's|^sql/0*\([0-9]*\)_.*|\1|')
HAVE=$(runuser -u postgres -- psql -h "$TEST_PGDIR" -d pipeline_image -Atc \
	'SELECT max(version) FROM schema_migrations' 2>/dev/null || true)
if [ "$HAVE" = "$WANT" ]; then
	ok "migrate: the entrypoint brought the schema to $WANT"
else
	bad "migrate: schema at '$HAVE', want $WANT"
fi

code=$(curl -sk -o "$TEST_DIR/health" -w '%{http_code}' "$URL/health" || true)
if [ "$code" = 200 ]; then
	ok "/health: 200 $(cat "$TEST_DIR/health")"
else
	bad "/health: '$code'"
fi

code=$(curl -sk -o "$TEST_DIR/ready" -w '%{http_code}' "$URL/ready" || true)
if [ "$code" = 200 ] && grep -qx "{\"status\":\"ready\",\"schema\":$WANT}" "$TEST_DIR/ready"; then
	ok "/ready: 200 $(cat "$TEST_DIR/ready")"
else
	bad "/ready: '$code' $(cat "$TEST_DIR/ready" 2>/dev/null)"
fi

# The master, its workers and the key manager, all as the image's user.
procs=$(for p in $(in_image); do ps -o uid=,comm= -p "$p"; done)
if [ -n "$procs" ] && echo "$procs" | awk -v u="$RUN_UID" '$1 != u { exit 1 }' &&
	echo "$procs" | grep -q ' pipelined-keys$'; then
	ok "processes: $(echo "$procs" | wc -l) (master, workers, pipelined-keys), all uid $RUN_UID"
else
	bad "processes: want all as uid $RUN_UID, one pipelined-keys: $(echo "$procs" | tr '\n' ';')"
fi

if running "$PID"; then
	kill -TERM "$PID"
	i=0
	while running "$PID" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	if running "$PID"; then
		bad "SIGTERM: the server still runs 15 s after it"
	else
		rc=0
		wait "$PID" || rc=$?
		PID=""
		if [ "$rc" = 0 ]; then ok "SIGTERM: the server exited 0"
		else bad "SIGTERM: the server exited $rc"; fi
	fi
else
	rc=0
	wait "$PID" || rc=$?
	PID=""
	bad "SIGTERM: the entrypoint had already exited ($rc)"
fi

echo "image-test: $(($(date +%s) - t0)) s in all"
if [ "$failed" -ne 0 ]; then
	echo "== server log"
	cat "$TEST_DIR/server.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
