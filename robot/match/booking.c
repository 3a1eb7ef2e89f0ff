/*
 * booking.c - rows, sources and amounts of the booking suggestion.  See
 * booking.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/match/booking.h"

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

void booking_init(booking *b)
{
	memset(b, 0, sizeof(*b));
	b->total_net = b->total_vat = dec_make(0, 2);
	b->sign = 1;
}

void booking_release(booking *b)
{
	if (!b)
		return;
	free(b->rows);
	b->rows = NULL;
	b->n = b->cap = 0;
}

static booking_row *add_row(booking *b, ulf_err *err)
{
	booking_row *r;

	if (b->n == BOOKING_MAX_ROWS) {
		ulf_err_set(err, ULF_ELIMIT, "more than %d booking rows", BOOKING_MAX_ROWS);
		return NULL;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		booking_row *nr = realloc(b->rows, cap * sizeof(*nr));
		if (!nr) {
			ulf_err_set(err, ULF_ENOMEM, "out of memory");
			return NULL;
		}
		b->rows = nr;
		b->cap = cap;
	}
	r = &b->rows[b->n++];
	memset(r, 0, sizeof(*r));
	r->net = r->vat = r->quantity = dec_make(0, 2);
	return r;
}

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static dec signed_dec(dec v, int sign)
{
	return sign < 0 ? dec_neg(v) : v;
}

int booking_rows(booking *b, const invoice *inv, int sign, ulf_err *err)
{
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
		copy(r->line_id, sizeof(r->line_id), l->id.v);
		copy(r->description, sizeof(r->description),
		     l->item_name.v ? l->item_name.v : l->item_description.v);
		if (l->net.set)
			r->net = signed_dec(l->net.v, sign);
		if (l->quantity.set)
			r->quantity = signed_dec(l->quantity.v, sign);
		copy(r->vat_category, sizeof(r->vat_category), l->vat_category.v);
		r->vat_rate = l->vat_rate.v;
		r->vat_rate_set = l->vat_rate.set;
		refdata_item_key(r->item_key, sizeof(r->item_key), item);
		refdata_text_key(r->text_key, sizeof(r->text_key),
				 l->item_name.v ? l->item_name.v : l->item_description.v);
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
		copy(r->description, sizeof(r->description),
		     ac->reason.v ? ac->reason.v : ac->reason_code.v ? ac->reason_code.v
		     : ac->is_charge ? "Charge" : "Allowance");
		copy(r->vat_category, sizeof(r->vat_category), ac->vat_category.v);
		r->vat_rate = ac->vat_rate.v;
		r->vat_rate_set = ac->vat_rate.set;
		refdata_text_key(r->text_key, sizeof(r->text_key), r->description);
	}
	memset(&b->rounding, 0, sizeof(b->rounding));
	if (inv->totals.rounding.set && !dec_is_zero(inv->totals.rounding.v)) {
		b->has_rounding = true;
		b->rounding.kind = BK_ROUNDING;
		b->rounding.net = signed_dec(inv->totals.rounding.v, sign);
		b->rounding.vat = dec_make(0, 2);
		b->rounding.quantity = dec_make(0, 0);
		copy(b->rounding.description, sizeof(b->rounding.description), "Öresavrundning");
	}
	return 0;
}

bool booking_set(booking_field *f, const char *value, booking_source src, int confidence,
		 const char *fmt, ...)
{
	va_list ap;

	if (f->value[0] || !value || !*value || strlen(value) >= sizeof(f->value))
		return false;
	memcpy(f->value, value, strlen(value) + 1);
	f->source = src;
	f->confidence = confidence;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	return true;
}

void booking_apply_rules(booking_row *row, const rules_coding *c, const char *rules_name)
{
	int f;

	for (f = 0; f < RB_COUNT; f++)
		if (c->rule[f])
			booking_set(&row->f[f], c->value[f], BSRC_RULE, 100, "rule %s (%s:%u): %s",
				    c->rule[f], rules_name, c->line[f], c->why[f]);
}

int booking_apply_history(booking_row *row, bool *out_weak, refdata *r,
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
			booking_set(&row->f[f], vals[f], BSRC_HISTORY, 100,
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
			if (booking_set(&row->f[f], vals[f], BSRC_HISTORY, conf,
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
				booking_set(&r->f[f], best->f[f].value, BSRC_LINE, best->f[f].confidence,
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
			sum += u;
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
			units(&u, b->rows[j].net);
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
	int f;

	if (!o || !src) {
		ujson_free(o);
		ujson_free(src);
		return NULL;
	}
	ujson_set_str(o, "kind", booking_kind_name(r->kind));
	ujson_set_str(o, "invoice_line_id", r->line_id[0] ? r->line_id : NULL);
	ujson_set_str(o, "description", r->description);
	for (f = 0; f < RB_COUNT; f++) {
		const booking_field *bf = &r->f[f];
		ujson *s;
		ujson_set_str(o, rules_field_label(f), bf->value[0] ? bf->value : NULL);
		if (!bf->value[0])
			continue;
		s = ujson_object();
		ujson_set_str(s, "source", booking_source_name(bf->source));
		ujson_set_str(s, "detail", bf->detail);
		ujson_set_int(s, "confidence", bf->confidence);
		ujson_set_new(src, rules_field_label(f), s);
	}
	ujson_set_new(o, "net_amount", amount(r->net));
	ujson_set_new(o, "vat_amount", amount(r->vat));
	if (r->kind == BK_LINE) {
		dec_format(buf, sizeof(buf), r->quantity, 0);
		ujson_set_str(o, "quantity", buf);
	}
	ujson_set_str(o, "vat_category", r->vat_category[0] ? r->vat_category : NULL);
	if (r->vat_rate_set) {
		dec_format(buf, sizeof(buf), r->vat_rate, 0);
		ujson_set_str(o, "vat_rate", buf);
	}
	if (r->order_no[0]) {
		ujson_set_str(o, "order_no", r->order_no);
		ujson_set_str(o, "order_line_id", r->order_line_id);
	}
	ujson_set_int(o, "confidence", r->confidence);
	ujson_set_new(o, "sources", src);
	return o;
}

ujson *booking_json(const booking *b)
{
	ujson *o = ujson_object(), *rows = ujson_array();
	size_t i;

	if (!o || !rows) {
		ujson_free(o);
		ujson_free(rows);
		return NULL;
	}
	for (i = 0; i < b->n; i++)
		ujson_append_new(rows, row_json(&b->rows[i]));
	ujson_set_new(o, "lines", rows);
	ujson_set_new(o, "total_net", amount(b->total_net));
	ujson_set_new(o, "total_vat", amount(b->total_vat));
	ujson_set_new(o, "rounding", b->has_rounding ? row_json(&b->rounding) : NULL);
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
