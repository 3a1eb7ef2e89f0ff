/*
 * envelope_join.c - ObjectEnvelopes to their invoices among documents
 * read together.  See envelope_join.h.
 */
#include <stdbool.h>
#include <string.h>

#include "parsers/envelope_join.h"
#include "parsers/svefaktura.h"

/* Does the invoice point at one of the envelope's objects? */
static bool references_object(const invoice *inv, const sve_envelope *env)
{
	static const char prefix[] = "urn:sfti:documents:object:";
	size_t i, k;

	for (i = 0; i < inv->ndocs; i++) {
		const char *id = inv->docs[i].id.v;
		if (!id || strncmp(id, prefix, sizeof(prefix) - 1) != 0)
			continue;
		for (k = 0; k < env->nobjects; k++)
			if (env->objects[k].id &&
			    strcmp(id + sizeof(prefix) - 1, env->objects[k].id) == 0)
				return true;
	}
	return false;
}

/* The invoice the envelope goes to, or n. */
static size_t pick_invoice(const ulf_document *docs, size_t n, const sve_envelope *env)
{
	size_t j, best = n;

	for (j = 0; j < n; j++) {
		if (docs[j].kind != DOC_INVOICE || !svefaktura_envelope_matches(env, docs[j].inv))
			continue;
		if (references_object(docs[j].inv, env))
			return j;
		if (best == n)
			best = j;
	}
	return best;
}

void envelope_join(size_t *out, ulf_document *docs, size_t n, envelope_join_error_fn fn,
		   void *ctx)
{
	size_t i, best, moved;
	ulf_err err;

	for (i = 0; i < n; i++)
		out[i] = n;
	for (i = 0; i < n; i++) {
		if (docs[i].kind != DOC_SVE_ENVELOPE)
			continue;
		best = pick_invoice(docs, n, docs[i].env);
		if (best == n)
			continue;
		ulf_err_clear(&err);
		if (svefaktura_envelope_attach(&moved, docs[best].inv, docs[i].env, &err) == 0)
			out[i] = best;
		else if (fn)
			fn(ctx, i, &err);
	}
}
