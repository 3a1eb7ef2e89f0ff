/*
 * test_html.c - unit tests for robot/web/html.c, the writer every
 * workbench page goes through: outside data stays text (<script>, an
 * attribute breakout with " or ', entities, javascript: URLs), invalid
 * UTF-8 and control characters become U+FFFD, refused names, elements
 * closed in order, the page cap, Swedish number display, URL parameters
 * and personal identity numbers masked.
 *
 * html_raw_literal only takes string literals; that is a compile-time
 * property, so it is checked by compiling, not here: tests/cli/html_literal.sh
 * compiles a call with a variable and fails unless the compiler refuses it.
 * The same script checks that html_open with an odd number of names and
 * values does not compile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dec.h"
#include "core/err.h"
#include "robot/web/html.h"

/* The page h holds, which must be written without failure; freed by the
 * caller. */
static char *page(html *h)
{
	char *out = NULL;
	size_t len = 0;
	ulf_err err;

	ulf_err_clear(&err);
	if (html_take(&out, &len, h, &err) != 0)
		fail_msg("html_take: %s", err.msg);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

static void expect_page(html *h, const char *want)
{
	char *got = page(h);

	assert_string_equal(got, want);
	free(got);
}

/* html_take fails with `code` and a message containing `needle`. */
static void expect_failure(html *h, int code, const char *needle)
{
	char *out = (char *)1;
	size_t len = 7;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(html_take(&out, &len, h, &err), code);
	assert_null(out);
	assert_int_equal(len, 0);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_text_escaped(void **state)
{
	html *h = html_new(0);

	(void)state;
	assert_non_null(h);
	html_elem(h, "td", "<script>alert(1)</script>");
	expect_page(h, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");

	html_text(h, "Fisk & Skaldjur AB 'Sillen' \"Bästa\"");
	expect_page(h, "Fisk &amp; Skaldjur AB &#39;Sillen&#39; &quot;Bästa&quot;");

	/* An entity in the data is data: it is escaped again, not passed. */
	html_text(h, "&amp; &lt;b&gt; &#60;");
	expect_page(h, "&amp;amp; &amp;lt;b&amp;gt; &amp;#60;");

	html_text(h, NULL);
	html_text(h, "");
	expect_page(h, "");
	html_free(h);
}

static void test_attribute_breakout(void **state)
{
	html *h = html_new(0);

	(void)state;
	html_open(h, "input", "type", "text", "value", "\" onmouseover=\"alert(1)");
	expect_page(h, "<input type=\"text\" value=\"&quot; onmouseover=&quot;alert(1)\">");

	html_open(h, "span", "title", "' onclick='x()' a='");
	html_close(h, "span");
	expect_page(h, "<span title=\"&#39; onclick=&#39;x()&#39; a=&#39;\"></span>");

	html_open(h, "td", "title", "a>b<c&d");
	html_attr(h, "class", "amount");
	html_attr(h, "data-id", NULL);               /* left out */
	html_text(h, "x");
	html_close(h, "td");
	expect_page(h, "<td title=\"a&gt;b&lt;c&amp;d\" class=\"amount\">x</td>");

	/* A NULL value inside html_open leaves that attribute out, not the rest. */
	html_open(h, "a", "title", NULL, "class", "c", "href", "/q");
	html_close(h, "a");
	expect_page(h, "<a class=\"c\" href=\"/q\"></a>");
	html_free(h);
}

static void test_urls(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/queue/12?tab=lines&sort=amount", "/queue/12?tab=lines&amp;sort=amount" },
		{ "https://example.se/a", "https://example.se/a" },
		{ "HTTP://example.se/", "HTTP://example.se/" },
		{ "mailto:ap@region.se", "mailto:ap@region.se" },
		{ "?page=2", "?page=2" },
		{ "#lines", "#lines" },
		{ "", "" },
		{ "a/b:c", "a/b:c" },                          /* ':' after '/': relative */
		{ "javascript:alert(1)", "#invalid-url" },
		{ "JavaScript:alert(1)", "#invalid-url" },
		{ " javascript:alert(1)", "#invalid-url" },
		{ "java\tscript:alert(1)", "#invalid-url" },
		{ "\x01javascript:alert(1)", "#invalid-url" },
		{ "data:text/html,<script>", "#invalid-url" },
		{ "vbscript:x", "#invalid-url" },
		{ ":x", "#invalid-url" },
	};
	html *h = html_new(0);
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		html_open(h, "a", "href", cases[i].in);
		html_close(h, "a");
		snprintf(want, sizeof(want), "<a href=\"%s\"></a>", cases[i].out);
		expect_page(h, want);
	}
	/* Every URL attribute is checked, and the same value elsewhere is
	 * just text. */
	html_open(h, "form", "action", "javascript:x", "title", "javascript:x");
	html_close(h, "form");
	expect_page(h, "<form action=\"#invalid-url\" title=\"javascript:x\"></form>");
	html_open(h, "img", "src", "data:image/png;base64,AAAA", "alt", "");
	expect_page(h, "<img src=\"#invalid-url\" alt=\"\">");
	html_free(h);
}

static void test_url_param(void **state)
{
	char out[64], tiny[4];

	(void)state;
	assert_int_equal(html_url_param(out, sizeof(out), "Åhléns & Co/AB?x=1#y"), 0);
	assert_string_equal(out, "%C3%85hl%C3%A9ns%20%26%20Co%2FAB%3Fx%3D1%23y");
	assert_int_equal(html_url_param(out, sizeof(out), "A-z0.9_~"), 0);
	assert_string_equal(out, "A-z0.9_~");
	assert_int_equal(html_url_param(out, sizeof(out), "\"><script>"), 0);
	assert_string_equal(out, "%22%3E%3Cscript%3E");
	assert_int_equal(html_url_param(out, sizeof(out), ""), 0);
	assert_string_equal(out, "");

	assert_int_equal(html_url_param(tiny, sizeof(tiny), "abc"), 0);
	assert_string_equal(tiny, "abc");
	assert_int_equal(html_url_param(tiny, sizeof(tiny), "abcd"), ULF_ELIMIT);
	assert_string_equal(tiny, "");
	assert_int_equal(html_url_param(tiny, sizeof(tiny), "a b"), ULF_ELIMIT);
	assert_int_equal(html_url_param(tiny, 0, "a"), ULF_ELIMIT);
}

static void test_invalid_utf8(void **state)
{
	static const struct { const char *in; size_t len; const char *out; } cases[] = {
		{ "a\xC3\xA5z", 4, "a\xC3\xA5z" },                         /* valid å */
		{ "\xF0\x9F\x90\x9F", 4, "\xF0\x9F\x90\x9F" },                /* valid 4-byte */
		{ "a\xFFz", 3, "a\xEF\xBF\xBDz" },                         /* never valid */
		{ "a\x80z", 3, "a\xEF\xBF\xBDz" },                         /* lone continuation */
		{ "a\xC3z", 3, "a\xEF\xBF\xBDz" },                         /* truncated */
		{ "a\xC3", 2, "a\xEF\xBF\xBD" },                           /* truncated at end */
		{ "\xE2\x82z", 3, "\xEF\xBF\xBDz" },                       /* one U+FFFD per subpart */
		{ "\xC0\xBC", 2, "\xEF\xBF\xBD\xEF\xBF\xBD" },             /* overlong '<' */
		{ "\xE0\x80\xBC", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" }, /* overlong */
		{ "\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" }, /* surrogate */
		{ "\xF4\x90\x80\x80", 4,
		  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },      /* > U+10FFFF */
		{ "a\0b", 3, "a\xEF\xBF\xBD" "b" },                        /* NUL */
		{ "a\x1b[31mb", 7, "a\xEF\xBF\xBD[31mb" },                 /* escape */
		{ "a\x7f" "b", 3, "a\xEF\xBF\xBD" "b" },                   /* DEL */
		{ "a\xC2\x85z", 4, "a\xEF\xBF\xBDz" },                     /* C1 NEL */
		{ "a\xC2\xA0z", 4, "a\xC2\xA0z" },                         /* no-break space */
		{ "t\tn\nr\r", 6, "t\tn\nr\r" },                           /* kept */
	};
	html *h = html_new(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got;

		html_text_n(h, cases[i].in, cases[i].len);
		got = page(h);
		if (strcmp(got, cases[i].out) != 0)
			fail_msg("case %zu: got \"%s\"", i, got);
		free(got);
	}
	/* In an attribute as well. */
	html_open(h, "td", "title", "\xC3<\xFF");
	html_close(h, "td");
	expect_page(h, "<td title=\"\xEF\xBF\xBD&lt;\xEF\xBF\xBD\"></td>");
	html_free(h);
}

static void test_raw_and_structure(void **state)
{
	html *h = html_new(0);

	(void)state;
	html_raw_literal(h, "<!DOCTYPE html>");
	html_open(h, "html", "lang", "sv");
	html_open(h, "head");
	html_raw_literal(h, "<meta charset=\"utf-8\">");
	html_elem(h, "title", "Kö");
	html_close(h, "head");
	html_open(h, "body");
	html_open(h, "table");
	html_open(h, "tr");
	html_open(h, "td", "class", "amount");
	html_dec(h, dec_make(123456789, 2), 2, HTML_NUM_SV);
	html_close(h, "td");
	html_close(h, "tr");
	html_close(h, "table");
	html_open(h, "br");                          /* void: nothing to close */
	html_close(h, "body");
	html_close(h, "html");
	expect_page(h,
		"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\">"
		"<title>Kö</title></head><body><table><tr><td class=\"amount\">"
		"1\xC2\xA0" "234\xC2\xA0" "567,89</td></tr></table><br></body></html>");

	/* A close that does not match fails the page, and the writer is
	 * usable again after html_take. */
	html_open(h, "tr");
	html_open(h, "td");
	html_close(h, "tr");
	expect_failure(h, ULF_EINVAL, "</tr> closes <td>");
	html_close(h, "td");
	expect_failure(h, ULF_EINVAL, "</td> closes nothing");
	html_open(h, "div");
	expect_failure(h, ULF_EINVAL, "<div> not closed");
	html_open(h, "br");
	html_close(h, "br");
	expect_failure(h, ULF_EINVAL, "</br> closes nothing");
	html_text(h, "ok");
	expect_page(h, "ok");

	/* html_attr only inside a start tag. */
	html_open(h, "p");
	html_text(h, "x");
	html_attr(h, "class", "late");
	expect_failure(h, ULF_EINVAL, "outside a start tag");
	html_free(h);
}

static void test_refused_names(void **state)
{
	static const char *const tags[] = {
		"script", "style", "iframe", "noscript", "template", "xmp", "plaintext",
		"object", "embed", "SCRIPT", "a b", "a>", "", "x-foo", "averyveryverylongtag",
	};
	static const char *const attrs[] = {
		"onclick", "onmouseover", "ONCLICK", "style", "srcdoc", "srcset",
		"http-equiv", "a b", "a=\"b\"", "", "x\"", "9a",
	};
	html *h = html_new(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		html_open(h, tags[i]);
		expect_failure(h, ULF_EINVAL, "element name");
	}
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		html_open(h, "div", attrs[i], "x");
		expect_failure(h, ULF_EINVAL, "attribute name");
	}
	/* The sticky failure: nothing is written after it. */
	html_text(h, "before");
	html_open(h, "script");
	html_text(h, "after");
	expect_failure(h, ULF_EINVAL, "\"script\"");
	html_free(h);
}

static void test_cap(void **state)
{
	html *h = html_new(10);
	char *big;
	size_t i;

	(void)state;
	html_text(h, "0123456789");                  /* exactly the cap */
	expect_page(h, "0123456789");
	html_text(h, "0123456789a");
	expect_failure(h, ULF_ELIMIT, "larger than 10 bytes");
	html_text(h, "01234567&");                   /* escaping counts */
	expect_failure(h, ULF_ELIMIT, "larger than 10 bytes");
	html_text(h, "abc");
	html_text(h, "defghijk");
	html_text(h, "x");                           /* nothing after the failure */
	expect_failure(h, ULF_ELIMIT, "larger than 10 bytes");
	html_free(h);

	/* A large page grows across reallocations up to its cap. */
	h = html_new(100000);
	big = malloc(1001);
	assert_non_null(big);
	memset(big, '<', 1000);
	big[1000] = '\0';
	for (i = 0; i < 25; i++)
		html_text(h, big);                   /* 25 x 4000 bytes */
	{
		char *got = page(h);
		assert_int_equal(strlen(got), 100000);
		free(got);
	}
	memset(big, 'x', 1000);
	big[1000] = '\0';
	for (i = 0; i < 101; i++)
		html_text(h, big);
	expect_failure(h, ULF_ELIMIT, "larger than 100000 bytes");
	free(big);
	html_free(h);
	html_free(NULL);
}

static void test_nesting_cap(void **state)
{
	html *h = html_new(0);
	int i;

	(void)state;
	for (i = 0; i < HTML_DEPTH_MAX; i++)
		html_open(h, "div");
	assert_int_equal(html_status(h), 0);
	html_open(h, "div");
	expect_failure(h, ULF_ELIMIT, "nested deeper");
	html_free(h);
}

static void test_numbers(void **state)
{
	static const struct { int64_t v; int scale, places; const char *sv, *plain; } cases[] = {
		{ 0, 0, 0, "0", "0" },
		{ 0, 0, 2, "0,00", "0.00" },
		{ 5, 1, 2, "0,50", "0.50" },
		{ -5, 1, 2, "-0,50", "-0.50" },
		{ 999, 0, 0, "999", "999" },
		{ 1000, 0, 0, "1\xC2\xA0" "000", "1000" },
		{ 123456, 2, 2, "1\xC2\xA0" "234,56", "1234.56" },
		{ -123456789, 2, 2, "-1\xC2\xA0" "234\xC2\xA0" "567,89", "-1234567.89" },
		{ 100000000, 3, 0, "100\xC2\xA0" "000,000", "100000.000" },
		{ 12345, 4, 2, "1,2345", "1.2345" },
		{ INT64_MIN, 0, 0, "-9\xC2\xA0" "223\xC2\xA0" "372\xC2\xA0" "036\xC2\xA0"
		  "854\xC2\xA0" "775\xC2\xA0" "808", "-9223372036854775808" },
	};
	char out[HTML_NUM_MAX], tiny[4];
	html *h = html_new(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dec a = dec_make(cases[i].v, cases[i].scale);
		html_format_dec(out, sizeof(out), a, cases[i].places, HTML_NUM_SV);
		assert_string_equal(out, cases[i].sv);
		html_format_dec(out, sizeof(out), a, cases[i].places, HTML_NUM_PLAIN);
		assert_string_equal(out, cases[i].plain);
	}
	assert_int_equal(html_format_dec(tiny, sizeof(tiny), dec_make(1234, 0), 0, HTML_NUM_SV), 0);
	assert_string_equal(tiny, "");
	assert_int_equal(html_format_dec(tiny, sizeof(tiny), dec_make(123, 0), 0, HTML_NUM_PLAIN), 3);

	html_int(h, 1234567, HTML_NUM_SV);
	html_text(h, " ");
	html_int(h, -42, HTML_NUM_PLAIN);
	html_text(h, " ");
	html_dec(h, dec_make(2500, 2), 2, HTML_NUM_PLAIN);
	expect_page(h, "1\xC2\xA0" "234\xC2\xA0" "567 -42 25.00");
	html_free(h);
}

/* Personal identity numbers on a page are masked, in text and attribute
 * values alike, unless the page asks for one unmasked on purpose. */
static void test_identities_masked(void **state)
{
	html *h = html_new(0);

	(void)state;
	assert_non_null(h);
	html_open(h, "td", "title", "patient-19121212-1212.xml");
	html_text(h, "Vård av 191212121212 <b>");
	html_close(h, "td");
	html_text_n(h, "121212-1212", 11);
	html_elem(h, "p", "OCR 1234567897, org 556036-0793");
	html_text_unmasked(h, "19121212-1212 & co");
	expect_page(h, "<td title=\"patient-19121212-****.xml\">Vård av 19121212-**** &lt;b&gt;"
		       "</td>121212-****<p>OCR 1234567897, org 556036-0793</p>"
		       "19121212-1212 &amp; co");
	html_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escaped),
		cmocka_unit_test(test_attribute_breakout),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_url_param),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_raw_and_structure),
		cmocka_unit_test(test_refused_names),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_nesting_cap),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_identities_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
