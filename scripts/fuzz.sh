#!/bin/sh
# make fuzz: each libFuzzer harness for FUZZ_SECONDS (default 30) over a
# copy of its seed corpus, tests/fuzz/corpus/<name>/ for
# build/fuzz/fuzz_<name>. Prints each harness's executions and coverage;
# a crash, leak or timeout is written to build/fuzz/ (crash-<sha1> and
# the like) and fails the run. See the Makefile for keeping it as a
# regression case.
#
#   scripts/fuzz.sh build/fuzz/fuzz_NAME...
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-30}
failed=0
for h in "$@"; do
	name=${h##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	work=build/fuzz/corpus/$name
	log=build/fuzz/$name.log
	rm -rf "$work"
	mkdir -p "$work"
	[ -d "$seeds" ] && cp "$seeds"/* "$work"/
	before=$(ls build/fuzz | grep -E '^(crash|leak|timeout|oom)-' | sort)
	"$h" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/ "$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "fuzz: $name: ${execs:-?} executions in ${secs}s" \
		    "(${cov:-cov: ?}, corpus $(ls "$work" | wc -l) inputs)"
		continue
	fi
	failed=1
	echo "fuzz: $name FAILED (exit $rc) after ${execs:-?} executions;" \
	    "log in $log"
	grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_[a-z_]*:)' "$log" | head -n 5
	after=$(ls build/fuzz | grep -E '^(crash|leak|timeout|oom)-' | sort)
	for a in $(echo "$after" | grep -vxF "$before"); do
		echo "fuzz: input in build/fuzz/$a; replay with $h build/fuzz/$a"
	done
done
exit $failed
