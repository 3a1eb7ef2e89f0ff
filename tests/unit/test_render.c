/*
 * test_render.c - parsers/render.c's JSON view where text is not plain:
 * a file name that is not UTF-8 (it comes from the command line) shows as
 * null and the view is still made, as before the JSON setters refused
 * such text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/fileio.h"
#include "core/json.h"
#include "parsers/reader.h"
#include "parsers/render.h"

static char *sample(size_t *len)
{
	const char *dir = getenv("ULF_SAMPLES");
	char path[1024];
	char *text;
	ulf_err err;

	snprintf(path, sizeof(path), "%s/invoices/peppol-invoice-sormland.xml",
		 dir ? dir : "samples");
	ulf_err_clear(&err);
	assert_int_equal(file_read(&text, len, path, 1u << 20, &err), 0);
	return text;
}

static ujson *render(const char *text, size_t len, const char *file)
{
	ulf_document doc;
	ujson *o;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(reader_read(&doc, text, len, "t.xml", NULL, false, &err), 0);
	assert_int_equal(doc.kind, DOC_INVOICE);
	o = render_invoice_json(doc.inv, file);
	reader_document_release(&doc);
	assert_non_null(o);
	return o;
}

static void file_name_not_utf8(void **state)
{
	size_t len;
	char *text = sample(&len);
	ujson *o;

	(void)state;
	o = render(text, len, "fakturor/G\xF6teborg.xml");
	assert_non_null(ujson_get(o, "file"));          /* present... */
	assert_null(ujson_get_str(o, "file"));          /* ...as null */
	assert_string_equal(ujson_get_str(o, "syntax"), "peppol-bis3");
	assert_true(ujson_array_size(ujson_get(o, "lines")) > 0);
	ujson_free(o);

	o = render(text, len, "fakturor/G\xC3\xB6teborg.xml");
	assert_string_equal(ujson_get_str(o, "file"), "fakturor/G\xC3\xB6teborg.xml");
	ujson_free(o);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_name_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
