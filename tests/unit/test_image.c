/*
 * test_image.c: what a photo's bytes are (src/util/image.c). Every
 * fixture is made here with the libraries the code reads with: JPEGs by
 * libjpeg's compressor, their EXIF by libexif, PNGs by libpng.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jpeglib.h>
#include <libexif/exif-data.h>
#include <png.h>

#include "../../src/util/image.h"

#define MAX_PIXELS 50000000ULL

struct blob {
	unsigned char *p;
	size_t len;
};

static void
blob_free(struct blob *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

static struct blob
blob_copy(const unsigned char *p, size_t len)
{
	struct blob b = {malloc(len > 0 ? len : 1), len};

	assert_non_null(b.p);
	memcpy(b.p, p, len);
	return b;
}

/* JPEG */

enum jpeg_kind { BASELINE, PROGRESSIVE, MANY_SCANS };

/*
 * A w x h JPEG of a gradient, in the colour space given (JCS_RGB,
 * JCS_GRAYSCALE or JCS_CMYK). MANY_SCANS is progressive with one scan
 * for each AC coefficient of each component: 190 scans.
 */
static struct blob
make_jpeg_cs(unsigned w, unsigned h, enum jpeg_kind kind, J_COLOR_SPACE cs)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	jpeg_scan_info scans[1 + 3 * 63];
	unsigned char *out = NULL;
	unsigned long outlen = 0;
	JSAMPROW rowp[1];
	unsigned char *row;
	int comps = cs == JCS_GRAYSCALE ? 1 : cs == JCS_CMYK ? 4 : 3;
	unsigned x, y;
	int i, k, n = 0;
	struct blob b;

	row = malloc((size_t)w * comps);
	assert_non_null(row);
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &outlen);
	c.image_width = w;
	c.image_height = h;
	c.input_components = comps;
	c.in_color_space = cs;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	if (kind == PROGRESSIVE)
		jpeg_simple_progression(&c);
	if (kind == MANY_SCANS) {
		assert_int_equal(c.num_components, 3);
		memset(scans, 0, sizeof(scans));
		scans[n].comps_in_scan = 3;
		for (i = 0; i < 3; i++)
			scans[n].component_index[i] = i;
		n++;
		for (i = 0; i < 3; i++)
			for (k = 1; k < 64; k++, n++) {
				scans[n].comps_in_scan = 1;
				scans[n].component_index[0] = i;
				scans[n].Ss = k;
				scans[n].Se = k;
			}
		c.scan_info = scans;
		c.num_scans = n;
	}
	jpeg_start_compress(&c, TRUE);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w * (unsigned)comps; x++)
			row[x] = (unsigned char)((x * 7 + y * 3) & 0xFF);
		rowp[0] = row;
		jpeg_write_scanlines(&c, rowp, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	b.p = out;
	b.len = outlen;
	return b;
}

static struct blob
make_jpeg(unsigned w, unsigned h, enum jpeg_kind kind)
{
	return make_jpeg_cs(w, h, kind, JCS_RGB);
}

/* jpeg with an APP1 segment of payload (which starts "Exif\0\0") after
 * its SOI. */
static struct blob
splice_app1(const struct blob *jpeg, const unsigned char *payload, size_t n)
{
	struct blob b;

	assert_true(n + 2 <= 0xFFFF);
	assert_true(jpeg->len > 2 && jpeg->p[0] == 0xFF && jpeg->p[1] == 0xD8);
	b.len = jpeg->len + 4 + n;
	b.p = malloc(b.len);
	assert_non_null(b.p);
	b.p[0] = 0xFF;
	b.p[1] = 0xD8;
	b.p[2] = 0xFF;
	b.p[3] = 0xE1;
	b.p[4] = (unsigned char)((n + 2) >> 8);
	b.p[5] = (unsigned char)((n + 2) & 0xFF);
	memcpy(b.p + 6, payload, n);
	memcpy(b.p + 6 + n, jpeg->p + 2, jpeg->len - 2);
	return b;
}

