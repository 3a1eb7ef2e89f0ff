/*
 * orders.c - the order sources and the goods receipts: purchase orders
 * from the e-commerce system's CSV export (one row per order line, the
 * order's own columns repeated on each) or as PEPPOL Order XML, and goods
 * receipts from a CSV export or as PEPPOL Despatch Advice XML, into
 * ref_order and ref_receipt records.  docs/matching.md has the columns.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "connectors/import.h"

/* ---- orders, CSV --------------------------------------------------------- */

/* Order CSV columns; the order matters to the F_ indexes below. */
static const char *const order_cols[] = {
	"order_no", "buyer", "supplier_no", "supplier_org", "supplier_name", "order_date",
	"currency", "buyer_reference", "contract", "requires_receipt", "status",
	"line_id", "item_id", "item_name", "quantity", "unit", "unit_price", "base_quantity",
	"net_amount", "vat_category", "vat_rate", "account", "cost_centre", "activity",
	"project", "vat_code", "classification", "accounting_cost", NULL
};
enum {
	F_ORDER, F_BUYER, F_SUPNO, F_SUPORG, F_SUPNAME, F_DATE, F_CURRENCY, F_BUYREF,
	F_CONTRACT, F_RECEIPT, F_STATUS, F_LINE, F_ITEM, F_NAME, F_QTY, F_UNIT, F_PRICE,
	F_BASE, F_NET, F_VATCAT, F_VATRATE, F_ACCOUNT, F_CC, F_ACT, F_PROJ, F_VATCODE,
	F_CLASS, F_ACCCOST
};
static const char *const order_need[] = { "order_no", "line_id", "quantity", NULL };
static const import_table order_table = { order_cols, order_need, { F_ORDER }, 1 };

/* The order's own columns, the same on every row of an order. */
static const int order_head_cols[] = {
	F_BUYER, F_SUPNO, F_SUPORG, F_SUPNAME, F_DATE, F_CURRENCY, F_BUYREF, F_CONTRACT,
	F_RECEIPT, F_STATUS
};

/* The same header value on every row of an order, or a bad row. */
static bool header_same(importer *im, const import_row *first, const import_row *rw, int f)
{
	if (strcmp(first->f[f], rw->f[f]) == 0)
		return true;
	import_bad(im, rw->line, "order %s: %s '%s' differs from '%s' on line %u", rw->f[F_ORDER],
		   order_cols[f], rw->f[f], first->f[f], first->line);
	return false;
}

/* The order's own columns from its first row; false after a bad one. */
static bool order_head(importer *im, ref_order *o, const import_row *v, size_t n)
{
	const import_row *first = &v[0];
	char key[256];
	bool ok = true;
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < sizeof(order_head_cols) / sizeof(order_head_cols[0]); j++)
			ok &= header_same(im, first, &v[i], order_head_cols[j]);
	o->order_no = import_dup(&o->mem, first->f[F_ORDER]);
	o->source = "csv";
	if (*first->f[F_BUYER]) {
		/* a Peppol id, or an org number */
		if (refdata_norm(key, sizeof(key), REF_BY_PEPPOL, first->f[F_BUYER]) ||
		    refdata_norm(key, sizeof(key), REF_BY_ORG, first->f[F_BUYER]))
			o->buyer = import_dup(&o->mem, key);
		else {
			import_bad(im, first->line,
				   "buyer '%s' is neither a Peppol id nor an org number",
				   first->f[F_BUYER]);
			ok = false;
		}
	}
	o->supplier_no = import_dup(&o->mem, first->f[F_SUPNO]);
	if (*first->f[F_SUPORG]) {
		if (refdata_norm(key, sizeof(key), REF_BY_ORG, first->f[F_SUPORG]))
			o->supplier_org = import_dup(&o->mem, key);
		else {
			import_bad(im, first->line, "supplier_org '%s' is not an org number",
				   first->f[F_SUPORG]);
			ok = false;
		}
	}
	o->supplier_name = import_dup(&o->mem, first->f[F_SUPNAME]);
	ok &= import_date(im, first, F_DATE);
	o->issue_date = import_dup(&o->mem, first->f[F_DATE]);
	o->currency = import_dup(&o->mem, first->f[F_CURRENCY]);
	o->buyer_reference = import_dup(&o->mem, first->f[F_BUYREF]);
	o->contract_id = import_dup(&o->mem, first->f[F_CONTRACT]);
	ok &= import_yes_no(im, first, F_RECEIPT, -1, &o->requires_receipt);
	if (*first->f[F_STATUS] && strcasecmp(first->f[F_STATUS], "open") &&
	    strcasecmp(first->f[F_STATUS], "closed")) {
		import_bad(im, first->line, "status '%s' is not open or closed", first->f[F_STATUS]);
		ok = false;
	}
	o->status = !strcasecmp(first->f[F_STATUS], "closed") ? "closed" : "open";
	return ok;
}

