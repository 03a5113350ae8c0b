/*
 * images.h: photos for the tests, made in memory with libjpeg-turbo,
 * libpng and libexif (images.c). Each returns a malloc'd buffer and its
 * length; seed varies the pixels, so that distinct seeds give distinct
 * photos (and hashes).
 */
#ifndef TEST_IMAGES_H
#define TEST_IMAGES_H

#include <stddef.h>

/* A seed with this bit gives noise: a photo that hardly compresses, for
 * the tests of sizes. */
#define IMG_NOISE 0x10000u

/* What an EXIF APP1 segment says: DateTimeOriginal
 * ("YYYY:MM:DD HH:MM:SS") and a GPS position, south and west negative. */
struct img_exif {
	const char *taken_at;
	double lat, lon;
};

/* A w x h JPEG, baseline or progressive, with exif when not NULL. */
unsigned char *img_jpeg(unsigned w, unsigned h, int progressive, unsigned seed,
    const struct img_exif *exif, size_t *len);
/* A w x h RGB PNG, interlaced (Adam7) or not. */
unsigned char *img_png(
    unsigned w, unsigned h, int interlaced, unsigned seed, size_t *len);
/* The SHA-256 of len bytes, in lowercase hex. */
void img_sha256_hex(const unsigned char *b, size_t len, char out[65]);

#endif
