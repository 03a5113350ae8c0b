/*
 * image.c: see image.h. The first bytes only choose the decoder; the
 * decoder decides. A JPEG is decompressed at 1/8 scale (libjpeg then
 * entropy-decodes every coefficient but computes only the DC term) into
 * one row; a PNG is inflated row by row into one row, every pass of an
 * interlaced one. A libjpeg warning (a truncated file, corrupt entropy
 * data) is an error here, as djpeg -strict makes it.
 *
 * Both libraries report errors by longjmp. The setjmp is in a function
 * (jpeg_run, png_run) whose only state is a struct its caller owns, so
 * that no automatic variable of the function that calls setjmp changes
 * between setjmp and longjmp (C17 7.13.2.1); the caller then destroys the
 * decoder and frees the row on every path.
 *
 * EXIF (a JPEG's APP1) is read only from an image that decoded, and never
 * refuses one: what is missing or malformed is left out.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <libexif/exif-data.h>
#include <png.h>

#include "image.h"

/*
 * The most scans a JPEG may have: a progressive phone photo has about 10
 * (libjpeg's simple progression has 10 for colour); each scan costs a
 * pass over the image, and a few bytes can make one (djpeg's -maxscans).
 */
#define JPEG_MAX_SCANS 100
/*
 * The decoder's memory, per pixel, beyond a fixed allowance: a
 * progressive JPEG keeps every coefficient of the image (2 bytes each),
 * 6 bytes a pixel for three full-resolution components, 8 for CMYK.
 */
#define JPEG_BYTES_PER_PIXEL 8ULL
#define JPEG_FIXED_BYTES     (32ULL << 20)
/* And never more than this, whatever the pixels: a header of a few bytes
 * may declare 60 megapixels, and a worker must not give one request half
 * a gigabyte (a progressive 16-megapixel photo still fits). */
#define JPEG_MAX_BYTES (128ULL << 20)

/* A reason into why (whylen bytes, NUL-terminated, cut to fit). A macro
 * over snprintf rather than a function of its own over vsnprintf:
 * clang-analyzer 14, with this file's headers, takes any va_list here for
 * one never begun. */
#define say(why, whylen, ...) ((void)snprintf((why), (whylen), __VA_ARGS__))

/* A library's message as a clause: no trailing full stop or space. */
static void
trim_message(char *msg)
{
	size_t n = strlen(msg);

	while (n > 0 &&
	       (msg[n - 1] == '.' || msg[n - 1] == ' ' || msg[n - 1] == '\n'))
		msg[--n] = '\0';
}

static int
too_many_pixels(unsigned long long w, unsigned long long h,
    unsigned long long max_pixels, char *why, size_t whylen)
{
	if (w * h <= max_pixels)
		return 0;
	say(why, whylen, "The image has %llu pixels; at most %llu are taken.",
	    w * h, max_pixels);
	return 1;
}

/* JPEG */

struct jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int code; /* the message code of the error or warning */
	char msg[JMSG_LENGTH_MAX];
};

struct jpeg_ctx {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_err err;
	struct jpeg_progress_mgr progress;
	int too_many_scans;
};

static void
jpeg_fail(j_common_ptr cinfo)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;

	e->code = e->pub.msg_code;
	(*e->pub.format_message)(cinfo, e->msg);
	longjmp(e->jb, 1);
}

/* A warning (msg_level -1) is an error; trace messages are dropped. */
static void
jpeg_message(j_common_ptr cinfo, int msg_level)
{
	if (msg_level < 0)
		jpeg_fail(cinfo);
}

static void
jpeg_output(j_common_ptr cinfo)
{
	(void)cinfo;
}

static void
jpeg_progress(j_common_ptr cinfo)
{
	struct jpeg_ctx *c = (struct jpeg_ctx *)cinfo->client_data;

	if (c->cinfo.input_scan_number > JPEG_MAX_SCANS) {
		c->too_many_scans = 1;
		c->err.code = -1;
		longjmp(c->err.jb, 1);
	}
}

/*
 * 0 when buf is a JPEG that decodes wholly; 1 when it has too many
 * pixels (why said so); -1 on a libjpeg error (c->err says which).
 */
