/*
 * test_validate_document.c - the validation layers over one read document
 * (parsers/validate_document.h): the rules for its syntax, the XSD layer
 * with its shortened messages, and the reader's own verdict.
 *
 * Reads samples/invoices (ULF_SAMPLES); the XSD cases need the schemas in
 * $ULF_SHARED/schemas and are skipped without them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "parsers/reader.h"
#include "parsers/validate_document.h"

#define UBL_SAMPLE "peppol-invoice-sormland.xml"

static char *sample(size_t *len, const char *name)
{
	const char *dir = getenv("ULF_SAMPLES");
	char path[1024];
	char *buf = NULL;
	ulf_err err;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/invoices/%s", dir, name);
	ulf_err_clear(&err);
	assert_int_equal(file_read(&buf, len, path, 1u << 24, &err), 0);
	return buf;
}

/* The sample with `from` (its first occurrence) replaced by `to`. */
static char *edited(size_t *len, const char *name, const char *from, const char *to)
{
	char *buf = sample(len, name), *at = strstr(buf, from), *out;
	size_t head, nf = strlen(from), nt = strlen(to);

	assert_non_null(at);
	head = (size_t)(at - buf);
	out = malloc(*len - nf + nt + 1);
	assert_non_null(out);
	memcpy(out, buf, head);
	memcpy(out + head, to, nt);
	memcpy(out + head + nt, at + nf, *len - head - nf);
	*len = *len - nf + nt;
	out[*len] = '\0';
	free(buf);
	return out;
}

static void read_doc(ulf_document *doc, const char *buf, size_t len, bool keep_xml)
{
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(reader_read(doc, buf, len, "test.xml", NULL, keep_xml, &err), 0);
}

static size_t count_rule(const findings *f, const char *rule)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		n += strcmp(f->items[i].rule, rule) == 0;
	return n;
}

static xml_schema *schemas_or_skip(void)
{
	const char *shared = getenv("ULF_SHARED");
	char dir[1024];
	xml_schema *s = NULL;
	ulf_err err;

	if (!shared)
		skip();
	snprintf(dir, sizeof(dir), "%s/schemas", shared);
	ulf_err_clear(&err);
	if (xml_schema_load(&s, dir, &err) != 0)
		skip();
	return s;
}

/* Without schemas a document gets exactly its syntax's rules. */
static void test_rules_only(void **state)
{
	ulf_document doc;
	findings a, b;
	size_t len;
	char *buf = edited(&len, UBL_SAMPLE, "<cbc:IssueDate>2025-03-03</cbc:IssueDate>",
			   "<cbc:IssueDate>2025-13-03</cbc:IssueDate>");
	ulf_err err;
	size_t i;

	(void)state;
	read_doc(&doc, buf, len, true);
	findings_init(&a);
	findings_init(&b);
	ulf_err_clear(&err);
	assert_int_equal(validate_document(&a, &doc, NULL, &err), 0);
	assert_int_equal(validate_invoice(&b, doc.inv, doc.xml, NULL, &err), 0);
	assert_true(a.n > 0);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++)
		assert_string_equal(a.items[i].rule, b.items[i].rule);
	assert_int_equal(count_rule(&a, "XSD"), 0);
	findings_release(&a);
	findings_release(&b);
	reader_document_release(&doc);
	free(buf);
}

/* An envelope has no rules of its own: nothing without schemas. */
static void test_envelope_without_schemas(void **state)
{
	ulf_document doc;
	findings f;
	size_t len;
	char *buf = sample(&len, "svefaktura-envelope.xml");
	ulf_err err;

	(void)state;
	read_doc(&doc, buf, len, true);
	assert_int_equal(doc.kind, DOC_SVE_ENVELOPE);
	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(validate_document(&f, &doc, NULL, &err), 0);
	assert_int_equal(f.n, 0);
	findings_release(&f);
	reader_document_release(&doc);
	free(buf);
}

/* A good sample passes the XSD layer; an element out of place is one
 * fatal "XSD" finding, its message in prefixes and its path as location. */
static void test_xsd_layer(void **state)
{
	xml_schema *s = schemas_or_skip();
	ulf_document doc;
	const finding *it = NULL;
	findings f;
	size_t len, i;
	char *good = sample(&len, UBL_SAMPLE), *bad;
	ulf_err err;

	(void)state;
	read_doc(&doc, good, len, true);
	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(validate_document(&f, &doc, s, &err), 0);
	assert_int_equal(count_rule(&f, "XSD"), 0);
	findings_release(&f);
	reader_document_release(&doc);
	free(good);

	bad = edited(&len, UBL_SAMPLE, "<cbc:ID>2025100457</cbc:ID>",
		     "<cbc:ID>2025100457</cbc:ID><cbc:Note>out of place</cbc:Note>");
	read_doc(&doc, bad, len, true);
	findings_init(&f);
	assert_int_equal(validate_document(&f, &doc, s, &err), 0);
	assert_true(count_rule(&f, "XSD") >= 1);
	for (i = 0; i < f.n && !it; i++)
		if (strcmp(f.items[i].rule, "XSD") == 0)
			it = &f.items[i];
	assert_int_equal(it->flag, VFLAG_FATAL);
	assert_true(it->line > 0);
	assert_non_null(it->location);
	assert_string_equal(it->location, "/Invoice/cbc:Note[1]");
	assert_non_null(strstr(it->message, "Element 'cbc:Note'"));
	assert_null(strstr(it->message, "{urn:"));
	assert_true(findings_fatal(&f));
	findings_release(&f);
	reader_document_release(&doc);
	free(bad);
	xml_schema_free(s);
}

/* The XSD layer needs the tree. */
static void test_xsd_needs_tree(void **state)
{
	xml_schema *s = schemas_or_skip();
	ulf_document doc;
	findings f;
	size_t len;
	char *buf = sample(&len, UBL_SAMPLE);
	ulf_err err;

	(void)state;
	read_doc(&doc, buf, len, false);
	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(validate_document(&f, &doc, s, &err), ULF_EINVAL);
	assert_true(err.msg[0] != '\0');
	findings_release(&f);
	reader_document_release(&doc);
	free(buf);
	xml_schema_free(s);
}

static void test_reader_problems(void **state)
{
	ulf_document doc;
	char why[300] = "untouched", tiny[16];
	size_t len;
	char *buf = sample(&len, UBL_SAMPLE);

	(void)state;
	read_doc(&doc, buf, len, false);
	assert_false(validate_reader_problems(why, sizeof(why), doc.inv));
	assert_string_equal(why, "untouched");
	reader_document_release(&doc);
	free(buf);

	buf = edited(&len, UBL_SAMPLE, ">10792.00<", ">abc<");
	read_doc(&doc, buf, len, false);
	assert_true(validate_reader_problems(why, sizeof(why), doc.inv));
	assert_string_equal(why, "the reader could not take 1 value as written, first line 218:"
			    " PayableAmount 'abc' is not a decimal number");
	assert_true(validate_reader_problems(tiny, sizeof(tiny), doc.inv));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	reader_document_release(&doc);
	free(buf);
}

static int setup(void **state)
{
	(void)state;
	xml_global_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xml_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_only),
		cmocka_unit_test(test_envelope_without_schemas),
		cmocka_unit_test(test_xsd_layer),
		cmocka_unit_test(test_xsd_needs_tree),
		cmocka_unit_test(test_reader_problems),
	};

	return cmocka_run_group_tests_name("validate_document", tests, setup, teardown);
}
