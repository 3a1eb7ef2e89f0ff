/*
 * order.c - PEPPOL BIS Ordering 3 Order and Despatch Advice into the
 * reference-data model.  See order.h.
 *
 * Paths are written as "cac:Item/cbc:Name" and resolved by namespace URI;
 * the prefixes in these strings are ours, not the sender's.
 */
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/text.h"
#include "parsers/order.h"

#define CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

/* An order is a few hundred lines at most; a document wanting more model
 * memory than this is not an order we should hold. */
#define ORDER_MAX_MODEL (16u * 1024 * 1024)

typedef struct ord_rd {
	arena *mem;
	const char *name;
	ulf_err *err;
	int rc;
} ord_rd;

/* Resolves "cac:A/cbc:B" below n; NULL when any step is missing. */
static const xml_node *at(const xml_node *n, const char *path)
{
	char seg[64];
	const char *p = path, *slash;
	size_t len;

	while (n && *p) {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len < 5 || len >= sizeof(seg))
			return NULL;
		memcpy(seg, p, len);
		seg[len] = '\0';
		n = xml_child(n, seg[1] == 'a' ? CAC : CBC, seg + 4);
		p = slash ? slash + 1 : p + len;
	}
	return n;
}

static int nomem(ord_rd *r)
{
	if (!r->rc)
		r->rc = ulf_err_set(r->err, ULF_ELIMIT, "%s: the document needs more than %u bytes"
				    " of model memory", r->name, ORDER_MAX_MODEL);
	return r->rc;
}

static const char *trim_dup(ord_rd *r, const char *s, size_t len)
{
	char *c;

	while (len && text_is_space(*s))
		s++, len--;
	while (len && text_is_space(s[len - 1]))
		len--;
	if (len == 0)
		return NULL;   /* empty is as good as absent for reference data */
	c = arena_strndup(r->mem, s, len);
	if (!c)
		nomem(r);
	return c;
}

/* Trimmed text of the element at path below n, or NULL. */
static const char *txt(ord_rd *r, const xml_node *n, const char *path)
{
	const char *s;
	size_t len = 0;

	n = at(n, path);
	if (!n || r->rc)
		return NULL;
	s = xml_text(n, r->mem, &len);
	if (!s)
		return nomem(r), NULL;
	return trim_dup(r, s, len);
}

static const char *attr(ord_rd *r, const xml_node *n, const char *path, const char *name)
{
	const char *s;

	n = at(n, path);
	s = n ? xml_attr(n, name) : NULL;
	return s && !r->rc ? trim_dup(r, s, strlen(s)) : NULL;
}

/* A decimal at path; a present value that does not parse fails the read. */
static void num(ord_rd *r, ord_amount *out, const xml_node *n, const char *path)
{
	const xml_node *e = at(n, path);
	const char *s;
	size_t len = 0;

	out->set = false;
	if (!e || r->rc)
		return;
	s = xml_text(e, r->mem, &len);
	if (!s) {
		nomem(r);
		return;
	}
	if (dec_parse(&out->v, s, len) != 0) {
		r->rc = ulf_err_set(r->err, ULF_EPARSE, "%s:%u: %s '%.*s' is not a decimal",
				    r->name, xml_line(e), xml_name(e), text_quote_len(s, 40), s);
		return;
	}
	out->set = true;
}

static void *array(ord_rd *r, size_t *count, const xml_node *parent, const char *ns,
		   const char *name, size_t size)
{
	size_t n = parent ? xml_count(parent, ns, name) : 0;
	void *p;

	*count = 0;
	if (n == 0 || r->rc)
		return NULL;
	if (n > SIZE_MAX / size)
		return nomem(r), NULL;
	p = arena_alloc(r->mem, n * size);
	if (!p)
		return nomem(r), NULL;
	*count = n;
	return p;
}

