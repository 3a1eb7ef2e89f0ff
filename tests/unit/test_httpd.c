/*
 * test_httpd.c - unit tests for core/httpd: the pure helpers (cookies,
 * forms, paths, address lists) and a live server on loopback driven over
 * raw sockets: escapes of NUL kept, the head hook answering before the
 * body, a Content-Length over the cap refused unread, headers on every
 * answer, the head deadline cutting a client that trickles its head, and
 * the limit of connections per client address.
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

#include "core/httpd.h"

/* ---- pure helpers ---------------------------------------------------------- */

static void test_cookie(void **state)
{
	char v[80];

	(void)state;
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "a=1; ulf_session=abc; b=2", "ulf_session"), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "ulf_session=abc", "ulf_session"), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "  ulf_session = \"q\" ;x=y", "ulf_session"), 0);
	assert_string_equal(v, "q");
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "ulf_session=", "ulf_session"), 0);
	assert_string_equal(v, "");
	/* a name that only ends or starts like it is another cookie */
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "xulf_session=1; ulf_sessionx=2",
					   "ulf_session"), ULF_ENOTFOUND);
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "ulf_session", "ulf_session"),
			 ULF_ENOTFOUND);
	assert_int_equal(httpd_cookie_find(v, sizeof(v), NULL, "ulf_session"), ULF_ENOTFOUND);
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "", "ulf_session"), ULF_ENOTFOUND);
	/* twice: which one the browser meant is unknown - neither */
	assert_int_equal(httpd_cookie_find(v, sizeof(v), "ulf_session=a; ulf_session=b",
					   "ulf_session"), ULF_EINVAL);
	/* too long for the buffer */
	assert_int_equal(httpd_cookie_find(v, 4, "ulf_session=abcdef", "ulf_session"), ULF_ELIMIT);
	assert_string_equal(v, "");
}

