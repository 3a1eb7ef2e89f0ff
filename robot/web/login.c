/*
 * login.c - who asks: the session cookie, single sign-on from a trusted
 * reverse proxy, the login page and form, logout.  The rules (timeouts,
 * the failed-login delay, CSRF tokens) are auth.h's; the facts (users,
 * sessions, failure counts) are the store's (users.h).
 *
 * The login form has a CSRF token too, before there is a session: GET
 * /login sets a pre-login cookie (a random id, HttpOnly, SameSite=Strict)
 * and the form carries the token of that id, so no other site can log a
 * browser in (under the other site's chosen account).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/web/web_int.h"

/* The pre-login cookie's name; see web_session_cookie. */
static const char *login_cookie(const web_ctx *c)
{
	return c->https ? "__Host-ulf_login" : "ulf_login";
}

/* ---- who asks --------------------------------------------------------------- */

/* The user of a session found by its id; 0 and c->authed unset when the
 * session is over or its user cannot log in any more. */
static int session_user(web_ctx *c, users *u, const char *id, ulf_err *err)
{
	session_info si;
	user_info ui;
	int rc;

	rc = users_session_get(&si, u, id, err);
	if (rc == ULF_ENOTFOUND) {
		c->session_ended = 1;
		return 0;
	}
	if (rc)
		return rc;
	if (auth_session_check(&c->w->policy, si.created_at, si.last_seen, c->now) !=
	    AUTH_SESSION_LIVE) {
		c->session_ended = 1;
		return users_session_delete(u, id, err);
	}
	rc = users_get_id(&ui, u, si.user_id, err);
	if (rc == ULF_ENOTFOUND || (rc == 0 && ui.disabled)) {
		c->session_ended = 1;
		return users_session_delete(u, id, err);
	}
	if (rc)
		return rc;
	if (c->now - si.last_seen >= WEB_TOUCH_EVERY) {
		rc = users_session_touch(u, id, c->now, err);
		if (rc == ULF_ENOTFOUND) {
			c->session_ended = 1;
			return 0;
		}
		if (rc)
			return rc;
	}
	digest_cleanse(ui.pw_hash, sizeof(ui.pw_hash));
	c->user = ui;
	memcpy(c->session, id, USERS_SECRET_LEN + 1);
	rc = auth_csrf_token(c->csrf, c->w->secret, sizeof(c->w->secret), c->session, err);
	if (rc == 0)
		c->authed = 1;
	return rc;
}

/* A new session for user ui: its cookie goes out with the answer. */
static int session_open(web_ctx *c, users *u, const user_info *ui, ulf_err *err)
{
	char id[USERS_SECRET_LEN + 1];
	int rc;

	rc = users_session_new(id, NULL, u, ui->id, c->now, err);
	if (rc == 0)
		rc = auth_csrf_token(c->csrf, c->w->secret, sizeof(c->w->secret), id, err);
	if (rc == 0) {
		c->user = *ui;
		digest_cleanse(c->user.pw_hash, sizeof(c->user.pw_hash));
		memcpy(c->session, id, sizeof(id));
		c->authed = 1;
		web_set_cookie(c, web_session_cookie(c), id, -1);
	}
	digest_cleanse(id, sizeof(id));
	return rc;
}

