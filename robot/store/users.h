/*
 * users.h - who may use the workbench and the API, as the store keeps it:
 * users with their roles and password hashes, the API's bearer tokens, and
 * the workbench's server-side sessions.
 *
 * Nothing secret is kept in a form that lets anyone in: passwords only as
 * argon2id hashes (core/passwd.h, made by the caller), API tokens and
 * session ids only as their SHA-256.  A copy of these tables opens no
 * session and passes no token.  Secrets handed out (a token, a session id)
 * are shown once, to the caller of the function that makes them.
 *
 * The rules - which role may do what, the login delay, the session
 * timeouts, CSRF tokens - are robot/web/auth.h's pure functions; this
 * module only keeps the facts they are applied to.  Roles are a bitmask
 * the store does not interpret (robot/store may not include robot/web):
 * the caller stores auth_roles in it, bit (1u << AUTH_ROLE_x).
 *
 * The tables (module "users" in schema_version) are on the store's
 * connection, in SQL both backends accept.  Every function is atomic on
 * its own.
 */
#ifndef ULF_USERS_H
#define ULF_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/passwd.h"
#include "robot/store/db.h"

typedef struct users users;

/* The longest user name (and operating-system user name, token name). */
#define USERS_NAME_MAX 64
/* Hex digits of an API token and of a session id: 256 random bits. */
#define USERS_SECRET_LEN 64

/* Creates or upgrades the tables on `d`.  `d` is borrowed and must
 * outlive the handle. */
int users_open(users **out, db *d, ulf_err *err);
void users_free(users *u);

/*
 * Whether `name` may be a user, token or operating-system user name:
 * 1..USERS_NAME_MAX bytes of letters, digits, '.', '_', '-' and '@',
 * not starting with '-'.  Names show up in the audit trail and on pages,
 * so they are kept plain.
 */
bool users_name_ok(const char *name);

/* ---- users ------------------------------------------------------------ */

typedef struct user_info {
	int64_t id;
	char name[USERS_NAME_MAX + 1];
	unsigned roles;              /* auth_roles: bit (1u << role) */
	bool disabled;
	char pw_hash[PASSWD_ENCODED_MAX];   /* argon2id, "" when none set */
	int64_t created_at;
	int64_t pw_changed_at;       /* 0: never */
} user_info;

/*
 * Adds a user with `roles` and the argon2id hash `pw_hash` (from
 * passwd_hash; NULL or "": no password yet, the user cannot log in with
 * one).  *out_id is the new user's id (out may be NULL).  ULF_EINVAL for
 * a bad name, ULF_EEXISTS when the name is taken.
 */
int users_add(int64_t *out_id, users *u, const char *name, unsigned roles,
	      const char *pw_hash, int64_t now, ulf_err *err);

/* The user named `name` / with id `id`; ULF_ENOTFOUND when there is none. */
int users_get(user_info *out, users *u, const char *name, ulf_err *err);
int users_get_id(user_info *out, users *u, int64_t id, ulf_err *err);

typedef void (*users_fn)(const user_info *user, void *ctx);

/* Calls fn for every user, by name.  The password hash is left empty. */
int users_list(users *u, users_fn fn, void *ctx, ulf_err *err);

/* Replaces a user's roles.  ULF_ENOTFOUND when there is no such user. */
int users_set_roles(users *u, const char *name, unsigned roles, ulf_err *err);

/*
 * Disables (or enables again) a user.  Disabling also ends every session
 * of the user, in the same transaction.  ULF_ENOTFOUND when there is no
 * such user.
 */
int users_set_disabled(users *u, const char *name, bool disabled, ulf_err *err);

/*
 * Sets a user's password hash (from passwd_hash) and ends the user's
 * sessions, in one transaction: a changed password logs out everywhere.
 * ULF_ENOTFOUND when there is no such user, ULF_EINVAL for an empty hash.
 */
int users_set_password(users *u, const char *name, const char *pw_hash, int64_t now,
		       ulf_err *err);

/* ---- failed logins ---------------------------------------------------- */

/*
 * Failed logins are counted per name tried, whether such a user exists or
 * not (so the delay does not tell which names exist; auth_login_wait turns
 * the count into a wait).  A success resets the count.  A name that is not
 * users_name_ok is ULF_EINVAL here: no user can have it, so the caller
 * refuses such a login at once.
 */

/* The failures in a row for `name` and the time of the last one; 0 and 0
 * when there are none. */
int users_login_failures(unsigned *out_failures, int64_t *out_last, users *u,
			 const char *name, ulf_err *err);

/*
 * Counts one more failed login for `name` at `now`; *out_failures (may be
 * NULL) is the count after it.  Counts older than a day are forgotten on
 * the way, so names tried at random do not pile up.
 */
int users_login_failed(unsigned *out_failures, users *u, const char *name, int64_t now,
		       ulf_err *err);

/* A successful login: the count for `name` starts again from 0. */
int users_login_ok(users *u, const char *name, ulf_err *err);