static int
jpeg_run(struct jpeg_ctx *c, const unsigned char *buf, size_t len,
    unsigned long long max_pixels, char *why, size_t whylen)
{
	unsigned long long mem;
	JSAMPARRAY row;

	if (setjmp(c->err.jb))
		return -1;
	jpeg_create_decompress(&c->cinfo);
	c->cinfo.client_data = c;
	c->progress.progress_monitor = jpeg_progress;
	c->cinfo.progress = &c->progress;
	jpeg_mem_src(&c->cinfo, buf, len);
	if (jpeg_read_header(&c->cinfo, TRUE) != JPEG_HEADER_OK)
		ERREXIT(&c->cinfo, JERR_NO_IMAGE);
	if (too_many_pixels(c->cinfo.image_width, c->cinfo.image_height,
	        max_pixels, why, whylen))
		return 1;
	/* Over this, libjpeg asks for a backing store, which it has none
	 * of, and fails: the bound is on the image, not on the file. */
	mem = JPEG_FIXED_BYTES + JPEG_BYTES_PER_PIXEL * c->cinfo.image_width *
	                             c->cinfo.image_height;
	if (mem > JPEG_MAX_BYTES)
		mem = JPEG_MAX_BYTES;
	c->cinfo.mem->max_memory_to_use = (long)mem;
	c->cinfo.scale_num = 1;
	c->cinfo.scale_denom = 8;
	c->cinfo.dct_method = JDCT_IFAST;
	c->cinfo.do_fancy_upsampling = FALSE;
	c->cinfo.do_block_smoothing = FALSE;
	if (!jpeg_start_decompress(&c->cinfo))
		ERREXIT(&c->cinfo, JERR_CANT_SUSPEND);
	row = (*c->cinfo.mem->alloc_sarray)((j_common_ptr)&c->cinfo,
	    JPOOL_IMAGE,
	    c->cinfo.output_width * (JDIMENSION)c->cinfo.output_components, 1);
	while (c->cinfo.output_scanline < c->cinfo.output_height)
		if (jpeg_read_scanlines(&c->cinfo, row, 1) != 1)
			break;
	if (c->cinfo.output_scanline != c->cinfo.output_height)
		ERREXIT(&c->cinfo, JWRN_JPEG_EOF);
	if (!jpeg_finish_decompress(&c->cinfo))
		ERREXIT(&c->cinfo, JWRN_JPEG_EOF);
	return 0;
}

static int
jpeg_inspect(const unsigned char *buf, size_t len,
    unsigned long long max_pixels, struct image_info *out, char *why,
    size_t whylen)
{
	/* How libjpeg starts the warnings about entropy-coded data. */
	static const char corrupt[] = "Corrupt JPEG data: ";
	struct jpeg_ctx *c;
	int rc;

	/* A few kilobytes (the decompressor's state is large): off the
	 * stack, whose size the worker does not choose. */
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		say(why, whylen, "The server has no memory to read the image.");
		return -1;
	}
	c->cinfo.err = jpeg_std_error(&c->err.pub);
	c->err.pub.error_exit = jpeg_fail;
	c->err.pub.emit_message = jpeg_message;
	c->err.pub.output_message = jpeg_output;
	rc = jpeg_run(c, buf, len, max_pixels, why, whylen);
	if (rc == 0) {
		out->width = c->cinfo.image_width;
		out->height = c->cinfo.image_height;
	} else if (rc < 0) {
		trim_message(c->err.msg);
		if (c->too_many_scans)
			say(why, whylen,
			    "The JPEG image has more than %d scans.",
			    JPEG_MAX_SCANS);
		else if (c->err.code == JWRN_JPEG_EOF)
			say(why, whylen,
			    "The JPEG data ends before the image does.");
		else if (c->err.code == JERR_NO_BACKING_STORE ||
		         c->err.code == JERR_OUT_OF_MEMORY)
			say(why, whylen,
			    "The JPEG image needs more memory to decode than "
			    "its size allows.");
		else
			say(why, whylen, "The JPEG image is corrupt: %s.",
			    strncmp(c->err.msg, corrupt, strlen(corrupt)) == 0
			        ? c->err.msg + strlen(corrupt)
			        : c->err.msg);
	}
	jpeg_destroy_decompress(&c->cinfo);
	free(c);
	return rc == 0 ? 0 : -1;
}

/* PNG */

struct png_ctx {
	png_structp png;
	png_infop info;
	const unsigned char *buf;
	size_t len, pos;
	int truncated;
	unsigned char *row;
	char msg[128];
};

