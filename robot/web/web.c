/*
 * web.c - the workbench's server: start and stop, the road every request
 * takes (web.h, steps 1-6), the request context and the page helpers.
 * Logins, sessions and single sign-on are in login.c, the embedded assets
 * in assets.c, the pure routing in route.c.
 *
 * A request is handled in two phases on its connection's thread.  The
 * head phase (on_head, before the body is read) checks the path, finds
 * the route, finds the user and checks the permission, so that a request
 * that will be refused is refused unread.  The body phase (on_body)
 * parses the form, checks the CSRF token and runs the handler.  The store
 * connection taken in the head phase is given back in between, so a slow
 * body holds none.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "robot/web/web_int.h"

/* ---- logging ------------------------------------------------------------ */

void web_log(const char *level, const char *fmt, ...)
{
	char line[1024], stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;
	int n;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s ulf[%ld] %s: ", stamp, (long)getpid(), level);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line: the threads' lines do not mix */
	fprintf(stderr, "%s\n", line);
}

const char *web_log_name(const char *name)
{
	size_t i, run = 0;

	if (!name || !users_name_ok(name))
		return "(not a user name)";
	/* a run of digits may be a personal identity number someone typed */
	for (i = 0; name[i]; i++) {
		run = (name[i] >= '0' && name[i] <= '9') ? run + 1 : 0;
		if (run >= 6)
			return "(a name with a number, not logged)";
	}
	return name;
}

/* Appends s to the text in buf[0..n), cut short at the end of buf. */
static void append(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);

	if (len + 1 < n)
		snprintf(buf + len, n - len, "%s", s);
}

/* ---- the store connections ---------------------------------------------- */

static web_worker *worker_take(web *w)
{
	struct timespec until;
	web_worker *got = NULL;
	unsigned i;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WEB_WORKER_WAIT_MS / 1000;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		for (i = 0; i < w->nworkers && !got; i++)
			if (!w->workers[i].busy)
				got = &w->workers[i];
		if (got || pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0)
			break;
	}
	if (got)
		got->busy = 1;
	pthread_mutex_unlock(&w->lock);
	return got;
}

static void worker_give(web *w, web_worker *wk)
{
	if (!wk)
		return;
	pthread_mutex_lock(&w->lock);
	wk->busy = 0;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void web_release_store(web_ctx *c)
{
	worker_give(c->w, c->worker);
	c->worker = NULL;
}

static web_worker *ctx_worker(web_ctx *c)
{
	if (!c->worker)
		c->worker = worker_take(c->w);
	return c->worker;
}

store *web_store(web_ctx *c)
{
	web_worker *wk = ctx_worker(c);

	return wk ? wk->s : NULL;
}

users *web_users(web_ctx *c)
{
	web_worker *wk = ctx_worker(c);

	return wk ? wk->u : NULL;
}

pipeline *web_pipeline(web_ctx *c)
{
	web_worker *wk = ctx_worker(c);

	return wk ? wk->p : NULL;
}

void web_login_slot_take(web *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->logins_running >= WEB_LOGINS_AT_ONCE)
		pthread_cond_wait(&w->cond, &w->lock);
	w->logins_running++;
	pthread_mutex_unlock(&w->lock);
}

void web_login_slot_give(web *w)
{
	pthread_mutex_lock(&w->lock);
	w->logins_running--;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* ---- the request ---------------------------------------------------------- */

const char *web_method(const web_ctx *c) { return httpd_method(c->req); }
const char *web_path(const web_ctx *c) { return httpd_path(c->req); }
const char *web_query(const web_ctx *c, const char *name) { return httpd_query(c->req, name); }
const char *web_header(const web_ctx *c, const char *name) { return httpd_header(c->req, name); }
int64_t web_now(const web_ctx *c) { return c->now; }
const ulf_config *web_config(const web_ctx *c) { return &c->w->cfg; }
const httpd_form *web_form_all(const web_ctx *c) { return c->form; }

const char *web_param(const web_ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->params.n; i++)
		if (strcmp(c->params.p[i].name, name) == 0)
			return c->params.p[i].value;
	return NULL;
}

