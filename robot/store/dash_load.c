/*
 * dash_load.c - documents' lives through the store's own calls.  See
 * dash_load.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/erp_payload.h"
#include "core/calendar.h"
#include "core/csv.h"
#include "core/digest.h"
#include "core/json.h"
#include "robot/store/dash_load.h"
#include "robot/store/rollup.h"

#define MAX_LINES 1000

/* Whether these bytes are stored already. */
static int stored(bool *out, store *s, const char *bytes, ulf_err *err)
{
	char sha[DIGEST_HEX_LEN + 1];
	db_stmt *st = NULL;
	int rc;

	*out = false;
	if (digest_sha256_hex(sha, bytes, strlen(bytes)))
		return ulf_err_set(err, ULF_ERROR, "cannot fingerprint");
	rc = db_prepare(&st, store_db(s), "SELECT id FROM documents WHERE sha256 = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(sha));
	if (rc == 0)
		rc = db_step(st, err);
	db_finalize(st);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

/* The robot's booking of the life: `lines` lines on its cost centre;
 * with `changed`, the first of them recoded (another account). */
static int booking(erp_posting *p, const dash_life *l, int changed, ulf_err *err)
{
	erp_booking_line *ln;
	char id[16];
	int i, n = l->lines > 0 ? l->lines : 1, rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(id, sizeof(id), "%d", i + 1);
		rc = erp_posting_add_line(&ln, p, err);
		if (rc == 0)
			rc = erp_posting_set(&ln->invoice_line_id, id, err);
		if (rc == 0)
			rc = erp_posting_set(&ln->account, i < changed ? "4090" : "4010", err);
		if (rc == 0)
			rc = erp_posting_set(&ln->cost_centre, l->cost_centre && *l->cost_centre
					     ? l->cost_centre : NULL, err);
		if (rc == 0)
			rc = erp_posting_set(&ln->vat_code, "25", err);
		if (rc == 0) {
			ln->net_amount = dec_make((int64_t)(i + 1) * 10000, 2);
			ln->vat_amount = dec_make((int64_t)(i + 1) * 2500, 2);
		}
	}
	return rc;
}

/* The reason codes as the summary keeps them: a JSON array. */
static int reasons_json(char **out, const char *list, const char *dflt, ulf_err *err)
{
	ujson *arr = ujson_array();
	char copy[512], *tok, *save = NULL;
	int rc = 0;

	*out = NULL;
	if (!arr)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	snprintf(copy, sizeof(copy), "%s", list && *list ? list : dflt);
	for (tok = strtok_r(copy, ",; ", &save); rc == 0 && tok; tok = strtok_r(NULL, ",; ", &save))
		rc = ujson_append_str(arr, tok);
	if (rc == 0 && !(*out = ujson_dump(arr, UJSON_COMPACT)))
		rc = ULF_ENOMEM;
	ujson_free(arr);
	return rc ? ujson_error(err, rc, "reasons") : 0;
}

static int step(store *s, int64_t id, const doc_state *path, size_t n, int64_t at,
		ulf_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i + 1 < n; i++)
		rc = store_transition(s, id, path[i], path[i + 1], "load", 0, NULL, at, err);
	return rc;
}

static const doc_state to_validated[] = { ST_RECEIVED, ST_READ, ST_VALIDATED };
static const doc_state to_posted[] = { ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED,
				       ST_READY, ST_POSTING, ST_POSTED };

/* Into the queue from `from` with these reasons, at `at`. */
static int to_queue(store *s, int64_t id, doc_state from, const char *list, const char *dflt,
		    int64_t at, ulf_err *err)
{
	store_summary sum;
	char *json = NULL;
	int rc;

	rc = reasons_json(&json, list, dflt, err);
	if (rc)
		return rc;
	memset(&sum, 0, sizeof(sum));
	sum.decision = "exception";
	sum.reasons = json;
	rc = store_set_summary(s, id, &sum, at, err);
	if (rc == 0)
		rc = store_transition(s, id, from, ST_EXCEPTION, "load", 0, NULL, at, err);
	free(json);
	return rc;
}

static int person(store *s, int64_t id, doc_state to, const dash_life *l, const char *action,
		  ulf_err *err)
{
	return store_transition_audited(s, id, ST_EXCEPTION, to, l->handler ? l->handler : "handler",
					action, NULL, l->acted, err);
}

