/*
 * test_users.c - who may use the workbench, as the store keeps it: users
 * and their roles, password hashes and failed logins; operating-system
 * users mapped to ulf users; API tokens shown once and kept only hashed;
 * sessions found by a presented id that is never stored; and the audit
 * trail's hash chain, which finds a row changed or removed behind ulf's
 * back.  On SQLite, and on PostgreSQL when ULF_TEST_PG_CONNINFO is set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/digest.h"
#include "robot/store/users.h"
#include "tests/support/support.h"

typedef struct fixture {
	ts_store *t;
	users *u;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ulf_err err;

	ulf_err_clear(&err);
	assert_non_null(f);
	f->t = ts_store_new("users", 0);
	if (users_open(&f->u, store_db(f->t->s), &err))
		fail_msg("users_open: %s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	users_free(f->u);
	ts_store_free(f->t);
	free(f);
	return 0;
}

/* A row of a table, as text, straight from the database. */
static char *cell(fixture *f, const char *sql)
{
	db_stmt *st;
	ulf_err err;
	char *s = NULL;

	ulf_err_clear(&err);
	assert_int_equal(db_prepare(&st, store_db(f->t->s), sql, &err), 0);
	if (db_step(st, &err) == 1 && db_col_text(st, 0))
		s = strdup(db_col_text(st, 0));
	db_finalize(st);
	return s;
}

/* Appends to a 512-byte list. */
static void append(char *list, const char *a, const char *b)
{
	size_t n = strlen(list);

	snprintf(list + n, 512 - n, "%s%s", a, b);
}

static void count_user(const user_info *u, void *ctx)
{
	assert_string_equal(u->pw_hash, "");   /* lists do not hand out hashes */
	append(ctx, u->name, u->disabled ? "- " : " ");
}

