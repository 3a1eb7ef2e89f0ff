/*
 * invoice_diff.c - what differs between two invoices.  See invoice_diff.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parsers/invoice_diff.h"

typedef struct differ {
	ujson *arr;
	size_t max, total;
	int rc;
} differ;

static void add(differ *d, const char *what, const char *original, const char *now)
{
	ujson *o;

	if (d->rc)
		return;
	d->total++;
	if (ujson_array_size(d->arr) >= d->max)
		return;
	o = ujson_object();
	if (!o || ujson_set_str(o, "what", what) || ujson_set_str(o, "original", original) ||
	    ujson_set_str(o, "this", now)) {
		ujson_free(o);
		d->rc = ULF_ENOMEM;
		return;
	}
	if (ujson_append_new(d->arr, o))   /* stolen whatever the outcome */
		d->rc = ULF_ENOMEM;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void text(differ *d, const char *what, const char *a, const char *b)
{
	if (!same_text(a, b))
		add(d, what, a, b);
}

/* An amount as text, with at least two decimals; NULL when absent. */
static const char *fmt_dec(char *buf, size_t n, dec v, bool set, int places)
{
	if (!set)
		return NULL;
	dec_format(buf, n, v, places);
	return buf;
}

static void amount(differ *d, const char *what, const inv_amount *a, const inv_amount *b)
{
	char x[DEC_STR_MAX], y[DEC_STR_MAX];

	if (a->set == b->set && (!a->set || dec_cmp(a->v, b->v) == 0))
		return;
	add(d, what, fmt_dec(x, sizeof(x), a->v, a->set, 2), fmt_dec(y, sizeof(y), b->v, b->set, 2));
}

static void number(differ *d, const char *what, const inv_num *a, const inv_num *b)
{
	char x[DEC_STR_MAX], y[DEC_STR_MAX];

	if (a->set == b->set && (!a->set || dec_cmp(a->v, b->v) == 0))
		return;
	add(d, what, fmt_dec(x, sizeof(x), a->v, a->set, 0), fmt_dec(y, sizeof(y), b->v, b->set, 0));
}

/* A quantity with its unit: "5 EA". */
static const char *fmt_qty(char *buf, size_t n, const inv_qty *q)
{
	char v[DEC_STR_MAX];

	if (!q->set)
		return NULL;
	dec_format(v, sizeof(v), q->v, 0);
	snprintf(buf, n, "%s%s%s", v, q->unit ? " " : "", q->unit ? q->unit : "");
	return buf;
}

static void quantity(differ *d, const char *what, const inv_qty *a, const inv_qty *b)
{
	char x[DEC_STR_MAX + 48], y[DEC_STR_MAX + 48];

	if (a->set == b->set && (!a->set || (dec_cmp(a->v, b->v) == 0 &&
					     same_text(a->unit, b->unit))))
		return;
	add(d, what, fmt_qty(x, sizeof(x), a), fmt_qty(y, sizeof(y), b));
}

/* A line for a person in one phrase: "Papper, 10 EA, 1000.00". */
static const char *line_text(char *buf, size_t n, const inv_line *l)
{
	char q[DEC_STR_MAX + 48], a[DEC_STR_MAX];
	const char *qs = fmt_qty(q, sizeof(q), &l->quantity);

	snprintf(buf, n, "%s, %s, %s", l->item_name.v ? l->item_name.v : "no name",
		 qs ? qs : "no quantity", fmt_dec(a, sizeof(a), l->net.v, l->net.set, 2) ?
		 a : "no amount");
	return buf;
}

static void line(differ *d, const char *label, const inv_line *a, const inv_line *b)
{
	char what[160];

#define WHAT(s) (snprintf(what, sizeof(what), "line %s %s", label, s), what)
	quantity(d, WHAT("quantity (BT-129)"), &a->quantity, &b->quantity);
	amount(d, WHAT("net amount (BT-131)"), &a->net, &b->net);
	amount(d, WHAT("price (BT-146)"), &a->price, &b->price);
	text(d, WHAT("item (BT-153)"), a->item_name.v, b->item_name.v);
	text(d, WHAT("seller's item id (BT-155)"), a->seller_item_id.v, b->seller_item_id.v);
	number(d, WHAT("VAT rate (BT-152)"), &a->vat_rate, &b->vat_rate);
	text(d, WHAT("order line (BT-132)"), a->order_line_ref.v, b->order_line_ref.v);
#undef WHAT
}

static const inv_line *line_by_id(const invoice *inv, const char *id)
{
	size_t i;

	for (i = 0; i < inv->nlines; i++)
		if (same_text(inv->lines[i].id.v, id))
			return &inv->lines[i];
	return NULL;
}

static bool all_lines_have_ids(const invoice *inv)
{
	size_t i;

	for (i = 0; i < inv->nlines; i++)
		if (!inv->lines[i].id.v)
			return false;
	return true;
}

