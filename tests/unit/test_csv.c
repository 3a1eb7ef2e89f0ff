/*
 * test_csv.c - the CSV reader (core/csv.c): separator chosen by the
 * header, BOM, quoted fields with quotes and line breaks, CRLF, blank
 * lines, line numbers, and the malformed inputs it must refuse with
 * "name:LINE: what".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

static csv_reader *open_text(const char *text)
{
	csv_reader *r = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(csv_open(&r, text, strlen(text), "t.csv", &err), 0);
	return r;
}

static void separator_from_header(void **state)
{
	csv_reader *r;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	r = open_text("a;b;c\n1,5;2;3\n");
	assert_int_equal(csv_separator(r), ';');
	assert_int_equal(csv_read_header(r, &err), 0);
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(csv_count(r), 3);
	assert_string_equal(csv_field(r, 0), "1,5");
	csv_free(r);

	r = open_text("a,b\n\"x;y\",2\n");
	assert_int_equal(csv_separator(r), ',');
	assert_int_equal(csv_read_header(r, &err), 0);
	assert_int_equal(csv_next(r, &err), 1);
	assert_string_equal(csv_field(r, 0), "x;y");
	csv_free(r);

	/* a header with one column: comma */
	r = open_text("only\nx\n");
	assert_int_equal(csv_separator(r), ',');
	csv_free(r);
}

static void bom_quotes_and_line_breaks(void **state)
{
	const char *text = "\xEF\xBB\xBF" "Name;Note\r\n"
			   "\"Kaffe \"\"Bryggmalet\"\"\";\"rad 1\r\nrad 2\"\r\n"
			   "\r\n"
			   "Te;\n"
			   "Sist;utan radslut";
	csv_reader *r = open_text(text);
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(csv_read_header(r, &err), 0);
	assert_int_equal(csv_column(r, "name"), 0);
	assert_int_equal(csv_column(r, " NOTE "), -1);   /* names are not trimmed on lookup */
	assert_int_equal(csv_column(r, "note"), 1);
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(csv_line(r), 2);
	assert_string_equal(csv_get(r, "name"), "Kaffe \"Bryggmalet\"");
	assert_string_equal(csv_get(r, "note"), "rad 1\r\nrad 2");
	assert_int_equal(csv_next(r, &err), 1);
	/* the quoted line break counts, and the blank line is skipped */
	assert_int_equal(csv_line(r), 5);
	assert_string_equal(csv_get(r, "name"), "Te");
	assert_string_equal(csv_get(r, "note"), "");
	assert_null(csv_get(r, "missing"));
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(csv_line(r), 6);
	assert_string_equal(csv_field(r, 1), "utan radslut");
	assert_string_equal(csv_field(r, 7), "");
	assert_int_equal(csv_next(r, &err), 0);
	assert_int_equal(csv_next(r, &err), 0);
	csv_free(r);
}

static void trimmed_get_and_literal_quote(void **state)
{
	csv_reader *r = open_text("a , b\n  12\" skärm ,  x  \n");
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(csv_read_header(r, &err), 0);
	assert_int_equal(csv_next(r, &err), 1);
	assert_string_equal(csv_field(r, 1), "  x  ");
	assert_string_equal(csv_get(r, "a"), "12\" skärm");
	assert_string_equal(csv_get(r, "b"), "x");
	csv_free(r);
}

static void unterminated_quote(void **state)
{
	csv_reader *r = open_text("a;b\n1;2\n3;\"open\n\nstill open");
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(csv_read_header(r, &err), 0);
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(csv_next(r, &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.csv:3: quoted field not closed");
	csv_free(r);
}

static void text_after_quote(void **state)
{
	csv_reader *r = open_text("a;b\n\"x\"y;2\n");
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(csv_read_header(r, &err), 0);
	assert_int_equal(csv_next(r, &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.csv:2: text after a closing quote");
	csv_free(r);
}

static void duplicate_column_and_empty(void **state)
{
	csv_reader *r = open_text("a;B;b\n");
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(csv_read_header(r, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "column 'b' named twice"));
	csv_free(r);

	ulf_err_clear(&err);
	r = open_text("\n\n");
	assert_int_equal(csv_read_header(r, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "empty file"));
	csv_free(r);
}

static void too_many_fields(void **state)
{
	char text[4 * CSV_MAX_FIELDS + 16];
	size_t i, n = 0;
	csv_reader *r;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	for (i = 0; i <= CSV_MAX_FIELDS; i++) {
		text[n++] = 'x';
		text[n++] = ',';
	}
	text[n++] = '\n';
	text[n] = '\0';
	r = open_text(text);
	assert_int_equal(csv_next(r, &err), ULF_ELIMIT);
	assert_non_null(strstr(err.msg, "t.csv:1: more than"));
	csv_free(r);
}

/* A record may take CSV_MAX_RECORD bytes, its fields' NULs counted; one
 * byte more is refused with the record's line. */
static void record_cap(void **state)
{
	size_t i;
	char *text = malloc(2 * (size_t)CSV_MAX_RECORD + 16);
	csv_reader *r;
	ulf_err err;

	(void)state;
	assert_non_null(text);
	/* line 1 "h", line 2: a field of CSV_MAX_RECORD - 1 bytes (+ NUL) */
	memcpy(text, "h\n", 2);
	for (i = 2; i < 2 + CSV_MAX_RECORD - 1; i++)
		text[i] = (char)('a' + i % 26);
	text[i++] = '\n';
	/* line 3: the same, and below one byte more */
	memcpy(text + i, text + 2, CSV_MAX_RECORD - 1);
	i += CSV_MAX_RECORD - 1;
	ulf_err_clear(&err);
	assert_int_equal(csv_open(&r, text, i, "t.csv", &err), 0);
	assert_int_equal(csv_next(r, &err), 1);
	assert_string_equal(csv_field(r, 0), "h");
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(strlen(csv_field(r, 0)), CSV_MAX_RECORD - 1);
	csv_free(r);

	text[i++] = 'z';
	ulf_err_clear(&err);
	assert_int_equal(csv_open(&r, text, i, "t.csv", &err), 0);
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(csv_next(r, &err), 1);
	assert_int_equal(csv_next(r, &err), ULF_ELIMIT);
	assert_string_equal(err.msg, "t.csv:3: record longer than 1048576 bytes");
	csv_free(r);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(separator_from_header),
		cmocka_unit_test(bom_quotes_and_line_breaks),
		cmocka_unit_test(trimmed_get_and_literal_quote),
		cmocka_unit_test(unterminated_quote),
		cmocka_unit_test(text_after_quote),
		cmocka_unit_test(duplicate_column_and_empty),
		cmocka_unit_test(too_many_fields),
		cmocka_unit_test(record_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