/* ---- operating-system users (the CLI) --------------------------------- */

/*
 * Maps the operating-system user `os_name` to the ulf user `name`, so that
 * a command run by that account (`ulf queue`) acts as that user.  Replaces
 * an earlier mapping of os_name.  ULF_ENOTFOUND when there is no such ulf
 * user, ULF_EINVAL for a bad name.
 */
int users_map_os(users *u, const char *os_name, const char *name, ulf_err *err);

/* The ulf user `os_name` is mapped to; ULF_ENOTFOUND when it is not. */
int users_by_os(user_info *out, users *u, const char *os_name, ulf_err *err);

/* ---- API tokens ------------------------------------------------------- */

/*
 * What a bearer token opens (the web server enforces it):
 *   intake   POST /documents and GET /documents/N (a sender's token)
 *   metrics  GET /metrics
 *   api      both of the above
 */
typedef enum users_scope {
	USERS_SCOPE_INTAKE = 1,
	USERS_SCOPE_METRICS,
	USERS_SCOPE_API
} users_scope;

/* "intake", "metrics", "api"; "?" otherwise. */
const char *users_scope_name(users_scope scope);
/* 0 when `name` is no scope. */
users_scope users_scope_parse(const char *name);

typedef struct token_info {
	int64_t id;
	char name[USERS_NAME_MAX + 1];
	users_scope scope;
	int64_t created_at;
	int64_t last_used_at;   /* 0: never; updated at most once a minute */
	int64_t revoked_at;     /* 0: live */
} token_info;

/*
 * Makes a token named `name` with `scope`: 256 random bits, returned once
 * in secret (USERS_SECRET_LEN hex digits and a NUL) and kept only as its
 * SHA-256.  *out_id (may be NULL) is its id.  ULF_EEXISTS when a live
 * token has that name, ULF_EINVAL for a bad name or scope.
 */
int users_token_add(char secret[USERS_SECRET_LEN + 1], int64_t *out_id, users *u,
		    const char *name, users_scope scope, int64_t now, ulf_err *err);

/*
 * The live token whose secret is `presented` (as received: may be NULL or
 * anything).  ULF_ENOTFOUND for a malformed, unknown or revoked token.
 * Marks it used at `now`.
 */
int users_token_find(token_info *out, users *u, const char *presented, int64_t now,
		     ulf_err *err);

typedef void (*users_token_fn)(const token_info *token, void *ctx);

/* Calls fn for every token, revoked ones too, by name and id. */
int users_token_list(users *u, users_token_fn fn, void *ctx, ulf_err *err);

/* Revokes the live token named `name` at `now`; ULF_ENOTFOUND when there
 * is none. */
int users_token_revoke(users *u, const char *name, int64_t now, ulf_err *err);

/* ---- sessions --------------------------------------------------------- */

typedef struct session_info {
	int64_t id;              /* the row's id, not the secret */
	int64_t user_id;
	int64_t created_at;
	int64_t last_seen;
} session_info;

/*
 * Opens a session for user `user_id` at `now`: a fresh session id (256
 * random bits, USERS_SECRET_LEN hex digits, the same shape as
 * robot/web/auth.h's) into id, for the cookie and nowhere else; the store
 * keeps its SHA-256 (auth_session_key).  *out (may be NULL) describes it.
 */
int users_session_new(char id[USERS_SECRET_LEN + 1], session_info *out, users *u,
		      int64_t user_id, int64_t now, ulf_err *err);

/*
 * The session whose id is `presented` (a cookie's value: may be NULL or
 * anything).  ULF_ENOTFOUND for a malformed or unknown id.  Whether it has
 * timed out is the caller's (auth_session_check), as is deleting it then.
 */
int users_session_get(session_info *out, users *u, const char *presented, ulf_err *err);

/* Records a request on the session at `now` (its idle timeout restarts).
 * ULF_ENOTFOUND when the session is gone. */
int users_session_touch(users *u, const char *presented, int64_t now, ulf_err *err);

/* Ends the session (logout).  A session that is not there is no error. */
int users_session_delete(users *u, const char *presented, ulf_err *err);

/* Ends every session of a user. */
int users_session_delete_user(users *u, int64_t user_id, ulf_err *err);

/*
 * Deletes the sessions last seen before `idle_before` or created before
 * `created_before` (now minus the idle and the absolute timeout);
 * *out_n (may be NULL) is how many.
 */
int users_session_expire(int64_t *out_n, users *u, int64_t idle_before,
			 int64_t created_before, ulf_err *err);

/* ---- server secrets --------------------------------------------------- */

/*
 * The server secret named `name` ("csrf"), DIGEST_TOKEN_BYTES random bytes
 * made the first time it is asked for and the same afterwards, for every
 * process on the store (`ulf run` and `ulf web` check each other's CSRF
 * tokens).  out must hold DIGEST_TOKEN_BYTES (32) bytes.
 */
int users_secret(unsigned char *out, size_t out_len, users *u, const char *name,
		 ulf_err *err);

#endif