static void test_users_add_get_list(void **state)
{
	fixture *f = *state;
	user_info u;
	int64_t id, id2;
	char names[512] = "";
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(users_add(&id, f->u, "anna", 0x5, "$argon2id$fake", 100, &err), 0);
	assert_true(id > 0);
	assert_int_equal(users_add(&id2, f->u, "bo", 0x4, NULL, 101, &err), 0);
	assert_int_equal(users_add(NULL, f->u, "anna", 1, NULL, 102, &err), ULF_EEXISTS);
	ulf_err_clear(&err);
	assert_int_equal(users_add(NULL, f->u, "-x", 1, NULL, 102, &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(users_add(NULL, f->u, "a b", 1, NULL, 102, &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(users_add(NULL, f->u, "", 1, NULL, 102, &err), ULF_EINVAL);
	ulf_err_clear(&err);

	assert_int_equal(users_get(&u, f->u, "anna", &err), 0);
	assert_int_equal(u.id, id);
	assert_int_equal(u.roles, 0x5);
	assert_false(u.disabled);
	assert_string_equal(u.pw_hash, "$argon2id$fake");
	assert_int_equal(u.created_at, 100);
	assert_int_equal(u.pw_changed_at, 100);
	assert_int_equal(users_get_id(&u, f->u, id2, &err), 0);
	assert_string_equal(u.name, "bo");
	assert_string_equal(u.pw_hash, "");
	assert_int_equal(users_get(&u, f->u, "carl", &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_get(&u, f->u, "'; DROP TABLE users; --", &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);

	assert_int_equal(users_set_roles(f->u, "bo", 0x3, &err), 0);
	assert_int_equal(users_set_disabled(f->u, "bo", true, &err), 0);
	assert_int_equal(users_list(f->u, count_user, names, &err), 0);
	assert_string_equal(names, "anna bo- ");
	assert_int_equal(users_get(&u, f->u, "bo", &err), 0);
	assert_int_equal(u.roles, 0x3);
	assert_true(u.disabled);
	assert_int_equal(users_set_disabled(f->u, "bo", false, &err), 0);
	assert_int_equal(users_get(&u, f->u, "bo", &err), 0);
	assert_false(u.disabled);
	assert_int_equal(users_set_disabled(f->u, "nobody", true, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);

	assert_int_equal(users_set_password(f->u, "bo", "$argon2id$new", 200, &err), 0);
	assert_int_equal(users_get(&u, f->u, "bo", &err), 0);
	assert_string_equal(u.pw_hash, "$argon2id$new");
	assert_int_equal(u.pw_changed_at, 200);
	assert_int_equal(users_set_password(f->u, "bo", "", 200, &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(users_set_password(f->u, "nobody", "$x", 200, &err), ULF_ENOTFOUND);
}

static void test_failed_logins_count_per_name(void **state)
{
	fixture *f = *state;
	unsigned n;
	int64_t last;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(users_login_failures(&n, &last, f->u, "anna", &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(last, 0);
	assert_int_equal(users_login_failed(&n, f->u, "anna", 1000, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(users_login_failed(&n, f->u, "anna", 1010, &err), 0);
	assert_int_equal(n, 2);
	/* a name nobody has counts too: the delay does not tell which exist */
	assert_int_equal(users_login_failed(&n, f->u, "ghost", 1020, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(users_login_failures(&n, &last, f->u, "anna", &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(last, 1010);
	assert_int_equal(users_login_ok(f->u, "anna", &err), 0);
	assert_int_equal(users_login_failures(&n, &last, f->u, "anna", &err), 0);
	assert_int_equal(n, 0);
	/* a day later the ghost is forgotten */
	assert_int_equal(users_login_failed(&n, f->u, "anna", 1020 + 86401, &err), 0);
	assert_int_equal(users_login_failures(&n, &last, f->u, "ghost", &err), 0);
	assert_int_equal(n, 0);
}

static void test_os_users_map_to_users(void **state)
{
	fixture *f = *state;
	user_info u;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(users_add(NULL, f->u, "anna", 1, NULL, 1, &err), 0);
	assert_int_equal(users_add(NULL, f->u, "bo", 1, NULL, 1, &err), 0);
	assert_int_equal(users_by_os(&u, f->u, "abe01", &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_map_os(f->u, "abe01", "nobody", &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_map_os(f->u, "abe01", "anna", &err), 0);
	assert_int_equal(users_by_os(&u, f->u, "abe01", &err), 0);
	assert_string_equal(u.name, "anna");
	assert_int_equal(users_map_os(f->u, "abe01", "bo", &err), 0);
	assert_int_equal(users_by_os(&u, f->u, "abe01", &err), 0);
	assert_string_equal(u.name, "bo");
}

static void count_token(const token_info *t, void *ctx)
{
	char line[128];

	snprintf(line, sizeof(line), "%s:%s:", t->name, users_scope_name(t->scope));
	append(ctx, line, t->revoked_at ? "revoked " : "live ");
}

static void test_tokens_are_shown_once_and_kept_hashed(void **state)
{
	fixture *f = *state;
	char secret[USERS_SECRET_LEN + 1], other[USERS_SECRET_LEN + 1];
	char hex[DIGEST_HEX_LEN + 1], list[512] = "", *kept;
	token_info t;
	int64_t id;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(users_token_add(secret, &id, f->u, "sender-a", USERS_SCOPE_INTAKE, 50,
					 &err), 0);
	assert_int_equal(strlen(secret), USERS_SECRET_LEN);
	assert_int_equal(users_token_add(other, NULL, f->u, "prometheus", USERS_SCOPE_METRICS,
					 50, &err), 0);
	assert_string_not_equal(secret, other);
	assert_int_equal(users_token_add(other, NULL, f->u, "sender-a", USERS_SCOPE_API, 50,
					 &err), ULF_EEXISTS);
	assert_string_equal(other, "");
	ulf_err_clear(&err);
	assert_int_equal(users_token_add(other, NULL, f->u, "x", 0, 50, &err), ULF_EINVAL);
	ulf_err_clear(&err);

	/* the table holds the SHA-256, never the secret */
	kept = cell(f, "SELECT sha256 FROM api_tokens WHERE name = 'sender-a'");
	assert_int_equal(digest_sha256_hex(hex, secret, strlen(secret)), 0);
	assert_string_equal(kept, hex);
	free(kept);

	assert_int_equal(users_token_find(&t, f->u, secret, 60, &err), 0);
	assert_int_equal(t.id, id);
	assert_string_equal(t.name, "sender-a");
	assert_int_equal(t.scope, USERS_SCOPE_INTAKE);
	assert_int_equal(t.last_used_at, 60);
	assert_int_equal(users_token_find(&t, f->u, hex, 60, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_token_find(&t, f->u, NULL, 60, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_token_find(&t, f->u, "Bearer x", 60, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	secret[0] = secret[0] == 'a' ? 'b' : 'a';
	assert_int_equal(users_token_find(&t, f->u, secret, 60, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	secret[0] = secret[0] == 'a' ? 'b' : 'a';

	assert_int_equal(users_token_revoke(f->u, "sender-a", 70, &err), 0);
	assert_int_equal(users_token_find(&t, f->u, secret, 80, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_token_revoke(f->u, "sender-a", 70, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	/* the name is free again once revoked */
	assert_int_equal(users_token_add(other, NULL, f->u, "sender-a", USERS_SCOPE_API, 90,
					 &err), 0);
	assert_int_equal(users_token_list(f->u, count_token, list, &err), 0);
	assert_string_equal(list, "prometheus:metrics:live sender-a:intake:revoked "
			    "sender-a:api:live ");
	assert_int_equal(users_scope_parse("metrics"), USERS_SCOPE_METRICS);
	assert_int_equal(users_scope_parse("root"), 0);
	digest_cleanse(secret, sizeof(secret));
	digest_cleanse(other, sizeof(other));
}

static void test_sessions_are_found_by_a_secret_never_stored(void **state)
{
	fixture *f = *state;
	char sid[USERS_SECRET_LEN + 1], sid2[USERS_SECRET_LEN + 1];
	char hex[DIGEST_HEX_LEN + 1], *kept;
	session_info s;
	int64_t anna, bo, n;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(users_add(&anna, f->u, "anna", 1, "$h", 1, &err), 0);
	assert_int_equal(users_add(&bo, f->u, "bo", 1, "$h", 1, &err), 0);
	assert_int_equal(users_session_new(sid, &s, f->u, anna, 1000, &err), 0);
	assert_int_equal(strlen(sid), USERS_SECRET_LEN);
	assert_int_equal(s.user_id, anna);
	assert_int_equal(s.created_at, 1000);
	kept = cell(f, "SELECT key_sha256 FROM sessions");
	assert_int_equal(digest_sha256_hex(hex, sid, strlen(sid)), 0);
	assert_string_equal(kept, hex);
	free(kept);

	assert_int_equal(users_session_get(&s, f->u, sid, &err), 0);
	assert_int_equal(s.user_id, anna);
	assert_int_equal(s.last_seen, 1000);
	assert_int_equal(users_session_get(&s, f->u, hex, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_session_get(&s, f->u, "", &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_session_touch(f->u, sid, 1500, &err), 0);
	assert_int_equal(users_session_get(&s, f->u, sid, &err), 0);
	assert_int_equal(s.last_seen, 1500);

	assert_int_equal(users_session_delete(f->u, sid, &err), 0);
	assert_int_equal(users_session_get(&s, f->u, sid, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_session_delete(f->u, sid, &err), 0);
	assert_int_equal(users_session_delete(f->u, "junk", &err), 0);
	assert_int_equal(users_session_touch(f->u, sid, 1600, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);

	/* disabling a user, or changing the password, ends the user's sessions */
	assert_int_equal(users_session_new(sid, NULL, f->u, anna, 2000, &err), 0);
	assert_int_equal(users_session_new(sid2, NULL, f->u, bo, 2000, &err), 0);
	assert_int_equal(users_set_disabled(f->u, "anna", true, &err), 0);
	assert_int_equal(users_session_get(&s, f->u, sid, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(users_session_get(&s, f->u, sid2, &err), 0);
	/* a disabled user gets none */
	assert_int_equal(users_session_new(sid, NULL, f->u, anna, 2000, &err), ULF_ENOTFOUND);
	assert_string_equal(sid, "");
	ulf_err_clear(&err);
	assert_int_equal(users_set_password(f->u, "bo", "$h2", 2100, &err), 0);
	assert_int_equal(users_session_get(&s, f->u, sid2, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);

	/* expiry: idle or too old */
	assert_int_equal(users_session_new(sid, NULL, f->u, bo, 3000, &err), 0);
	assert_int_equal(users_session_new(sid2, NULL, f->u, bo, 5000, &err), 0);
	assert_int_equal(users_session_expire(&n, f->u, 4000, 0, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(users_session_get(&s, f->u, sid2, &err), 0);
	assert_int_equal(users_session_expire(&n, f->u, 0, 5001, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(users_session_new(sid, NULL, f->u, bo, 6000, &err), 0);
	assert_int_equal(users_session_delete_user(f->u, bo, &err), 0);
	assert_int_equal(users_session_get(&s, f->u, sid, &err), ULF_ENOTFOUND);
}

static void test_server_secret_is_made_once(void **state)
{
	fixture *f = *state;
	unsigned char a[32], b[32], c[32];
	users *again;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(users_secret(a, sizeof(a), f->u, "csrf", &err), 0);
	/* another process on the same store gets the same one */
	assert_int_equal(users_open(&again, store_db(f->t->s), &err), 0);
	assert_int_equal(users_secret(b, sizeof(b), again, "csrf", &err), 0);
	users_free(again);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(users_secret(c, sizeof(c), f->u, "other", &err), 0);
	assert_memory_not_equal(a, c, sizeof(a));
	assert_int_equal(users_secret(c, 16, f->u, "csrf", &err), ULF_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_users_add_get_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_logins_count_per_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_os_users_map_to_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens_are_shown_once_and_kept_hashed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sessions_are_found_by_a_secret_never_stored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_secret_is_made_once, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
