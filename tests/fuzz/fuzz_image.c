/*
 * fuzz_image.c: libFuzzer harness for what a photo's bytes are
 * (image_inspect() in src/util/image.c). The input is an upload's body.
 *
 * Only image.c is instrumented: libjpeg-turbo, libpng and libexif are
 * Debian's, so coverage guides the fuzzer through image.c's branches and
 * the seeds (a JPEG with EXIF, a progressive JPEG, an interlaced PNG)
 * carry it into the decoders; ASan still sees their reads of the input,
 * which is passed in a buffer of exactly its bytes.
 *
 * Every input is either refused, with a sentence that starts "The " and
 * ends with a full stop and nothing else said, or taken as one of the
 * two types its first bytes name, of at least one pixel and at most
 * MAX_PIXELS, with a date of the form "YYYY-MM-DD HH:MM:SS" and a
 * position on the globe when it has them (a PNG has neither). Inspected
 * again with a reason buffer of 1 to 16 bytes (exactly that much
 * memory), the verdict is the same and the reason is the first one cut.
 */
#include <math.h>
#include <string.h>

#include "../../src/util/image.h"

#define FUZZ_NAME "fuzz_image"
#include "fuzz.h"

/* Small enough that a few bytes claiming the most pixels cannot make the
 * decoders take more than libFuzzer's 2 GB (libjpeg is bounded at 8
 * bytes a pixel and 32 MB). */
#define MAX_PIXELS (1ULL << 24)

static void
check_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	size_t i;

	CHECK(strlen(s) == 19);
	for (i = 0; i < 19; i++)
		CHECK(shape[i] == 'd' ? s[i] >= '0' && s[i] <= '9'
		                      : s[i] == shape[i]);
}

static void
check_taken(const uint8_t *data, size_t size, const struct image_info *in)
{
	static const char zeros[20];

	CHECK(in->type == IMAGE_JPEG || in->type == IMAGE_PNG);
	CHECK(in->width >= 1 && in->height >= 1);
	CHECK((unsigned long long)in->width * in->height <= MAX_PIXELS);
	if (in->type == IMAGE_JPEG) {
		CHECK(size >= 3 && data[0] == 0xFF && data[1] == 0xD8);
		CHECK(strcmp(in->content_type, "image/jpeg") == 0);
	} else {
		CHECK(size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0);
		CHECK(strcmp(in->content_type, "image/png") == 0);
		CHECK(!in->has_taken_at && !in->has_position);
	}
	CHECK(in->has_taken_at == 0 || in->has_taken_at == 1);
	if (in->has_taken_at)
		check_date(in->taken_at);
	else
		CHECK(memcmp(in->taken_at, zeros, sizeof(zeros)) == 0);
	CHECK(in->has_position == 0 || in->has_position == 1);
	if (in->has_position)
		CHECK(isfinite(in->lat) && isfinite(in->lon) &&
		      fabs(in->lat) <= 90 && fabs(in->lon) <= 180);
	else
		CHECK(in->lat == 0 && in->lon == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size > 0 ? size : 1);
	struct image_info info, again;
	char why[256], *cut;
	size_t n, cutlen = 1 + size % 16;
	int rc, rc2;

	CHECK(copy != NULL);
	memcpy(copy, data, size);
	memset(why, 'x', sizeof(why));
	rc = image_inspect(copy, size, MAX_PIXELS, &info, why, sizeof(why));
	CHECK(rc == 0 || rc == -1);
	CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	n = strlen(why);
	if (rc == 0) {
		CHECK(n == 0);
		check_taken(data, size, &info);
	} else {
		CHECK(info.type == IMAGE_NONE && info.content_type == NULL);
		CHECK(n > 5 && strncmp(why, "The ", 4) == 0);
		CHECK(why[n - 1] == '.');
	}

	CHECK((cut = malloc(cutlen)) != NULL);
	rc2 = image_inspect(copy, size, MAX_PIXELS, &again, cut, cutlen);
	CHECK(rc2 == rc);
	CHECK(again.width == info.width && again.height == info.height);
	CHECK(strlen(cut) == (n < cutlen - 1 ? n : cutlen - 1));
	CHECK(memcmp(cut, why, strlen(cut)) == 0);
	free(cut);
	free(copy);
	return 0;
}
