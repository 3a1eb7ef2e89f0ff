/*
 * booking.c - rows, sources and amounts of the booking suggestion.  See
 * booking.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/pnr.h"
#include "robot/match/booking.h"
#include "robot/match/mtext.h"

const char *booking_source_name(booking_source s)
{
	switch (s) {
	case BSRC_NONE:      return "none";
	case BSRC_ORDER:     return "order";
	case BSRC_CREDITED:  return "credited-invoice";
	case BSRC_RECURRING: return "recurring";
	case BSRC_NONPO:     return "nonpo-rule";
	case BSRC_RULE:      return "rule";
	case BSRC_VATCODES:  return "vatcodes";
	case BSRC_HISTORY:   return "history";
	case BSRC_LINE:      return "line";
	case BSRC_SETTINGS:  return "settings";
	case BSRC_HANDLER:   return "handler";
	}
	return "?";
}

const char *booking_kind_name(booking_kind k)
{
	switch (k) {
	case BK_LINE:      return "line";
	case BK_ALLOWANCE: return "allowance";
	case BK_CHARGE:    return "charge";
	case BK_ROUNDING:  return "rounding";
	}
	return "?";
}

/* A row with no text and no amounts. */
static void row_clear(booking_row *r)
{
	int f;

	memset(r, 0, sizeof(*r));
	r->line_id = r->description = r->vat_category = "";
	r->item_key = r->text_key = r->order_no = r->order_line_id = "";
	for (f = 0; f < RB_COUNT; f++)
		r->f[f].value = r->f[f].detail = "";
	r->net = r->vat = r->quantity = dec_make(0, 2);
}

void booking_init(booking *b)
{
	memset(b, 0, sizeof(*b));
	b->total_net = b->total_vat = dec_make(0, 2);
	b->sign = 1;
	row_clear(&b->rounding);
	arena_init(&b->mem, BOOKING_MAX_BYTES);
	dynbuf_init(&b->row_buf, BOOKING_MAX_ROWS * sizeof(booking_row));
}

void booking_release(booking *b)
{
	if (!b)
		return;
	dynbuf_release(&b->row_buf);
	b->rows = NULL;
	b->n = 0;
	row_clear(&b->rounding);
	arena_release(&b->mem);
}

const char *booking_str(booking *b, const char *s)
{
	char *p;

	if (!s || !*s)
		return "";
	p = arena_strdup(&b->mem, s);
	if (!p) {
		b->failed = ULF_ENOMEM;
		return "";
	}
	return p;
}

/*
 * A text of the invoice as the booking shows it and the ERP receives it:
 * personal identity numbers masked (core/pnr.h).  The history's text keys
 * keep no digits, so they are the same masked or not.
 */
static const char *shown_text(booking *b, const char *s)
{
	char *masked = NULL;
	const char *r;

	if (!s || !pnr_contains(s, strlen(s)))
		return booking_str(b, s);
	if (pnr_mask_dup(&masked, s)) {
		b->failed = ULF_ENOMEM;
		return "";
	}
	r = booking_str(b, masked);
	free(masked);
	return r;
}

static booking_row *add_row(booking *b, ulf_err *err)
{
	void *item;
	int rc;

	rc = dynbuf_add_item(&item, &b->row_buf, sizeof(booking_row));
	if (rc == ULF_ELIMIT) {
		ulf_err_set(err, ULF_ELIMIT, "more than %d booking rows", BOOKING_MAX_ROWS);
		return NULL;
	}
	if (rc) {
		ulf_err_set(err, ULF_ENOMEM, "out of memory");
		return NULL;
	}
	b->rows = dynbuf_items(&b->row_buf);
	b->n++;
	row_clear(item);
	return item;
}

static dec signed_dec(dec v, int sign)
{
	return sign < 0 ? dec_neg(v) : v;
}

/* The lengths of the history keys (refdata_item_key, refdata_text_key) as
 * they have been recorded: longer ids and names are folded to these. */
#define ITEM_KEY_MAX 64
#define TEXT_KEY_MAX 128

