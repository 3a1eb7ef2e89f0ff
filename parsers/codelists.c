/*
 * codelists.c - lookups in the code list tables of codelists_data.c, which
 * tools/gen_codelists.py generates from the PEPPOL code list files.  See
 * codelists.h.
 *
 * The tables are sorted in strcmp order, so a lookup is a binary search:
 * Rec 20 alone has over two thousand units and a rule run asks for one per
 * invoice line.
 */
#include <stddef.h>
#include <string.h>

#include "parsers/codelists.h"

/* Defined in the generated codelists_data.c; private to this pair of files. */
const char *const *codelist_codes(codelist list, size_t *n, const char **name);

bool codelist_has(codelist list, const char *code)
{
	const char *name;
	size_t lo = 0, hi, mid;
	const char *const *codes;
	int cmp;

	if (!code || (unsigned)list >= CL_COUNT)
		return false;
	codes = codelist_codes(list, &hi, &name);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(code, codes[mid]);
		if (cmp == 0)
			return true;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

const char *codelist_name(codelist list)
{
	const char *name = "?";
	size_t n;

	if ((unsigned)list < CL_COUNT)
		codelist_codes(list, &n, &name);
	return name;
}