static void lines(differ *d, const invoice *a, const invoice *b)
{
	char label[96], x[32], y[32], la[512];
	size_t i;

	if (a->nlines != b->nlines) {
		snprintf(x, sizeof(x), "%zu", a->nlines);
		snprintf(y, sizeof(y), "%zu", b->nlines);
		add(d, "number of lines", x, y);
	}
	if (!all_lines_have_ids(a) || !all_lines_have_ids(b)) {
		/* by position: what is left over is only in one of them */
		for (i = 0; i < a->nlines || i < b->nlines; i++) {
			snprintf(label, sizeof(label), "%zu", i + 1);
			if (i < a->nlines && i < b->nlines) {
				line(d, label, &a->lines[i], &b->lines[i]);
			} else {
				const inv_line *l = i < a->nlines ? &a->lines[i] : &b->lines[i];
				snprintf(label, sizeof(label), "line %zu", i + 1);
				line_text(la, sizeof(la), l);
				add(d, label, i < a->nlines ? la : NULL, i < a->nlines ? NULL : la);
			}
		}
		return;
	}
	for (i = 0; i < a->nlines; i++) {
		const inv_line *o = &a->lines[i], *n = line_by_id(b, o->id.v);
		if (n) {
			line(d, o->id.v, o, n);
		} else {
			snprintf(label, sizeof(label), "line %s", o->id.v);
			add(d, label, line_text(la, sizeof(la), o), NULL);
		}
	}
	for (i = 0; i < b->nlines; i++) {
		const inv_line *n = &b->lines[i];
		if (!line_by_id(a, n->id.v)) {
			snprintf(label, sizeof(label), "line %s", n->id.v);
			add(d, label, NULL, line_text(la, sizeof(la), n));
		}
	}
}

static const char *first_payment(const invoice *inv, bool account)
{
	if (!inv->npayments)
		return NULL;
	return account ? inv->payments[0].account.id.v : inv->payments[0].remittance.v;
}

static const char *first_preceding(const invoice *inv)
{
	return inv->npreceding ? inv->preceding[0].id.v : NULL;
}

int invoice_diff(ujson **out, size_t *out_total, const invoice *original, const invoice *now,
		 size_t max, ulf_err *err)
{
	const invoice *a = original, *b = now;
	const inv_totals *ta = &a->totals, *tb = &b->totals;
	differ d = { ujson_array(), max, 0, 0 };

	*out = NULL;
	*out_total = 0;
	if (!d.arr)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	text(&d, "issue date (BT-2)", a->issue_date.v, b->issue_date.v);
	text(&d, "due date (BT-9)", a->due_date.v, b->due_date.v);
	text(&d, "tax point date (BT-7)", a->tax_point_date.v, b->tax_point_date.v);
	text(&d, "invoice period start (BT-73)", a->period.start.v, b->period.start.v);
	text(&d, "invoice period end (BT-74)", a->period.end.v, b->period.end.v);
	text(&d, "delivery date (BT-72)", a->delivery.date.v, b->delivery.date.v);
	text(&d, "currency (BT-5)", a->currency.v, b->currency.v);
	text(&d, "buyer reference (BT-10)", a->buyer_reference.v, b->buyer_reference.v);
	text(&d, "contract (BT-12)", a->contract_ref.v, b->contract_ref.v);
	text(&d, "order (BT-13)", a->order_ref.v, b->order_ref.v);
	text(&d, "receiving advice (BT-15)", a->receiving_advice_ref.v, b->receiving_advice_ref.v);
	text(&d, "despatch advice (BT-16)", a->despatch_advice_ref.v, b->despatch_advice_ref.v);
	text(&d, "corrected invoice (BT-25)", first_preceding(a), first_preceding(b));
	text(&d, "payment reference (BT-83)", first_payment(a, false), first_payment(b, false));
	text(&d, "payment account (BT-84)", first_payment(a, true), first_payment(b, true));
	/* the lines before the totals they add up to: they say what changed */
	lines(&d, a, b);
	amount(&d, "sum of lines (BT-106)", &ta->line_extension, &tb->line_extension);
	amount(&d, "allowances (BT-107)", &ta->allowance_total, &tb->allowance_total);
	amount(&d, "charges (BT-108)", &ta->charge_total, &tb->charge_total);
	amount(&d, "total without VAT (BT-109)", &ta->tax_exclusive, &tb->tax_exclusive);
	amount(&d, "VAT (BT-110)", &ta->tax, &tb->tax);
	amount(&d, "total with VAT (BT-112)", &ta->tax_inclusive, &tb->tax_inclusive);
	amount(&d, "paid in advance (BT-113)", &ta->prepaid, &tb->prepaid);
	amount(&d, "rounding (BT-114)", &ta->rounding, &tb->rounding);
	amount(&d, "payable amount (BT-115)", &ta->payable, &tb->payable);
	if (d.rc) {
		ujson_free(d.arr);
		return ulf_err_set(err, d.rc, "out of memory");
	}
	*out = d.arr;
	*out_total = d.total;
	return 0;
}
