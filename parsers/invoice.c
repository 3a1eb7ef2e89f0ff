/*
 * invoice.c - lifecycle of the canonical invoice.  See invoice.h.
 */
#include <stdlib.h>
#include <string.h>

#include "parsers/invoice.h"

invoice *invoice_new(inv_syntax syntax, inv_kind kind, const inv_limits *limits)
{
	invoice *inv = calloc(1, sizeof(*inv));

	if (!inv)
		return NULL;
	inv->syntax = syntax;
	inv->kind = kind;
	arena_init(&inv->mem, limits && limits->max_model_bytes
			      ? limits->max_model_bytes : INV_DEFAULT_MAX_MODEL);
	return inv;
}

void invoice_free(invoice *inv)
{
	inv_attachment *a;

	if (!inv)
		return;
	for (a = inv->owned; a; a = a->next_owned)
		free(a->data);
	arena_release(&inv->mem);
	free(inv);
}

void *invoice_alloc(invoice *inv, size_t n, size_t size)
{
	if (n == 0 || size == 0 || n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(&inv->mem, n * size);
}

int invoice_add_attachment(inv_attachment **out, invoice *inv,
			   const char *mime, const char *filename,
			   unsigned char *data, size_t size, ulf_err *err)
{
	inv_attachment *a = arena_alloc(&inv->mem, sizeof(*a));

	*out = NULL;
	if (!a) {
		free(data);
		return ulf_err_set(err, ULF_ELIMIT, "invoice model exceeds its memory cap");
	}
	a->data = data;
	a->size = size;
	a->next_owned = inv->owned;
	inv->owned = a;
	a->mime = mime ? arena_strdup(&inv->mem, mime) : NULL;
	a->filename = filename ? arena_strdup(&inv->mem, filename) : NULL;
	if ((mime && !a->mime) || (filename && !a->filename))
		return ulf_err_set(err, ULF_ELIMIT, "invoice model exceeds its memory cap");
	*out = a;
	return 0;
}

const char *invoice_syntax_name(inv_syntax s)
{
	switch (s) {
	case INV_SYNTAX_UBL:        return "peppol-bis3";
	case INV_SYNTAX_SVEFAKTURA: return "svefaktura-1.0";
	}
	return "unknown";
}

const char *invoice_kind_name(inv_kind k)
{
	return k == INV_KIND_CREDIT_NOTE ? "credit-note" : "invoice";
}

const inv_payment *invoice_payment(const invoice *inv)
{
	return inv->npayments ? &inv->payments[0] : NULL;
}

size_t invoice_attachment_count(const invoice *inv)
{
	const inv_attachment *a;
	size_t n = 0;

	for (a = inv->owned; a; a = a->next_owned)
		n++;
	return n;
}