/* The offset of the first marker FF m in a JPEG, or 0. */
static size_t
find_marker(const struct blob *b, unsigned char m)
{
	size_t i;

	for (i = 2; i + 1 < b->len; i++)
		if (b->p[i] == 0xFF && b->p[i + 1] == m)
			return i;
	return 0;
}

/* EXIF */

static ExifEntry *
add_entry(ExifData *ed, ExifIfd ifd, ExifTag tag, ExifFormat format,
    unsigned long components)
{
	ExifMem *mem = exif_mem_new_default();
	ExifEntry *e = exif_entry_new_mem(mem);
	unsigned int size = exif_format_get_size(format) * components;

	assert_non_null(e);
	e->data = exif_mem_alloc(mem, size);
	assert_non_null(e->data);
	e->size = size;
	e->tag = tag;
	e->format = format;
	e->components = components;
	exif_content_add_entry(ed->ifd[ifd], e);
	exif_mem_unref(mem);
	exif_entry_unref(e); /* the IFD holds it */
	return e;
}

static void
add_ascii(ExifData *ed, ExifIfd ifd, ExifTag tag, const char *s)
{
	ExifEntry *e =
	    add_entry(ed, ifd, tag, EXIF_FORMAT_ASCII, strlen(s) + 1);

	memcpy(e->data, s, strlen(s) + 1);
}

static void
add_dms(ExifData *ed, ExifTag tag, const ExifRational dms[3])
{
	ExifEntry *e =
	    add_entry(ed, EXIF_IFD_GPS, tag, EXIF_FORMAT_RATIONAL, 3);
	int i;

	for (i = 0; i < 3; i++)
		exif_set_rational(
		    e->data + 8 * i, exif_data_get_byte_order(ed), dms[i]);
}

struct exif_spec {
	ExifByteOrder order;
	const char *original; /* DateTimeOriginal, or NULL */
	const char *datetime; /* DateTime, or NULL */
	const char *lat_ref, *lon_ref;
	ExifRational lat[3], lon[3];
};

/* The APP1 payload libexif writes for spec ("Exif\0\0" and TIFF). */
static struct blob
make_exif(const struct exif_spec *spec)
{
	ExifData *ed = exif_data_new();
	unsigned char *d = NULL;
	unsigned int ds = 0;
	struct blob b;

	assert_non_null(ed);
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_set_byte_order(ed, spec->order);
	if (spec->original != NULL)
		add_ascii(ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL,
		    spec->original);
	if (spec->datetime != NULL)
		add_ascii(ed, EXIF_IFD_0, EXIF_TAG_DATE_TIME, spec->datetime);
	if (spec->lat_ref != NULL) {
		add_ascii(
		    ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF, spec->lat_ref);
		add_dms(ed, EXIF_TAG_GPS_LATITUDE, spec->lat);
		add_ascii(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE_REF,
		    spec->lon_ref);
		add_dms(ed, EXIF_TAG_GPS_LONGITUDE, spec->lon);
	}
	exif_data_save_data(ed, &d, &ds);
	exif_data_unref(ed);
	assert_non_null(d);
	assert_true(ds > 6);
	assert_memory_equal(d, "Exif\0\0", 6);
	b.p = d;
	b.len = ds;
	return b;
}

/* A 64x48 baseline JPEG with the EXIF of spec. */
static struct blob
make_jpeg_exif(const struct exif_spec *spec)
{
	struct blob jpeg = make_jpeg(64, 48, BASELINE);
	struct blob exif = make_exif(spec);
	struct blob b = splice_app1(&jpeg, exif.p, exif.len);

	blob_free(&jpeg);
	blob_free(&exif);
	return b;
}

/* PNG */

static void
grow_write(png_structp png, png_bytep data, size_t n)
{
	struct blob *b = png_get_io_ptr(png);
	unsigned char *p = realloc(b->p, b->len + n);

	if (p == NULL)
		png_error(png, "out of memory");
	memcpy(p + b->len, data, n);
	b->p = p;
	b->len += n;
}

static void
grow_flush(png_structp png)
{
	(void)png;
}

