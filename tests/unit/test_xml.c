/*
 * test_xml.c - unit tests for the hardened libxml2 wrapper (parsers/xml.c):
 * what xml_parse accepts and refuses and how it says so (one line, with the
 * name and the line number), the depth and size caps, the DOCTYPE refusal
 * that keeps out entities and DTDs, XInclude left alone, and the read-only
 * tree API - matching by namespace URI never by prefix, text with entities
 * and CDATA, attributes, emptiness and the paths findings point at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/arena.h"
#include "parsers/xml.h"

#define INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define XI "http://www.w3.org/2001/XInclude"

/* One invoice, written twice with different prefixes for the same URIs;
 * the second even uses two prefixes for the lines' namespace, as signing
 * tools that redeclare namespaces per element do. */
static const char doc_prefixed[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Invoice xmlns=\"" INV "\"\n"
	" xmlns:cac=\"" CAC "\"\n"
	" xmlns:cbc=\"" CBC "\">\n"
	"  <cbc:ID>INV-1</cbc:ID>\n"
	"  <cac:InvoiceLine>\n"
	"    <cbc:ID>1</cbc:ID>\n"
	"  </cac:InvoiceLine>\n"
	"  <cbc:Note>between</cbc:Note>\n"
	"  <cac:InvoiceLine>\n"
	"    <cbc:ID>2</cbc:ID>\n"
	"    <cbc:LineExtensionAmount currencyID=\"SEK\">100.00</cbc:LineExtensionAmount>\n"
	"  </cac:InvoiceLine>\n"
	"</Invoice>\n";

static const char doc_other_prefixes[] =
	"<ubl:Invoice xmlns:ubl=\"" INV "\" xmlns:a=\"" CAC "\" xmlns=\"" CBC "\">"
	"<ID>INV-1</ID>"
	"<a:InvoiceLine><ID>1</ID></a:InvoiceLine>"
	"<Note>between</Note>"
	"<c:InvoiceLine xmlns:c=\"" CAC "\" xmlns:b=\"" CBC "\"><b:ID>2</b:ID>"
	"<b:LineExtensionAmount currencyID=\"SEK\">100.00</b:LineExtensionAmount>"
	"</c:InvoiceLine>"
	"</ubl:Invoice>";

/* What a test allocated, freed by its teardown even when an assertion
 * fails half-way (cmocka leaves the test by longjmp). */
#define KEEP_MAX 8
static void *kept[KEEP_MAX];
static xml_doc *kept_docs[KEEP_MAX];

static void *keep(void *p)
{
	size_t i;

	for (i = 0; i < KEEP_MAX; i++)
		if (!kept[i]) {
			kept[i] = p;
			return p;
		}
	fail_msg("keep: too many");
	return p;
}

static xml_doc *keep_doc(xml_doc *doc)
{
	size_t i;

	for (i = 0; i < KEEP_MAX; i++)
		if (!kept_docs[i]) {
			kept_docs[i] = doc;
			return doc;
		}
	fail_msg("keep_doc: too many");
	return doc;
}

static int release_kept(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < KEEP_MAX; i++) {
		free(kept[i]);
		kept[i] = NULL;
		xml_doc_free(kept_docs[i]);
		kept_docs[i] = NULL;
	}
	return 0;
}

static xml_doc *parse_ok(const char *text)
{
	xml_doc *doc = NULL;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	rc = xml_parse(&doc, text, strlen(text), "t.xml", NULL, &err);
	if (rc != 0)
		fail_msg("parse failed: %d %s", rc, err.msg);
	assert_non_null(doc);
	assert_int_equal(err.code, 0);
	return keep_doc(doc);
}

/* Parses with limits (NULL = defaults); returns the code, err filled. */
static int parse_rc(const char *text, size_t len, const xml_limits *limits,
		    ulf_err *err)
{
	static char sentinel;
	xml_doc *doc = (xml_doc *)(void *)&sentinel;   /* must be reset */
	int rc;

	ulf_err_clear(err);
	rc = xml_parse(&doc, text, len, "t.xml", limits, err);
	if (rc == 0) {
		assert_non_null(doc);
		xml_doc_free(doc);
	} else {
		assert_null(doc);
		assert_int_equal(err->code, rc);
	}
	return rc;
}