static void test_path(void **state)
{
	static const char *const good[] = {
		"/", "/queue", "/queue/", "/queue/17", "/assets/ulf.css", "/a-b_c~d.e",
		"/.well-known/x", NULL
	};
	static const char *const bad[] = {
		"", "queue", "//queue", "/queue//17", "/../etc/passwd", "/queue/..", "/queue/.",
		"/./queue", "/documents/1%00", "/documents/1%2500", "/a b", "/a\tb", "/a\nb",
		"/\xC3\xA5", "/a;b", "/a?b", "/a#b", "/a\\b", NULL
	};
	char long_path[1100];
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		if (!httpd_path_ok(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; bad[i]; i++)
		if (httpd_path_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_false(httpd_path_ok(NULL));
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	assert_false(httpd_path_ok(long_path));
	long_path[1000] = '\0';
	assert_true(httpd_path_ok(long_path));
}

static void test_addr_list(void **state)
{
	(void)state;
	assert_true(httpd_addr_list_ok(""));
	assert_true(httpd_addr_list_ok("10.0.0.5"));
	assert_true(httpd_addr_list_ok("10.0.0.5, 192.168.1.0/24,127.0.0.1"));
	assert_true(httpd_addr_list_ok("0.0.0.0/0"));
	assert_false(httpd_addr_list_ok(NULL));
	assert_false(httpd_addr_list_ok("10.0.0"));
	assert_false(httpd_addr_list_ok("10.0.0.5/33"));
	assert_false(httpd_addr_list_ok("10.0.0.5/"));
	assert_false(httpd_addr_list_ok("10.0.0.5/-1"));
	assert_false(httpd_addr_list_ok("proxy.example"));
	assert_false(httpd_addr_list_ok("::1"));
}

static void test_form(void **state)
{
	httpd_form *f;
	const char *n, *v;
	ulf_err err;
	char big[8192];
	size_t i, len = 0;

	(void)state;
	ulf_err_clear(&err);
	v = "user=anna&password=a+b%26c%3D&next=%2Fqueue&x=&y";
	assert_int_equal(httpd_form_parse(&f, v, strlen(v), &err), 0);
	assert_int_equal(httpd_form_count(f), 5);
	assert_string_equal(httpd_form_get(f, "user"), "anna");
	assert_string_equal(httpd_form_get(f, "password"), "a b&c=");
	assert_string_equal(httpd_form_get(f, "next"), "/queue");
	assert_string_equal(httpd_form_get(f, "x"), "");
	assert_string_equal(httpd_form_get(f, "y"), "");
	assert_null(httpd_form_get(f, "z"));
	httpd_form_at(f, 1, &n, &v);
	assert_string_equal(n, "password");
	httpd_form_free(f);

	/* repeated names, UTF-8, empty fields skipped */
	assert_int_equal(httpd_form_parse(&f, "a=1&&a=2&b=%C3%A5%E2%82%AC", 26, &err), 0);
	assert_int_equal(httpd_form_count(f), 3);
	assert_string_equal(httpd_form_get(f, "a"), "1");
	httpd_form_at(f, 1, &n, &v);
	assert_string_equal(v, "2");
	assert_string_equal(httpd_form_get(f, "b"), "\xC3\xA5\xE2\x82\xAC");
	httpd_form_free(f);
	assert_int_equal(httpd_form_parse(&f, "", 0, &err), 0);
	assert_int_equal(httpd_form_count(f), 0);
	httpd_form_free(f);
	httpd_form_free(NULL);

	/* refused: bad escapes, NUL and controls, invalid UTF-8, no name */
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%zz", "a=%00", "a=x%01y", "a=%7F", "a=%C3", "a=%C3%28",
		"a=%ED%A0%80", "a=%C0%AF", "a=%C2%85", "=x", "%=1", "a%00=1", NULL
	};
	for (i = 0; bad[i]; i++) {
		f = (httpd_form *)1;
		if (httpd_form_parse(&f, bad[i], strlen(bad[i]), NULL) != ULF_EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_null(f);
	}
	/* tab, CR and LF are text (a comment field) */
	assert_int_equal(httpd_form_parse(&f, "c=a%09b%0D%0Ac", 14, &err), 0);
	assert_string_equal(httpd_form_get(f, "c"), "a\tb\r\nc");
	httpd_form_free(f);
	/* a body is not a C string: a NUL byte in it is refused, not an end */
	assert_int_equal(httpd_form_parse(&f, "a=1\0b=2", 7, NULL), ULF_EINVAL);

	/* too many fields */
	for (i = 0; i < HTTPD_FORM_FIELDS_MAX + 1; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "f=%zu&", i % 10);
	assert_int_equal(httpd_form_parse(&f, big, len, NULL), ULF_ELIMIT);
	/* a name too long */
	memset(big, 'n', HTTPD_FORM_NAME_MAX + 1);
	memcpy(big + HTTPD_FORM_NAME_MAX + 1, "=1", 2);
	assert_int_equal(httpd_form_parse(&f, big, HTTPD_FORM_NAME_MAX + 3, NULL), ULF_EINVAL);
}

static void test_headers(void **state)
{
	httpd_response r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(httpd_add_header(&r, "X-A", "1"), 0);
	assert_int_equal(httpd_add_header(&r, "X-B", "a\r\nSet-Cookie: x=1"), ULF_EINVAL);
	assert_int_equal(httpd_add_header(&r, "X-B\r\nY", "1"), ULF_EINVAL);
	assert_int_equal(httpd_add_header(&r, "X-B: y", "1"), ULF_EINVAL);
	assert_int_equal(httpd_add_header(&r, "", "1"), ULF_EINVAL);
	while (r.nheaders < HTTPD_HEADERS_MAX)
		assert_int_equal(httpd_add_header(&r, "X-C", "1"), 0);
	assert_int_equal(httpd_add_header(&r, "X-D", "1"), ULF_ELIMIT);
	httpd_response_clear(&r);
	httpd_redirect(&r, 303, "/queue");
	assert_int_equal(r.status, 303);
	httpd_response_clear(&r);
	assert_int_equal(r.nheaders, 0);
	httpd_redirect(&r, 303, "/queue\r\nX: y");
	assert_int_equal(r.status, 500);
	httpd_response_clear(&r);
}

/* ---- a live server --------------------------------------------------------- */

static int heads, bodies;

static void head_hook(httpd_response *out, httpd_request *req, void *ctx)
{
	(void)ctx;
	heads++;
	if (strcmp(httpd_path(req), "/refuse") == 0)
		httpd_reply(out, 401, "text/plain", "no\n");
	if (strcmp(httpd_path(req), "/small") == 0)
		httpd_limit_body(req, 10);
}

static void handler(httpd_response *out, const httpd_request *req, void *ctx)
{
	char text[256];
	size_t len;

	(void)ctx;
	bodies++;
	httpd_body(req, &len);
	snprintf(text, sizeof(text), "path=%s body=%zu loopback=%d\n", httpd_path(req), len,
		 httpd_client_loopback(req));
	httpd_reply(out, 200, "text/plain", text);
}

static const char *const default_headers[] = { "X-Test", "yes", NULL };

static int connect_to(uint16_t port, const char *from)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	if (from) {
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		inet_pton(AF_INET, from, &a.sin_addr);
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Sends `req` and reads the answer until the server closes or `ms` pass. */
static size_t exchange(char *out, size_t n, uint16_t port, const char *req, size_t req_len,
		       int ms)
{
	int fd = connect_to(port, NULL);
	size_t got = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(send(fd, req, req_len, MSG_NOSIGNAL), (ssize_t)req_len);
	while (got + 1 < n && poll(&p, 1, ms) > 0) {
		ssize_t k = recv(fd, out + got, n - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	out[got] = '\0';
	close(fd);
	return got;
}

static void test_live(void **state)
{
	httpd_opts o;
	httpd *h;
	ulf_err err;
	uint16_t port;
	char buf[4096];
	static const char nul[] = "GET /documents/1%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	static const char esc[] = "GET /a%2Db HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	static const char refuse[] = "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
	static const char big[] = "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n";
	static const char fits[] = "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789";

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_body = 1000;
	o.head = head_hook;
	o.headers = default_headers;
	ulf_err_clear(&err);
	assert_int_equal(httpd_start(&h, &o, handler, NULL, &err), 0);
	port = httpd_port(h);
	assert_true(port > 0);

	/* %00 is not decoded: the path is not /documents/1 */
	exchange(buf, sizeof(buf), port, nul, sizeof(nul) - 1, 5000);
	assert_non_null(strstr(buf, "path=/documents/1%00 "));
	assert_non_null(strstr(buf, "X-Test: yes"));
	assert_non_null(strstr(buf, "loopback=1"));
	/* other escapes are */
	exchange(buf, sizeof(buf), port, esc, sizeof(esc) - 1, 5000);
	assert_non_null(strstr(buf, "path=/a-b "));

	/* the head hook answers before the body: the 100 MB are never sent */
	heads = bodies = 0;
	exchange(buf, sizeof(buf), port, refuse, sizeof(refuse) - 1, 5000);
	assert_non_null(strstr(buf, " 401 "));
	assert_non_null(strstr(buf, "X-Test: yes"));
	assert_int_equal(heads, 1);
	assert_int_equal(bodies, 0);
	/* a Content-Length over the request's cap: 413 at once */
	exchange(buf, sizeof(buf), port, big, sizeof(big) - 1, 5000);
	assert_non_null(strstr(buf, " 413 "));
	assert_non_null(strstr(buf, "X-Test: yes"));
	assert_int_equal(bodies, 0);
	exchange(buf, sizeof(buf), port, fits, sizeof(fits) - 1, 5000);
	assert_non_null(strstr(buf, " 200 "));
	assert_non_null(strstr(buf, "body=10"));
	httpd_stop(h);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the server closed fd within ms (a read sees the end or a reset). */
static int closed_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c[256];

	while (poll(&p, 1, ms) > 0) {
		ssize_t k = recv(fd, c, sizeof(c), 0);
		if (k <= 0)
			return 1;
	}
	return 0;
}

static void test_head_deadline(void **state)
{
	httpd_opts o;
	httpd *h;
	ulf_err err;
	uint16_t port;
	int fd, i;
	int64_t t0;
	char buf[4096];
	static const char health[] = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

	(void)state;
	memset(&o, 0, sizeof(o));
	o.head_timeout_s = 1;
	o.max_connections = 8;
	o.per_client = 2;
	ulf_err_clear(&err);
	assert_int_equal(httpd_start(&h, &o, handler, NULL, &err), 0);
	port = httpd_port(h);

	/* a client that sends a header line every 300 ms never idles out,
	 * but its head is cut after a second */
	fd = connect_to(port, NULL);
	t0 = now_ms();
	assert_true(send(fd, "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL) == 16);
	for (i = 0; i < 20; i++) {
		if (closed_within(fd, 300))
			break;
		if (send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) != 11)
			break;
	}
	assert_true(i < 20);
	assert_true(now_ms() - t0 >= 900);
	assert_true(now_ms() - t0 < 4000);
	close(fd);

	/* two slow connections from 127.0.0.2 take its share; the third is
	 * closed at once, and 127.0.0.1 is still served */
	{
		int a = connect_to(port, "127.0.0.2"), b = connect_to(port, "127.0.0.2");
		int c3;

		assert_true(send(a, "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL) == 16);
		assert_true(send(b, "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL) == 16);
		usleep(100000);
		c3 = connect_to(port, "127.0.0.2");
		assert_true(closed_within(c3, 2000));
		close(c3);
		exchange(buf, sizeof(buf), port, health, sizeof(health) - 1, 3000);
		assert_non_null(strstr(buf, " 200 "));
		close(a);
		close(b);
	}
	httpd_stop(h);
}

static void test_start_refusals(void **state)
{
	httpd_opts o;
	httpd *h;
	ulf_err err;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.cert_file = "/nonexistent/cert.pem";
	ulf_err_clear(&err);
	assert_int_equal(httpd_start(&h, &o, handler, NULL, &err), ULF_EINVAL);
	assert_null(h);
	assert_non_null(strstr(err.msg, "refusing to serve plain HTTP"));
	memset(&o, 0, sizeof(o));
	o.client_ca_file = "/nonexistent/ca.pem";
	ulf_err_clear(&err);
	assert_int_equal(httpd_start(&h, &o, handler, NULL, &err), ULF_EINVAL);
	memset(&o, 0, sizeof(o));
	o.bind = "nowhere";
	ulf_err_clear(&err);
	assert_int_equal(httpd_start(&h, &o, handler, NULL, &err), ULF_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_addr_list),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_head_deadline),
		cmocka_unit_test(test_start_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
