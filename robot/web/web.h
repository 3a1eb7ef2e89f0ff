/*
 * web.h - the workbench: the handlers' web application, served by ulf on
 * web_listen (inside `ulf run`, or alone as `ulf web`).
 *
 * web_start opens a server (core/httpd) and a few store connections, and
 * answers every request through one road:
 *
 *   1. the path is checked (httpd_path_ok: 400) and looked up in the route
 *      table - the workbench's own doors (login, logout, assets, health)
 *      and the pages' routes (routes.c) - 404, or 405 for a known path
 *      with another method;
 *   2. unless the route is WEB_OPEN, the user is found: from a trusted
 *      reverse proxy's single sign-on header (web_sso_header, only from
 *      web_trusted_proxies) or from the session cookie (a server-side
 *      session in the store, idle and absolute timeouts); nobody: a GET is
 *      sent to the login page, anything else refused (403);
 *   3. the route's permission (auth_allows) is checked: 403;
 *   4. a POST must carry the session's CSRF token (form field "csrf", or
 *      the X-CSRF-Token header): 403 with a page saying so;
 *   5. the route's handler runs, with a web_ctx: the user, the store, the
 *      form, and the page helpers below;
 *   6. every response carries the security headers: Content-Security-Policy
 *      (default-src 'self', no inline script or style), X-Frame-Options:
 *      DENY, X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer,
 *      Cache-Control: no-store (pages), HSTS on HTTPS.
 *
 * A page is written through the escaping writer (robot/web/html.h) that
 * web_page_begin hands out, inside the common layout:
 *
 *	static void queue_page(web_ctx *c)
 *	{
 *		html *h = web_page_begin(c, "Queue");
 *		html_open(h, "form", "method", "post", "action", "/queue/17/assign");
 *		web_csrf_field(c, h);
 *		...
 *		html_close(h, "form");
 *		web_page_end(c);
 *	}
 *
 * and routed by a line in robot/web/routes.c:
 *
 *	{ "GET", "/queue", AUTH_QUEUE_VIEW, queue_page },
 *
 * docs/workbench.md describes the security model and the settings.
 */
#ifndef ULF_WEB_H
#define ULF_WEB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/httpd.h"
#include "robot/config/config.h"
#include "robot/pipeline/pipeline.h"
#include "robot/store/store.h"
#include "robot/store/users.h"
#include "robot/web/auth.h"
#include "robot/web/html.h"

typedef struct web web;
typedef struct web_ctx web_ctx;

/* ---- the server -------------------------------------------------------- */

typedef struct web_opts {
	/* web_listen, web_cert_file, web_key_file, web_sso_header,
	 * web_trusted_proxies, web_session_idle, web_session_max,
	 * web_connections(_per_client), http_head_timeout, and the store;
	 * copied */
	const ulf_config *cfg;
	/* shared by the process's store connections for their writes (the
	 * service's); NULL: the workbench's own */
	pthread_mutex_t *write_lock;
	/* store connections, each with its pipeline: handlers that use the
	 * store at once (0: 4); more wait their turn */
	unsigned workers;
} web_opts;

/*
 * Starts the workbench on opts->cfg->web_listen.  Refuses (ULF_EINVAL,
 * with a message saying what to set) plain HTTP on an address that is not
 * loopback and any half-configured TLS.  Returns 0 or an error.
 */
int web_start(web **out, const web_opts *opts, ulf_err *err);
/* The port it listens on (web_listen may say 0: any free port). */
uint16_t web_port(const web *w);
/* "https://127.0.0.1:8443/" - where to log in. */
const char *web_url(const web *w);
/* Stops accepting, finishes the requests in hand, frees.  NULL is fine. */
void web_stop(web *w);

/* ---- routes ------------------------------------------------------------ */

typedef void (*web_handler)(web_ctx *c);

/* Route permissions besides the auth_perm values. */
#define WEB_OPEN (-1)   /* anyone, logged in or not: the login page, assets */
#define WEB_USER (-2)   /* anyone logged in */

typedef struct web_route {
	const char *method;     /* "GET" (HEAD too) or "POST" */
	/*
	 * The path: literal segments and parameters, one segment each:
	 *   {name}      letters, digits, - . _ ~   (web_param)
	 *   {name:int}  a number 1..2^63-1, no leading zero (web_param_id)
	 * "/queue", "/queue/{id:int}", "/queue/{id:int}/approve".
	 */
	const char *pattern;
	int perm;               /* an auth_perm, WEB_USER or WEB_OPEN */
	web_handler fn;
} web_route;

/* The pages' routes (robot/web/routes.c), beside the workbench's own. */
extern const web_route web_page_routes[];
extern const size_t web_page_nroutes;

/* Calls fn for every route the workbench serves, its own and the pages'
 * (`ulf web --routes`: tests/cli/web.sh knocks on every door). */