int64_t web_param_id(const web_ctx *c, const char *name)
{
	const char *v = web_param(c, name);
	int64_t id = 0;

	/* the route matched {name:int}: digits, no leading zero, fits */
	for (; v && *v >= '0' && *v <= '9'; v++)
		id = id * 10 + (*v - '0');
	return id;
}

const char *web_form(const web_ctx *c, const char *name)
{
	return httpd_form_get(c->form, name);
}

const char *web_user(const web_ctx *c) { return c->authed ? c->user.name : NULL; }
int64_t web_user_id(const web_ctx *c) { return c->authed ? c->user.id : 0; }
auth_roles web_user_roles(const web_ctx *c) { return c->authed ? c->user.roles : 0; }
const char *web_csrf_token(const web_ctx *c) { return c->authed ? c->csrf : ""; }

bool web_allows(const web_ctx *c, auth_perm perm)
{
	return c->authed && auth_allows(c->user.roles, perm);
}

/* ---- the answer ------------------------------------------------------------ */

int web_add_header(web_ctx *c, const char *name, const char *value)
{
	if (!c->out)
		return ULF_EINVAL;
	return httpd_add_header(c->out, name, value);
}

void web_set_cookie(web_ctx *c, const char *name, const char *value, long max_age)
{
	char age[40] = "";
	size_t i;

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	for (i = 0; i < sizeof(c->cookies) / sizeof(c->cookies[0]); i++) {
		if (!c->cookies[i][0]) {
			snprintf(c->cookies[i], sizeof(c->cookies[i]),
				 "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
				 c->https ? "; Secure" : "", age);
			return;
		}
	}
}

const char *web_session_cookie(const web_ctx *c)
{
	return c->https ? "__Host-ulf_session" : "ulf_session";
}

void web_reply(web_ctx *c, int status, const char *content_type, char *body, size_t len)
{
	if (!c->out) {
		free(body);
		return;
	}
	free(c->out->body);
	c->out->status = status;
	c->out->content_type = content_type;
	c->out->body = body;
	c->out->body_len = body ? len : 0;
}

void web_redirect(web_ctx *c, const char *location)
{
	if (!c->out)
		return;
	httpd_redirect(c->out, 303, web_local_url_ok(location) ? location : "/");
}

/* The links of the top bar: shown when the user may see the page and a
 * route serves it (pages arrive with their routes). */
static const struct nav_link {
	const char *href, *label;
	auth_perm perm;
} nav_links[] = {
	{ "/queue", "Queue", AUTH_QUEUE_VIEW },
	{ "/dashboard", "Dashboard", AUTH_DASHBOARD },
	{ "/audit", "Audit trail", AUTH_AUDIT_VIEW },
	{ "/users", "Users", AUTH_USERS },
};

static bool page_route_exists(const char *path)
{
	web_params p;
	size_t i;

	for (i = 0; i < web_page_nroutes; i++)
		if (strcmp(web_page_routes[i].method, "GET") == 0 &&
		    web_route_match(&p, web_page_routes[i].pattern, path))
			return true;
	return false;
}

