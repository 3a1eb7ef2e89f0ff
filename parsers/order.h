/*
 * order.h - PEPPOL BIS Ordering 3 documents: the Order (UBL 2.1 Order-2)
 * a buyer sent and the Despatch Advice (DespatchAdvice-2) that tells what
 * was delivered against it - the goods receipt of a 3-way match.
 *
 * These are reference data, not invoices: they are read once at import,
 * through xml.h like every document from outside, into a small model of
 * their own that holds only what matching and booking look at.  Decimals
 * are exact (dec.h).  Strings live in the document's arena and die with
 * it.  A value that is present but unreadable (a quantity that is no
 * decimal) fails the read with "name:LINE: what": an order the robot half
 * understood must not be matched against.
 */
#ifndef ULF_ORDER_H
#define ULF_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dec.h"
#include "core/err.h"
#include "parsers/xml.h"

#define NS_UBL_ORDER    "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
#define NS_UBL_DESPATCH "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2"

/* A party as orders and despatch advices name it. */
typedef struct ord_party {
	const char *endpoint;          /* EndpointID: the Peppol id */
	const char *endpoint_scheme;   /* its schemeID (0007 = Swedish org number) */
	const char *party_id;          /* PartyIdentification/ID */
	const char *party_scheme;
	const char *legal_id;          /* PartyLegalEntity/CompanyID */
	const char *legal_scheme;
	const char *vat_id;            /* PartyTaxScheme/CompanyID with scheme VAT */
	const char *name;              /* PartyName/Name, else RegistrationName */
	bool present;
} ord_party;

typedef struct ord_amount {
	dec v;
	bool set;
} ord_amount;

/* Order-level allowance or charge (freight, a contract discount). */
typedef struct ord_allowance_charge {
	bool is_charge;
	ord_amount amount;
	const char *reason;
	const char *reason_code;
	const char *vat_category;
	ord_amount vat_rate;
	uint32_t line;
} ord_allowance_charge;

typedef struct ord_line {
	const char *id;                /* LineItem/ID: what invoices refer to (BT-132) */
	const char *note;              /* OrderLine/Note */
	ord_amount quantity;           /* LineItem/Quantity */
	const char *unit;              /* its unitCode */
	ord_amount net;                /* LineItem/LineExtensionAmount */
	ord_amount price;              /* Price/PriceAmount (net price) */
	ord_amount base_quantity;      /* Price/BaseQuantity */
	const char *accounting_cost;   /* LineItem/AccountingCost */
	bool partial_delivery;         /* PartialDeliveryIndicator, true if absent */
	const char *name;              /* Item/Name */
	const char *description;       /* Item/Description */
	const char *seller_item_id;    /* Item/SellersItemIdentification/ID */
	const char *buyer_item_id;     /* Item/BuyersItemIdentification/ID */
	const char *standard_item_id;  /* Item/StandardItemIdentification/ID */
	const char *classification;    /* first CommodityClassification code */
	const char *vat_category;      /* ClassifiedTaxCategory/ID */
	ord_amount vat_rate;           /* ClassifiedTaxCategory/Percent */
	uint32_t line;
} ord_line;

typedef struct order_doc {
	const char *id;                /* the order number */
	const char *sales_order_id;
	const char *issue_date;
	const char *currency;
	const char *customer_reference;/* the buyer's reference (BT-10 on invoices) */
	const char *accounting_cost;   /* header booking string */
	const char *note;
	const char *contract_id;       /* Contract/ID */
	const char *project_id;        /* ProjectReference/ID */
	ord_party buyer;               /* BuyerCustomerParty */
	ord_party seller;              /* SellerSupplierParty */
	ord_allowance_charge *acs;
	size_t nacs;
	ord_amount line_extension;     /* AnticipatedMonetaryTotal */
	ord_amount tax_exclusive;
	ord_amount payable;
	ord_line *lines;
	size_t nlines;
	arena mem;
} order_doc;

typedef struct despatch_line {
	const char *id;
	ord_amount delivered;          /* DeliveredQuantity */
	const char *unit;
	ord_amount outstanding;        /* OutstandingQuantity */
	const char *order_id;          /* OrderLineReference/OrderReference/ID */
	const char *order_line_id;     /* OrderLineReference/LineID */
	const char *item_name;
	const char *seller_item_id;
	const char *standard_item_id;
	uint32_t line;
} despatch_line;

typedef struct despatch_doc {
	const char *id;
	const char *issue_date;
	const char *despatch_date;     /* Shipment/Delivery/Despatch/ActualDespatchDate */
	const char *order_id;          /* OrderReference/ID */
	const char *note;
	ord_party supplier;            /* DespatchSupplierParty */
	ord_party buyer;               /* BuyerCustomerParty */
	ord_party delivery;            /* DeliveryCustomerParty */
	despatch_line *lines;
	size_t nlines;
	arena mem;
} despatch_doc;

/* Reads an Order.  ULF_ESYNTAX when the root is not {Order-2}Order,
 * ULF_EPARSE for a required term missing or a value that is no decimal. */
int order_read(order_doc **out, const xml_doc *doc, const char *name, ulf_err *err);
void order_free(order_doc *o);

/* Reads a Despatch Advice; errors as order_read. */
int despatch_read(despatch_doc **out, const xml_doc *doc, const char *name, ulf_err *err);
void despatch_free(despatch_doc *d);

typedef enum ordering_kind {
	ORDERING_ORDER = 1,
	ORDERING_DESPATCH = 2
} ordering_kind;

typedef struct ordering_doc {
	ordering_kind kind;
	order_doc *order;              /* ORDERING_ORDER */
	despatch_doc *despatch;        /* ORDERING_DESPATCH */
} ordering_doc;

/*
 * Reads a file holding either document, parsed with the locked-down XML
 * settings and `limits` (NULL: defaults).  ULF_ESYNTAX names the root when
 * it is neither.
 */
int ordering_read_file(ordering_doc *out, const char *path, const xml_limits *limits,
		       ulf_err *err);
/* Reads from memory; `name` labels messages. */
int ordering_read(ordering_doc *out, const char *buf, size_t len, const char *name,
		  const xml_limits *limits, ulf_err *err);
void ordering_release(ordering_doc *d);

#endif
