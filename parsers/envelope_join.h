/*
 * envelope_join.h - pairing the Svefaktura ObjectEnvelopes among a set of
 * documents read together (the files of one `ulf parse`) with the invoices
 * among them that they belong to, and moving each envelope's objects into
 * its invoice (svefaktura_envelope_attach()).
 *
 * An envelope names its invoice by number and issuer
 * (svefaktura_envelope_matches()); several invoices may share those, so
 * one that also points at one of the envelope's objects
 * (AdditionalDocumentReference "urn:sfti:documents:object:<ObjectID>") is
 * preferred, else the first one named, in the order of the documents.
 */
#ifndef ULF_ENVELOPE_JOIN_H
#define ULF_ENVELOPE_JOIN_H

#include <stddef.h>

#include "core/err.h"
#include "parsers/reader.h"

/* Called for an envelope whose objects could not be attached (out of
 * memory, over a limit): index is the envelope's, err says why. */
typedef void (*envelope_join_error_fn)(void *ctx, size_t index, const ulf_err *err);

/*
 * Attaches every envelope among docs[0..n) to its invoice among them.
 * out[i] (n entries) gets, for an envelope attached, the index of its
 * invoice, and n for every other document.  Documents that are neither
 * (DOC_UNKNOWN: one that could not be read) take no part.  An envelope
 * that cannot be attached is reported to fn (which may be NULL) and left
 * as it was; the others go on.
 */
void envelope_join(size_t *out, ulf_document *docs, size_t n, envelope_join_error_fn fn,
		   void *ctx);

#endif
