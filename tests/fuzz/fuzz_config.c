/*
 * fuzz_config.c: libFuzzer harness for the configuration parser
 * (src/util/config.c). The input is a configuration file's bytes.
 *
 * Each input is parsed over the defaults twice: as text, by
 * config_parse_text(), and as a file (a memfd), by config_load(); both
 * must agree. What is accepted must be within the bounds of the option
 * table (config_options), hold strings that fit, are trimmed and carry
 * no comment, and keep the low watermark below the high one; and the
 * configuration written back as "option value" lines, in the table's
 * order and in the reverse order, must parse to the same values. What
 * is refused must say so, naming the file and, for a line, one that
 * exists.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/util/config.h"

#define FUZZ_NAME "fuzz_config"
#include "fuzz.h"

#define NAME "fuzz.conf"
/* Room for any message, so that no two are cut at different places: a
 * line is at most CONFIG_LINE_MAX bytes, and a message quotes one. */
#define ERR_MAX (CONFIG_LINE_MAX + 256)

static int
int_of(const struct config *cfg, const struct config_option *o)
{
	return *(const int *)((const char *)cfg + o->offset);
}

static const char *
str_of(const struct config *cfg, const struct config_option *o)
{
	return (const char *)cfg + o->offset;
}

static int
same(const struct config *a, const struct config *b)
{
	const struct config_option *o;
	size_t i;

	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		if (o->type == CONFIG_INT
		        ? int_of(a, o) != int_of(b, o)
		        : strcmp(str_of(a, o), str_of(b, o)) != 0)
			return 0;
	}
	return 1;
}

/* Whether s is one of the '|'-separated words (written apart from
 * config.c's own test, so that the harness checks it). */
static int
one_of(const char *words, const char *s)
{
	size_t n = strlen(s);
	const char *w = words, *bar;

	for (;;) {
		bar = strchr(w, '|');
		if ((size_t)((bar != NULL ? bar : w + strlen(w)) - w) == n &&
		    strncmp(w, s, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		w = bar + 1;
	}
}

static void
check_accepted(const struct config *cfg)
{
	const struct config_option *o;
	const char *s;
	size_t i, n;
	int v;

	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		if (o->type == CONFIG_INT) {
			v = int_of(cfg, o);
			CHECK(v >= o->min && v <= o->max);
			continue;
		}
		s = str_of(cfg, o);
		CHECK((n = strnlen(s, CONFIG_STR_MAX)) < CONFIG_STR_MAX);
		CHECK(strpbrk(s, "#\n") == NULL);
		CHECK(n == 0 || (!isspace((unsigned char)s[0]) &&
		                    !isspace((unsigned char)s[n - 1])));
		CHECK(o->words == NULL || one_of(o->words, s));
	}
	CHECK(cfg->output_low_watermark < cfg->output_high_watermark);
}

/* Writes cfg as text, every option once, forwards or backwards. */
static size_t
write_back(const struct config *cfg, int backwards, char *out, size_t cap)
{
	const struct config_option *o;
	size_t i, len = 0;
	int n;

	for (i = 0; i < config_noptions; i++) {
		o = &config_options[backwards ? config_noptions - 1 - i : i];
		if (o->type == CONFIG_INT)
			n = snprintf(out + len, cap - len, "%s %d\n", o->name,
			    int_of(cfg, o));
		else
			n = snprintf(out + len, cap - len, "%s %s\n", o->name,
			    str_of(cfg, o));
		CHECK(n > 0 && (size_t)n < cap - len);
		len += (size_t)n;
	}
	return len;
}

static void
check_written_back(const struct config *cfg)
{
	static char text[64 * (CONFIG_STR_MAX + 64)];
	struct config again;
	char err[ERR_MAX];
	size_t len;
	int backwards;

	for (backwards = 0; backwards < 2; backwards++) {
		len = write_back(cfg, backwards, text, sizeof(text));
		config_defaults(&again);
		CHECK(config_parse_text(
		          &again, text, len, NAME, err, sizeof(err)) == 0);
		CHECK(same(cfg, &again));
	}
}

static void
check_refused(const char *err, const uint8_t *data, size_t size)
{
	const char *p;
	size_t lines = 0, i;
	long line;

	CHECK(strncmp(err, NAME ":", strlen(NAME ":")) == 0);
	p = err + strlen(NAME ":");
	if (*p < '1' || *p > '9')
		return; /* the relation between options, no line */
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (size > 0 && data[size - 1] != '\n')
		lines++;
	line = strtol(p, NULL, 10);
	CHECK(line >= 1 && (size_t)line <= lines);
}

/* config_load() over a memfd holding the same bytes. */
static int
load_file(struct config *cfg, const uint8_t *data, size_t size, char *err,
    size_t errlen)
{
	char path[64], msg[ERR_MAX];
	const char *rest;
	int fd, rc;

	CHECK((fd = memfd_create("fuzz.conf", 0)) >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = config_load(cfg, path, msg, sizeof(msg));
	close(fd);
	/* The messages name the file: put NAME in place of the path. */
	if (rc != 0) {
		CHECK(strncmp(msg, path, strlen(path)) == 0);
		rest = msg + strlen(path);
		snprintf(err, errlen, "%s%s", NAME, rest);
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg, file;
	char err[ERR_MAX], file_err[ERR_MAX];
	int rc;

	config_defaults(&cfg);
	err[0] = '\0';
	rc = config_parse_text(
	    &cfg, (const char *)data, size, NAME, err, sizeof(err));
	config_defaults(&file);
	file_err[0] = '\0';
	CHECK(load_file(&file, data, size, file_err, sizeof(file_err)) == rc);
	if (rc != 0) {
		CHECK(rc == -1);
		CHECK(strcmp(err, file_err) == 0);
		check_refused(err, data, size);
		return 0;
	}
	CHECK(same(&cfg, &file));
	check_accepted(&cfg);
	check_written_back(&cfg);
	return 0;
}
