/*
 * test_web.c - unit tests for the workbench's road (robot/web/web.c,
 * login.c), in-process on a temporary store, over raw HTTP on loopback:
 * the redirect to the login page and back, the login form's own token,
 * the session cookie, a POST refused without the session's CSRF token and
 * taken with it (form field or header), an ended session, a cookie sent
 * twice, roles, 400/404/405 with Allow, and web_start's refusals of plain
 * HTTP off loopback and of half TLS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/passwd.h"
#include "robot/config/config.h"
#include "robot/store/users.h"
#include "robot/web/web.h"
#include "tests/support/support.h"

typedef struct fixture {
	ts_store *t;
	users *u;
	web *w;
	uint16_t port;
	int64_t anna;
} fixture;

static void add_user(int64_t *id, users *u, const char *name, unsigned roles, const char *pw)
{
	char hash[PASSWD_ENCODED_MAX];
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(passwd_hash(hash, sizeof(hash), pw, &err), 0);
	if (users_add(id, u, name, roles, hash, (int64_t)time(NULL), &err))
		fail_msg("users_add: %s", err.msg);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ulf_config cfg;
	web_opts o;
	ulf_err err;

	assert_non_null(f);
	f->t = ts_store_new("web", TS_SQLITE);
	ulf_err_clear(&err);
	assert_int_equal(users_open(&f->u, store_db(f->t->s), &err), 0);
	add_user(&f->anna, f->u, "anna", AUTH_ROLE_BIT(AUTH_ROLE_HANDLER), "anna's pw");
	add_user(NULL, f->u, "ada", AUTH_ROLE_BIT(AUTH_ROLE_ADMIN), "ada's pw");
	config_init(&cfg);
	snprintf(cfg.store_backend, sizeof(cfg.store_backend), "%s", f->t->backend);
	snprintf(cfg.store_path, sizeof(cfg.store_path), "%s", f->t->path);
	snprintf(cfg.web_listen, sizeof(cfg.web_listen), "127.0.0.1:0");
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.workers = 2;
	if (web_start(&f->w, &o, &err))
		fail_msg("web_start: %s", err.msg);
	f->port = web_port(f->w);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	web_stop(f->w);
	users_free(f->u);
	ts_store_free(f->t);
	free(f);
	return 0;
}

/* ---- raw HTTP ------------------------------------------------------------------ */

typedef struct resp {
	int status;
	char head[4096];
	char body[16384];
} resp;

