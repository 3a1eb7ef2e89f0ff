/*
 * users.c - users, failed logins, operating-system user mappings, API
 * tokens, sessions and server secrets in the store.  See users.h.
 *
 * Secrets never reach a table: a token or session id is hashed (SHA-256,
 * the same hex digest robot/web/auth.h's auth_session_key makes) before
 * any statement sees it, and passwords arrive already hashed (argon2id).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "robot/store/users.h"

struct users {
	db *d;
};

/* Version 1.  Names are unique where they must be: one user per name, one
 * live token per name (a revoked one keeps its row, for the record). */
static const char *const schema_v1 =
	"CREATE TABLE users ("
	" id {id}, name TEXT NOT NULL UNIQUE, roles INTEGER NOT NULL,"
	" disabled INTEGER NOT NULL DEFAULT 0, pw_hash TEXT NOT NULL DEFAULT '',"
	" created_at {int64} NOT NULL, pw_changed_at {int64} NOT NULL DEFAULT 0);"
	"CREATE TABLE login_failures ("
	" name TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_at {int64} NOT NULL);"
	"CREATE INDEX login_failures_at ON login_failures(last_at);"
	"CREATE TABLE os_users ("
	" os_name TEXT PRIMARY KEY, user_id {int64} NOT NULL REFERENCES users(id));"
	"CREATE TABLE api_tokens ("
	" id {id}, name TEXT NOT NULL, scope TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,"
	" created_at {int64} NOT NULL, last_used_at {int64} NOT NULL DEFAULT 0,"
	" revoked_at {int64} NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX api_tokens_live ON api_tokens(name) WHERE revoked_at = 0;"
	"CREATE TABLE sessions ("
	" id {id}, key_sha256 TEXT NOT NULL UNIQUE,"
	" user_id {int64} NOT NULL REFERENCES users(id),"
	" created_at {int64} NOT NULL, last_seen {int64} NOT NULL);"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_seen ON sessions(last_seen);"
	"CREATE TABLE server_secrets (name TEXT PRIMARY KEY, secret {blob} NOT NULL);";

/* A failed-login count older than this is forgotten (s): far past the
 * longest delay, short enough that random names do not pile up. */
#define FAILURE_MEMORY (24 * 3600)

/* How stale a token's last_used_at may get before it is written again (s):
 * a busy sender does not turn every request into a write. */
#define TOKEN_USE_GRAIN 60

int users_open(users **out, db *d, ulf_err *err)
{
	const char *const steps[] = { schema_v1 };
	users *u;
	int rc;

	*out = NULL;
	rc = db_migrate(d, "users", steps, sizeof(steps) / sizeof(steps[0]), err);
	if (rc)
		return rc;
	u = calloc(1, sizeof(*u));
	if (!u)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	u->d = d;
	*out = u;
	return 0;
}

void users_free(users *u)
{
	free(u);
}

bool users_name_ok(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '-')
		return false;
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i >= USERS_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@'))
			return false;
	}
	return true;
}

static int check_name(const char *name, const char *what, ulf_err *err)
{
	if (users_name_ok(name))
		return 0;
	return ulf_err_set(err, ULF_EINVAL, "%s: not a valid name (1-%d letters, digits,"
			   " '.', '_', '-', '@')", what, USERS_NAME_MAX);
}

/* The SHA-256 a presented secret is kept and found by; ULF_ENOTFOUND when
 * it has not the shape of one (nothing of that shape was ever made). */
