/*
 * posting.c - the posting record (connectors/erp_payload.h) built from what
 * the pipeline knows: the invoice's header when it is read, and the lines
 * of the matcher's or the care booking when it is matched.  The record's
 * texts (payload, facts, booking) are erp_payload.c's; this file only maps
 * the robot's own structures onto it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "robot/pipeline/pipeline_int.h"

/* A text of the invoice as a posting keeps it: "" is absent, as the facts
 * read it back, so a posting is the same whichever way it was built. */
static const char *text_or_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* *dst = s with personal identity numbers masked; NULL stays NULL. */
static int set_masked(char **dst, const char *s, ulf_err *err)
{
	char *masked = NULL;
	int rc;

	if (pnr_mask_dup(&masked, s))
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = erp_posting_set(dst, masked, err);
	free(masked);
	return rc;
}

/* The invoice's part of a posting (its header), from the document read in
 * this job.  Its free texts (the supplier's name, the buyer's reference)
 * are masked like every text ulf keeps; the identifiers (numbers, dates,
 * the order and payment references) are passed on as written. */
int posting_from_invoice(erp_posting *p, const invoice *inv, ulf_err *err)
{
	const inv_payment *pay = invoice_payment(inv);
	const struct { char **dst; const char *v; bool text; } fields[] = {
		{ &p->supplier_name, inv->seller.name.v ? inv->seller.name.v
							: inv->seller.trading_name.v, true },
		{ &p->supplier_org_number, inv->seller.legal_id.v, false },
		{ &p->supplier_vat_number, inv->seller.vat_id.v, false },
		{ &p->invoice_number, inv->id.v, false },
		{ &p->type_code, inv->type_code.v, false },
		{ &p->issue_date, inv->issue_date.v, false },
		{ &p->due_date, inv->due_date.v, false },
		{ &p->currency, inv->currency.v, false },
		{ &p->buyer_reference, inv->buyer_reference.v, true },
		{ &p->order_reference, inv->order_ref.v, false },
		{ &p->payment_reference, pay ? pay->remittance.v : NULL, false },
	};
	size_t i;
	dec net;
	int rc;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = text_or_null(fields[i].v);
		rc = fields[i].text ? set_masked(fields[i].dst, v, err)
				    : erp_posting_set(fields[i].dst, v, err);
		if (rc)
			return rc;
	}
	/* what is booked net: BT-109, plus the öre rounding (BT-114) that the
	 * booking carries on the rounding account, so the voucher balances
	 * against the amount to pay.  A sum out of range leaves BT-109: that
	 * voucher does not balance and is never sent. */
	p->total_net = inv->totals.tax_exclusive.v;
	if (inv->totals.rounding.set && dec_add(&net, p->total_net, inv->totals.rounding.v) == 0)
		p->total_net = net;
	p->total_vat = inv->totals.tax.v;
	p->payable = inv->totals.payable.v;
	return 0;
}