int booking_rows(booking *b, const invoice *inv, int sign, ulf_err *err)
{
	char key[TEXT_KEY_MAX];
	size_t i;

	b->sign = sign;
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		booking_row *r = add_row(b, err);
		const char *item = l->seller_item_id.v ? l->seller_item_id.v
				 : l->buyer_item_id.v ? l->buyer_item_id.v : l->standard_item_id.v;
		if (!r)
			return err ? err->code : ULF_ENOMEM;
		r->kind = BK_LINE;
		r->line_id = booking_str(b, l->id.v);
		r->description = shown_text(b, l->item_name.v ? l->item_name.v
					    : l->item_description.v);
		if (l->net.set)
			r->net = signed_dec(l->net.v, sign);
		if (l->quantity.set)
			r->quantity = signed_dec(l->quantity.v, sign);
		r->vat_category = booking_str(b, l->vat_category.v);
		r->vat_rate = l->vat_rate.v;
		r->vat_rate_set = l->vat_rate.set;
		/* the keys keep the length the history has always had */
		refdata_item_key(key, ITEM_KEY_MAX, item);
		r->item_key = booking_str(b, key);
		refdata_text_key(key, TEXT_KEY_MAX,
				 l->item_name.v ? l->item_name.v : l->item_description.v);
		r->text_key = booking_str(b, key);
	}
	for (i = 0; i < inv->nacs; i++) {
		const inv_allowance_charge *ac = &inv->acs[i];
		booking_row *r;
		if (!ac->amount.set)
			continue;
		r = add_row(b, err);
		if (!r)
			return err ? err->code : ULF_ENOMEM;
		r->kind = ac->is_charge ? BK_CHARGE : BK_ALLOWANCE;
		/* an allowance lowers the cost: booked negative */
		r->net = signed_dec(ac->is_charge ? ac->amount.v : dec_neg(ac->amount.v), sign);
		r->quantity = dec_make(0, 0);
		r->description = shown_text(b, ac->reason.v ? ac->reason.v : ac->reason_code.v
					    ? ac->reason_code.v : ac->is_charge ? "Charge"
					    : "Allowance");
		r->vat_category = booking_str(b, ac->vat_category.v);
		r->vat_rate = ac->vat_rate.v;
		r->vat_rate_set = ac->vat_rate.set;
		refdata_text_key(key, TEXT_KEY_MAX, r->description);
		r->text_key = booking_str(b, key);
	}
	row_clear(&b->rounding);
	if (inv->totals.rounding.set && !dec_is_zero(inv->totals.rounding.v)) {
		b->has_rounding = true;
		b->rounding.kind = BK_ROUNDING;
		b->rounding.net = signed_dec(inv->totals.rounding.v, sign);
		b->rounding.vat = dec_make(0, 2);
		b->rounding.quantity = dec_make(0, 0);
		b->rounding.description = "Öresavrundning";
	}
	if (b->failed)
		return ulf_err_set(err, b->failed, "booking: out of memory for its text");
	return 0;
}

bool booking_set(booking *b, booking_field *f, const char *value, booking_source src,
		 int confidence, const char *fmt, ...)
{
	const char *v, *detail;
	va_list ap;

	if (f->value[0] || !value || !*value)
		return false;
	v = booking_str(b, value);
	va_start(ap, fmt);
	detail = mtext_vformat(&b->mem, fmt, ap);
	va_end(ap);
	if (!detail)
		b->failed = ULF_ENOMEM;
	if (b->failed)
		return false;
	f->value = v;
	f->source = src;
	f->confidence = confidence;
	f->detail = detail;
	return true;
}

void booking_apply_rules(booking *b, booking_row *row, const rules_coding *c,
			 const char *rules_name)
{
	int f;

	for (f = 0; f < RB_COUNT; f++)
		if (c->rule[f])
			booking_set(b, &row->f[f], c->value[f], BSRC_RULE, 100, "rule %s (%s:%u): %s",
				    c->rule[f], rules_name, c->line[f], c->why[f]);
}

