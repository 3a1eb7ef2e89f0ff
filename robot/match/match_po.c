/*
 * match_po.c - matching against purchase orders: each invoice line to its
 * order line, then the checks with their tolerances - unit, unit price,
 * quantity left on the order line, line amount, goods received (3-way) -
 * and the net total against what the order says.  Private to robot/match
 * (match_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/match/match_int.h"

static bool same_id(const char *a, const char *b)
{
	char x[64], y[64];

	if (!a || !b)
		return false;
	refdata_item_key(x, sizeof(x), a);
	refdata_item_key(y, sizeof(y), b);
	return x[0] && !strcmp(x, y);
}

static bool item_agrees(const inv_line *l, const ref_order_line *ol)
{
	const char *ids[3] = { l->seller_item_id.v, l->buyer_item_id.v, l->standard_item_id.v };
	const char *oids[3] = { ol->item_id, ol->buyer_item_id, ol->std_item_id };
	bool both = false;
	int i;

	for (i = 0; i < 3; i++) {
		if (ids[i] && oids[i]) {
			both = true;
			if (same_id(ids[i], oids[i]))
				return true;
		}
	}
	/* no id on both sides to compare: nothing contradicts */
	return !both;
}

static bool item_equal(const inv_line *l, const ref_order_line *ol)
{
	const char *ids[3] = { l->seller_item_id.v, l->buyer_item_id.v, l->standard_item_id.v };
	const char *oids[3] = { ol->item_id, ol->buyer_item_id, ol->std_item_id };
	int i;

	for (i = 0; i < 3; i++)
		if (same_id(ids[i], oids[i]))
			return true;
	return false;
}

static bool remaining_positive(match_job *j, size_t o, size_t k)
{
	const ref_order_line *ol = &j->orders[o]->lines[k];
	dec left;

	if (!ol->quantity_set)
		return true;
	if (dec_sub(&left, ol->quantity, ol->invoiced_qty) || dec_sub(&left, left, j->taken[o][k]))
		return false;
	return dec_sign(left) > 0;
}

/* The order line an invoice line delivers against: by its order line
 * reference, else by item id (an open line first), else by a name that
 * only one order line has. */
static bool find_order_line(match_job *j, const inv_line *l, size_t *out_o, size_t *out_k,
			    const char **how)
{
	char name[128], oname[128];
	size_t o, k, hits = 0;
	bool found = false;

	for (o = 0; o < j->norders; o++) {
		if (l->order_id.v && mj_have_order(j, l->order_id.v) && strcmp(l->order_id.v,
									     j->orders[o]->order_no))
			continue;
		for (k = 0; l->order_line_ref.v && k < j->orders[o]->nlines; k++)
			if (!strcmp(j->orders[o]->lines[k].line_id, l->order_line_ref.v) &&
			    item_agrees(l, &j->orders[o]->lines[k])) {
				*out_o = o;
				*out_k = k;
				*how = "order line reference (BT-132)";
				return true;
			}
	}
	for (o = 0; o < j->norders; o++) {
		if (l->order_id.v && mj_have_order(j, l->order_id.v) && strcmp(l->order_id.v,
									     j->orders[o]->order_no))
			continue;
		for (k = 0; k < j->orders[o]->nlines; k++) {
			if (!item_equal(l, &j->orders[o]->lines[k]))
				continue;
			/* the first line of the item with something left; else the
			 * first line of the item, to say it is used up */
			if (!found || remaining_positive(j, o, k)) {
				*out_o = o;
				*out_k = k;
				*how = "item id";
				found = true;
				if (remaining_positive(j, o, k))
					return true;
			}
		}
	}
	if (found)
		return true;
	if (!l->item_name.v)
		return false;
	refdata_text_key(name, sizeof(name), l->item_name.v);
	if (!name[0])
		return false;
	for (o = 0; o < j->norders; o++)
		for (k = 0; k < j->orders[o]->nlines; k++) {
			if (!j->orders[o]->lines[k].name)
				continue;
			refdata_text_key(oname, sizeof(oname), j->orders[o]->lines[k].name);
			if (!strcmp(name, oname)) {
				hits++;
				*out_o = o;
				*out_k = k;
			}
		}
	*how = "item name (the only order line with it)";
	return hits == 1;
}

