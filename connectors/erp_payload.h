/*
 * erp_payload.h - the booking suggestion as the ERP receives it (JSON).
 *
 * The pipeline fills an erp_posting from whatever matching produced and
 * the invoice's model; this module only checks it and writes the
 * documented payload (docs/erp.md).  It knows nothing of the matching
 * module, the store or HTTP.
 *
 * Amounts are exact decimals written as JSON strings with two decimals
 * ("1234.50"), never JSON numbers: the ERP must not read them as binary
 * floating point.  An amount with more than two significant decimals is
 * refused rather than rounded: rounding is the suggestion's business.
 *
 * The booking lines must add up to the invoice: the sum of the lines' net
 * amounts equals total_net and the sum of their VAT amounts equals
 * total_vat, exactly.  An unbalanced voucher is never sent.
 */
#ifndef ULF_ERP_PAYLOAD_H
#define ULF_ERP_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"

/* The version written in the payload's "schema" member. */
#define ERP_PAYLOAD_SCHEMA "ulf.erp.posting/1"

/* One booking line (konteringsrad).  NULL or "" strings are written as
 * JSON null, except where the builder requires them. */
typedef struct erp_booking_line {
	const char *invoice_line_id;  /* BT-126, or NULL for a document-level line */
	const char *description;      /* what is booked (item name, charge reason) */
	const char *account;          /* required: the ledger account (konto) */
	const char *cost_centre;      /* ansvar */
	const char *activity;         /* verksamhet / aktivitet */
	const char *project;          /* optional */
	const char *vat_code;         /* required: the ERP's VAT code */
	dec net_amount;               /* booked on `account`, without VAT */
	dec vat_amount;               /* VAT for this line (0 when exempt) */
} erp_booking_line;

typedef struct erp_posting {
	/* ulf's own reference: the document in the store and a link to it */
	int64_t document_id;
	const char *invoice_url;      /* required: link back to the invoice */

	/* supplier (seller) */
	const char *supplier_erp_id;  /* the ERP's supplier number, if known */
	const char *supplier_name;    /* required (BT-27) */
	const char *supplier_org_number;  /* BT-30 */
	const char *supplier_vat_number;  /* BT-31 */

	/* invoice */
	const char *invoice_number;   /* required (BT-1) */
	const char *type_code;        /* required: "380" invoice, "381" credit note (BT-3) */
	const char *issue_date;       /* required, YYYY-MM-DD (BT-2) */
	const char *due_date;         /* YYYY-MM-DD (BT-9) */
	const char *currency;         /* required, ISO 4217 (BT-5) */
	const char *buyer_reference;  /* BT-10 */
	const char *order_reference;  /* BT-13 */
	const char *payment_reference;/* OCR / BT-83 */
	dec total_net;                /* BT-109 */
	dec total_vat;                /* BT-110 */
	dec payable;                  /* BT-115 */

	const erp_booking_line *lines;
	size_t nlines;                /* at least one */
} erp_posting;

/*
 * Checks `p` and writes the payload as compact JSON into *out (malloc'd,
 * NUL-terminated; the caller frees it).  ULF_EINVAL names the first
 * missing or inconsistent field (line numbers are 1-based); nothing is
 * handed back then.
 */
int erp_payload_build(char **out, const erp_posting *p, ulf_err *err);

#endif