struct png_job {
	png_structp png;
	png_infop info;
	png_bytep *rows;
	struct blob out;
};

static int
png_write_job(struct png_job *j, unsigned w, unsigned h, int interlace)
{
	if (setjmp(png_jmpbuf(j->png)))
		return -1;
	png_set_write_fn(j->png, &j->out, grow_write, grow_flush);
	png_set_IHDR(j->png, j->info, w, h, 8, PNG_COLOR_TYPE_RGB,
	    interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(j->png, j->info);
	png_write_image(j->png, j->rows);
	png_write_end(j->png, NULL);
	return 0;
}

/* A w x h RGB PNG of a gradient, Adam7-interlaced or not. */
static struct blob
make_png(unsigned w, unsigned h, int interlace)
{
	struct png_job j;
	unsigned x, y;
	int rc;

	memset(&j, 0, sizeof(j));
	j.rows = calloc(h, sizeof(*j.rows));
	assert_non_null(j.rows);
	for (y = 0; y < h; y++) {
		j.rows[y] = malloc((size_t)w * 3);
		assert_non_null(j.rows[y]);
		for (x = 0; x < w * 3; x++)
			j.rows[y][x] = (png_byte)((x * 5 + y * 11) & 0xFF);
	}
	j.png =
	    png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	assert_non_null(j.png);
	j.info = png_create_info_struct(j.png);
	assert_non_null(j.info);
	rc = png_write_job(&j, w, h, interlace);
	png_destroy_write_struct(&j.png, &j.info);
	for (y = 0; y < h; y++)
		free(j.rows[y]);
	free(j.rows);
	assert_int_equal(rc, 0);
	return j.out;
}

/* The offset of the type of the first chunk named type, or 0. */
static size_t
find_chunk(const struct blob *b, const char *type)
{
	size_t pos = 8, n;

	while (pos + 12 <= b->len) {
		n = (size_t)b->p[pos] << 24 | (size_t)b->p[pos + 1] << 16 |
		    (size_t)b->p[pos + 2] << 8 | b->p[pos + 3];
		if (memcmp(b->p + pos + 4, type, 4) == 0)
			return pos + 4;
		pos += 12 + n;
	}
	return 0;
}

static unsigned long
crc32_of(const unsigned char *p, size_t n)
{
	unsigned long c = 0xFFFFFFFFUL;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320UL ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFUL;
}

static void
put32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Checks */

static int
inspect(const struct blob *b, unsigned long long max, struct image_info *info,
    char *why, size_t whylen)
{
	int rc = image_inspect(b->p, b->len, max, info, why, whylen);

	assert_non_null(memchr(why, '\0', whylen));
	if (rc == 0) {
		assert_string_equal(why, "");
	} else {
		assert_int_equal(rc, -1);
		assert_int_equal(info->type, IMAGE_NONE);
		assert_true(strlen(why) > 0);
	}
	return rc;
}

static void
assert_refused(const struct blob *b, const char *reason)
{
	struct image_info info;
	char why[256];

	assert_int_equal(inspect(b, MAX_PIXELS, &info, why, sizeof(why)), -1);
	if (reason != NULL)
		assert_string_equal(why, reason);
}

static void
assert_refused_prefix(const struct blob *b, const char *prefix)
{
	struct image_info info;
	char why[256];

	assert_int_equal(inspect(b, MAX_PIXELS, &info, why, sizeof(why)), -1);
	if (strncmp(why, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start \"%s\"", why, prefix);
}

static void
assert_image(const struct blob *b, enum image_type type, unsigned w, unsigned h,
    struct image_info *info)
{
	char why[256];

	if (inspect(b, MAX_PIXELS, info, why, sizeof(why)) != 0)
		fail_msg("refused: %s", why);
	assert_int_equal(info->type, type);
	assert_string_equal(info->content_type,
	    type == IMAGE_JPEG ? "image/jpeg" : "image/png");
	assert_int_equal(info->width, w);
	assert_int_equal(info->height, h);
}

/* Tests */

static void
test_jpeg_baseline(void **state)
{
	struct blob b = make_jpeg(64, 48, BASELINE);
	struct image_info info;

	(void)state;
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_int_equal(info.has_taken_at, 0);
	assert_int_equal(info.has_position, 0);
	blob_free(&b);
	/* Sizes that are not whole MCUs, and a single pixel. */
	b = make_jpeg(61, 35, BASELINE);
	assert_image(&b, IMAGE_JPEG, 61, 35, &info);
	blob_free(&b);
	b = make_jpeg(1, 1, BASELINE);
	assert_image(&b, IMAGE_JPEG, 1, 1, &info);
	blob_free(&b);
}

static void
test_jpeg_progressive(void **state)
{
	struct blob b = make_jpeg(64, 48, PROGRESSIVE);
	struct image_info info;

	(void)state;
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	blob_free(&b);
	b = make_jpeg(203, 97, PROGRESSIVE);
	assert_image(&b, IMAGE_JPEG, 203, 97, &info);
	blob_free(&b);
}

static void
test_jpeg_colour_spaces(void **state)
{
	struct blob b = make_jpeg_cs(40, 30, BASELINE, JCS_GRAYSCALE);
	struct image_info info;

	(void)state;
	assert_image(&b, IMAGE_JPEG, 40, 30, &info);
	blob_free(&b);
	b = make_jpeg_cs(40, 30, PROGRESSIVE, JCS_CMYK);
	assert_image(&b, IMAGE_JPEG, 40, 30, &info);
	blob_free(&b);
}

static void
test_jpeg_exif(void **state)
{
	/* 33°51'30.56" S, 151°12'40.2" W, big- then little-endian. */
	struct exif_spec spec = {
	    .order = EXIF_BYTE_ORDER_MOTOROLA,
	    .original = "2024:05:06 07:08:09",
	    .datetime = "2025:01:01 00:00:00",
	    .lat_ref = "S",
	    .lon_ref = "W",
	    .lat = {{33, 1}, {51, 1}, {3056, 100}},
	    .lon = {{151, 1}, {12, 1}, {402, 10}},
	};
	double lat = -(33 + 51 / 60.0 + 30.56 / 3600);
	double lon = -(151 + 12 / 60.0 + 40.2 / 3600);
	struct image_info info;
	struct blob b;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		b = make_jpeg_exif(&spec);
		assert_image(&b, IMAGE_JPEG, 64, 48, &info);
		assert_int_equal(info.has_taken_at, 1);
		assert_string_equal(info.taken_at, "2024-05-06 07:08:09");
		assert_int_equal(info.has_position, 1);
		assert_true(fabs(info.lat - lat) < 1e-6);
		assert_true(fabs(info.lon - lon) < 1e-6);
		blob_free(&b);
		spec.order = EXIF_BYTE_ORDER_INTEL;
	}
	/* North and east are positive. */
	spec.lat_ref = "N";
	spec.lon_ref = "E";
	b = make_jpeg_exif(&spec);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_int_equal(info.has_position, 1);
	assert_true(fabs(info.lat + lat) < 1e-6);
	assert_true(fabs(info.lon + lon) < 1e-6);
	blob_free(&b);
}

static void
test_jpeg_exif_date_fallback(void **state)
{
	struct exif_spec spec = {
	    .order = EXIF_BYTE_ORDER_INTEL,
	    .datetime = "2023:12:31 23:59:59",
	};
	struct image_info info;
	struct blob b;

	(void)state;
	b = make_jpeg_exif(&spec);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_int_equal(info.has_taken_at, 1);
	assert_string_equal(info.taken_at, "2023-12-31 23:59:59");
	assert_int_equal(info.has_position, 0);
	blob_free(&b);
	/* An unset clock's original falls back too. */
	spec.original = "0000:00:00 00:00:00";
	b = make_jpeg_exif(&spec);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_string_equal(info.taken_at, "2023-12-31 23:59:59");
	blob_free(&b);
	/* No date is made up (libexif's FOLLOW_SPECIFICATION would add the
	 * tags the standard requires). */
	spec.datetime = NULL;
	b = make_jpeg_exif(&spec);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_int_equal(info.has_taken_at, 0);
	blob_free(&b);
}

static void
test_jpeg_exif_bad_dates(void **state)
{
	static const char *const bad[] = {
	    "    :  :     :  :  ",
	    "2024:13:01 00:00:00",
	    "2024:02:30 00:00:00",
	    "2023:02:29 00:00:00",
	    "2024:05:06 24:00:00",
	    "2024:05:06 07:60:00",
	    "2024-05-06 07:08:09",
	    "2024:05:06 07:08:0",
	    "2024:05:06T07:08:09",
	    "20x4:05:06 07:08:09",
	};
	struct exif_spec spec = {.order = EXIF_BYTE_ORDER_MOTOROLA};
	struct image_info info;
	struct blob b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		spec.original = bad[i];
		b = make_jpeg_exif(&spec);
		assert_image(&b, IMAGE_JPEG, 64, 48, &info);
		if (info.has_taken_at)
			fail_msg("\"%s\" taken as %s", bad[i], info.taken_at);
		blob_free(&b);
	}
	spec.original = "2024:02:29 12:00:00"; /* a leap day */
	b = make_jpeg_exif(&spec);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_string_equal(info.taken_at, "2024-02-29 12:00:00");
	blob_free(&b);
}