/* Unit price: price / base quantity, 6 decimals. */
static bool unit_price(dec *out, dec price, bool base_set, dec base)
{
	if (!base_set || dec_sign(base) <= 0)
		base = dec_make(1, 0);
	return dec_div_round(out, price, base, 6) == 0;
}

static void order_booking(match_job *j, booking *b, booking_row *row, const ref_order *o,
			  const ref_order_line *ol)
{
	char split[RB_COUNT][64];
	const char *line_vals[RB_COUNT] = { ol->account, ol->cost_centre, ol->activity, ol->project,
					    ol->vat_code };
	const char *head_vals[RB_COUNT] = { o->account, o->cost_centre, o->activity, o->project,
					    NULL };
	const rules_settings *s = j->settings;
	int f;

	for (f = 0; f < RB_COUNT; f++)
		booking_set(b, &row->f[f], line_vals[f], BSRC_ORDER, 100, "order %s line %s",
			    o->order_no, ol->line_id);
	for (f = 0; f < RB_COUNT; f++)
		booking_set(b, &row->f[f], head_vals[f], BSRC_ORDER, 100, "order %s", o->order_no);
	if (ol->accounting_cost && rules_split_accounting(split, j->m->m, j->m->rules,
							  ol->accounting_cost))
		for (f = 0; f < RB_COUNT; f++)
			booking_set(b, &row->f[f], split[f], BSRC_ORDER, 100,
				    "order %s line %s AccountingCost '%s', split by accounting_cost"
				    " (%s:%u)", o->order_no, ol->line_id, ol->accounting_cost,
				    rules_name(j->m->rules), s->line[7]);
	if (o->accounting_cost && rules_split_accounting(split, j->m->m, j->m->rules,
							 o->accounting_cost))
		for (f = 0; f < RB_COUNT; f++)
			booking_set(b, &row->f[f], split[f], BSRC_ORDER, 100,
				    "order %s AccountingCost '%s', split by accounting_cost (%s:%u)",
				    o->order_no, o->accounting_cost, rules_name(j->m->rules), s->line[7]);
}

static booking_row *row_of_line(booking *b, size_t line_index)
{
	/* rows begin with the invoice lines, in order (booking_rows) */
	return line_index < b->n && b->rows[line_index].kind == BK_LINE ? &b->rows[line_index] : NULL;
}

/* What the invoiced lines cost by their orders, for the header check. */
typedef struct po_sums {
	dec expected;            /* the lines' amounts as the orders price them */
	dec charges;             /* the orders' own charges, in the part invoiced */
	bool overflow;           /* a sum did not fit: the header cannot be checked */
} po_sums;

static void sum_add(po_sums *s, dec *sum, dec v)
{
	if (dec_add(sum, *sum, v))
		s->overflow = true;
}

