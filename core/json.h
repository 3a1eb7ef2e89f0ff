/*
 * json.h - JSON through jansson, behind ulf's own names.
 *
 * The only module that includes <jansson.h>.  Values are reference counted
 * by jansson; the "_new" setters steal the reference of the value they are
 * given, so building a tree needs no decref per node.  Text is always UTF-8.
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
ujson *ujson_string(const char *s);      /* NULL s gives JSON null */
ujson *ujson_integer(int64_t v);
ujson *ujson_bool(bool v);
ujson *ujson_null(void);

/* obj[key] = value, stealing value; a NULL value stores JSON null.
 * Returns 0 or ULF_ENOMEM. */
int ujson_set_new(ujson *obj, const char *key, ujson *value);
int ujson_set_str(ujson *obj, const char *key, const char *s);
int ujson_set_int(ujson *obj, const char *key, int64_t v);
int ujson_set_bool(ujson *obj, const char *key, bool v);
/* arr.append(value), stealing value. */
int ujson_append_new(ujson *arr, ujson *value);

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
