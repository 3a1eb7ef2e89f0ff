/*
 * auth.c - roles, tokens and the login and session rules.  See auth.h.
 */
#include <stdint.h>
#include <string.h>

#include "core/digest.h"
#include "core/text.h"
#include "robot/web/auth.h"

/* ---- roles and permissions -------------------------------------------- */

#define R(role) AUTH_ROLE_BIT(AUTH_ROLE_##role)

/* For each permission, the roles that have it (auth.h draws the table). */
static const auth_roles granted[AUTH_PERM_COUNT] = {
	[AUTH_QUEUE_VIEW] = R(HANDLER) | R(CARE_HANDLER) | R(CONTROLLER),
	[AUTH_QUEUE_ACT]  = R(HANDLER) | R(CARE_HANDLER),
	[AUTH_UNMASK]     = R(CARE_HANDLER),
	[AUTH_DASHBOARD]  = R(CONTROLLER) | R(ADMIN),
	[AUTH_AUDIT_VIEW] = R(CONTROLLER) | R(ADMIN),
	[AUTH_USERS]      = R(ADMIN),
};

static const char *const role_names[AUTH_ROLE_COUNT] = {
	[AUTH_ROLE_HANDLER] = "handler",
	[AUTH_ROLE_CARE_HANDLER] = "care_handler",
	[AUTH_ROLE_CONTROLLER] = "controller",
	[AUTH_ROLE_ADMIN] = "admin",
};

static const char *const perm_names[AUTH_PERM_COUNT] = {
	[AUTH_QUEUE_VIEW] = "queue_view",
	[AUTH_QUEUE_ACT] = "queue_act",
	[AUTH_UNMASK] = "unmask",
	[AUTH_DASHBOARD] = "dashboard",
	[AUTH_AUDIT_VIEW] = "audit_view",
	[AUTH_USERS] = "users",
};

bool auth_allows(auth_roles roles, auth_perm perm)
{
	if ((unsigned)perm >= AUTH_PERM_COUNT)
		return false;
	return (roles & granted[perm]) != 0;
}

const char *auth_role_name(auth_role role)
{
	return (unsigned)role < AUTH_ROLE_COUNT ? role_names[role] : "?";
}

const char *auth_perm_name(auth_perm perm)
{
	return (unsigned)perm < AUTH_PERM_COUNT ? perm_names[perm] : "?";
}

/* The role whose name is s[0..n). */
static int role_lookup(auth_role *out, const char *s, size_t n)
{
	int r;

	for (r = 0; r < AUTH_ROLE_COUNT; r++) {
		if (strlen(role_names[r]) == n && memcmp(role_names[r], s, n) == 0) {
			*out = (auth_role)r;
			return 0;
		}
	}
	return ULF_EINVAL;
}

int auth_role_parse(auth_role *out, const char *name, ulf_err *err)
{
	if (name && role_lookup(out, name, strlen(name)) == 0)
		return 0;
	name = name ? name : "";
	return ulf_err_set(err, ULF_EINVAL, "unknown role \"%.*s\" (handler, care_handler, "
			   "controller, admin)", text_quote_len(name, 40), name);
}

int auth_roles_parse(auth_roles *out, const char *list, ulf_err *err)
{
	const char *p = list, *end;
	auth_roles set = 0;
	auth_role r;
	size_t n;

	*out = 0;
	if (!list)
		return ulf_err_set(err, ULF_EINVAL, "no role given");
	for (;;) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (role_lookup(&r, p, n) != 0)
			return ulf_err_set(err, ULF_EINVAL,
				"unknown role \"%.*s\" (handler, care_handler, controller, admin)",
				(int)(n > 40 ? 40 : n), p);
		set |= AUTH_ROLE_BIT(r);
		if (*end != ',')
			break;
		p = end + 1;
	}
	*out = set;
	return 0;
}

/* ---- session ids and CSRF tokens -------------------------------------- */

/* Kept apart from any other HMAC the server secret may one day make. */
static const char csrf_label[] = "ulf-csrf-v1";

bool auth_token_ok(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < AUTH_TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[AUTH_TOKEN_LEN] == '\0';
}

