/*
 * language.c: Accept-Language as RFC 9110 §12.5.4 writes it:
 *
 *   Accept-Language = #( language-range [ weight ] )
 *   language-range  = ( 1*8ALPHA *( "-" 1*8alphanum ) ) / "*"  (RFC 4647)
 *   weight          = OWS ";" OWS "q=" qvalue
 *   qvalue          = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
 *
 * read in place (no copy, no limit on the field's length), and the
 * choice between the two languages the service writes.
 */
#include <stddef.h>

#include "language.h"

enum lang { LANG_OTHER, LANG_ZH, LANG_EN, LANG_ANY };

/* One element of the list: what it names, and its weight in
 * thousandths (0 to 1000). */
struct element {
	enum lang lang;
	int q;
};

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *
skip_ows(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static int
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The subtag of 1 to 8 characters at *p (letters, or letters and digits
 * when alnum), before end; its length (*p past it), or 0. */
static size_t
subtag(const char **p, const char *end, int alnum)
{
	const char *s = *p;
	size_t n;

	while (s < end && (is_alpha(*s) || (alnum && is_digit(*s))))
		s++;
	n = (size_t)(s - *p);
	if (n == 0 || n > 8)
		return 0;
	*p = s;
	return n;
}

/* The language range at *p: what it names (*p past it), or -1. */
static int
read_range(const char **p, const char *end, enum lang *lang)
{
	const char *s = *p, *primary = s;
	size_t n;

	if (s < end && *s == '*') {
		*lang = LANG_ANY;
		*p = s + 1;
		return 0;
	}
	if ((n = subtag(&s, end, 0)) == 0)
		return -1;
	if (n == 2 && lower(primary[0]) == 'z' && lower(primary[1]) == 'h')
		*lang = LANG_ZH;
	else if (n == 2 && lower(primary[0]) == 'e' && lower(primary[1]) == 'n')
		*lang = LANG_EN;
	else
		*lang = LANG_OTHER;
	while (s < end && *s == '-') {
		s++;
		if (subtag(&s, end, 1) == 0)
			return -1;
	}
	*p = s;
	return 0;
}

/* The qvalue at *p, in thousandths (*p past it), or -1. */
static int
read_qvalue(const char **p, const char *end)
{
	const char *s = *p;
	int q, digits = 0, scale = 100;

	if (s >= end || (*s != '0' && *s != '1'))
		return -1;
	q = (*s++ - '0') * 1000;
	if (s < end && *s == '.') {
		for (s++; s < end && is_digit(*s) && digits < 3;
		     s++, digits++) {
			q += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (q > 1000 || (s < end && is_digit(*s)))
		return -1;
	*p = s;
	return q;
}

/* The element from s to end (between two commas); 0, or -1 when it is
 * not a language range with an optional weight. */
static int
read_element(const char *s, const char *end, struct element *e)
{
	s = skip_ows(s, end);
	if (read_range(&s, end, &e->lang) != 0)
		return -1;
	e->q = 1000;
	s = skip_ows(s, end);
	if (s == end)
		return 0;
	if (*s != ';')
		return -1;
	s = skip_ows(s + 1, end);
	if (end - s < 2 || lower(s[0]) != 'q' || s[1] != '=')
		return -1;
	s += 2;
	if ((e->q = read_qvalue(&s, end)) < 0)
		return -1;
	return skip_ows(s, end) == end ? 0 : -1;
}

/* What the field says of one language: its weight and the position of
 * the element that gave it, once an element named it. */
struct verdict {
	int named;
	int q;
	size_t at;
};

static void
weigh(struct verdict *v, const struct element *e, size_t at)
{
	if (!v->named || e->q > v->q) {
		v->named = 1;
		v->q = e->q;
		v->at = at;
	}
}

/* A language no element named stands under "*", or is not acceptable. */
static void
fall_back(struct verdict *v, const struct verdict *any)
{
	if (!v->named)
		*v = any->named ? *any : (struct verdict){1, 0, 0};
}

int
language_prefers_zh(const char *field)
{
	struct verdict zh = {0, 0, 0}, en = {0, 0, 0}, any = {0, 0, 0};
	const char *s = field, *end;
	struct element e;
	size_t at = 0;

	if (field == NULL)
		return 0;
	while (*s != '\0') {
		for (end = s; *end != '\0' && *end != ','; end++)
			;
		if (read_element(s, end, &e) == 0) {
			if (e.lang == LANG_ZH)
				weigh(&zh, &e, at);
			else if (e.lang == LANG_EN)
				weigh(&en, &e, at);
			else if (e.lang == LANG_ANY)
				weigh(&any, &e, at);
			at++;
		}
		s = *end == ',' ? end + 1 : end;
	}
	fall_back(&zh, &any);
	fall_back(&en, &any);
	return zh.q > 0 && (zh.q > en.q || (zh.q == en.q && zh.at < en.at));
}
