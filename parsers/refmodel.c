/*
 * refmodel.c - the records of reference data: making and freeing them, and
 * the names of the kinds.  See refmodel.h.
 */
#include <stdlib.h>
#include <string.h>

#include "parsers/refmodel.h"

refdata_kind refdata_kind_parse(const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "orders"))
		return REFDATA_ORDERS;
	if (!strcmp(name, "receipts"))
		return REFDATA_RECEIPTS;
	if (!strcmp(name, "suppliers"))
		return REFDATA_SUPPLIERS;
	if (!strcmp(name, "history"))
		return REFDATA_HISTORY;
	if (!strcmp(name, "dimensions"))
		return REFDATA_DIMENSIONS;
	return 0;
}

const char *refdata_kind_name(refdata_kind k)
{
	switch (k) {
	case REFDATA_ORDERS:    return "orders";
	case REFDATA_RECEIPTS:  return "receipts";
	case REFDATA_SUPPLIERS: return "suppliers";
	case REFDATA_HISTORY:   return "history";
	case REFDATA_DIMENSIONS: return "dimensions";
	}
	return "?";
}

ref_order *refdata_order_new(void)
{
	ref_order *o = calloc(1, sizeof(*o));

	if (o) {
		arena_init(&o->mem, REF_RECORD_MAX_MODEL);
		o->requires_receipt = -1;
	}
	return o;
}

void refdata_order_free(ref_order *o)
{
	if (!o)
		return;
	arena_release(&o->mem);
	free(o);
}

ref_invoice *refdata_invoice_new(void)
{
	ref_invoice *inv = calloc(1, sizeof(*inv));

	if (inv)
		arena_init(&inv->mem, REF_RECORD_MAX_MODEL);
	return inv;
}

void refdata_invoice_free(ref_invoice *inv)
{
	if (!inv)
		return;
	arena_release(&inv->mem);
	free(inv);
}
