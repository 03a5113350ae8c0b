/*
 * images.c: the photos the tests send, made in memory with the libraries
 * the server decodes them with (libjpeg-turbo, libpng, libexif), so that
 * no binary fixture is kept in the tree. See images.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <libexif/exif-data.h>
#include <openssl/evp.h>
#include <png.h>

#include "images.h"

static void
fill_rgb(unsigned char *row, unsigned w, unsigned y, unsigned seed)
{
	unsigned long long lcg = (seed + 1ull) * 6364136223846793005ull + y;
	unsigned x;

	if (seed & IMG_NOISE) {
		for (x = 0; x < 3 * w; x++) {
			lcg = lcg * 6364136223846793005ull +
			      1442695040888963407ull;
			row[x] = (unsigned char)(lcg >> 56);
		}
		return;
	}
	for (x = 0; x < w; x++) {
		row[3 * x] = (unsigned char)(x * 7 + seed);
		row[3 * x + 1] = (unsigned char)(y * 5 + seed * 3);
		row[3 * x + 2] = (unsigned char)((x ^ y) + seed * 11);
	}
}

static unsigned char *
jpeg_plain(unsigned w, unsigned h, int progressive, unsigned seed, size_t *len)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *out = NULL, *row = malloc(3 * (size_t)w);
	unsigned long n = 0;
	JSAMPROW rows[1] = {row};

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &n);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	if (progressive)
		jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < h) {
		fill_rgb(row, w, c.next_scanline, seed);
		jpeg_write_scanlines(&c, rows, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	*len = n;
	return out;
}

static void
set_rationals(ExifData *ed, ExifIfd ifd, ExifTag tag, double deg)
{
	ExifEntry *e = exif_entry_new();
	ExifByteOrder o = exif_data_get_byte_order(ed);
	double m = (deg - (unsigned)deg) * 60;
	ExifRational parts[3] = {{(ExifLong)deg, 1}, {(ExifLong)m, 1},
	    {(ExifLong)((m - (unsigned)m) * 60 * 1000), 1000}};
	int i;

	exif_content_add_entry(ed->ifd[ifd], e);
	e->tag = tag;
	e->format = EXIF_FORMAT_RATIONAL;
	e->components = 3;
	e->size = 3 * exif_format_get_size(EXIF_FORMAT_RATIONAL);
	e->data = calloc(1, e->size);
	for (i = 0; i < 3; i++)
		exif_set_rational(e->data + 8 * i, o, parts[i]);
	exif_entry_unref(e);
}

static void
set_ascii(ExifData *ed, ExifIfd ifd, ExifTag tag, const char *s)
{
	ExifEntry *e = exif_entry_new();

	exif_content_add_entry(ed->ifd[ifd], e);
	e->tag = tag;
	e->format = EXIF_FORMAT_ASCII;
	e->components = strlen(s) + 1;
	e->size = (unsigned)e->components;
	e->data = (unsigned char *)strdup(s);
	exif_entry_unref(e);
}

/* The APP1 segment's payload ("Exif\0\0" and the TIFF data). */
static unsigned char *
exif_payload(const struct img_exif *x, unsigned *len)
{
	ExifData *ed = exif_data_new();
	unsigned char *data = NULL;

	exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_INTEL);
	set_ascii(ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, x->taken_at);
	set_ascii(ed, EXIF_IFD_GPS, (ExifTag)EXIF_TAG_GPS_LATITUDE_REF,
	    x->lat < 0 ? "S" : "N");
	set_rationals(ed, EXIF_IFD_GPS, (ExifTag)EXIF_TAG_GPS_LATITUDE,
	    x->lat < 0 ? -x->lat : x->lat);
	set_ascii(ed, EXIF_IFD_GPS, (ExifTag)EXIF_TAG_GPS_LONGITUDE_REF,
	    x->lon < 0 ? "W" : "E");
	set_rationals(ed, EXIF_IFD_GPS, (ExifTag)EXIF_TAG_GPS_LONGITUDE,
	    x->lon < 0 ? -x->lon : x->lon);
	exif_data_save_data(ed, &data, len);
	exif_data_unref(ed);
	return data;
}

unsigned char *
img_jpeg(unsigned w, unsigned h, int progressive, unsigned seed,
    const struct img_exif *exif, size_t *len)
{
	unsigned char *plain = jpeg_plain(w, h, progressive, seed, len), *out,
	              *app1;
	unsigned n;

	if (exif == NULL)
		return plain;
	app1 = exif_payload(exif, &n);
	/* SOI, then APP1 (marker, big-endian length counting itself), then
	 * the rest of the plain file. */
	out = malloc(*len + n + 4);
	memcpy(out, plain, 2);
	out[2] = 0xff;
	out[3] = 0xe1;
	out[4] = (unsigned char)((n + 2) >> 8);
	out[5] = (unsigned char)((n + 2) & 0xff);
	memcpy(out + 6, app1, n);
	memcpy(out + 6 + n, plain + 2, *len - 2);
	*len += n + 4;
	free(app1);
	free(plain);
	return out;
}

struct growing {
	unsigned char *b;
	size_t len, cap;
};

static void
png_grow(png_structp png, png_bytep data, png_size_t n)
{
	struct growing *g = png_get_io_ptr(png);

	if (g->len + n > g->cap) {
		g->cap = (g->len + n) * 2;
		g->b = realloc(g->b, g->cap);
	}
	memcpy(g->b + g->len, data, n);
	g->len += n;
}

static void
png_flush_none(png_structp png)
{
	(void)png;
}

unsigned char *
img_png(unsigned w, unsigned h, int interlaced, unsigned seed, size_t *len)
{
	png_structp png =
	    png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	unsigned char *img = malloc(3 * (size_t)w * h);
	png_bytep *rows = malloc(h * sizeof(*rows));
	struct growing g = {NULL, 0, 0};
	unsigned y;

	for (y = 0; y < h; y++) {
		rows[y] = img + 3 * (size_t)w * y;
		fill_rgb(rows[y], w, y, seed);
	}
	png_set_write_fn(png, &g, png_grow, png_flush_none);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB,
	    interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_rows(png, info, rows);
	png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	free(img);
	*len = g.len;
	return g.b;
}

void
img_sha256_hex(const unsigned char *b, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	unsigned i;

	EVP_Digest(b, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
