/*
 * invoice_response.h - a PEPPOL Invoice Response (BIS 3, UBL 2.1
 * ApplicationResponse) telling a supplier that an invoice is rejected.
 *
 * Written as XML text here, with every character of data escaped, rather
 * than through the XML reader's library: the document is small and fixed
 * in shape.  Text from outside (the ERP's message, party names) may hold
 * anything: markup characters are escaped, characters XML 1.0 does not
 * allow (most control characters) and bytes that are not UTF-8 are
 * replaced by U+FFFD, so the result is always well-formed.
 *
 * The free texts (party names, the reason) go to the supplier with
 * personal identity numbers masked (core/pnr.h): a reason that quotes a
 * care line names no patient.
 *
 * The shape follows the OpenPEPPOL examples (use case 4a, "Invoice is
 * rejected"): ResponseCode RE, a StatusReasonCode from the OPStatusReason
 * list and the reason as StatusReason.
 */
#ifndef ULF_INVOICE_RESPONSE_H
#define ULF_INVOICE_RESPONSE_H

#include <stddef.h>

#include "core/err.h"

typedef struct invoice_response_party {
	const char *endpoint_scheme;  /* required: EAS code, e.g. "0007" */
	const char *endpoint_id;      /* required: e.g. "2321000032" */
	const char *name;             /* required: registration name */
} invoice_response_party;

typedef struct invoice_response {
	const char *id;               /* required: this response's identifier */
	const char *issue_date;       /* required: YYYY-MM-DD */
	invoice_response_party sender;   /* the buyer, who rejects */
	invoice_response_party receiver; /* the seller of the invoice */
	const char *invoice_number;   /* required: the rejected invoice (BT-1) */
	const char *invoice_issue_date; /* optional, YYYY-MM-DD */
	const char *type_code;        /* required: "380", "381", ... (UNCL 1001) */
	const char *reason_code;      /* OPStatusReason (REF, LEG, PRI, ...); NULL: "OTH" */
	const char *reason;           /* required: why, in words */
} invoice_response;

/*
 * The most bytes a rejection may take.  The document is a dozen short
 * elements, a few KiB even with a long reason; past 1 MiB some field
 * holds runaway text that no access point would carry.
 */
#define INVOICE_RESPONSE_MAX_BYTES (1024u * 1024)

/*
 * Writes the rejection as a UTF-8 XML document into *out (malloc'd,
 * NUL-terminated, *out_len bytes without the NUL).  ULF_EINVAL names a
 * missing or malformed field, ULF_ELIMIT a document past
 * INVOICE_RESPONSE_MAX_BYTES; nothing is handed back then.
 */
int invoice_response_rejection(char **out, size_t *out_len, const invoice_response *r,
			       ulf_err *err);

#endif
