/*
 * test_regex.c - the PCRE2 wrapper (core/regex.c): named groups by name,
 * UTF-8 with Unicode classes, compile errors with their offset, the group
 * cap, the match limit on a catastrophic pattern, invalid UTF-8 subjects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/regex.h"

static regex *compile(const char *p, unsigned flags)
{
	regex *re = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(regex_compile(&re, p, strlen(p), flags, &err), 0);
	return re;
}

static void named_groups(void **state)
{
	regex *re = compile("(?<order>DLL\\d{7})|(?<ref>FM\\d{4})", 0);
	const char *s = "Er ref FM2207, beställning DLL0852417.";
	regex_match *m = NULL;
	size_t a, b, at = 0;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	assert_int_equal(regex_name_count(re), 2);
	assert_string_equal(regex_name_at(re, 0), "order");
	assert_true(regex_has_name(re, "ref"));
	assert_false(regex_has_name(re, "project"));
	assert_int_equal(regex_group_count(re), 2);

	assert_int_equal(regex_exec(m, re, s, strlen(s), at), 1);
	assert_true(regex_named(m, re, "ref", &a, &b));
	assert_int_equal(b - a, 6);
	assert_memory_equal(s + a, "FM2207", 6);
	assert_false(regex_named(m, re, "order", &a, &b));
	regex_span(m, &a, &at);
	assert_int_equal(regex_exec(m, re, s, strlen(s), at), 1);
	assert_true(regex_named(m, re, "order", &a, &b));
	assert_memory_equal(s + a, "DLL0852417", 10);
	regex_span(m, &a, &at);
	assert_int_equal(regex_exec(m, re, s, strlen(s), at), 0);
	assert_false(regex_named(m, re, "order", &a, &b));
	regex_match_free(m);
	regex_free(re);
}

static void unicode_classes(void **state)
{
	/* with UCP, \w takes å, ä, ö and \b sees them as word characters */
	regex *re = compile("\\bhyra\\s+(?<what>\\w+)\\b", REGEX_CASELESS);
	const char *s = "HYRA lokal Västerås, kvartal 2";
	const char *t = "Hyra förråd";
	regex_match *m = NULL;
	size_t a, b;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	assert_int_equal(regex_exec(m, re, s, strlen(s), 0), 1);
	assert_true(regex_named(m, re, "what", &a, &b));
	assert_int_equal(b - a, 5);
	assert_int_equal(regex_exec(m, re, t, strlen(t), 0), 1);
	assert_true(regex_named(m, re, "what", &a, &b));
	assert_memory_equal(t + a, "förråd", strlen("förråd"));
	regex_match_free(m);
	regex_free(re);
}

static void anchored(void **state)
{
	regex *re = compile("KP-", REGEX_ANCHORED);
	regex_match *m = NULL;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	assert_int_equal(regex_exec(m, re, "KP-4080", 7, 0), 1);
	assert_int_equal(regex_exec(m, re, "XKP-4080", 8, 0), 0);
	regex_match_free(m);
	regex_free(re);
}

static void compile_errors(void **state)
{
	regex *re = NULL;
	char many[8 * (REGEX_MAX_GROUPS + 2)];
	size_t i, n = 0;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_compile(&re, "DLL(\\d{7}", 9, 0, &err), ULF_EPARSE);
	assert_null(re);
	assert_non_null(strstr(err.msg, "at offset 9:"));

	ulf_err_clear(&err);
	assert_int_equal(regex_compile(&re, "a{2,1}", 6, 0, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "at offset "));

	ulf_err_clear(&err);
	assert_int_equal(regex_compile(&re, "", 0, 0, &err), ULF_EPARSE);

	ulf_err_clear(&err);
	assert_int_equal(regex_compile(&re, "(?J)(?<a>x)|(?<a>y)", 19, 0, &err), ULF_EPARSE);

	for (i = 0; i < REGEX_MAX_GROUPS + 1; i++) {
		memcpy(many + n, "(x)", 3);
		n += 3;
	}
	ulf_err_clear(&err);
	assert_int_equal(regex_compile(&re, many, n, 0, &err), ULF_ELIMIT);
}

static void match_limit(void **state)
{
	/* nested quantifiers on a long non-matching subject: exponential
	 * without a limit */
	regex *re = compile("^(a+)+$", 0);
	regex_match *m = NULL;
	char s[64];
	ulf_err err;
	int rc;

	(void)state;
	ulf_err_clear(&err);
	memset(s, 'a', sizeof(s) - 2);
	s[sizeof(s) - 2] = 'b';
	s[sizeof(s) - 1] = '\0';
	assert_int_equal(regex_match_new(&m, &err), 0);
	rc = regex_exec(m, re, s, strlen(s), 0);
	assert_int_equal(rc, ULF_ELIMIT);
	regex_match_free(m);
	regex_free(re);
}

static void invalid_utf8(void **state)
{
	regex *re = compile("x", 0);
	regex_match *m = NULL;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	assert_int_equal(regex_exec(m, re, "a\xC3(x", 4, 0), ULF_EPARSE);
	assert_int_equal(regex_exec(m, re, "abc", 3, 7), 0);
	regex_match_free(m);
	regex_free(re);
	regex_free(NULL);
	regex_match_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(named_groups),
		cmocka_unit_test(unicode_classes),
		cmocka_unit_test(anchored),
		cmocka_unit_test(compile_errors),
		cmocka_unit_test(match_limit),
		cmocka_unit_test(invalid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
