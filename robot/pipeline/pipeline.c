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
#include <unistd.h>

#include "connectors/erp.h"
#include "connectors/erp_payload.h"
#include "core/json.h"
#include "parsers/claim.h"
#include "parsers/validate.h"
#include "robot/care/care.h"
#include "robot/care/care_booking.h"
#include "robot/store/db.h"
#include "robot/match/match.h"
#include "robot/pipeline/pipeline.h"

struct pipeline {
	store *s;
	ulf_config cfg;
	reader_opts reader;
	erp_client *erp;          /* NULL: posting is off, documents wait in ready */
	care_rules *care;         /* how care lines are booked */
	ruleset *rules;           /* the procurement team's matching rules */
	matcher *m;
	uint64_t jitter;          /* state of the backoff's random numbers */
	bool not_posting;         /* posting threads of the service post instead */
	pipeline_ready_fn on_ready;
	void *on_ready_ctx;
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
	bool recorded;        /* the stage wrote its own transition */
	int64_t wake;         /* another document this one moved: process it next */
	claim *env_claim;     /* a claim carried by an envelope document */
	bool env_claim_tried;
	claim *inv_claim;     /* a claim embedded in an invoice document */
	bool inv_claim_tried;
	bool stop;            /* nothing more to do for now (a retry is scheduled) */
	/* posting: the record (its header built when this job read the
	 * document, or from the facts kept then), what post_begin prepared,
	 * and the ERP's answer */
	erp_posting post;
	bool post_head;       /* post's header is filled */
	char key[ERP_IDEM_KEY_MAX];
	char *payload;
	bool send;
	erp_result res;
} job;

/* Documents whose stages before posting share one transaction. */
#define PIPELINE_BATCH 16

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
	if (len == 0) {
		/* a care claim: its bytes live in the care table */
		free(data);
		data = NULL;
		rc = store_care_bytes(&data, &len, j->p->s, j->id, err);
		if (rc) {
			free(name);
			return rc;
		}
	}
	/* the stage decides what an unreadable document means */
	rc = reader_read(&j->doc, data, len, name, &j->p->reader, true, err);
	free(data);
	free(name);
	j->read = rc == 0;
	return rc;
}

/* A text of the invoice as a posting keeps it: "" is absent, as the facts
 * read it back, so a posting is the same whichever way it was built. */
static const char *text_or_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* The invoice's part of a posting (its header), from the document read in
 * this job. */