int booking_apply_history(booking *b, booking_row *row, bool *out_weak, refdata *r,
			  const char *supplier_key, const rules_settings *s, ulf_err *err)
{
	const char *kinds[3] = { "item", "text", "supplier" };
	const char *keys[3] = { row->item_key, row->text_key, "" };
	ref_history h;
	bool found = false, any = false;
	size_t k;
	int rc, f, conf;

	*out_weak = false;
	for (f = 0; f < RB_COUNT; f++)
		if (!row->f[f].value[0])
			any = true;
	if (!any || !supplier_key)
		return 0;
	for (k = 0; k < 3 && !found; k++) {
		if (k < 2 && !keys[k][0])
			continue;
		rc = refdata_history(&h, &found, r, supplier_key, kinds[k], keys[k], err);
		if (rc)
			return rc;
	}
	if (!found || h.total <= 0)
		return 0;
	k--;
	if (h.learned_by[0]) {
		/* a person chose this booking for the key: it is the suggestion,
		 * and as sure as the person was */
		const char *vals[RB_COUNT] = { h.account, h.cost_centre, h.activity, h.project,
					       h.vat_code };
		for (f = 0; f < RB_COUNT; f++)
			booking_set(b, &row->f[f], vals[f], BSRC_HISTORY, 100,
				    "learned from %s's correction on %s (%s%s%s)", h.learned_by,
				    h.learned_on[0] ? h.learned_on : "?", kinds[k], k < 2 ? " " : "",
				    keys[k]);
		return 0;
	}
	conf = (int)(h.n * 100 / h.total);
	{
		const char *vals[RB_COUNT] = { h.account, h.cost_centre, h.activity, h.project,
					       h.vat_code };
		bool weak = h.n < s->history_min_count || conf < s->history_min_confidence;
		for (f = 0; f < RB_COUNT; f++)
			if (booking_set(b, &row->f[f], vals[f], BSRC_HISTORY, conf,
					"history of %s%s%s: booked so %lld of %lld times (%d%%)%s%s",
					kinds[k], k < 2 ? " " : "", keys[k], (long long)h.n,
					(long long)h.total, conf, h.last_date[0] ? ", last " : "",
					h.last_date) && weak)
				*out_weak = true;
	}
	return 0;
}

static bool same_rate(const booking_row *a, const booking_row *b)
{
	if (strcasecmp(a->vat_category, b->vat_category))
		return false;
	if (a->vat_rate_set != b->vat_rate_set)
		return false;
	return !a->vat_rate_set || dec_cmp(a->vat_rate, b->vat_rate) == 0;
}

void booking_apply_vat_group(booking *b)
{
	size_t i, j;
	int f;

	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const booking_row *best = NULL;
		char rate[DEC_STR_MAX];
		if (r->kind != BK_ALLOWANCE && r->kind != BK_CHARGE)
			continue;
		for (j = 0; j < b->n; j++) {
			const booking_row *l = &b->rows[j];
			if (l->kind == BK_LINE && same_rate(l, r) &&
			    (!best || dec_cmp(dec_abs(l->net), dec_abs(best->net)) > 0))
				best = l;
		}
		if (!best)
			continue;
		dec_format(rate, sizeof(rate), r->vat_rate, 0);
		for (f = 0; f < RB_COUNT; f++)
			if (best->f[f].value[0])
				booking_set(b, &r->f[f], best->f[f].value, BSRC_LINE, best->f[f].confidence,
					    "as invoice line %s, the largest line at %s %s%%",
					    best->line_id, r->vat_category, rate);
	}
}

/* Round half away from zero of a / b, in 128 bits. */
static __int128 div_round(__int128 a, __int128 b)
{
	__int128 q = a / b, r = a % b;

	if (r < 0)
		r = -r;
	if (2 * r >= (b < 0 ? -b : b))
		q += ((a < 0) != (b < 0)) ? -1 : 1;
	return q;
}

static int units(int64_t *out, dec v)
{
	dec r;

	if (dec_round(&r, v, 2))
		return ULF_ERANGE;
	return dec_to_units(out, r, 2);
}

