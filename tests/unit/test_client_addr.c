/*
 * test_client_addr.c: address ranges (trusted_proxies) and the client
 * address of a request that came through proxies: believed only from a
 * trusted peer, walked from the newest hop, stopped by what is not an
 * address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/http/client_addr.h"

static struct cidr_list trusted;

static int
setup(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(cidr_list_parse("127.0.0.3, 10.0.0.0/8 "
	                                 "fd00::/8,192.168.1.7/32",
	                     &trusted, why, sizeof(why)),
	    0);
	assert_int_equal(trusted.n, 4);
	return 0;
}

static void
test_ranges(void **state)
{
	struct cidr_list l;
	char why[128];

	(void)state;
	assert_true(cidr_list_match(&trusted, "10.255.0.1"));
	assert_false(cidr_list_match(&trusted, "11.0.0.1"));
	assert_true(cidr_list_match(&trusted, "::ffff:10.1.2.3"));
	assert_true(cidr_list_match(&trusted, "fd12::1"));
	assert_false(cidr_list_match(&trusted, "fe80::1"));
	assert_true(cidr_list_match(&trusted, "192.168.1.7"));
	assert_false(cidr_list_match(&trusted, "192.168.1.8"));
	assert_false(cidr_list_match(&trusted, "unknown"));
	/* Odd prefix lengths compare the bits of a partial byte. */
	assert_int_equal(cidr_list_parse("172.16.0.0/12", &l, why, 128), 0);
	assert_true(cidr_list_match(&l, "172.31.255.255"));
	assert_false(cidr_list_match(&l, "172.32.0.0"));
	assert_int_equal(cidr_list_parse("", &l, why, 128), 0);
	assert_int_equal(l.n, 0);
	assert_false(cidr_list_match(&l, "127.0.0.1"));

	assert_int_equal(cidr_list_parse("10.0.0.0/33", &l, why, 128), -1);
	assert_non_null(strstr(why, "10.0.0.0/33"));
	assert_int_equal(cidr_list_parse("10.0.0/8", &l, why, 128), -1);
	assert_int_equal(cidr_list_parse("10.0.0.0/", &l, why, 128), -1);
	assert_int_equal(cidr_list_parse("::1/129", &l, why, 128), -1);
	assert_int_equal(cidr_list_parse("host.example", &l, why, 128), -1);
	assert_int_equal(cidr_list_parse("1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 "
	                                 "1.1.1.1",
	                     &l, why, 128),
	    -1);
	assert_non_null(strstr(why, "more than 32"));
}

/* The client of a request from peer with one header field. */
static const char *
client(const char *peer, const char *name, const char *value)
{
	static char out[64];
	struct http_request r;

	memset(&r, 0, sizeof(r));
	if (name != NULL) {
		r.headers[0].name = name;
		r.headers[0].value = value;
		r.nheaders = 1;
	}
	client_addr_resolve(&r, &trusted, peer, out, sizeof(out));
	return out;
}

static void
test_untrusted_peer_is_the_client(void **state)
{
	(void)state;
	assert_string_equal(
	    client("203.0.113.9", "X-Forwarded-For", "198.51.100.7"),
	    "203.0.113.9");
	assert_string_equal(
	    client("203.0.113.9", "Forwarded", "for=198.51.100.7"),
	    "203.0.113.9");
	assert_string_equal(client("127.0.0.3", NULL, NULL), "127.0.0.3");
}

static void
test_x_forwarded_for(void **state)
{
	(void)state;
	assert_string_equal(
	    client("127.0.0.3", "X-Forwarded-For", "198.51.100.7"),
	    "198.51.100.7");
	/* Trusted hops are walked past, from the newest. */
	assert_string_equal(client("127.0.0.3", "x-forwarded-for",
	                        " 198.51.100.7 ,10.1.2.3, 10.9.9.9 "),
	    "198.51.100.7");
	/* What the client wrote before the first untrusted hop is its own
	 * claim: ignored. */
	assert_string_equal(client("127.0.0.3", "X-Forwarded-For",
	                        "10.0.0.1, 198.51.100.7, 10.1.2.3"),
	    "198.51.100.7");
	/* Not an address: the last trusted hop is the client. */
	assert_string_equal(
	    client("127.0.0.3", "X-Forwarded-For", "198.51.100.7, unknown"),
	    "127.0.0.3");
	assert_string_equal(
	    client("127.0.0.3", "X-Forwarded-For", ""), "127.0.0.3");
	assert_string_equal(
	    client("127.0.0.3", "X-Forwarded-For",
	        "198.51.100.7, 10.1.2.3, "
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    "127.0.0.3");
	assert_string_equal(client("127.0.0.3", "X-Forwarded-For",
	                        "2001:db8::7, ::ffff:10.1.1.1"),
	    "2001:db8::7");
}

static void
test_forwarded(void **state)
{
	(void)state;
	assert_string_equal(client("127.0.0.3", "Forwarded",
	                        "for=198.51.100.7;proto=https;by=10.0.0.1"),
	    "198.51.100.7");
	assert_string_equal(client("127.0.0.3", "Forwarded",
	                        "proto=https; FOR=\"198.51.100.7:4711\""),
	    "198.51.100.7");
	assert_string_equal(
	    client("127.0.0.3", "Forwarded",
	        "for=\"[2001:db8:cafe::17]:4711\", for=10.1.2.3"),
	    "2001:db8:cafe::17");
	/* Obfuscated identifiers, or an element without for=, stop it. */
	assert_string_equal(
	    client("127.0.0.3", "Forwarded", "for=198.51.100.7, for=_hidden"),
	    "127.0.0.3");
	assert_string_equal(
	    client("127.0.0.3", "Forwarded", "for=198.51.100.7, proto=http"),
	    "127.0.0.3");
	assert_string_equal(
	    client("127.0.0.3", "Forwarded", "for=\"[2001:db8::1\""),
	    "127.0.0.3");
}

/* Forwarded wins over X-Forwarded-For; a field repeated is one list. */
static void
test_fields_together(void **state)
{
	struct http_request r;
	char out[64];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.headers[0].name = "X-Forwarded-For";
	r.headers[0].value = "198.51.100.1";
	r.headers[1].name = "Forwarded";
	r.headers[1].value = "for=198.51.100.2";
	r.headers[2].name = "Forwarded";
	r.headers[2].value = "for=10.1.1.1";
	r.nheaders = 3;
	client_addr_resolve(&r, &trusted, "127.0.0.3", out, sizeof(out));
	assert_string_equal(out, "198.51.100.2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_untrusted_peer_is_the_client),
	    cmocka_unit_test(test_x_forwarded_for),
	    cmocka_unit_test(test_forwarded),
	    cmocka_unit_test(test_fields_together),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