static void
test_jpeg_exif_bad_position(void **state)
{
	struct exif_spec base = {
	    .order = EXIF_BYTE_ORDER_MOTOROLA,
	    .original = "2024:05:06 07:08:09",
	    .lat_ref = "N",
	    .lon_ref = "E",
	    .lat = {{10, 1}, {0, 1}, {0, 1}},
	    .lon = {{20, 1}, {0, 1}, {0, 1}},
	};
	struct exif_spec spec;
	struct image_info info;
	struct blob b;
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		spec = base;
		switch (i) {
		case 0: /* a zero denominator */
			spec.lat[2].denominator = 0;
			break;
		case 1: /* beyond the pole */
			spec.lat[0].numerator = 91;
			break;
		case 2:
			spec.lat[0].numerator = 90;
			spec.lat[1].numerator = 1;
			break;
		case 3:
			spec.lon[0].numerator = 181;
			break;
		case 4: /* 60 minutes */
			spec.lon[1].numerator = 60;
			break;
		case 5: /* a reference that is neither */
			spec.lat_ref = "X";
			break;
		}
		b = make_jpeg_exif(&spec);
		assert_image(&b, IMAGE_JPEG, 64, 48, &info);
		assert_int_equal(info.has_position, 0);
		/* The rest of the EXIF is still read. */
		assert_int_equal(info.has_taken_at, 1);
		blob_free(&b);
	}
	spec = base;
	b = make_jpeg_exif(&spec);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	assert_int_equal(info.has_position, 1);
	assert_true(fabs(info.lat - 10) < 1e-9 && fabs(info.lon - 20) < 1e-9);
	blob_free(&b);
}