html *web_page_begin(web_ctx *c, const char *title)
{
	html *h;
	size_t i;
	char roles[128] = "";

	if (!c->page)
		c->page = html_new(0);
	h = c->page;
	if (!h)
		return NULL;
	/* a page begun again (an error page instead) starts afresh */
	{
		char *junk;
		size_t n;
		if (html_take(&junk, &n, h, NULL) == 0)
			free(junk);
	}
	c->page_status = 200;
	html_raw_literal(h, "<!DOCTYPE html>\n");
	html_open(h, "html", "lang", "en");
	html_open(h, "head");
	html_raw_literal(h, "<meta charset=\"utf-8\">"
			    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
	html_open(h, "title");
	html_text(h, title);
	html_text(h, " \xC2\xB7 ulf");
	html_close(h, "title");
	html_raw_literal(h, "<link rel=\"stylesheet\" href=\"/assets/ulf.css\">"
			    "<link rel=\"stylesheet\" href=\"/assets/workbench.css\">"
			    "<script src=\"/assets/ulf.js\" defer></script>"
			    "<script src=\"/assets/workbench.js\" defer></script>");
	if (c->authed)
		html_open(h, "meta", "name", "csrf-token", "content", c->csrf);
	html_close(h, "head");
	html_open(h, "body");
	html_open(h, "header", "class", "top");
	html_open(h, "a", "class", "brand", "href", "/");
	html_text(h, "ulf");
	html_close(h, "a");
	if (c->authed) {
		const char *path = httpd_path(c->req);

		html_open(h, "nav", "aria-label", "Pages");
		for (i = 0; i < sizeof(nav_links) / sizeof(nav_links[0]); i++) {
			const struct nav_link *l = &nav_links[i];
			size_t n = strlen(l->href);
			bool here = path && strncmp(path, l->href, n) == 0 &&
				    (path[n] == '\0' || path[n] == '/');

			if (!auth_allows(c->user.roles, l->perm) || !page_route_exists(l->href))
				continue;
			html_open(h, "a", "href", l->href, "aria-current", here ? "page" : NULL);
			html_text(h, l->label);
			html_close(h, "a");
		}
		html_close(h, "nav");
		for (i = 0; i < AUTH_ROLE_COUNT; i++) {
			if (!(c->user.roles & AUTH_ROLE_BIT(i)))
				continue;
			if (roles[0])
				append(roles, sizeof(roles), ", ");
			append(roles, sizeof(roles), auth_role_name((auth_role)i));
		}
		html_open(h, "div", "class", "who");
		html_open(h, "span", "class", "user", "title", roles);
		html_text(h, c->user.name);
		html_close(h, "span");
		html_open(h, "form", "method", "post", "action", "/logout", "class", "logout");
		web_csrf_field(c, h);
		html_open(h, "button", "type", "submit");
		html_text(h, "Log out");
		html_close(h, "button");
		html_close(h, "form");
		html_close(h, "div");
	}
	html_close(h, "header");
	html_open(h, "main", "id", "main");
	return h;
}

void web_page_end_status(web_ctx *c, int status)
{
	char *page = NULL;
	size_t len = 0;
	ulf_err err;

	if (!c->page)
		goto fail;
	html_close(c->page, "main");
	html_close(c->page, "body");
	html_close(c->page, "html");
	ulf_err_clear(&err);
	if (html_take(&page, &len, c->page, &err) == 0) {
		web_reply(c, status, "text/html; charset=utf-8", page, len);
		return;
	}
	web_log("error", "page %s: %s", httpd_path(c->req), err.msg);
fail:
	if (c->out)
		httpd_reply(c->out, 500, "text/plain; charset=utf-8",
			    "The page could not be made; the log says why.\n");
}

void web_page_end(web_ctx *c)
{
	web_page_end_status(c, c->page_status ? c->page_status : 200);
}

void web_csrf_field(web_ctx *c, html *h)
{
	html_open(h, "input", "type", "hidden", "name", "csrf", "value", web_csrf_token(c));
}

void web_error(web_ctx *c, int status, const char *title, const char *message)
{
	html *h = web_page_begin(c, title);

	if (h) {
		html_open(h, "section", "class", "error");
		html_elem(h, "h1", title);
		html_elem(h, "p", message);
		html_open(h, "p");
		if (c->authed) {
			html_open(h, "a", "href", "/");
			html_text(h, "Back to the start page");
		} else {
			html_open(h, "a", "href", "/login");
			html_text(h, "Log in");
		}
		html_close(h, "a");
		html_close(h, "p");
		html_close(h, "section");
	}
	web_page_end_status(c, status);
}

/* ---- the road ------------------------------------------------------------- */

/* The workbench's own routes; the pages' are in routes.c. */
static void health(web_ctx *c)
{
	char *ok = strdup("ok\n");

	web_reply(c, 200, "text/plain; charset=utf-8", ok, ok ? 3 : 0);
}

static void home(web_ctx *c)
{
	html *h;

	if (web_allows(c, AUTH_QUEUE_VIEW) && page_route_exists("/queue")) {
		web_redirect(c, "/queue");
		return;
	}
	h = web_page_begin(c, "Start");
	html_elem(h, "h1", "Welcome");
	html_open(h, "p");
	html_text(h, "You are logged in as ");
	html_elem(h, "strong", c->user.name);
	html_text(h, ". The pages your roles open are linked above.");
	html_close(h, "p");
	web_page_end(c);
}

static const web_route own_routes[] = {
	{ "GET", "/", WEB_USER, home },
	{ "GET", "/login", WEB_OPEN, web_login_page },
	{ "POST", "/login", WEB_OPEN, web_login_post },
	{ "POST", "/logout", WEB_USER, web_logout },
	{ "GET", "/assets/{name}", WEB_OPEN, web_asset },
	{ "GET", "/health", WEB_OPEN, health },
};

void web_routes_each(void (*fn)(const web_route *route, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < sizeof(own_routes) / sizeof(own_routes[0]); i++)
		fn(&own_routes[i], ctx);
	for (i = 0; i < web_page_nroutes; i++)
		fn(&web_page_routes[i], ctx);
}

const char *web_perm_name(int perm)
{
	return perm == WEB_OPEN ? "open" : perm == WEB_USER ? "user" : auth_perm_name((auth_perm)perm);
}

static const web_route *find_route(web_params *params, int *status, const char *method,
				   const char *path)
{
	const web_route *r;
	int s1, s2;

	r = web_route_find(params, &s1, own_routes, sizeof(own_routes) / sizeof(own_routes[0]),
			   method, path);
	if (r) {
		*status = s1;
		return r;
	}
	r = web_route_find(params, &s2, web_page_routes, web_page_nroutes, method, path);
	*status = r ? s2 : (s1 == 405 || s2 == 405) ? 405 : 404;
	return r;
}

/* The methods a path is served with, for 405's Allow. */
static void allowed_methods(char *out, size_t n, const char *path)
{
	web_params p;
	const char *seen[4] = { NULL };
	size_t i, k = 0, t;

	out[0] = '\0';
	for (t = 0; t < 2; t++) {
		const web_route *routes = t ? web_page_routes : own_routes;
		size_t nr = t ? web_page_nroutes : sizeof(own_routes) / sizeof(own_routes[0]);

		for (i = 0; i < nr && k < 4; i++) {
			size_t j;
			int dup = 0;

			if (!web_route_match(&p, routes[i].pattern, path))
				continue;
			for (j = 0; j < k; j++)
				dup |= strcmp(seen[j], routes[i].method) == 0;
			if (dup)
				continue;
			seen[k++] = routes[i].method;
			if (out[0])
				append(out, n, ", ");
			append(out, n, routes[i].method);
			if (strcmp(routes[i].method, "GET") == 0)
				append(out, n, ", HEAD");
		}
	}
}

/* What every answer gets last: the cookies decided on the way, and
 * Cache-Control unless the handler chose one (assets). */
static void finish(web_ctx *c)
{
	httpd_response *out = c->out;
	size_t i;
	bool cache = false;

	if (!out)
		return;
	for (i = 0; i < sizeof(c->cookies) / sizeof(c->cookies[0]); i++)
		if (c->cookies[i][0])
			httpd_add_header(out, "Set-Cookie", c->cookies[i]);
	for (i = 0; i < out->nheaders; i++)
		cache |= strcasecmp(out->headers[i].name, "Cache-Control") == 0;
	if (!cache)
		httpd_add_header(out, "Cache-Control", "no-store");
}

static void ctx_free(void *p)
{
	web_ctx *c = p;

	if (!c)
		return;
	web_release_store(c);
	httpd_form_free(c->form);
	html_free(c->page);
	digest_cleanse(c, sizeof(*c));
	free(c);
}

/* Whether the client came through a trusted proxy that says the browser
 * spoke HTTPS to it. */
static int proxied_https(const web *w, const httpd_request *req)
{
	const char *proto = httpd_header(req, "X-Forwarded-Proto");

	return proto && strcasecmp(proto, "https") == 0 && w->cfg.web_trusted_proxies[0] &&
	       httpd_client_in(req, w->cfg.web_trusted_proxies);
}

static void on_head(httpd_response *out, httpd_request *req, void *ctx)
{
	web *w = ctx;
	web_ctx *c = calloc(1, sizeof(*c));
	const char *method = httpd_method(req), *path = httpd_path(req);
	int status;

	if (!c) {
		httpd_reply(out, 503, "text/plain; charset=utf-8", "out of memory\n");
		return;
	}
	c->w = w;
	c->req = req;
	c->out = out;
	c->now = (int64_t)time(NULL);
	c->https = w->tls || proxied_https(w, req);
	httpd_client_addr(c->addr, sizeof(c->addr), req);
	httpd_set_data(req, c, ctx_free);
	httpd_limit_body(req, WEB_BODY_MAX);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		httpd_wipe_body(req);   /* a login form holds a password */

	if (!httpd_path_ok(path)) {
		web_error(c, 400, "Bad address", "This address is not one the workbench serves.");
		goto answered;
	}
	c->route = find_route(&c->params, &status, method, path);
	if (!c->route) {
		if (status == 405) {
			char allow[64];
			allowed_methods(allow, sizeof(allow), path);
			web_error(c, 405, "Not this way",
				  "This page is not asked for that way (for example, a form "
				  "that must be sent, not opened).");
			httpd_add_header(out, "Allow", allow);
		} else {
			web_error(c, 404, "No such page", "There is no page at this address.");
		}
		goto answered;
	}
	if (c->route->perm == WEB_OPEN)
		goto unanswered;
	if (web_authenticate(c)) {
		web_error(c, 503, "The store does not answer",
			  "The workbench cannot reach its store just now. Try again in a "
			  "moment; if it lasts, the log says why.");
		goto answered;
	}
	if (!c->authed && c->sso_refused) {
		web_error(c, 403, "Not a ulf user", c->sso_refused);
		goto answered;
	}
	if (!c->authed) {
		if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
			char next[600], enc[1600], loc[1800];
			snprintf(next, sizeof(next), "%s", path);
			if (html_url_param(enc, sizeof(enc), next) != 0)
				enc[0] = '\0';
			snprintf(loc, sizeof(loc), "/login?next=%s%s", enc,
				 c->session_ended ? "&ended=1" : "");
			web_redirect(c, loc);
		} else {
			web_error(c, 403, "Not logged in",
				  c->session_ended ? "Your session has ended. Log in again, then "
						     "send the form again."
						   : "Log in first.");
		}
		goto answered;
	}
	if (c->route->perm >= 0 && !auth_allows(c->user.roles, (auth_perm)c->route->perm)) {
		char msg[200];

		web_log("warning", "workbench: %s (%s) may not %s %s: needs %s", c->user.name,
			c->addr, method, path, auth_perm_name((auth_perm)c->route->perm));
		snprintf(msg, sizeof(msg), "Your roles do not allow this (it needs the %s "
			 "permission). If your work needs it, ask an administrator.",
			 auth_perm_name((auth_perm)c->route->perm));
		web_error(c, 403, "Not allowed", msg);
		goto answered;
	}
unanswered:
	/* no store connection is held while the body trickles in */
	web_release_store(c);
	c->out = NULL;
	return;
answered:
	finish(c);
	web_release_store(c);
	c->out = NULL;
}

