/*
 * test_envelope_join.c - ObjectEnvelopes to their invoices among documents
 * read together (parsers/envelope_join.h): the invoice that points at the
 * envelope's objects wins over an earlier one that is merely named,
 * unreadable documents take no part, an envelope without its invoice stays
 * as it was.
 *
 * Reads samples/invoices (ULF_SAMPLES).
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
#include "parsers/envelope_join.h"
#include "parsers/reader.h"

static void sample(char **out, size_t *len, const char *name)
{
	const char *dir = getenv("ULF_SAMPLES");
	char path[1024];
	ulf_err err;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/invoices/%s", dir, name);
	ulf_err_clear(&err);
	assert_int_equal(file_read(out, len, path, 1u << 24, &err), 0);
}

/* Reads the sample into doc, with `from` (if given) replaced by `to`. */
static void read_sample(ulf_document *doc, const char *name, const char *from, const char *to)
{
	size_t len;
	char *buf = NULL;
	ulf_err err;

	sample(&buf, &len, name);
	if (from) {
		const char *at = strstr(buf, from);
		size_t off;

		assert_non_null(at);
		assert_int_equal(strlen(from), strlen(to));
		off = (size_t)(at - buf);
		memcpy(buf + off, to, strlen(to));
	}
	ulf_err_clear(&err);
	assert_int_equal(reader_read(doc, buf, len, name, NULL, false, &err), 0);
	free(buf);
}

static size_t attachments(const invoice *inv)
{
	size_t i, n = 0;

	for (i = 0; i < inv->ndocs; i++)
		n += inv->docs[i].attachment != NULL;
	return n;
}

static void fail_report(void *ctx, size_t index, const ulf_err *err)
{
	(void)ctx;
	fail_msg("envelope %zu not attached: %s", index, err->msg);
}

static void release_all(ulf_document *docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		reader_document_release(&docs[i]);
}

/* envelope, unreadable, named but pointing elsewhere, named and pointing
 * at the envelope's object: the last one gets it. */
static void test_prefers_referencing_invoice(void **state)
{
	ulf_document docs[4];
	size_t out[4];

	(void)state;
	memset(docs, 0, sizeof(docs));
	read_sample(&docs[0], "svefaktura-envelope.xml", NULL, NULL);
	/* docs[1] stays DOC_UNKNOWN, as a file that could not be read */
	read_sample(&docs[2], "svefaktura-invoice.xml", "urn:sfti:documents:object:1",
		    "urn:sfti:documents:object:9");
	read_sample(&docs[3], "svefaktura-invoice.xml", NULL, NULL);
	assert_int_equal(attachments(docs[3].inv), 0);

	envelope_join(out, docs, 4, fail_report, NULL);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 4);
	assert_int_equal(out[2], 4);
	assert_int_equal(out[3], 4);
	assert_int_equal(attachments(docs[3].inv), 1);
	assert_int_equal(attachments(docs[2].inv), 0);
	release_all(docs, 4);
}

/* With only invoices that are named, the first of them. */
static void test_first_named(void **state)
{
	ulf_document docs[3];
	size_t out[3];

	(void)state;
	memset(docs, 0, sizeof(docs));
	read_sample(&docs[0], "svefaktura-invoice.xml", "urn:sfti:documents:object:1",
		    "urn:sfti:documents:object:8");
	read_sample(&docs[1], "svefaktura-invoice.xml", "urn:sfti:documents:object:1",
		    "urn:sfti:documents:object:9");
	read_sample(&docs[2], "svefaktura-envelope.xml", NULL, NULL);

	envelope_join(out, docs, 3, fail_report, NULL);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 0);
	/* not referenced: kept as a reference of its own */
	assert_int_equal(attachments(docs[0].inv), 1);
	assert_int_equal(attachments(docs[1].inv), 0);
	release_all(docs, 3);
}

/* No invoice it names: the envelope keeps its objects; an invoice of
 * another number is not taken. */
static void test_no_partner(void **state)
{
	ulf_document docs[2];
	size_t out[2];

	(void)state;
	memset(docs, 0, sizeof(docs));
	read_sample(&docs[0], "svefaktura-envelope.xml", NULL, NULL);
	read_sample(&docs[1], "svefaktura-invoice.xml", "<ID>55012</ID>", "<ID>55013</ID>");

	envelope_join(out, docs, 2, NULL, NULL);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 2);
	assert_int_equal(attachments(docs[1].inv), 0);
	assert_non_null(docs[0].env->objects[0].data);
	release_all(docs, 2);

	envelope_join(out, docs, 0, NULL, NULL);
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
		cmocka_unit_test(test_prefers_referencing_invoice),
		cmocka_unit_test(test_first_named),
		cmocka_unit_test(test_no_partner),
	};

	return cmocka_run_group_tests_name("envelope_join", tests, setup, teardown);
}