static void
test_jpeg_garbage_exif(void **state)
{
	struct blob jpeg = make_jpeg(64, 48, BASELINE), b;
	unsigned char payload[600];
	unsigned long seed = 12345;
	struct image_info info;
	size_t i;
	int round;

	(void)state;
	for (round = 0; round < 4; round++) {
		memcpy(payload, "Exif\0\0", 6);
		for (i = 6; i < sizeof(payload); i++) {
			seed = seed * 1103515245UL + 12345UL;
			payload[i] = (unsigned char)(seed >> 16);
		}
		/* A TIFF header that leads into the garbage: little- and
		 * big-endian, the first IFD at 8, with 0xFFFF entries. */
		if (round >= 2) {
			memcpy(payload + 6, round == 2 ? "II*\0" : "MM\0*", 4);
			memcpy(payload + 10,
			    round == 2 ? "\x08\0\0\0" : "\0\0\0\x08", 4);
			payload[14] = payload[15] = 0xFF;
		}
		b = splice_app1(&jpeg, payload, sizeof(payload));
		assert_image(&b, IMAGE_JPEG, 64, 48, &info);
		assert_int_equal(info.has_taken_at, 0);
		assert_int_equal(info.has_position, 0);
		blob_free(&b);
	}
	/* An APP1 of "Exif" alone, shorter than its header. */
	b = splice_app1(&jpeg, (const unsigned char *)"Exif", 4);
	assert_image(&b, IMAGE_JPEG, 64, 48, &info);
	blob_free(&b);
	blob_free(&jpeg);
}

