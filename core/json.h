/*
 * json.h - JSON through jansson, behind ulf's own names.
 *
 * The only module that includes <jansson.h>.  Values are reference counted
 * by jansson; the "_new" setters steal the reference of the value they are
 * given, so building a tree needs no decref per node.  Text is always UTF-8:
 * the setters refuse anything else.
 */
#ifndef ULF_JSON_H
#define ULF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct json_t ujson;

ujson *ujson_object(void);
ujson *ujson_array(void);
/* NULL s gives JSON null; NULL back when s is not valid UTF-8 or memory
 * runs out - ujson_set_str says which. */
ujson *ujson_string(const char *s);
ujson *ujson_integer(int64_t v);
ujson *ujson_bool(bool v);
ujson *ujson_null(void);

/*
 * The setters.  Text must be UTF-8: a key or string that is not (a text
 * cut in the middle of "å", a Latin-1 file name) is refused with
 * ULF_EINVAL and nothing is stored - never null in its place.  Out of
 * memory is ULF_ENOMEM.  They take no ulf_err: ujson_error() words the
 * failure, naming the key.
 */
/* obj[key] = value, stealing value (freed on failure); a NULL value
 * stores JSON null. */
ULF_MUST_CHECK int ujson_set_new(ujson *obj, const char *key, ujson *value);
/* obj[key] = s; a NULL s stores JSON null. */
ULF_MUST_CHECK int ujson_set_str(ujson *obj, const char *key, const char *s);
ULF_MUST_CHECK int ujson_set_int(ujson *obj, const char *key, int64_t v);
ULF_MUST_CHECK int ujson_set_bool(ujson *obj, const char *key, bool v);
/* arr.append(value), stealing value; a NULL value appends JSON null. */
ULF_MUST_CHECK int ujson_append_new(ujson *arr, ujson *value);
/* arr.append(s); a NULL s appends JSON null.  Unlike
 * ujson_append_new(arr, ujson_string(s)), refuses text that is not UTF-8
 * instead of appending null. */
ULF_MUST_CHECK int ujson_append_str(ujson *arr, const char *s);

/*
 * Records a setter's failure `rc` in err and returns it: for ULF_EINVAL
 * 'json: the text for "KEY" is not valid UTF-8', for ULF_ENOMEM "out of
 * memory".  0 gives 0.  For the caller that has an err at hand:
 *	if ((rc = ujson_set_str(o, "name", name)) != 0)
 *		return ujson_error(err, rc, "name");
 */
int ujson_error(ulf_err *err, int rc, const char *key);

/*
 * One setter in a function that builds JSON whole or not at all, with
 * `int rc`, `ulf_err *err` and an `out:` label: on failure words it
 * (ujson_error, naming the key) and leaves through out, so that a field
 * that cannot be stored fails the building instead of going missing.
 *	UJSON_TRY(ujson_set_str(o, "name", name), "name");
 */
#define UJSON_TRY(call, key) \
	do { \
		if ((rc = (call)) != 0) { \
			ujson_error(err, rc, (key)); \
			goto out; \
		} \
	} while (0)

void ujson_free(ujson *v);   /* drops our reference; NULL does nothing */

#define UJSON_COMPACT 0x1    /* one line: JSON Lines output */
#define UJSON_SORTED  0x2
/* Serialises v; the caller frees the string with free(). */
char *ujson_dump(const ujson *v, int flags);

/* Parses text; ULF_EPARSE with line and column on bad input. */
int ujson_parse(ujson **out, const char *text, size_t len, const char *name, ulf_err *err);

/* Lookups for parsed values; NULL / defaults when absent or mistyped. */
ujson *ujson_get(const ujson *obj, const char *key);
const char *ujson_get_str(const ujson *obj, const char *key);
int64_t ujson_get_int(const ujson *obj, const char *key, int64_t dflt);
bool ujson_is_object(const ujson *v);
bool ujson_is_array(const ujson *v);
size_t ujson_array_size(const ujson *arr);
ujson *ujson_array_get(const ujson *arr, size_t i);
const char *ujson_str_value(const ujson *v);

#endif
