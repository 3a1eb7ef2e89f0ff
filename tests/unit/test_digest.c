/*
 * test_digest.c - unit tests for core/digest.c, the one OpenSSL wrapper:
 * SHA-256 and HMAC-SHA256 against published vectors (FIPS 180-2, RFC 4231),
 * random tokens (length, alphabet, no repeats, bad sizes refused), and the
 * constant-time comparisons used for session ids and CSRF tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/digest.h"
#include "core/err.h"

static void test_sha256(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	(void)state;
	assert_int_equal(digest_sha256_hex(hex, "abc", 3), 0);
	assert_string_equal(hex,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_sha256_hex(hex, "", 0), 0);
	assert_string_equal(hex,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
static void test_hmac_rfc4231(void **state)
{
	unsigned char key1[20], key6[131], raw[DIGEST_SHA256_LEN];
	char hex[DIGEST_HEX_LEN + 1];
	static const char *data6 = "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	memset(key1, 0x0b, sizeof(key1));
	memset(key6, 0xaa, sizeof(key6));

	assert_int_equal(digest_hmac_sha256_hex(hex, key1, sizeof(key1), "Hi There", 8), 0);
	assert_string_equal(hex,
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	assert_int_equal(digest_hmac_sha256_hex(hex, "Jefe", 4,
		"what do ya want for nothing?", 28), 0);
	assert_string_equal(hex,
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	assert_int_equal(digest_hmac_sha256_hex(hex, key6, sizeof(key6),
		data6, strlen(data6)), 0);
	assert_string_equal(hex,
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

	/* The raw form is the same bytes. */
	assert_int_equal(digest_hmac_sha256(raw, "Jefe", 4,
		"what do ya want for nothing?", 28), 0);
	assert_int_equal(raw[0], 0x5b);
	assert_int_equal(raw[31], 0x43);

	/* An empty key and empty data are allowed (RFC 2104 pads the key). */
	assert_int_equal(digest_hmac_sha256_hex(hex, NULL, 0, NULL, 0), 0);
	assert_string_equal(hex,
		"b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static int is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static void test_random_tokens(void **state)
{
	char seen[64][DIGEST_TOKEN_BYTES * 2 + 1];
	char small[8];
	unsigned char zero[32] = {0}, buf[32];
	ulf_err err;
	int i, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		ulf_err_clear(&err);
		assert_int_equal(digest_token_hex(seen[i], sizeof(seen[i]),
						  DIGEST_TOKEN_BYTES, &err), 0);
		assert_int_equal(strlen(seen[i]), 64);
		assert_true(is_hex(seen[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}

	/* 32 random bytes are never all zero in practice. */
	ulf_err_clear(&err);
	assert_int_equal(digest_random(buf, sizeof(buf), &err), 0);
	assert_false(digest_equal(buf, zero, sizeof(buf)));

	/* A buffer too small, no bytes, too many bytes: refused, out empty. */
	ulf_err_clear(&err);
	assert_int_equal(digest_token_hex(small, sizeof(small), 4, &err), ULF_EINVAL);
	assert_string_equal(small, "");
	ulf_err_clear(&err);
	assert_int_equal(digest_token_hex(small, sizeof(small), 0, &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(digest_token_hex(seen[0], sizeof(seen[0]),
					  DIGEST_TOKEN_MAX_BYTES + 1, &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "token"));
	/* Exactly enough room. */
	ulf_err_clear(&err);
	assert_int_equal(digest_token_hex(small, sizeof(small), 3, &err), 0);
	assert_int_equal(strlen(small), 6);
}

static void test_equal(void **state)
{
	unsigned char a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};

	(void)state;
	assert_true(digest_equal(a, a, 4));
	assert_false(digest_equal(a, b, 4));
	assert_true(digest_equal(a, b, 3));
	assert_true(digest_equal(a, b, 0));

	assert_true(digest_token_equal("abc", "abc"));
	assert_true(digest_token_equal("", ""));
	assert_false(digest_token_equal("abc", "abd"));
	assert_false(digest_token_equal("abc", "ab"));
	assert_false(digest_token_equal("ab", "abc"));
	assert_false(digest_token_equal(NULL, "abc"));
	assert_false(digest_token_equal("abc", NULL));
	assert_false(digest_token_equal(NULL, NULL));
}

static void test_cleanse(void **state)
{
	char secret[16] = "hunter2hunter2!";
	unsigned i;

	(void)state;
	digest_cleanse(secret, sizeof(secret));
	for (i = 0; i < sizeof(secret); i++)
		assert_int_equal(secret[i], 0);
	digest_cleanse(NULL, 5);   /* nothing to do, no crash */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_random_tokens),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_cleanse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