static void check_line(match_job *j, booking *b, size_t li, po_sums *sums)
{
	const inv_line *l = &j->inv->lines[li];
	const char *lid = l->id.v ? l->id.v : "?";
	ujson *xl = ujson_object(), *checks = ujson_array();
	booking_row *row = row_of_line(b, li);
	const ref_order_line *ol;
	const ref_order *o;
	const char *how = NULL;
	char text[TEXT_MAX], a[DEC_STR_MAX], c[DEC_STR_MAX], d[DEC_STR_MAX];
	dec inv_unit, ord_unit, qty, before, left, expected, allowed, diff;
	size_t oi = 0, k = 0;
	bool have_ord_unit = false, requires;

	mj_set_str(j, xl, "invoice_line", lid);
	mj_set_new(j, xl, "checks", checks);
	mj_append(j, j->xlines, xl);
	if (j->rc)
		return;   /* xl and checks may be gone with a failed setter */
	if (!find_order_line(j, l, &oi, &k, &how)) {
		mj_note(j, checks, "order line", false, "no line of order %s fits (order line reference %s,"
		        " item %s, name %s)", j->res->order_no,
		        l->order_line_ref.v ? l->order_line_ref.v : "-",
		        l->seller_item_id.v ? l->seller_item_id.v : "-",
		        l->item_name.v ? l->item_name.v : "-");
		mj_reason(j, MR_UNMATCHED_LINE, lid, "line %s (%s) is on no line of order %s", lid,
		          l->item_name.v ? l->item_name.v : "no name", j->res->order_no);
		/* counted as invoiced, so the total check is about the other lines */
		if (l->net.set)
			sum_add(sums, &sums->expected, l->net.v);
		return;
	}
	o = j->orders[oi];
	ol = &o->lines[k];
	mj_set_str(j, xl, "order", o->order_no);
	mj_set_str(j, xl, "order_line", ol->line_id);
	mj_set_str(j, xl, "matched_by", how);
	if (row) {
		row->order_no = booking_str(b, o->order_no);
		row->order_line_id = booking_str(b, ol->line_id);
		order_booking(j, b, row, o, ol);
	}

	/* unit: quantities in different units cannot be compared */
	if (l->quantity.unit && ol->unit && strcasecmp(l->quantity.unit, ol->unit)) {
		mj_note(j, checks, "unit", false, "unit %s on the invoice, %s on the order",
		        l->quantity.unit, ol->unit);
		mj_reason(j, MR_QUANTITY_DEVIATION, lid, "line %s: invoiced in %s, ordered in %s", lid,
		          l->quantity.unit, ol->unit);
	}

	/* unit price */
	if (ol->price_set)
		have_ord_unit = unit_price(&ord_unit, ol->price, ol->base_set, ol->base_qty);
	else if (ol->net_set && ol->quantity_set && !dec_is_zero(ol->quantity))
		have_ord_unit = dec_div_round(&ord_unit, ol->net, ol->quantity, 6) == 0;
	if (have_ord_unit && l->price.set &&
	    unit_price(&inv_unit, l->price.v, l->base_quantity.set, l->base_quantity.v)) {
		if (!mj_tol_check(j, checks, TOL_PRICE, "unit price", inv_unit, ord_unit, ord_unit,
			       &diff, &allowed, text, sizeof(text)))
			mj_reason(j, MR_PRICE_DEVIATION, lid, "line %s: %s", lid, text);
	} else {
		mj_info(j, checks, "unit price", "no price to compare (%s)",
		        have_ord_unit ? "the invoice line has none" : "the order line has none");
	}

	/* quantity: what is left on the order line after earlier invoices
	 * and earlier lines of this one */
	qty = l->quantity.set ? l->quantity.v : dec_make(0, 0);
	if (dec_add(&before, ol->invoiced_qty, j->taken[oi][k])) {
		j->rc = ulf_err_set(j->err, ULF_ERANGE, "quantities out of range");
		return;
	}
	if (ol->quantity_set) {
		rules_tol t;
		dec over;            /* qty - left: beyond what is left, or (< 0) short of it */
		rules_tolerance(&t, j->m->rules, TOL_QUANTITY, &j->who);
		mj_fmt_qty(a, sizeof(a), qty);
		mj_fmt_qty(c, sizeof(c), ol->quantity);
		mj_fmt_qty(d, sizeof(d), before);
		if (dec_sub(&left, ol->quantity, before) ||
		    rules_tol_allowed(&allowed, &t, ol->quantity) || dec_sub(&over, qty, left)) {
			mj_out_of_range(j, checks, "quantity", MR_QUANTITY_DEVIATION, lid,
					"quantity %s against order %s line %s (%s ordered, %s invoiced"
					" before)", a, o->order_no, ol->line_id, c, d);
		} else if (dec_sign(over) > 0 && dec_cmp(over, allowed) > 0) {
			char al[DEC_STR_MAX], lf[DEC_STR_MAX], tt[64];
			mj_fmt_qty(al, sizeof(al), allowed);
			mj_fmt_qty(lf, sizeof(lf), left);
			rules_tol_text(tt, sizeof(tt), &t);
			mj_note(j, checks, "quantity", false, "quantity %s, but %s left of %s ordered (%s invoiced"
			        " before); allowed over %s (quantity %s, %s)", a, lf, c, d, al, tt, t.scope);
			mj_reason(j, MR_QUANTITY_DEVIATION, lid, "line %s: quantity %s, but only %s left on"
			          " order %s line %s (%s ordered, %s invoiced before); %s allowed over",
			          lid, a, lf, o->order_no, ol->line_id, c, d, al);
		} else if (dec_sign(over) < 0) {
			/* before + qty short of the quantity ordered, by -over */
			char rest[DEC_STR_MAX];
			mj_fmt_qty(rest, sizeof(rest), dec_neg(over));
			mj_note(j, checks, "quantity", true, "partial delivery: %s of %s ordered (%s invoiced"
				" before), %s left after this invoice", a, c, d, rest);
			mj_set_bool(j, xl, "partial", true);
		} else {
			mj_note(j, checks, "quantity", true, "quantity %s of %s ordered (%s invoiced before)",
				a, c, d);
		}
	}

	/* line amount: what the order says this quantity costs (its line
	 * allowances included, pro rata) */
	if (ol->net_set && ol->quantity_set && !dec_is_zero(ol->quantity)) {
		dec t;
		if (dec_mul(&t, ol->net, qty) || dec_div_round(&expected, t, ol->quantity, 2))
			expected = ol->net;
	} else if (have_ord_unit) {
		if (dec_mul_round(&expected, ord_unit, qty, 2))
			expected = dec_make(0, 2);
	} else {
		expected = l->net.set ? l->net.v : dec_make(0, 2);
	}
	if (l->net.set && (ol->net_set || have_ord_unit)) {
		if (!mj_tol_check(j, checks, TOL_LINE, "line amount", l->net.v, expected, expected, NULL,
			       NULL, text, sizeof(text)))
			mj_reason(j, MR_AMOUNT_DEVIATION, lid, "line %s: %s", lid, text);
	}
	sum_add(sums, &sums->expected, expected);

	/* the order-level charges of this order, in the part it is invoiced */
	if (o->charges_set && !dec_is_zero(o->charges)) {
		dec total = dec_make(0, 2), share;
		size_t q;
		for (q = 0; q < o->nlines; q++)
			if (o->lines[q].net_set && dec_add(&total, total, o->lines[q].net))
				sums->overflow = true;
		if (!sums->overflow && !dec_is_zero(total) && !dec_mul(&share, o->charges, expected) &&
		    !dec_div_round(&share, share, total, 6))
			sum_add(sums, &sums->charges, share);
	}

	/* 3-way: goods received that are not yet invoiced */
	requires = o->requires_receipt < 0 ? j->settings->receipt_required : o->requires_receipt == 1;
	if (requires) {
		dec avail;
		rules_tol t;
		rules_tolerance(&t, j->m->rules, TOL_QUANTITY, &j->who);
		mj_fmt_qty(a, sizeof(a), qty);
		mj_fmt_qty(c, sizeof(c), ol->received_qty);
		mj_fmt_qty(d, sizeof(d), before);
		if (rules_tol_allowed(&allowed, &t, ol->quantity_set ? ol->quantity : qty) ||
		    dec_sub(&avail, ol->received_qty, before) || dec_sub(&diff, qty, avail)) {
			mj_out_of_range(j, checks, "goods receipt", MR_NOT_RECEIVED, lid,
					"quantity %s against the %s received on order %s line %s (%s"
					" invoiced before)", a, c, o->order_no, ol->line_id, d);
		} else if (dec_sign(diff) > 0 && dec_cmp(diff, allowed) > 0) {
			mj_note(j, checks, "goods receipt", false, "goods receipt: %s invoiced, %s received in %zu receipt%s,"
			        " %s invoiced before", a, c, ol->nreceipts, ol->nreceipts == 1 ? "" : "s", d);
			mj_reason(j, MR_NOT_RECEIVED, lid, "line %s: %s invoiced, but order %s line %s has %s"
			          " received (%zu goods receipt%s) and %s invoiced before", lid, a,
			          o->order_no, ol->line_id, c, ol->nreceipts, ol->nreceipts == 1 ? "" : "s", d);
		} else {
			mj_note(j, checks, "goods receipt", true, "goods receipt: %s invoiced, %s received, %s invoiced before",
			        a, c, d);
		}
	}
	if (dec_add(&j->taken[oi][k], j->taken[oi][k], qty))
		mj_out_of_range(j, checks, "quantity", MR_QUANTITY_DEVIATION, lid,
				"the quantity invoiced against order %s line %s", o->order_no,
				ol->line_id);
}

