/*
 * refkeys.h - the canonical form of the keys reference data is looked up
 * by (org, VAT and Peppol ids, giro and bank accounts, folded names and
 * item texts) and of the amounts exports write.
 *
 * One spelling of each, used on both sides of every comparison: by the
 * importers when a record comes in, by the store when it is looked up, by
 * the matcher when an invoice names a supplier or an item.  Plain text
 * functions: no memory, no state.  The names keep the refdata_ prefix the
 * matcher and the rules know them by (see refmodel.h).
 */
#ifndef ULF_REFKEYS_H
#define ULF_REFKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/dec.h"

typedef enum ref_key {
	REF_BY_NUMBER = 1, /* the ERP's supplier number */
	REF_BY_PEPPOL,     /* "scheme:id", e.g. 0007:5592117310 */
	REF_BY_ORG,        /* Swedish org number, 10 digits */
	REF_BY_VAT,        /* VAT number, e.g. SE559211731001 */
	REF_BY_BANKGIRO,
	REF_BY_PLUSGIRO,
	REF_BY_IBAN,
	REF_BY_NAME        /* the name, folded (case, punctuation, "AB") */
} ref_key;

const char *refdata_key_name(ref_key k);

/*
 * Writes the canonical form of `in` as a key of kind k into out[0..n):
 * digits only for org numbers (a dash allowed in), bankgiro and plusgiro;
 * upper case without blanks for VAT and IBAN; "scheme:id" in lower case
 * for Peppol ids; the folded name for names.  False when `in` is not a
 * plausible value of that kind (then out is "").  out may be in.
 */
bool refdata_norm(char *out, size_t n, ref_key k, const char *in);

/* Folds an item name into a history key: lower case, letters kept, digits,
 * punctuation and month names dropped, blanks collapsed ("Hyra april 2025"
 * and "HYRA, maj 2025" give "hyra"). */
void refdata_text_key(char *out, size_t n, const char *text);
/* Folds an item id into a history key: upper case, blanks dropped. */
void refdata_item_key(char *out, size_t n, const char *id);

/* Parses an amount from an export: "1234.50", "1 234,50", "-3" (blanks and
 * no-break spaces as thousands separators, ',' or '.' as decimal mark).
 * 0, or ULF_EPARSE when it is not one amount beyond doubt (ULF_ERANGE when
 * it is too large). */
int refdata_parse_amount(dec *out, const char *s);

#endif
