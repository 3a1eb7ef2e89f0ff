/*
 * match_order.c - the order an invoice is against: the texts the extract
 * rules look at, and the order numbers from the proper fields first, then
 * from the rules, each looked up in the order register.  Private to
 * robot/match (match_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"
#include "robot/match/mtext.h"

static void add_text(texts *t, unsigned field, const char *s, const char *line_id)
{
	if (!s || !*s || t->n == MAX_TEXTS)
		return;
	t->v[t->n].field = field;
	t->v[t->n].text = s;
	if (line_id) {
		snprintf(t->where[t->n], sizeof(t->where[0]), "line %s", line_id);
		mtext_trim(t->where[t->n]);
		t->v[t->n].where = t->where[t->n];
	} else {
		t->v[t->n].where = NULL;
	}
	t->n++;
}

void mj_collect_texts(texts *t, const invoice *inv)
{
	size_t i;

	t->n = 0;
	add_text(t, RF_ORDER_REF, inv->order_ref.v, NULL);
	add_text(t, RF_BUYER_REF, inv->buyer_reference.v, NULL);
	add_text(t, RF_CONTRACT_REF, inv->contract_ref.v, NULL);
	add_text(t, RF_PROJECT_REF, inv->project_ref.v, NULL);
	add_text(t, RF_ACCOUNTING_REF, inv->buyer_accounting_ref.v, NULL);
	for (i = 0; i < inv->nnotes; i++)
		add_text(t, RF_NOTE, inv->notes[i].text.v, NULL);
	for (i = 0; i < inv->ndocs; i++) {
		add_text(t, RF_DOC_ID, inv->docs[i].id.v, NULL);
		add_text(t, RF_DOC_ID, inv->docs[i].description.v, NULL);
	}
	for (i = 0; i < inv->npayments; i++)
		add_text(t, RF_PAYMENT_REF, inv->payments[i].remittance.v, NULL);
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		add_text(t, RF_LINE_ORDER_REF, l->order_id.v, l->id.v);
		add_text(t, RF_LINE_NOTE, l->note.v, l->id.v);
		add_text(t, RF_ACCOUNTING_REF, l->accounting_ref.v, l->id.v);
	}
}

ref_order *mj_have_order(match_job *j, const char *no)
{
	size_t i;

	for (i = 0; i < j->norders; i++)
		if (!strcmp(j->orders[i]->order_no, no))
			return j->orders[i];
	return NULL;
}

/* Looks an order number up; keeps the order when found. */
static bool lookup_order(match_job *j, const char *no, const char *source, ujson *cands)
{
	ref_order *o = NULL;
	ujson *c;
	size_t i;
	int rc;

	for (i = 0; i < ujson_array_size(cands); i++)
		if (!strcmp(ujson_get_str(ujson_array_get(cands, i), "value"), no))
			return mj_have_order(j, no) != NULL;
	rc = refdata_order_get(&o, j->m->rd, no, j->err);
	if (rc && rc != ULF_ENOTFOUND) {
		j->rc = rc;
		return false;
	}
	c = ujson_object();
	mj_set_str(j, c, "value", no);
	mj_set_str(j, c, "source", source);
	mj_set_bool(j, c, "found", o != NULL);
	mj_set_str(j, c, "result", o ? "found" : "not in the order register");
	mj_append(j, cands, c);
	if (!o)
		return false;
	if (j->norders == MATCH_MAX_ORDERS) {
		refdata_order_free(o);
		return false;
	}
	j->taken[j->norders] = calloc(o->nlines ? o->nlines : 1, sizeof(dec));
	if (!j->taken[j->norders]) {
		refdata_order_free(o);
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return false;
	}
	for (i = 0; i < o->nlines; i++)
		j->taken[j->norders][i] = dec_make(0, 0);
	j->orders[j->norders++] = o;
	return true;
}

/* Order numbers from the proper fields first, then from the extract rules
 * over every field.  Returns how many candidates there were. */
size_t mj_find_orders(match_job *j, const texts *t)
{
	const invoice *inv = j->inv;
	ujson *cands = ujson_array(), *refs = ujson_array();
	rules_hit hits[MAX_HITS];
	size_t i, n = 0, ncand;
	char src[200];

	mj_set_new(j, j->xorder, "candidates", cands);
	mj_set_new(j, j->xorder, "references", refs);
	if (j->rc)
		return 0;   /* cands or refs may be gone with a failed setter */
	if (inv->order_ref.v)
		lookup_order(j, inv->order_ref.v, "OrderReference (BT-13)", cands);
	for (i = 0; i < inv->nlines && !j->rc; i++)
		if (inv->lines[i].order_id.v) {
			snprintf(src, sizeof(src), "the order number of line %s",
				 inv->lines[i].id.v ? inv->lines[i].id.v : "?");
			mtext_trim(src);
			lookup_order(j, inv->lines[i].order_id.v, src, cands);
		}
	if (j->rc)
		return 0;
	if (rules_extract(hits, &n, MAX_HITS, j->m->m, j->m->rules, &j->who, t->v, t->n)) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return 0;
	}
	for (i = 0; i < n && !j->rc; i++) {
		const rules_hit *h = &hits[i];
		char why[300];
		snprintf(why, sizeof(why), "found %s %s in %s%s%s", h->group, h->value,
			 rules_field_name(h->field), h->where ? " of " : "", h->where ? h->where : "");
		mtext_trim(why);
		if (strcmp(h->group, "order")) {
			ujson *o = ujson_object();
			mj_set_str(j, o, "kind", h->group);
			mj_set_str(j, o, "value", h->value);
			mj_set_str(j, o, "rule", h->rule);
			mj_set_str(j, o, "field", rules_field_name(h->field));
			mj_append(j, refs, o);
			mj_fired(j, "extract", h->rule, h->line, why);
			continue;
		}
		/* a reference the proper field already found needs no rule */
		if (mj_have_order(j, h->value))
			continue;
		if (j->norders && !h->supplier_rule)
			continue;   /* found in the proper fields: general rules add nothing */
		snprintf(src, sizeof(src), "rule %s (%s:%u) in %s%s%s", h->rule,
			 rules_name(j->m->rules), h->line, rules_field_name(h->field),
			 h->where ? " of " : "", h->where ? h->where : "");
		mtext_trim(src);
		if (lookup_order(j, h->value, src, cands))
			mj_fired(j, "extract", h->rule, h->line, why);
	}
	ncand = ujson_array_size(cands);
	if (j->norders)
		j->res->order_no = mj_str(j, j->orders[0]->order_no);
	return ncand;
}