static int secret_key(char key[DIGEST_HEX_LEN + 1], const char *presented,
		      const char *what, ulf_err *err)
{
	size_t i;

	key[0] = '\0';
	for (i = 0; presented && presented[i]; i++) {
		char c = presented[i];

		if (i >= USERS_SECRET_LEN || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
	}
	if (!presented || i != USERS_SECRET_LEN || presented[i])
		return ulf_err_set(err, ULF_ENOTFOUND, "no such %s", what);
	if (digest_sha256_hex(key, presented, USERS_SECRET_LEN))
		return ulf_err_set(err, ULF_ERROR, "%s: SHA-256 failed", what);
	return 0;
}

/*
 * The row `sql` finds by a secret's hash `key` (bound to its one '?'; the
 * row's own hash is column hash_col): looked up through the index, then
 * compared in constant time, so that what the timing could tell is about
 * the hash, not the secret.  fn takes the row found.  0 with *out_found
 * set, or negative.
 */
static int find_by_key(bool *out_found, users *u, const char *sql, const char *key,
		       int hash_col, db_row_fn fn, void *ctx, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out_found = false;
	rc = db_prepare(&st, u->d, sql, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(key));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		*out_found = digest_token_equal(db_col_text(st, hash_col), key);
		rc = *out_found ? fn(st, ctx, err) : 0;
	}
	db_finalize(st);
	return rc;
}

static void copy_text(char *out, size_t n, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	snprintf(out, n, "%s", s ? s : "");
}

/* ---- users ------------------------------------------------------------ */

#define USER_COLS "id, name, roles, disabled, pw_hash, created_at, pw_changed_at"

static void user_fill(user_info *out, db_stmt *st, bool with_hash)
{
	memset(out, 0, sizeof(*out));
	out->id = db_col_int(st, 0);
	copy_text(out->name, sizeof(out->name), st, 1);
	out->roles = (unsigned)db_col_int(st, 2);
	out->disabled = db_col_int(st, 3) != 0;
	if (with_hash)
		copy_text(out->pw_hash, sizeof(out->pw_hash), st, 4);
	out->created_at = db_col_int(st, 5);
	out->pw_changed_at = db_col_int(st, 6);
}

int users_add(int64_t *out_id, users *u, const char *name, unsigned roles,
	      const char *pw_hash, int64_t now, ulf_err *err)
{
	db_stmt *st = NULL;
	ulf_err scratch;
	int rc;

	if (out_id)
		*out_id = 0;
	rc = check_name(name, "user", err);
	if (rc)
		return rc;
	if (pw_hash && strlen(pw_hash) >= PASSWD_ENCODED_MAX)
		return ulf_err_set(err, ULF_EINVAL, "user %s: password hash too long", name);
	rc = db_prepare(&st, u->d, "INSERT INTO users (name, roles, pw_hash, created_at,"
			" pw_changed_at) VALUES (?, ?, ?, ?, ?) RETURNING id", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(name), DBV_INT((int64_t)roles),
			 DBV_TEXT(pw_hash ? pw_hash : ""), DBV_INT(now),
			 DBV_INT(pw_hash && *pw_hash ? now : 0));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	ulf_err_clear(&scratch);
	rc = db_step(st, &scratch);
	if (rc == 1) {
		if (out_id)
			*out_id = db_col_int(st, 0);
		rc = 0;
	} else if (rc < 0 && db_is_conflict(u->d)) {
		rc = ulf_err_set(err, ULF_EEXISTS, "user %s exists already", name);
	} else {
		rc = ulf_err_set(err, rc ? rc : ULF_ESTORE, "user %s: %s", name,
				 rc ? scratch.msg : "insert returned no id");
	}
	db_finalize(st);
	return rc;
}

static int user_get(user_info *out, users *u, const char *sql, const char *name,
		    int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_prepare(&st, u->d, sql, err);
	if (rc)
		return rc;
	if (name)
		rc = db_bind_row(st, err, DBV_TEXT(name));
	else
		rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		user_fill(out, st, true);
		rc = 0;
	} else if (rc == 0) {
		if (name)
			rc = ulf_err_set(err, ULF_ENOTFOUND, "no user %s", name);
		else
			rc = ulf_err_set(err, ULF_ENOTFOUND, "no user with id %lld",
					 (long long)id);
	}
	db_finalize(st);
	return rc;
}

int users_get(user_info *out, users *u, const char *name, ulf_err *err)
{
	if (!users_name_ok(name)) {
		memset(out, 0, sizeof(*out));
		return ulf_err_set(err, ULF_ENOTFOUND, "no such user");
	}
	return user_get(out, u, "SELECT " USER_COLS " FROM users WHERE name = ?", name, 0, err);
}

