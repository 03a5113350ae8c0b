/*
 * hex.c: see hex.h. By table: a key hash is encoded on every request that
 * misses the key cache, and snprintf per byte cost more than the hash.
 */
#include "hex.h"

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