static void
png_fail(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->msg, sizeof(c->msg), "%s", msg != NULL ? msg : "");
	png_longjmp(png, 1);
}

static void
png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
png_read_buf(png_structp png, png_bytep data, size_t n)
{
	struct png_ctx *c = png_get_io_ptr(png);

	if (n > c->len - c->pos) {
		c->truncated = 1;
		png_error(png, "Read beyond the end of the data");
	}
	memcpy(data, c->buf + c->pos, n);
	c->pos += n;
}

/* As jpeg_run. */
static int
png_run(
    struct png_ctx *c, unsigned long long max_pixels, char *why, size_t whylen)
{
	png_uint_32 y, h;
	size_t rowbytes;
	int pass, passes;

	if (setjmp(png_jmpbuf(c->png)))
		return -1;
	png_set_read_fn(c->png, c, png_read_buf);
	png_read_info(c->png, c->info);
	h = png_get_image_height(c->png, c->info);
	if (too_many_pixels(png_get_image_width(c->png, c->info), h, max_pixels,
	        why, whylen))
		return 1;
	passes = png_set_interlace_handling(c->png);
	png_read_update_info(c->png, c->info);
	rowbytes = png_get_rowbytes(c->png, c->info);
	if (rowbytes == 0)
		png_error(c->png, "Zero row size");
	if ((c->row = malloc(rowbytes)) == NULL)
		png_error(c->png, "Out of memory for a row");
	for (pass = 0; pass < passes; pass++)
		for (y = 0; y < h; y++)
			png_read_row(c->png, c->row, NULL);
	png_read_end(c->png, NULL);
	return 0;
}

static int
png_inspect(const unsigned char *buf, size_t len, unsigned long long max_pixels,
    struct image_info *out, char *why, size_t whylen)
{
	struct png_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.len = len;
	c.png = png_create_read_struct(
	    PNG_LIBPNG_VER_STRING, &c, png_fail, png_warn);
	if (c.png != NULL)
		c.info = png_create_info_struct(c.png);
	if (c.png == NULL || c.info == NULL) {
		png_destroy_read_struct(&c.png, NULL, NULL);
		say(why, whylen, "The server has no memory to read the image.");
		return -1;
	}
	rc = png_run(&c, max_pixels, why, whylen);
	if (rc == 0) {
		out->width = png_get_image_width(c.png, c.info);
		out->height = png_get_image_height(c.png, c.info);
	} else if (rc < 0) {
		trim_message(c.msg);
		if (c.truncated)
			say(why, whylen,
			    "The PNG data ends before the image does.");
		else
			say(why, whylen, "The PNG image is corrupt: %s.",
			    c.msg);
	}
	png_destroy_read_struct(&c.png, &c.info, NULL);
	free(c.row);
	return rc == 0 ? 0 : -1;
}

/* EXIF */

static int
two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*
 * "YYYY:MM:DD HH:MM:SS" (EXIF 2.3 4.6.5, DateTime) as "YYYY-MM-DD
 * HH:MM:SS" in out[20], when it is a real date and time. A camera
 * without a set clock writes zeros or spaces: no date.
 */
static int
exif_date(const ExifEntry *e, char out[20])
{
	static const int mdays[] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	static const char shape[] = "dddd:dd:dd dd:dd:dd";
	const char *s;
	int i, year, month, day, leap;

	if (e == NULL || e->format != EXIF_FORMAT_ASCII || e->data == NULL ||
	    e->size < 19)
		return 0;
	s = (const char *)e->data;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9'
		                    : s[i] != shape[i])
			return 0;
	year = two_digits(s) * 100 + two_digits(s + 2);
	month = two_digits(s + 5);
	day = two_digits(s + 8);
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (year < 1 || month < 1 || month > 12 || day < 1 ||
	    day > mdays[month - 1] || (month == 2 && day == 29 && !leap) ||
	    two_digits(s + 11) > 23 || two_digits(s + 14) > 59 ||
	    two_digits(s + 17) > 59)
		return 0;
	memcpy(out, s, 19);
	out[4] = out[7] = '-';
	out[19] = '\0';
	return 1;
}

/*
 * A GPS coordinate (three rationals: degrees, minutes, seconds) and its
 * reference ("N" or "S", "E" or "W") as signed decimal degrees, at most
 * limit in magnitude.
 */