int users_get_id(user_info *out, users *u, int64_t id, ulf_err *err)
{
	return user_get(out, u, "SELECT " USER_COLS " FROM users WHERE id = ?", NULL, id, err);
}

/* users_list's caller. */
struct user_rows {
	users_fn fn;
	void *ctx;
};

static int user_row(db_stmt *st, void *ctx, ulf_err *err)
{
	const struct user_rows *r = ctx;
	user_info info;

	(void)err;
	user_fill(&info, st, false);
	r->fn(&info, r->ctx);
	return 0;
}

int users_list(users *u, users_fn fn, void *ctx, ulf_err *err)
{
	struct user_rows r = { fn, ctx };
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, u->d, "SELECT " USER_COLS " FROM users ORDER BY name", err);
	if (rc)
		return rc;
	rc = db_each(st, user_row, &r, err);
	db_finalize(st);
	return rc;
}

/* Runs an UPDATE of one user found by name (the last parameter, at
 * `name_idx`), already bound otherwise; ULF_ENOTFOUND when none. */
static int update_user(db *d, db_stmt *st, int name_idx, const char *name, ulf_err *err)
{
	int rc;

	rc = db_bind_text(st, name_idx, name);
	if (rc) {
		db_finalize(st);
		return ulf_err_set(err, rc, "cannot bind parameter %d", name_idx);
	}
	rc = db_run(st, err);
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "no user %s", name);
	return 0;
}

