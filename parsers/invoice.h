/*
 * invoice.h - the canonical invoice: the EN 16931 semantic model in C.
 *
 * Every syntax ulf reads (PEPPOL BIS 3 / UBL 2.1, Svefaktura 1.0) is mapped
 * into this one model; validation, the care join, matching, booking and
 * posting only ever look at it.  Field comments name the business term
 * (BT-n) or group (BG-n) of EN 16931-1 so that rules read like the standard.
 *
 * Conventions:
 *  - Every term records the source line of the element it came from, so a
 *    finding can point at it.  A text term is absent when .v is NULL; a
 *    numeric term when .set is false.
 *  - Amounts, quantities, prices and rates are exact decimals (dec.h).
 *  - All strings and arrays live in the invoice's own arena and die with
 *    invoice_free(); attachment payloads are separate heap blocks, also
 *    owned by the invoice.
 *  - Credit notes keep the signs written in the document: a UBL CreditNote
 *    normally carries positive amounts, its kind says it reduces.
 */
#ifndef ULF_INVOICE_H
#define ULF_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dec.h"
#include "core/err.h"

typedef enum inv_syntax {
	INV_SYNTAX_UBL = 1,        /* PEPPOL BIS Billing 3.0, UBL 2.1 */
	INV_SYNTAX_SVEFAKTURA = 2  /* SFTI Svefaktura 1.0 BasicInvoice */
} inv_syntax;

typedef enum inv_kind {
	INV_KIND_INVOICE = 1,      /* UBL Invoice, Svefaktura Invoice */
	INV_KIND_CREDIT_NOTE = 2   /* UBL CreditNote, Svefaktura type 381 */
} inv_kind;

/* A text term.  v == NULL: not in the document. */
typedef struct inv_text {
	const char *v;
	uint32_t line;
} inv_text;

/* An identifier with its scheme (schemeID, or the code list it uses). */
typedef struct inv_id {
	const char *v;
	const char *scheme;
	uint32_t line;
} inv_id;

/* An amount with the currency the document states for it. */
typedef struct inv_amount {
	dec v;
	const char *currency;   /* currencyID / amountCurrencyID, or NULL */
	uint32_t line;
	bool set;
} inv_amount;

/* A quantity with its unit (UN/ECE Rec 20 in BIS 3; free text in Svefaktura). */
typedef struct inv_qty {
	dec v;
	const char *unit;
	uint32_t line;
	bool set;
} inv_qty;

/* A plain number: a percentage or VAT rate. */
typedef struct inv_num {
	dec v;
	uint32_t line;
	bool set;
} inv_num;

typedef struct inv_address {        /* BG-5, BG-8, BG-12, BG-15 */
	inv_text line1, line2, line3;   /* BT-35, BT-36, BT-162 */
	inv_text city;                  /* BT-37 */
	inv_text postcode;              /* BT-38 */
	inv_text subdivision;           /* BT-39 */
	inv_text country;               /* BT-40, ISO 3166-1 alpha-2 */
	bool present;
} inv_address;

typedef struct inv_contact {        /* BG-6, BG-9 */
	inv_text name, phone, email;    /* BT-41..43, BT-56..58 */
	bool present;
} inv_contact;

/* Seller (BG-4), buyer (BG-7), payee (BG-10), seller's tax representative
 * (BG-11).  Not every group uses every term. */
typedef struct inv_party {
	inv_text name;          /* BT-27 / BT-44 / BT-59 / BT-62 */
	inv_text trading_name;  /* BT-28 / BT-45 */
	inv_id *ids;            /* BT-29 / BT-46 / BT-60, repeatable */
	size_t nids;
	inv_id legal_id;        /* BT-30 / BT-47 / BT-61: org number in Sweden */
	inv_text vat_id;        /* BT-31 / BT-48 / BT-63 */
	inv_text tax_reg_id;    /* BT-32: tax registration other than VAT */
	inv_text legal_info;    /* BT-33: "Godkänd för F-skatt" in Sweden */
	inv_id endpoint;        /* BT-34 / BT-49: electronic address (Peppol id) */
	inv_address address;
	inv_contact contact;
	uint32_t line;
	bool present;
} inv_party;

typedef struct inv_note {           /* BG-1 */
	inv_text subject;               /* BT-21 */
	inv_text text;                  /* BT-22 */
} inv_note;

typedef struct inv_preceding {      /* BG-3 */
	inv_text id;                    /* BT-25 */
	inv_text issue_date;            /* BT-26 */
} inv_preceding;

typedef struct inv_delivery {       /* BG-13 */
	inv_text party_name;            /* BT-70 */
	inv_id location_id;             /* BT-71 */
	inv_text date;                  /* BT-72 */
	inv_address address;            /* BG-15 */
	bool present;
} inv_delivery;