/* One order line from its row (its line_id given).  `ok` says whether the
 * order is good so far, and is returned false after a bad field: a line
 * with neither price nor amount is only worth a report of its own while
 * nothing else was wrong (an unreadable price leaves none). */
static bool order_line(importer *im, ref_order *o, ref_order_line *l, const import_row *v,
		       size_t i, bool ok)
{
	const import_row *rw = &v[i];
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(v[j].f[F_LINE], rw->f[F_LINE])) {
			import_bad(im, rw->line, "order %s: line_id %s also on line %u", o->order_no,
				   rw->f[F_LINE], v[j].line);
			ok = false;
		}
	l->line_id = import_dup(&o->mem, rw->f[F_LINE]);
	l->item_id = import_dup(&o->mem, rw->f[F_ITEM]);
	l->name = import_dup(&o->mem, rw->f[F_NAME]);
	l->unit = import_dup(&o->mem, rw->f[F_UNIT]);
	l->vat_category = import_dup(&o->mem, rw->f[F_VATCAT]);
	l->account = import_dup(&o->mem, rw->f[F_ACCOUNT]);
	l->cost_centre = import_dup(&o->mem, rw->f[F_CC]);
	l->activity = import_dup(&o->mem, rw->f[F_ACT]);
	l->project = import_dup(&o->mem, rw->f[F_PROJ]);
	l->vat_code = import_dup(&o->mem, rw->f[F_VATCODE]);
	l->classification = import_dup(&o->mem, rw->f[F_CLASS]);
	l->accounting_cost = import_dup(&o->mem, rw->f[F_ACCCOST]);
	ok &= import_amount(im, rw, F_QTY, &l->quantity, &l->quantity_set, true);
	ok &= import_amount(im, rw, F_PRICE, &l->price, &l->price_set, false);
	ok &= import_amount(im, rw, F_BASE, &l->base_qty, &l->base_set, false);
	ok &= import_amount(im, rw, F_NET, &l->net, &l->net_set, false);
	ok &= import_amount(im, rw, F_VATRATE, &l->vat_rate, &l->vat_rate_set, false);
	if (l->base_set && dec_sign(l->base_qty) <= 0) {
		import_bad(im, rw->line, "base_quantity must be more than 0");
		ok = false;
	}
	if (!l->price_set && !l->net_set && ok) {
		import_bad(im, rw->line, "order %s line %s: neither unit_price nor net_amount",
			   o->order_no, l->line_id);
		ok = false;
	}
	return ok;
}

/* Keeps *v only while every line says the same. */
static void agree(const char **v, const char *line_value)
{
	if (*v && (!line_value || strcmp(*v, line_value)))
		*v = NULL;
}