int users_set_roles(users *u, const char *name, unsigned roles, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = check_name(name, "user", err);
	if (rc)
		return rc;
	rc = db_prepare(&st, u->d, "UPDATE users SET roles = ? WHERE name = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT((int64_t)roles));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return update_user(u->d, st, 2, name, err);
}

/* What a change of a user that ends the user's sessions changes. */
struct user_change {
	const char *name;
	bool password;           /* else: disabled */
	bool disabled;
	const char *pw_hash;
	int64_t now;
};

static int end_sessions_of(db *d, const char *name, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d, "DELETE FROM sessions WHERE user_id IN"
			" (SELECT id FROM users WHERE name = ?)", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(name));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

static int user_change_tx(db *d, void *ctx, ulf_err *err)
{
	const struct user_change *c = ctx;
	db_stmt *st = NULL;
	int rc;

	if (c->password) {
		rc = db_prepare(&st, d, "UPDATE users SET pw_hash = ?, pw_changed_at = ?"
				" WHERE name = ?", err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_TEXT(c->pw_hash), DBV_INT(c->now));
		if (rc)
			db_finalize(st);
		else
			rc = update_user(d, st, 3, c->name, err);
	} else {
		rc = db_prepare(&st, d, "UPDATE users SET disabled = ? WHERE name = ?", err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_INT(c->disabled ? 1 : 0));
		if (rc)
			db_finalize(st);
		else
			rc = update_user(d, st, 2, c->name, err);
	}
	if (rc)
		return rc;
	if (c->password || c->disabled)
		rc = end_sessions_of(d, c->name, err);
	return rc;
}

int users_set_disabled(users *u, const char *name, bool disabled, ulf_err *err)
{
	struct user_change c = { .name = name, .disabled = disabled };
	int rc = check_name(name, "user", err);

	return rc ? rc : db_tx(u->d, user_change_tx, &c, err);
}

int users_set_password(users *u, const char *name, const char *pw_hash, int64_t now,
		       ulf_err *err)
{
	struct user_change c = { .name = name, .password = true, .pw_hash = pw_hash,
				 .now = now };
	int rc = check_name(name, "user", err);

	if (rc)
		return rc;
	if (!pw_hash || !*pw_hash || strlen(pw_hash) >= PASSWD_ENCODED_MAX)
		return ulf_err_set(err, ULF_EINVAL, "user %s: no usable password hash", name);
	return db_tx(u->d, user_change_tx, &c, err);
}

/* ---- failed logins ---------------------------------------------------- */

int users_login_failures(unsigned *out_failures, int64_t *out_last, users *u,
			 const char *name, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out_failures = 0;
	*out_last = 0;
	rc = check_name(name, "login", err);
	if (rc)
		return rc;
	rc = db_prepare(&st, u->d, "SELECT failures, last_at FROM login_failures"
			" WHERE name = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(name));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		*out_failures = (unsigned)db_col_int(st, 0);
		*out_last = db_col_int(st, 1);
	}
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* What users_login_failed's transaction counts. */
struct failure {
	const char *name;
	int64_t now;
	unsigned failures;
};

static int login_failed_tx(db *d, void *ctx, ulf_err *err)
{
	struct failure *f = ctx;
	db_stmt *st = NULL;
	int rc;

	rc = db_exec_row(d, err, "DELETE FROM login_failures WHERE last_at < ?",
			 DBV_INT(f->now - FAILURE_MEMORY));
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO login_failures (name, failures, last_at)"
			" VALUES (?, 1, ?) ON CONFLICT (name) DO UPDATE SET"
			" failures = login_failures.failures + 1, last_at = excluded.last_at"
			" RETURNING failures", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(f->name), DBV_INT(f->now));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		f->failures = (unsigned)db_col_int(st, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = ulf_err_set(err, ULF_ESTORE, "login failure not counted");
	}
	db_finalize(st);
	return rc;
}

int users_login_failed(unsigned *out_failures, users *u, const char *name, int64_t now,
		       ulf_err *err)
{
	struct failure f = { name, now, 0 };
	int rc;

	if (out_failures)
		*out_failures = 0;
	rc = check_name(name, "login", err);
	if (rc)
		return rc;
	rc = db_tx(u->d, login_failed_tx, &f, err);
	if (rc == 0 && out_failures)
		*out_failures = f.failures;
	return rc;
}

int users_login_ok(users *u, const char *name, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = check_name(name, "login", err);
	if (rc)
		return rc;
	rc = db_prepare(&st, u->d, "DELETE FROM login_failures WHERE name = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(name));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* ---- operating-system users ------------------------------------------- */

int users_map_os(users *u, const char *os_name, const char *name, ulf_err *err)
{
	db_stmt *st = NULL;
	user_info who;
	int rc;

	rc = check_name(os_name, "operating-system user", err);
	if (rc)
		return rc;
	rc = check_name(name, "user", err);
	if (rc)
		return rc;
	rc = users_get(&who, u, name, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, u->d, "INSERT INTO os_users (os_name, user_id) VALUES (?, ?)"
			" ON CONFLICT (os_name) DO UPDATE SET user_id = excluded.user_id", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(os_name), DBV_INT(who.id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int users_by_os(user_info *out, users *u, const char *os_name, ulf_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!users_name_ok(os_name))
		return ulf_err_set(err, ULF_ENOTFOUND, "operating-system user is not mapped");
	return user_get(out, u, "SELECT u.id, u.name, u.roles, u.disabled, u.pw_hash,"
			" u.created_at, u.pw_changed_at FROM os_users o"
			" JOIN users u ON u.id = o.user_id WHERE o.os_name = ?", os_name, 0, err);
}

/* ---- API tokens ------------------------------------------------------- */

static const char *const scope_names[] = {
	[USERS_SCOPE_INTAKE] = "intake",
	[USERS_SCOPE_METRICS] = "metrics",
	[USERS_SCOPE_API] = "api",
};

#define SCOPE_COUNT (sizeof(scope_names) / sizeof(scope_names[0]))

const char *users_scope_name(users_scope scope)
{
	return (size_t)scope > 0 && (size_t)scope < SCOPE_COUNT ? scope_names[scope] : "?";
}

users_scope users_scope_parse(const char *name)
{
	size_t i;

	for (i = 1; name && i < SCOPE_COUNT; i++)
		if (strcmp(scope_names[i], name) == 0)
			return (users_scope)i;
	return 0;
}

#define TOKEN_COLS "id, name, scope, created_at, last_used_at, revoked_at"

static void token_fill(token_info *out, db_stmt *st)
{
	memset(out, 0, sizeof(*out));
	out->id = db_col_int(st, 0);
	copy_text(out->name, sizeof(out->name), st, 1);
	out->scope = users_scope_parse(db_col_text(st, 2));
	out->created_at = db_col_int(st, 3);
	out->last_used_at = db_col_int(st, 4);
	out->revoked_at = db_col_int(st, 5);
}

/* find_by_key's row into the token_info ctx. */
static int token_take(db_stmt *st, void *ctx, ulf_err *err)
{
	(void)err;
	token_fill(ctx, st);
	return 0;
}

int users_token_add(char secret[USERS_SECRET_LEN + 1], int64_t *out_id, users *u,
		    const char *name, users_scope scope, int64_t now, ulf_err *err)
{
	char key[DIGEST_HEX_LEN + 1];
	db_stmt *st = NULL;
	ulf_err scratch;
	int rc;

	secret[0] = '\0';
	if (out_id)
		*out_id = 0;
	rc = check_name(name, "token", err);
	if (rc)
		return rc;
	if (!strcmp(users_scope_name(scope), "?"))
		return ulf_err_set(err, ULF_EINVAL, "token %s: unknown scope", name);
	rc = digest_token_hex(secret, USERS_SECRET_LEN + 1, DIGEST_TOKEN_BYTES, err);
	if (rc)
		goto out;
	rc = secret_key(key, secret, "token", err);
	if (rc)
		goto out;
	rc = db_prepare(&st, u->d, "INSERT INTO api_tokens (name, scope, sha256, created_at)"
			" VALUES (?, ?, ?, ?) RETURNING id", err);
	if (rc)
		goto out;
	rc = db_bind_row(st, err, DBV_TEXT(name), DBV_TEXT(users_scope_name(scope)),
			 DBV_TEXT(key), DBV_INT(now));
	if (rc) {
		db_finalize(st);
		goto out;
	}
	ulf_err_clear(&scratch);
	rc = db_step(st, &scratch);
	if (rc == 1) {
		if (out_id)
			*out_id = db_col_int(st, 0);
		rc = 0;
	} else if (rc < 0 && db_is_conflict(u->d)) {
		rc = ulf_err_set(err, ULF_EEXISTS, "token %s exists already (revoke it first)",
				 name);
	} else {
		rc = ulf_err_set(err, rc ? rc : ULF_ESTORE, "token %s: %s", name,
				 rc ? scratch.msg : "insert returned no id");
	}
	db_finalize(st);
out:
	if (rc)
		digest_cleanse(secret, USERS_SECRET_LEN + 1);
	return rc;
}

int users_token_find(token_info *out, users *u, const char *presented, int64_t now,
		     ulf_err *err)
{
	char key[DIGEST_HEX_LEN + 1];
	db_stmt *st = NULL;
	bool found;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = secret_key(key, presented, "token", err);
	if (rc)
		return rc;
	rc = find_by_key(&found, u, "SELECT " TOKEN_COLS ", sha256 FROM api_tokens"
			 " WHERE sha256 = ? AND revoked_at = 0", key, 6, token_take, out, err);
	if (rc)
		return rc;
	if (!found)
		return ulf_err_set(err, ULF_ENOTFOUND, "no such token");
	if (now - out->last_used_at < TOKEN_USE_GRAIN)
		return 0;
	rc = db_prepare(&st, u->d, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(now), DBV_INT(out->id));
	if (rc == 0)
		rc = db_run(st, err);
	else
		db_finalize(st);
	if (rc == 0)
		out->last_used_at = now;
	return rc;
}

/* users_token_list's caller. */
struct token_rows {
	users_token_fn fn;
	void *ctx;
};

static int token_row(db_stmt *st, void *ctx, ulf_err *err)
{
	const struct token_rows *r = ctx;
	token_info info;

	(void)err;
	token_fill(&info, st);
	r->fn(&info, r->ctx);
	return 0;
}

int users_token_list(users *u, users_token_fn fn, void *ctx, ulf_err *err)
{
	struct token_rows r = { fn, ctx };
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, u->d, "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY name, id",
			err);
	if (rc)
		return rc;
	rc = db_each(st, token_row, &r, err);
	db_finalize(st);
	return rc;
}

int users_token_revoke(users *u, const char *name, int64_t now, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = check_name(name, "token", err);
	if (rc)
		return rc;
	rc = db_prepare(&st, u->d, "UPDATE api_tokens SET revoked_at = ?"
			" WHERE name = ? AND revoked_at = 0", err);
	if (rc)
		return rc;
	/* a revocation at time 0 would read as live */
	rc = db_bind_row(st, err, DBV_INT(now > 0 ? now : 1), DBV_TEXT(name));
	if (rc == 0)
		rc = db_run(st, err);
	else
		db_finalize(st);
	if (rc)
		return rc;
	if (db_changes(u->d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "no live token %s", name);
	return 0;
}

/* ---- sessions --------------------------------------------------------- */

#define SESSION_COLS "id, user_id, created_at, last_seen"

static void session_fill(session_info *out, db_stmt *st)
{
	out->id = db_col_int(st, 0);
	out->user_id = db_col_int(st, 1);
	out->created_at = db_col_int(st, 2);
	out->last_seen = db_col_int(st, 3);
}

/* find_by_key's row into the session_info ctx. */
static int session_take(db_stmt *st, void *ctx, ulf_err *err)
{
	(void)err;
	session_fill(ctx, st);
	return 0;
}

/* What users_session_new's transaction opens. */
struct session_new {
	const char *key;
	int64_t user_id, now;
	session_info info;
};

static int session_new_tx(db *d, void *ctx, ulf_err *err)
{
	struct session_new *s = ctx;
	db_stmt *st = NULL;
	int rc;

	/* only a user who may log in gets a session, whatever the caller checked */
	rc = db_prepare(&st, d, "INSERT INTO sessions (key_sha256, user_id, created_at,"
			" last_seen) SELECT ?, id, ?, ? FROM users WHERE id = ? AND disabled = 0"
			" RETURNING " SESSION_COLS, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(s->key), DBV_INT(s->now), DBV_INT(s->now),
			 DBV_INT(s->user_id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		session_fill(&s->info, st);
		rc = 0;
	} else if (rc == 0) {
		rc = ulf_err_set(err, ULF_ENOTFOUND, "no enabled user with id %lld",
				 (long long)s->user_id);
	}
	db_finalize(st);
	return rc;
}

int users_session_new(char id[USERS_SECRET_LEN + 1], session_info *out, users *u,
		      int64_t user_id, int64_t now, ulf_err *err)
{
	char key[DIGEST_HEX_LEN + 1];
	struct session_new s = { .key = key, .user_id = user_id, .now = now };
	int rc;

	id[0] = '\0';
	if (out)
		memset(out, 0, sizeof(*out));
	rc = digest_token_hex(id, USERS_SECRET_LEN + 1, DIGEST_TOKEN_BYTES, err);
	if (rc == 0)
		rc = secret_key(key, id, "session", err);
	if (rc == 0)
		rc = db_tx(u->d, session_new_tx, &s, err);
	if (rc) {
		digest_cleanse(id, USERS_SECRET_LEN + 1);
		return rc;
	}
	if (out)
		*out = s.info;
	return 0;
}

int users_session_get(session_info *out, users *u, const char *presented, ulf_err *err)
{
	char key[DIGEST_HEX_LEN + 1];
	bool found;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = secret_key(key, presented, "session", err);
	if (rc)
		return rc;
	rc = find_by_key(&found, u, "SELECT " SESSION_COLS ", key_sha256 FROM sessions"
			 " WHERE key_sha256 = ?", key, 4, session_take, out, err);
	if (rc)
		return rc;
	return found ? 0 : ulf_err_set(err, ULF_ENOTFOUND, "no such session");
}

/* Runs `sql`, whose only parameter(s) before the key are `now` (when
 * with_now), on the session `presented`; *out_changes is how many rows. */
static int session_write(int64_t *out_changes, users *u, const char *sql,
			 const char *presented, bool with_now, int64_t now, ulf_err *err)
{
	char key[DIGEST_HEX_LEN + 1];
	db_stmt *st = NULL;
	int rc;

	*out_changes = 0;
	rc = secret_key(key, presented, "session", err);
	if (rc)
		return rc;
	rc = db_prepare(&st, u->d, sql, err);
	if (rc)
		return rc;
	if (with_now)
		rc = db_bind_row(st, err, DBV_INT(now), DBV_TEXT(key));
	else
		rc = db_bind_row(st, err, DBV_TEXT(key));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	rc = db_run(st, err);
	if (rc == 0)
		*out_changes = db_changes(u->d);
	return rc;
}

int users_session_touch(users *u, const char *presented, int64_t now, ulf_err *err)
{
	int64_t n;
	int rc = session_write(&n, u, "UPDATE sessions SET last_seen = ? WHERE key_sha256 = ?",
			       presented, true, now, err);

	if (rc)
		return rc;
	return n == 1 ? 0 : ulf_err_set(err, ULF_ENOTFOUND, "no such session");
}

int users_session_delete(users *u, const char *presented, ulf_err *err)
{
	ulf_err scratch;
	int64_t n;
	int rc;

	/* a malformed id names no session: nothing to end */
	ulf_err_clear(&scratch);
	rc = session_write(&n, u, "DELETE FROM sessions WHERE key_sha256 = ?", presented,
			   false, 0, &scratch);
	if (rc == ULF_ENOTFOUND)
		return 0;
	if (rc)
		return ulf_err_set(err, rc, "%s", scratch.msg);
	return 0;
}

int users_session_delete_user(users *u, int64_t user_id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, u->d, "DELETE FROM sessions WHERE user_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(user_id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int users_session_expire(int64_t *out_n, users *u, int64_t idle_before,
			 int64_t created_before, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	if (out_n)
		*out_n = 0;
	rc = db_prepare(&st, u->d, "DELETE FROM sessions WHERE last_seen < ?"
			" OR created_at < ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(idle_before), DBV_INT(created_before));
	if (rc == 0)
		rc = db_run(st, err);
	else
		db_finalize(st);
	if (rc == 0 && out_n)
		*out_n = db_changes(u->d);
	return rc;
}

/* ---- server secrets --------------------------------------------------- */

/* What users_secret's transaction finds or makes. */
struct secret {
	const char *name;
	unsigned char fresh[DIGEST_TOKEN_BYTES];
	unsigned char *out;
};

static int secret_tx(db *d, void *ctx, ulf_err *err)
{
	struct secret *s = ctx;
	db_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	/* the first process to ask makes it; the others take that one */
	rc = db_exec_row(d, err, "INSERT INTO server_secrets (name, secret) VALUES (?, ?)"
			" ON CONFLICT (name) DO NOTHING",
			 DBV_TEXT(s->name), DBV_BLOB(s->fresh, sizeof(s->fresh)));
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "SELECT secret FROM server_secrets WHERE name = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(s->name));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		p = db_col_blob(st, 0, &n);
		if (n == DIGEST_TOKEN_BYTES) {
			memcpy(s->out, p, n);
			rc = 0;
		} else {
			rc = ulf_err_set(err, ULF_ESTORE, "server secret %s is damaged", s->name);
		}
	} else if (rc == 0) {
		rc = ulf_err_set(err, ULF_ESTORE, "server secret %s not kept", s->name);
	}
	db_finalize(st);
	return rc;
}

int users_secret(unsigned char *out, size_t out_len, users *u, const char *name,
		 ulf_err *err)
{
	struct secret s = { .name = name, .out = out };
	int rc;

	if (out_len < DIGEST_TOKEN_BYTES)
		return ulf_err_set(err, ULF_EINVAL, "server secret: buffer too small");
	rc = check_name(name, "server secret", err);
	if (rc)
		return rc;
	rc = digest_random(s.fresh, sizeof(s.fresh), err);
	if (rc == 0)
		rc = db_tx(u->d, secret_tx, &s, err);
	digest_cleanse(s.fresh, sizeof(s.fresh));
	if (rc)
		digest_cleanse(out, out_len);
	return rc;
}
