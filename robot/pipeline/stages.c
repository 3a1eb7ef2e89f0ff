/*
 * stages.c - the stages before posting: read (and summarise), validate,
 * match against orders (care invoices go to partners.c), suggest; and the
 * job's lazily read document, findings and exception reasons they share.
 */
#include <stdlib.h>
#include <string.h>

#include "robot/care/care.h"
#include "robot/pipeline/pipeline_int.h"
#include "robot/store/rollup.h"

int job_to_queue(job *j, doc_state *to, const char *reason, const char *message,
		 ulf_err *err)
{
	int rc;

	if (!j->reasons)
		j->reasons = ujson_array();
	if (!j->detail)
		j->detail = ujson_object();
	if ((rc = ujson_append_str(j->reasons, reason)) != 0)
		return ujson_error(err, rc, "reasons");
	if (message && (rc = ujson_set_str(j->detail, "message", message)) != 0)
		return ujson_error(err, rc, "message");
	*to = ST_EXCEPTION;
	return 0;
}

/*
 * What a document that is not an e-invoice is, by its first bytes: a PDF
 * or a scanned image dropped in the inbox.  NULL for anything else.
 */
static const char *not_einvoice(const void *data, size_t len)
{
	static const struct { const char *magic; size_t n; const char *what; } kinds[] = {
		{ "\xff\xd8\xff", 3, "a JPEG image" },
		{ "\x89PNG\r\n\x1a\n", 8, "a PNG image" },
		{ "II*\0", 4, "a TIFF image" },
		{ "MM\0*", 4, "a TIFF image" },
		{ "GIF87a", 6, "a GIF image" },
		{ "GIF89a", 6, "a GIF image" },
	};
	const char *p = data;
	size_t i, head = len < 1024 ? len : 1024;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].n && memcmp(p, kinds[i].magic, kinds[i].n) == 0)
			return kinds[i].what;
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "a WebP image";
	/* a PDF's header may come anywhere in its first kilobyte */
	if (head >= 5 && memmem(p, head, "%PDF-", 5))
		return "a PDF";
	return NULL;
}