static int posting_from_invoice(erp_posting *p, const invoice *inv, ulf_err *err)
{
	const inv_payment *pay = invoice_payment(inv);
	const struct { char **dst; const char *v; } texts[] = {
		{ &p->supplier_name, inv->seller.name.v ? inv->seller.name.v
							: inv->seller.trading_name.v },
		{ &p->supplier_org_number, inv->seller.legal_id.v },
		{ &p->supplier_vat_number, inv->seller.vat_id.v },
		{ &p->invoice_number, inv->id.v },
		{ &p->type_code, inv->type_code.v },
		{ &p->issue_date, inv->issue_date.v },
		{ &p->due_date, inv->due_date.v },
		{ &p->currency, inv->currency.v },
		{ &p->buyer_reference, inv->buyer_reference.v },
		{ &p->order_reference, inv->order_ref.v },
		{ &p->payment_reference, pay ? pay->remittance.v : NULL },
	};
	size_t i;
	dec net;
	int rc;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		rc = erp_posting_set(texts[i].dst, text_or_null(texts[i].v), err);
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
static int posting_from_match(erp_posting *p, const match_result *r, ulf_err *err)
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
static int posting_from_care(erp_posting *p, const care_booking *b, const invoice *inv,
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

/* result["booking"] = the booking of p, as the post stage reads it. */
static int set_booking(ujson *result, const erp_posting *p, ulf_err *err)
{
	ujson *bk;
	int rc = erp_posting_booking_json(&bk, p, err);

	if (rc == 0 && ujson_set_new(result, "booking", bk))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return rc;
}

static int summarise(job *j, ulf_err *err)
{
	const invoice *inv = j->doc.inv;
	store_summary sum;
	care_keys keys;
	char payable[DEC_STR_MAX], *facts = NULL;
	int rc;

	memset(&sum, 0, sizeof(sum));
	if (!inv)
		return 0;
	sum.syntax = invoice_syntax_name(inv->syntax);
	sum.kind = invoice_kind_name(inv->kind);
	sum.invoice_number = inv->id.v;
	/* ten digits whatever the syntax: envelopes and claims join on it */
	care_invoice_keys(&keys, inv);
	sum.seller_org = keys.seller_org[0] ? keys.seller_org
		       : inv->seller.legal_id.v ? inv->seller.legal_id.v : inv->seller.vat_id.v;
	sum.seller_name = inv->seller.name.v ? inv->seller.name.v : inv->seller.trading_name.v;
	sum.buyer_org = inv->buyer.legal_id.v ? inv->buyer.legal_id.v : inv->buyer.endpoint.v;
	sum.issue_date = inv->issue_date.v;
	sum.currency = inv->currency.v;
	if (inv->totals.payable.set) {
		dec_format(payable, sizeof(payable), inv->totals.payable.v, 2);
		sum.payable = payable;
	}
	/* what posting needs of the invoice, kept with it: a posting thread
	 * builds the payload from these and the booking, without reading the
	 * document again */
	rc = posting_from_invoice(&j->post, inv, err);
	j->post_head = rc == 0;
	if (rc == 0)
		rc = erp_posting_facts_json(&facts, &j->post, err);
	if (rc)
		return rc;
	sum.facts = facts;
	rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
	free(facts);
	return rc;
}

static bool carries_claim(job *j);
static int take_claim(doc_state *to, job *j, ulf_err *err);
static int take_envelope(doc_state *to, job *j, ulf_err *err);
static int adopt_envelopes(job *j, ulf_err *err);

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
	if (j->doc.kind == DOC_CLAIM || carries_claim(j))
		return take_claim(to, j, err);
	if (j->doc.kind == DOC_SVE_ENVELOPE)
		return take_envelope(to, j, err);
	*to = ST_READ;
	rc = summarise(j, err);
	if (rc == 0)
		rc = adopt_envelopes(j, err);
	return rc;
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

/* The claim embedded in the job's invoice, read once; NULL when there is
 * none.  Owned by the job. */
static claim *invoice_claim(job *j)
{
	ulf_err none;

	if (!j->inv_claim_tried && j->doc.inv) {
		j->inv_claim_tried = true;
		ulf_err_clear(&none);
		if (claim_from_invoice(&j->inv_claim, j->doc.inv, "invoice", &j->p->reader.xml,
				       &j->p->reader.inv, &none))
			j->inv_claim = NULL;
	}
	return j->inv_claim;
}

/*
 * PEPPOL-EN16931-CL001 allows no XML attachments, yet an embedded care
 * claim (application/xml) is one of the three ways regions send the care
 * attachment.  When that is the only fatal finding and the attachment
 * really is a claim, the invoice goes on; the finding stays on record.
 */
static bool only_claim_carrier_finding(job *j)
{
	size_t i;

	/* both the CEN and the PEPPOL MIME code list refuse XML */
	for (i = 0; i < j->f.n; i++)
		if (j->f.items[i].flag == VFLAG_FATAL &&
		    strcmp(j->f.items[i].rule, "PEPPOL-EN16931-CL001") != 0 &&
		    strcmp(j->f.items[i].rule, "BR-CL-24") != 0)
			return false;
	if (!invoice_claim(j))
		return false;
	ujson_set_str(j->detail, "note", "BR-CL-24 and PEPPOL-EN16931-CL001 accepted: the XML "
		      "attachment is a care claim (vardbilaga), an agreed carrier");
	return true;
}

/* The job's invoice checked against the rules, once per job (prepare may
 * have done it before the stages' transaction). */
static int validate_once(job *j, ulf_err *err)
{
	int rc;

	if (j->validated)
		return 0;
	findings_init(&j->f);
	rc = validate_invoice(&j->f, j->doc.inv, j->doc.xml, NULL, err);
	if (rc) {
		findings_release(&j->f);
		return rc;
	}
	j->validated = true;
	return 0;
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
	rc = validate_once(j, err);
	if (rc)
		return rc;
	j->detail = ujson_object();
	ujson_set_new(j->detail, "findings", findings_json(&j->f));
	if (findings_fatal(&j->f) && !only_claim_carrier_finding(j)) {
		to_queue(j, to, "INVALID", "the invoice breaks fatal business rules");
		return 0;
	}
	*to = ST_VALIDATED;
	return 0;
}

/* The exception's reasons and detail on the document, for the queue. */
static int record_exception(job *j, const char *detail, ulf_err *err)
{
	ujson *r = ujson_get(j->detail, "reasons");
	char *codes = r ? ujson_dump(r, UJSON_COMPACT) : NULL;
	store_summary sum;
	int rc;

	memset(&sum, 0, sizeof(sum));
	sum.decision = "exception";
	sum.reasons = codes;
	sum.result = detail;
	rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
	free(codes);
	return rc;
}

/*
 * The booking to send, parsed in *tree (the caller frees it): a person's
 * (documents.booking), else the robot's suggestion (member "booking" of
 * documents.result).  *out points into *tree; NULL when there is none.
 */
static int load_booking(const ujson **out, ujson **tree, job *j, ulf_err *err)
{
	const char *member = NULL;
	const ujson *b;
	char *text = NULL;
	int rc;

	*out = NULL;
	*tree = NULL;
	rc = store_get_text(&text, j->p->s, j->id, "booking", err);
	if (rc == 0 && !text) {
		member = "booking";
		rc = store_get_text(&text, j->p->s, j->id, "result", err);
	}
	if (rc == 0 && text && ujson_parse(tree, text, strlen(text), "booking", NULL) == 0) {
		b = member ? ujson_get(*tree, member) : *tree;
		/* a booking is an object (or, wrongly, an array: refused later) */
		if (ujson_is_object(b) || ujson_is_array(b))
			*out = b;
	}
	free(text);
	return rc;
}

/*
 * The invoice's part of the posting in j->post: built when this job read
 * the document, else taken from the facts kept at reading (a posting
 * thread has not read the document); the document is read again only when
 * they are missing (stored by an older ulf).
 */
static int posting_head(job *j, ulf_err *err)
{
	char *text = NULL;
	ulf_err none;
	int rc;

	if (j->post_head)
		return 0;
	if (!j->read) {
		rc = store_get_text(&text, j->p->s, j->id, "facts", err);
		if (rc)
			return rc;
		ulf_err_clear(&none);
		rc = text ? erp_posting_read_facts(&j->post, text, strlen(text), &none)
			  : ULF_ENOTFOUND;
		free(text);
		if (rc == ULF_ENOMEM)
			return ulf_err_set(err, rc, "%s", none.msg);
		j->post_head = rc == 0;
		if (j->post_head)
			return 0;
	}
	rc = ensure_read(j, err);
	if (rc == 0 && !j->doc.inv)
		rc = ulf_err_set(err, ULF_ESYNTAX, "document %lld is not an invoice",
				 (long long)j->id);
	if (rc == 0)
		rc = posting_from_invoice(&j->post, j->doc.inv, err);
	j->post_head = rc == 0;
	return rc;
}

/* The payload of j->post with the booking `bk`, or ULF_EINVAL (`why` says
 * why) when this booking cannot be sent. */
static int build_payload(char **out, job *j, const ujson *bk, ulf_err *why)
{
	erp_posting *p = &j->post;
	char url[CONFIG_STR_MAX + 48];
	int rc;

	*out = NULL;
	rc = erp_posting_read_booking(p, bk, why);
	if (rc)
		return rc;
	p->document_id = j->id;
	if (j->p->cfg.erp_link_base[0])
		snprintf(url, sizeof(url), "%s/documents/%lld", j->p->cfg.erp_link_base,
			 (long long)j->id);
	else
		snprintf(url, sizeof(url), "urn:ulf:document:%lld", (long long)j->id);
	rc = erp_posting_set(&p->invoice_url, url, why);
	if (rc == 0)
		rc = erp_payload_build(out, p, why);
	return rc;
}

/* The key of this document's posting and its revision. */
static int posting_key(char key[ERP_IDEM_KEY_MAX], int64_t *revision, job *j,
		       doc_state state, ulf_err *err)
{
	const erp_posting *head = &j->post;
	store_posting sp;
	ulf_err none;
	int rc;

	*revision = 0;
	ulf_err_clear(&none);
	rc = store_posting_get(&sp, j->p->s, j->id, &none);
	if (rc && rc != ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", none.msg);
	if (rc == 0 && state == ST_POSTING) {
		/* in flight when we stopped: the same request again */
		size_t kl = strlen(sp.idem_key);
		if (kl >= ERP_IDEM_KEY_MAX)
			return ulf_err_set(err, ULF_ESTORE, "document %lld: recorded key too long",
					   (long long)j->id);
		memcpy(key, sp.idem_key, kl + 1);
		*revision = sp.revision;
		return 0;
	}
	if (rc == 0)
		*revision = sp.revision + (strcmp(sp.state, "rejected") == 0);
	return erp_idempotency_key(key, head->supplier_org_number ? head->supplier_org_number
								  : head->supplier_vat_number,
				   head->type_code, head->invoice_number, head->issue_date,
				   (unsigned)*revision, err);
}

/* Sends the document to the queue from the post stage, which records its
 * own transitions. */
static int post_exception(job *j, const char *reason, const erp_result *res, ulf_err *err)
{
	char *detail;
	int rc;

	j->reasons = ujson_array();
	ujson_append_new(j->reasons, ujson_string(reason));
	j->detail = ujson_object();
	ujson_set_str(j->detail, "message", res->message);
	ujson_set_int(j->detail, "http_status", res->http_status);
	ujson_set_new(j->detail, "reasons", j->reasons);
	j->reasons = NULL;
	detail = ujson_dump(j->detail, UJSON_COMPACT);
	rc = record_exception(j, detail, err);
	if (rc == 0)
		rc = res->outcome == ERP_REJECTED
		     ? store_posting_rejected(j->p->s, j->id, res->http_status, res->message, j->now, err)
		     : store_posting_failed(j->p->s, j->id, res->http_status, res->message, j->now, err);
	free(detail);
	return rc;
}

/*
 * ready -> posting -> posted, exactly once: the key is recorded as sent
 * before the request leaves; a document found in `posting` (we stopped
 * mid-request) sends the recorded key again, and the ERP answers a known
 * key with its first answer.
 */
static int remember_posted(job *j, ulf_err *err);

/*
 * Posting, first part, inside a transaction: the payload and the key, and
 * for a document in `ready` the key recorded as sent (ready -> posting)
 * before the request leaves.  j->send says whether there is a request to
 * send; when there is none the document went to the queue.
 */
static int stage_post_begin(doc_state *to, job *j, ulf_err *err)
{
	const ujson *bk;
	ujson *tree = NULL;
	doc_state state = *to;
	int64_t revision;
	ulf_err why;
	int rc;

	j->send = false;
	free(j->payload);
	j->payload = NULL;
	ulf_err_clear(&why);
	rc = posting_head(j, &why);
	if (rc == ULF_ESTORE || rc == ULF_ENOMEM)
		return ulf_err_set(err, rc, "%s", why.msg);
	if (rc) {
		to_queue(j, to, "UNREADABLE", why.msg);
		return 0;
	}
	rc = load_booking(&bk, &tree, j, err);
	if (rc)
		goto out;
	if (!bk) {
		to_queue(j, to, "NO_BOOKING", "there is no booking to post");
		goto out;
	}
	ulf_err_clear(&why);
	rc = build_payload(&j->payload, j, bk, &why);
	if (rc == ULF_ENOMEM) {
		rc = ulf_err_set(err, rc, "out of memory");
		goto out;
	}
	if (rc) {
		to_queue(j, to, "BOOKING_INVALID", why.msg);
		rc = 0;
		goto out;
	}
	rc = posting_key(j->key, &revision, j, state, err);
	if (rc == 0 && state == ST_READY)
		rc = store_posting_begin(j->p->s, j->id, j->key, revision, j->now, err);
	if (rc == 0) {
		j->recorded = true;
		j->send = true;
		*to = ST_POSTING;
	}
out:
	ujson_free(tree);
	return rc;
}

/* Posting, last part, inside a transaction: the ERP's answer (j->res)
 * recorded, and the document on to posted, the queue or a retry. */
static int stage_post_finish(doc_state *to, job *j, ulf_err *err)
{
	erp_result *res = &j->res;
	store_posting sp;
	int rc;

	j->recorded = true;
	switch (res->outcome) {
	case ERP_ACCEPTED:
		rc = store_posting_accepted(j->p->s, j->id, res->http_status,
					    res->voucher_id[0] ? res->voucher_id : res->response,
					    j->now, err);
		if (rc == 0)
			rc = remember_posted(j, err);
		*to = ST_POSTED;
		return rc;
	case ERP_REJECTED:
		*to = ST_EXCEPTION;
		return post_exception(j, "ERP_REJECTED", res, err);
	case ERP_FAILED:
		*to = ST_EXCEPTION;
		return post_exception(j, "ERP_SETUP", res, err);
	case ERP_RETRY:
	default:
		rc = store_posting_get(&sp, j->p->s, j->id, err);
		if (rc)
			return rc;
		if (sp.attempts >= j->p->cfg.erp_max_attempts) {
			snprintf(res->message + strlen(res->message),
				 sizeof(res->message) - strlen(res->message),
				 " (after %lld attempts)", (long long)sp.attempts);
			res->outcome = ERP_FAILED;
			*to = ST_EXCEPTION;
			return post_exception(j, "ERP_UNREACHABLE", res, err);
		}
		j->p->jitter = j->p->jitter * 6364136223846793005ULL + 1442695040888963407ULL;
		{
			long ms = erp_retry_delay_ms(res, (unsigned)sp.attempts,
						     j->p->cfg.erp_backoff_ms,
						     j->p->cfg.erp_backoff_max_ms, j->p->jitter >> 11);
			rc = store_posting_retry(j->p->s, j->id, res->http_status, res->message,
						 j->now + (ms + 999) / 1000, j->now, err);
		}
		*to = ST_READY;
		j->stop = true;
		return rc;
	}
}

/* The request itself, outside any transaction.  False when nothing is
 * known of it (the document stays in `posting` and is sent again later,
 * with the same key). */
static bool post_send(job *j)
{
	ulf_err none;

	ulf_err_clear(&none);
	return erp_post(&j->res, j->p->erp, j->key, j->payload, &none) == 0;
}

/*
 * ready -> posting -> posted, exactly once: the key is recorded as sent
 * before the request leaves; a document found in `posting` (we stopped
 * mid-request) sends the recorded key again, and the ERP answers a known
 * key with its first answer.  The two records are two transactions here;
 * pipeline_post_due puts several documents' in one.
 */
static int stage_post(doc_state *to, job *j, ulf_err *err)
{
	int rc;

	if (!j->p->erp || j->p->not_posting)
		return 0;               /* posting is off or elsewhere: stay ready */
	rc = stage_post_begin(to, j, err);
	if (rc || !j->send)
		return rc;
	if (!post_send(j)) {
		j->stop = true;
		*to = ST_POSTING;
		return 0;
	}
	return stage_post_finish(to, j, err);
}


/* ---- care claims and envelopes: partners that wait for each other ---- */

/* A claim of the job's document (a claim, or an envelope carrying one),
 * or NULL.  Owned by the job. */
static claim *job_claim(job *j)
{
	ulf_err none;

	if (j->doc.kind == DOC_CLAIM)
		return j->doc.claim;
	if (!j->env_claim && !j->env_claim_tried && j->doc.kind == DOC_SVE_ENVELOPE) {
		j->env_claim_tried = true;
		ulf_err_clear(&none);
		if (claim_from_envelope(&j->env_claim, j->doc.env, "envelope", &j->p->reader.xml,
					&j->p->reader.inv, &none))
			j->env_claim = NULL;
	}
	return j->env_claim;
}

static bool carries_claim(job *j)
{
	return j->doc.kind == DOC_SVE_ENVELOPE && job_claim(j) != NULL;
}

static void keys_of(store_care_keys *out, const care_keys *k)
{
	out->claim_id = k->claim_id;
	out->invoice_number = k->invoice_number;
	out->seller_org = k->seller_org;
}

/* Records a queue decision for another document than the job's own. */
static int queue_other(store *s, int64_t id, doc_state from, const char *reason,
		       ujson *found, const char *step, int64_t now, ulf_err *err)
{
	ujson *d = ujson_object(), *r = ujson_array();
	char *detail, *codes;
	store_summary sum;
	int rc;

	ujson_append_new(r, ujson_string(reason));
	codes = ujson_dump(r, UJSON_COMPACT);
	ujson_set_new(d, "reasons", r);
	if (found)
		ujson_set_new(d, "findings", found);
	detail = ujson_dump(d, UJSON_COMPACT);
	ujson_free(d);
	memset(&sum, 0, sizeof(sum));
	sum.decision = "exception";
	sum.reasons = codes;
	sum.result = detail;
	rc = store_set_summary(s, id, &sum, now, err);
	if (rc == 0)
		rc = store_transition(s, id, from, ST_EXCEPTION, step, 0, detail, now, err);
	free(detail);
	free(codes);
	return rc;
}

/*
 * A claim meets its invoice: the reconciliation rules, then, if nothing is
 * fatal, the booking per care line.  The invoice (document invoice_id, in state
 * `from`) moves to matched or to the queue.
 */
static int reconcile(job *j, const claim *c, const invoice *inv, int64_t invoice_id,
		     doc_state from, ulf_err *err)
{
	findings f;
	care_booking b;
	erp_posting bp;
	ujson *result = NULL;
	char *text = NULL;
	store_summary sum;
	int rc;

	findings_init(&f);
	memset(&b, 0, sizeof(b));
	erp_posting_init(&bp);
	rc = care_check_claim(&f, c, err);
	if (rc == 0)
		rc = care_check_pair(&f, c, inv, err);
	if (rc == 0 && c->type == CLAIM_TYPE_CREDIT)
		rc = care_report_original_missing(&f, c, err);
	if (rc)
		goto out;
	if (findings_fatal(&f)) {
		rc = queue_other(j->p->s, invoice_id, from, "CARE_MISMATCH", care_findings_json(&f),
				 "care", j->now, err);
		goto out;
	}
	rc = care_book(&b, j->p->care, c, err);
	if (rc == 0)
		rc = posting_from_care(&bp, &b, inv, c->type == CLAIM_TYPE_CREDIT,
				       j->p->cfg.rounding_account, err);
	if (rc)
		goto out;
	result = ujson_object();
	ujson_set_str(result, "flow", "care");
	ujson_set_new(result, "findings", care_findings_json(&f));
	rc = set_booking(result, &bp, err);
	if (rc)
		goto out;
	text = ujson_dump(result, UJSON_COMPACT);
	memset(&sum, 0, sizeof(sum));
	sum.flow = "care";
	sum.decision = "auto";
	sum.result = text;
	rc = store_set_summary(j->p->s, invoice_id, &sum, j->now, err);
	if (rc == 0)
		rc = store_transition(j->p->s, invoice_id, from, ST_MATCHED, "care", 0,
				      "{\"matched\":\"care claim\"}", j->now, err);
out:
	erp_posting_release(&bp);
	care_booking_release(&b);
	findings_release(&f);
	ujson_free(result);
	free(text);
	return rc;
}

/*
 * The claim document `claim_id` meets its invoice: the invoice is
 * reconciled and the claim attached in one transaction, so no kill between
 * them leaves a booked invoice with its claim still waiting.
 */
static int join(job *j, const claim *c, const invoice *inv, int64_t invoice_id,
		doc_state from, int64_t claim_id, ulf_err *err)
{
	int rc = store_begin(j->p->s, err);

	if (rc)
		return rc;
	rc = reconcile(j, c, inv, invoice_id, from, err);
	if (rc == 0)
		rc = store_attach(j->p->s, claim_id, invoice_id, j->now, err);
	if (rc == 0)
		rc = store_commit(j->p->s, err);
	if (rc)
		store_rollback(j->p->s);
	return rc;
}

/* Reads a stored document (invoice or claim carrier) on its own. */
static int load_document(ulf_document *out, job *j, int64_t id, ulf_err *err)
{
	void *data = NULL;
	char *name = NULL;
	size_t len;
	int rc = store_load(&data, &len, &name, j->p->s, id, err);

	if (rc == 0 && len == 0) {
		free(data);
		data = NULL;
		rc = store_care_bytes(&data, &len, j->p->s, id, err);
	}
	if (rc == 0)
		rc = reader_read(out, data, len, name ? name : "document", &j->p->reader, false, err);
	free(data);
	free(name);
	return rc;
}

static claim *document_claim(ulf_document *d, job *j)
{
	ulf_err none;
	claim *c = NULL;

	if (d->kind == DOC_CLAIM) {
		c = d->claim;
		d->claim = NULL;
		return c;
	}
	ulf_err_clear(&none);
	if (d->kind == DOC_SVE_ENVELOPE &&
	    claim_from_envelope(&c, d->env, "envelope", &j->p->reader.xml, &j->p->reader.inv,
				&none) == 0)
		return c;
	return NULL;
}

/* The claim side: a waiting invoice that this claim belongs to. */
static int claim_meets_invoice(bool *joined, job *j, const claim *c, const care_keys *ck,
			       ulf_err *err)
{
	store_care_keys sk;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	*joined = false;
	keys_of(&sk, ck);
	rc = store_find_waiting(&ids, &n, j->p->s, PARTNER_CARE_INVOICE, &sk, err);
	for (i = 0; rc == 0 && i < n && !*joined; i++) {
		ulf_document d;
		care_keys ik;
		ulf_err none;

		ulf_err_clear(&none);
		if (load_document(&d, j, ids[i], &none))
			continue;
		if (d.kind == DOC_INVOICE) {
			care_invoice_keys(&ik, d.inv);
			if (care_keys_match(ck, &ik) != CARE_NO_MATCH) {
				rc = join(j, c, d.inv, ids[i], ST_WAITING, j->id, err);
				*joined = rc == 0;
				j->wake = ids[i];
			}
		}
		reader_document_release(&d);
	}
	free(ids);
	return rc;
}

/* received -> waiting for a claim (or an envelope carrying one): its bytes
 * go to the care table; then it looks for its invoice. */
static int take_claim(doc_state *to, job *j, ulf_err *err)
{
	const claim *c = job_claim(j);
	store_care_keys sk;
	care_keys ck;
	int64_t first;
	bool joined;
	int rc;

	care_claim_keys(&ck, c);
	keys_of(&sk, &ck);
	rc = store_care_take(j->p->s, j->id, &sk, j->now, err);
	if (rc)
		return rc;
	j->recorded = true;
	*to = ST_WAITING;
	rc = store_care_duplicate(&first, j->p->s, j->id, ck.claim_id, err);
	if (rc == 0 && first) {
		findings f;
		char where[32];
		findings_init(&f);
		snprintf(where, sizeof(where), "document %lld", (long long)first);
		rc = care_report_duplicate(&f, true, &ck, where, err);
		if (rc == 0)
			rc = queue_other(j->p->s, j->id, ST_WAITING, "DUPLICATE",
					 care_findings_json(&f), "care", j->now, err);
		findings_release(&f);
		*to = ST_EXCEPTION;
		return rc;
	}
	if (rc == 0)
		rc = claim_meets_invoice(&joined, j, c, &ck, err);
	if (rc == 0 && joined)
		*to = ST_ATTACHED;
	j->stop = true;
	return rc;
}

/* received -> waiting for an envelope without a claim, attached at once
 * when its invoice is already here. */
static int take_envelope(doc_state *to, job *j, ulf_err *err)
{
	const sve_envelope *env = j->doc.env;
	store_summary sum;
	int64_t invoice_id;
	char org[11];
	size_t k = 0;
	const char *p;
	int rc;

	/* the issuer as ten digits, as invoices are summarised */
	for (p = env->issuer_id ? env->issuer_id : ""; *p && k < 10; p++)
		if (*p >= '0' && *p <= '9')
			org[k++] = *p;
	org[k] = '\0';
	memset(&sum, 0, sizeof(sum));
	sum.syntax = "svefaktura-1.0";
	sum.kind = "object-envelope";
	sum.invoice_number = env->document_id;
	sum.seller_org = org;
	rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
	if (rc)
		return rc;
	rc = store_transition(j->p->s, j->id, ST_RECEIVED, ST_WAITING, "read", 0,
			      "{\"kind\":\"object-envelope\"}", j->now, err);
	if (rc)
		return rc;
	j->recorded = true;
	j->stop = true;
	*to = ST_WAITING;
	rc = store_find_invoice(&invoice_id, j->p->s, env->document_id, org, err);
	if (rc == 0 && invoice_id) {
		rc = store_attach(j->p->s, j->id, invoice_id, j->now, err);
		*to = ST_ATTACHED;
	}
	return rc;
}

/* An arriving invoice takes the envelopes that waited for it. */
static int adopt_envelopes(job *j, ulf_err *err)
{
	store_care_keys sk;
	care_keys ik;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	care_invoice_keys(&ik, j->doc.inv);
	keys_of(&sk, &ik);
	rc = store_find_waiting(&ids, &n, j->p->s, PARTNER_ENVELOPE, &sk, err);
	for (i = 0; rc == 0 && i < n; i++)
		rc = store_attach(j->p->s, ids[i], j->id, j->now, err);
	free(ids);
	return rc;
}

/* Whether an invoice is out-of-county care: it carries or names a care
 * claim, or it goes from one region to another (org numbers 232100-...). */
static bool is_care_invoice(const invoice *inv, const care_keys *k)
{
	const char *buyer = inv->buyer.legal_id.v ? inv->buyer.legal_id.v : inv->buyer.endpoint.v;

	if (k->claim_id[0])
		return true;
	return strncmp(k->seller_org, "232100", 6) == 0 && buyer &&
	       strncmp(buyer, "232100", 6) == 0;
}

/*
 * validated -> matched for a care invoice: reconciled against its claim,
 * embedded or found waiting; without one it waits (validated -> waiting).
 * Returns with *handled false for an invoice that is not about care.
 */
static int match_care(bool *handled, doc_state *to, job *j, ulf_err *err)
{
	const invoice *inv = j->doc.inv;
	const claim *embedded;
	store_care_keys sk;
	care_keys ik;
	int64_t *ids = NULL;
	size_t n = 0, i;
	ulf_err none;
	int rc;

	care_invoice_keys(&ik, inv);
	*handled = is_care_invoice(inv, &ik);
	embedded = invoice_claim(j);
	if (embedded)
		*handled = true;
	if (!*handled)
		return 0;
	rc = store_set_care_key(j->p->s, j->id, ik.claim_id, err);
	if (rc)
		goto out;
	j->recorded = true;
	if (embedded) {
		rc = reconcile(j, embedded, inv, j->id, ST_VALIDATED, err);
		goto out;
	}
	keys_of(&sk, &ik);
	rc = store_find_waiting(&ids, &n, j->p->s, PARTNER_CLAIM, &sk, err);
	for (i = 0; rc == 0 && i < n; i++) {
		ulf_document d;
		claim *c;
		care_keys ck;

		ulf_err_clear(&none);
		if (load_document(&d, j, ids[i], &none))
			continue;
		c = document_claim(&d, j);
		reader_document_release(&d);
		if (!c)
			continue;
		care_claim_keys(&ck, c);
		if (care_keys_match(&ck, &ik) != CARE_NO_MATCH) {
			rc = join(j, c, inv, j->id, ST_VALIDATED, ids[i], err);
			claim_free(c);
			goto out;
		}
		claim_free(c);
	}
	if (rc == 0)
		rc = store_transition(j->p->s, j->id, ST_VALIDATED, ST_WAITING, "care", 0,
				      "{\"waiting_for\":\"care claim\"}", j->now, err);
out:
	free(ids);
	if (rc == 0)
		rc = store_state(to, j->p->s, j->id, err);
	return rc;
}

/*
 * validated -> matched for an invoice against orders, receipts and the
 * rules (robot/match/match.h): an `auto` decision carries its booking on to be
 * posted; an exception goes to the queue with every reason code.
 */
static int match_orders(doc_state *to, job *j, ulf_err *err)
{
	match_input in;
	match_result *r = NULL;
	erp_posting bp;
	ujson *result, *explanation = NULL;
	char *text = NULL, *mj;
	store_summary sum;
	size_t i;
	int rc;

	erp_posting_init(&bp);
	memset(&in, 0, sizeof(in));
	in.valid = true;
	in.doc_id = j->id;
	rc = match_invoice(&r, j->p->m, j->doc.inv, &in, err);
	if (rc)
		return rc;
	/* the matcher's explanation, copied so it outlives the result */
	mj = ujson_dump(match_result_json(r), UJSON_COMPACT);
	if (mj)
		ujson_parse(&explanation, mj, strlen(mj), NULL, NULL);
	free(mj);
	if (r->decision != MATCH_AUTO) {
		j->detail = ujson_object();
		ujson_set_new(j->detail, "match", explanation);
		for (i = 0; i < r->nreasons; i++)
			if (i == 0 || strcmp(r->reasons[i].code, r->reasons[i - 1].code) != 0)
				to_queue(j, to, r->reasons[i].code, NULL);
		if (!r->nreasons)
			to_queue(j, to, "LOW_CONFIDENCE", NULL);
		ujson_set_str(j->detail, "message", r->nreasons ? r->reasons[0].message : "");
		memset(&sum, 0, sizeof(sum));
		sum.flow = match_flow_name(r->flow);
		rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
		goto out;
	}
	result = ujson_object();
	ujson_set_str(result, "flow", match_flow_name(r->flow));
	rc = posting_from_match(&bp, r, err);
	if (rc == 0)
		rc = set_booking(result, &bp, err);
	ujson_set_new(result, "match", explanation);
	explanation = NULL;
	text = rc ? NULL : ujson_dump(result, UJSON_COMPACT);
	ujson_free(result);
	if (rc)
		goto out;
	memset(&sum, 0, sizeof(sum));
	sum.flow = match_flow_name(r->flow);
	sum.decision = "auto";
	sum.result = text;
	rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
	j->detail = ujson_object();
	ujson_set_str(j->detail, "decision", "auto");
	ujson_set_str(j->detail, "flow", match_flow_name(r->flow));
	ujson_set_str(j->detail, "order", r->order_no);
	*to = ST_MATCHED;
out:
	erp_posting_release(&bp);
	free(text);
	match_result_free(r);
	return rc;
}

/* A posted invoice teaches the matcher: invoiced quantities, duplicates,
 * recurrence and booking history (care invoices are booked by their claim). */
static int remember_posted(job *j, ulf_err *err)
{
	char *flow = NULL, *handler = NULL;
	match_input in;
	match_result *r = NULL;
	int rc;

	rc = store_get_text(&flow, j->p->s, j->id, "flow", err);
	if (rc || (flow && strcmp(flow, "care") == 0))
		goto out;
	rc = store_get_text(&handler, j->p->s, j->id, "booking", err);
	if (rc)
		goto out;
	/* a posting thread posts from the kept facts; what is learnt needs
	 * the whole invoice */
	rc = ensure_read(j, err);
	if (rc == 0 && !j->doc.inv)
		rc = ulf_err_set(err, ULF_ESYNTAX, "document %lld is not an invoice",
				 (long long)j->id);
	if (rc)
		goto out;
	memset(&in, 0, sizeof(in));
	in.valid = true;
	in.doc_id = j->id;
	rc = match_invoice(&r, j->p->m, j->doc.inv, &in, err);
	if (rc == 0)
		rc = match_record(j->p->m, j->doc.inv, r, handler, j->id, j->now, err);
out:
	match_result_free(r);
	free(flow);
	free(handler);
	return rc;
}

static int stage_match(doc_state *to, job *j, ulf_err *err)
{
	bool handled = false;
	ulf_err why;
	int rc;

	ulf_err_clear(&why);
	if (ensure_read(j, &why)) {
		to_queue(j, to, "UNREADABLE", why.msg);
		return 0;
	}
	rc = match_care(&handled, to, j, err);
	if (rc || handled)
		return rc;
	return match_orders(to, j, err);
}

/* matched -> ready: the suggestion stands (a decision of `auto`). */
static int stage_suggest(doc_state *to, job *j, ulf_err *err)
{
	(void)j;
	(void)err;
	*to = ST_READY;
	return 0;
}

int pipeline_expire(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	long days = p->cfg.care_wait_days;
	int rc;

	*out_n = 0;
	rc = store_waiting_since(&ids, &n, p->s, now - (int64_t)days * 86400, err);
	for (i = 0; rc == 0 && i < n; i++) {
		findings f;
		care_keys k;
		char *kind = NULL;
		bool is_claim;

		rc = store_get_text(&kind, p->s, ids[i], "kind", err);
		if (rc)
			break;
		is_claim = kind && (strcmp(kind, "care-claim") == 0);
		memset(&k, 0, sizeof(k));
		findings_init(&f);
		rc = care_report_expired(&f, is_claim, &k, days, days, err);
		if (rc == 0)
			rc = queue_other(p->s, ids[i], ST_WAITING, "PARTNER_MISSING",
					 care_findings_json(&f), "expire", now, err);
		findings_release(&f);
		free(kind);
		if (rc == 0)
			(*out_n)++;
	}
	free(ids);
	return rc;
}

static const struct stage {
	doc_state from;
	const char *name;
	stage_fn run;
} stages[] = {
	{ ST_RECEIVED, "read", stage_read },
	{ ST_READ, "validate", stage_validate },
	{ ST_VALIDATED, "match", stage_match },
	{ ST_MATCHED, "suggest", stage_suggest },
	{ ST_READY, "post", stage_post },
	{ ST_POSTING, "post", stage_post },
};

static const struct stage *stage_for(doc_state s)
{
	size_t i;

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (stages[i].from == s)
			return &stages[i];
	return NULL;
}

int pipeline_new(pipeline **out, store *s, const ulf_config *cfg, ulf_err *err)
{
	pipeline *p = calloc(1, sizeof(*p));
	struct timespec ts;
	erp_config ec;
	int rc;

	*out = NULL;
	if (!p)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	p->s = s;
	p->cfg = *cfg;
	config_reader_opts(&p->reader, &p->cfg);
	p->reader.claims = true;
	/*
	 * What the pipeline writes can be redone from the stored bytes, and a
	 * posting resends its recorded key, so its commits need not wait for
	 * the disk; store_receive() still makes each receipt durable.  Left
	 * durable, every step of every document waited for an fsync.
	 */
	rc = db_set_durable(store_db(s), false, err);
	if (rc == 0)
		rc = care_rules_load(&p->care, p->cfg.care_rules_file, err);
	if (rc == 0)
		rc = rules_load(&p->rules, p->cfg.match_rules_file, NULL, NULL, err);
	if (rc == 0)
		rc = matcher_new(&p->m, store_db(s), p->rules, err);
	if (rc) {
		pipeline_free(p);
		return rc;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	p->jitter = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	if (p->cfg.erp_url[0]) {
		config_erp(&ec, &p->cfg);
		rc = erp_client_new(&p->erp, &ec, err);
		if (rc) {
			pipeline_free(p);
			return rc;
		}
	}
	*out = p;
	return 0;
}

void pipeline_free(pipeline *p)
{
	if (!p)
		return;
	erp_client_free(p->erp);
	matcher_free(p->m);
	rules_free(p->rules);
	care_rules_free(p->care);
	free(p);
}

static void job_release(job *j)
{
	erp_posting_release(&j->post);
	free(j->payload);
	reader_document_release(&j->doc);
	claim_free(j->env_claim);
	claim_free(j->inv_claim);
	if (j->validated)
		findings_release(&j->f);
	ujson_free(j->detail);
	ujson_free(j->reasons);
}

/*
 * Reading and checking an invoice need nothing of the store but its bytes,
 * and they are most of a document's time: done here, before the stages'
 * transaction, the store's write lock is held only for the store's own
 * work, and intake (whose durable receipts wait for that lock) goes on
 * meanwhile.  What fails here is done again by its stage, which reports it.
 */
static void prepare(job *j, doc_state state)
{
	ulf_err none;

	if (state != ST_RECEIVED && state != ST_READ)
		return;
	ulf_err_clear(&none);
	if (ensure_read(j, &none) || !j->doc.inv)
		return;
	validate_once(j, &none);
	/* a care invoice's embedded claim, for validation's note and the join */
	invoice_claim(j);
}

/*
 * One stage of job j from *state: 1 when the document moved on and the
 * next stage may follow, 0 when it rests where it is, negative on error.
 */
static int step(doc_state *state, job *j, const struct stage *st, ulf_err *err)
{
	int64_t t0 = monotonic_us();
	doc_state to = *state;
	char *detail = NULL;
	int rc;

	j->recorded = j->stop = false;
	rc = st->run(&to, j, err);
	if (rc)
		return rc;
	if (to == *state && !j->recorded)
		return 0;
	if (j->recorded) {
		/* the stage wrote its transitions itself */
		ujson_free(j->detail);
		j->detail = NULL;
		*state = to;
		return j->stop ? 0 : 1;
	}
	if (to == ST_EXCEPTION && j->reasons) {
		ujson_set_new(j->detail, "reasons", j->reasons);
		j->reasons = NULL;
	}
	detail = j->detail ? ujson_dump(j->detail, UJSON_COMPACT) : NULL;
	if (to == ST_EXCEPTION)
		rc = record_exception(j, detail, err);
	if (rc == 0)
		rc = store_transition(j->p->s, j->id, *state, to, st->name, monotonic_us() - t0,
				      detail, j->now, err);
	free(detail);
	ujson_free(j->detail);
	j->detail = NULL;
	if (rc)
		return rc;
	*state = to;
	return 1;
}

/*
 * The stages before posting, inside the caller's transaction (one write of
 * the pages they touch instead of one per stage): 1 when the document
 * reached posting or its end, 0 when it rests before, negative on error.
 */
static int run_local(doc_state *state, job *j, ulf_err *err)
{
	const struct stage *st;
	int rc;

	while ((st = stage_for(*state)) != NULL && st->run != stage_post) {
		rc = step(state, j, st, err);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Posting, outside any transaction: no lock is held over the network, and
 * the posting's record is committed before the request leaves. */
static int run_post(doc_state *state, job *j, ulf_err *err)
{
	const struct stage *st;
	int rc;

	while ((st = stage_for(*state)) != NULL && st->run == stage_post) {
		rc = step(state, j, st, err);
		if (rc <= 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

/* What follows a document's run: the posting threads hear of it, and the
 * partner it completed goes on now, not next tick. */
static int after_run(pipeline *p, int64_t id, doc_state state, int64_t wake, int64_t now,
		     ulf_err *err)
{
	doc_state ignored;

	if (state == ST_READY && p->on_ready)
		p->on_ready(p->on_ready_ctx, id);
	return wake ? pipeline_process(&ignored, p, wake, now, err) : 0;
}

int pipeline_process(doc_state *out_state, pipeline *p, int64_t id, int64_t now,
		     ulf_err *err)
{
	const struct stage *st;
	doc_state state;
	int go_on = 1;
	int64_t wake;
	job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.p = p;
	j.id = id;
	j.now = now;
	rc = store_state(&state, p->s, id, err);
	if (rc == 0)
		prepare(&j, state);
	if (rc == 0 && (st = stage_for(state)) != NULL && st->run != stage_post) {
		rc = store_begin(p->s, err);
		if (rc == 0) {
			go_on = run_local(&state, &j, err);
			rc = go_on < 0 ? go_on : store_commit(p->s, err);
			if (rc) {
				/* nothing of this run stays: the document is where it was */
				store_rollback(p->s);
				j.wake = 0;
				store_state(&state, p->s, id, NULL);
			}
		}
	}
	if (rc == 0 && go_on > 0)
		rc = run_post(&state, &j, err);
	wake = j.wake;
	job_release(&j);
	*out_state = state;
	return rc ? rc : after_run(p, id, state, wake, now, err);
}

static void jobs_free(job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		job_release(&jobs[i]);
	free(jobs);
}

/*
 * A batch that failed, each document on its own as pipeline_process runs
 * it: the first failure is reported, the others still go on.  *advanced
 * (when not NULL) counts those whose state changed.
 */
static int run_alone(size_t *advanced, pipeline *p, const int64_t *ids, size_t n,
		     int64_t now, ulf_err *err)
{
	doc_state before, after;
	size_t i;
	int rc, first = 0;

	for (i = 0; i < n; i++) {
		rc = store_state(&before, p->s, ids[i], err);
		if (rc == 0)
			rc = pipeline_process(&after, p, ids[i], now, err);
		if (rc == 0 && after != before && advanced)
			(*advanced)++;
		if (rc && !first)
			first = rc;
	}
	return first;
}

/*
 * Several documents' stages before posting in one transaction: each
 * document is read and checked first, outside it, and the pages they all
 * touch (the state index, the event log) are written once.  When any of
 * them fails, the batch is rolled back and each is run on its own, as
 * pipeline_process does, so one bad document holds up no other.
 * *advanced counts the documents whose state changed.
 */
static int process_batch(size_t *advanced, pipeline *p, const int64_t *ids, size_t n,
			 int64_t now, ulf_err *err)
{
	doc_state before[PIPELINE_BATCH], state[PIPELINE_BATCH];
	int go_on[PIPELINE_BATCH];
	job *jobs = calloc(n, sizeof(*jobs));
	ulf_err berr;
	size_t i;
	int rc = 0;

	if (!jobs)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	ulf_err_clear(&berr);
	for (i = 0; i < n && rc == 0; i++) {
		jobs[i].p = p;
		jobs[i].id = ids[i];
		jobs[i].now = now;
		rc = store_state(&before[i], p->s, ids[i], &berr);
		if (rc == 0)
			prepare(&jobs[i], before[i]);
	}
	if (rc == 0)
		rc = store_begin(p->s, &berr);
	if (rc == 0) {
		for (i = 0; i < n && rc == 0; i++) {
			/* an earlier one in the batch may have moved it on */
			rc = store_state(&state[i], p->s, ids[i], &berr);
			if (rc == 0) {
				go_on[i] = run_local(&state[i], &jobs[i], &berr);
				rc = go_on[i] < 0 ? go_on[i] : 0;
			}
		}
		if (rc == 0)
			rc = store_commit(p->s, &berr);
		else
			store_rollback(p->s);
	}
	if (rc) {
		jobs_free(jobs, n);
		return run_alone(advanced, p, ids, n, now, err);
	}
	for (i = 0; i < n; i++) {
		int64_t wake = jobs[i].wake;

		if (rc == 0 && go_on[i] > 0)
			rc = run_post(&state[i], &jobs[i], err);
		job_release(&jobs[i]);
		if (rc == 0 && state[i] != before[i])
			(*advanced)++;
		if (rc == 0)
			rc = after_run(p, ids[i], state[i], wake, now, err);
	}
	free(jobs);
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

/*
 * Waiting claims and invoices that should have met but did not: two robots
 * took them at the same moment, each before the other was stored, or one
 * died between storing a claim and looking for its invoice.  The claim
 * looks again; its invoice, when joined, goes on at once.
 */
static int rejoin(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
{
	int64_t *claims = NULL, *invoices = NULL;
	size_t n = 0, i;
	int rc;

	*out_n = 0;
	rc = store_waiting_pairs(&claims, &invoices, &n, p->s, 100, err);
	for (i = 0; rc == 0 && i < n; i++) {
		ulf_document d;
		ulf_err none;
		care_keys ck;
		doc_state ignored;
		bool joined = false;
		claim *c;
		job j;

		/* one look per claim: it tries every candidate itself */
		if (i > 0 && claims[i] == claims[i - 1])
			continue;
		memset(&j, 0, sizeof(j));
		j.p = p;
		j.id = claims[i];
		j.now = now;
		ulf_err_clear(&none);
		if (load_document(&d, &j, claims[i], &none))
			continue;
		c = document_claim(&d, &j);
		reader_document_release(&d);
		if (!c)
			continue;
		care_claim_keys(&ck, c);
		rc = claim_meets_invoice(&joined, &j, c, &ck, err);
		claim_free(c);
		if (rc == 0 && joined) {
			(*out_n)++;
			rc = pipeline_process(&ignored, p, j.wake, now, err);
		}
	}
	free(claims);
	free(invoices);
	return rc;
}

void pipeline_leave_posting(pipeline *p)
{
	p->not_posting = true;
}

void pipeline_on_ready(pipeline *p, pipeline_ready_fn fn, void *ctx)
{
	p->on_ready = fn;
	p->on_ready_ctx = ctx;
}

/* Documents a posting thread posts with one commit before their requests
 * and one after. */
#define POST_BATCH 8

static const struct stage post_begin_stage = { ST_READY, "post", stage_post_begin };
static const struct stage post_finish_stage = { ST_POSTING, "post", stage_post_finish };

/* The batch's requests, in flight together (erp_connections of them at a
 * time); a job whose request has no known end stops sending (send false):
 * it stays in `posting` and goes again. */
static void send_batch(job *jobs, size_t n)
{
	const char *keys[POST_BATCH], *payloads[POST_BATCH];
	erp_result res[POST_BATCH];
	int rcs[POST_BATCH];
	size_t idx[POST_BATCH], k = 0, i;
	ulf_err none;

	for (i = 0; i < n; i++) {
		if (!jobs[i].send)
			continue;
		idx[k] = i;
		keys[k] = jobs[i].key;
		payloads[k] = jobs[i].payload;
		k++;
	}
	if (k == 0)
		return;
	ulf_err_clear(&none);
	if (erp_post_many(res, rcs, jobs[0].p->erp, keys, payloads, k, &none))
		for (i = 0; i < k; i++)
			rcs[i] = rcs[i] ? rcs[i] : ULF_ENET;
	for (i = 0; i < k; i++) {
		job *j = &jobs[idx[i]];
		j->send = rcs[i] == 0;
		if (j->send)
			j->res = res[i];
	}
}

/*
 * Posts several documents: their keys recorded as sent in one commit, the
 * requests with no lock held, the answers recorded in one commit.  If the
 * first commit fails, nothing was sent and each document is posted alone;
 * if the last fails, the documents stay in `posting` and are sent again
 * with the same keys, which the ERP answers from its record.
 */
static int post_batch(pipeline *p, const int64_t *ids, size_t n, int64_t now, ulf_err *err)
{
	doc_state state[POST_BATCH];
	job *jobs = calloc(n, sizeof(*jobs));
	const struct stage *st;
	ulf_err berr;
	size_t i;
	int rc = 0;

	if (!jobs)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	ulf_err_clear(&berr);
	for (i = 0; i < n; i++) {
		jobs[i].p = p;
		jobs[i].id = ids[i];
		jobs[i].now = now;
	}
	rc = store_begin(p->s, &berr);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = store_state(&state[i], p->s, ids[i], &berr);
		st = rc == 0 ? stage_for(state[i]) : NULL;
		if (st && st->run == stage_post) {
			int r = step(&state[i], &jobs[i], &post_begin_stage, &berr);
			rc = r < 0 ? r : 0;
		}
	}
	if (rc == 0)
		rc = store_commit(p->s, &berr);
	else
		store_rollback(p->s);
	if (rc) {
		jobs_free(jobs, n);
		return run_alone(NULL, p, ids, n, now, err);
	}
	send_batch(jobs, n);
	rc = store_begin(p->s, err);
	for (i = 0; rc == 0 && i < n; i++) {
		if (jobs[i].send) {
			int r = step(&state[i], &jobs[i], &post_finish_stage, err);
			rc = r < 0 ? r : 0;
		}
	}
	if (rc == 0)
		rc = store_commit(p->s, err);
	else
		store_rollback(p->s);
	jobs_free(jobs, n);
	return rc;
}

int pipeline_post_due(size_t *out_n, bool *out_more, pipeline *p, int64_t now,
		      unsigned shard, unsigned nshards, size_t max, ulf_err *err)
{
	static const doc_state postable[] = { ST_READY, ST_POSTING };
	int64_t *ids = NULL;
	size_t n = 0, i, k;
	doc_state after;
	int rc;

	*out_n = 0;
	*out_more = false;
	if (nshards == 0 || shard >= nshards)
		return ulf_err_set(err, ULF_EINVAL, "posting shard %u of %u", shard, nshards);
	rc = store_list_shard(&ids, &n, p->s, postable, 2, max, now, shard, nshards, err);
	for (i = 0; rc == 0 && i < n; i += k) {
		k = n - i < POST_BATCH ? n - i : POST_BATCH;
		if (p->erp && !p->not_posting) {
			rc = post_batch(p, ids + i, k, now, err);
		} else {
			k = 1;
			rc = pipeline_process(&after, p, ids[i], now, err);
		}
		*out_n += k;
	}
	*out_more = rc == 0 && n == max;
	free(ids);
	return rc;
}

int pipeline_resume(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
{
	static const doc_state unfinished[] = {
		ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED, ST_READY, ST_POSTING
	};
	/* the first four when posting threads take the other two */
	size_t nstates = p->not_posting ? 4 : sizeof(unfinished) / sizeof(unfinished[0]);
	int64_t *ids = NULL;
	size_t n = 0, i, advanced = 0;
	int rc, failed = 0;

	*out_n = 0;
	rc = store_list(&ids, &n, p->s, unfinished, nstates, 1000000, now, err);
	/* a document that fails is reported, and the others still go on */
	for (i = 0; rc == 0 && i < n; i += PIPELINE_BATCH) {
		int r = process_batch(&advanced, p, ids + i,
				      n - i < PIPELINE_BATCH ? n - i : PIPELINE_BATCH, now, err);
		if (r && !failed)
			failed = r;
	}
	free(ids);
	if (rc == 0)
		rc = rejoin(&n, p, now, err);
	advanced += n;
	n = 0;
	if (rc == 0)
		rc = pipeline_expire(&n, p, now, err);
	*out_n = advanced + n;
	return rc ? rc : failed;
}