static void
test_jpeg_truncated(void **state)
{
	static const char ends[] = "The JPEG data ends before the image does.";
	enum jpeg_kind kinds[] = {BASELINE, PROGRESSIVE};
	struct blob whole, b;
	size_t i, sos;

	(void)state;
	for (i = 0; i < 2; i++) {
		whole = make_jpeg(64, 48, kinds[i]);
		b = blob_copy(whole.p, whole.len / 2);
		assert_refused(&b, ends);
		blob_free(&b);
		/* Only the EOI missing. */
		b = blob_copy(whole.p, whole.len - 2);
		assert_refused(&b, ends);
		blob_free(&b);
		/* In the headers, before any scan. */
		sos = find_marker(&whole, 0xDA);
		assert_true(sos > 0);
		b = blob_copy(whole.p, sos);
		assert_refused(&b, ends);
		blob_free(&b);
		b = blob_copy(whole.p, 3);
		assert_refused(&b, ends);
		blob_free(&b);
		blob_free(&whole);
	}
}

static void
test_jpeg_corrupt(void **state)
{
	struct blob b = make_jpeg(64, 48, BASELINE);
	static const char text[] =
	    "\xFF\xD8\xFF this is a text file, not a photograph.\n";
	size_t sos;

	(void)state;
	/* An EOI in the middle of the entropy-coded data. */
	sos = find_marker(&b, 0xDA);
	assert_true(sos > 0 && sos + 40 < b.len);
	b.p[(sos + b.len) / 2] = 0xFF;
	b.p[(sos + b.len) / 2 + 1] = 0xD9;
	assert_refused(
	    &b, "The JPEG image is corrupt: premature end of data segment.");
	blob_free(&b);
	/* Text behind JPEG's magic bytes. */
	b = blob_copy((const unsigned char *)text, sizeof(text) - 1);
	assert_refused_prefix(&b, "The JPEG image is corrupt: ");
	blob_free(&b);
	/* Only the magic bytes. */
	b = blob_copy((const unsigned char *)"\xFF\xD8\xFF", 3);
	assert_refused(&b, NULL);
	blob_free(&b);
}

static void
test_jpeg_too_many_scans(void **state)
{
	struct blob b = make_jpeg(64, 48, MANY_SCANS);

	(void)state;
	assert_refused(&b, "The JPEG image has more than 100 scans.");
	blob_free(&b);
}

static void
test_png(void **state)
{
	static const unsigned sizes[][2] = {
	    {64, 48}, {1, 1}, {13, 7}, {3, 200}};
	struct image_info info;
	struct blob b;
	size_t i;
	int interlace;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (interlace = 0; interlace < 2; interlace++) {
			b = make_png(sizes[i][0], sizes[i][1], interlace);
			assert_image(
			    &b, IMAGE_PNG, sizes[i][0], sizes[i][1], &info);
			assert_int_equal(info.has_taken_at, 0);
			assert_int_equal(info.has_position, 0);
			blob_free(&b);
		}
}

static void
test_png_truncated(void **state)
{
	static const char ends[] = "The PNG data ends before the image does.";
	struct blob whole, b;
	size_t cut[4];
	int interlace, i;

	(void)state;
	for (interlace = 0; interlace < 2; interlace++) {
		whole = make_png(64, 48, interlace);
		cut[0] = whole.len / 2;
		cut[1] = whole.len - 1; /* in IEND's CRC */
		cut[2] = whole.len - 12; /* all but IEND */
		cut[3] = 20; /* in IHDR */
		for (i = 0; i < 4; i++) {
			b = blob_copy(whole.p, cut[i]);
			assert_refused(&b, ends);
			blob_free(&b);
		}
		blob_free(&whole);
	}
	/* The signature alone. */
	b = blob_copy((const unsigned char *)"\x89PNG\r\n\x1a\n", 8);
	assert_refused(&b, ends);
	blob_free(&b);
}

