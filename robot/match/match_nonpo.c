/*
 * match_nonpo.c - invoices without an order: a nonpo rule that lets the
 * invoice through, or a recurring series of earlier approved invoices
 * with the same lines.  Private to robot/match (match_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"

static void copy_from_record(booking *b, const ref_invoice *prev, booking_source src,
			     const char *what)
{
	size_t i, k;
	int f;

	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const ref_invoice_line *pl = NULL;
		for (k = 0; !pl && r->item_key[0] && k < prev->nlines; k++)
			if (prev->lines[k].item_key && !strcmp(prev->lines[k].item_key, r->item_key))
				pl = &prev->lines[k];
		for (k = 0; !pl && r->text_key[0] && k < prev->nlines; k++)
			if (prev->lines[k].text_key && !strcmp(prev->lines[k].text_key, r->text_key))
				pl = &prev->lines[k];
		if (!pl)
			continue;
		{
			const char *vals[RB_COUNT] = { pl->account, pl->cost_centre, pl->activity,
						       pl->project, pl->vat_code };
			for (f = 0; f < RB_COUNT; f++)
				booking_set(b, &r->f[f], vals[f], src, 100, "%s %s of %s", what,
					    prev->invoice_number, prev->issue_date ? prev->issue_date : "?");
		}
	}
}

bool mj_nonpo_match(match_job *j, booking *b, const texts *t)
{
	rules_nonpo_hit h;
	bool found;
	size_t i;
	int f;

	if (rules_nonpo(&h, &found, j->m->m, j->m->rules, &j->who, t->v, t->n, b->total_net)) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return false;
	}
	if (!found)
		return false;
	j->res->flow = MATCH_FLOW_NONPO;
	mj_fired(j, "nonpo", h.rule, h.line, h.why);
	mj_note(j, j->header, "non-PO rule", true, "nonpo %s (%s:%u): %s", h.rule,
	        rules_name(j->m->rules), h.line, h.why);
	for (i = 0; i < b->n; i++)
		for (f = 0; f < RB_COUNT; f++)
			if (h.coding.rule[f])
				booking_set(b, &b->rows[i].f[f], h.coding.value[f], BSRC_NONPO, 100,
					    "nonpo %s (%s:%u)", h.rule, rules_name(j->m->rules),
					    h.coding.line[f]);
	return true;
}

bool mj_recurring_match(match_job *j, booking *b)
{
	ref_invoice *prev[16];
	record_buf rb;
	char ck[65], text[400];
	size_t n = 0, i, want = (size_t)j->settings->recurring_min_count;
	int rc;

	if (want > 16)
		want = 16;
	if (mj_as_record(&rb, j, b)) {
		j->rc = ULF_ENOMEM;
		return false;
	}
	refdata_content_key(ck, &rb.rec);
	free(rb.lines);
	if (!ck[0])
		return false;
	rc = refdata_recurring(prev, &n, want, j->m->rd, j->res->supplier_key, ck,
			       j->inv->issue_date.v, j->err);
	if (rc) {
		j->rc = rc;
		return false;
	}
	if (n < want) {
		mj_info(j, j->header, "recurring", "%zu earlier invoice%s with the same lines, %zu"
		        " needed (recurring_min_count)", n, n == 1 ? "" : "s", want);
		for (i = 0; i < n; i++)
			refdata_invoice_free(prev[i]);
		return false;
	}
	j->res->flow = MATCH_FLOW_RECURRING;
	mj_note(j, j->header, "recurring", true, "%zu earlier invoices with the same lines, the last %s"
	        " of %s", n, prev[0]->invoice_number, prev[0]->issue_date ? prev[0]->issue_date : "?");
	if (!mj_tol_check(j, j->header, TOL_RECURRING, "net total", b->total_net, prev[0]->net_total,
		       prev[0]->net_total, NULL, NULL, text, sizeof(text)))
		mj_reason(j, MR_RECURRING_DEVIATION, NULL, "a recurring invoice, but %s (the last was"
		          " invoice %s)", text, prev[0]->invoice_number);
	copy_from_record(b, prev[0], BSRC_RECURRING, "as recurring invoice");
	for (i = 0; i < n; i++)
		refdata_invoice_free(prev[i]);
	return true;
}
