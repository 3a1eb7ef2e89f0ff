/*
 * test_web_auth.c - unit tests for robot/web/auth.c: the permission table
 * cell by cell, role names, session ids and keys, CSRF tokens (derived,
 * bound to their session and secret, refused when altered or malformed),
 * the failed-login delay, and session timeouts at their edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/digest.h"
#include "core/err.h"
#include "robot/web/auth.h"

#define H AUTH_ROLE_BIT(AUTH_ROLE_HANDLER)
#define C AUTH_ROLE_BIT(AUTH_ROLE_CARE_HANDLER)
#define K AUTH_ROLE_BIT(AUTH_ROLE_CONTROLLER)
#define A AUTH_ROLE_BIT(AUTH_ROLE_ADMIN)

static void test_permission_table(void **state)
{
	/* The table of auth.h and docs/workbench.md, one row per permission:
	 * handler, care_handler, controller, admin. */
	static const struct { auth_perm perm; int h, c, k, a; } table[] = {
		{ AUTH_QUEUE_VIEW, 1, 1, 1, 0 },
		{ AUTH_QUEUE_ACT,  1, 1, 0, 0 },
		{ AUTH_UNMASK,     0, 1, 0, 0 },
		{ AUTH_DASHBOARD,  0, 0, 1, 1 },
		{ AUTH_AUDIT_VIEW, 0, 0, 1, 1 },
		{ AUTH_USERS,      0, 0, 0, 1 },
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(table) / sizeof(table[0]), AUTH_PERM_COUNT);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		auth_perm p = table[i].perm;
		assert_int_equal(auth_allows(H, p), table[i].h);
		assert_int_equal(auth_allows(C, p), table[i].c);
		assert_int_equal(auth_allows(K, p), table[i].k);
		assert_int_equal(auth_allows(A, p), table[i].a);
		/* No roles, or only bits past the roles: nothing. */
		assert_false(auth_allows(0, p));
		assert_false(auth_allows(~(H | C | K | A), p));
	}
	/* Two roles: the union. */
	assert_true(auth_allows(K | A, AUTH_USERS));
	assert_true(auth_allows(K | A, AUTH_QUEUE_VIEW));
	assert_false(auth_allows(K | A, AUTH_QUEUE_ACT));
	assert_false(auth_allows(H | K | A, AUTH_UNMASK));
	/* A permission out of range is never granted. */
	assert_false(auth_allows(H | C | K | A, AUTH_PERM_COUNT));
	assert_false(auth_allows(H | C | K | A, (auth_perm)-1));
}

static void test_role_names(void **state)
{
	auth_roles set;
	auth_role r;
	ulf_err err;
	int i;

	(void)state;
	for (i = 0; i < AUTH_ROLE_COUNT; i++) {
		ulf_err_clear(&err);
		assert_int_equal(auth_role_parse(&r, auth_role_name((auth_role)i), &err), 0);
		assert_int_equal(r, i);
	}
	assert_string_equal(auth_role_name(AUTH_ROLE_CARE_HANDLER), "care_handler");
	assert_string_equal(auth_role_name(AUTH_ROLE_COUNT), "?");
	assert_string_equal(auth_perm_name(AUTH_UNMASK), "unmask");
	assert_string_equal(auth_perm_name(AUTH_PERM_COUNT), "?");

	ulf_err_clear(&err);
	assert_int_equal(auth_role_parse(&r, "Admin", &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "unknown role \"Admin\""));
	ulf_err_clear(&err);
	assert_int_equal(auth_role_parse(&r, NULL, &err), ULF_EINVAL);

	ulf_err_clear(&err);
	assert_int_equal(auth_roles_parse(&set, "handler", &err), 0);
	assert_int_equal(set, H);
	ulf_err_clear(&err);
	assert_int_equal(auth_roles_parse(&set, " care_handler , controller,admin ", &err), 0);
	assert_int_equal(set, C | K | A);
	ulf_err_clear(&err);
	assert_int_equal(auth_roles_parse(&set, "handler,handler", &err), 0);
	assert_int_equal(set, H);

	static const char *const bad[] = { "", " ", "handler,", ",handler", "handler,,admin",
					   "handler;admin", "root", NULL };
	for (i = 0; bad[i]; i++) {
		set = 99;
		ulf_err_clear(&err);
		assert_int_equal(auth_roles_parse(&set, bad[i], &err), ULF_EINVAL);
		assert_int_equal(set, 0);
		assert_non_null(strstr(err.msg, "unknown role"));
	}
	ulf_err_clear(&err);
	assert_int_equal(auth_roles_parse(&set, "handler,superuser", &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "\"superuser\""));
	ulf_err_clear(&err);
	assert_int_equal(auth_roles_parse(&set, NULL, &err), ULF_EINVAL);
}

