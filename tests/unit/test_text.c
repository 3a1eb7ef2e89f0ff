/*
 * test_text.c - core/text.c: the two white-space sets, the strict date and
 * the looser date shape (the semantics of the copies they replace), and
 * the UTF-8 check, against hand-picked sequences and against jansson's own
 * check (through core/json.h) on every 1- and 2-byte string and every
 * 3- and 4-byte string that starts with a lead byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/json.h"
#include "core/text.h"

static void spaces(void **state)
{
	int c;

	(void)state;
	for (c = -128; c < 128; c++) {
		bool xml = c == ' ' || c == '\t' || c == '\n' || c == '\r';
		bool line = c == ' ' || c == '\t' || c == '\r';

		assert_int_equal(text_is_space((char)c), xml);
		assert_int_equal(text_is_line_space((char)c), line);
	}
}

static void dates(void **state)
{
	static const char *const both[] = {
		"2024-01-01", "2024-12-31", "0000-10-10", "2024-02-31", "9999-09-30", NULL
	};
	static const char *const shape_only[] = {
		"2024-00-01", "2024-13-01", "2024-19-39", "2024-01-00", "2024-01-32",
		"2024-10-00", NULL
	};
	static const char *const neither[] = {
		"", "2024-1-01", "2024-01-1", "2024/01/01", "2024-01-01 ", " 2024-01-01",
		"20240101", "2024-01-01T00", "202a-01-01", "2024-2a-01", "2024-01-4x",
		"2024-20-01", "2024-01-40", "2024--1-01", NULL
	};
	size_t i;

	(void)state;
	for (i = 0; both[i]; i++) {
		assert_true(text_is_date(both[i]));
		assert_true(text_is_date_shape(both[i]));
	}
	for (i = 0; shape_only[i]; i++) {
		assert_false(text_is_date(shape_only[i]));
		assert_true(text_is_date_shape(shape_only[i]));
	}
	for (i = 0; neither[i]; i++) {
		assert_false(text_is_date(neither[i]));
		assert_false(text_is_date_shape(neither[i]));
	}
	assert_false(text_is_date(NULL));
	assert_false(text_is_date_shape(NULL));
}

static void numbers(void **state)
{
	unsigned v = 7;

	(void)state;
	assert_int_equal(text_parse_uint(&v, "0", 10), 0);
	assert_int_equal(v, 0);
	assert_int_equal(text_parse_uint(&v, "65535", 65535), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(text_parse_uint(&v, "+12", 100), 0);   /* as strtoul */
	assert_int_equal(v, 12);
	v = 7;
	assert_int_equal(text_parse_uint(&v, "65536", 65535), ULF_EINVAL);
	assert_int_equal(text_parse_uint(&v, "", 10), ULF_EINVAL);
	assert_int_equal(text_parse_uint(&v, "-1", 10), ULF_EINVAL);
	assert_int_equal(text_parse_uint(&v, "3x", 10), ULF_EINVAL);
	assert_int_equal(text_parse_uint(&v, "99999999999999999999999", UINT_MAX), ULF_EINVAL);
	assert_int_equal(v, 7);   /* untouched */
	assert_int_equal(text_parse_uint(&v, "4294967295", UINT_MAX), 0);
	assert_int_equal(v, UINT_MAX);
}

static void utf8_cases(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		bool ok;
		size_t bad_at;
	} cases[] = {
		{ "", 0, true, 0 },
		{ "plain ascii", 11, true, 0 },
		{ "r\xC3\xA4ksm\xC3\xB6rg\xC3\xA5s", 14, true, 0 },   /* räksmörgås */
		{ "\xE2\x82\xAC 5", 5, true, 0 },                      /* € */
		{ "\xF0\x9F\x98\x80", 4, true, 0 },                     /* U+1F600 */
		{ "\xF4\x8F\xBF\xBF", 4, true, 0 },                     /* U+10FFFF */
		{ "a\0b", 3, true, 0 },                                 /* NUL is a character */
		{ "bl\xC3", 3, false, 2 },                              /* "blå" cut in the å */
		{ "bl\xC3" "b", 4, false, 2 },
		{ "ok\xA5", 3, false, 2 },                              /* a lone continuation */
		{ "\xC0\x80", 2, false, 0 },                            /* overlong NUL */
		{ "\xC1\xBF", 2, false, 0 },
		{ "x\xE0\x80\x80", 4, false, 1 },                       /* overlong 3-byte */
		{ "\xF0\x80\x80\x80", 4, false, 0 },                    /* overlong 4-byte */
		{ "ab\xED\xA0\x80", 5, false, 2 },                      /* a surrogate */
		{ "\xF4\x90\x80\x80", 4, false, 0 },                    /* above U+10FFFF */
		{ "\xF5\x80\x80\x80", 4, false, 0 },
		{ "\xFF", 1, false, 0 },
		{ "\xE2\x82", 2, false, 0 },                            /* € cut short */
		{ "\xE2\x82\xAC\xE2\x82", 5, false, 3 },
	};
	size_t i, at;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at = 999;
		assert_int_equal(text_is_utf8(cases[i].s, cases[i].len, &at), cases[i].ok);
		if (!cases[i].ok)
			assert_int_equal(at, cases[i].bad_at);
		else
			assert_int_equal(at, 999);
	}
	assert_false(text_is_utf8("\xC3", 1, NULL));
}

/* Agrees with jansson, which the JSON layer relies on after the check. */
static bool jansson_takes(const char *s)
{
	ujson *v = ujson_string(s);
	bool ok = v != NULL;

	ujson_free(v);
	return ok;
}

static void utf8_as_jansson(void **state)
{
	static const unsigned char thirds[] = { 0x7F, 0x80, 0xBF, 0xC0 };
	unsigned char s[5];
	unsigned a, b, c, d;
	size_t valid = 0;
	size_t agree = 0;

	(void)state;
	for (a = 1; a < 256; a++) {
		s[0] = (unsigned char)a;
		s[1] = 0;
		assert_int_equal(text_is_utf8((char *)s, 1, NULL), jansson_takes((char *)s));
		for (b = 1; b < 256; b++) {
			s[1] = (unsigned char)b;
			s[2] = 0;
			assert_int_equal(text_is_utf8((char *)s, 2, NULL), jansson_takes((char *)s));
			agree += 2;
		}
	}
	for (a = 0xE0; a <= 0xEF; a++)
		for (b = 0x70; b < 0xD0; b++)
			for (c = 0x70; c < 0xD0; c++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				s[3] = 0;
				assert_int_equal(text_is_utf8((char *)s, 3, NULL),
						 jansson_takes((char *)s));
				agree++;
			}
	for (a = 0xF0; a <= 0xF5; a++)
		for (b = 0x70; b < 0xD0; b++)
			for (c = 0; c < 4; c++)
				for (d = 0x7F; d <= 0xC0; d++) {
					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = thirds[c];
					s[3] = (unsigned char)d;
					s[4] = 0;
					assert_int_equal(text_is_utf8((char *)s, 4, NULL),
							 jansson_takes((char *)s));
					valid += text_is_utf8((char *)s, 4, NULL);
					agree++;
				}
	assert_true(agree > 200000);
	assert_true(valid > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spaces),
		cmocka_unit_test(dates),
		cmocka_unit_test(numbers),
		cmocka_unit_test(utf8_cases),
		cmocka_unit_test(utf8_as_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
