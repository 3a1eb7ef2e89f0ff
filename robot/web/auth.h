/*
 * auth.h - the rules of the workbench's logins and sessions, as pure
 * functions: no I/O, no store, no clock (times are passed in, in seconds
 * since the epoch), so each rule is tested alone and the HTTP side only
 * has to apply them.
 *
 *   - roles and the permission table: which role may do what;
 *   - session ids (256 random bits, 64 hex digits) and the key the store
 *     keeps for one (its SHA-256: a copy of the table opens no session);
 *   - CSRF tokens: HMAC-SHA256 of the session id under a server secret,
 *     checked in constant time;
 *   - the failed-login delay: after five failures for a user, a delay
 *     that doubles with each further failure, up to a cap;
 *   - session timeouts: idle and absolute.
 *
 * The random bytes, HMAC and constant-time comparison are core/digest's.
 */
#ifndef ULF_WEB_AUTH_H
#define ULF_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* ---- roles and permissions -------------------------------------------- */

typedef enum auth_role {
	AUTH_ROLE_HANDLER,        /* works the exception queue */
	AUTH_ROLE_CARE_HANDLER,   /* a handler who may also see patient identities */
	AUTH_ROLE_CONTROLLER,     /* follows up: dashboard and audit trail, read only */
	AUTH_ROLE_ADMIN,          /* users, roles and API tokens */
	AUTH_ROLE_COUNT
} auth_role;

/* A user's roles, a set: bit (1u << role).  Bits past the roles above
 * grant nothing. */
typedef unsigned auth_roles;
#define AUTH_ROLE_BIT(r) (1u << (r))

typedef enum auth_perm {
	AUTH_QUEUE_VIEW,    /* see the exception queue and its documents, patient identities masked */
	AUTH_QUEUE_ACT,     /* act on a document: approve, reject, correct, assign, comment */
	AUTH_UNMASK,        /* see patient identities in care claims unmasked */
	AUTH_DASHBOARD,     /* the dashboard: volumes, ages, rates */
	AUTH_AUDIT_VIEW,    /* read the audit trail */
	AUTH_USERS,         /* manage users, their roles, and API tokens */
	AUTH_PERM_COUNT
} auth_perm;

/*
 * Whether a user with `roles` may do `perm`: the union of what each of
 * the roles allows.  The table (docs/workbench.md):
 *
 *                  handler  care_handler  controller  admin
 *   queue_view        x          x            x
 *   queue_act         x          x
 *   unmask                       x
 *   dashboard                                 x         x
 *   audit_view                                x         x
 *   users                                               x
 *
 * No role has everything: an administrator manages users but does not
 * handle invoices or see patients, a controller looks but does not act.
 * A person who must do both holds both roles, which the audit trail shows.
 */
bool auth_allows(auth_roles roles, auth_perm perm);

/* "handler", "care_handler", "controller", "admin"; "?" for no role. */
const char *auth_role_name(auth_role role);
/* "queue_view", "queue_act", "unmask", "dashboard", "audit_view", "users". */
const char *auth_perm_name(auth_perm perm);

/* The role named `name` (as auth_role_name writes it).  Returns 0 or
 * ULF_EINVAL. */
int auth_role_parse(auth_role *out, const char *name, ulf_err *err);

/* A comma-separated list of role names ("handler,controller"; white space
 * around names allowed, at least one name) as a set.  Returns 0 or
 * ULF_EINVAL naming the unknown role. */
int auth_roles_parse(auth_roles *out, const char *list, ulf_err *err);

/* ---- session ids and CSRF tokens -------------------------------------- */

/* Hex digits of a session id, a session key and a CSRF token. */
#define AUTH_TOKEN_LEN 64
/* The shortest server secret CSRF tokens are made with, in bytes. */
#define AUTH_SECRET_MIN 32

/* Whether s has the shape of a session id or CSRF token: exactly
 * AUTH_TOKEN_LEN lower-case hex digits.  For checking a cookie or form
 * field before anything else is done with it. */
