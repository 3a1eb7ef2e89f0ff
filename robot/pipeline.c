/*
 * pipeline.c - the stages and the loop that runs them.  See pipeline.h.
 *
 * A job holds what one pass over a document has learnt (the parsed model,
 * the findings); stages fill it lazily, so a document resumed at a later
 * state is read again from its stored bytes, which is cheap and keeps the
 * store the only truth.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "parsers/validate.h"
#include "robot/pipeline.h"

struct pipeline {
	store *s;
	pipeline_opts opts;
};

typedef struct job {
	pipeline *p;
	int64_t id;
	int64_t now;
	ulf_document doc;
	bool read;
	findings f;
	bool validated;
	ujson *detail;        /* what the stage tells the event log */
	ujson *reasons;       /* reason codes when it goes to the queue */
} job;

typedef int (*stage_fn)(doc_state *to, job *j, ulf_err *err);

static int64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sends the job to the exception queue with one reason and a message. */
static void to_queue(job *j, doc_state *to, const char *reason, const char *message)
{
	if (!j->reasons)
		j->reasons = ujson_array();
	ujson_append_new(j->reasons, ujson_string(reason));
	if (!j->detail)
		j->detail = ujson_object();
	if (message)
		ujson_set_str(j->detail, "message", message);
	*to = ST_EXCEPTION;
}

static int ensure_read(job *j, ulf_err *err)
{
	void *data = NULL;
	char *name = NULL;
	size_t len;
	int rc;

	if (j->read)
		return 0;
	rc = store_load(&data, &len, &name, j->p->s, j->id, err);
	if (rc)
		return rc;
	/* the stage decides what an unreadable document means */
	rc = reader_read(&j->doc, data, len, name, &j->p->opts.reader, true, err);
	free(data);
	free(name);
	j->read = rc == 0;
	return rc;
}

static int summarise(job *j, ulf_err *err)
{
	const invoice *inv = j->doc.inv;
	store_summary sum;
	char payable[DEC_STR_MAX];

	memset(&sum, 0, sizeof(sum));
	if (!inv)
		return 0;
	sum.syntax = invoice_syntax_name(inv->syntax);
	sum.kind = invoice_kind_name(inv->kind);
	sum.invoice_number = inv->id.v;
	sum.seller_org = inv->seller.legal_id.v ? inv->seller.legal_id.v : inv->seller.vat_id.v;
	sum.seller_name = inv->seller.name.v ? inv->seller.name.v : inv->seller.trading_name.v;
	sum.buyer_org = inv->buyer.legal_id.v ? inv->buyer.legal_id.v : inv->buyer.endpoint.v;
	sum.issue_date = inv->issue_date.v;
	sum.currency = inv->currency.v;
	if (inv->totals.payable.set) {
		dec_format(payable, sizeof(payable), inv->totals.payable.v, 2);
		sum.payable = payable;
	}
	return store_set_summary(j->p->s, j->id, &sum, j->now, err);
}