static int is_form(const httpd_request *req)
{
	const char *ct = httpd_header(req, "Content-Type");
	static const char form[] = "application/x-www-form-urlencoded";

	return ct && strncasecmp(ct, form, sizeof(form) - 1) == 0 &&
	       (ct[sizeof(form) - 1] == '\0' || ct[sizeof(form) - 1] == ';' ||
		ct[sizeof(form) - 1] == ' ');
}

static void on_body(httpd_response *out, const httpd_request *req, void *ctx)
{
	web_ctx *c = httpd_data(req);
	const char *method = httpd_method(req);

	(void)ctx;
	if (!c) {
		httpd_reply(out, 500, "text/plain; charset=utf-8", "no request context\n");
		return;
	}
	c->out = out;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		size_t len;
		const char *body = httpd_body(req, &len);
		ulf_err err;

		ulf_err_clear(&err);
		if (is_form(req) && httpd_form_parse(&c->form, body, len, &err)) {
			web_error(c, 400, "The form could not be read", err.msg);
			goto out;
		}
		/* step 4: every state-changing request carries the session's
		 * CSRF token; the login form carries its own (login.c) */
		if (c->route->perm != WEB_OPEN) {
			const char *token = web_form(c, "csrf");

			if (!token)
				token = httpd_header(req, "X-CSRF-Token");
			if (!auth_csrf_check(token, c->w->secret, sizeof(c->w->secret),
					     c->session)) {
				web_log("warning", "workbench: %s (%s): %s %s without a valid CSRF "
					"token, refused", c->user.name, c->addr, method,
					httpd_path(req));
				web_error(c, 403, "This form cannot be accepted",
					  "The request did not carry this session's security token "
					  "(CSRF token), so it may not have come from a ulf page. "
					  "Reload the page and send the form again.");
				goto out;
			}
		}
	}
	c->route->fn(c);
	if (!out->status)
		web_error(c, 500, "No answer", "The page gave no answer; the log may say why.");