static void test_session_ids(void **state)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1], key[AUTH_TOKEN_LEN + 1];
	char sha[DIGEST_HEX_LEN + 1];
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(auth_session_id_new(a, &err), 0);
	assert_int_equal(auth_session_id_new(b, &err), 0);
	assert_true(auth_token_ok(a));
	assert_true(auth_token_ok(b));
	assert_string_not_equal(a, b);

	/* The key is the id's SHA-256, and not the id. */
	assert_int_equal(auth_session_key(key, a, &err), 0);
	assert_int_equal(digest_sha256_hex(sha, a, strlen(a)), 0);
	assert_string_equal(key, sha);
	assert_string_not_equal(key, a);
	assert_true(auth_token_ok(key));

	ulf_err_clear(&err);
	assert_int_equal(auth_session_key(key, "abc", &err), ULF_EINVAL);
	assert_string_equal(key, "");

	/* The shape check. */
	char s[AUTH_TOKEN_LEN + 2];
	memset(s, 'a', AUTH_TOKEN_LEN);
	s[AUTH_TOKEN_LEN] = '\0';
	assert_true(auth_token_ok(s));
	s[3] = 'A';
	assert_false(auth_token_ok(s));          /* upper case */
	s[3] = 'g';
	assert_false(auth_token_ok(s));
	s[3] = 'a';
	s[AUTH_TOKEN_LEN] = 'a';
	s[AUTH_TOKEN_LEN + 1] = '\0';
	assert_false(auth_token_ok(s));          /* one too long */
	s[AUTH_TOKEN_LEN - 1] = '\0';
	assert_false(auth_token_ok(s));          /* one too short */
	assert_false(auth_token_ok(""));
	assert_false(auth_token_ok(NULL));
}

static void test_csrf(void **state)
{
	unsigned char secret[AUTH_SECRET_MIN], other[AUTH_SECRET_MIN];
	char sid[AUTH_TOKEN_LEN + 1], sid2[AUTH_TOKEN_LEN + 1];
	char tok[AUTH_TOKEN_LEN + 1], again[AUTH_TOKEN_LEN + 1], bad[AUTH_TOKEN_LEN + 2];
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(digest_random(secret, sizeof(secret), &err), 0);
	assert_int_equal(digest_random(other, sizeof(other), &err), 0);
	assert_int_equal(auth_session_id_new(sid, &err), 0);
	assert_int_equal(auth_session_id_new(sid2, &err), 0);

	assert_int_equal(auth_csrf_token(tok, secret, sizeof(secret), sid, &err), 0);
	assert_true(auth_token_ok(tok));
	assert_string_not_equal(tok, sid);
	/* Derived, not stored: the same session gives the same token. */
	assert_int_equal(auth_csrf_token(again, secret, sizeof(secret), sid, &err), 0);
	assert_string_equal(tok, again);

	assert_true(auth_csrf_check(tok, secret, sizeof(secret), sid));
	/* Another session, another secret: refused. */
	assert_false(auth_csrf_check(tok, secret, sizeof(secret), sid2));
	assert_false(auth_csrf_check(tok, other, sizeof(other), sid));
	/* Altered, shortened, lengthened, upper-cased, empty, absent. */
	memcpy(bad, tok, sizeof(tok));
	bad[10] = bad[10] == '0' ? '1' : '0';
	assert_false(auth_csrf_check(bad, secret, sizeof(secret), sid));
	memcpy(bad, tok, sizeof(tok));
	bad[AUTH_TOKEN_LEN - 1] = '\0';
	assert_false(auth_csrf_check(bad, secret, sizeof(secret), sid));
	memcpy(bad, tok, sizeof(tok));
	bad[AUTH_TOKEN_LEN] = '0';
	bad[AUTH_TOKEN_LEN + 1] = '\0';
	assert_false(auth_csrf_check(bad, secret, sizeof(secret), sid));
	memcpy(bad, tok, sizeof(tok));
	for (size_t i = 0; i < AUTH_TOKEN_LEN; i++)
		if (bad[i] >= 'a')
			bad[i] = (char)(bad[i] - 'a' + 'A');
	assert_false(auth_csrf_check(bad, secret, sizeof(secret), sid));
	assert_false(auth_csrf_check("", secret, sizeof(secret), sid));
	assert_false(auth_csrf_check(NULL, secret, sizeof(secret), sid));
	/* The session id itself is not a CSRF token. */
	assert_false(auth_csrf_check(sid, secret, sizeof(secret), sid));

	/* A short secret or a malformed session makes no token. */
	ulf_err_clear(&err);
	assert_int_equal(auth_csrf_token(again, secret, AUTH_SECRET_MIN - 1, sid, &err),
			 ULF_EINVAL);
	assert_string_equal(again, "");
	assert_non_null(strstr(err.msg, "secret"));
	assert_false(auth_csrf_check(tok, secret, AUTH_SECRET_MIN - 1, sid));
	assert_false(auth_csrf_check(tok, NULL, 0, sid));
	ulf_err_clear(&err);
	assert_int_equal(auth_csrf_token(again, secret, sizeof(secret), "not-a-session", &err),
			 ULF_EINVAL);
	assert_false(auth_csrf_check(tok, secret, sizeof(secret), NULL));
}

/* A known answer, so the scheme cannot change unnoticed (tokens in pages
 * already served would stop working): HMAC-SHA256 under 32 bytes 0x01..0x20
 * of "ulf-csrf-v1", a NUL, and the id of 64 'a' (the literal computed apart,
 * with `openssl dgst -sha256 -mac HMAC`). */