/* Every failure message is one line that begins with the name. */
static void assert_one_line_named(const ulf_err *err)
{
	assert_true(strncmp(err->msg, "t.xml: ", 7) == 0);
	if (strchr(err->msg, '\n'))
		fail_msg("message spans several lines: \"%s\"", err->msg);
}

static char *nested(unsigned depth)
{
	size_t cap = (size_t)depth * 7 + 16, len = 0;
	char *s = keep(malloc(cap));
	unsigned i;

	assert_non_null(s);
	for (i = 0; i < depth; i++)
		len += (size_t)snprintf(s + len, cap - len, "<a>");
	for (i = 0; i < depth; i++)
		len += (size_t)snprintf(s + len, cap - len, "</a>");
	return s;
}

static void parse_good(void **state)
{
	xml_doc *doc;
	const xml_node *root;

	(void)state;
	doc = parse_ok(doc_prefixed);
	root = xml_root(doc);
	assert_string_equal(xml_name(root), "Invoice");
	assert_string_equal(xml_ns(root), INV);
	assert_null(xml_parent(root));
	/* libxml2 numbers an element by the line its start tag ends on */
	assert_int_equal(xml_line(root), 4);
	assert_int_equal(xml_line(xml_child(root, CBC, "ID")), 5);

	doc = parse_ok("<plain/>");
	assert_string_equal(xml_name(xml_root(doc)), "plain");
	assert_null(xml_ns(xml_root(doc)));
}

static void parse_bad_with_line(void **state)
{
	static const char unclosed[] = "<r>\n  <a>\n  </b>\n</r>\n";
	static const char garbage[] = "\x01\x02\x03 not xml";
	static const char two_roots[] = "<r/>\n<r/>\n";
	static const char bad_ns[] = "<r>\n\n\n<p:x/></r>";
	ulf_err err;

	(void)state;
	assert_int_equal(parse_rc(unclosed, strlen(unclosed), NULL, &err), ULF_EPARSE);
	assert_one_line_named(&err);
	assert_non_null(strstr(err.msg, "line 3"));

	assert_int_equal(parse_rc(garbage, strlen(garbage), NULL, &err), ULF_EPARSE);
	assert_one_line_named(&err);
	assert_non_null(strstr(err.msg, "line 1"));

	assert_int_equal(parse_rc(two_roots, strlen(two_roots), NULL, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "line 2"));

	assert_int_equal(parse_rc(bad_ns, strlen(bad_ns), NULL, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "line 4"));

	/* truncated */
	assert_int_equal(parse_rc(doc_prefixed, 200, NULL, &err), ULF_EPARSE);
	assert_one_line_named(&err);
	assert_non_null(strstr(err.msg, "line "));
}