static void read_party(ord_rd *r, ord_party *p, const xml_node *n)
{
	const xml_node *c;

	if (!n)
		return;
	p->present = true;
	p->endpoint = txt(r, n, "cbc:EndpointID");
	p->endpoint_scheme = attr(r, n, "cbc:EndpointID", "schemeID");
	p->party_id = txt(r, n, "cac:PartyIdentification/cbc:ID");
	p->party_scheme = attr(r, n, "cac:PartyIdentification/cbc:ID", "schemeID");
	p->legal_id = txt(r, n, "cac:PartyLegalEntity/cbc:CompanyID");
	p->legal_scheme = attr(r, n, "cac:PartyLegalEntity/cbc:CompanyID", "schemeID");
	for (c = xml_child(n, CAC, "PartyTaxScheme"); c; c = xml_next(c, CAC, "PartyTaxScheme")) {
		const char *scheme = txt(r, c, "cac:TaxScheme/cbc:ID");
		if (scheme && strcmp(scheme, "VAT") == 0) {
			p->vat_id = txt(r, c, "cbc:CompanyID");
			break;
		}
	}
	p->name = txt(r, n, "cac:PartyName/cbc:Name");
	if (!p->name)
		p->name = txt(r, n, "cac:PartyLegalEntity/cbc:RegistrationName");
}

static bool is_true(const char *s)
{
	return s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
}

