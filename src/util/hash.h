/*
 * hash.h: FNV-1a of a string, for the fixed-size shared-memory tables
 * (rate limits, connections per address): short keys, no adversary who
 * gains by a collision more than a shared slot.
 */
#ifndef PIPELINED_HASH_H
#define PIPELINED_HASH_H

static inline unsigned
hash_string(const char *s)
{
	unsigned h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#endif