out:
	finish(c);
	web_release_store(c);
	c->out = NULL;
}

/* ---- the server ----------------------------------------------------------- */

static void http_log(const char *msg, void *ctx)
{
	(void)ctx;
	web_log("warning", "workbench %s", msg);
}

static int open_workers(web *w, unsigned n, ulf_err *err)
{
	unsigned i;
	int rc = 0;

	w->workers = calloc(n, sizeof(*w->workers));
	if (!w->workers)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	w->nworkers = n;
	for (i = 0; i < n && rc == 0; i++) {
		web_worker *wk = &w->workers[i];

		rc = store_open(&wk->s, w->cfg.store_backend, w->cfg.store_path, err);
		if (rc == 0) {
			store_set_write_lock(wk->s, w->write_lock);
			rc = users_open(&wk->u, store_db(wk->s), err);
		}
		if (rc == 0)
			rc = pipeline_new(&wk->p, wk->s, &w->cfg, err);
		if (rc == 0)
			/* the workbench posts nothing: `ulf run` does */
			pipeline_leave_posting(wk->p);
	}
	return rc;
}

static void close_workers(web *w)
{
	unsigned i;

	for (i = 0; i < w->nworkers; i++) {
		pipeline_free(w->workers[i].p);
		users_free(w->workers[i].u);
		store_close(w->workers[i].s);
	}
	free(w->workers);
	w->workers = NULL;
	w->nworkers = 0;
}

