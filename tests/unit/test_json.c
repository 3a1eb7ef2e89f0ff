/*
 * test_json.c - core/json.c's setters and text that is not UTF-8: a value
 * cut in the middle of "å", a Latin-1 value, a bad key - each refused with
 * ULF_EINVAL and nothing stored (before, JSON null was stored without a
 * word), the message from ujson_error naming the key; valid text and NULL
 * (JSON null) as before.  And the source of most cut text, ulf_err_set
 * truncating a long message, cuts on a whole character.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/json.h"
#include "core/text.h"

static char *dump(const ujson *v)
{
	char *s = ujson_dump(v, UJSON_COMPACT | UJSON_SORTED);

	assert_non_null(s);
	return s;
}

static void valid_text_as_before(void **state)
{
	ujson *o = ujson_object(), *a = ujson_array();
	char *s;

	(void)state;
	assert_non_null(o);
	assert_non_null(a);
	assert_int_equal(ujson_set_str(o, "name", "Blåbär AB"), 0);
	assert_int_equal(ujson_set_str(o, "none", NULL), 0);
	assert_int_equal(ujson_set_int(o, "n", -5), 0);
	assert_int_equal(ujson_set_bool(o, "ok", true), 0);
	assert_int_equal(ujson_set_new(o, "nil", NULL), 0);
	assert_int_equal(ujson_append_str(a, "€"), 0);
	assert_int_equal(ujson_append_str(a, NULL), 0);
	assert_int_equal(ujson_append_new(a, ujson_integer(1)), 0);
	assert_int_equal(ujson_set_new(o, "list", a), 0);
	s = dump(o);
	assert_string_equal(s, "{\"list\":[\"€\",null,1],\"n\":-5,\"name\":\"Blåbär AB\","
			       "\"nil\":null,\"none\":null,\"ok\":true}");
	free(s);
	ujson_free(o);
}

static void invalid_text_refused(void **state)
{
	ujson *o = ujson_object(), *a = ujson_array();
	ulf_err err;
	char *s;

	(void)state;
	assert_int_equal(ujson_set_str(o, "before", "x"), 0);
	/* "blå" cut in the middle of the å */
	assert_int_equal(ujson_set_str(o, "supplier", "bl\xC3"), ULF_EINVAL);
	/* Latin-1 */
	assert_int_equal(ujson_set_str(o, "city", "G\xF6teborg"), ULF_EINVAL);
	/* a bad key, with a good value or a value to steal */
	assert_int_equal(ujson_set_str(o, "k\xE5", "v"), ULF_EINVAL);
	assert_int_equal(ujson_set_int(o, "k\xE5", 1), ULF_EINVAL);
	assert_int_equal(ujson_set_new(o, "k\xE5", ujson_object()), ULF_EINVAL);
	assert_int_equal(ujson_append_str(a, "\xC3\x28"), ULF_EINVAL);
	assert_int_equal(ujson_set_new(o, "list", a), 0);
	/* nothing stored for any of them: no null in their place */
	assert_null(ujson_get(o, "supplier"));
	assert_null(ujson_get(o, "city"));
	s = dump(o);
	assert_string_equal(s, "{\"before\":\"x\",\"list\":[]}");
	free(s);
	/* the other way in still yields NULL, as documented */
	assert_null(ujson_string("bl\xC3"));

	ulf_err_clear(&err);
	assert_int_equal(ujson_error(&err, ULF_EINVAL, "supplier"), ULF_EINVAL);
	assert_int_equal(err.code, ULF_EINVAL);
	assert_string_equal(err.msg, "json: the text for \"supplier\" is not valid UTF-8");
	ulf_err_clear(&err);
	assert_int_equal(ujson_error(&err, ULF_EINVAL, "k\xE5"), ULF_EINVAL);
	assert_string_equal(err.msg, "json: a key or text is not valid UTF-8");
	ulf_err_clear(&err);
	assert_int_equal(ujson_error(&err, ULF_ENOMEM, "x"), ULF_ENOMEM);
	assert_string_equal(err.msg, "out of memory");
	ulf_err_clear(&err);
	assert_int_equal(ujson_error(&err, 0, "x"), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(ujson_error(NULL, ULF_EINVAL, "x"), ULF_EINVAL);
	ujson_free(o);
}

/* A message longer than ulf_err holds, cut where an "å" straddles the
 * end, is still UTF-8 and goes into JSON whole. */
static void long_message_cut_on_a_character(void **state)
{
	char text[ULF_ERR_MSG_MAX + 8];
	size_t i, len;
	ujson *o;
	ulf_err err;

	(void)state;
	/* "xy: " and then å's, two bytes each: the 511 bytes of room end in
	 * the middle of one, so the message is 510 bytes */
	memset(text, 0, sizeof(text));
	for (i = 0; i + 2 < sizeof(text) - 1; i += 2)
		memcpy(text + i, "\xC3\xA5", 2);
	ulf_err_clear(&err);
	ulf_err_set(&err, ULF_EPARSE, "xy: %s", text);
	len = strlen(err.msg);
	assert_int_equal(len, ULF_ERR_MSG_MAX - 2);
	assert_true(text_is_utf8(err.msg, len, NULL));
	assert_memory_equal(err.msg, "xy: \xC3\xA5", 6);
	o = ujson_object();
	assert_int_equal(ujson_set_str(o, "message", err.msg), 0);
	assert_string_equal(ujson_get_str(o, "message"), err.msg);
	ujson_free(o);

	/* a short message is left exactly as formatted */
	ulf_err_clear(&err);
	ulf_err_set(&err, ULF_EPARSE, "%s", "bl\xC3");
	assert_string_equal(err.msg, "bl\xC3");
}

static void cut_points(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_cut("", 0), 0);
	assert_int_equal(text_utf8_cut("abc", 3), 3);
	assert_int_equal(text_utf8_cut("ab\xC3\xA5", 4), 4);
	assert_int_equal(text_utf8_cut("ab\xC3", 3), 2);
	assert_int_equal(text_utf8_cut("ab\xE2\x82\xAC", 5), 5);
	assert_int_equal(text_utf8_cut("ab\xE2\x82", 4), 2);
	assert_int_equal(text_utf8_cut("ab\xE2", 3), 2);
	assert_int_equal(text_utf8_cut("a\xF0\x9F\x98\x80", 5), 5);
	assert_int_equal(text_utf8_cut("a\xF0\x9F\x98", 4), 1);
	/* not the tail of a cut: left alone */
	assert_int_equal(text_utf8_cut("ab\xA5", 3), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_text_as_before),
		cmocka_unit_test(invalid_text_refused),
		cmocka_unit_test(long_message_cut_on_a_character),
		cmocka_unit_test(cut_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