/* The summary of an invoice or credit note, with the robot's booking. */
static int summarise(store *s, int64_t id, const dash_life *l, const erp_posting *robot,
		     ulf_err *err)
{
	char cc[ROLLUP_CC_MAX], sig[ROLLUP_SIG_MAX], issue[CAL_DATE_MAX], facts[64];
	store_summary sum;
	int32_t day;

	rollup_booking_keys(cc, sig, robot);
	if (l->issue_date && cal_parse(&day, l->issue_date))
		cal_format(issue, day);
	else
		cal_format(issue, cal_day_of(l->received));
	if (l->due_date && cal_parse(&day, l->due_date)) {
		char due[CAL_DATE_MAX];
		cal_format(due, day);
		snprintf(facts, sizeof(facts), "{\"due_date\":\"%s\"}", due);
	} else {
		snprintf(facts, sizeof(facts), "{}");
	}
	memset(&sum, 0, sizeof(sum));
	sum.kind = l->kind;
	sum.buyer_org = l->region;
	sum.seller_org = l->supplier;
	sum.seller_name = l->supplier_name;
	sum.flow = l->flow;
	sum.payable = l->amount;
	sum.currency = l->currency ? l->currency : "SEK";
	sum.issue_date = issue;
	sum.facts = facts;
	sum.cost_centre = cc;
	sum.lines_sig = sig;
	return store_set_summary(s, id, &sum, l->received, err);
}

/* The person's booking, with the lines recoded. */
static int set_person_booking(store *s, int64_t id, const dash_life *l, ulf_err *err)
{
	erp_posting p;
	ujson *o = NULL;
	char *text = NULL;
	int rc;

	erp_posting_init(&p);
	rc = booking(&p, l, l->lines_changed, err);
	if (rc == 0)
		rc = erp_posting_booking_json(&o, &p, err);
	if (rc == 0 && !(text = ujson_dump(o, UJSON_COMPACT)))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (rc == 0)
		rc = store_set_booking(s, id, text, l->acted, err);
	free(text);
	ujson_free(o);
	erp_posting_release(&p);
	return rc;
}

static int life(store *s, const dash_life *l, const char *bytes, ulf_err *err)
{
	bool invoice = !strcmp(l->kind, "invoice") || !strcmp(l->kind, "credit-note");
	const char *o = l->outcome ? l->outcome : "";
	erp_posting robot;
	int64_t id, again;
	bool dup;
	int rc;

	erp_posting_init(&robot);
	rc = store_receive(&id, &dup, s, l->source, l->id, bytes, strlen(bytes), l->received, err);
	if (rc == 0 && invoice)
		rc = booking(&robot, l, 0, err);
	if (rc == 0 && invoice)
		rc = summarise(s, id, l, &robot, err);
	erp_posting_release(&robot);
	if (rc)
		return rc;
	if (!invoice) {
		/* a PDF or a scan, or no invoice at all: to the queue at once */
		rc = to_queue(s, id, ST_RECEIVED, l->reasons,
			      !strcmp(l->kind, "paper") ? "NOT_EINVOICE" : "NOT_AN_INVOICE",
			      l->decided ? l->decided : l->received, err);
		if (rc == 0 && l->acted)
			rc = person(s, id, ST_REJECTED, l, "reject", err);
	} else if (!strcmp(o, "auto")) {
		rc = step(s, id, to_posted, 7, l->posted, err);
	} else if (!strcmp(o, "erp-hold")) {
		rc = step(s, id, to_posted, 6, l->decided, err);
		if (rc == 0)
			rc = to_queue(s, id, ST_POSTING, l->reasons, "ERP_UNREACHABLE", l->decided, err);
		if (rc == 0)
			rc = person(s, id, ST_RECEIVED, l, "retry", err);
		if (rc == 0)
			rc = step(s, id, to_posted, 7, l->posted, err);
	} else if (!strcmp(o, "resolve") || !strcmp(o, "reject") || !strcmp(o, "retry") ||
		   !strcmp(o, "resend") || !strcmp(o, "open")) {
		rc = step(s, id, to_validated, 3, l->received, err);
		if (rc == 0)
			rc = to_queue(s, id, ST_VALIDATED, l->reasons,
				      !strcmp(o, "resend") ? "DUPLICATE" : "NO_ORDER", l->decided, err);
		if (rc == 0 && (!strcmp(o, "reject") || !strcmp(o, "resend"))) {
			rc = person(s, id, ST_REJECTED, l, "reject", err);
		} else if (rc == 0 && !strcmp(o, "retry")) {
			rc = person(s, id, ST_RECEIVED, l, "retry", err);
			if (rc == 0)
				rc = step(s, id, to_posted, 7, l->posted, err);
		} else if (rc == 0 && !strcmp(o, "resolve")) {
			if (l->lines_changed > 0)
				rc = set_person_booking(s, id, l, err);
			if (rc == 0)
				rc = person(s, id, ST_READY, l, "resolve", err);
			if (rc == 0)
				rc = step(s, id, to_posted + 4, 3, l->posted, err);
		}
	} else {
		return ulf_err_set(err, ULF_EINVAL, "%s: unknown outcome '%s'", l->id, o);
	}
	if (rc)
		return rc;
	if (l->again)
		rc = store_receive(&again, &dup, s, l->source, l->id, bytes, strlen(bytes), l->again,
				   err);
	return rc;
}