int web_start(web **out, const web_opts *opts, ulf_err *err)
{
	const ulf_config *cfg = opts->cfg;
	web *w = calloc(1, sizeof(*w));
	const char *colon = strrchr(cfg->web_listen, ':');
	char host[64];
	httpd_opts o;
	size_t k = 0;
	long port;
	char *end;
	int rc = 0;

	*out = NULL;
	if (!w)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	w->cfg = *cfg;
	pthread_mutex_init(&w->own_lock, NULL);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->locks_made = 1;
	w->write_lock = opts->write_lock ? opts->write_lock : &w->own_lock;
	if (!cfg->web_listen[0] || !colon || colon == cfg->web_listen ||
	    (size_t)(colon - cfg->web_listen) >= sizeof(host)) {
		rc = ulf_err_set(err, ULF_EINVAL, "web_listen is not set (address:port, e.g. "
				 "127.0.0.1:8443): no workbench to serve");
		goto out;
	}
	memcpy(host, cfg->web_listen, (size_t)(colon - cfg->web_listen));
	host[colon - cfg->web_listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535) {
		rc = ulf_err_set(err, ULF_EINVAL, "web_listen %s: not address:port", cfg->web_listen);
		goto out;
	}
	/* the same checks as `ulf config check`, again where it matters */
	if (!cfg->web_cert_file[0] != !cfg->web_key_file[0]) {
		rc = ulf_err_set(err, ULF_EINVAL, "web_cert_file and web_key_file: HTTPS needs "
				 "both; refusing rather than serving the workbench over plain HTTP");
		goto out;
	}
	w->tls = cfg->web_cert_file[0] != '\0';
	if (!w->tls && !config_listen_loopback(cfg->web_listen)) {
		rc = ulf_err_set(err, ULF_EINVAL, "web_listen %s without HTTPS: plain HTTP is "
				 "served only on a loopback address (127.0.0.1); set web_cert_file "
				 "and web_key_file, or listen on 127.0.0.1", cfg->web_listen);
		goto out;
	}
	w->policy = (auth_policy)AUTH_POLICY_DEFAULT;
	w->policy.idle_timeout = (int64_t)cfg->web_session_idle * 60;
	w->policy.absolute_timeout = (int64_t)cfg->web_session_max * 60;

	rc = open_workers(w, opts->workers ? opts->workers : 4, err);
	if (rc == 0)
		rc = users_secret(w->secret, sizeof(w->secret), w->workers[0].u, "csrf", err);
	if (rc == 0) {
		int64_t n = 0, now = (int64_t)time(NULL);
		/* sessions that ended while nobody was serving */
		rc = users_session_expire(&n, w->workers[0].u, now - w->policy.idle_timeout,
					  now - w->policy.absolute_timeout, err);
	}
	if (rc)
		goto out;

	/* step 6: on every answer, also those httpd makes itself (400, 413) */
	w->headers[k++] = "Content-Security-Policy";
	w->headers[k++] = "default-src 'self'; base-uri 'none'; form-action 'self'; "
			  "frame-ancestors 'none'; object-src 'none'";
	w->headers[k++] = "X-Frame-Options";
	w->headers[k++] = "DENY";
	w->headers[k++] = "X-Content-Type-Options";
	w->headers[k++] = "nosniff";
	w->headers[k++] = "Referrer-Policy";
	w->headers[k++] = "no-referrer";
	w->headers[k++] = "Cross-Origin-Opener-Policy";
	w->headers[k++] = "same-origin";
	w->headers[k++] = "Cross-Origin-Resource-Policy";
	w->headers[k++] = "same-origin";
	if (w->tls) {
		w->headers[k++] = "Strict-Transport-Security";
		w->headers[k++] = "max-age=31536000";
	}
	w->headers[k] = NULL;

	memset(&o, 0, sizeof(o));
	o.bind = host;
	o.port = (uint16_t)port;
	o.cert_file = w->tls ? cfg->web_cert_file : NULL;
	o.key_file = w->tls ? cfg->web_key_file : NULL;
	o.max_body = WEB_BODY_MAX;
	o.head_timeout_s = (unsigned)cfg->http_head_timeout;
	o.max_connections = (unsigned)cfg->web_connections;
	o.per_client = (unsigned)(cfg->web_connections_per_client < cfg->web_connections
				  ? cfg->web_connections_per_client : cfg->web_connections);
	o.head = on_head;
	o.headers = w->headers;
	o.log = http_log;
	rc = httpd_start(&w->http, &o, on_body, w, err);
	if (rc)
		goto out;
	snprintf(w->url, sizeof(w->url), "%s://%s:%u/", w->tls ? "https" : "http", host,
		 httpd_port(w->http));
	*out = w;
	w = NULL;
out:
	web_stop(w);
	return rc;
}

uint16_t web_port(const web *w)
{
	return httpd_port(w->http);
}

const char *web_url(const web *w)
{
	return w->url;
}

void web_stop(web *w)
{
	if (!w)
		return;
	httpd_stop(w->http);
	close_workers(w);
	digest_cleanse(w->secret, sizeof(w->secret));
	if (w->locks_made) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		pthread_mutex_destroy(&w->own_lock);
	}
	free(w);
}
