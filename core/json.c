/*
 * json.c - the jansson wrapper.  See json.h.
 */
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "core/text.h"

ujson *ujson_object(void) { return json_object(); }
ujson *ujson_array(void) { return json_array(); }
ujson *ujson_string(const char *s) { return s ? json_string(s) : json_null(); }
ujson *ujson_integer(int64_t v) { return json_integer((json_int_t)v); }
ujson *ujson_bool(bool v) { return json_boolean(v); }
ujson *ujson_null(void) { return json_null(); }

static bool utf8(const char *s)
{
	return text_is_utf8(s, strlen(s), NULL);
}

int ujson_set_new(ujson *obj, const char *key, ujson *value)
{
	if (!value)
		value = json_null();
	if (!utf8(key)) {
		json_decref(value);
		return ULF_EINVAL;
	}
	return json_object_set_new_nocheck(obj, key, value) == 0 ? 0 : ULF_ENOMEM;
}

/*
 * s as a JSON value, null for NULL.  Checked here, not left to
 * json_string(): it answers NULL, which ujson_set_new and ujson_append_new
 * would store as null without a word.
 */
static int str_value(ujson **out, const char *s)
{
	if (s && !utf8(s))
		return ULF_EINVAL;
	*out = s ? json_string_nocheck(s) : json_null();
	return *out ? 0 : ULF_ENOMEM;
}

int ujson_set_str(ujson *obj, const char *key, const char *s)
{
	ujson *v;
	int rc = str_value(&v, s);

	return rc ? rc : ujson_set_new(obj, key, v);
}

int ujson_set_int(ujson *obj, const char *key, int64_t v)
{
	return ujson_set_new(obj, key, json_integer((json_int_t)v));
}

int ujson_set_bool(ujson *obj, const char *key, bool v)
{
	return ujson_set_new(obj, key, json_boolean(v));
}

int ujson_append_new(ujson *arr, ujson *value)
{
	if (!value)
		value = json_null();
	return json_array_append_new(arr, value) == 0 ? 0 : ULF_ENOMEM;
}

int ujson_append_str(ujson *arr, const char *s)
{
	ujson *v;
	int rc = str_value(&v, s);

	return rc ? rc : ujson_append_new(arr, v);
}

int ujson_error(ulf_err *err, int rc, const char *key)
{
	if (rc == ULF_EINVAL && key && utf8(key))
		return ulf_err_set(err, rc, "json: the text for \"%s\" is not valid UTF-8", key);
	if (rc == ULF_EINVAL)
		return ulf_err_set(err, rc, "json: a key or text is not valid UTF-8");
	if (rc == ULF_ENOMEM)
		return ulf_err_set(err, rc, "out of memory");
	return rc ? ulf_err_set(err, rc, "json: cannot set \"%s\"", key ? key : "") : 0;
}

void ujson_free(ujson *v)
{
	if (v)
		json_decref(v);
}

char *ujson_dump(const ujson *v, int flags)
{
	size_t f = JSON_PRESERVE_ORDER;

	if (flags & UJSON_COMPACT)
		f |= JSON_COMPACT;
	else
		f |= JSON_INDENT(2);
	if (flags & UJSON_SORTED)
		f = (f & ~(size_t)JSON_PRESERVE_ORDER) | JSON_SORT_KEYS;
	return json_dumps(v, f);
}

int ujson_parse(ujson **out, const char *text, size_t len, const char *name, ulf_err *err)
{
	json_error_t e;

	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!*out)
		return ulf_err_set(err, ULF_EPARSE, "%s: line %d column %d: %s",
				   name ? name : "<json>", e.line, e.column, e.text);
	return 0;
}

ujson *ujson_get(const ujson *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

const char *ujson_get_str(const ujson *obj, const char *key)
{
	return json_string_value(ujson_get(obj, key));
}

int64_t ujson_get_int(const ujson *obj, const char *key, int64_t dflt)
{
	ujson *v = ujson_get(obj, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool ujson_is_object(const ujson *v) { return json_is_object(v); }
bool ujson_is_array(const ujson *v) { return json_is_array(v); }
size_t ujson_array_size(const ujson *arr) { return json_array_size(arr); }
ujson *ujson_array_get(const ujson *arr, size_t i) { return json_array_get(arr, i); }
const char *ujson_str_value(const ujson *v) { return json_string_value(v); }
