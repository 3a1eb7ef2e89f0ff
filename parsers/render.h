/*
 * render.h - how an invoice is shown: a JSON object (for `ulf parse --json`,
 * the HTTP API and the queue) and a short human summary.
 *
 * Amounts are rendered as JSON strings holding the exact decimal with at
 * least two decimals ("1234.50"); quantities and rates as written.
 */
#ifndef ULF_RENDER_H
#define ULF_RENDER_H

#include <stdio.h>

#include "core/json.h"
#include "parsers/invoice.h"
#include "parsers/svefaktura.h"

/* The invoice as a JSON object; `file` may be NULL.  NULL on OOM.  Text
 * that is not UTF-8 (a file name can be anything) shows as null. */
ujson *render_invoice_json(const invoice *inv, const char *file);

/* An ObjectEnvelope as a JSON object; attached_to names the invoice file it
 * was joined with, or NULL. */
ujson *render_envelope_json(const sve_envelope *env, const char *file,
			    const char *attached_to);

/* A few lines a person reads. */
void render_invoice_text(FILE *out, const invoice *inv, const char *file);
void render_envelope_text(FILE *out, const sve_envelope *env, const char *file,
			  const char *attached_to);

#endif
