/*
 * test_base64.c - unit tests for base64_decode (core/base64.c), the decoder
 * of every embedded attachment: the RFC 4648 test vectors, white space and
 * line breaks anywhere, characters outside the alphabet, bad padding, and
 * the size limit - which must refuse before anything is allocated.  Under
 * ULF_SANITIZE the allocations are watched through the sanitizer's malloc
 * hooks; without a sanitizer that one check is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base64.h"
#include "core/err.h"

/* AddressSanitizer's hook interface, when the build has one. */
int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *)) __attribute__((weak));

static volatile int counting;
static volatile size_t mallocs;

static void on_malloc(const volatile void *p, size_t size)
{
	(void)p;
	(void)size;
	if (counting)
		mallocs++;
}

static void on_free(const volatile void *p)
{
	(void)p;
}

static int decode(const char *src, size_t limit, unsigned char **out, size_t *len,
		  ulf_err *err)
{
	ulf_err_clear(err);
	return base64_decode(out, len, src, strlen(src), limit, err);
}

/* Decodes src and expects exactly `want` (want_len bytes). */
static void expect(const char *src, const char *want, size_t want_len)
{
	unsigned char *out = NULL;
	size_t len = 99;
	ulf_err err;
	int rc = decode(src, 0, &out, &len, &err);

	if (rc != 0)
		fail_msg("'%s': rc %d: %s", src, rc, err.msg);
	assert_non_null(out);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	assert_true(len <= base64_decoded_max(strlen(src)));
	free(out);
}

/* Decodes src and expects failure with `code`, nothing handed back. */
static void expect_fail(const char *src, size_t limit, int code)
{
	unsigned char *out = (unsigned char *)"x";
	size_t len = 99;
	ulf_err err;
	int rc = decode(src, limit, &out, &len, &err);

	if (rc != code)
		fail_msg("'%s': rc %d, expected %d (%s)", src, rc, code, err.msg);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(err.code, code);
	assert_true(err.msg[0] != '\0');
}

static void rfc4648_vectors(void **state)
{
	(void)state;
	expect("", "", 0);
	expect("Zg==", "f", 1);
	expect("Zm8=", "fo", 2);
	expect("Zm9v", "foo", 3);
	expect("Zm9vYg==", "foob", 4);
	expect("Zm9vYmE=", "fooba", 5);
	expect("Zm9vYmFy", "foobar", 6);
	/* the whole alphabet, and bytes that are not text */
	expect("+/+/", "\xfb\xff\xbf", 3);
	expect("AAEC/f7/", "\x00\x01\x02\xfd\xfe\xff", 6);
	expect("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	       "\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51"
	       "\x55\x97\x61\x96\x9b\x71\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a"
	       "\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf", 48);
}

static void white_space_anywhere(void **state)
{
	(void)state;
	expect("Zm9v\nYmFy", "foobar", 6);
	expect("Zm9v\r\nYmFy\r\n", "foobar", 6);
	expect("  \tZm9v\n\t  YmFy  \n", "foobar", 6);
	expect("Z m 9 v Y m F y", "foobar", 6);
	expect("Zm9vYg=\n=", "foob", 4);
	expect("Zm9vYg= =\n", "foob", 4);
	expect(" \n\t\r ", "", 0);
	/* 76-column lines, as MIME and most senders wrap */
	expect("TG9yZW0gaXBzdW0gZG9sb3Igc2l0IGFtZXQsIGNvbnNlY3RldHVyIGFkaXBpc2NpbmcgZWxpdCwg\n"
	       "c2VkIGRvIGVpdXNtb2Q=\n",
	       "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod", 71);
}

static void missing_padding(void **state)
{
	(void)state;
	/* padding is optional: the length says how many bytes there are */
	expect("Zg", "f", 1);
	expect("Zm8", "fo", 2);
	expect("Zm9vYmE", "fooba", 5);
}

static void bad_characters(void **state)
{
	unsigned char *out;
	size_t len;
	ulf_err err;

	(void)state;
	expect_fail("Zm9v!", 0, ULF_EPARSE);
	expect_fail("Zm9v-_8=", 0, ULF_EPARSE);     /* base64url is not base64 */
	expect_fail("Zm9v.YmFy", 0, ULF_EPARSE);
	expect_fail("Zm9v\xc3\xa4", 0, ULF_EPARSE);
	expect_fail("Zm9v\vYmFy", 0, ULF_EPARSE);   /* not XML white space */
	expect_fail("Zm9v\fYmFy", 0, ULF_EPARSE);
	expect_fail("<Zm9v>", 0, ULF_EPARSE);
	/* the offset of the culprit is in the message */
	assert_int_equal(decode("Zm9v Ym*y", 0, &out, &len, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "0x2a"));
	assert_non_null(strstr(err.msg, "offset 7"));
	/* a NUL inside the given length is a bad character, not an end */
	ulf_err_clear(&err);
	assert_int_equal(base64_decode(&out, &len, "Zm9v\0YmFy", 9, 0, &err), ULF_EPARSE);
	assert_null(out);
}

