/*
 * refmodel.h - the canonical model of reference data: the records matching
 * stands on, as plain C structs.
 *
 * invoice.h is the one model every invoice syntax is read into; this is
 * the same for what the robot matches invoices against.  The importers
 * (connectors/refimport.h: order sources, the supplier register, the ERP's
 * booking history) deliver these records, the store (robot/store/refdata.h)
 * keeps them and reads them back, the matcher looks at them.  None of
 * those needs to know the others: they meet here.
 *
 * Conventions:
 *  - Decimals are exact (dec.h); a numeric field that may be missing has a
 *    `_set` flag beside it.
 *  - A record read back from the store owns its strings and arrays in its
 *    `mem` arena and dies with refdata_order_free / refdata_invoice_free.
 *    A record handed to the store may point anywhere: the store copies.
 *  - The names keep the refdata_ / ref_ prefix they had when all of this
 *    lived in the store: the matcher and the rules call them by it.
 */
#ifndef ULF_REFMODEL_H
#define ULF_REFMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dec.h"

/* Model memory for one order or one invoice record. */
#define REF_RECORD_MAX_MODEL (16u * 1024 * 1024)

/* ---- the kinds of reference data ---------------------------------------- */

typedef enum refdata_kind {
	REFDATA_ORDERS = 1,    /* PEPPOL Order XML or the e-commerce CSV */
	REFDATA_RECEIPTS,      /* PEPPOL Despatch Advice XML or CSV */
	REFDATA_SUPPLIERS,     /* the supplier register CSV */
	REFDATA_HISTORY,       /* posted invoice lines from the ERP, CSV */
	REFDATA_DIMENSIONS     /* accounts and dimension values a booking may use, CSV */
} refdata_kind;

/* "orders", "receipts", "suppliers", "history", "dimensions"; 0 when unknown. */
refdata_kind refdata_kind_parse(const char *name);
const char *refdata_kind_name(refdata_kind k);

/* ---- suppliers ---------------------------------------------------------- */

/* One supplier of the register; the keys are in their canonical form
 * (refkeys.h: refdata_norm). */
typedef struct ref_supplier {
	char supplier_no[64];
	char name[256];
	char org_no[16];
	char vat_no[32];
	char peppol_id[128];
	char bankgiro[16];
	char plusgiro[16];
	char iban[40];
	bool contract;     /* a framework agreement (avtal) covers this supplier */
	bool blocked;      /* payments stopped in the ERP */
	/* the agreement: its reference and the days it is valid (YYYY-MM-DD,
	 * "" open), for contract compliance (avtalstrohet) */
	char contract_ref[64];
	char contract_from[11];
	char contract_to[11];
	/* when the supplier was set up in the ERP (YYYY-MM-DD); "": the day
	 * the register first held it is kept instead */
	char registered[11];
} ref_supplier;

/* ---- orders ------------------------------------------------------------- */

typedef struct ref_order_line {
	const char *line_id;
	const char *item_id;          /* the seller's article number */
	const char *buyer_item_id;
	const char *std_item_id;      /* GTIN and the like */
	const char *name;
	const char *classification;
	const char *note;
	dec quantity;
	bool quantity_set;
	const char *unit;
	dec price;                    /* net price per base quantity */
	bool price_set;
	dec base_qty;
	bool base_set;
	dec net;                      /* line amount as ordered */
	bool net_set;
	const char *vat_category;
	dec vat_rate;
	bool vat_rate_set;
	/* the booking the orderer gave (e-commerce export), or the order's
	 * AccountingCost text for the rules to split */
	const char *accounting_cost;
	const char *account, *cost_centre, *activity, *project, *vat_code;
	/* filled by refdata_order_get, ignored by refdata_put_order */
	dec invoiced_qty;             /* by recorded invoices, credits subtracted */
	dec invoiced_net;
	dec received_qty;             /* by goods receipts */
	size_t nreceipts;
} ref_order_line;

typedef struct ref_order {
	const char *order_no;
	const char *buyer;            /* Peppol id or org number of the ordering region */
	const char *supplier_no;      /* the register's number, when known */
	const char *supplier_org, *supplier_peppol, *supplier_vat, *supplier_name;
	const char *issue_date;
	const char *currency;
	const char *buyer_reference;
	const char *contract_id;
	const char *status;           /* "open" or "closed" */
	int requires_receipt;         /* 1 yes, 0 no, -1 not stated (rules decide) */
	const char *accounting_cost;
	const char *account, *cost_centre, *activity, *project;
	dec charges;                  /* order-level charges minus allowances */
	bool charges_set;
	const char *source;           /* "peppol" or "csv" */
	ref_order_line *lines;
	size_t nlines;
	arena mem;                    /* owns everything above when read */
} ref_order;

/* An empty order whose arena strings and lines can be allocated in;
 * requires_receipt -1 (not stated).  NULL when out of memory. */
ref_order *refdata_order_new(void);
void refdata_order_free(ref_order *o);

/* ---- goods receipts ----------------------------------------------------- */

typedef struct ref_receipt {
	const char *order_no;
	const char *receipt_id;       /* the despatch advice or receipt number */
	const char *line_id;
	const char *order_line_id;
	dec quantity;
	const char *unit;
	const char *date;
	const char *source;
} ref_receipt;

/* ---- accounts and dimensions -------------------------------------------- */

/* One value a booking may use: an account of the chart of accounts, a cost
 * centre, an activity, a project or a VAT code. */
typedef struct ref_dimension {
	const char *dimension;        /* "account", "cost_centre", "activity", "project",
	                               * "vat_code" */
	const char *code;
	const char *name;             /* may be NULL */
	bool active;                  /* false: closed, no longer to be booked on */
} ref_dimension;

/* ---- invoices seen, and the booking history ----------------------------- */

typedef struct ref_invoice_line {
	const char *line_id;
	const char *item_key;         /* seller's item id, folded */
	const char *text_key;         /* item name, folded (refdata_text_key) */
	const char *description;
	dec quantity;                 /* signed as booked: negative on credits */
	dec net;
	const char *account, *cost_centre, *activity, *project, *vat_code;
	const char *order_no, *order_line_id;
	/* a person's correction taught this booking: who, and the day
	 * (YYYY-MM-DD); NULL when the robot's own or imported */
	const char *learned_by, *learned_on;
} ref_invoice_line;

typedef struct ref_invoice {
	const char *supplier_key;     /* supplier number, else "org:..." etc. */
	const char *invoice_number;
	const char *kind;             /* "invoice" or "credit-note" */
	const char *issue_date;
	const char *currency;
	dec net_total;                /* signed as booked */
	const char *order_no;
	const char *flow;             /* po, non-po, recurring */
	const char *source;           /* "posted" or "import" */
	/* JSON: the references that tell it apart from an invoice of the same
	 * content (match.h, match_result.refs), NULL when none are known */
	const char *refs;
	int64_t doc_id;               /* store document, 0 when none */
	ref_invoice_line *lines;
	size_t nlines;
	arena mem;                    /* owns strings and lines when read */
} ref_invoice;

/* An empty invoice record whose arena strings and lines can be allocated
 * in.  NULL when out of memory. */
ref_invoice *refdata_invoice_new(void);
void refdata_invoice_free(ref_invoice *inv);

#endif