typedef struct inv_period {         /* BG-14, BG-26 */
	inv_text start, end;            /* BT-73/74, BT-134/135 */
	inv_text code;                  /* BT-8 (document level only) */
	bool present;
} inv_period;

typedef struct inv_account {        /* BG-17 credit transfer */
	inv_text id;                    /* BT-84: IBAN, bankgiro, plusgiro, ... */
	inv_text name;                  /* BT-85 */
	inv_text bic;                   /* BT-86: BIC, or SE:BANKGIRO / SE:PLUSGIRO */
} inv_account;

typedef struct inv_payment {        /* BG-16, one per PaymentMeans */
	inv_text means_code;            /* BT-81, UNCL 4461 */
	inv_text means_text;            /* BT-82 */
	inv_text remittance;            /* BT-83: OCR / payment reference */
	inv_account account;            /* BG-17 */
	inv_text card_pan, card_holder; /* BG-18: BT-87, BT-88 */
	inv_text mandate_id;            /* BG-19: BT-89 */
	inv_text debited_account;       /* BT-91 */
	uint32_t line;
} inv_payment;

/* Document level (BG-20 / BG-21) and line level (BG-27 / BG-28). */
typedef struct inv_allowance_charge {
	bool is_charge;                 /* ChargeIndicator */
	inv_amount amount;              /* BT-92 / BT-99 / BT-136 / BT-141 */
	inv_amount base;                /* BT-93 / BT-100 / BT-137 / BT-142 */
	inv_num percent;                /* BT-94 / BT-101 / BT-138 / BT-143 */
	inv_text vat_category;          /* BT-95 / BT-102 (document level) */
	inv_num vat_rate;               /* BT-96 / BT-103 */
	inv_text reason;                /* BT-97 / BT-104 / BT-139 / BT-144 */
	inv_text reason_code;           /* BT-98 / BT-105 / BT-140 / BT-145 */
	uint32_t line;
} inv_allowance_charge;

typedef struct inv_totals {         /* BG-22 */
	inv_amount line_extension;      /* BT-106 */
	inv_amount allowance_total;     /* BT-107 */
	inv_amount charge_total;        /* BT-108 */
	inv_amount tax_exclusive;       /* BT-109 */
	inv_amount tax;                 /* BT-110, in document currency */
	inv_amount tax_accounting;      /* BT-111, in tax currency (BT-6) */
	inv_amount tax_inclusive;       /* BT-112 */
	inv_amount prepaid;             /* BT-113 */
	inv_amount rounding;            /* BT-114 */
	inv_amount payable;             /* BT-115 */
} inv_totals;

typedef struct inv_vat {            /* BG-23 */
	inv_amount taxable;             /* BT-116 */
	inv_amount tax;                 /* BT-117 */
	inv_text category;              /* BT-118, UNCL 5305 */
	inv_num rate;                   /* BT-119 */
	inv_text exemption_reason;      /* BT-120 */
	inv_text exemption_code;        /* BT-121 */
	uint32_t line;
} inv_vat;

/* A decoded attachment (BT-125), from the invoice or an envelope. */
typedef struct inv_attachment {
	const char *mime;               /* mimeCode */
	const char *filename;
	unsigned char *data;            /* owned by the invoice */
	size_t size;
	struct inv_attachment *next_owned; /* the invoice's list, for freeing */
} inv_attachment;

typedef struct inv_docref {         /* BG-24, and BT-17/BT-18 carriers */
	inv_id id;                      /* BT-122 */
	inv_text type_code;             /* DocumentTypeCode (130 = BT-18, 50 = BT-17) */
	inv_text description;           /* BT-123 */
	inv_text uri;                   /* BT-124 */
	inv_attachment *attachment;     /* BT-125, NULL if none */
	uint32_t line;
} inv_docref;

typedef struct inv_attr {           /* BG-32 */
	inv_text name, value;           /* BT-160, BT-161 */
} inv_attr;

typedef struct inv_line {           /* BG-25 */
	inv_text id;                    /* BT-126 */
	inv_text note;                  /* BT-127 */
	inv_id object_id;               /* BT-128 */
	inv_qty quantity;               /* BT-129, BT-130 */
	inv_amount net;                 /* BT-131 */
	inv_text order_line_ref;        /* BT-132 */
	inv_text order_id;              /* Svefaktura: the order number per line */
	inv_text accounting_ref;        /* BT-133 */
	inv_period period;              /* BG-26 */
	inv_allowance_charge *acs;      /* BG-27 / BG-28 */
	size_t nacs;
	inv_amount price;               /* BT-146: net price */
	inv_amount price_discount;      /* BT-147 */
	inv_amount gross_price;         /* BT-148 */
	inv_qty base_quantity;          /* BT-149, BT-150 */
	inv_text vat_category;          /* BT-151 */
	inv_num vat_rate;               /* BT-152 */
	inv_text item_name;             /* BT-153 */
	inv_text item_description;      /* BT-154 */
	inv_text seller_item_id;        /* BT-155 */
	inv_text buyer_item_id;         /* BT-156 */
	inv_id standard_item_id;        /* BT-157 */
	inv_id *classifications;        /* BT-158, listID in scheme */
	size_t nclassifications;
	inv_text origin_country;        /* BT-159 */
	inv_attr *attrs;                /* BG-32 */
	size_t nattrs;
	uint32_t line;
} inv_line;