/* The times an outcome needs, in their order. */
static int times_ok(const dash_life *l, ulf_err *err)
{
	const char *o = l->outcome ? l->outcome : "";
	bool queue = strcmp(o, "auto") != 0;
	bool acts = !strcmp(o, "resolve") || !strcmp(o, "reject") || !strcmp(o, "retry") ||
		    !strcmp(o, "resend") || !strcmp(o, "erp-hold");
	bool posts = !strcmp(o, "auto") || !strcmp(o, "resolve") || !strcmp(o, "retry") ||
		     !strcmp(o, "erp-hold");
	bool invoice = !strcmp(l->kind, "invoice") || !strcmp(l->kind, "credit-note");

	if (!invoice)
		queue = true, acts = l->acted != 0, posts = false;
	if (l->received <= 0 || (queue && l->decided < l->received && (invoice || l->decided)) ||
	    (acts && l->acted < (queue ? l->decided : l->received)) ||
	    (posts && l->posted < (acts ? l->acted : l->received)))
		return ulf_err_set(err, ULF_EINVAL, "%s: outcome %s needs the times in order:"
				   " received, decided, acted, posted", l->id, o);
	return 0;
}

int dash_life_load(bool *out_new, store *s, const dash_life *l, ulf_err *err)
{
	char bytes[512];
	bool seen;
	int rc;

	*out_new = false;
	if (!l->id || !*l->id || !l->kind ||
	    (strcmp(l->kind, "invoice") && strcmp(l->kind, "credit-note") &&
	     strcmp(l->kind, "paper") && strcmp(l->kind, "other")))
		return ulf_err_set(err, ULF_EINVAL, "%s: kind must be invoice, credit-note, paper"
				   " or other", l->id ? l->id : "?");
	if (l->lines > MAX_LINES || l->lines_changed > l->lines)
		return ulf_err_set(err, ULF_EINVAL, "%s: lines out of range", l->id);
	rc = times_ok(l, err);
	if (rc)
		return rc;
	/* what it is, not an invoice: the id finds it again */
	if (snprintf(bytes, sizeof(bytes), "ulf-life/1 %s %s\n", l->source ? l->source : "",
		     l->id) >= (int)sizeof(bytes))
		return ulf_err_set(err, ULF_EINVAL, "%s: id too long", l->id);
	rc = stored(&seen, s, bytes, err);
	if (rc || seen)
		return rc;
	rc = store_begin(s, err);
	if (rc)
		return rc;
	rc = life(s, l, bytes, err);
	if (rc) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s, err);
	*out_new = rc == 0;
	return rc;
}

/* A Swedish wall-clock time "YYYY-MM-DD HH:MM" (or with a T); "" is 0. */
static bool parse_time(int64_t *out, const char *s)
{
	int32_t day;
	int h, m;

	*out = 0;
	if (!s || !*s)
		return true;
	if (!cal_parse(&day, s) || strlen(s) != 16 || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':' || s[11] < '0' || s[11] > '2' || s[12] < '0' || s[12] > '9' ||
	    s[14] < '0' || s[14] > '5' || s[15] < '0' || s[15] > '9')
		return false;
	h = (s[11] - '0') * 10 + (s[12] - '0');
	m = (s[14] - '0') * 10 + (s[15] - '0');
	if (h > 23)
		return false;
	*out = cal_local(day, h * 3600 + m * 60);
	return true;
}