/* Single sign-on: the proxy vouches for `name`. */
static int sso_user(web_ctx *c, users *u, const char *name, const char *cookie, ulf_err *err)
{
	user_info ui;
	int rc;

	if (!users_name_ok(name)) {
		c->sso_refused = "The single sign-on name is not one ulf can have as a user. "
				 "Ask an administrator.";
		return 0;
	}
	rc = users_get(&ui, u, name, err);
	if (rc == ULF_ENOTFOUND || (rc == 0 && ui.disabled)) {
		web_log("warning", "workbench: single sign-on for %s from %s refused: %s",
			web_log_name(name), c->addr, rc ? "no such user" : "disabled");
		c->sso_refused = rc ? "You are signed in, but not a ulf user. Ask an "
				      "administrator to add you (ulf user add)."
				    : "Your ulf account is disabled. Ask an administrator.";
		return 0;
	}
	if (rc)
		return rc;
	/* the session the browser has, if it is this user's */
	if (cookie && (rc = session_user(c, u, cookie, err)) != 0)
		return rc;
	if (c->authed && c->user.id == ui.id)
		return 0;
	if (c->authed) {
		/* the proxy now names someone else: the old session ends */
		rc = users_session_delete(u, c->session, err);
		c->authed = 0;
		if (rc)
			return rc;
	}
	c->session_ended = 0;
	rc = session_open(c, u, &ui, err);
	if (rc == 0)
		web_log("info", "workbench: %s logged in by single sign-on from %s",
			ui.name, c->addr);
	return rc;
}

int web_authenticate(web_ctx *c)
{
	web *w = c->w;
	char cookie[USERS_SECRET_LEN + 8];
	const char *sso = NULL, *have = NULL;
	users *u;
	ulf_err err;
	int rc;

	if (c->auth_done)
		return 0;
	c->auth_done = 1;
	ulf_err_clear(&err);
	if (httpd_cookie(cookie, sizeof(cookie), c->req, web_session_cookie(c)) == 0)
		have = cookie;
	if (w->cfg.web_sso_header[0])
		sso = httpd_header(c->req, w->cfg.web_sso_header);
	if (sso && !httpd_client_in(c->req, w->cfg.web_trusted_proxies)) {
		/* anyone can send a header: only the proxy is believed */
		pthread_mutex_lock(&w->lock);
		if (c->now - w->sso_warned >= 60) {
			w->sso_warned = c->now;
			web_log("warning", "workbench: %s header from %s, which is not in "
				"web_trusted_proxies: ignored", w->cfg.web_sso_header, c->addr);
		}
		pthread_mutex_unlock(&w->lock);
		sso = NULL;
	}
	if (!sso && !have)
		return 0;
	u = web_users(c);
	if (!u) {
		web_log("error", "workbench: no store connection came free in %d s",
			WEB_WORKER_WAIT_MS / 1000);
		return ULF_ESTORE;
	}
	rc = sso ? sso_user(c, u, sso, have, &err) : session_user(c, u, have, &err);
	if (rc)
		web_log("error", "workbench: sessions: %s", err.msg);
	digest_cleanse(cookie, sizeof(cookie));
	return rc;
}

/* ---- the login page ----------------------------------------------------------- */

/* The page with the form; `message` (may be NULL) says why it is shown
 * again. */
static void login_form(web_ctx *c, int status, const char *message, const char *name,
		       const char *next)
{
	char pre[AUTH_TOKEN_LEN + 8], token[AUTH_TOKEN_LEN + 1];
	const char *ended = web_query(c, "ended");
	html *h;

	/* the pre-login id: the browser's, or a new one */
	if (httpd_cookie(pre, sizeof(pre), c->req, login_cookie(c)) != 0 || !auth_token_ok(pre)) {
		if (auth_session_id_new(pre, NULL)) {
			web_error(c, 500, "No random numbers",
				  "The workbench cannot make a login token just now.");
			return;
		}
		web_set_cookie(c, login_cookie(c), pre, 3600);
	}
	if (auth_csrf_token(token, c->w->secret, sizeof(c->w->secret), pre, NULL)) {
		web_error(c, 500, "No login token", "The workbench cannot make a login token.");
		return;
	}
	h = web_page_begin(c, "Log in");
	html_open(h, "section", "class", "login");
	html_elem(h, "h1", "Log in to ulf");
	if (!message && ended && !strcmp(ended, "1"))
		message = "Your session has ended. Log in again.";
	if (message) {
		html_open(h, "p", "class", "message", "role", "alert");
		html_text(h, message);
		html_close(h, "p");
	}
	html_open(h, "form", "method", "post", "action", "/login");
	html_open(h, "input", "type", "hidden", "name", "csrf", "value", token);
	if (next && web_local_url_ok(next))
		html_open(h, "input", "type", "hidden", "name", "next", "value", next);
	html_open(h, "label", "for", "user");
	html_text(h, "User name");
	html_close(h, "label");
	html_open(h, "input", "id", "user", "name", "user", "type", "text",
		  "autocomplete", "username", "required", "required", "value", name);
	if (!name || !*name)
		html_attr(h, "autofocus", "autofocus");
	html_open(h, "label", "for", "password");
	html_text(h, "Password");
	html_close(h, "label");
	html_open(h, "input", "id", "password", "name", "password", "type", "password",
		  "autocomplete", "current-password", "required", "required");
	if (name && *name)
		html_attr(h, "autofocus", "autofocus");
	html_open(h, "button", "type", "submit");
	html_text(h, "Log in");
	html_close(h, "button");
	html_close(h, "form");
	html_close(h, "section");
	digest_cleanse(token, sizeof(token));
	web_page_end_status(c, status);
}