int job_read(job *j, ulf_err *err)
{
	void *data = NULL;
	char *name = NULL;
	size_t len;
	bool care;
	int rc;

	if (j->read)
		return 0;
	/* a care claim's bytes, and those of other documents holding patient
	 * data, live in the care table */
	rc = store_load_kept(&data, &len, &name, &care, j->p->s, j->id, err);
	if (rc)
		return rc;
	/* the stage decides what an unreadable document means */
	j->not_einvoice = not_einvoice(data, len);
	if (j->not_einvoice)
		rc = ulf_err_set(err, ULF_ESYNTAX, "%s: %s, not an e-invoice", name,
				 j->not_einvoice);
	else
		rc = reader_read(&j->doc, data, len, name, &j->p->reader, true, err);
	free(data);
	free(name);
	j->read = rc == 0;
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

int stage_read(doc_state *to, job *j, ulf_err *err)
{
	ulf_err why;
	int rc;

	ulf_err_clear(&why);
	rc = job_read(j, &why);
	if (rc == ULF_ESTORE || rc == ULF_ENOMEM || rc == ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", why.msg);
	if (rc && j->not_einvoice)
		return job_to_queue(j, to, "NOT_EINVOICE", why.msg, err);
	if (rc)
		return job_to_queue(j, to, rc == ULF_ESYNTAX ? "NOT_AN_INVOICE" : "UNREADABLE",
				    why.msg, err);
	if (j->doc.kind == DOC_CLAIM || partner_carries_claim(j))
		return partner_take_claim(to, j, err);
	if (j->doc.kind == DOC_SVE_ENVELOPE)
		return partner_take_envelope(to, j, err);
	*to = ST_READ;
	rc = summarise(j, err);
	/* an invoice carrying a care claim carries patients: its bytes go
	 * where the claims' go (the README's promise) */
	if (rc == 0 && job_invoice_claim(j))
		rc = store_care_keep(j->p->s, j->id, err);
	if (rc == 0)
		rc = partner_adopt_envelopes(j, err);
	return rc;
}

/* The findings as the event log keeps them; NULL when out of memory. */
static ujson *findings_json(const findings *f)
{
	ujson *arr = ujson_array();
	size_t i;

	for (i = 0; arr && i < f->n; i++) {
		const finding *x = &f->items[i];
		ujson *o = ujson_object();

		if (!o || ujson_set_str(o, "rule", x->rule) ||
		    ujson_set_str(o, "flag", x->flag == VFLAG_FATAL ? "fatal" : "warning") ||
		    ujson_set_str(o, "message", x->message) ||
		    ujson_set_int(o, "line", x->line)) {
			ujson_free(o);
			break;
		}
		if (ujson_append_new(arr, o))
			break;
	}
	if (arr && i < f->n) {
		ujson_free(arr);
		arr = NULL;
	}
	return arr;
}

/* The claim embedded in the job's invoice, read once; NULL when there is
 * none.  Owned by the job. */
claim *job_invoice_claim(job *j)
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
static int only_claim_carrier_finding(bool *out, job *j, ulf_err *err)
{
	size_t i;

	*out = false;
	/* both the CEN and the PEPPOL MIME code list refuse XML */
	for (i = 0; i < j->f.n; i++)
		if (j->f.items[i].flag == VFLAG_FATAL &&
		    strcmp(j->f.items[i].rule, "PEPPOL-EN16931-CL001") != 0 &&
		    strcmp(j->f.items[i].rule, "BR-CL-24") != 0)
			return 0;
	if (!job_invoice_claim(j))
		return 0;
	if (ujson_set_str(j->detail, "note", "BR-CL-24 and PEPPOL-EN16931-CL001 accepted: the XML "
			  "attachment is a care claim (vardbilaga), an agreed carrier"))
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	*out = true;
	return 0;
}

/* The job's invoice checked against the rules, once per job (prepare may
 * have done it before the stages' transaction). */
int job_validate(job *j, ulf_err *err)
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

int stage_validate(doc_state *to, job *j, ulf_err *err)
{
	ujson *found;
	bool carrier = false;
	ulf_err why;
	int rc;

	ulf_err_clear(&why);
	if (job_read(j, &why))
		return job_to_queue(j, to, "UNREADABLE", why.msg, err);
	rc = job_validate(j, err);
	if (rc)
		return rc;
	j->detail = ujson_object();
	found = findings_json(&j->f);
	if (!j->detail || !found || ujson_set_new(j->detail, "findings", found))
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (findings_fatal(&j->f)) {
		rc = only_claim_carrier_finding(&carrier, j, err);
		if (rc || !carrier)
			return rc ? rc : job_to_queue(j, to, "INVALID",
						      "the invoice breaks fatal business rules", err);
	}
	*to = ST_VALIDATED;
	return 0;
}

/* The exception's reasons and detail on the document, for the queue. */
int job_record_exception(job *j, const char *detail, ulf_err *err)
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
	char cc[ROLLUP_CC_MAX], sig[ROLLUP_SIG_MAX];
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
	if (!mj || ujson_parse(&explanation, mj, strlen(mj), NULL, NULL)) {
		free(mj);
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	free(mj);
	if (r->decision != MATCH_AUTO) {
		j->detail = ujson_object();
		rc = ujson_set_new(j->detail, "match", explanation);
		explanation = NULL;
		for (i = 0; rc == 0 && i < r->nreasons; i++)
			if (i == 0 || strcmp(r->reasons[i].code, r->reasons[i - 1].code) != 0)
				rc = job_to_queue(j, to, r->reasons[i].code, NULL, err);
		if (rc == 0 && !r->nreasons)
			rc = job_to_queue(j, to, "LOW_CONFIDENCE", NULL, err);
		if (rc == 0 && ujson_set_str(j->detail, "message",
					     r->nreasons ? r->reasons[0].message : ""))
			rc = ULF_ENOMEM;
		if (rc) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			goto out;
		}
		/* the suggestion as it would be posted, kept for a handler who
		 * approves it as it is (queue_approve): the same booking the
		 * robot posts when it decides alone */
		if (posting_from_match(&bp, r, err) == 0)
			rc = posting_set_booking(j->detail, &bp, err);
		else
			rc = ULF_ENOMEM;
		if (rc)
			goto out;
		memset(&sum, 0, sizeof(sum));
		sum.flow = match_flow_name(r->flow);
		/* later copies of its content are weighed against it (match.h) */
		sum.fingerprint = r->fingerprint[0] ? r->fingerprint : NULL;
		sum.refs = r->refs[0] ? r->refs : NULL;
		/* the suggestion as far as it goes, for the dashboard's cost
		 * centre and auto-coding rate (without it, they go without) */
		if (posting_from_match(&bp, r, NULL) == 0) {
			rollup_booking_keys(cc, sig, &bp);
			sum.cost_centre = cc;
			sum.lines_sig = sig;
		}
		rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
		goto out;
	}
	result = ujson_object();
	if (ujson_set_str(result, "flow", match_flow_name(r->flow)))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (rc == 0)
		rc = posting_from_match(&bp, r, err);
	if (rc == 0)
		rc = posting_set_booking(result, &bp, err);
	if (rc == 0 && ujson_set_new(result, "match", explanation))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	explanation = NULL;
	if (rc == 0 && !(text = ujson_dump(result, UJSON_COMPACT)))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	ujson_free(result);
	if (rc)
		goto out;
	rollup_booking_keys(cc, sig, &bp);
	memset(&sum, 0, sizeof(sum));
	sum.flow = match_flow_name(r->flow);
	sum.decision = "auto";
	sum.result = text;
	sum.fingerprint = r->fingerprint[0] ? r->fingerprint : NULL;
	sum.refs = r->refs[0] ? r->refs : NULL;
	sum.cost_centre = cc;
	sum.lines_sig = sig;
	rc = store_set_summary(j->p->s, j->id, &sum, j->now, err);
	if (rc)
		goto out;
	j->detail = ujson_object();
	if (ujson_set_str(j->detail, "decision", "auto") ||
	    ujson_set_str(j->detail, "flow", match_flow_name(r->flow)) ||
	    ujson_set_str(j->detail, "order", r->order_no)) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	*to = ST_MATCHED;
out:
	ujson_free(explanation);
	erp_posting_release(&bp);
	free(text);
	match_result_free(r);
	return rc;
}

int stage_match(doc_state *to, job *j, ulf_err *err)
{
	bool handled = false;
	ulf_err why;
	int rc;

	ulf_err_clear(&why);
	if (job_read(j, &why))
		return job_to_queue(j, to, "UNREADABLE", why.msg, err);
	rc = partner_match_care(&handled, to, j, err);
	if (rc || handled)
		return rc;
	return match_orders(to, j, err);
}

/* matched -> ready: the suggestion stands (a decision of `auto`). */
int stage_suggest(doc_state *to, job *j, ulf_err *err)
{
	(void)j;
	(void)err;
	*to = ST_READY;
	return 0;
}