/* One order from its rows v[0..n). */
static void csv_order(importer *im, const import_row *v, size_t n)
{
	ref_order *o = refdata_order_new();
	bool ok;
	size_t i;

	if (!o) {
		import_bad(im, v[0].line, "out of memory");
		return;
	}
	if (!*v[0].f[F_ORDER]) {
		import_bad(im, v[0].line, "order_no is empty");
		goto out;
	}
	ok = order_head(im, o, v, n);
	o->lines = arena_alloc(&o->mem, n * sizeof(*o->lines));
	if (!o->lines) {
		import_bad(im, v[0].line, "order %s has too many lines", o->order_no);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!*v[i].f[F_LINE]) {
			import_bad(im, v[i].line, "line_id is empty");
			ok = false;
			continue;
		}
		ok = order_line(im, o, &o->lines[o->nlines++], v, i, ok);
	}
	/* the order's own booking is what its lines agree on (for the
	 * document-level rows of an invoice) */
	o->account = o->lines[0].account;
	o->cost_centre = o->lines[0].cost_centre;
	o->activity = o->lines[0].activity;
	o->project = o->lines[0].project;
	for (i = 1; i < o->nlines; i++) {
		agree(&o->account, o->lines[i].account);
		agree(&o->cost_centre, o->lines[i].cost_centre);
		agree(&o->activity, o->lines[i].activity);
		agree(&o->project, o->lines[i].project);
	}
	if (ok)
		import_put_order(im, v[0].line, o);
out:
	refdata_order_free(o);
}

void import_orders_csv(importer *im, csv_reader *c)
{
	import_groups(im, c, &order_table, csv_order);
}

/* ---- orders, PEPPOL Order XML -------------------------------------------- */

/* The canonical party keys of an order's supplier, and the register's
 * number when the supplier is already there. */
static void order_supplier(importer *im, ref_order *o, const ord_party *p)
{
	char key[256], no[64];

	if (!p->present)
		return;
	if (p->endpoint && p->endpoint_scheme) {
		snprintf(key, sizeof(key), "%s:%s", p->endpoint_scheme, p->endpoint);
		if (refdata_norm(key, sizeof(key), REF_BY_PEPPOL, key))
			o->supplier_peppol = import_dup(&o->mem, key);
		if (!strcmp(p->endpoint_scheme, "0007") &&
		    refdata_norm(key, sizeof(key), REF_BY_ORG, p->endpoint))
			o->supplier_org = import_dup(&o->mem, key);
	}
	if (!o->supplier_org && p->legal_id &&
	    (!p->legal_scheme || !strcmp(p->legal_scheme, "0007")) &&
	    refdata_norm(key, sizeof(key), REF_BY_ORG, p->legal_id))
		o->supplier_org = import_dup(&o->mem, key);
	if (p->vat_id && refdata_norm(key, sizeof(key), REF_BY_VAT, p->vat_id))
		o->supplier_vat = import_dup(&o->mem, key);
	o->supplier_name = import_dup(&o->mem, p->name);
	if ((o->supplier_peppol &&
	     import_supplier_no(im, no, sizeof(no), REF_BY_PEPPOL, o->supplier_peppol)) ||
	    (o->supplier_org && import_supplier_no(im, no, sizeof(no), REF_BY_ORG, o->supplier_org)))
		o->supplier_no = import_dup(&o->mem, no);
}