void web_login_page(web_ctx *c)
{
	const char *next = web_query(c, "next");

	if (web_authenticate(c) == 0 && c->authed) {
		web_redirect(c, next && web_local_url_ok(next) ? next : "/");
		return;
	}
	login_form(c, 200, NULL, NULL, next);
}

/* A password check for `name`; *out_ok, and *out_user when it passed.
 * The store connection is given back while argon2id works. */
static int check_password(bool *out_ok, user_info *out_user, web_ctx *c, users *u,
			  const char *name, const char *password, ulf_err *err)
{
	user_info ui;
	bool known = false, ok = false;
	int rc;

	*out_ok = false;
	rc = users_get(&ui, u, name, err);
	if (rc && rc != ULF_ENOTFOUND)
		return rc;
	known = rc == 0 && ui.pw_hash[0];
	web_release_store(c);
	web_login_slot_take(c->w);
	/* an unknown name costs the same work: the time tells nothing */
	if (known)
		rc = passwd_verify(&ok, ui.pw_hash, password, err);
	else
		rc = passwd_verify_none(password, err);
	web_login_slot_give(c->w);
	if (rc == ULF_EPARSE || rc == ULF_ELIMIT) {
		/* a stored hash this build will not use: no login, and say so */
		web_log("error", "workbench: the password hash of %s cannot be used: %s",
			web_log_name(name), err->msg);
		ulf_err_clear(err);
		rc = 0;
		ok = false;
	}
	if (rc)
		return rc;
	*out_ok = known && ok;
	if (*out_ok)
		*out_user = ui;
	digest_cleanse(ui.pw_hash, sizeof(ui.pw_hash));
	return 0;
}