static void test_csrf_known_answer(void **state)
{
	unsigned char secret[32], msg[12 + AUTH_TOKEN_LEN];
	char sid[AUTH_TOKEN_LEN + 1], tok[AUTH_TOKEN_LEN + 1], want[DIGEST_HEX_LEN + 1];
	ulf_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(secret); i++)
		secret[i] = (unsigned char)(i + 1);
	memset(sid, 'a', AUTH_TOKEN_LEN);
	sid[AUTH_TOKEN_LEN] = '\0';
	memcpy(msg, "ulf-csrf-v1", 12);             /* with its NUL */
	memcpy(msg + 12, sid, AUTH_TOKEN_LEN);
	assert_int_equal(digest_hmac_sha256_hex(want, secret, sizeof(secret), msg, sizeof(msg)), 0);

	ulf_err_clear(&err);
	assert_int_equal(auth_csrf_token(tok, secret, sizeof(secret), sid, &err), 0);
	assert_string_equal(tok, want);
	assert_string_equal(tok,
		"3775bc2bf972bc44e7bfb57f4c03425ba232c2c2da6d1892764fe1c2403426f8");
}

static void test_login_delay(void **state)
{
	static const int64_t want[] = { 0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900 };
	auth_policy strict = { 600, 3600, 3, 10, 35 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(auth_login_delay(NULL, i), want[i]);
	assert_int_equal(auth_login_delay(NULL, 1000000), 900);
	assert_int_equal(auth_login_delay(NULL, UINT32_MAX), 900);

	/* Another policy: three free, 10 s doubling, 35 s cap. */
	assert_int_equal(auth_login_delay(&strict, 2), 0);
	assert_int_equal(auth_login_delay(&strict, 3), 10);
	assert_int_equal(auth_login_delay(&strict, 4), 20);
	assert_int_equal(auth_login_delay(&strict, 5), 35);
	assert_int_equal(auth_login_delay(&strict, 50), 35);

	/* The wait counts down from the last failure. */
	assert_int_equal(auth_login_wait(NULL, 4, 1000, 1000), 0);
	assert_int_equal(auth_login_wait(NULL, 5, 1000, 1000), 30);
	assert_int_equal(auth_login_wait(NULL, 5, 1000, 1029), 1);
	assert_int_equal(auth_login_wait(NULL, 5, 1000, 1030), 0);
	assert_int_equal(auth_login_wait(NULL, 6, 1000, 1030), 30);
	assert_int_equal(auth_login_wait(NULL, 20, 1000, 1000 + 899), 1);
	assert_int_equal(auth_login_wait(NULL, 20, 1000, 1000 + 900), 0);
	/* A clock that went back: the delay, not more. */
	assert_int_equal(auth_login_wait(NULL, 6, 1000, 10), 60);
	assert_int_equal(auth_login_wait(NULL, 6, INT64_MAX, INT64_MIN), 60);
	assert_int_equal(auth_login_wait(NULL, 6, INT64_MIN, INT64_MAX), 0);
}

static void test_session_timeouts(void **state)
{
	const int64_t t = 1700000000;             /* login */
	auth_policy short_policy = { 10, 100, 5, 30, 900 };

	(void)state;
	assert_int_equal(auth_session_check(NULL, t, t, t), AUTH_SESSION_LIVE);
	assert_int_equal(auth_session_check(NULL, t, t, t + 1799), AUTH_SESSION_LIVE);
	assert_int_equal(auth_session_check(NULL, t, t, t + 1800), AUTH_SESSION_IDLE);
	/* In use all day: live until the absolute limit, then expired. */
	assert_int_equal(auth_session_check(NULL, t, t + 28000, t + 28799), AUTH_SESSION_LIVE);
	assert_int_equal(auth_session_check(NULL, t, t + 28799, t + 28800), AUTH_SESSION_EXPIRED);
	assert_int_equal(auth_session_check(NULL, t, t, t + 100000), AUTH_SESSION_EXPIRED);
	/* Times out of order fail closed. */
	assert_int_equal(auth_session_check(NULL, t, t, t - 1), AUTH_SESSION_EXPIRED);
	assert_int_equal(auth_session_check(NULL, t, t + 5, t + 4), AUTH_SESSION_EXPIRED);
	assert_int_equal(auth_session_check(NULL, t, t - 5, t), AUTH_SESSION_EXPIRED);
	assert_int_equal(auth_session_check(NULL, INT64_MIN, INT64_MIN, INT64_MAX),
			 AUTH_SESSION_EXPIRED);
	/* Another policy. */
	assert_int_equal(auth_session_check(&short_policy, t, t + 50, t + 59), AUTH_SESSION_LIVE);
	assert_int_equal(auth_session_check(&short_policy, t, t + 50, t + 60), AUTH_SESSION_IDLE);
	assert_int_equal(auth_session_check(&short_policy, t, t + 95, t + 100),
			 AUTH_SESSION_EXPIRED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permission_table),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_session_ids),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_csrf_known_answer),
		cmocka_unit_test(test_login_delay),
		cmocka_unit_test(test_session_timeouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
