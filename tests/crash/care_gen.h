/*
 * care_gen.h - thousands of distinct care invoices from one sample.
 *
 * A template is one of the care samples: a UBL invoice that embeds its claim
 * (Inera ProcessClaimSpecification, base64, in an AdditionalDocumentReference,
 * samples/care/ubl-embedded-invoice.xml), or one half of a pair sent as two
 * documents (claim-matched.xml and invoice-matched.xml).  Copy n keeps every
 * amount of the template and changes only identifiers: the invoice number
 * (the invoice's cbc:ID and PaymentID, the claim's invoiceId) becomes the
 * template's with its last six digits replaced by n, and the claim id
 * (fakturaunderlags-id ZVF + seller org + YYMM + a 6-digit counter) gets n
 * as its counter, wherever the invoice, the claim or the embedded claim
 * names it.  So copies have distinct bytes, numbers and idempotency keys,
 * copy n of a pair's halves still belong together, and each reconciles as
 * the sample does.  Any other invoice whose first cbc:ID is its number works
 * too: its copies differ in the number only.  Templates with the same
 * invoice number prefix need disjoint ranges of n.
 *
 * Used by the crash and fault tests (care_gen) and by bench/robot.
 */
#ifndef ULF_CARE_GEN_H
#define ULF_CARE_GEN_H

#include <stddef.h>

typedef struct care_gen care_gen;

/* Loads the template; on failure prints why on stderr and returns NULL. */
care_gen *care_gen_load(const char *path);
void care_gen_free(care_gen *g);

/* Invoice n (0 <= n < 1000000) as a malloc'd buffer; NULL when out of memory. */
char *care_gen_make(const care_gen *g, unsigned long n, size_t *len);

/* The invoice number of invoice n, into buf (at least 16 bytes). */
void care_gen_number(const care_gen *g, unsigned long n, char *buf, size_t size);

#endif