void import_order_xml(importer *im, const order_doc *od)
{
	ref_order *o = refdata_order_new();
	char key[256];
	size_t i;

	if (!o) {
		import_bad(im, 0, "out of memory");
		return;
	}
	o->order_no = od->id;
	o->source = "peppol";
	if (od->buyer.endpoint && od->buyer.endpoint_scheme) {
		snprintf(key, sizeof(key), "%s:%s", od->buyer.endpoint_scheme, od->buyer.endpoint);
		if (refdata_norm(key, sizeof(key), REF_BY_PEPPOL, key))
			o->buyer = import_dup(&o->mem, key);
	}
	order_supplier(im, o, &od->seller);
	o->issue_date = od->issue_date;
	o->currency = od->currency;
	o->buyer_reference = od->customer_reference;
	o->contract_id = od->contract_id;
	o->accounting_cost = od->accounting_cost;
	o->status = "open";
	o->requires_receipt = -1;
	o->charges = dec_make(0, 2);
	for (i = 0; i < od->nacs; i++) {
		const ord_allowance_charge *ac = &od->acs[i];
		if (!ac->amount.set)
			continue;
		if ((ac->is_charge ? dec_add(&o->charges, o->charges, ac->amount.v)
				   : dec_sub(&o->charges, o->charges, ac->amount.v)) != 0) {
			import_bad(im, ac->line, "order charges overflow");
			goto out;
		}
		o->charges_set = true;
	}
	o->lines = arena_alloc(&o->mem, od->nlines * sizeof(*o->lines));
	if (!o->lines) {
		import_bad(im, 0, "order %s has too many lines", od->id);
		goto out;
	}
	for (i = 0; i < od->nlines; i++) {
		const ord_line *ol = &od->lines[i];
		ref_order_line *l = &o->lines[i];
		l->line_id = ol->id;
		l->item_id = ol->seller_item_id;
		l->buyer_item_id = ol->buyer_item_id;
		l->std_item_id = ol->standard_item_id;
		l->name = ol->name ? ol->name : ol->description;
		l->classification = ol->classification;
		l->note = ol->note;
		l->quantity = ol->quantity.v;
		l->quantity_set = ol->quantity.set;
		l->unit = ol->unit;
		l->price = ol->price.v;
		l->price_set = ol->price.set;
		l->base_qty = ol->base_quantity.v;
		l->base_set = ol->base_quantity.set && dec_sign(ol->base_quantity.v) > 0;
		l->net = ol->net.v;
		l->net_set = ol->net.set;
		l->vat_category = ol->vat_category;
		l->vat_rate = ol->vat_rate.v;
		l->vat_rate_set = ol->vat_rate.set;
		l->accounting_cost = ol->accounting_cost;
		if (!l->quantity_set) {
			import_bad(im, ol->line, "order %s line %s has no quantity", od->id, ol->id);
			goto out;
		}
	}
	o->nlines = od->nlines;
	import_put_order(im, 0, o);
out:
	refdata_order_free(o);
}

/* ---- goods receipts ------------------------------------------------------ */

static const char *const receipt_cols[] = {
	"receipt_id", "order_no", "order_line_id", "line_id", "quantity", "unit",
	"receipt_date", NULL
};
enum { R_ID, R_ORDER, R_ORDLINE, R_LINE, R_QTY, R_UNIT, R_DATE };
static const char *const receipt_need[] = { "receipt_id", "order_no", "order_line_id",
					    "quantity", NULL };
static const import_table receipt_table = { receipt_cols, receipt_need, { 0 }, 0 };

static void receipt_row(importer *im, const import_row *rw)
{
	ref_receipt r;
	bool ok = true, set;

	memset(&r, 0, sizeof(r));
	r.receipt_id = rw->f[R_ID];
	r.order_no = rw->f[R_ORDER];
	r.order_line_id = rw->f[R_ORDLINE];
	r.line_id = *rw->f[R_LINE] ? rw->f[R_LINE] : r.order_line_id;
	r.unit = rw->f[R_UNIT];
	r.date = rw->f[R_DATE];
	r.source = "csv";
	if (!*r.receipt_id || !*r.order_no || !*r.order_line_id) {
		import_bad(im, rw->line, "receipt_id, order_no and order_line_id must be given");
		ok = false;
	}
	ok &= import_amount(im, rw, R_QTY, &r.quantity, &set, true);
	ok &= import_date(im, rw, R_DATE);
	if (ok)
		import_put_receipt(im, rw->line, &r);
}

void import_receipts_csv(importer *im, csv_reader *c)
{
	import_rows(im, c, &receipt_table, receipt_row);
}

void import_despatch_xml(importer *im, const despatch_doc *d)
{
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		const despatch_line *l = &d->lines[i];
		ref_receipt rc;
		memset(&rc, 0, sizeof(rc));
		rc.order_no = l->order_id;
		rc.receipt_id = d->id;
		rc.line_id = l->id;
		rc.order_line_id = l->order_line_id ? l->order_line_id : l->id;
		rc.quantity = l->delivered.v;
		rc.unit = l->unit;
		rc.date = d->despatch_date ? d->despatch_date : d->issue_date;
		rc.source = "peppol";
		import_put_receipt(im, l->line, &rc);
	}
}
