/*
 * erp_payload.h - a posting (the booking suggestion as the ERP receives
 * it): one typed record, and every text it is kept or sent as.
 *
 * The pipeline builds an erp_posting from the invoice (the header) and
 * its booking (the lines, from matching, the care booking or a person);
 * this module owns the record's field list and is the one place that
 * writes and reads it as text:
 *
 *   erp_payload_build           the payload the ERP receives (docs/erp.md)
 *   erp_posting_facts_json      the invoice's part, kept with the document
 *   erp_posting_read_facts        when it is read (column `facts`), so a
 *                                posting thread need not read it again
 *   erp_posting_booking_json    the booking: supplier_erp_id and the lines,
 *   erp_posting_read_booking      as kept in the document's result and as a
 *                                person sets it (robot/pipeline/pipeline.h)
 *
 * A field added to erp_posting is added to one table in erp_payload.c and
 * reaches all of them.  It knows nothing of the matching module, the store
 * or HTTP.
 *
 * Amounts are exact decimals all the way, written as JSON strings, never
 * JSON numbers: the ERP must not read them as binary floating point.  In
 * the payload they have exactly two decimals ("1234.50"); an amount with
 * more than two significant decimals is refused rather than rounded:
 * rounding is the suggestion's business.
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
#include "core/dynbuf.h"
#include "core/err.h"
#include "core/json.h"
#include "connectors/erp.h"

/* The version written in the payload's "schema" member. */
#define ERP_PAYLOAD_SCHEMA "ulf.erp.posting/1"

/* Most booking lines one posting takes. */
#define ERP_POSTING_MAX_LINES 100000

/* One booking line (konteringsrad).  NULL or "" strings are written as
 * JSON null in the payload, except where the builder requires them. */
typedef struct erp_booking_line {
	char *invoice_line_id;        /* BT-126, or NULL for a document-level line */
	char *description;            /* what is booked (item name, charge reason) */
	char *account;                /* required: the ledger account (konto) */
	char *cost_centre;            /* ansvar */
	char *activity;               /* verksamhet / aktivitet */
	char *project;                /* optional */
	char *vat_code;               /* required: the ERP's VAT code */
	dec net_amount;               /* booked on `account`, without VAT */
	dec vat_amount;               /* VAT for this line (0 when exempt) */
} erp_booking_line;

/*
 * A posting.  Filled through erp_posting_set() and erp_posting_add_line()
 * its strings and lines are its own and erp_posting_release() frees them.
 * (erp_payload_build() only reads it, so a test may point the fields at
 * strings of its own and never release it.)
 */
typedef struct erp_posting {
	/* ulf's own reference: the document in the store and a link to it */
	int64_t document_id;
	char *invoice_url;            /* required: link back to the invoice */

	/* supplier (seller) */
	char *supplier_erp_id;        /* the ERP's supplier number, if known (booking) */
	char *supplier_name;          /* required (BT-27) */
	char *supplier_org_number;    /* BT-30 */
	char *supplier_vat_number;    /* BT-31 */

	/* invoice */
	char *invoice_number;         /* required (BT-1) */
	char *type_code;              /* required: "380" invoice, "381" credit note (BT-3) */
	char *issue_date;             /* required, YYYY-MM-DD (BT-2) */
	char *due_date;               /* YYYY-MM-DD (BT-9) */
	char *currency;               /* required, ISO 4217 (BT-5) */
	char *buyer_reference;        /* BT-10 */
	char *order_reference;        /* BT-13 */
	char *payment_reference;      /* OCR / BT-83 */
	dec total_net;                /* BT-109 (and the öre rounding BT-114) */
	dec total_vat;                /* BT-110 */
	dec payable;                  /* BT-115 */

	erp_booking_line *lines;      /* line_buf's array (or a test's own) */
	size_t nlines;                /* at least one to be sent */
	dynbuf line_buf;              /* holds the lines erp_posting_add_line adds */
} erp_posting;

/* An empty posting; release frees what it holds and leaves it empty. */
void erp_posting_init(erp_posting *p);
void erp_posting_release(erp_posting *p);

/* The booking lines only: freed, none left (the header stays). */
void erp_posting_clear_lines(erp_posting *p);

/* *dst (a string of a posting or of one of its lines) = a copy of s; NULL
 * stays NULL.  0 or ULF_ENOMEM. */
int erp_posting_set(char **dst, const char *s, ulf_err *err);

/* A new empty line at the end of p's in *out.  0, ULF_ENOMEM, or
 * ULF_ERANGE past ERP_POSTING_MAX_LINES. */
int erp_posting_add_line(erp_booking_line **out, erp_posting *p, ulf_err *err);

/*
 * Checks `p` and writes the payload as compact JSON into *out (malloc'd,
 * NUL-terminated; the caller frees it).  ULF_EINVAL names the first
 * missing or inconsistent field (line numbers are 1-based); nothing is
 * handed back then.
 */
int erp_payload_build(char **out, const erp_posting *p, ulf_err *err);

/*
 * The idempotency key (erp_idempotency_key, connectors/erp.h) of a payload
 * as erp_payload_build writes it: the supplier's org number, else its VAT
 * number, else its name; the invoice's type code, number and issue date;
 * and `revision`.  For a payload sent by hand (ulf erp-post).  ULF_EPARSE
 * when json is not JSON, else as erp_idempotency_key.
 */
int erp_payload_idempotency_key(char out[ERP_IDEM_KEY_MAX], const char *json, size_t len,
				unsigned revision, ulf_err *err);

/*
 * The invoice's part of the posting (supplier name and numbers, invoice
 * number, type, dates, currency, references, totals) as compact JSON,
 * into *out (malloc'd).  0 or ULF_ENOMEM.
 */
int erp_posting_facts_json(char **out, const erp_posting *p, ulf_err *err);

/*
 * The invoice's part of p from the JSON erp_posting_facts_json wrote (its
 * strings replace p's; "" reads as NULL): all of it, or nothing and
 * ULF_EPARSE when the text is not JSON, ULF_EINVAL when an amount is
 * missing, ULF_ENOMEM.
 */
int erp_posting_read_facts(erp_posting *p, const char *text, size_t len, ulf_err *err);

/*
 * The booking as the document keeps it, into *out (a new object):
 *   {"supplier_erp_id": "L1234", "lines": [{"invoice_line_id": "1",
 *    "description": "...", "account": "4010", "cost_centre": "...",
 *    "activity": "...", "project": "...", "vat_code": "...",
 *    "net_amount": "100.00", "vat_amount": "25.00"}]}
 * A NULL string is left out; amounts have at least two decimals.  0 or
 * ULF_ENOMEM.
 */
int erp_posting_booking_json(ujson **out, const erp_posting *p, ulf_err *err);

/*
 * The booking's supplier_erp_id and lines into p, replacing its lines
 * ("" reads as NULL).  ULF_EINVAL, the message saying why, when it has no
 * lines or a line's amounts are not decimal strings; ULF_ENOMEM,
 * ULF_ERANGE.  p's lines are cleared on failure.
 */
int erp_posting_read_booking(erp_posting *p, const ujson *booking, ulf_err *err);

#endif