int auth_session_id_new(char out[AUTH_TOKEN_LEN + 1], ulf_err *err)
{
	return digest_token_hex(out, AUTH_TOKEN_LEN + 1, AUTH_TOKEN_LEN / 2, err);
}

int auth_session_key(char out[AUTH_TOKEN_LEN + 1], const char *session_id, ulf_err *err)
{
	out[0] = '\0';
	if (!auth_token_ok(session_id))
		return ulf_err_set(err, ULF_EINVAL, "session key: not a session id");
	if (digest_sha256_hex(out, session_id, AUTH_TOKEN_LEN))
		return ulf_err_set(err, ULF_ERROR, "session key: SHA-256 failed");
	return 0;
}

int auth_csrf_token(char out[AUTH_TOKEN_LEN + 1], const unsigned char *secret,
		    size_t secret_len, const char *session_id, ulf_err *err)
{
	char msg[sizeof(csrf_label) + AUTH_TOKEN_LEN];
	int rc = 0;

	out[0] = '\0';
	if (!secret || secret_len < AUTH_SECRET_MIN)
		return ulf_err_set(err, ULF_EINVAL,
			"CSRF token: the server secret is shorter than %d bytes", AUTH_SECRET_MIN);
	if (!auth_token_ok(session_id))
		return ulf_err_set(err, ULF_EINVAL, "CSRF token: not a session id");
	/* label, its NUL, then the id: no two inputs run together */
	memcpy(msg, csrf_label, sizeof(csrf_label));
	memcpy(msg + sizeof(csrf_label), session_id, AUTH_TOKEN_LEN);
	if (digest_hmac_sha256_hex(out, secret, secret_len, msg, sizeof(msg)))
		rc = ulf_err_set(err, ULF_ERROR, "CSRF token: HMAC failed");
	digest_cleanse(msg, sizeof(msg));
	return rc;
}

bool auth_csrf_check(const char *token, const unsigned char *secret,
		     size_t secret_len, const char *session_id)
{
	char want[AUTH_TOKEN_LEN + 1];
	bool ok;

	if (auth_csrf_token(want, secret, secret_len, session_id, NULL))
		return false;
	/* The shape of the token is no secret; its digits are compared in
	 * constant time. */
	ok = auth_token_ok(token) && digest_equal(token, want, AUTH_TOKEN_LEN);
	digest_cleanse(want, sizeof(want));
	return ok;
}

/* ---- policy ------------------------------------------------------------ */

static const auth_policy default_policy = AUTH_POLICY_DEFAULT;

int64_t auth_login_delay(const auth_policy *policy, unsigned failures)
{
	const auth_policy *p = policy ? policy : &default_policy;
	int64_t d;
	unsigned i;

	if (failures < p->free_failures || p->first_delay <= 0)
		return 0;
	d = p->first_delay;
	for (i = p->free_failures; i < failures && d < p->max_delay && d <= INT64_MAX / 2; i++)
		d *= 2;
	return d < p->max_delay ? d : p->max_delay;
}

int64_t auth_login_wait(const auth_policy *policy, unsigned failures,
			int64_t last_failure, int64_t now)
{
	int64_t delay = auth_login_delay(policy, failures);
	uint64_t since;

	if (delay == 0)
		return 0;
	if (now < last_failure)
		return delay;
	/* unsigned: the difference of any two times fits */
	since = (uint64_t)now - (uint64_t)last_failure;
	return since >= (uint64_t)delay ? 0 : delay - (int64_t)since;
}

enum auth_session_state auth_session_check(const auth_policy *policy, int64_t created,
					   int64_t last_seen, int64_t now)
{
	const auth_policy *p = policy ? policy : &default_policy;

	if (now < created || now < last_seen || last_seen < created)
		return AUTH_SESSION_EXPIRED;
	/* unsigned: the difference of any two times fits; a timeout of 0 or
	 * less ends every session */
	if (p->absolute_timeout <= 0 ||
	    (uint64_t)now - (uint64_t)created >= (uint64_t)p->absolute_timeout)
		return AUTH_SESSION_EXPIRED;
	if (p->idle_timeout <= 0 ||
	    (uint64_t)now - (uint64_t)last_seen >= (uint64_t)p->idle_timeout)
		return AUTH_SESSION_IDLE;
	return AUTH_SESSION_LIVE;
}
