/*
 * keep.c - texts masked before the store keeps them.  See keep.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/pnr.h"
#include "robot/store/keep.h"

/* Whether text is JSON: then only its strings are text. */
static bool is_json(const char *text, size_t n)
{
	ujson *v = NULL;
	size_t i = 0;

	while (i < n && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i == n || (text[i] != '{' && text[i] != '['))
		return false;
	if (ujson_parse(&v, text, n, NULL, NULL))
		return false;
	ujson_free(v);
	return true;
}

int store_keep_masked(char **out, const char *text, ulf_err *err)
{
	size_t n;
	int rc;

	*out = NULL;
	if (!text)
		return 0;
	n = strlen(text);
	/* the common case: nothing that looks like a number, nothing to copy */
	if (!pnr_contains(text, n))
		return 0;
	rc = is_json(text, n) ? pnr_mask_json_dup(out, text) : pnr_mask_dup(out, text);
	if (rc)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory masking a text");
	return 0;
}
