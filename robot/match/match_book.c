/*
 * match_book.c - the booking suggestion of a match job: code rules, VAT
 * codes and history fill what the matched document left empty, öre
 * rounding goes to the rounding account, and rows with a required field
 * empty or only weak history behind them become reasons.  Private to
 * robot/match (match_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"

void mj_fill_booking(match_job *j, booking *b)
{
	const invoice *inv = j->inv;
	const char *classes[MAX_CLASSES];
	size_t i, c;
	int f, rc;

	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const inv_line *l = r->kind == BK_LINE && i < inv->nlines ? &inv->lines[i] : NULL;
		rules_line rl;
		rules_coding cd;
		unsigned vline;
		const char *code;
		bool weak;
		memset(&rl, 0, sizeof(rl));
		rl.kind = r->kind == BK_LINE ? RL_LINE : r->kind == BK_CHARGE ? RL_CHARGE : RL_ALLOWANCE;
		rl.name = r->description;
		if (l) {
			rl.item_ids[0] = l->seller_item_id.v;
			rl.item_ids[1] = l->buyer_item_id.v;
			rl.item_ids[2] = l->standard_item_id.v;
			rl.name = l->item_name.v;
			rl.description = l->item_description.v;
			rl.note = l->note.v;
			for (c = 0; c < l->nclassifications && c < MAX_CLASSES; c++)
				classes[c] = l->classifications[c].v;
			rl.classes = classes;
			rl.nclasses = c;
		}
		rl.amount = r->net;
		rl.amount_set = true;
		rl.vat_category = r->vat_category[0] ? r->vat_category : NULL;
		rl.vat_rate = r->vat_rate;
		rl.vat_rate_set = r->vat_rate_set;
		rl.buyer_reference = inv->buyer_reference.v;
		rl.flow = match_flow_name(j->res->flow);
		if (rules_code(&cd, j->m->m, j->m->rules, &j->who, &rl)) {
			j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
			return;
		}
		for (f = 0; f < RB_COUNT; f++)
			if (cd.rule[f] && !r->f[f].value[0])
				mj_fired(j, "code", cd.rule[f], cd.line[f], cd.why[f]);
		booking_apply_rules(b, r, &cd, rules_name(j->m->rules));
		code = rules_vat_code(j->m->rules, rl.vat_category, r->vat_rate, r->vat_rate_set, &vline);
		if (code) {
			char rate[DEC_STR_MAX];
			dec_format(rate, sizeof(rate), r->vat_rate, 0);
			booking_set(b, &r->f[RB_VAT_CODE], code, BSRC_VATCODES, 100,
				    "vatcodes %s %s (%s:%u)", r->vat_category, rate,
				    rules_name(j->m->rules), vline);
		}
		rc = booking_apply_history(b, r, &weak, j->m->rd, j->res->supplier_key, j->settings, j->err);
		if (rc) {
			j->rc = rc;
			return;
		}
		r->weak = weak;
	}
	booking_apply_vat_group(b);
	if (b->has_rounding) {
		dec max = j->settings->rounding_max;
		char amt[DEC_STR_MAX], mx[DEC_STR_MAX];
		dec_format(amt, sizeof(amt), b->rounding.net, 2);
		dec_format(mx, sizeof(mx), max, 2);
		if (!j->settings->rounding_account[0]) {
			mj_note(j, j->header, "rounding", false, "rounding %s and no rounding_account", amt);
			mj_reason(j, MR_ROUNDING, NULL, "the invoice rounds by %s and the rules set no"
			          " rounding_account", amt);
		} else if (dec_cmp(dec_abs(b->rounding.net), max) > 0) {
			mj_note(j, j->header, "rounding", false, "rounding %s over %s", amt, mx);
			mj_reason(j, MR_ROUNDING, NULL, "the invoice rounds by %s, more than the %s booked"
			          " automatically (rounding_max)", amt, mx);
		} else {
			mj_note(j, j->header, "rounding", true, "rounding %s (up to %s) booked on %s", amt, mx,
			        j->settings->rounding_account);
		}
		booking_set(b, &b->rounding.f[RB_ACCOUNT], j->settings->rounding_account, BSRC_SETTINGS,
			    100, "rounding_account (%s:%u)", rules_name(j->m->rules),
			    j->settings->line[0]);
		b->rounding.confidence = 100;
	}
}

void mj_booking_checks(match_job *j, booking *b)
{
	size_t i;
	int f;

	booking_confidence(b);
	for (i = 0; i < b->n; i++) {
		const booking_row *r = &b->rows[i];
		char missing[120] = "";
		const char *what = r->line_id[0] ? r->line_id : r->description;
		for (f = 0; f < RB_COUNT; f++)
			if ((j->settings->required & (1u << f)) && !r->f[f].value[0])
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
					 "%s%s", missing[0] ? ", " : "", rules_field_label(f));
		if (missing[0])
			mj_reason(j, MR_NO_BOOKING, r->line_id[0] ? r->line_id : NULL,
			          "%s %s: no order, rule or history gives its %s", booking_kind_name(r->kind),
			          what, missing);
		if (!r->weak)
			continue;
		for (f = 0; f < RB_COUNT; f++)
			if (r->f[f].source == BSRC_HISTORY && r->f[f].value[0])
				break;
		mj_reason(j, MR_LOW_CONFIDENCE, r->line_id[0] ? r->line_id : NULL,
		          "%s %s: the booking comes from a weak history (%s; needs %d%% and %d times)",
		          booking_kind_name(r->kind), what, f < RB_COUNT ? r->f[f].detail : "?",
		          j->settings->history_min_confidence, j->settings->history_min_count);
	}
}
