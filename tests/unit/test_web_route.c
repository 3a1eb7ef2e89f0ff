/*
 * test_web_route.c - unit tests for the workbench's routing (robot/web/
 * route.c): patterns with literal segments, {name} and {name:int}
 * parameters, 404 against 405, HEAD answered by GET, and the local URLs a
 * login may send the browser on to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "robot/web/web.h"

static void h_list(web_ctx *c) { (void)c; }
static void h_show(web_ctx *c) { (void)c; }
static void h_act(web_ctx *c) { (void)c; }
static void h_asset(web_ctx *c) { (void)c; }

static const web_route routes[] = {
	{ "GET", "/queue", AUTH_QUEUE_VIEW, h_list },
	{ "GET", "/queue/{id:int}", AUTH_QUEUE_VIEW, h_show },
	{ "POST", "/queue/{id:int}/{action}", AUTH_QUEUE_ACT, h_act },
	{ "GET", "/assets/{name}", WEB_OPEN, h_asset },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static void test_match_literal(void **state)
{
	web_params p;

	(void)state;
	assert_true(web_route_match(&p, "/queue", "/queue"));
	assert_int_equal(p.n, 0);
	assert_false(web_route_match(&p, "/queue", "/queue/"));
	assert_false(web_route_match(&p, "/queue", "/queu"));
	assert_false(web_route_match(&p, "/queue", "/queues"));
	assert_false(web_route_match(&p, "/queue", "/QUEUE"));
	assert_false(web_route_match(&p, "/queue", ""));
	assert_false(web_route_match(&p, NULL, "/queue"));
	assert_false(web_route_match(&p, "/queue", NULL));
}

static void test_match_params(void **state)
{
	web_params p;

	(void)state;
	assert_true(web_route_match(&p, "/queue/{id:int}/{action}", "/queue/17/approve"));
	assert_int_equal(p.n, 2);
	assert_string_equal(p.p[0].name, "id");
	assert_string_equal(p.p[0].value, "17");
	assert_string_equal(p.p[1].name, "action");
	assert_string_equal(p.p[1].value, "approve");
	assert_true(web_route_match(&p, "/assets/{name}", "/assets/ulf.css"));
	assert_string_equal(p.p[0].value, "ulf.css");
	/* a parameter is one segment, never empty, never more */
	assert_false(web_route_match(&p, "/assets/{name}", "/assets/"));
	assert_false(web_route_match(&p, "/assets/{name}", "/assets/a/b"));
	assert_false(web_route_match(&p, "/assets/{name}", "/assets/a b"));
	assert_false(web_route_match(&p, "/assets/{name}", "/assets/a%2fb"));
	/* a malformed pattern matches nothing */
	assert_false(web_route_match(&p, "/assets/{name", "/assets/x"));
	assert_false(web_route_match(&p, "/assets/{}", "/assets/x"));
	assert_false(web_route_match(&p, "/assets/{n:float}", "/assets/1"));
}

static void test_match_int(void **state)
{
	static const char *const good[] = { "1", "17", "9223372036854775807", NULL };
	static const char *const bad[] = {
		"0", "01", "-1", "+1", "1e3", "1.0", "0x10", " 1", "1 ",
		"9223372036854775808", "99999999999999999999", "", "1%00", "abc", NULL
	};
	char path[64];
	web_params p;
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++) {
		snprintf(path, sizeof(path), "/queue/%s", good[i]);
		assert_true(web_route_match(&p, "/queue/{id:int}", path));
		assert_string_equal(p.p[0].value, good[i]);
	}
	for (i = 0; bad[i]; i++) {
		snprintf(path, sizeof(path), "/queue/%s", bad[i]);
		if (web_route_match(&p, "/queue/{id:int}", path))
			fail_msg("/queue/{id:int} matched %s", path);
	}
}

static void test_find(void **state)
{
	web_params p;
	const web_route *r;
	int status;

	(void)state;
	r = web_route_find(&p, &status, routes, NROUTES, "GET", "/queue");
	assert_ptr_equal(r, &routes[0]);
	assert_int_equal(status, 200);
	r = web_route_find(&p, &status, routes, NROUTES, "HEAD", "/queue/5");
	assert_ptr_equal(r, &routes[1]);
	assert_string_equal(p.p[0].value, "5");
	r = web_route_find(&p, &status, routes, NROUTES, "POST", "/queue/5/reject");
	assert_ptr_equal(r, &routes[2]);
	assert_int_equal(p.n, 2);
	/* a known path asked the wrong way: 405, not 404 */
	r = web_route_find(&p, &status, routes, NROUTES, "POST", "/queue");
	assert_null(r);
	assert_int_equal(status, 405);
	r = web_route_find(&p, &status, routes, NROUTES, "GET", "/queue/5/reject");
	assert_null(r);
	assert_int_equal(status, 405);
	r = web_route_find(&p, &status, routes, NROUTES, "DELETE", "/queue/5");
	assert_null(r);
	assert_int_equal(status, 405);
	/* unknown paths */
	r = web_route_find(&p, &status, routes, NROUTES, "GET", "/nothing");
	assert_null(r);
	assert_int_equal(status, 404);
	r = web_route_find(&p, &status, routes, NROUTES, "GET", "/queue/0");
	assert_null(r);
	assert_int_equal(status, 404);
	assert_int_equal(p.n, 0);
}

static void test_local_url(void **state)
{
	(void)state;
	assert_true(web_local_url_ok("/"));
	assert_true(web_local_url_ok("/queue"));
	assert_true(web_local_url_ok("/queue?mine=1&sort=due"));
	assert_false(web_local_url_ok(NULL));
	assert_false(web_local_url_ok(""));
	assert_false(web_local_url_ok("queue"));
	assert_false(web_local_url_ok("//evil.example/"));
	assert_false(web_local_url_ok("/\\evil.example/"));
	assert_false(web_local_url_ok("https://evil.example/"));
	assert_false(web_local_url_ok("javascript:alert(1)"));
	assert_false(web_local_url_ok("/a b"));
	assert_false(web_local_url_ok("/a\r\nSet-Cookie: x=1"));
	assert_false(web_local_url_ok("/\xC3\xA5"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_literal),
		cmocka_unit_test(test_match_params),
		cmocka_unit_test(test_match_int),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_local_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