/* Something the reader could not take as written (a number that is not a
 * decimal, an indicator that is not true/false).  The term is left absent
 * and validation reports the problem; reading goes on. */
typedef struct inv_problem {
	uint32_t line;
	const char *element;            /* local name of the element */
	const char *msg;
	struct inv_problem *next;
} inv_problem;

typedef struct invoice {
	inv_syntax syntax;
	inv_kind kind;
	const char *root_ns;            /* namespace URI of the root element */

	inv_text customization;         /* BT-24 */
	inv_text profile;               /* BT-23 */
	inv_text id;                    /* BT-1 */
	inv_text issue_date;            /* BT-2, YYYY-MM-DD */
	inv_text type_code;             /* BT-3, UNCL 1001 */
	inv_text currency;              /* BT-5 */
	inv_text tax_currency;          /* BT-6 */
	inv_text tax_point_date;        /* BT-7 */
	inv_text due_date;              /* BT-9 */
	inv_text buyer_reference;       /* BT-10 */
	inv_text project_ref;           /* BT-11 */
	inv_text contract_ref;          /* BT-12 */
	inv_text order_ref;             /* BT-13 */
	inv_text sales_order_ref;       /* BT-14 */
	inv_text receiving_advice_ref;  /* BT-15 */
	inv_text despatch_advice_ref;   /* BT-16 */
	inv_text tender_ref;            /* BT-17 */
	inv_id invoiced_object;         /* BT-18 */
	inv_text buyer_accounting_ref;  /* BT-19 */
	inv_text payment_terms;         /* BT-20 */

	inv_note *notes;                /* BG-1 */
	size_t nnotes;
	inv_preceding *preceding;       /* BG-3 */
	size_t npreceding;

	inv_party seller;               /* BG-4 */
	inv_party buyer;                /* BG-7 */
	inv_party payee;                /* BG-10 */
	inv_party tax_rep;              /* BG-11 */

	inv_delivery delivery;          /* BG-13 */
	inv_period period;              /* BG-14 */

	inv_payment *payments;          /* BG-16 */
	size_t npayments;

	inv_allowance_charge *acs;      /* BG-20 / BG-21 */
	size_t nacs;

	inv_totals totals;              /* BG-22 */
	inv_vat *vat;                   /* BG-23 */
	size_t nvat;

	inv_docref *docs;               /* BG-24 */
	size_t ndocs;

	inv_line *lines;                /* BG-25 */
	size_t nlines;

	inv_problem *problems;          /* in document order */
	size_t nproblems;

	arena mem;                      /* owns everything above */
	inv_attachment *owned;          /* attachments whose payloads we free */
} invoice;

/* Limits a reader applies to what one document may make us hold. */
typedef struct inv_limits {
	size_t max_attachment_bytes;    /* decoded size of one attachment */
	size_t max_model_bytes;         /* arena cap for one invoice */
} inv_limits;

#define INV_DEFAULT_MAX_ATTACHMENT (32u * 1024 * 1024)
#define INV_DEFAULT_MAX_MODEL (16u * 1024 * 1024)

/* An empty invoice with its arena ready; NULL when out of memory. */
invoice *invoice_new(inv_syntax syntax, inv_kind kind, const inv_limits *limits);
/* Frees the invoice, its arena and its attachment payloads. */
void invoice_free(invoice *inv);

/* Allocate `n` zeroed elements of `size` from the invoice; NULL when the
 * model cap is reached or n is 0. */
void *invoice_alloc(invoice *inv, size_t n, size_t size);

/* Adds a decoded attachment to the invoice; takes ownership of `data` even
 * on failure.  The strings are copied. */
int invoice_add_attachment(inv_attachment **out, invoice *inv,
			   const char *mime, const char *filename,
			   unsigned char *data, size_t size, ulf_err *err);

/* "peppol-bis3" / "svefaktura-1.0", "invoice" / "credit-note". */
const char *invoice_syntax_name(inv_syntax s);
const char *invoice_kind_name(inv_kind k);

/* The first credit-transfer payment, or NULL. */
const inv_payment *invoice_payment(const invoice *inv);

/* Number of decoded attachments held by the invoice. */
size_t invoice_attachment_count(const invoice *inv);

#endif