int booking_spread_vat(booking *b, const invoice *inv, ulf_err *err)
{
	bool *done = calloc(b->n ? b->n : 1, sizeof(*done));
	size_t i, j, k;
	dec net = dec_make(0, 2), vat = dec_make(0, 2);

	if (!done)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (i = 0; i < b->n; i++) {
		booking_row *lead = &b->rows[i];
		int64_t sum = 0, tax = 0, given = 0, u;
		size_t largest = i;
		bool found = false;
		if (done[i])
			continue;
		/* the group of rows at lead's category and rate */
		for (j = i; j < b->n; j++) {
			if (done[j] || !same_rate(&b->rows[j], lead))
				continue;
			if (units(&u, b->rows[j].net)) {
				free(done);
				return ulf_err_set(err, ULF_ERANGE, "booking amounts out of range");
			}
			if (__builtin_add_overflow(sum, u, &sum)) {
				free(done);
				return ulf_err_set(err, ULF_ERANGE, "booking amounts out of range");
			}
			if (dec_cmp(dec_abs(b->rows[j].net), dec_abs(b->rows[largest].net)) > 0)
				largest = j;
		}
		for (k = 0; k < inv->nvat && !found; k++) {
			const inv_vat *v = &inv->vat[k];
			if (!v->tax.set || !v->category.v || strcasecmp(v->category.v, lead->vat_category))
				continue;
			if (lead->vat_rate_set && (!v->rate.set || dec_cmp(v->rate.v, lead->vat_rate)))
				continue;
			if (units(&tax, v->tax.v) == 0) {
				found = true;
				if (b->sign < 0)
					tax = -tax;
			}
		}
		if (!found && lead->vat_rate_set) {
			/* no breakdown for this rate: rate x net, which validation
			 * will have flagged already */
			dec t;
			if (dec_mul_round(&t, dec_make(sum, 2), lead->vat_rate, 4) ||
			    dec_div_round(&t, t, dec_make(100, 0), 2) || units(&tax, t))
				tax = 0;
		}
		for (j = i; j < b->n; j++) {
			if (done[j] || !same_rate(&b->rows[j], lead))
				continue;
			done[j] = true;
			if (units(&u, b->rows[j].net)) {
				free(done);
				return ulf_err_set(err, ULF_ERANGE, "booking amounts out of range");
			}
			u = sum ? (int64_t)div_round((__int128)tax * u, sum) : (j == largest ? tax : 0);
			b->rows[j].vat = dec_make(u, 2);
			given += u;
		}
		/* what proportional rounding left over goes on the largest row */
		if (given != tax)
			b->rows[largest].vat = dec_make(b->rows[largest].vat.v + (tax - given), 2);
	}
	free(done);
	for (i = 0; i < b->n; i++)
		if (dec_add(&net, net, b->rows[i].net) || dec_add(&vat, vat, b->rows[i].vat))
			return ulf_err_set(err, ULF_ERANGE, "booking totals out of range");
	b->total_net = net;
	b->total_vat = vat;
	return 0;
}

void booking_confidence(booking *b)
{
	size_t i;
	int f;

	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		int c = 100, any = 0;
		for (f = 0; f < RB_COUNT; f++)
			if (r->f[f].value[0]) {
				any = 1;
				if (r->f[f].confidence < c)
					c = r->f[f].confidence;
			}
		r->confidence = any ? c : 0;
	}
}

/* Keeps the first failure of a run of JSON setters (out of memory). */
static void keep(int *rc, int r)
{
	if (r && !*rc)
		*rc = r;
}

/* A value built to be set: NULL is a failed allocation. */
static ujson *made(int *rc, ujson *v)
{
	if (!v)
		keep(rc, ULF_ENOMEM);
	return v;
}

static ujson *amount(dec v)
{
	char buf[DEC_STR_MAX];

	dec_format(buf, sizeof(buf), v, 2);
	return ujson_string(buf);
}