/* Sends the request (printf-style) and reads the whole answer. */
static void http(resp *r, uint16_t port, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void http(resp *r, uint16_t port, const char *fmt, ...)
{
	char req[4096], all[sizeof(r->head) + sizeof(r->body)];
	struct sockaddr_in a;
	struct pollfd p;
	size_t got = 0;
	va_list ap;
	char *sep;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(req));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
	p.fd = fd;
	p.events = POLLIN;
	while (got + 1 < sizeof(all) && poll(&p, 1, 10000) > 0) {
		ssize_t k = recv(fd, all + got, sizeof(all) - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	all[got] = '\0';
	memset(r, 0, sizeof(*r));
	assert_true(sscanf(all, "HTTP/1.1 %d", &r->status) == 1);
	sep = strstr(all, "\r\n\r\n");
	assert_non_null(sep);
	snprintf(r->head, sizeof(r->head), "%.*s", (int)(sep - all), all);
	snprintf(r->body, sizeof(r->body), "%s", sep + 4);
}

/* The value of header `name` (first one) into out, or "". */
static const char *header(char *out, size_t n, const resp *r, const char *name)
{
	char key[80];
	const char *p, *e;

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	out[0] = '\0';
	p = strcasestr(r->head, key);
	if (!p)
		return out;
	p += strlen(key);
	e = strstr(p, "\r\n");
	snprintf(out, n, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
	return out;
}

/* The value of attribute `attr` after `marker` in the body, into out. */
static void attr_after(char *out, size_t n, const char *body, const char *marker, const char *attr)
{
	const char *p = strstr(body, marker), *v, *e;
	char key[40];

	out[0] = '\0';
	assert_non_null(p);
	snprintf(key, sizeof(key), "%s=\"", attr);
	v = strstr(p, key);
	assert_non_null(v);
	v += strlen(key);
	e = strchr(v, '"');
	snprintf(out, n, "%.*s", (int)(e - v), v);
}

/* Logs `name` in; the session cookie's value into sid. */
static void login(char sid[65], fixture *f, const char *name, const char *pw)
{
	char pre[128], tok[80], body[256], v[256];
	resp r;

	http(&r, f->port, "GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 200);
	header(v, sizeof(v), &r, "Set-Cookie");
	assert_true(sscanf(v, "ulf_login=%64[0-9a-f]", pre) == 1);
	attr_after(tok, sizeof(tok), r.body, "name=\"csrf\"", "value");
	snprintf(body, sizeof(body), "user=%s&password=%s&csrf=%s&next=%%2Fqueue", name, pw, tok);
	http(&r, f->port, "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_login=%s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	     "Content-Length: %zu\r\n\r\n%s", pre, strlen(body), body);
	assert_int_equal(r.status, 303);
	assert_string_equal(header(v, sizeof(v), &r, "Location"), "/queue");
	assert_non_null(strstr(r.head, "Set-Cookie: ulf_session="));
	assert_true(sscanf(strstr(r.head, "ulf_session=") + 12, "%64[0-9a-f]", sid) == 1);
	assert_int_equal(strlen(sid), 64);
	assert_non_null(strstr(r.head, "; HttpOnly; SameSite=Strict"));
}

/* ---- the tests ------------------------------------------------------------------ */

static void test_anonymous(void **state)
{
	fixture *f = *state;
	char v[512];
	resp r;

	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 303);
	assert_string_equal(header(v, sizeof(v), &r, "Location"), "/login?next=%2Fqueue");
	assert_string_equal(header(v, sizeof(v), &r, "X-Frame-Options"), "DENY");
	assert_string_equal(header(v, sizeof(v), &r, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(header(v, sizeof(v), &r, "Referrer-Policy"), "no-referrer");
	assert_string_equal(header(v, sizeof(v), &r, "Cache-Control"), "no-store");
	assert_non_null(strstr(header(v, sizeof(v), &r, "Content-Security-Policy"),
			       "default-src 'self'"));
	/* a POST without a session is refused, not redirected */
	http(&r, f->port, "POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Content-Length: 0\r\n\r\n");
	assert_int_equal(r.status, 403);
	/* the login form without the pre-login cookie's token */
	http(&r, f->port, "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 32\r\n\r\n"
	     "user=anna&password=anna%%27s+pw&x");
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "CSRF"));
	/* open doors */
	http(&r, f->port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	http(&r, f->port, "GET /assets/ulf.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(header(v, sizeof(v), &r, "Content-Type"), "text/css"));
	header(v, sizeof(v), &r, "ETag");
	assert_true(strlen(v) > 2);
	{
		char etag[512];
		snprintf(etag, sizeof(etag), "%s", v);
		http(&r, f->port, "GET /assets/ulf.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		     "If-None-Match: %s\r\n\r\n", etag);
		assert_int_equal(r.status, 304);
	}
	http(&r, f->port, "GET /assets/nothing.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 404);
}

static void test_paths(void **state)
{
	fixture *f = *state;
	char v[256];
	resp r;

	http(&r, f->port, "GET /queue//x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 400);
	http(&r, f->port, "GET /queue%%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 400);
	http(&r, f->port, "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "No such page"));
	http(&r, f->port, "GET /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 405);
	assert_string_equal(header(v, sizeof(v), &r, "Allow"), "POST");
	http(&r, f->port, "DELETE /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 405);
	assert_string_equal(header(v, sizeof(v), &r, "Allow"), "GET, HEAD");
}

static void test_session_and_csrf(void **state)
{
	fixture *f = *state;
	char sid[65], tok[80], v[256];
	resp r;

	login(sid, f, "anna", "anna%27s+pw");
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", sid);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<span class=\"user\" title=\"handler\">anna</span>"));
	attr_after(tok, sizeof(tok), r.body, "name=\"csrf-token\"", "content");
	assert_int_equal(strlen(tok), 64);
	/* HEAD answers like GET, without a body */
	http(&r, f->port, "HEAD /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", sid);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "");
	/* the session cookie twice: neither is believed */
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s; ulf_session=%s\r\n\r\n", sid, sid);
	assert_int_equal(r.status, 303);
	/* a POST without the token, with another session's, with a wrong one */
	http(&r, f->port, "POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\nContent-Length: 0\r\n\r\n", sid);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "CSRF token"));
	http(&r, f->port, "POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	     "Content-Length: 69\r\n\r\ncsrf=%064d", sid, 0);
	assert_int_equal(r.status, 403);
	/* the session still lives; the header form of the token is taken */
	http(&r, f->port, "POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\nX-CSRF-Token: %s\r\nContent-Length: 0\r\n\r\n", sid, tok);
	assert_int_equal(r.status, 303);
	assert_string_equal(header(v, sizeof(v), &r, "Location"), "/login");
	assert_non_null(strstr(r.head, "Set-Cookie: ulf_session=; "));
	/* logged out on the server: the old id opens nothing */
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", sid);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.head, "ended=1"));
}

static void test_roles_and_timeouts(void **state)
{
	fixture *f = *state;
	char sid[65], old[USERS_SECRET_LEN + 1];
	int64_t now = (int64_t)time(NULL);
	ulf_err err;
	resp r;

	login(sid, f, "ada", "ada%27s+pw");
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", sid);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "queue_view"));
	/* an administrator's start page has no queue to send her to */
	http(&r, f->port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", sid);
	assert_int_equal(r.status, 200);

	/* a session opened nine hours ago is over (absolute timeout: 8 h) */
	ulf_err_clear(&err);
	assert_int_equal(users_session_new(old, NULL, f->u, f->anna, now - 9 * 3600, &err), 0);
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", old);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.head, "Location: /login?next=%2Fqueue&ended=1"));
	/* ... and deleted */
	session_info si;
	assert_int_equal(users_session_get(&si, f->u, old, &err), ULF_ENOTFOUND);
	/* a session idle for 31 minutes is over too */
	assert_int_equal(users_session_new(old, NULL, f->u, f->anna, now - 31 * 60, &err), 0);
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", old);
	assert_int_equal(r.status, 303);
	/* a disabled user's session ends */
	assert_int_equal(users_session_new(old, NULL, f->u, f->anna, now, &err), 0);
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", old);
	assert_int_equal(r.status, 200);
	assert_int_equal(users_set_disabled(f->u, "anna", true, &err), 0);
	http(&r, f->port, "GET /queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	     "Cookie: ulf_session=%s\r\n\r\n", old);
	assert_int_equal(r.status, 303);
	assert_int_equal(users_set_disabled(f->u, "anna", false, &err), 0);
}

static void test_start_refusals(void **state)
{
	fixture *f = *state;
	ulf_config cfg;
	web_opts o;
	web *w = NULL;
	ulf_err err;

	config_init(&cfg);
	snprintf(cfg.store_backend, sizeof(cfg.store_backend), "%s", f->t->backend);
	snprintf(cfg.store_path, sizeof(cfg.store_path), "%s", f->t->path);
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	snprintf(cfg.web_listen, sizeof(cfg.web_listen), "0.0.0.0:0");
	ulf_err_clear(&err);
	assert_int_equal(web_start(&w, &o, &err), ULF_EINVAL);
	assert_null(w);
	assert_non_null(strstr(err.msg, "only on a loopback address"));
	snprintf(cfg.web_listen, sizeof(cfg.web_listen), "127.0.0.1:0");
	snprintf(cfg.web_cert_file, sizeof(cfg.web_cert_file), "/nonexistent.pem");
	ulf_err_clear(&err);
	assert_int_equal(web_start(&w, &o, &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "HTTPS needs both"));
	cfg.web_cert_file[0] = '\0';
	cfg.web_listen[0] = '\0';
	ulf_err_clear(&err);
	assert_int_equal(web_start(&w, &o, &err), ULF_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_session_and_csrf),
		cmocka_unit_test(test_roles_and_timeouts),
		cmocka_unit_test(test_start_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
