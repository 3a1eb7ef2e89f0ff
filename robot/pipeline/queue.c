/*
 * queue.c - the handler's actions on the exception queue, the check of a
 * handler's booking when it is saved, and the list.  See queue.h.  What
 * the invoice page shows is read in queue_doc.c.
 *
 * Every action is one queue_index_act: the version the handler saw is
 * checked, the change made and the audit row (before and after) written in
 * one transaction, so a second handler acting on the same invoice changes
 * nothing and learns who was first.  What an action needs to know first
 * (the booking checked, the Invoice Response made) is done before, outside
 * the transaction; the version check inside makes that safe.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors/invoice_response.h"
#include "robot/pipeline/pipeline_int.h"
#include "robot/pipeline/queue.h"

/* ---- the list ----------------------------------------------------------- */

/* Reason codes are A-Z, 0-9 and '_': anything else is no reason. */
static bool code_like(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

int queue_list(queue_page *out, store *s, const queue_filter *f, int64_t now, ulf_err *err)
{
	static const char *const flows[] = { "po", "non-po", "recurring", "care", "unknown" };
	size_t i;

	memset(out, 0, sizeof(*out));
	if (f && f->reason && *f->reason && !code_like(f->reason))
		return ulf_err_set(err, ULF_EINVAL, "'%.64s' is no reason code", f->reason);
	if (f && f->flow && *f->flow) {
		for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++)
			if (strcmp(f->flow, flows[i]) == 0)
				break;
		if (i == sizeof(flows) / sizeof(flows[0]))
			return ulf_err_set(err, ULF_EINVAL, "'%.64s' is no flow (po, non-po,"
					   " recurring, care)", f->flow);
	}
	if (f && (f->sort < QUEUE_SORT_DUE || f->sort > QUEUE_SORT_AMOUNT))
		return ulf_err_set(err, ULF_EINVAL, "no such sort");
	if (f && (f->who == QUEUE_MINE || f->who == QUEUE_USER) && (!f->user || !*f->user))
		return ulf_err_set(err, ULF_EINVAL, "whose documents? (no user given)");
	if (f && f->due_within_set && (f->due_within_days < 0 || f->due_within_days > 3660))
		return ulf_err_set(err, ULF_EINVAL, "due within %d days: 0 to 3660", f->due_within_days);
	return queue_index_list(out, s, f, now, err);
}

const char *queue_field_name(int field)
{
	return field >= 0 && field < QUEUE_NFIELDS ? rules_field_label(field) : "";
}

/* ---- a handler's booking, checked when saved ------------------------------ */