static void
test_png_corrupt(void **state)
{
	static const char corrupt[] = "The PNG image is corrupt: ";
	struct blob whole = make_png(64, 48, 0), b;
	size_t idat = find_chunk(&whole, "IDAT"), n;

	(void)state;
	assert_true(idat > 0);
	n = (size_t)whole.p[idat - 4] << 24 | (size_t)whole.p[idat - 3] << 16 |
	    (size_t)whole.p[idat - 2] << 8 | whole.p[idat - 1];
	/* A flipped bit in IDAT: libpng inflates a chunk as it reads it,
	 * so zlib's check (or an inflate error) comes before the CRC's. */
	b = blob_copy(whole.p, whole.len);
	b.p[idat + 4 + n / 2] ^= 0x01;
	assert_refused_prefix(&b, corrupt);
	/* Still refused with the CRC made right for the damaged data. */
	put32(b.p + idat + 4 + n, crc32_of(b.p + idat, 4 + n));
	assert_refused_prefix(&b, corrupt);
	blob_free(&b);
	/* The data intact and its CRC wrong. */
	b = blob_copy(whole.p, whole.len);
	b.p[idat + 4 + n] ^= 0x80;
	assert_refused(&b, "The PNG image is corrupt: IDAT: CRC error.");
	blob_free(&b);
	/* A flipped bit in IHDR. */
	b = blob_copy(whole.p, whole.len);
	b.p[16 + 9] ^= 0x01;
	assert_refused(&b, "The PNG image is corrupt: IHDR: CRC error.");
	blob_free(&b);
	blob_free(&whole);
}

static void
test_not_an_image(void **state)
{
	static const char reason[] = "The body is not a JPEG or PNG image.";
	struct image_info info;
	char why[64];
	struct blob b;

	(void)state;
	assert_int_equal(
	    image_inspect(NULL, 0, MAX_PIXELS, &info, why, sizeof(why)), -1);
	assert_string_equal(why, reason);
	b = blob_copy((const unsigned char *)"", 0);
	assert_refused(&b, reason);
	blob_free(&b);
	b = blob_copy((const unsigned char *)"\xFF", 1);
	assert_refused(&b, reason);
	blob_free(&b);
	b = blob_copy((const unsigned char *)"\xFF\xD8", 2);
	assert_refused(&b, reason);
	blob_free(&b);
	b = blob_copy((const unsigned char *)"\x89PNG\r\n", 6);
	assert_refused(&b, reason);
	blob_free(&b);
	b = blob_copy((const unsigned char *)"GIF89a\x01\0\x01\0", 10);
	assert_refused(&b, reason);
	blob_free(&b);
}

static void
test_max_pixels(void **state)
{
	struct blob jpeg = make_jpeg(64, 48, PROGRESSIVE);
	struct blob png = make_png(64, 48, 1);
	struct image_info info;
	char why[256];

	(void)state;
	assert_int_equal(inspect(&jpeg, 3072, &info, why, sizeof(why)), 0);
	assert_int_equal(inspect(&jpeg, 3071, &info, why, sizeof(why)), -1);
	assert_string_equal(
	    why, "The image has 3072 pixels; at most 3071 are taken.");
	assert_int_equal(inspect(&png, 3072, &info, why, sizeof(why)), 0);
	assert_int_equal(inspect(&png, 3071, &info, why, sizeof(why)), -1);
	assert_string_equal(
	    why, "The image has 3072 pixels; at most 3071 are taken.");
	blob_free(&jpeg);
	blob_free(&png);
}

/* Huge dimensions in a tiny file: refused on the header, before any
 * data is decoded (or allocated for). */