void web_routes_each(void (*fn)(const web_route *route, void *ctx), void *ctx);
/* A route's permission as text: an auth_perm_name, "user" or "open". */
const char *web_perm_name(int perm);

/* Path parameters a pattern may have, and their longest value. */
#define WEB_PARAMS_MAX 4
#define WEB_PARAM_LEN 128

typedef struct web_params {
	size_t n;
	struct {
		char name[32];
		char value[WEB_PARAM_LEN];
	} p[WEB_PARAMS_MAX];
} web_params;

/* Whether `path` matches `pattern`; the parameters' values into *out. */
bool web_route_match(web_params *out, const char *pattern, const char *path);

/*
 * The route of routes[0..n) for method and path, or NULL with *out_status
 * 404 (no route has the path) or 405 (one has, for another method).  A
 * HEAD is answered by the GET route.
 */
const web_route *web_route_find(web_params *out, int *out_status, const web_route *routes,
				size_t n, const char *method, const char *path);

/*
 * Whether `url` may be redirected to after a login: a path on this site
 * ("/queue?mine=1"), at most 512 bytes of printable ASCII, not "//..."
 * (another host) nor with a backslash.
 */
bool web_local_url_ok(const char *url);

/* ---- in a handler: the request ------------------------------------------ */

const char *web_method(const web_ctx *c);
const char *web_path(const web_ctx *c);
/* A path parameter ({name} in the pattern), or NULL. */
const char *web_param(const web_ctx *c, const char *name);
/* A {name:int} parameter's value; 0 when there is none. */
int64_t web_param_id(const web_ctx *c, const char *name);
/* A query argument (?name=value), or NULL. */
const char *web_query(const web_ctx *c, const char *name);
/* A field of the POSTed form (application/x-www-form-urlencoded), or
 * NULL; web_form_all for every field (repeated names). */
const char *web_form(const web_ctx *c, const char *name);
const httpd_form *web_form_all(const web_ctx *c);
/* A request header, or NULL. */
const char *web_header(const web_ctx *c, const char *name);
/* The request's time (seconds since the epoch): one clock per request. */
int64_t web_now(const web_ctx *c);

/* ---- in a handler: who asks ----------------------------------------------- */

/* The logged-in user's name (for the audit trail), or NULL on a WEB_OPEN
 * route without one. */
const char *web_user(const web_ctx *c);
int64_t web_user_id(const web_ctx *c);
auth_roles web_user_roles(const web_ctx *c);
/* Whether the user may do perm (auth_allows on their roles). */
bool web_allows(const web_ctx *c, auth_perm perm);
/* The session's CSRF token, for a script's requests (X-CSRF-Token); ""
 * without a session.  Pages carry it in <meta name="csrf-token">. */
const char *web_csrf_token(const web_ctx *c);

/* ---- in a handler: the store -------------------------------------------- */

/*
 * The store connection (and its users tables and pipeline) this request
 * holds; taken at the first call, given back when the request ends.  NULL
 * when none came free in time (the handler answers 503: web_error).
 */
store *web_store(web_ctx *c);
users *web_users(web_ctx *c);
pipeline *web_pipeline(web_ctx *c);
const ulf_config *web_config(const web_ctx *c);

/* ---- in a handler: the answer --------------------------------------------- */

/*
 * Begins a page in the common layout: the head (title, the stylesheet,
 * the script, the CSRF token), the top bar (the pages the user may see,
 * who is logged in, the logout button) and an open <main>, in which the
 * handler writes.  The writer belongs to the request.
 */
html *web_page_begin(web_ctx *c, const char *title);
/* Closes the layout and answers with the page: 200, or `status`.  A page
 * the writer refused (html_take) becomes a 500 error page, logged. */
void web_page_end(web_ctx *c);
void web_page_end_status(web_ctx *c, int status);

/* <input type="hidden" name="csrf" value="...">: in every form that POSTs. */
void web_csrf_field(web_ctx *c, html *h);

/* An error page in the layout: `status`, a title and a sentence saying
 * what happened and what to do. */
void web_error(web_ctx *c, int status, const char *title, const char *message);

/* 303 See Other to a local URL (web_local_url_ok; else to "/"): after a
 * POST, so a reload does not send it again. */
void web_redirect(web_ctx *c, const char *location);

/* Answers with `body` (malloc'd, taken over): a download, or JSON for a
 * script.  Headers may be added before (web_add_header). */
void web_reply(web_ctx *c, int status, const char *content_type, char *body, size_t len);
/* A header for the answer (Content-Disposition, ...); see
 * httpd_add_header. */
int web_add_header(web_ctx *c, const char *name, const char *value);

/* A line in the log, in ulf's format ("... ulf[pid] info: ..."); the
 * user and client are not added.  Never a password or a personal
 * identity number. */
void web_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
