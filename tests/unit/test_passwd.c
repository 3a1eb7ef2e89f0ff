/*
 * test_passwd.c - unit tests for core/passwd.c (argon2id): a hash verifies
 * its password and no other, salts differ, the stored format and its
 * parameters, a fixed hash from an earlier run still verifies (stored
 * hashes must outlive upgrades), malformed and over-expensive stored
 * hashes are refused, sizes are capped, and one verification stays well
 * under a second (passwd.h documents ~80 ms).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/passwd.h"

/* libargon2 made this of "no password hashes to this". */
static const char fixed[] =
	"$argon2id$v=19$m=19456,t=2,p=1$dWxmLWR1bW15LXNhbHQxNg$"
	"9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8";

static bool check(const char *encoded, const char *password)
{
	bool ok = true;
	ulf_err err;

	ulf_err_clear(&err);
	if (passwd_verify(&ok, encoded, password, &err) != 0)
		fail_msg("verify: %s", err.msg);
	return ok;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void test_hash_and_verify(void **state)
{
	char a[PASSWD_ENCODED_MAX], b[PASSWD_ENCODED_MAX];
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(a, sizeof(a), "korrekt häst batteri häftklammer", &err), 0);
	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(b, sizeof(b), "korrekt häst batteri häftklammer", &err), 0);

	assert_true(strncmp(a, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	assert_true(strlen(a) < PASSWD_ENCODED_MAX);
	assert_string_not_equal(a, b);          /* a fresh salt each time */

	assert_true(check(a, "korrekt häst batteri häftklammer"));
	assert_true(check(b, "korrekt häst batteri häftklammer"));
	assert_false(check(a, "korrekt häst batteri häftklammeR"));
	assert_false(check(a, "korrekt häst batteri"));
	assert_false(check(a, ""));
	assert_false(check(a, NULL));
	assert_false(passwd_needs_rehash(a));
}

static void test_fixed_hash(void **state)
{
	(void)state;
	assert_true(check(fixed, "no password hashes to this"));
	assert_false(check(fixed, "no password hashes to that"));
	assert_false(passwd_needs_rehash(fixed));
}

static void test_refused(void **state)
{
	char out[PASSWD_ENCODED_MAX], small[PASSWD_ENCODED_MAX - 1];
	char *lng = malloc(PASSWD_MAX_LEN + 2);
	bool ok = true;
	ulf_err err;

	(void)state;
	assert_non_null(lng);
	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(out, sizeof(out), "", &err), ULF_EINVAL);
	assert_string_equal(out, "");
	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(small, sizeof(small), "secret", &err), ULF_EINVAL);

	memset(lng, 'x', PASSWD_MAX_LEN + 1);
	lng[PASSWD_MAX_LEN + 1] = '\0';
	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(out, sizeof(out), lng, &err), ULF_ELIMIT);
	assert_false(check(fixed, lng));        /* over the cap: simply wrong */
	lng[PASSWD_MAX_LEN] = '\0';             /* exactly the cap is taken */
	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(out, sizeof(out), lng, &err), 0);
	assert_true(check(out, lng));
	free(lng);

	/* Not argon2id, malformed, or asking too much: refused, never true. */
	static const char *const bad[] = {
		"",
		"plaintext",
		"$argon2i$v=19$m=19456,t=2,p=1$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
		"$argon2id$v=16$m=19456,t=2,p=1$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
		"$argon2id$v=19$m=19456,t=2$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
		"$argon2id$v=19$m=19456,t=2,p=1$dWxm!!!!bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
		"$argon2id$v=19$m=19456,t=2,p=1$dWxmLWR1bW15LXNhbHQxNg$",
		"$argon2id$v=19$m=9999999999,t=2,p=1$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok = true;
		ulf_err_clear(&err);
		assert_int_equal(passwd_verify(&ok, bad[i], "x", &err), ULF_EPARSE);
		assert_false(ok);
	}
	ok = true;
	ulf_err_clear(&err);
	assert_int_equal(passwd_verify(&ok, NULL, "x", &err), ULF_EPARSE);
	assert_false(ok);

	/* Well-formed but expensive: 4 GiB of memory, 100 passes, 64 lanes. */
	static const char *const costly[] = {
		"$argon2id$v=19$m=4194304,t=2,p=1$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
		"$argon2id$v=19$m=19456,t=100,p=1$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
		"$argon2id$v=19$m=19456,t=2,p=64$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8",
	};
	for (size_t i = 0; i < sizeof(costly) / sizeof(costly[0]); i++) {
		ok = true;
		ulf_err_clear(&err);
		assert_int_equal(passwd_verify(&ok, costly[i], "x", &err), ULF_ELIMIT);
		assert_false(ok);
		assert_true(passwd_needs_rehash(costly[i]));
	}
}

static void test_rehash(void **state)
{
	(void)state;
	assert_true(passwd_needs_rehash(
		"$argon2id$v=19$m=65536,t=3,p=4$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8"));
	assert_true(passwd_needs_rehash(
		"$argon2id$v=19$m=19456,t=1,p=1$dWxmLWR1bW15LXNhbHQxNg$9WJ+bAg8/jxCoRBdr9YN3q87V918ztyIgBad7Nm4Ak8"));
	assert_true(passwd_needs_rehash(NULL));
	assert_true(passwd_needs_rehash("$2b$12$bcrypt..."));
}

/* A name that does not exist costs about what a wrong password does. */
static void test_verify_none_and_time(void **state)
{
	double t0, t1, t2;
	ulf_err err;

	(void)state;
	t0 = now_ms();
	assert_false(check(fixed, "guess"));
	t1 = now_ms();
	ulf_err_clear(&err);
	assert_int_equal(passwd_verify_none("guess", &err), 0);
	ulf_err_clear(&err);
	assert_int_equal(passwd_verify_none("", &err), 0);
	ulf_err_clear(&err);
	assert_int_equal(passwd_verify_none(NULL, &err), 0);
	t2 = now_ms();

	print_message("argon2id verify: %.0f ms; 3 x verify_none: %.0f ms\n",
		      t1 - t0, t2 - t1);
	/* Loose bounds: the machine is shared and may run sanitizers. */
	assert_true(t1 - t0 < 1000.0);
	assert_true(t2 - t1 > (t1 - t0) * 0.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_fixed_hash),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rehash),
		cmocka_unit_test(test_verify_none_and_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
