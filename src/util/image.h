/*
 * image.h: what a photo's bytes are, decided by real decoders
 * (libjpeg-turbo, libpng) rather than by magic bytes, and what its EXIF
 * says (libexif). Pure: no I/O, no global state; safe on any input.
 */
#ifndef PIPELINED_IMAGE_H
#define PIPELINED_IMAGE_H

#include <stddef.h>

enum image_type { IMAGE_NONE, IMAGE_JPEG, IMAGE_PNG };

struct image_info {
	enum image_type type;
	const char *content_type; /* "image/jpeg", "image/png" */
	unsigned width, height;
	/* EXIF, when present: the capture time as written
	 * ("YYYY-MM-DD HH:MM:SS", no zone: EXIF 2.3 has none) and the GPS
	 * position in decimal degrees (south and west negative). */
	int has_taken_at;
	char taken_at[20];
	int has_position;
	double lat, lon;
};

/*
 * Decodes buf wholly (every scan of a JPEG, every row of a PNG, at a
 * reduced scale where the decoder offers one so that a 12-megapixel photo
 * costs little memory), so that a truncated or corrupt image is refused,
 * not only one whose first bytes are wrong. 0 and *out filled when buf is
 * one JPEG or PNG image of at most max_pixels pixels; -1 and a reason in
 * why (a sentence for a client: "The JPEG data ends before the image
 * does.") otherwise.
 */
int image_inspect(const unsigned char *buf, size_t len,
    unsigned long long max_pixels, struct image_info *out, char *why,
    size_t whylen);

#endif
