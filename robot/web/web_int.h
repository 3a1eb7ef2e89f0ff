/*
 * web_int.h - what the workbench's own modules share behind web.h:
 * the server, the request context, and the doors (login.c) and assets
 * (assets.c) the server routes to itself.  Not for pages.
 */
#ifndef ULF_WEB_INT_H
#define ULF_WEB_INT_H

#include <pthread.h>

#include "core/digest.h"
#include "robot/web/web.h"

/* The largest body a workbench request may have: forms. */
#define WEB_BODY_MAX ((size_t)1 << 20)
/* Longest a request waits for a store connection before 503. */
#define WEB_WORKER_WAIT_MS 20000
/* Passwords checked at once: argon2id takes 19 MiB and ~80 ms each. */
#define WEB_LOGINS_AT_ONCE 2
/* A session's last request is recorded at most this often (s): a write
 * per page would be a disk sync per page. */
#define WEB_TOUCH_EVERY 60
/* Security headers besides Cache-Control, name and value pairs. */
#define WEB_HEADERS_MAX 16

/* A store connection with what lives on it. */
typedef struct web_worker {
	store *s;
	users *u;
	pipeline *p;
	int busy;
} web_worker;

struct web {
	ulf_config cfg;
	httpd *http;
	char url[160];
	auth_policy policy;
	unsigned char secret[DIGEST_TOKEN_BYTES];   /* CSRF tokens' (users_secret) */
	pthread_mutex_t own_lock;       /* the store's write lock when none is given */
	pthread_mutex_t *write_lock;
	pthread_mutex_t lock;           /* the pool, the login slots, the warnings */
	pthread_cond_t cond;
	int locks_made;
	web_worker *workers;
	unsigned nworkers;
	unsigned logins_running;
	int64_t sso_warned;             /* the last untrusted SSO header logged */
	int tls;
	const char *headers[2 * WEB_HEADERS_MAX + 1];
};

struct web_ctx {
	web *w;
	const httpd_request *req;
	httpd_response *out;            /* the answer being built, NULL between phases */
	const web_route *route;
	web_params params;
	int64_t now;
	int https;                      /* TLS here, or at a trusted proxy */
	char addr[64];                  /* the client's address, for the log */
	/* who asks (web_authenticate) */
	int auth_done;
	int authed;
	user_info user;                 /* pw_hash emptied */
	char session[USERS_SECRET_LEN + 1];
	char csrf[AUTH_TOKEN_LEN + 1];
	int session_ended;              /* a cookie came whose session is over */
	const char *sso_refused;        /* why a single sign-on name was not let in */
	/* Set-Cookie headers decided before the answer (head phase) */
	char cookies[2][256];
	httpd_form *form;
	html *page;
	int page_status;
	web_worker *worker;
};

/* Finds who asks (web.h, step 2), once per request; sets c->authed and the
 * rest.  Returns 0, or an error of the store (the caller answers 503). */
int web_authenticate(web_ctx *c);

/* The session cookie's name: "__Host-ulf_session" over HTTPS (the browser
 * then insists on Secure and Path=/, and no sub-domain can set it),
 * "ulf_session" over plain HTTP on loopback. */
const char *web_session_cookie(const web_ctx *c);

/* Queues a Set-Cookie for the answer: name=value with HttpOnly,
 * SameSite=Strict, Path=/, and Secure over HTTPS; max_age < 0: a session
 * cookie, 0: deletes it. */
void web_set_cookie(web_ctx *c, const char *name, const char *value, long max_age);

/* Gives the request's store connection back (before a long wait that
 * needs no store, such as a password check); web_store takes one again. */
void web_release_store(web_ctx *c);

/* A user name as it may be logged: the name, or a placeholder for one
 * that is not a user name or could be a personal identity number. */
const char *web_log_name(const char *name);

/* A slot to check a password in (WEB_LOGINS_AT_ONCE at once). */
void web_login_slot_take(web *w);
void web_login_slot_give(web *w);

/* The workbench's own handlers. */
void web_login_page(web_ctx *c);
void web_login_post(web_ctx *c);
void web_logout(web_ctx *c);
void web_asset(web_ctx *c);

#endif
