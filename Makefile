# pipelined: the Yuncheng investment pipeline service.
#
#   make run     install what is missing, build, start PostgreSQL under var/,
#                migrate, load the demo data, serve https://127.0.0.1:8443
#   make test    the same set-up with a throwaway database; every test
#   make image-test  docker/Dockerfile built with podman from a debootstrap
#                base, its entrypoint run under chroot against a throwaway
#                database, /health and /ready (scripts/image-test.sh)
#   make bench   the HTTP and database benchmark against nginx and pgbench
#   make bench-figures  the figures on 1,000,000 projects (bench/figures.sh)
#   make cluster a primary, a synchronous standby, two instances and
#                HAProxy on https://127.0.0.1:8443 (scripts/cluster.sh)
#   make cluster-promote  promote the standby once the primary is gone
#   make test-cluster     failover under write load (scripts/test-cluster.sh)
#   make bench-cluster    HAProxy and two instances against one; synchronous
#                against local commit (bench/cluster.sh)
#   make lint    cppcheck and clang-tidy, zero findings (scripts/lint.sh)
#   make fuzz    every libFuzzer harness for FUZZ_SECONDS (30) each
#   make format  clang-format every C file

CC       ?= cc
PKGS      = libevent libevent_openssl openssl libpq jansson \
            libjpeg libpng libexif
CSTD      = -std=c17 -D_GNU_SOURCE
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
INC       = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/postgresql
LIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser -lcsv -lseccomp -lm
TESTLIBS  = $(shell pkg-config --libs cmocka libcurl 2>/dev/null)

RELEASE_CFLAGS = $(CSTD) $(WARN) -O2 -g $(INC)
ASAN_CFLAGS    = $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
                 -fsanitize=address,undefined -fno-sanitize-recover=undefined $(INC)