static void read_order_line(ord_rd *r, ord_line *l, const xml_node *ol)
{
	const xml_node *li = xml_child(ol, CAC, "LineItem");
	const char *partial;

	l->line = xml_line(ol);
	l->note = txt(r, ol, "cbc:Note");
	if (!li) {
		if (!r->rc)
			r->rc = ulf_err_set(r->err, ULF_EPARSE, "%s:%u: OrderLine without a LineItem",
					    r->name, l->line);
		return;
	}
	l->line = xml_line(li);
	l->id = txt(r, li, "cbc:ID");
	if (!l->id && !r->rc)
		r->rc = ulf_err_set(r->err, ULF_EPARSE, "%s:%u: LineItem without an ID",
				    r->name, l->line);
	num(r, &l->quantity, li, "cbc:Quantity");
	l->unit = attr(r, li, "cbc:Quantity", "unitCode");
	num(r, &l->net, li, "cbc:LineExtensionAmount");
	num(r, &l->price, li, "cac:Price/cbc:PriceAmount");
	num(r, &l->base_quantity, li, "cac:Price/cbc:BaseQuantity");
	l->accounting_cost = txt(r, li, "cbc:AccountingCost");
	partial = txt(r, li, "cbc:PartialDeliveryIndicator");
	l->partial_delivery = !partial || is_true(partial);
	l->name = txt(r, li, "cac:Item/cbc:Name");
	l->description = txt(r, li, "cac:Item/cbc:Description");
	l->seller_item_id = txt(r, li, "cac:Item/cac:SellersItemIdentification/cbc:ID");
	l->buyer_item_id = txt(r, li, "cac:Item/cac:BuyersItemIdentification/cbc:ID");
	l->standard_item_id = txt(r, li, "cac:Item/cac:StandardItemIdentification/cbc:ID");
	l->classification = txt(r, li, "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode");
	l->vat_category = txt(r, li, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID");
	num(r, &l->vat_rate, li, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent");
}

void order_free(order_doc *o)
{
	if (!o)
		return;
	arena_release(&o->mem);
	free(o);
}

int order_read(order_doc **out, const xml_doc *doc, const char *name, ulf_err *err)
{
	const xml_node *root = xml_root(doc), *c;
	order_doc *o;
	ord_rd r;
	size_t i;

	*out = NULL;
	if (!xml_is(root, NS_UBL_ORDER, "Order"))
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not an Order: root is {%s}%s", name,
				   xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	o = calloc(1, sizeof(*o));
	if (!o)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	arena_init(&o->mem, ORDER_MAX_MODEL);
	r = (ord_rd){ &o->mem, name, err, 0 };
	o->id = txt(&r, root, "cbc:ID");
	if (!o->id && !r.rc)
		r.rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: the Order has no ID (order number)",
				   name, xml_line(root));
	o->sales_order_id = txt(&r, root, "cbc:SalesOrderID");
	o->issue_date = txt(&r, root, "cbc:IssueDate");
	o->currency = txt(&r, root, "cbc:DocumentCurrencyCode");
	o->customer_reference = txt(&r, root, "cbc:CustomerReference");
	o->accounting_cost = txt(&r, root, "cbc:AccountingCost");
	o->note = txt(&r, root, "cbc:Note");
	o->contract_id = txt(&r, root, "cac:Contract/cbc:ID");
	o->project_id = txt(&r, root, "cac:ProjectReference/cbc:ID");
	read_party(&r, &o->buyer, at(root, "cac:BuyerCustomerParty/cac:Party"));
	read_party(&r, &o->seller, at(root, "cac:SellerSupplierParty/cac:Party"));
	num(&r, &o->line_extension, root, "cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount");
	num(&r, &o->tax_exclusive, root, "cac:AnticipatedMonetaryTotal/cbc:TaxExclusiveAmount");
	num(&r, &o->payable, root, "cac:AnticipatedMonetaryTotal/cbc:PayableAmount");

	o->acs = array(&r, &o->nacs, root, CAC, "AllowanceCharge", sizeof(*o->acs));
	for (c = xml_child(root, CAC, "AllowanceCharge"), i = 0; c && o->acs && !r.rc;
	     c = xml_next(c, CAC, "AllowanceCharge"), i++) {
		ord_allowance_charge *ac = &o->acs[i];
		ac->line = xml_line(c);
		ac->is_charge = is_true(txt(&r, c, "cbc:ChargeIndicator"));
		num(&r, &ac->amount, c, "cbc:Amount");
		ac->reason = txt(&r, c, "cbc:AllowanceChargeReason");
		ac->reason_code = txt(&r, c, "cbc:AllowanceChargeReasonCode");
		ac->vat_category = txt(&r, c, "cac:TaxCategory/cbc:ID");
		num(&r, &ac->vat_rate, c, "cac:TaxCategory/cbc:Percent");
	}

	o->lines = array(&r, &o->nlines, root, CAC, "OrderLine", sizeof(*o->lines));
	for (c = xml_child(root, CAC, "OrderLine"), i = 0; c && o->lines && !r.rc;
	     c = xml_next(c, CAC, "OrderLine"), i++)
		read_order_line(&r, &o->lines[i], c);
	if (!r.rc && o->nlines == 0)
		r.rc = ulf_err_set(err, ULF_EPARSE, "%s: order %s has no order lines", name, o->id);
	/* line ids are what invoices point at: two equal ones make that ambiguous */
	for (i = 0; !r.rc && i < o->nlines; i++) {
		size_t j;
		for (j = 0; j < i; j++)
			if (strcmp(o->lines[i].id, o->lines[j].id) == 0) {
				r.rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: order line id %s used twice",
						   name, o->lines[i].line, o->lines[i].id);
				break;
			}
	}
	if (r.rc) {
		order_free(o);
		return r.rc;
	}
	*out = o;
	return 0;
}

void despatch_free(despatch_doc *d)
{
	if (!d)
		return;
	arena_release(&d->mem);
	free(d);
}

