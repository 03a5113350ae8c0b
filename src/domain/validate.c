/*
 * validate.c: see validate.h.
 */
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* Length of the UTF-8 sequence at s, 0 when it is malformed. */
static size_t
utf8_seq(const unsigned char *s, size_t left, unsigned *cp)
{
	size_t n, i;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, min = 0x80, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, min = 0x800, c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
validate_utf8(const char *s, size_t len)
{
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		if ((n = utf8_seq(
		         (const unsigned char *)s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
validate_text(const char *s, size_t len, size_t min, size_t max)
{
	size_t i = 0, n, chars = 0;
	unsigned cp;

	while (i < len) {
		n = utf8_seq((const unsigned char *)s + i, len - i, &cp);
		if (n == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += n;
		chars++;
	}
	return chars >= min && chars <= max;
}

int
validate_money(long long v)
{
	return v >= 0 && v <= MONEY_MAX;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from civil, after Howard Hinnant's algorithm. */
int
date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
date_to_ymd(int z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

void
date_format(int days, char out[11])
{
	char tmp[32];
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
validate_date(const char *s, int *days)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2))
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return 0;
	if (days != NULL)
		*days = date_from_ymd(y, m, d);
	return 1;
}

int
validate_uuid(const char *s)
{
	static const int dash[] = {8, 13, 18, 23};
	size_t i;
	int j = 0;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (j < 4 && (int)i == dash[j]) {
			if (s[i] != '-')
				return 0;
			j++;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		               (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

int
validate_project_code(const char *s, const char *const *areas)
{
	char area[7];

	if (strlen(s) != 24 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 6) || s[11] != '-' || !digits(s + 12, 2) ||
	    s[14] != '-' || !digits(s + 15, 2) || s[17] != '-' ||
	    !digits(s + 18, 6))
		return 0;
	if (areas == NULL)
		return 1;
	memcpy(area, s + 5, 6);
	area[6] = '\0';
	return validate_enum(area, areas);
}

int
validate_code_area(const char *code, const char *area)
{
	return strlen(code) == 24 && strlen(area) == 6 &&
	       memcmp(code + 5, area, 6) == 0;
}

int
validate_enum(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

int
validate_area_code(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

static int
two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
validate_timestamp(const char *s, long long *epoch)
{
	char date[11];
	const char *p;
	int days, h, mi, sec, off = 0;

	if (strlen(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!validate_date(date, &days) || !digits(s + 11, 2) ||
	    !digits(s + 14, 2) || !digits(s + 17, 2))
		return 0;
	h = two(s + 11);
	mi = two(s + 14);
	sec = two(s + 17);
	if (h > 23 || mi > 59 || sec > 60)
		return 0;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!digits(p, 1))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	           digits(p + 1, 2) && digits(p + 4, 2) && two(p + 1) <= 23 &&
	           two(p + 4) <= 59) {
		off = (two(p + 1) * 60 + two(p + 4)) * (*p == '+' ? 1 : -1);
	} else {
		return 0;
	}
	if (epoch != NULL)
		*epoch = (long long)days * 86400 + (long long)h * 3600 +
		         (long long)mi * 60 + sec - (long long)off * 60;
	return 1;
}

const char *
validate_photo(const unsigned char *b, size_t len)
{
	static const unsigned char png[8] = {
	    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	if (len >= 4 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (len >= 8 && memcmp(b, png, 8) == 0)
		return "image/png";
	return NULL;
}

int
validate_list(const char *list, const char *const *words, int max)
{
	char one[64];
	size_t n;
	int k = 0;

	for (;;) {
		n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(one) || ++k > max)
			return 0;
		memcpy(one, list, n);
		one[n] = '\0';
		if (words != NULL ? !validate_enum(one, words)
		                  : !validate_area_code(one))
			return 0;
		if (list[n] == '\0')
			return 1;
		list += n + 1;
	}
}

int
validate_sha256_hex(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}