static bool parse_int(int *out, const char *s)
{
	char *end;
	long v;

	*out = 0;
	if (!s || !*s)
		return true;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > MAX_LINES)
		return false;
	*out = (int)v;
	return true;
}

static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

int dash_import_lives(int64_t *out_loaded, int64_t *out_skipped, store *s, const char *csv,
		      size_t len, const char *name, ulf_err *err)
{
	static const char *const times[] = { "received", "decided", "acted", "posted", "again" };
	csv_reader *r = NULL;
	dash_life l;
	int64_t *t[5];
	bool fresh;
	size_t i;
	int rc;

	*out_loaded = *out_skipped = 0;
	rc = csv_open(&r, csv, len, name, err);
	if (rc == 0)
		rc = csv_read_header(r, err);
	if (rc == 0 && (csv_column(r, "id") < 0 || csv_column(r, "received") < 0 ||
			csv_column(r, "kind") < 0 || csv_column(r, "outcome") < 0))
		rc = ulf_err_set(err, ULF_EPARSE, "%s: the columns id, received, kind and outcome"
				 " are needed", name);
	/* one transaction: the file loads whole or not at all, with one wait
	 * for the disk */
	if (rc == 0)
		rc = store_begin(s, err);
	if (rc) {
		csv_free(r);
		return rc;
	}
	while (rc == 0 && (rc = csv_next(r, err)) == 1) {
		memset(&l, 0, sizeof(l));
		t[0] = &l.received;
		t[1] = &l.decided;
		t[2] = &l.acted;
		t[3] = &l.posted;
		t[4] = &l.again;
		rc = 0;
		for (i = 0; rc == 0 && i < 5; i++)
			if (!parse_time(t[i], csv_get(r, times[i])))
				rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: %s '%s' is not"
						 " YYYY-MM-DD HH:MM", name, csv_line(r), times[i],
						 csv_get(r, times[i]));
		if (rc == 0 && (!parse_int(&l.lines, csv_get(r, "lines")) ||
				!parse_int(&l.lines_changed, csv_get(r, "lines_changed"))))
			rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: lines are whole numbers up to %d",
					 name, csv_line(r), MAX_LINES);
		if (rc)
			break;
		l.source = opt(csv_get(r, "source")) ? csv_get(r, "source") : "import";
		l.id = csv_get(r, "id");
		l.kind = csv_get(r, "kind");
		l.region = csv_get(r, "region") ? csv_get(r, "region") : "";
		l.supplier = csv_get(r, "supplier") ? csv_get(r, "supplier") : "";
		l.supplier_name = opt(csv_get(r, "supplier_name"));
		l.flow = opt(csv_get(r, "flow"));
		l.cost_centre = opt(csv_get(r, "cost_centre"));
		l.amount = opt(csv_get(r, "amount"));
		l.currency = opt(csv_get(r, "currency"));
		l.issue_date = opt(csv_get(r, "issue_date"));
		l.due_date = opt(csv_get(r, "due_date"));
		l.outcome = csv_get(r, "outcome");
		l.reasons = opt(csv_get(r, "reasons"));
		l.handler = opt(csv_get(r, "handler"));
		if (!l.received) {
			rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: received is needed", name,
					 csv_line(r));
			break;
		}
		rc = dash_life_load(&fresh, s, &l, err);
		if (rc && err) {
			/* the row it was, before what went wrong with it */
			char why[ULF_ERR_MSG_MAX];
			snprintf(why, sizeof(why), "%s", err->msg);
			ulf_err_clear(err);
			rc = ulf_err_set(err, rc, "%s:%u: %s", name, csv_line(r), why);
		}
		if (rc)
			break;
		if (fresh)
			(*out_loaded)++;
		else
			(*out_skipped)++;
	}
	csv_free(r);
	if (rc < 0) {
		store_rollback(s);
		*out_loaded = *out_skipped = 0;
		return rc;
	}
	rc = db_set_durable(store_db(s), true, err);
	if (rc == 0)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	if (rc)
		*out_loaded = *out_skipped = 0;
	return rc;
}