int despatch_read(despatch_doc **out, const xml_doc *doc, const char *name, ulf_err *err)
{
	const xml_node *root = xml_root(doc), *c;
	despatch_doc *d;
	ord_rd r;
	size_t i;

	*out = NULL;
	if (!xml_is(root, NS_UBL_DESPATCH, "DespatchAdvice"))
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not a DespatchAdvice: root is {%s}%s", name,
				   xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	d = calloc(1, sizeof(*d));
	if (!d)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	arena_init(&d->mem, ORDER_MAX_MODEL);
	r = (ord_rd){ &d->mem, name, err, 0 };
	d->id = txt(&r, root, "cbc:ID");
	if (!d->id && !r.rc)
		r.rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: the DespatchAdvice has no ID", name,
				   xml_line(root));
	d->issue_date = txt(&r, root, "cbc:IssueDate");
	d->despatch_date = txt(&r, root,
			       "cac:Shipment/cac:Delivery/cac:Despatch/cbc:ActualDespatchDate");
	d->order_id = txt(&r, root, "cac:OrderReference/cbc:ID");
	d->note = txt(&r, root, "cbc:Note");
	read_party(&r, &d->supplier, at(root, "cac:DespatchSupplierParty/cac:Party"));
	read_party(&r, &d->buyer, at(root, "cac:BuyerCustomerParty/cac:Party"));
	read_party(&r, &d->delivery, at(root, "cac:DeliveryCustomerParty/cac:Party"));

	d->lines = array(&r, &d->nlines, root, CAC, "DespatchLine", sizeof(*d->lines));
	for (c = xml_child(root, CAC, "DespatchLine"), i = 0; c && d->lines && !r.rc;
	     c = xml_next(c, CAC, "DespatchLine"), i++) {
		despatch_line *l = &d->lines[i];
		l->line = xml_line(c);
		l->id = txt(&r, c, "cbc:ID");
		num(&r, &l->delivered, c, "cbc:DeliveredQuantity");
		l->unit = attr(&r, c, "cbc:DeliveredQuantity", "unitCode");
		num(&r, &l->outstanding, c, "cbc:OutstandingQuantity");
		l->order_line_id = txt(&r, c, "cac:OrderLineReference/cbc:LineID");
		l->order_id = txt(&r, c, "cac:OrderLineReference/cac:OrderReference/cbc:ID");
		if (!l->order_id)
			l->order_id = d->order_id;
		l->item_name = txt(&r, c, "cac:Item/cbc:Name");
		l->seller_item_id = txt(&r, c, "cac:Item/cac:SellersItemIdentification/cbc:ID");
		l->standard_item_id = txt(&r, c, "cac:Item/cac:StandardItemIdentification/cbc:ID");
		if (r.rc)
			break;
		if (!l->id)
			r.rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: DespatchLine without an ID",
					   name, l->line);
		else if (!l->delivered.set)
			r.rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: DespatchLine %s has no"
					   " DeliveredQuantity", name, l->line, l->id);
		else if (!l->order_id)
			r.rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: DespatchLine %s names no order",
					   name, l->line, l->id);
	}
	if (!r.rc && d->nlines == 0)
		r.rc = ulf_err_set(err, ULF_EPARSE, "%s: despatch advice %s has no lines", name, d->id);
	if (r.rc) {
		despatch_free(d);
		return r.rc;
	}
	*out = d;
	return 0;
}

int ordering_read(ordering_doc *out, const char *buf, size_t len, const char *name,
		  const xml_limits *limits, ulf_err *err)
{
	xml_doc *x = NULL;
	const xml_node *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = xml_parse(&x, buf, len, name, limits, err);
	if (rc)
		return rc;
	root = xml_root(x);
	if (xml_is(root, NS_UBL_ORDER, "Order")) {
		out->kind = ORDERING_ORDER;
		rc = order_read(&out->order, x, name, err);
	} else if (xml_is(root, NS_UBL_DESPATCH, "DespatchAdvice")) {
		out->kind = ORDERING_DESPATCH;
		rc = despatch_read(&out->despatch, x, name, err);
	} else {
		rc = ulf_err_set(err, ULF_ESYNTAX, "%s: neither an Order nor a DespatchAdvice:"
				 " root is {%s}%s", name, xml_ns(root) ? xml_ns(root) : "",
				 xml_name(root));
	}
	xml_doc_free(x);
	if (rc)
		ordering_release(out);
	return rc;
}

int ordering_read_file(ordering_doc *out, const char *path, const xml_limits *limits,
		       ulf_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read(&buf, &len, path, limits ? limits->max_bytes : XML_DEFAULT_MAX_BYTES, err);
	if (rc)
		return rc;
	rc = ordering_read(out, buf, len, path, limits, err);
	free(buf);
	return rc;
}

void ordering_release(ordering_doc *d)
{
	if (!d)
		return;
	order_free(d->order);
	despatch_free(d->despatch);
	memset(d, 0, sizeof(*d));
}