static ujson *row_json(const booking_row *r)
{
	ujson *o = ujson_object(), *src = ujson_object();
	char buf[DEC_STR_MAX];
	int f, rc = 0;

	if (!o || !src) {
		ujson_free(o);
		ujson_free(src);
		return NULL;
	}
	keep(&rc, ujson_set_str(o, "kind", booking_kind_name(r->kind)));
	keep(&rc, ujson_set_str(o, "invoice_line_id", r->line_id[0] ? r->line_id : NULL));
	keep(&rc, ujson_set_str(o, "description", r->description));
	for (f = 0; f < RB_COUNT; f++) {
		const booking_field *bf = &r->f[f];
		ujson *s;
		keep(&rc, ujson_set_str(o, rules_field_label(f), bf->value[0] ? bf->value : NULL));
		if (!bf->value[0])
			continue;
		s = ujson_object();
		keep(&rc, ujson_set_str(s, "source", booking_source_name(bf->source)));
		keep(&rc, ujson_set_str(s, "detail", bf->detail));
		keep(&rc, ujson_set_int(s, "confidence", bf->confidence));
		keep(&rc, ujson_set_new(src, rules_field_label(f), made(&rc, s)));
	}
	keep(&rc, ujson_set_new(o, "net_amount", made(&rc, amount(r->net))));
	keep(&rc, ujson_set_new(o, "vat_amount", made(&rc, amount(r->vat))));
	if (r->kind == BK_LINE) {
		dec_format(buf, sizeof(buf), r->quantity, 0);
		keep(&rc, ujson_set_str(o, "quantity", buf));
	}
	keep(&rc, ujson_set_str(o, "vat_category", r->vat_category[0] ? r->vat_category : NULL));
	if (r->vat_rate_set) {
		dec_format(buf, sizeof(buf), r->vat_rate, 0);
		keep(&rc, ujson_set_str(o, "vat_rate", buf));
	}
	if (r->order_no[0]) {
		keep(&rc, ujson_set_str(o, "order_no", r->order_no));
		keep(&rc, ujson_set_str(o, "order_line_id", r->order_line_id));
	}
	keep(&rc, ujson_set_int(o, "confidence", r->confidence));
	keep(&rc, ujson_set_new(o, "sources", src));
	if (rc) {
		ujson_free(o);
		return NULL;
	}
	return o;
}

ujson *booking_json(const booking *b)
{
	ujson *o = ujson_object(), *rows = ujson_array();
	size_t i;
	int rc = 0;

	if (!o || !rows) {
		ujson_free(o);
		ujson_free(rows);
		return NULL;
	}
	for (i = 0; i < b->n; i++)
		keep(&rc, ujson_append_new(rows, made(&rc, row_json(&b->rows[i]))));
	keep(&rc, ujson_set_new(o, "lines", rows));
	keep(&rc, ujson_set_new(o, "total_net", made(&rc, amount(b->total_net))));
	keep(&rc, ujson_set_new(o, "total_vat", made(&rc, amount(b->total_vat))));
	if (b->has_rounding)
		keep(&rc, ujson_set_new(o, "rounding", made(&rc, row_json(&b->rounding))));
	else
		keep(&rc, ujson_set_new(o, "rounding", NULL));
	if (rc) {
		ujson_free(o);
		return NULL;
	}
	return o;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static void row_text(FILE *out, const booking_row *r, const char *indent)
{
	char net[DEC_STR_MAX], vat[DEC_STR_MAX];
	int f;

	dec_format(net, sizeof(net), r->net, 2);
	dec_format(vat, sizeof(vat), r->vat, 2);
	fprintf(out, "%s%-9s %-4s %-8s %-8s %-8s %-8s %-6s %12s  VAT %10s  %s\n", indent,
		booking_kind_name(r->kind), dash(r->line_id), dash(r->f[RB_ACCOUNT].value),
		dash(r->f[RB_COST_CENTRE].value), dash(r->f[RB_ACTIVITY].value),
		dash(r->f[RB_PROJECT].value), dash(r->f[RB_VAT_CODE].value), net, vat,
		r->description);
	for (f = 0; f < RB_COUNT; f++)
		if (r->f[f].value[0])
			fprintf(out, "%s    %-11s <- %s: %s\n", indent, rules_field_label(f),
				booking_source_name(r->f[f].source), r->f[f].detail);
}

void booking_text(FILE *out, const booking *b, const char *indent)
{
	char net[DEC_STR_MAX], vat[DEC_STR_MAX];
	size_t i;

	fprintf(out, "%s%-9s %-4s %-8s %-8s %-8s %-8s %-6s %12s  %14s\n", indent, "kind", "line",
		"account", "ansvar", "activity", "project", "vat", "net", "VAT");
	for (i = 0; i < b->n; i++)
		row_text(out, &b->rows[i], indent);
	if (b->has_rounding)
		row_text(out, &b->rounding, indent);
	dec_format(net, sizeof(net), b->total_net, 2);
	dec_format(vat, sizeof(vat), b->total_vat, 2);
	fprintf(out, "%stotal net %s, VAT %s\n", indent, net, vat);
}
