/*
 * clock.h: the one clock the service measures intervals with, the
 * monotonic one (the same in every process of a host, and never set
 * back), in milliseconds.
 */
#ifndef PIPELINED_CLOCK_H
#define PIPELINED_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