SRC       = $(wildcard src/*.c src/util/*.c src/runtime/*.c src/http/*.c src/api/*.c src/domain/*.c src/db/*.c)
GEN       = build/gen/migrations.c build/gen/openapi_contract.c
DOMAIN    = $(wildcard src/domain/*.c)

.PHONY: all run test image-test run-check bench bench-figures fuzz deps lint format format-check clean \
        cluster cluster-promote test-cluster bench-cluster

all: build/release/pipelined

# The migrations (sql/NNN_*.sql) and the functions (sql/functions/, in the
# order of sql/functions/ORDER); see src/db/embed-sql.awk.
SQL_MIGRATIONS = $(sort $(wildcard sql/*.sql))
SQL_FUNCTIONS  = $(sort $(wildcard sql/functions/*.sql))
# The folders are prerequisites too, so that removing or renaming a file
# (a branch switch) rebuilds the schema without it.
build/gen/migrations.c: sql sql/functions $(SQL_MIGRATIONS) $(SQL_FUNCTIONS) \
    sql/functions/ORDER src/db/embed-sql.awk
	@mkdir -p $(@D)
	awk -v order=sql/functions/ORDER -v functions="$(SQL_FUNCTIONS)" \
	    -f src/db/embed-sql.awk $(SQL_MIGRATIONS) > $@.tmp
	mv $@.tmp $@

build/gen/openapi_contract.c: src/api/openapi.json
	@mkdir -p $(@D)
	awk 'BEGIN { print "const char openapi_contract_json[] =" } \
	     { gsub(/\\/, "\\\\\\\\"); gsub(/"/, "\\\""); print "\"" $$0 "\\n\"" } \
	     END { print ";" }' $< > $@

build/release/pipelined: $(SRC) $(GEN) $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(RELEASE_CFLAGS) -Isrc/db -o $@ $(SRC) $(GEN) $(LIBS)

# The photos of make bench's photo row (bench/photos.sh), made with the
# tests' own image generator.
build/release/photo_gen: bench/photo_gen.c tests/support/images.c tests/support/images.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -g $(shell pkg-config --cflags libpng) -Itests/support \
	    -o $@ bench/photo_gen.c tests/support/images.c \
	    $(shell pkg-config --libs libjpeg libpng libexif openssl)

# The load generator of make bench's handshake rows (bench/handshake.sh).
build/release/handshake: bench/handshake.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -g $(shell pkg-config --cflags openssl) \
	    -o $@ $< $(shell pkg-config --libs openssl) -lpthread

build/asan/pipelined: $(SRC) $(GEN) $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Isrc/db -o $@ $(SRC) $(GEN) $(LIBS)

# Unit tests link the pure code only: the domain, the shared utilities
# (configuration, allocation, hex, metrics, address ranges), the pool's
# batch helpers, the client address of a forwarded request, the PROXY
# protocol header, entity-tag lists, Accept-Language, the workers' sandbox
# and the key manager (test_keymgr runs one).
UNIT_TESTS = $(patsubst tests/unit/%.c,build/asan/%,$(wildcard tests/unit/test_*.c))
UNIT_SRC   = $(DOMAIN) $(wildcard src/util/*.c) src/db/batch.c \
             src/http/client_addr.c src/http/proxy.c src/http/etag.c \
             src/http/language.c \
             src/runtime/sandbox.c \
             src/runtime/landlock.c src/runtime/keymgr.c \
             $(wildcard tests/oracle/*.c)
build/asan/test_%: tests/unit/test_%.c $(UNIT_SRC) $(wildcard src/*/*.h tests/oracle/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Isrc/db -o $@ $< $(UNIT_SRC) $(TESTLIBS) $(LIBS)

# test_input also links the API's readers of request bodies, which do no
# I/O (input.c without input_reply.c).
INPUT_SRC  = src/api/input.c src/api/history.c src/api/project_fields.c \
             src/api/import_parse.c
build/asan/test_input: tests/unit/test_input.c $(UNIT_SRC) $(INPUT_SRC) \
                       $(wildcard src/*/*.h tests/oracle/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Isrc/db -o $@ $< $(UNIT_SRC) $(INPUT_SRC) \
	    $(TESTLIBS) $(LIBS)

# test_queries compiles the typed queries of src/db/ into itself, beside
# a fake pool: it must be rebuilt when they change.
build/asan/test_queries: $(wildcard src/db/*.c)

API_SUPPORT = $(wildcard tests/support/*.c)
API_TESTS   = $(patsubst tests/api/%.c,build/asan/api_%,$(wildcard tests/api/test_*.c))
build/asan/api_%: tests/api/%.c $(API_SUPPORT) $(wildcard tests/support/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Itests/support -o $@ $< $(API_SUPPORT) $(TESTLIBS) $(LIBS) -lpthread

# test_history replays the stored histories with the domain's own code, to
# hold the derived fields that a new event's check starts from against the
# events they come from.
build/asan/api_test_history: tests/api/test_history.c $(API_SUPPORT) $(DOMAIN) \
    src/util/alloc.c $(wildcard tests/support/*.h src/domain/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Itests/support -o $@ $< $(API_SUPPORT) $(DOMAIN) \
	    src/util/alloc.c $(TESTLIBS) $(LIBS) -lpthread

# Fuzz harnesses (tests/fuzz/fuzz_*.c) link the code they fuzz and no
# more, under libFuzzer, ASan and UBSan; each has a seed corpus in
# tests/fuzz/corpus/<name>/. make fuzz runs each over a copy of its corpus
# in build/fuzz/corpus/ (what libFuzzer adds stays out of the repository)
# and fails on the first crash, leak or broken invariant, which libFuzzer
# writes to build/fuzz/crash-<sha1> (leak-, timeout-, oom- likewise).
# Replay it with build/fuzz/fuzz_<name> build/fuzz/crash-<sha1>; once it
# is fixed, keep it as a regression case: copy it to
# tests/fuzz/corpus/<name>/ under a name that says what it broke, since
# every run starts with the whole corpus.
FUZZ_CC      = clang
FUZZ_CFLAGS  = $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS = 30
FUZZERS      = build/fuzz/fuzz_parse build/fuzz/fuzz_config \
               build/fuzz/fuzz_cursor build/fuzz/fuzz_body \
               build/fuzz/fuzz_ndjson build/fuzz/fuzz_csv \
               build/fuzz/fuzz_proxy build/fuzz/fuzz_image
# A harness's prerequisites are its .c files, which it links, and the
# headers, which it does not.
FUZZ_HDRS    = $(wildcard src/*/*.h) tests/fuzz/fuzz.h
FUZZ_LINK    = $(FUZZ_CC) $(FUZZ_CFLAGS) $(INC) -o $@ $(filter %.c,$^) $(LIBS)

build/fuzz/fuzz_parse: tests/fuzz/fuzz_parse.c src/http/parse.c src/util/alloc.c \
                       src/http/parse.h src/http/http.h src/util/alloc.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_parse.c src/http/parse.c \
	    src/util/alloc.c -lhttp_parser $(LIBS)

build/fuzz/fuzz_config: tests/fuzz/fuzz_config.c src/util/config.c src/util/cidr.c \
                        src/util/alloc.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

build/fuzz/fuzz_cursor: tests/fuzz/fuzz_cursor.c src/api/cursor.c \
                        src/api/input.c src/domain/validate.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

build/fuzz/fuzz_body: tests/fuzz/fuzz_body.c src/api/input.c \
                      src/api/project_fields.c src/api/report_fields.c \
                      src/api/history.c $(DOMAIN) src/util/alloc.c \
                      $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

IMPORT_FUZZ_SRC = src/api/import_parse.c src/api/project_fields.c \
                  src/api/input.c src/domain/validate.c src/util/alloc.c
build/fuzz/fuzz_ndjson: tests/fuzz/fuzz_ndjson.c $(IMPORT_FUZZ_SRC) \
                        tests/fuzz/import_check.h $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

build/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c $(IMPORT_FUZZ_SRC) \
                     tests/fuzz/import_check.h $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

build/fuzz/fuzz_proxy: tests/fuzz/fuzz_proxy.c src/http/proxy.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

build/fuzz/fuzz_image: tests/fuzz/fuzz_image.c src/util/image.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_LINK)