static void parse_empty_and_unnamed(void **state)
{
	xml_doc *doc = NULL;
	ulf_err err;

	(void)state;
	assert_int_equal(parse_rc("", 0, NULL, &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.xml: empty document");
	assert_int_equal(parse_rc("   \n", 4, NULL, &err), ULF_EPARSE);
	assert_one_line_named(&err);
	/* no name: messages still say what */
	ulf_err_clear(&err);
	assert_int_equal(xml_parse(&doc, "<r>", 3, NULL, NULL, &err), ULF_EPARSE);
	assert_null(doc);
	assert_true(strncmp(err.msg, "<input>: ", 9) == 0);
}

/* libxml2 words some errors over two lines; ulf prints one per file. */
static void messages_are_one_line(void **state)
{
	static const char bad_utf8[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n\xff\xfe</r>\n";
	static const char nul[] = "<r>\n1\0" "2</r>";
	static const char bad_char_ref[] = "<r>&#0;</r>";
	ulf_err err;

	(void)state;
	assert_int_equal(parse_rc(bad_char_ref, strlen(bad_char_ref), NULL, &err), ULF_EPARSE);
	assert_one_line_named(&err);
	assert_int_equal(parse_rc(nul, sizeof(nul) - 1, NULL, &err), ULF_EPARSE);
	assert_one_line_named(&err);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_int_equal(parse_rc(bad_utf8, strlen(bad_utf8), NULL, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "UTF-8"));
	assert_one_line_named(&err);
}

static void depth_limit(void **state)
{
	xml_limits lim = { 1u << 20, 8 };
	ulf_err err;
	char *s;

	(void)state;
	/* exactly max_depth levels are fine, one more is not */
	s = nested(8);
	assert_int_equal(parse_rc(s, strlen(s), &lim, &err), 0);
	s = nested(9);
	assert_int_equal(parse_rc(s, strlen(s), &lim, &err), ULF_ELIMIT);
	assert_one_line_named(&err);
	assert_non_null(strstr(err.msg, "deeper than 8"));
	assert_non_null(strstr(err.msg, "line 1"));
}

static void depth_default_and_hostile(void **state)
{
	ulf_err err;
	clock_t t0;
	char *s;

	(void)state;
	s = nested(XML_DEFAULT_MAX_DEPTH);
	assert_int_equal(parse_rc(s, strlen(s), NULL, &err), 0);
	s = nested(XML_DEFAULT_MAX_DEPTH + 1);
	assert_int_equal(parse_rc(s, strlen(s), NULL, &err), ULF_ELIMIT);
	/* 100 000 deep: refused early, not after building the tree */
	s = nested(100000);
	t0 = clock();
	assert_int_equal(parse_rc(s, strlen(s), NULL, &err), ULF_ELIMIT);
	assert_true(clock() - t0 < CLOCKS_PER_SEC);
}

static void size_limit(void **state)
{
	xml_limits lim = { 64, 64 };
	char buf[128];
	ulf_err err;

	(void)state;
	/* 64 bytes exactly: read; 65: refused before parsing */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "<r>", 3);
	memcpy(buf + 60, "</r>", 4);
	assert_int_equal(parse_rc(buf, 64, &lim, &err), 0);
	buf[64] = ' ';
	assert_int_equal(parse_rc(buf, 65, &lim, &err), ULF_ELIMIT);
	assert_one_line_named(&err);
	assert_non_null(strstr(err.msg, "65 bytes"));
	assert_non_null(strstr(err.msg, "limit of 64 bytes"));
	/* even garbage over the limit is a limit error, not a parse error */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(parse_rc(buf, sizeof(buf), &lim, &err), ULF_ELIMIT);
}

static void doctype_refused(void **state)
{
	static const char *docs[] = {
		/* billion laughs */
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n"
		"<!ENTITY a \"aaaaaaaaaa\">\n"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
		"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
		"<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
		"<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
		"<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
		"<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n"
		"]>\n<r>&i;</r>\n",
		/* XXE */
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
		/* parameter entity */
		"<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><r/>",
		/* external DTD over the network */
		"<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/x.dtd\"><r/>",
		"<!DOCTYPE r PUBLIC \"-//X//Y//EN\" \"http://127.0.0.1:9/x.dtd\"><r/>",
		/* even an empty one */
		"<!DOCTYPE r><r/>",
		"<!DOCTYPE r []><r/>",
	};
	size_t i;
	ulf_err err;
	clock_t t0;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		t0 = clock();
		if (parse_rc(docs[i], strlen(docs[i]), NULL, &err) != ULF_ELIMIT)
			fail_msg("document %zu not refused: %s", i, err.msg);
		assert_true(clock() - t0 < CLOCKS_PER_SEC / 2);
		assert_one_line_named(&err);
		assert_non_null(strstr(err.msg, "DOCTYPE"));
		assert_non_null(strstr(err.msg, "line "));
		assert_null(strstr(err.msg, "root:"));
	}
	/* a reference to an undeclared entity is just malformed */
	assert_int_equal(parse_rc("<r>&x;</r>", 10, NULL, &err), ULF_EPARSE);
}

static void xinclude_left_alone(void **state)
{
	static const char text[] =
		"<r xmlns:xi=\"" XI "\"><v><xi:include href=\"file:///etc/passwd\" "
		"parse=\"text\"/></v></r>";
	xml_doc *doc = parse_ok(text);
	const xml_node *v = xml_child(xml_root(doc), NULL, "v");
	arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_non_null(xml_child(v, XI, "include"));
	assert_string_equal(xml_text(v, &a, NULL), "");
	assert_true(xml_is_empty(xml_child(v, XI, "include")));
	arena_release(&a);
}

/* The same walk over both spellings of the invoice. */
static void walk_invoice(const char *text)
{
	xml_doc *doc = parse_ok(text);
	const xml_node *root = xml_root(doc), *line, *id, *amt;

	assert_true(xml_is(root, INV, "Invoice"));
	assert_false(xml_is(root, CAC, "Invoice"));
	assert_false(xml_is(root, NULL, "Invoice"));
	assert_string_equal(xml_text(xml_child(root, CBC, "ID"), NULL, NULL), "INV-1");
	assert_int_equal(xml_count(root, CAC, "InvoiceLine"), 2);
	assert_int_equal(xml_count(root, CBC, "InvoiceLine"), 0);
	assert_int_equal(xml_count(root, CBC, "ID"), 1);
	assert_int_equal(xml_count(root, NULL, "ID"), 0);

	line = xml_child(root, CAC, "InvoiceLine");
	assert_non_null(line);
	assert_string_equal(xml_text(xml_child(line, CBC, "ID"), NULL, NULL), "1");
	assert_null(xml_child(line, CBC, "LineExtensionAmount"));
	line = xml_next(line, CAC, "InvoiceLine");
	assert_non_null(line);
	assert_true(xml_parent(line) == root);
	id = xml_child(line, CBC, "ID");
	assert_string_equal(xml_text(id, NULL, NULL), "2");
	amt = xml_child(line, CBC, "LineExtensionAmount");
	assert_string_equal(xml_attr(amt, "currencyID"), "SEK");
	assert_null(xml_next(line, CAC, "InvoiceLine"));
	/* the note between the lines is skipped by name, seen by position */
	assert_string_equal(xml_name(xml_next_element(xml_child(root, CAC, "InvoiceLine"))),
			    "Note");
	assert_string_equal(xml_name(xml_first_element(root)), "ID");
}

static void namespace_not_prefix(void **state)
{
	static const char wrong_uri[] =
		"<cbc:Invoice xmlns:cbc=\"urn:example:other\"><cbc:ID>x</cbc:ID></cbc:Invoice>";
	static const char no_ns[] = "<Invoice><ID>x</ID></Invoice>";
	xml_doc *doc;

	(void)state;
	walk_invoice(doc_prefixed);
	walk_invoice(doc_other_prefixes);

	/* the usual prefix bound to another URI is another element */
	doc = parse_ok(wrong_uri);
	assert_false(xml_is(xml_root(doc), INV, "Invoice"));
	assert_null(xml_child(xml_root(doc), CBC, "ID"));
	assert_non_null(xml_child(xml_root(doc), "urn:example:other", "ID"));

	/* NULL is "in no namespace", not "any namespace" */
	doc = parse_ok(no_ns);
	assert_true(xml_is(xml_root(doc), NULL, "Invoice"));
	assert_false(xml_is(xml_root(doc), INV, "Invoice"));
	assert_non_null(xml_child(xml_root(doc), NULL, "ID"));
	assert_null(xml_child(xml_root(doc), CBC, "ID"));

	/* NULL nodes are tolerated everywhere */
	assert_null(xml_child(NULL, CBC, "ID"));
	assert_null(xml_next(NULL, CBC, "ID"));
	assert_int_equal(xml_count(NULL, CBC, "ID"), 0);
	assert_false(xml_is(NULL, CBC, "ID"));
	assert_null(xml_attr(NULL, "x"));
	assert_null(xml_name(NULL));
	assert_null(xml_ns(NULL));
	assert_int_equal(xml_line(NULL), 0);
}

static void text_entities_cdata(void **state)
{
	static const char text[] =
		"<r>"
		"<amp>Fisk &amp; Skaldjur &lt;AB&gt; &#x41;&#66; &quot;&apos;</amp>"
		"<cdata><![CDATA[<b>&amp;</b>]]></cdata>"
		"<mixed>a<![CDATA[<b>]]>c</mixed>"
		"<comment>x<!-- hidden -->y</comment>"
		"<child>1<i>2</i>3</child>"
		"<utf8>Sörmland €</utf8>"
		"<none/>"
		"<ws>  padded\n</ws>"
		"</r>";
	xml_doc *doc = parse_ok(text);
	const xml_node *r = xml_root(doc);
	size_t len = 99;
	arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(xml_text(xml_child(r, NULL, "amp"), &a, &len),
			    "Fisk & Skaldjur <AB> AB \"'");
	assert_int_equal(len, strlen("Fisk & Skaldjur <AB> AB \"'"));
	assert_string_equal(xml_text(xml_child(r, NULL, "cdata"), &a, NULL), "<b>&amp;</b>");
	assert_string_equal(xml_text(xml_child(r, NULL, "mixed"), &a, &len), "a<b>c");
	assert_int_equal(len, 5);
	assert_string_equal(xml_text(xml_child(r, NULL, "comment"), &a, NULL), "xy");
	assert_string_equal(xml_text(xml_child(r, NULL, "child"), &a, NULL), "123");
	assert_string_equal(xml_text(xml_child(r, NULL, "utf8"), &a, NULL), "Sörmland €");
	assert_string_equal(xml_text(xml_child(r, NULL, "none"), &a, &len), "");
	assert_int_equal(len, 0);
	/* xml_text does not trim; the readers do */
	assert_string_equal(xml_text(xml_child(r, NULL, "ws"), &a, NULL), "  padded\n");
	assert_string_equal(xml_text(NULL, &a, &len), "");
	arena_release(&a);

	/* joining needs the arena: an exhausted one gives NULL, not garbage */
	arena_init(&a, 1);
	assert_null(xml_text(xml_child(r, NULL, "child"), &a, NULL));
	arena_release(&a);
}

static void attributes(void **state)
{
	static const char text[] =
		"<r xmlns:p=\"urn:p\" a=\"x&amp;y\" b=\"&#x41;\" empty=\"\" "
		"p:ns=\"namespaced\" xml:lang=\"sv\" sp=\" s \"/>";
	xml_doc *doc = parse_ok(text);
	const xml_node *r = xml_root(doc);

	(void)state;
	assert_string_equal(xml_attr(r, "a"), "x&y");
	assert_string_equal(xml_attr(r, "b"), "A");
	assert_string_equal(xml_attr(r, "empty"), "");
	assert_string_equal(xml_attr(r, "sp"), " s ");
	assert_null(xml_attr(r, "missing"));
	/* only attributes in no namespace */
	assert_null(xml_attr(r, "ns"));
	assert_null(xml_attr(r, "lang"));
}

static void emptiness(void **state)
{
	static const char text[] =
		"<r><a/><b>  \n\t\r </b><c>x</c><d><e/></d><f><!-- c --></f>"
		"<g><![CDATA[]]></g><h><![CDATA[ ]]></h><i>&#x20;</i><j>&#xA0;</j></r>";
	xml_doc *doc = parse_ok(text);
	const xml_node *r = xml_root(doc);

	(void)state;
	assert_true(xml_is_empty(xml_child(r, NULL, "a")));
	assert_true(xml_is_empty(xml_child(r, NULL, "b")));
	assert_false(xml_is_empty(xml_child(r, NULL, "c")));
	assert_false(xml_is_empty(xml_child(r, NULL, "d")));
	assert_true(xml_is_empty(xml_child(r, NULL, "f")));
	assert_true(xml_is_empty(xml_child(r, NULL, "g")));
	assert_true(xml_is_empty(xml_child(r, NULL, "h")));
	assert_true(xml_is_empty(xml_child(r, NULL, "i")));
	assert_false(xml_is_empty(xml_child(r, NULL, "j")));   /* no-break space */
}

static void paths(void **state)
{
	xml_doc *doc = parse_ok(doc_prefixed);
	const xml_node *root = xml_root(doc), *l1, *l2;
	char buf[256];
	size_t n;

	(void)state;
	l1 = xml_child(root, CAC, "InvoiceLine");
	l2 = xml_next(l1, CAC, "InvoiceLine");
	n = xml_path(buf, sizeof(buf), xml_child(l2, CBC, "ID"));
	assert_string_equal(buf, "/Invoice/cac:InvoiceLine[2]/cbc:ID");
	assert_int_equal(n, strlen(buf));
	xml_path(buf, sizeof(buf), xml_child(l1, CBC, "ID"));
	assert_string_equal(buf, "/Invoice/cac:InvoiceLine[1]/cbc:ID");
	xml_path(buf, sizeof(buf), xml_child(l2, CBC, "LineExtensionAmount"));
	assert_string_equal(buf, "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount");
	/* an only child gets no index */
	xml_path(buf, sizeof(buf), xml_child(root, CBC, "Note"));
	assert_string_equal(buf, "/Invoice/cbc:Note");
	xml_path(buf, sizeof(buf), root);
	assert_string_equal(buf, "/Invoice");

	/* a buffer too small is cut, never overrun */
	n = xml_path(buf, 12, xml_child(l2, CBC, "ID"));
	assert_true(n < 12);
	assert_int_equal(n, strlen(buf));
	assert_int_equal(xml_path(buf, 0, root), 0);

	/* the other spelling: its own prefixes, but the positions count
	 * siblings by namespace URI, as xml_next does */
	doc = parse_ok(doc_other_prefixes);
	root = xml_root(doc);
	l1 = xml_child(root, CAC, "InvoiceLine");
	l2 = xml_next(l1, CAC, "InvoiceLine");
	xml_path(buf, sizeof(buf), xml_child(l1, CBC, "ID"));
	assert_string_equal(buf, "/ubl:Invoice/a:InvoiceLine[1]/ID");
	xml_path(buf, sizeof(buf), xml_child(l2, CBC, "ID"));
	assert_string_equal(buf, "/ubl:Invoice/c:InvoiceLine[2]/b:ID");
}

/* A path starts at the root however deep the element is (within the cap). */
static void paths_deep(void **state)
{
	xml_limits lim = { 1u << 20, 200 };
	xml_doc *doc = NULL;
	const xml_node *n, *c;
	char buf[2048];
	ulf_err err;
	char *s = nested(100);

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(xml_parse(&doc, s, strlen(s), "t.xml", &lim, &err), 0);
	keep_doc(doc);
	for (n = xml_root(doc); (c = xml_first_element(n)) != NULL; n = c)
		;
	xml_path(buf, sizeof(buf), n);
	assert_int_equal(strlen(buf), 100 * 2);
}

static void big_line_numbers(void **state)
{
	size_t n = 70000, len = 0, i;
	char *s = keep(malloc(n + 64));
	xml_doc *doc;

	(void)state;
	assert_non_null(s);
	memcpy(s, "<r>", 3);
	len = 3;
	for (i = 1; i < n; i++)
		s[len++] = '\n';
	memcpy(s + len, "<x/></r>", 9);
	doc = parse_ok(s);
	assert_int_equal(xml_line(xml_child(xml_root(doc), NULL, "x")), 70000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(parse_good, release_kept),
		cmocka_unit_test_teardown(parse_bad_with_line, release_kept),
		cmocka_unit_test_teardown(parse_empty_and_unnamed, release_kept),
		cmocka_unit_test_teardown(messages_are_one_line, release_kept),
		cmocka_unit_test_teardown(depth_limit, release_kept),
		cmocka_unit_test_teardown(depth_default_and_hostile, release_kept),
		cmocka_unit_test_teardown(size_limit, release_kept),
		cmocka_unit_test_teardown(doctype_refused, release_kept),
		cmocka_unit_test_teardown(xinclude_left_alone, release_kept),
		cmocka_unit_test_teardown(namespace_not_prefix, release_kept),
		cmocka_unit_test_teardown(text_entities_cdata, release_kept),
		cmocka_unit_test_teardown(attributes, release_kept),
		cmocka_unit_test_teardown(emptiness, release_kept),
		cmocka_unit_test_teardown(paths, release_kept),
		cmocka_unit_test_teardown(paths_deep, release_kept),
		cmocka_unit_test_teardown(big_line_numbers, release_kept),
	};
	int rc;

	xml_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xml_global_cleanup();
	return rc;
}