static void
test_max_pixels_before_decoding(void **state)
{
	struct blob whole = make_jpeg(64, 48, BASELINE), b;
	size_t sof = find_marker(&whole, 0xC0), sos, ihdr;
	struct image_info info;
	char why[256];

	(void)state;
	/* The JPEG: 65000 x 65000 in SOF0, cut after the SOS header. */
	assert_true(sof > 0);
	whole.p[sof + 5] = 65000 >> 8;
	whole.p[sof + 6] = 65000 & 0xFF;
	whole.p[sof + 7] = 65000 >> 8;
	whole.p[sof + 8] = 65000 & 0xFF;
	sos = find_marker(&whole, 0xDA);
	b = blob_copy(
	    whole.p, sos + 2 + (whole.p[sos + 2] << 8 | whole.p[sos + 3]));
	assert_int_equal(inspect(&b, MAX_PIXELS, &info, why, sizeof(why)), -1);
	assert_string_equal(why, "The image has 4225000000 pixels; at most "
	                         "50000000 are taken.");
	blob_free(&b);
	blob_free(&whole);

	/* The PNG: 1000000 x 1000000 in IHDR (libpng's own limit on
	 * each), its CRC right, and nothing after IHDR. */
	whole = make_png(64, 48, 0);
	ihdr = find_chunk(&whole, "IHDR");
	assert_int_equal(ihdr, 12);
	put32(whole.p + ihdr + 4, 1000000);
	put32(whole.p + ihdr + 8, 1000000);
	put32(whole.p + ihdr + 17, crc32_of(whole.p + ihdr, 17));
	b = blob_copy(whole.p, ihdr + 21);
	assert_int_equal(inspect(&b, MAX_PIXELS, &info, why, sizeof(why)), -1);
	/* libpng reads the chunk after IHDR before it says the header
	 * is read: the data ends first. */
	assert_string_equal(why, "The PNG data ends before the image does.");
	blob_free(&b);
	/* With the rest of the file there, the size is what refuses. */
	assert_int_equal(
	    inspect(&whole, MAX_PIXELS, &info, why, sizeof(why)), -1);
	assert_string_equal(why, "The image has 1000000000000 pixels; at most "
	                         "50000000 are taken.");
	blob_free(&whole);
}

static void
test_why_bounds(void **state)
{
	struct blob b = make_jpeg(64, 48, BASELINE);
	struct image_info info;
	char why[12];

	(void)state;
	b.len /= 2;
	memset(why, 'x', sizeof(why));
	assert_int_equal(
	    image_inspect(b.p, b.len, MAX_PIXELS, &info, why, 5), -1);
	assert_string_equal(why, "The ");
	assert_int_equal(why[5], 'x');
	assert_int_equal(
	    image_inspect(b.p, b.len, MAX_PIXELS, &info, why, 1), -1);
	assert_string_equal(why, "");
	/* No room for a reason at all. */
	assert_int_equal(
	    image_inspect(b.p, b.len, MAX_PIXELS, &info, NULL, 0), -1);
	b.len *= 2;
	assert_int_equal(
	    image_inspect(b.p, b.len, MAX_PIXELS, &info, NULL, 0), 0);
	blob_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jpeg_baseline),
	    cmocka_unit_test(test_jpeg_progressive),
	    cmocka_unit_test(test_jpeg_colour_spaces),
	    cmocka_unit_test(test_jpeg_exif),
	    cmocka_unit_test(test_jpeg_exif_date_fallback),
	    cmocka_unit_test(test_jpeg_exif_bad_dates),
	    cmocka_unit_test(test_jpeg_exif_bad_position),
	    cmocka_unit_test(test_jpeg_garbage_exif),
	    cmocka_unit_test(test_jpeg_truncated),
	    cmocka_unit_test(test_jpeg_corrupt),
	    cmocka_unit_test(test_jpeg_too_many_scans),
	    cmocka_unit_test(test_png),
	    cmocka_unit_test(test_png_truncated),
	    cmocka_unit_test(test_png_corrupt),
	    cmocka_unit_test(test_not_an_image),
	    cmocka_unit_test(test_max_pixels),
	    cmocka_unit_test(test_max_pixels_before_decoding),
	    cmocka_unit_test(test_why_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
