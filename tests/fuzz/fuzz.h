/*
 * fuzz.h: what the harnesses share. CHECK() aborts with the invariant it
 * names, so that libFuzzer keeps the input as a crash; the message starts
 * with FUZZ_NAME, which each harness defines before it includes this,
 * for scripts/fuzz.sh to show.
 */
#ifndef PIPELINED_FUZZ_H
#define PIPELINED_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s: %s:%d: broken: %s\n", FUZZ_NAME,  \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
