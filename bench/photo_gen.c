/*
 * photo_gen.c: the photos of make bench's photo row (bench/photos.sh):
 * n JPEGs of about 3 MB each, of noise so that they compress like a
 * phone's photo of a site rather than like a test pattern, each distinct,
 * written into dir under their SHA-256 (the name PUT takes).
 *
 *   photo_gen DIR N
 */
#include <stdio.h>
#include <stdlib.h>

#include "images.h"

int
main(int argc, char **argv)
{
	char hash[65], path[4096];
	unsigned char *jpg;
	size_t len;
	FILE *f;
	int i, n;

	if (argc != 3 || (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: photo_gen DIR N\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		/* 2300 x 1700 of noise at quality 85: about 3 MB. */
		jpg = img_jpeg(
		    2300, 1700, 0, (unsigned)i | IMG_NOISE, NULL, &len);
		img_sha256_hex(jpg, len, hash);
		snprintf(path, sizeof(path), "%s/%s", argv[1], hash);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(jpg, 1, len, f) != len || fclose(f) != 0) {
			perror(path);
			return 1;
		}
		free(jpg);
	}
	return 0;
}
