/*
 * validate.h: the shapes of the domain's values (SPEC §3). Pure functions
 * of plain C values; nothing here does I/O.
 */
#ifndef PIPELINED_VALIDATE_H
#define PIPELINED_VALIDATE_H

#include <stddef.h>

#define MONEY_MAX 1000000000000000LL /* 10^15 yuan */

/* Well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF). */
int validate_utf8(const char *s, size_t len);

/* UTF-8 text of min..max characters, without control characters (NUL
 * included). */
int validate_text(const char *s, size_t len, size_t min, size_t max);

int validate_money(long long v);

/* "YYYY-MM-DD" naming a day that exists; *days is days since 1970-01-01. */
int validate_date(const char *s, int *days);

/* Formats days since 1970-01-01 as YYYY-MM-DD (11 bytes). */
void date_format(int days, char out[11]);
int date_from_ymd(int y, int m, int d);
void date_to_ymd(int days, int *y, int *m, int *d);

/* RFC 3339 date-time with an offset ("2024-07-01T09:30:00+08:00", "Z",
 * optional fraction); *epoch is its time in seconds since 1970. */
int validate_timestamp(const char *s, long long *epoch);

/* Canonical lower-case 8-4-4-4-12 UUID. */
int validate_uuid(const char *s);

/*
 * 投资项目统一代码: dddd-dddddd-dd-dd-dddddd, whose second segment is one
 * of the known area codes (a NULL-terminated list; NULL checks the shape
 * only, when the database checks the area).
 */
int validate_project_code(const char *s, const char *const *areas);

/* Whether a project code of the right shape names area in its second
 * segment: a project's code and its area must agree. */
int validate_code_area(const char *code, const char *area);

/* The content type a photo's first bytes declare ("image/jpeg",
 * "image/png"), or NULL when it is neither. */
const char *validate_photo(const unsigned char *bytes, size_t len);

/* One of a NULL-terminated list of words. */
int validate_enum(const char *s, const char *const *words);

/* The shape of an administrative area code (GB/T 2260): six digits.
 * Whether it is one of the areas is the database's to say. */
int validate_area_code(const char *s);
/* Whether list is 1 to max comma-separated values, each one of words or,
 * with words NULL, an area code (an IN filter's). */
int validate_list(const char *list, const char *const *words, int max);
/* Whether s is a SHA-256 as photos are named: 64 lowercase hex digits. */
int validate_sha256_hex(const char *s);

#endif