fuzz: deps $(FUZZERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZERS)

deps:
	@scripts/deps.sh

run: deps build/release/pipelined
	@scripts/run.sh

test: deps build/release/pipelined build/asan/pipelined $(UNIT_TESTS) $(API_TESTS)
	@scripts/test.sh $(UNIT_TESTS) -- $(API_TESTS)

# Builds inside the image; needs only what deps installs for the
# throwaway PostgreSQL and curl (and installs podman and debootstrap).
image-test: deps
	@scripts/image-test.sh

# make run from a clone under /root, as a newcomer runs it (issue 13).
run-check: deps
	@scripts/run-check.sh

bench: deps build/release/pipelined build/release/handshake build/release/photo_gen
	@bench/run.sh

bench-figures: deps build/release/pipelined
	@bench/figures.sh

cluster: deps build/release/pipelined
	@scripts/cluster.sh up

cluster-promote:
	@scripts/cluster.sh promote

# The cluster's tests drive a cluster of their own (scripts/cluster.sh in
# a scratch directory, on free ports) with the release binary.
CLUSTER_TESTS = $(patsubst tests/cluster/%.c,build/asan/cluster_%,$(wildcard tests/cluster/test_*.c))
build/asan/cluster_%: tests/cluster/%.c $(API_SUPPORT) $(wildcard tests/support/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Itests/support -o $@ $< $(API_SUPPORT) $(TESTLIBS) $(LIBS) -lpthread

test-cluster: deps build/release/pipelined $(CLUSTER_TESTS)
	@scripts/test-cluster.sh $(CLUSTER_TESTS)

bench-cluster: deps build/release/pipelined
	@bench/cluster.sh

lint: deps $(GEN)
	@scripts/lint.sh

format:
	clang-format -i $(wildcard src/*.c src/*/*.c src/*/*.h tests/*/*.c tests/*/*.h bench/*.c)

format-check:
	clang-format --dry-run --Werror $(wildcard src/*.c src/*/*.c src/*/*.h tests/*/*.c tests/*/*.h bench/*.c)

clean:
	rm -rf build