static int stage_read(doc_state *to, job *j, ulf_err *err)
{
	ulf_err why;
	int rc;

	ulf_err_clear(&why);
	rc = ensure_read(j, &why);
	if (rc == ULF_ESTORE || rc == ULF_ENOMEM || rc == ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", why.msg);
	if (rc) {
		to_queue(j, to, rc == ULF_ESYNTAX ? "NOT_AN_INVOICE" : "UNREADABLE", why.msg);
		return 0;
	}
	if (j->doc.kind != DOC_INVOICE) {
		/* envelopes and care attachments wait for their invoice */
		j->detail = ujson_object();
		ujson_set_str(j->detail, "kind", "attachment");
		*to = ST_WAITING;
		return 0;
	}
	*to = ST_READ;
	return summarise(j, err);
}

static ujson *findings_json(const findings *f)
{
	ujson *arr = ujson_array();
	size_t i;

	for (i = 0; arr && i < f->n; i++) {
		const finding *x = &f->items[i];
		ujson *o = ujson_object();
		if (!o)
			break;
		ujson_set_str(o, "rule", x->rule);
		ujson_set_str(o, "flag", x->flag == VFLAG_FATAL ? "fatal" : "warning");
		ujson_set_str(o, "message", x->message);
		ujson_set_int(o, "line", x->line);
		ujson_append_new(arr, o);
	}
	return arr;
}

static int stage_validate(doc_state *to, job *j, ulf_err *err)
{
	ulf_err why;
	int rc;

	ulf_err_clear(&why);
	if (ensure_read(j, &why)) {
		to_queue(j, to, "UNREADABLE", why.msg);
		return 0;
	}
	findings_init(&j->f);
	rc = validate_invoice(&j->f, j->doc.inv, j->doc.xml, NULL, err);
	if (rc)
		return rc;
	j->validated = true;
	j->detail = ujson_object();
	ujson_set_new(j->detail, "findings", findings_json(&j->f));
	if (findings_fatal(&j->f)) {
		to_queue(j, to, "INVALID", "the invoice breaks fatal business rules");
		return 0;
	}
	*to = ST_VALIDATED;
	return 0;
}

static const struct stage {
	doc_state from;
	const char *name;
	stage_fn run;
} stages[] = {
	{ ST_RECEIVED, "read", stage_read },
	{ ST_READ, "validate", stage_validate },
};

static const struct stage *stage_for(doc_state s)
{
	size_t i;

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (stages[i].from == s)
			return &stages[i];
	return NULL;
}

int pipeline_new(pipeline **out, store *s, const pipeline_opts *opts, ulf_err *err)
{
	pipeline *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	p->s = s;
	if (opts)
		p->opts = *opts;
	else
		reader_opts_init(&p->opts.reader);
	*out = p;
	return 0;
}

void pipeline_free(pipeline *p)
{
	free(p);
}

static void job_release(job *j)
{
	reader_document_release(&j->doc);
	if (j->validated)
		findings_release(&j->f);
	ujson_free(j->detail);
	ujson_free(j->reasons);
}

int pipeline_process(doc_state *out_state, pipeline *p, int64_t id, int64_t now,
		     ulf_err *err)
{
	const struct stage *st;
	doc_state state, to;
	job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.p = p;
	j.id = id;
	j.now = now;
	rc = store_state(&state, p->s, id, err);
	while (rc == 0 && (st = stage_for(state)) != NULL) {
		int64_t t0 = monotonic_us();
		char *detail = NULL;

		to = state;
		rc = st->run(&to, &j, err);
		if (rc || to == state)
			break;
		if (to == ST_EXCEPTION && j.reasons) {
			ujson_set_new(j.detail, "reasons", j.reasons);
			j.reasons = NULL;
		}
		detail = j.detail ? ujson_dump(j.detail, UJSON_COMPACT) : NULL;
		if (to == ST_EXCEPTION) {
			ujson *r = ujson_get(j.detail, "reasons");
			char *codes = r ? ujson_dump(r, UJSON_COMPACT) : NULL;
			store_summary sum;
			memset(&sum, 0, sizeof(sum));
			sum.decision = "exception";
			sum.reasons = codes;
			sum.result = detail;
			rc = store_set_summary(p->s, id, &sum, now, err);
			free(codes);
		}
		if (rc == 0)
			rc = store_transition(p->s, id, state, to, st->name,
					      monotonic_us() - t0, detail, now, err);
		free(detail);
		ujson_free(j.detail);
		j.detail = NULL;
		if (rc)
			break;
		state = to;
	}
	job_release(&j);
	*out_state = state;
	return rc;
}

int pipeline_receive(int64_t *out_id, bool *out_dup, doc_state *out_state, pipeline *p,
		     const char *source, const char *name, const void *data, size_t len,
		     int64_t now, ulf_err *err)
{
	int rc = store_receive(out_id, out_dup, p->s, source, name, data, len, now, err);

	*out_state = 0;
	if (rc)
		return rc;
	if (*out_dup)
		return store_state(out_state, p->s, *out_id, err);
	return pipeline_process(out_state, p, *out_id, now, err);
}

int pipeline_resume(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
{
	static const doc_state unfinished[] = {
		ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED, ST_READY, ST_POSTING
	};
	int64_t *ids = NULL;
	size_t n = 0, i, advanced = 0;
	doc_state before, after;
	int rc;

	*out_n = 0;
	rc = store_list(&ids, &n, p->s, unfinished, sizeof(unfinished) / sizeof(unfinished[0]),
			1000000, now, err);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = store_state(&before, p->s, ids[i], err);
		if (rc == 0)
			rc = pipeline_process(&after, p, ids[i], now, err);
		if (rc == 0 && after != before)
			advanced++;
	}
	free(ids);
	*out_n = advanced;
	return rc;
}
