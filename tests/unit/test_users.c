/*
 * test_users.c - who may use the workbench, as the store keeps it: users
 * and their roles, password hashes and failed logins; operating-system
 * users mapped to ulf users; API tokens shown once and kept only hashed;
 * sessions found by a presented id that is never stored; and the audit
 * trail's hash chain, which finds a row changed or removed behind ulf's
 * back.  On SQLite, and on PostgreSQL when ULF_TEST_PG_CONNINFO is set.
 */
#include <pthread.h>
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

/* ---- the audit trail's chain ------------------------------------------- */

/* A document to act on (the audit trail refers to documents). */
static int64_t document(fixture *f)
{
	static int seq;
	char body[32];
	int64_t id;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	snprintf(body, sizeof(body), "<doc n=\"%d\"/>", ++seq);
	if (store_receive(&id, &dup, f->t->s, "inbox", "d.xml", body, strlen(body), 1, &err))
		fail_msg("receive: %s", err.msg);
	return id;
}

static void audit_rows(fixture *f, int n)
{
	char before[64], after[64];
	ulf_err err;
	int i;

	ulf_err_clear(&err);
	for (i = 1; i <= n; i++) {
		audit_entry e = {
			.doc_id = i % 3 ? document(f) : 0, .who = i % 2 ? "anna" : "bo", .user_id = i % 2,
			.action = "resolve", .detail = i % 4 ? "a note" : NULL, .at = 1700000000 + i,
			.before = before, .after = i % 5 ? after : NULL,
		};

		snprintf(before, sizeof(before), "{\"account\":\"%d\"}", 4000 + i);
		snprintf(after, sizeof(after), "{\"account\":\"%d\"}", 5000 + i);
		if (store_audit_entry(NULL, f->t->s, &e, &err))
			fail_msg("audit: %s", err.msg);
	}
}

static void verify(audit_report *r, fixture *f)
{
	ulf_err err;

	ulf_err_clear(&err);
	if (store_audit_verify(r, f->t->s, &err))
		fail_msg("verify: %s", err.msg);
}

/* Changes the trail behind ulf's back, as an attacker with the database
 * would: the guard dropped first. */
static void tamper(fixture *f, const char *sql)
{
	ulf_err err;

	ulf_err_clear(&err);
	if (db_exec_schema(store_db(f->t->s), "{drop_append_only:audit}", &err) ||
	    db_exec(store_db(f->t->s), sql, &err))
		fail_msg("tamper: %s", err.msg);
}

static void test_audit_chain_holds(void **state)
{
	fixture *f = *state;
	audit_report r;
	audit_entry e = { .who = "anna", .action = "user-add", .at = 5 };
	int64_t id;
	char *s;
	ulf_err err;

	verify(&r, f);
	assert_true(r.ok);
	assert_int_equal(r.rows, 0);
	audit_rows(f, 12);
	ulf_err_clear(&err);
	assert_int_equal(store_audit(f->t->s, document(f), "carl", "reject", "wrong buyer", 9,
				     &err), 0);
	assert_int_equal(store_audit_entry(&id, f->t->s, &e, &err), 0);
	assert_true(id > 0);
	e.who = "";
	assert_int_equal(store_audit_entry(NULL, f->t->s, &e, &err), ULF_EINVAL);
	verify(&r, f);
	assert_true(r.ok);
	assert_int_equal(r.rows, 14);
	assert_int_equal(r.last_id, id);
	assert_int_equal(strlen(r.last_hash), 64);
	s = cell(f, "SELECT after_json FROM audit WHERE id = (SELECT MIN(id) FROM audit)");
	assert_string_equal(s, "{\"account\":\"5001\"}");
	free(s);
	/* still append-only through the database */
	ulf_err_clear(&err);
	assert_int_not_equal(db_exec(store_db(f->t->s), "UPDATE audit SET who = 'eve'", &err), 0);
	assert_non_null(strstr(err.msg, "append-only"));
	/* and after reopening */
	store_close(f->t->s);
	ulf_err_clear(&err);
	assert_int_equal(store_open(&f->t->s, f->t->backend, f->t->path, &err), 0);
	users_free(f->u);
	assert_int_equal(users_open(&f->u, store_db(f->t->s), &err), 0);
	verify(&r, f);
	assert_true(r.ok);
	assert_int_equal(r.rows, 14);
}

static void test_audit_finds_a_changed_row(void **state)
{
	fixture *f = *state;
	audit_report r;
	char sql[128];
	int64_t third;
	char *s;

	audit_rows(f, 6);
	s = cell(f, "SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 2");
	third = strtoll(s, NULL, 10);
	free(s);
	snprintf(sql, sizeof(sql), "UPDATE audit SET who = 'eve' WHERE id = %lld",
		 (long long)third);
	tamper(f, sql);
	verify(&r, f);
	assert_false(r.ok);
	assert_int_equal(r.bad_id, third);
	assert_int_equal(r.rows, 2);
	assert_non_null(strstr(r.what, "was changed after it was written"));
	assert_non_null(strstr(r.what, "eve"));
}

static void test_audit_finds_a_changed_value_after(void **state)
{
	fixture *f = *state;
	audit_report r;

	audit_rows(f, 4);
	tamper(f, "UPDATE audit SET after_json = '{\"account\":\"6666\"}'"
		  " WHERE id = (SELECT MAX(id) FROM audit)");
	verify(&r, f);
	assert_false(r.ok);
	assert_int_equal(r.rows, 3);
	assert_non_null(strstr(r.what, "changed"));
}