void mj_po_match(match_job *j, booking *b)
{
	const invoice *inv = j->inv;
	po_sums sums = { dec_make(0, 2), dec_make(0, 2), false };
	dec actual, total;
	char text[TEXT_MAX];
	ujson *xo = ujson_array();
	size_t i;

	mj_set_new(j, j->xorder, "orders", xo);
	if (j->rc)
		return;   /* xo may be gone with a failed setter */
	for (i = 0; i < j->norders; i++) {
		const ref_order *o = j->orders[i];
		ujson *e = ujson_object(), *checks = ujson_array();
		mj_set_str(j, e, "order_no", o->order_no);
		mj_set_str(j, e, "status", o->status);
		mj_set_str(j, e, "currency", o->currency);
		mj_set_str(j, e, "supplier_no", o->supplier_no);
		mj_set_str(j, e, "buyer", o->buyer);
		mj_set_int(j, e, "requires_receipt", o->requires_receipt);
		mj_set_new(j, e, "checks", checks);
		mj_append(j, xo, e);
		if (j->rc)
			return;
		if (o->status && !strcmp(o->status, "closed")) {
			mj_note(j, checks, "status", false, "order %s is closed", o->order_no);
			mj_reason(j, MR_ORDER_CLOSED, NULL, "order %s is closed: nothing more may be"
			          " invoiced against it", o->order_no);
		}
		if (j->sup_known && o->supplier_no && strcmp(o->supplier_no, j->sup.supplier_no)) {
			mj_note(j, checks, "supplier", false, "order %s is placed with supplier %s", o->order_no,
			        o->supplier_no);
			mj_reason(j, MR_ORDER_MISMATCH, NULL, "order %s was placed with supplier %s, the"
			          " invoice comes from %s", o->order_no, o->supplier_no, j->sup.supplier_no);
		} else if (!o->supplier_no && (o->supplier_org || o->supplier_peppol)) {
			bool same = (o->supplier_org && ((j->org[0] && !strcmp(o->supplier_org, j->org)) ||
				     (j->sup_known && !strcmp(o->supplier_org, j->sup.org_no)))) ||
				    (o->supplier_peppol && ((j->peppol[0] && !strcmp(o->supplier_peppol, j->peppol)) ||
				     (j->sup_known && !strcmp(o->supplier_peppol, j->sup.peppol_id))));
			if (!same) {
				mj_note(j, checks, "supplier", false, "order %s names seller %s", o->order_no,
				        o->supplier_org ? o->supplier_org : o->supplier_peppol);
				mj_reason(j, MR_ORDER_MISMATCH, NULL, "order %s names seller %s, not this"
				          " invoice's seller", o->order_no,
				          o->supplier_org ? o->supplier_org : o->supplier_peppol);
			} else {
				mj_note(j, checks, "supplier", true, "the order's seller is the invoice's");
			}
		} else {
			mj_note(j, checks, "supplier", true, "the order's supplier is the invoice's");
		}
		if (o->buyer) {
			char k[176];
			size_t q;
			bool ok = false;
			if (rules_party_key(k, sizeof(k), o->buyer))
				for (q = 0; q < j->nbkeys; q++)
					if (!strcmp(j->bkeys[q], k))
						ok = true;
			if (!ok && j->nbkeys) {
				mj_note(j, checks, "buyer", false, "order %s is from buyer %s", o->order_no, o->buyer);
				mj_reason(j, MR_ORDER_MISMATCH, NULL, "order %s was placed by %s, the invoice is"
				          " addressed to someone else", o->order_no, o->buyer);
			}
		}
		if (o->currency && inv->currency.v && strcasecmp(o->currency, inv->currency.v)) {
			mj_note(j, checks, "currency", false, "order in %s, invoice in %s", o->currency,
			        inv->currency.v);
			mj_reason(j, MR_CURRENCY_MISMATCH, NULL, "order %s is in %s, the invoice in %s",
			          o->order_no, o->currency, inv->currency.v);
		}
	}
	for (i = 0; i < inv->nlines && !j->rc; i++)
		check_line(j, b, i, &sums);
	if (j->rc)
		return;
	/* header: the invoice's net total against what the order says the
	 * invoiced quantities cost, with the order's charges in proportion */
	if (sums.overflow) {
		mj_out_of_range(j, j->header, "net total", MR_TOTAL_DEVIATION, NULL,
				"the net total against what the orders say the lines cost");
		return;
	}
	if (dec_add(&total, sums.expected, sums.charges) || dec_round(&total, total, 2))
		total = sums.expected;
	if (inv->totals.tax_exclusive.set)
		actual = inv->totals.tax_exclusive.v;
	else
		actual = inv->totals.line_extension.v;
	if (!mj_tol_check(j, j->header, TOL_TOTAL, "net total", actual, total, total, NULL, NULL,
		       text, sizeof(text)) && !match_has_reason(j->res, MR_UNMATCHED_LINE))
		mj_reason(j, MR_TOTAL_DEVIATION, NULL, "%s", text);
}
