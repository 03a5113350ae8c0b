/*
 * hex.h: lowercase hexadecimal, the form key hashes and certificate
 * fingerprints take in the database and in logs.
 */
#ifndef PIPELINED_HEX_H
#define PIPELINED_HEX_H

#include <stddef.h>

/* Writes 2 * n hex digits of in to out, and a terminating NUL. */
void hex_encode(const unsigned char *in, size_t n, char *out);

#endif