static void test_audit_finds_a_deleted_row(void **state)
{
	fixture *f = *state;
	audit_report r;
	char sql[128];
	int64_t second, third;
	char *s;

	audit_rows(f, 5);
	s = cell(f, "SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 1");
	second = strtoll(s, NULL, 10);
	free(s);
	s = cell(f, "SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 2");
	third = strtoll(s, NULL, 10);
	free(s);
	snprintf(sql, sizeof(sql), "DELETE FROM audit WHERE id = %lld", (long long)second);
	tamper(f, sql);
	verify(&r, f);
	assert_false(r.ok);
	assert_int_equal(r.bad_id, third);
	assert_non_null(strstr(r.what, "was deleted"));
}

static void test_audit_finds_rows_cut_off_at_the_end(void **state)
{
	fixture *f = *state;
	audit_report r;

	audit_rows(f, 5);
	tamper(f, "DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)");
	verify(&r, f);
	assert_false(r.ok);
	assert_int_equal(r.bad_id, 0);
	assert_int_equal(r.rows, 4);
	assert_non_null(strstr(r.what, "rows at the end were deleted"));
}

static void test_audit_finds_a_row_slipped_in(void **state)
{
	fixture *f = *state;
	audit_report r;

	audit_rows(f, 3);
	tamper(f, "INSERT INTO audit (doc_id, at, who, action) VALUES (NULL, 5, 'eve', 'resolve')");
	verify(&r, f);
	assert_false(r.ok);
	assert_int_equal(r.rows, 3);
	assert_non_null(strstr(r.what, "no hash"));
}

/* An older store's rows get their chain when it is migrated: the trail is
 * taken back to what store.c made before audit.c (no chain, no columns)
 * and opened again. */
static void test_audit_chains_an_older_store(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->t->s);
	audit_report r;
	ulf_err err;
	char sql[1024];
	char *s;

	ulf_err_clear(&err);
	snprintf(sql, sizeof(sql), "{drop_append_only:audit}"
			   "ALTER TABLE audit DROP COLUMN user_id;"
			   "ALTER TABLE audit DROP COLUMN before_json;"
			   "ALTER TABLE audit DROP COLUMN after_json;"
			   "ALTER TABLE audit DROP COLUMN prev_hash;"
			   "ALTER TABLE audit DROP COLUMN hash;"
			   "DROP TABLE audit_head;"
			   "DELETE FROM schema_version WHERE module = 'audit';"
			   "INSERT INTO audit (doc_id, at, who, action, detail) VALUES"
			   " (%lld, 10, 'anna', 'resolve', 'ok'), (NULL, 11, 'bo', 'reject', NULL),"
			   " (%lld, 12, 'anna', 'retry', 'after import');"
			   "{append_only:audit}", (long long)document(f), (long long)document(f));
	if (db_exec_schema(d, sql, &err))
		fail_msg("back to the old schema: %s", err.msg);
	users_free(f->u);
	f->u = NULL;
	store_close(f->t->s);
	assert_int_equal(store_open(&f->t->s, f->t->backend, f->t->path, &err), 0);
	assert_int_equal(users_open(&f->u, store_db(f->t->s), &err), 0);
	verify(&r, f);
	assert_true(r.ok);
	assert_int_equal(r.rows, 3);
	s = cell(f, "SELECT COUNT(*) FROM audit WHERE hash IS NULL");
	assert_string_equal(s, "0");
	free(s);
	/* the guard is back, and new rows continue the chain */
	assert_int_not_equal(db_exec(store_db(f->t->s), "DELETE FROM audit", &err), 0);
	ulf_err_clear(&err);
	audit_rows(f, 2);
	verify(&r, f);
	assert_true(r.ok);
	assert_int_equal(r.rows, 5);
	tamper(f, "UPDATE audit SET detail = 'changed' WHERE at = 10");
	verify(&r, f);
	assert_false(r.ok);
	assert_int_equal(r.rows, 0);
}

/* Two writers on their own connections take turns on the chain's head:
 * the chain does not fork. */
struct writer {
	fixture *f;
	int n;
	int failed;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	store *s = NULL;
	ulf_err err;
	int i;

	ulf_err_clear(&err);
	if (store_open(&s, w->f->t->backend, w->f->t->path, &err)) {
		w->failed = 1;
		return NULL;
	}
	for (i = 0; i < w->n && !w->failed; i++) {
		audit_entry e = { .who = "anna", .action = "comment", .detail = "busy", .at = i };

		if (store_audit_entry(NULL, s, &e, &err))
			w->failed = 1;
	}
	store_close(s);
	return NULL;
}

static void test_audit_writers_take_turns(void **state)
{
	fixture *f = *state;
	struct writer w[2] = { { f, 40, 0 }, { f, 40, 0 } };
	pthread_t th[2];
	audit_report r;
	int i;

	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(w[0].failed + w[1].failed, 0);
	verify(&r, f);
	assert_true(r.ok);
	assert_int_equal(r.rows, 80);
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
		cmocka_unit_test_setup_teardown(test_audit_chain_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_finds_a_changed_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_finds_a_changed_value_after, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_audit_finds_a_deleted_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_finds_rows_cut_off_at_the_end, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_audit_finds_a_row_slipped_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chains_an_older_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_writers_take_turns, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
