#!/bin/sh
# Prints a TCP port on loopback that no socket uses, listening or not,
# from below the kernel's ephemeral range (32768 and up), so that no
# outgoing connection takes it in the time before a server binds it (a
# make run builds and migrates first). For make run-check, make
# test-cluster and make bench-cluster.
while :; do
	p=$(awk -v s="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { print 10000 + s % 22000 }')
	ss -Htan "sport = :$p" | grep -q . || { echo "$p"; exit 0; }
done