void web_login_post(web_ctx *c)
{
	char pre[AUTH_TOKEN_LEN + 8], old[USERS_SECRET_LEN + 8];
	const char *name = web_form(c, "user"), *password = web_form(c, "password");
	const char *next = web_form(c, "next");
	user_info ui;
	unsigned failures = 0;
	int64_t last = 0, wait;
	bool ok = false;
	users *u;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	if (httpd_cookie(pre, sizeof(pre), c->req, login_cookie(c)) != 0 ||
	    !auth_csrf_check(web_form(c, "csrf"), c->w->secret, sizeof(c->w->secret), pre)) {
		web_log("warning", "workbench: login from %s without the login form's token, "
			"refused", c->addr);
		web_error(c, 403, "This login cannot be accepted",
			  "The login did not come with this browser's login token (CSRF token): "
			  "it may not have come from ulf's login page, or cookies are blocked "
			  "for this site. Open the login page again and log in there.");
		return;
	}
	if (!name || !*name || !password || !*password) {
		login_form(c, 400, "Enter your user name and password.", name, next);
		return;
	}
	if (!users_name_ok(name)) {
		/* nothing to count it on; the same work and answer as a wrong one */
		passwd_verify_none(password, NULL);
		web_log("info", "workbench: failed login for %s from %s", web_log_name(name),
			c->addr);
		login_form(c, 403, "Wrong user name or password.", NULL, next);
		return;
	}
	u = web_users(c);
	if (!u)
		goto busy;
	rc = users_login_failures(&failures, &last, u, name, &err);
	if (rc)
		goto store_failed;
	wait = auth_login_wait(&c->w->policy, failures, last, c->now);
	if (wait > 0) {
		char msg[200], after[24];

		web_log("warning", "workbench: login for %s from %s refused: %u failed logins in "
			"a row, %lld s to wait", web_log_name(name), c->addr, failures,
			(long long)wait);
		snprintf(msg, sizeof(msg), "Too many failed logins for this user. Try again in "
			 "%lld seconds.", (long long)wait);
		snprintf(after, sizeof(after), "%lld", (long long)wait);
		login_form(c, 429, msg, name, next);
		web_add_header(c, "Retry-After", after);
		return;
	}
	rc = check_password(&ok, &ui, c, u, name, password, &err);
	if (rc)
		goto store_failed;
	u = web_users(c);
	if (!u)
		goto busy;
	if (!ok) {
		int64_t next_wait;

		rc = users_login_failed(&failures, u, name, c->now, &err);
		if (rc)
			goto store_failed;
		next_wait = auth_login_delay(&c->w->policy, failures);
		if (next_wait)
			web_log("warning", "workbench: failed login for %s from %s (%u in a row); "
				"the next attempt waits %lld s", web_log_name(name), c->addr,
				failures, (long long)next_wait);
		else
			web_log("info", "workbench: failed login for %s from %s (%u in a row)",
				web_log_name(name), c->addr, failures);
		login_form(c, 403, "Wrong user name or password.", name, next);
		return;
	}
	if (ui.disabled) {
		web_log("warning", "workbench: login for disabled user %s from %s refused",
			ui.name, c->addr);
		login_form(c, 403, "Your account is disabled. Ask an administrator.", name, next);
		return;
	}
	rc = users_login_ok(u, name, &err);
	/* a session id from before the login is never reused (fixation) */
	if (rc == 0 && httpd_cookie(old, sizeof(old), c->req, web_session_cookie(c)) == 0)
		rc = users_session_delete(u, old, &err);
	if (rc == 0)
		rc = users_session_expire(NULL, u, c->now - c->w->policy.idle_timeout,
					  c->now - c->w->policy.absolute_timeout, &err);
	if (rc == 0)
		rc = session_open(c, u, &ui, &err);
	if (rc)
		goto store_failed;
	c->auth_done = 1;
	web_set_cookie(c, login_cookie(c), "", 0);
	web_log("info", "workbench: %s logged in from %s", ui.name, c->addr);
	web_redirect(c, next && web_local_url_ok(next) ? next : "/");
	return;
store_failed:
	web_log("error", "workbench: login: %s", err.msg);
	web_error(c, 503, "The store does not answer",
		  "The login could not be checked just now. Try again in a moment.");
	return;
busy:
	web_error(c, 503, "Busy", "The workbench is busy. Try again in a moment.");
}

void web_logout(web_ctx *c)
{
	users *u = web_users(c);
	ulf_err err;

	ulf_err_clear(&err);
	if (!u || users_session_delete(u, c->session, &err)) {
		web_log("error", "workbench: logout: %s", u ? err.msg : "no store connection");
		web_error(c, 503, "The store does not answer",
			  "The logout could not be recorded. Try again in a moment.");
		return;
	}
	web_log("info", "workbench: %s logged out", c->user.name);
	web_set_cookie(c, web_session_cookie(c), "", 0);
	c->authed = 0;
	web_redirect(c, "/login");
}