static int
exif_coordinate(ExifData *ed, ExifTag tag, ExifTag ref_tag, unsigned char pos,
    unsigned char neg, double limit, double *out)
{
	ExifContent *gps = ed->ifd[EXIF_IFD_GPS];
	ExifByteOrder order = exif_data_get_byte_order(ed);
	ExifEntry *e, *ref;
	double part[3], v;
	ExifRational r;
	size_t i;

	if (gps == NULL)
		return 0;
	e = exif_content_get_entry(gps, tag);
	ref = exif_content_get_entry(gps, ref_tag);
	if (e == NULL || ref == NULL || e->format != EXIF_FORMAT_RATIONAL ||
	    e->components != 3 || e->data == NULL || e->size < 24 ||
	    ref->format != EXIF_FORMAT_ASCII || ref->data == NULL ||
	    ref->size < 1 || (ref->data[0] != pos && ref->data[0] != neg))
		return 0;
	for (i = 0; i < 3; i++) {
		r = exif_get_rational(e->data + 8 * i, order);
		if (r.denominator == 0)
			return 0;
		part[i] = (double)r.numerator / r.denominator;
	}
	if (part[0] > limit || part[1] >= 60 || part[2] >= 60)
		return 0;
	v = part[0] + part[1] / 60 + part[2] / 3600;
	if (v > limit)
		return 0;
	*out = ref->data[0] == neg ? -v : v;
	return 1;
}

/* DateTimeOriginal, or else DateTime (when the picture was last
 * changed, which for a photo straight from the phone is when taken). */
static int
exif_taken_at(ExifData *ed, char out[20])
{
	ExifContent *exif = ed->ifd[EXIF_IFD_EXIF], *ifd0 = ed->ifd[EXIF_IFD_0];

	if (exif != NULL &&
	    exif_date(
	        exif_content_get_entry(exif, EXIF_TAG_DATE_TIME_ORIGINAL), out))
		return 1;
	return ifd0 != NULL &&
	       exif_date(exif_content_get_entry(ifd0, EXIF_TAG_DATE_TIME), out);
}

static void
exif_inspect(const unsigned char *buf, size_t len, struct image_info *out)
{
	ExifData *ed;
	double lat, lon;

	/* Not exif_data_new_from_data: its option FOLLOW_SPECIFICATION
	 * makes up the tags the standard requires (ExifVersion,
	 * XResolution...) with default values: only what the file says is
	 * wanted. libexif finds the APP1 itself, among the first markers. */
	if ((ed = exif_data_new()) == NULL)
		return;
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_load_data(
	    ed, buf, (unsigned int)(len > 0xFFFFFFFFu ? 0xFFFFFFFFu : len));
	out->has_taken_at = exif_taken_at(ed, out->taken_at);
	if (exif_coordinate(ed, EXIF_TAG_GPS_LATITUDE,
	        EXIF_TAG_GPS_LATITUDE_REF, 'N', 'S', 90, &lat) &&
	    exif_coordinate(ed, EXIF_TAG_GPS_LONGITUDE,
	        EXIF_TAG_GPS_LONGITUDE_REF, 'E', 'W', 180, &lon)) {
		out->has_position = 1;
		out->lat = lat;
		out->lon = lon;
	}
	exif_data_unref(ed);
}

int
image_inspect(const unsigned char *buf, size_t len,
    unsigned long long max_pixels, struct image_info *out, char *why,
    size_t whylen)
{
	static const unsigned char png_sig[8] = {
	    0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

	memset(out, 0, sizeof(*out));
	out->type = IMAGE_NONE;
	out->content_type = NULL;
	say(why, whylen, "%s", "");
	if (buf != NULL && len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 &&
	    buf[2] == 0xFF) {
		if (jpeg_inspect(buf, len, max_pixels, out, why, whylen) < 0)
			return -1;
		out->type = IMAGE_JPEG;
		out->content_type = "image/jpeg";
		exif_inspect(buf, len, out);
		return 0;
	}
	if (buf != NULL && len >= sizeof(png_sig) &&
	    memcmp(buf, png_sig, sizeof(png_sig)) == 0) {
		if (png_inspect(buf, len, max_pixels, out, why, whylen) < 0)
			return -1;
		out->type = IMAGE_PNG;
		out->content_type = "image/png";
		return 0;
	}
	say(why, whylen, "The body is not a JPEG or PNG image.");
	return -1;
}
