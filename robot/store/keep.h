/*
 * keep.h - what the store's general tables keep of a text from outside:
 * the text with personal identity numbers masked (core/pnr.h).  PRIVATE
 * to robot/store/: every column that may hold a document's name or free
 * text (names, event details, results, bookings, the ERP's answers, the
 * audit trail's notes) is written through it, so a number reaches only
 * the care table, where the document's own bytes are kept.
 */
#ifndef ULF_STORE_KEEP_H
#define ULF_STORE_KEEP_H

#include "core/err.h"

/*
 * *out: `text` masked (malloc'd), or NULL when there is nothing to mask -
 * the caller keeps `text` itself (store_keep_text says which).  JSON
 * (an object or array that parses) is masked in its strings only, so it
 * stays the same JSON; other text whole.  0 or ULF_ENOMEM.
 */
ULF_MUST_CHECK int store_keep_masked(char **out, const char *text, ulf_err *err);

/* What to write: the masked copy when there is one, else the text. */
static inline const char *store_keep_text(const char *masked, const char *text)
{
	return masked ? masked : text;
}

#endif
