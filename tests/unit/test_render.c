/*
 * test_render.c - parsers/render.c's JSON view where text is not plain:
 * a file name that is not UTF-8 (it comes from the command line) shows as
 * null and the view is still made, as before the JSON setters refused
 * such text; a reader problem quoting document text with "å" at the cut
 * is whole UTF-8 and shows in the view (it used to become null).
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
#include "core/text.h"
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

static void problem_quote_cut_on_a_character(void **state)
{
	size_t len, i;
	char *text = sample(&len), *bad, *at, *end;
	const char *msg;
	ujson *o, *problems;
	char amount[64];

	(void)state;
	/* the payable amount: "x" and then twenty "å": the 40-byte quote ends
	 * inside the twentieth */
	at = strstr(text, "<cbc:PayableAmount");
	assert_non_null(at);
	at = strchr(at, '>') + 1;
	end = strstr(at, "</cbc:PayableAmount>");
	assert_non_null(end);
	amount[0] = 'x';
	for (i = 0; i < 20; i++)
		memcpy(amount + 1 + 2 * i, "\xC3\xA5", 2);
	amount[41] = '\0';
	bad = malloc(len + sizeof(amount));
	assert_non_null(bad);
	memcpy(bad, text, (size_t)(at - text));
	memcpy(bad + (at - text), amount, 41);
	memcpy(bad + (at - text) + 41, end, len - (size_t)(end - text));
	len = (size_t)(at - text) + 41 + (len - (size_t)(end - text));

	o = render(bad, len, "t.xml");
	problems = ujson_get(o, "problems");
	assert_int_equal(ujson_array_size(problems), 1);
	msg = ujson_get_str(ujson_array_get(problems, 0), "message");
	assert_non_null(msg);
	assert_true(text_is_utf8(msg, strlen(msg), NULL));
	/* 'x' and nineteen whole å: 39 bytes, not 40 */
	assert_int_equal(strncmp(msg, "'x\xC3\xA5", 4), 0);
	assert_non_null(strstr(msg, "\xC3\xA5' is not a decimal number"));
	assert_int_equal(strchr(msg + 1, '\'') - msg - 1, 39);
	ujson_free(o);
	free(bad);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_name_not_utf8),
		cmocka_unit_test(problem_quote_cut_on_a_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