static void bad_padding(void **state)
{
	(void)state;
	expect_fail("Zg=", 0, ULF_EPARSE);
	expect_fail("Z===", 0, ULF_EPARSE);
	expect_fail("Zm9v====", 0, ULF_EPARSE);
	expect_fail("====", 0, ULF_EPARSE);
	expect_fail("=", 0, ULF_EPARSE);
	expect_fail("==", 0, ULF_EPARSE);
	expect_fail("=Zm9", 0, ULF_EPARSE);
	expect_fail("Zg==Zg==", 0, ULF_EPARSE);    /* data after the end */
	expect_fail("Zm=9", 0, ULF_EPARSE);
	expect_fail("Zm9vY", 0, ULF_EPARSE);       /* 6 bits cannot make a byte */
	expect_fail("Zm9vY===", 0, ULF_EPARSE);
	expect_fail("Z", 0, ULF_EPARSE);
}

static void limit(void **state)
{
	unsigned char *out;
	size_t len;
	ulf_err err;

	(void)state;
	/* 6 bytes: at the limit is fine, one below is not */
	assert_int_equal(decode("Zm9vYmFy", 6, &out, &len, &err), 0);
	assert_int_equal(len, 6);
	free(out);
	expect_fail("Zm9vYmFy", 5, ULF_ELIMIT);
	expect_fail("Zm9v\nYmE=", 4, ULF_ELIMIT);
	assert_int_equal(decode("Zm9vYmFy", 5, &out, &len, &err), ULF_ELIMIT);
	assert_non_null(strstr(err.msg, "6 bytes"));
	assert_non_null(strstr(err.msg, "limit of 5 bytes"));
	/* 0 means no limit */
	assert_int_equal(decode("Zm9vYmFy", 0, &out, &len, &err), 0);
	free(out);
	/* a bad character wins over the limit: it is reported as what it is */
	expect_fail("Zm9vYmFy!", 1, ULF_EPARSE);
}

/* The limit is checked on the counted size, before the one allocation. */
static void limit_before_allocation(void **state)
{
	size_t n = 4u << 20, len = 0;
	unsigned char *out = NULL;
	char *big;
	ulf_err err;
	int rc;

	(void)state;
	if (!__sanitizer_install_malloc_and_free_hooks)
		skip();
	assert_true(__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0);
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'A', n);

	/* control: a decode within the limit allocates exactly once */
	mallocs = 0;
	counting = 1;
	ulf_err_clear(&err);
	rc = base64_decode(&out, &len, big, 8, 0, &err);
	counting = 0;
	assert_int_equal(rc, 0);
	assert_int_equal(mallocs, 1);
	free(out);

	/* 4 MiB of base64 is 3 MiB of data: refused with nothing allocated */
	mallocs = 0;
	counting = 1;
	ulf_err_clear(&err);
	rc = base64_decode(&out, &len, big, n, 1024, &err);
	counting = 0;
	assert_int_equal(rc, ULF_ELIMIT);
	assert_int_equal(mallocs, 0);
	assert_null(out);
	assert_non_null(strstr(err.msg, "3145728 bytes"));
	free(big);
}

static void no_error_object(void **state)
{
	unsigned char *out;
	size_t len;

	(void)state;
	assert_int_equal(base64_decode(&out, &len, "Zm9v!", 5, 0, NULL), ULF_EPARSE);
	assert_int_equal(base64_decode(&out, &len, "Zm9vYmFy", 8, 2, NULL), ULF_ELIMIT);
	assert_int_equal(base64_decode(&out, &len, "Zm9v", 4, 0, NULL), 0);
	free(out);
}

static void decoded_max(void **state)
{
	(void)state;
	assert_true(base64_decoded_max(4) >= 3);
	assert_true(base64_decoded_max(8) >= 6);
	assert_true(base64_decoded_max(7) >= 5);
	assert_true(base64_decoded_max(76 * 100) >= 57 * 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4648_vectors),
		cmocka_unit_test(white_space_anywhere),
		cmocka_unit_test(missing_padding),
		cmocka_unit_test(bad_characters),
		cmocka_unit_test(bad_padding),
		cmocka_unit_test(limit),
		cmocka_unit_test(limit_before_allocation),
		cmocka_unit_test(no_error_object),
		cmocka_unit_test(decoded_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