static void problem(queue_problems *out, int line, int field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(queue_problems *out, int line, int field, const char *fmt, ...)
{
	va_list ap;
	queue_problem *p;

	if (out->n == QUEUE_MAX_PROBLEMS) {
		out->more = true;
		return;
	}
	p = &out->items[out->n++];
	p->line = line;
	p->field = field;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

/* The words a dimension's problem is told in. */
static const char *const unknown_words[QUEUE_NFIELDS] = {
	[QUEUE_ACCOUNT] = "is not in the chart of accounts",
	[QUEUE_COST_CENTRE] = "is not a known cost centre",
	[QUEUE_ACTIVITY] = "is not a known activity",
	[QUEUE_PROJECT] = "is not a known project",
	[QUEUE_VAT_CODE] = "is not a known VAT code",
};

static const char *const field_words[QUEUE_NFIELDS] = {
	"account", "cost centre", "activity", "project", "VAT code",
};

/* The suggestion row of invoice line `lid` in the robot's result, for its
 * VAT category and rate; NULL when there is none. */
static const ujson *suggested_row(const ujson *result, const char *lid)
{
	const ujson *rows = ujson_get(ujson_get(ujson_get(result, "match"), "suggestion"), "lines");
	size_t i, n = ujson_array_size(rows);

	for (i = 0; lid && i < n; i++) {
		const ujson *r = ujson_array_get(rows, i);
		const char *id = ujson_get_str(r, "invoice_line_id");
		if (id && strcmp(id, lid) == 0)
			return r;
	}
	return NULL;
}

/* Whether the robot's own booking of the document (`robot`: an object with
 * "lines", the post stage's booking or the payload sent to the ERP; the
 * care booking's codes too) used VAT code v: a code the robot chose is one
 * a handler may keep. */
static bool robot_used_vat(const ujson *robot, const char *v)
{
	const ujson *rows = ujson_get(robot, "lines");
	size_t i, n = ujson_array_size(rows);

	for (i = 0; i < n; i++) {
		const char *c = ujson_get_str(ujson_array_get(rows, i), "vat_code");
		if (c && strcmp(c, v) == 0)
			return true;
	}
	return false;
}

/* An amount of a line: a decimal with at most two places. */
static bool line_amount(dec *out, const ujson *line, const char *key)
{
	const char *v = ujson_get_str(line, key);
	int64_t units;

	return v && *v && dec_parse(out, v, strlen(v)) == 0 && dec_to_units(&units, *out, 2) == 0;
}

/* The field values and dimensions of one line. */
static int check_fields(queue_problems *out, pipeline *p, const ujson *line, int i,
			const ujson *result, const ujson *robot, ulf_err *err)
{
	const rules_settings *set = rules_settings_of(p->rules);
	refdata *rd = matcher_refdata(p->m);
	const char *v;
	int f, rc;

	for (f = 0; f < QUEUE_NFIELDS; f++) {
		bool known = false, registered = false, required;
		v = ujson_get_str(line, rules_field_label(f));
		required = f == QUEUE_ACCOUNT || f == QUEUE_VAT_CODE || (set->required & (1u << f));
		if (!v || !*v) {
			if (required)
				problem(out, i, f, "line %d: the %s is missing", i + 1, field_words[f]);
			continue;
		}
		rc = refdata_dimension_known(&known, &registered, rd, rules_field_label(f), v, err);
		if (rc)
			return rc;
		if (f == QUEUE_VAT_CODE) {
			/* the rules' codes, "O" (outside the scope of VAT: öre
			 * rounding), a register's when one is loaded, and the
			 * codes the robot's own booking used (a care booking's) */
			if (!known && !rules_vat_code_known(p->rules, v) && strcmp(v, "O") != 0 &&
			    !robot_used_vat(robot, v))
				problem(out, i, f, "line %d: VAT code %s is not one the rules know"
					" (their vatcodes block)", i + 1, v);
			continue;
		}
		if (registered && !known)
			problem(out, i, f, "line %d: %s %s %s", i + 1, field_words[f], v,
				unknown_words[f]);
	}
	/* a line booked against an invoice line takes that line's VAT */
	v = ujson_get_str(line, "vat_code");
	{
		const ujson *row = suggested_row(result, ujson_get_str(line, "invoice_line_id"));
		const char *cat = ujson_get_str(row, "vat_category");
		const char *rate = ujson_get_str(row, "vat_rate");
		const char *want;
		dec r;
		bool rate_set = rate && dec_parse(&r, rate, strlen(rate)) == 0;

		if (row && v && *v && cat) {
			want = rules_vat_code(p->rules, cat, rate_set ? r : dec_make(0, 0), rate_set,
					      NULL);
			if (want && strcmp(want, v) != 0)
				problem(out, i, QUEUE_VAT_CODE, "line %d: VAT code %s does not fit invoice"
					" line %s (VAT %s %s%%): expected %s", i + 1, v,
					ujson_get_str(line, "invoice_line_id"), cat, rate ? rate : "?",
					want);
		}
	}
	return 0;
}

/* The lines against the totals, and what the ERP payload would refuse. */
static int check_totals(queue_problems *out, const ujson *bk, const char *facts,
			dec net, dec vat, bool amounts_ok, int64_t id, ulf_err *err)
{
	char a[DEC_STR_MAX], b[DEC_STR_MAX], d[DEC_STR_MAX], *payload = NULL;
	erp_posting ep;
	dec diff;
	ulf_err why;
	int rc = 0;

	if (!facts) {
		problem(out, -1, -1, "the invoice's totals are unknown (it was not read as an"
			" invoice): nothing can be booked against them");
		return 0;
	}
	erp_posting_init(&ep);
	ulf_err_clear(&why);
	rc = erp_posting_read_facts(&ep, facts, strlen(facts), &why);
	if (rc == ULF_ENOMEM)
		goto nomem;
	if (rc) {
		problem(out, -1, -1, "the invoice's totals cannot be read: %s", why.msg);
		rc = 0;
		goto out;
	}
	if (!amounts_ok)
		goto out;
	if (dec_cmp(net, ep.total_net) != 0) {
		if (dec_sub(&diff, ep.total_net, net))
			goto range;
		dec_format(a, sizeof(a), net, 2);
		dec_format(b, sizeof(b), ep.total_net, 2);
		dec_format(d, sizeof(d), diff, 2);
		problem(out, -1, -1, "the lines' net amounts add up to %s, the invoice's net"
			" (BT-109) is %s: %s %s", a, b, d, dec_sign(diff) > 0 ? "missing" : "too much");
	}
	if (dec_cmp(vat, ep.total_vat) != 0) {
		if (dec_sub(&diff, ep.total_vat, vat))
			goto range;
		dec_format(a, sizeof(a), vat, 2);
		dec_format(b, sizeof(b), ep.total_vat, 2);
		dec_format(d, sizeof(d), diff, 2);
		problem(out, -1, -1, "the lines' VAT amounts add up to %s, the invoice's VAT"
			" (BT-110) is %s: %s %s", a, b, d, dec_sign(diff) > 0 ? "missing" : "too much");
	}
	if (out->n)
		goto out;
	/* whatever else posting would refuse, refused now */
	ulf_err_clear(&why);
	rc = erp_posting_read_booking(&ep, bk, &why);
	if (rc == 0) {
		char url[64];
		snprintf(url, sizeof(url), "urn:ulf:document:%lld", (long long)id);
		ep.document_id = id;
		rc = erp_posting_set(&ep.invoice_url, url, &why);
	}
	if (rc == 0)
		rc = erp_payload_build(&payload, &ep, &why);
	free(payload);
	if (rc == ULF_ENOMEM)
		goto nomem;
	if (rc)
		problem(out, -1, -1, "%s", why.msg);
	rc = 0;
	goto out;
range:
	rc = ulf_err_set(err, ULF_ERANGE, "booking: amounts out of range");
	goto out;
nomem:
	rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
out:
	erp_posting_release(&ep);
	return rc;
}

/* Checks booking `bk` (parsed) for document `id`; problems into *out. */
static int check_booking(queue_problems *out, pipeline *p, int64_t id, const ujson *bk,
			 ulf_err *err)
{
	char *facts = NULL, *result_text = NULL, *sent = NULL;
	ujson *result = NULL, *payload = NULL;
	const ujson *robot, *lines = ujson_get(bk, "lines");
	dec net = dec_make(0, 2), vat = dec_make(0, 2), x;
	bool amounts_ok = true;
	size_t i, n = ujson_array_size(lines);
	int rc;

	if (!ujson_is_object(bk) || !ujson_is_array(lines)) {
		problem(out, -1, -1, "a booking is an object with a \"lines\" array");
		return 0;
	}
	if (n == 0) {
		problem(out, -1, -1, "the booking has no lines");
		return 0;
	}
	rc = store_get_text(&facts, p->s, id, "facts", err);
	if (rc == 0)
		rc = store_get_text(&result_text, p->s, id, "result", err);
	if (rc)
		goto out;
	if (result_text && ujson_parse(&result, result_text, strlen(result_text), NULL, NULL))
		result = NULL;
	/* the robot's own booking: the post stage's, else what went to the ERP */
	robot = ujson_get(result, "booking");
	if (!robot) {
		rc = store_posting_payload(&sent, p->s, id, err);
		if (rc == ULF_ENOTFOUND)
			rc = 0;
		if (rc)
			goto out;
		if (sent && ujson_parse(&payload, sent, strlen(sent), NULL, NULL))
			payload = NULL;
		robot = payload;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const ujson *line = ujson_array_get(lines, i);
		if (!ujson_is_object(line)) {
			problem(out, (int)i, -1, "line %zu: not an object", i + 1);
			amounts_ok = false;
			continue;
		}
		if (!line_amount(&x, line, "net_amount")) {
			problem(out, (int)i, -1, "line %zu: the net amount is missing or not an amount"
				" with at most two decimals", i + 1);
			amounts_ok = false;
		} else if (dec_add(&net, net, x)) {
			rc = ulf_err_set(err, ULF_ERANGE, "booking: amounts out of range");
			break;
		}
		if (!line_amount(&x, line, "vat_amount")) {
			problem(out, (int)i, -1, "line %zu: the VAT amount is missing or not an amount"
				" with at most two decimals", i + 1);
			amounts_ok = false;
		} else if (dec_add(&vat, vat, x)) {
			rc = ulf_err_set(err, ULF_ERANGE, "booking: amounts out of range");
			break;
		}
		rc = check_fields(out, p, line, (int)i, result, robot, err);
	}
	if (rc == 0)
		rc = check_totals(out, bk, facts, net, vat, amounts_ok, id, err);
out:
	ujson_free(result);
	ujson_free(payload);
	free(facts);
	free(result_text);
	free(sent);
	return rc;
}

/* ULF_EINVAL naming the first problem and how many there are. */
static int problems_error(const queue_problems *pr, int64_t id, ulf_err *err)
{
	if (pr->n == 1)
		return ulf_err_set(err, ULF_EINVAL, "document %lld: %s", (long long)id,
				   pr->items[0].message);
	return ulf_err_set(err, ULF_EINVAL, "document %lld: %s (and %zu%s more problem%s)",
			   (long long)id, pr->items[0].message, pr->n - 1, pr->more ? "+" : "",
			   pr->n == 2 ? "" : "s");
}

int queue_booking_check(queue_problems *out, pipeline *p, int64_t id,
			const char *booking_json, ulf_err *err)
{
	ujson *bk = NULL;
	ulf_err why;
	int rc;

	memset(out, 0, sizeof(*out));
	ulf_err_clear(&why);
	if (!booking_json || ujson_parse(&bk, booking_json, strlen(booking_json), "booking",
					 &why)) {
		problem(out, -1, -1, "%s", booking_json ? why.msg : "there is no booking");
		return problems_error(out, id, err);
	}
	rc = check_booking(out, p, id, bk, err);
	ujson_free(bk);
	if (rc == 0 && out->n)
		rc = problems_error(out, id, err);
	return rc;
}

/* ---- the actions ----------------------------------------------------------- */

/* The booking approving now would post: the handler's saved one, else the
 * robot's suggestion as the post stage reads it (*out malloc'd, NULL when
 * there is none). */
static int standing_booking(char **out, bool *handlers, store *s, int64_t id, ulf_err *err)
{
	char *text = NULL;
	ujson *tree = NULL;
	const ujson *b;
	int rc;

	*out = NULL;
	*handlers = false;
	rc = store_get_text(&text, s, id, "booking", err);
	if (rc || text) {
		*out = text;
		*handlers = text != NULL;
		return rc;
	}
	rc = store_get_text(&text, s, id, "result", err);
	if (rc || !text)
		return rc;
	if (ujson_parse(&tree, text, strlen(text), NULL, NULL) == 0 &&
	    ujson_is_object(b = ujson_get(tree, "booking")) &&
	    !(*out = ujson_dump(b, UJSON_COMPACT)))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	ujson_free(tree);
	free(text);
	return rc;
}

/* An action on document `id` by `who`, on the version they saw; the rest
 * of it zero, for the caller to fill. */
static void act_init(queue_act *a, int64_t id, int64_t version, const char *who,
		     const char *action, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->version = version;
	a->who = who;
	a->action = action;
	a->now = now;
}

int queue_approve(pipeline *p, int64_t id, const char *who, int64_t version,
		  const char *note, int64_t now, ulf_err *err)
{
	const char *extra[] = { "note", note, "booking", NULL, NULL };
	queue_problems *pr = NULL;
	char *bk = NULL;
	bool handlers = false;
	queue_act a;
	int rc;

	rc = standing_booking(&bk, &handlers, p->s, id, err);
	if (rc)
		goto out;
	if (!bk) {
		rc = ulf_err_set(err, ULF_EINVAL, "document %lld has no booking to approve: the"
				 " robot could not suggest one; correct the booking instead",
				 (long long)id);
		goto out;
	}
	/* the suggestion posts as it is only if posting would take it: checked
	 * now, not found out at posting (NO_BOOKING, BOOKING_INVALID) */
	if (!(pr = calloc(1, sizeof(*pr)))) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = queue_booking_check(pr, p, id, bk, err);
	if (rc)
		goto out;
	extra[3] = handlers ? "as saved by a handler" : "as suggested";
	act_init(&a, id, version, who, "approve", now);
	a.must_wait = true;
	a.to = ST_READY;
	a.extra = extra;
	rc = queue_index_act(p->s, &a, err);
out:
	free(pr);
	free(bk);
	return rc;
}

/* "YYYY-MM-DD" of now, UTC. */
static void today(char out[11], int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int queue_approve_booking(queue_problems *out_problems, pipeline *p, int64_t id,
			  const char *who, int64_t version, const char *booking_json,
			  const char *note, int64_t now, ulf_err *err)
{
	const char *extra[] = { "note", note, "booking", "corrected", NULL };
	queue_problems *pr = out_problems ? out_problems : calloc(1, sizeof(*pr));
	ujson *bk = NULL;
	char *text = NULL, day[11];
	queue_act a;
	int rc;

	if (!pr)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (!who || !*who) {
		rc = ulf_err_set(err, ULF_EINVAL, "an action needs the user who takes it");
		goto out;
	}
	rc = queue_booking_check(pr, p, id, booking_json, err);
	if (rc)
		goto out;
	/* who corrected it and when, for the booking history to remember */
	today(day, now);
	if (ujson_parse(&bk, booking_json, strlen(booking_json), "booking", err) ||
	    ujson_set_str(bk, "corrected_by", who) || ujson_set_str(bk, "corrected_on", day) ||
	    !(text = ujson_dump(bk, UJSON_COMPACT))) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	act_init(&a, id, version, who, "approve", now);
	a.must_wait = true;
	a.to = ST_READY;
	a.set_booking = true;
	a.booking = text;
	a.extra = extra;
	rc = queue_index_act(p->s, &a, err);
out:
	ujson_free(bk);
	free(text);
	if (pr != out_problems)
		free(pr);
	return rc;
}

const queue_reject_code *queue_reject_codes(size_t *out_n)
{
	/* OPStatusReason, as connectors/invoice_response.c accepts them; NON
	 * ("no issue") is no reason to reject */
	static const queue_reject_code codes[] = {
		{ "REF", "References incorrect" },
		{ "LEG", "Legal information incorrect" },
		{ "REC", "Receiver unknown" },
		{ "QUA", "Item quality insufficient" },
		{ "DEL", "Delivery issues" },
		{ "PRI", "Prices incorrect" },
		{ "QTY", "Quantity incorrect" },
		{ "ITM", "Items incorrect" },
		{ "PAY", "Payment terms incorrect" },
		{ "UNR", "Not recognized" },
		{ "FIN", "Finance terms incorrect" },
		{ "PPD", "Partially paid" },
		{ "OTH", "Other" },
	};
	*out_n = sizeof(codes) / sizeof(codes[0]);
	return codes;
}

/* The Invoice Response rejecting document `id` (*out malloc'd), or NULL
 * with *why saying why none can be made (not an invoice, no addresses). */
static int make_response(char **out, size_t *out_len, char *why, size_t whyn, pipeline *p,
			 int64_t id, const char *code, const char *reason, int64_t now,
			 ulf_err *err)
{
	invoice_response r;
	const invoice *inv;
	char rid[64], day[11];
	ulf_err e;
	job j;
	int rc;

	*out = NULL;
	*out_len = 0;
	why[0] = '\0';
	job_init(&j, p, id, now);
	ulf_err_clear(&e);
	rc = job_read(&j, &e);
	if (rc == ULF_ENOMEM || rc == ULF_ESTORE || rc == ULF_ENOTFOUND) {
		rc = ulf_err_set(err, rc, "%s", e.msg);
		goto out;
	}
	inv = rc == 0 ? j.doc.inv : NULL;
	rc = 0;
	if (!inv) {
		snprintf(why, whyn, "not an invoice: no Invoice Response");
		goto out;
	}
	today(day, now);
	snprintf(rid, sizeof(rid), "ulf-%lld-rejected-%lld", (long long)id, (long long)now);
	memset(&r, 0, sizeof(r));
	r.id = rid;
	r.issue_date = day;
	r.sender.endpoint_scheme = inv->buyer.endpoint.scheme;
	r.sender.endpoint_id = inv->buyer.endpoint.v;
	r.sender.name = inv->buyer.name.v;
	r.receiver.endpoint_scheme = inv->seller.endpoint.scheme;
	r.receiver.endpoint_id = inv->seller.endpoint.v;
	r.receiver.name = inv->seller.name.v ? inv->seller.name.v : inv->seller.trading_name.v;
	r.invoice_number = inv->id.v;
	r.invoice_issue_date = inv->issue_date.v;
	r.type_code = inv->type_code.v ? inv->type_code.v
		    : inv->kind == INV_KIND_CREDIT_NOTE ? "381" : "380";
	r.reason_code = code;
	r.reason = reason;
	ulf_err_clear(&e);
	rc = invoice_response_rejection(out, out_len, &r, &e);
	if (rc == ULF_ENOMEM) {
		rc = ulf_err_set(err, rc, "%s", e.msg);
	} else if (rc) {
		/* a Svefaktura without electronic addresses: rejected all the
		 * same, and the record says why no response went */
		snprintf(why, whyn, "no Invoice Response: %.400s", e.msg);
		rc = 0;
	}
out:
	job_release(&j);
	return rc;
}

int queue_reject(pipeline *p, int64_t id, const char *who, int64_t version,
		 const char *code, const char *reason, int64_t now, ulf_err *err)
{
	const char *extra[] = { "reason_code", code, "reason", reason, "response", NULL, NULL };
	const queue_reject_code *codes;
	char *xml = NULL, why[ULF_ERR_MSG_MAX];
	size_t n, i, len = 0;
	doc_state st;
	queue_act a;
	int rc;

	if (!reason || !*reason)
		return ulf_err_set(err, ULF_EINVAL, "a rejection needs a reason");
	codes = queue_reject_codes(&n);
	for (i = 0; code && i < n; i++)
		if (strcmp(codes[i].code, code) == 0)
			break;
	if (!code || i == n)
		return ulf_err_set(err, ULF_EINVAL, "'%.16s' is no reason code of the Invoice"
				   " Response (REF, LEG, REC, QUA, DEL, PRI, QTY, ITM, PAY, UNR, FIN,"
				   " PPD, OTH)", code ? code : "");
	/* no response is made for a document that is not waiting: the action
	 * below refuses it, and says why */
	rc = store_state(&st, p->s, id, err);
	if (rc)
		return rc;
	if (st == ST_EXCEPTION) {
		rc = make_response(&xml, &len, why, sizeof(why), p, id, code, reason, now, err);
		if (rc)
			return rc;
	}
	extra[5] = xml ? "made" : why[0] ? why : NULL;
	act_init(&a, id, version, who, "reject", now);
	a.must_wait = true;
	a.to = ST_REJECTED;
	a.response_code = code;
	a.response = xml;
	a.response_len = len;
	a.extra = extra;
	rc = queue_index_act(p->s, &a, err);
	free(xml);
	return rc;
}

/* Whether s is a real date YYYY-MM-DD. */
static bool is_date(const char *s)
{
	struct tm tm;
	char back[11];
	time_t t;
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(back, sizeof(back), "%Y-%m-%d", &tm);
	return strcmp(back, s) == 0;
}

int queue_hold(pipeline *p, int64_t id, const char *who, int64_t version,
	       const char *until, const char *note, int64_t now, ulf_err *err)
{
	const char *extra[] = { "note", note, "until", until, NULL };
	char day[11];
	queue_act a;

	if (until && *until) {
		today(day, now);
		if (!is_date(until))
			return ulf_err_set(err, ULF_EINVAL, "hold until '%.32s': expected a date,"
					   " YYYY-MM-DD", until);
		if (strcmp(until, day) <= 0)
			return ulf_err_set(err, ULF_EINVAL, "hold until %s: that is not after today"
					   " (%s)", until, day);
	}
	act_init(&a, id, version, who, until && *until ? "hold" : "release", now);
	a.must_wait = true;
	a.set_hold = true;
	a.hold_until = until && *until ? until : NULL;
	a.extra = extra;
	return queue_index_act(p->s, &a, err);
}

int queue_assign(pipeline *p, int64_t id, const char *who, int64_t version,
		 const char *assignee, int64_t now, ulf_err *err)
{
	const char *extra[] = { "assignee", assignee && *assignee ? assignee : NULL, NULL };
	queue_act a;

	if (assignee && strlen(assignee) > 128)
		return ulf_err_set(err, ULF_EINVAL, "a user name has at most 128 characters");
	act_init(&a, id, version, who, "assign", now);
	a.must_wait = true;
	a.set_assignee = true;
	a.assignee = assignee;
	a.extra = extra;
	return queue_index_act(p->s, &a, err);
}

int queue_comment(pipeline *p, int64_t id, const char *who, int64_t version,
		  const char *text, int64_t now, ulf_err *err)
{
	const char *extra[] = { "comment", text, NULL };
	queue_act a;

	if (!text || !*text)
		return ulf_err_set(err, ULF_EINVAL, "a comment needs some text");
	if (strlen(text) > 4000)
		return ulf_err_set(err, ULF_EINVAL, "a comment has at most 4000 characters");
	act_init(&a, id, version, who, "comment", now);
	a.extra = extra;
	return queue_index_act(p->s, &a, err);
}

int queue_retry(doc_state *out_state, pipeline *p, int64_t id, const char *who,
		int64_t version, int64_t now, ulf_err *err)
{
	queue_act a;
	int rc;

	*out_state = 0;
	act_init(&a, id, version, who, "retry", now);
	a.must_wait = true;
	a.to = ST_RECEIVED;
	rc = queue_index_act(p->s, &a, err);
	if (rc)
		return rc;
	return pipeline_process(out_state, p, id, now, err);
}