bool auth_token_ok(const char *s);

/* A fresh session id: 256 bits from OpenSSL's generator, as hex.  Goes to
 * the browser in the session cookie and nowhere else.  Returns 0 or
 * ULF_ERROR. */
int auth_session_id_new(char out[AUTH_TOKEN_LEN + 1], ulf_err *err);

/* What the store keeps to find a session: the SHA-256 of its id, so a
 * copy of the sessions table does not let anyone in.  Returns 0, or
 * ULF_EINVAL when session_id is not auth_token_ok. */
int auth_session_key(char out[AUTH_TOKEN_LEN + 1], const char *session_id, ulf_err *err);

/*
 * The CSRF token of a session: hex HMAC-SHA256 under the server secret
 * (at least AUTH_SECRET_MIN random bytes, kept by the server) of a label
 * and the session id.  Every form and state-changing request carries it;
 * a page of another site cannot, since it knows neither the session id
 * (an HttpOnly cookie) nor the secret.  Nothing is stored per token.
 * Returns 0, or ULF_EINVAL for a short secret or a malformed session id.
 */
int auth_csrf_token(char out[AUTH_TOKEN_LEN + 1], const unsigned char *secret,
		    size_t secret_len, const char *session_id, ulf_err *err);

/* Whether `token` (as received, may be NULL or anything) is the CSRF token
 * of session_id, compared in constant time.  False for a short secret or a
 * malformed session id. */
bool auth_csrf_check(const char *token, const unsigned char *secret,
		     size_t secret_len, const char *session_id);

/* ---- policy: failed logins and session timeouts ----------------------- */

typedef struct auth_policy {
	int64_t idle_timeout;       /* s without a request before a session ends */
	int64_t absolute_timeout;   /* s after login that a session ends anyway */
	unsigned free_failures;     /* failed logins in a row before any delay */
	int64_t first_delay;        /* s of delay after the free_failures-th failure */
	int64_t max_delay;          /* s; the delay doubles up to this */
} auth_policy;

/* 30 minutes idle, 8 hours absolute (a working day, OWASP's upper bound);
 * five free failures, then 30 s, 60 s, 120 s ... up to 15 minutes. */
#define AUTH_POLICY_DEFAULT { 30 * 60, 8 * 3600, 5, 30, 15 * 60 }

/*
 * The delay after `failures` failed logins in a row for one user name:
 * 0 below policy->free_failures, then first_delay doubling with each
 * further failure, never over max_delay.  NULL policy: the default.
 * The count is per user name - a name that does not exist counts too,
 * so the delay does not tell which names exist - and is reset by a
 * successful login.  A delay rather than a lock-out: an attacker cannot
 * shut a handler out for longer than max_delay.
 */
int64_t auth_login_delay(const auth_policy *policy, unsigned failures);

/*
 * Seconds a login for a user must still wait, given its failures in a row
 * and the time of the last one (0 = it may try now).  An attempt during
 * the wait is refused without checking the password and is not counted.
 * A clock that went back does not lengthen the wait past the delay.
 */
int64_t auth_login_wait(const auth_policy *policy, unsigned failures,
			int64_t last_failure, int64_t now);

enum auth_session_state {
	AUTH_SESSION_LIVE,       /* in use */
	AUTH_SESSION_IDLE,       /* no request for idle_timeout: log in again */
	AUTH_SESSION_EXPIRED     /* absolute_timeout since login, or times that make no sense */
};

/*
 * The state of a session created at `created` and last used at
 * `last_seen`, at `now`.  A timeout is reached at its limit exactly.
 * Times out of order (now before created or last_seen, last_seen before
 * created) fail closed: AUTH_SESSION_EXPIRED.
 */
enum auth_session_state auth_session_check(const auth_policy *policy, int64_t created,
					   int64_t last_seen, int64_t now);

#endif
