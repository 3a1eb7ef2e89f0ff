/*
 * partners.c - care claims, envelopes and their invoices: documents that
 * wait for each other (a care claim for its invoice or the other way
 * round, an envelope for its invoice), meet, are reconciled and booked
 * (robot/care), or expire after care_wait_days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/care/care.h"
#include "robot/pipeline/pipeline_int.h"
#include "robot/store/rollup.h"

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

bool partner_carries_claim(job *j)
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
	char *detail = NULL, *codes;
	store_summary sum;
	int rc;

	rc = ujson_append_str(r, reason);
	codes = rc ? NULL : ujson_dump(r, UJSON_COMPACT);
	/* each ujson_set_new takes its value whatever the outcome */
	if (ujson_set_new(d, "reasons", r))
		rc = ULF_ENOMEM;
	if (found && ujson_set_new(d, "findings", found))
		rc = ULF_ENOMEM;
	if (rc == 0)
		detail = ujson_dump(d, UJSON_COMPACT);
	ujson_free(d);
	if (!codes || !detail) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	memset(&sum, 0, sizeof(sum));
	sum.decision = "exception";
	sum.reasons = codes;
	sum.result = detail;
	rc = store_set_summary(s, id, &sum, now, err);
	if (rc == 0)
		rc = store_transition(s, id, from, ST_EXCEPTION, step, 0, detail, now, err);
out:
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
	ujson *result = NULL, *found;
	char *text = NULL;
	char cc[ROLLUP_CC_MAX], sig[ROLLUP_SIG_MAX];
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
		rc = care_findings_json(&found, &f, err);
		if (rc == 0)
			rc = queue_other(j->p->s, invoice_id, from, "CARE_MISMATCH", found, "care",
					 j->now, err);
		goto out;
	}
	rc = care_book(&b, j->p->care, c, err);
	if (rc == 0)
		rc = posting_from_care(&bp, &b, inv, c->type == CLAIM_TYPE_CREDIT,
				       j->p->cfg.rounding_account, err);
	if (rc)
		goto out;
	result = ujson_object();
	if (!result) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = ujson_set_str(result, "flow", "care")) != 0) {
		rc = ujson_error(err, rc, "flow");
		goto out;
	}
	rc = care_findings_json(&found, &f, err);
	if (rc)
		goto out;
	/* ujson_set_new takes the findings whatever the outcome */
	if ((rc = ujson_set_new(result, "findings", found)) != 0) {
		rc = ujson_error(err, rc, "findings");
		goto out;
	}
	rc = posting_set_booking(result, &bp, err);
	if (rc)
		goto out;
	text = ujson_dump(result, UJSON_COMPACT);
	if (!text) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rollup_booking_keys(cc, sig, &bp);
	memset(&sum, 0, sizeof(sum));
	sum.flow = "care";
	sum.decision = "auto";
	sum.result = text;
	sum.cost_centre = cc;
	sum.lines_sig = sig;
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
	bool care;
	int rc = store_load_kept(&data, &len, &name, &care, j->p->s, id, err);

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
int partner_take_claim(doc_state *to, job *j, ulf_err *err)
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
		ujson *found = NULL;
		findings_init(&f);
		snprintf(where, sizeof(where), "document %lld", (long long)first);
		rc = care_report_duplicate(&f, true, &ck, where, err);
		if (rc == 0)
			rc = care_findings_json(&found, &f, err);
		if (rc == 0)
			rc = queue_other(j->p->s, j->id, ST_WAITING, "DUPLICATE", found, "care",
					 j->now, err);
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
int partner_take_envelope(doc_state *to, job *j, ulf_err *err)
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
int partner_adopt_envelopes(job *j, ulf_err *err)
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
int partner_match_care(bool *handled, doc_state *to, job *j, ulf_err *err)
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
	embedded = job_invoice_claim(j);
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
 * Waiting claims and invoices that should have met but did not: two robots
 * took them at the same moment, each before the other was stored, or one
 * died between storing a claim and looking for its invoice.  The claim
 * looks again; its invoice, when joined, goes on at once.
 */
int partners_rejoin(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
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
		job_init(&j, p, claims[i], now);
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
		ujson *found = NULL;
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
			rc = care_findings_json(&found, &f, err);
		if (rc == 0)
			rc = queue_other(p->s, ids[i], ST_WAITING, "PARTNER_MISSING", found,
					 "expire", now, err);
		findings_release(&f);
		free(kind);
		if (rc == 0)
			(*out_n)++;
	}
	free(ids);
	return rc;
}