/* A text of a booking row, whether it is held as an array or a pointer. */
static bool filled(const char *s)
{
	return s && *s;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The matcher's suggestion as the lines of p (and its supplier_erp_id),
 * with the document's signs (the matcher books a credit negative). */
int posting_from_match(erp_posting *p, const match_result *r, ulf_err *err)
{
	const booking *b = &r->booking;
	size_t i, n = b->n + (b->has_rounding ? 1 : 0);
	erp_booking_line *l;
	int k, rc;

	erp_posting_clear_lines(p);
	rc = erp_posting_set(&p->supplier_erp_id, filled(r->supplier_no) ? r->supplier_no : NULL,
			     err);
	for (i = 0; rc == 0 && i < n; i++) {
		const booking_row *row = i < b->n ? &b->rows[i] : &b->rounding;

		rc = erp_posting_add_line(&l, p, err);
		if (rc)
			break;
		{
			char **fields[RB_COUNT] = {
				[RB_ACCOUNT] = &l->account, [RB_COST_CENTRE] = &l->cost_centre,
				[RB_ACTIVITY] = &l->activity, [RB_PROJECT] = &l->project,
				[RB_VAT_CODE] = &l->vat_code,
			};

			l->net_amount = b->sign < 0 ? dec_neg(row->net) : row->net;
			l->vat_amount = b->sign < 0 ? dec_neg(row->vat) : row->vat;
			rc = erp_posting_set(&l->invoice_line_id,
					     filled(row->line_id) ? row->line_id : NULL, err);
			if (rc == 0)
				rc = erp_posting_set(&l->description, or_empty(row->description), err);
			for (k = 0; rc == 0 && k < RB_COUNT; k++)
				rc = erp_posting_set(fields[k], filled(row->f[k].value)
							 ? row->f[k].value : NULL, err);
		}
		/* öre rounding is outside the scope of VAT */
		if (rc == 0 && i >= b->n && !l->vat_code)
			rc = erp_posting_set(&l->vat_code, "O", err);
	}
	return rc;
}

static int care_line(erp_posting *p, const char *description, const char *account,
		     const char *cost_centre, const char *vat_code, dec net, dec vat, ulf_err *err)
{
	erp_booking_line *l;
	int rc = erp_posting_add_line(&l, p, err);

	if (rc == 0)
		rc = erp_posting_set(&l->description, description, err);
	if (rc == 0)
		rc = erp_posting_set(&l->account, account, err);
	if (rc == 0)
		rc = erp_posting_set(&l->cost_centre, cost_centre, err);
	if (rc == 0)
		rc = erp_posting_set(&l->vat_code, vat_code, err);
	if (rc == 0) {
		l->net_amount = net;
		l->vat_amount = vat;
	}
	return rc;
}

/* The care booking as the lines of p: one line per account and cost
 * centre, the invoice's VAT on the last line, and an öre difference
 * against the invoice's net on the rounding account. */
int posting_from_care(erp_posting *p, const care_booking *b, const invoice *inv,
			     bool credit, const char *rounding_account, ulf_err *err)
{
	const char *vat_code = inv->nvat && inv->vat[0].category.v ? inv->vat[0].category.v : "E";
	dec sum = dec_make(0, 2), diff, zero = dec_make(0, 2), vat;
	size_t i;
	int rc = 0;

	erp_posting_clear_lines(p);
	vat = inv->totals.tax.set ? inv->totals.tax.v : zero;
	for (i = 0; rc == 0 && i < b->nrows; i++) {
		/* the voucher keeps the document's signs: a credit note's totals
		 * are positive and its type code (381) says it reduces */
		dec amount = credit ? dec_neg(b->rows[i].amount) : b->rows[i].amount;

		if (dec_add(&sum, sum, amount))
			return ulf_err_set(err, ULF_ERANGE, "care booking: amounts out of range");
		rc = care_line(p, "out-of-county care", b->rows[i].account, b->rows[i].cost_centre,
			       vat_code, amount, i + 1 == b->nrows ? vat : zero, err);
	}
	if (rc == 0 && inv->totals.tax_exclusive.set &&
	    dec_sub(&diff, inv->totals.tax_exclusive.v, sum) == 0 && !dec_is_zero(diff))
		rc = care_line(p, "rounding against the claim", rounding_account, NULL, vat_code,
			       diff, zero, err);
	return rc;
}

/* The invoice's line `id`, or NULL. */
static const inv_line *invoice_line(const invoice *inv, const char *id)
{
	size_t i;

	for (i = 0; i < inv->nlines; i++)
		if (inv->lines[i].id.v && strcmp(inv->lines[i].id.v, id) == 0)
			return &inv->lines[i];
	return NULL;
}

bool posting_has_masked_texts(const erp_posting *p)
{
	size_t i;

	for (i = 0; i < p->nlines; i++)
		if (p->lines[i].description && strstr(p->lines[i].description, "-****"))
			return true;
	return false;
}

int posting_unmask_texts(erp_posting *p, const invoice *inv, ulf_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < p->nlines; i++) {
		erp_booking_line *l = &p->lines[i];
		const inv_line *il;
		const char *text;
		char *masked = NULL;

		if (!l->invoice_line_id || !l->description)
			continue;
		il = invoice_line(inv, l->invoice_line_id);
		text = il ? (il->item_name.v ? il->item_name.v : il->item_description.v) : NULL;
		if (!text)
			continue;
		if (pnr_mask_dup(&masked, text))
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
		/* the line's text as the robot suggested it, not one a person
		 * wrote instead: the invoice's own words go */
		if (strcmp(masked, text) != 0 && strcmp(masked, l->description) == 0)
			rc = erp_posting_set(&l->description, text, err);
		free(masked);
	}
	return rc;
}

/* result["booking"] = the booking of p, as the post stage reads it. */
int posting_set_booking(ujson *result, const erp_posting *p, ulf_err *err)
{
	ujson *bk;
	int rc = erp_posting_booking_json(&bk, p, err);

	if (rc == 0 && ujson_set_new(result, "booking", bk))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return rc;
}
