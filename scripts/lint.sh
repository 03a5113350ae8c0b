#!/bin/sh
# make lint: cppcheck and clang-tidy over src/, with the configuration in
# .clang-tidy and the flags below; any finding fails. A false positive is
# suppressed where it is, with the reason (NOLINT or cppcheck-suppress),
# never by turning a check off for everything.
set -u
cd "$(dirname "$0")/.."
INC="$(pkg-config --cflags libevent openssl libpq jansson) -I/usr/include/postgresql"
FILES=$(ls src/*.c src/*/*.c)
rc=0

# cppcheck reads two system headers for their macros (TAILQ_*,
# json_*_foreach); without them it cannot parse the files that use them.
cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
	--enable=warning,performance,portability -D_GNU_SOURCE \
	--include=/usr/include/x86_64-linux-gnu/sys/queue.h \
	--include=/usr/include/jansson.h \
	--suppress=missingIncludeSystem -Isrc -Isrc/db $FILES || rc=1

# clang-tidy prints its count of suppressed warnings on stderr: noise.
export INC
echo "$FILES" | xargs -P "$(nproc)" -n 4 sh -c \
	'clang-tidy --quiet "$@" -- -std=c17 -D_GNU_SOURCE $INC -Isrc/db \
	 -Ibuild/gen 2>/dev/null' clang-tidy || rc=1

if [ "$rc" -eq 0 ]; then echo "lint: clean"; else echo "lint: findings above"; fi
exit "$rc"
