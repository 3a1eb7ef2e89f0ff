/*
 * match_prior.c - the invoice against those seen before: duplicates (by
 * number, and by content under another number, among the posted invoices
 * and the store's documents) and, for a credit note, the invoice it
 * corrects, whose booking it takes back.  Private to robot/match
 * (match_int.h).
 *
 * The same number from the same supplier is a duplicate whatever the
 * bytes: a corrected re-issue goes to a person with what differs from the
 * original.  The same content under another number is one unless the
 * references tell them apart: each tied line by line to a different order,
 * to a different goods receipt of one order, or, for credit notes,
 * correcting different invoices (docs/matching.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/invoice_diff.h"
#include "parsers/reader.h"
#include "robot/match/match_int.h"
#include "robot/match/mtext.h"
#include "robot/store/store.h"

/* ---- duplicates ------------------------------------------------------- */

#define MAX_DIFFS 64       /* differences listed in duplicate_of */
#define MSG_DIFFS 8        /* of them in the reason's message */
#define MAX_SAME 16        /* earlier invoices of one content compared */

/* duplicate_of, for the first earlier one found; NULL for the others. */
static ujson *dup_of(match_job *j, const char *how, const char *number, int64_t doc,
		     const char *state)
{
	if (j->dupof || j->rc)
		return NULL;
	j->dupof = ujson_object();
	if (!j->dupof) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return NULL;
	}
	mj_set_str(j, j->dupof, "how", how);
	mj_set_str(j, j->dupof, "invoice_number", number);
	if (doc) {
		mj_set_int(j, j->dupof, "document", doc);
		mj_set_str(j, j->dupof, "state", state);
	}
	return j->dupof;
}

/* The first `max` differences of `diffs` for a person: "; this one differs
 * in: issue date (BT-2) 2025-03-03, now 2025-03-05, ..." */
static const char *diff_text(match_job *j, const ujson *diffs, size_t total)
{
	char *buf = NULL;
	const char *out;
	size_t n = 0, i;
	FILE *f = open_memstream(&buf, &n);

	if (!f) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return "";
	}
	if (total == 0)
		fputs("; its dates, references, amounts and lines are the original's: only the"
		      " bytes differ", f);
	else
		fputs("; this one differs in: ", f);
	for (i = 0; i < ujson_array_size(diffs) && i < MSG_DIFFS; i++) {
		const ujson *d = ujson_array_get(diffs, i);
		const char *was = ujson_get_str(d, "original"), *now = ujson_get_str(d, "this");
		fprintf(f, "%s%s %s, now %s", i ? "; " : "", ujson_get_str(d, "what"),
			was ? was : "none", now ? now : "none");
	}
	if (total > i)
		fprintf(f, "; and %zu more", total - i);
	if (fclose(f)) {
		free(buf);
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return "";
	}
	out = mj_str(j, buf);
	free(buf);
	return out;
}

/*
 * A corrected re-issue against its original, document `doc`: the
 * differences into duplicate_of `o` (when not NULL), and their text for
 * the reason.  An original that cannot be read is said so, not a failure.
 */
static const char *doc_differences(match_job *j, ujson *o, int64_t doc)
{
	ulf_document od;
	reader_opts opts;
	ujson *diffs = NULL;
	void *bytes = NULL;
	size_t len = 0, total = 0;
	const char *text = "";
	ulf_err why;
	int rc;

	memset(&od, 0, sizeof(od));
	ulf_err_clear(&why);
	reader_opts_init(&opts);
	rc = store_load_bytes(&bytes, &len, j->m->d, doc, &why);
	if (rc == 0)
		rc = reader_read(&od, bytes, len, "original", &opts, false, &why);
	if (rc == 0 && !od.inv)
		rc = ulf_err_set(&why, ULF_ESYNTAX, "it is not an invoice");
	if (rc == 0)
		rc = invoice_diff(&diffs, &total, od.inv, j->inv, MAX_DIFFS, &why);
	if (rc == ULF_ENOMEM || rc == ULF_ESTORE) {
		j->rc = ulf_err_set(j->err, rc, "%s", why.msg);
	} else if (rc) {
		text = mj_fmt(j, "; the original could not be read to compare: %s", why.msg);
		if (o)
			mj_set_str(j, o, "differences_unavailable", why.msg);
	} else {
		text = diff_text(j, diffs, total);
		if (o) {
			mj_set_int(j, o, "differences_total", (int64_t)total);
			mj_set_new(j, o, "differences", diffs);
			diffs = NULL;
		}
	}
	ujson_free(diffs);
	reader_document_release(&od);
	free(bytes);
	return text;
}

/* One difference into the array, as invoice_diff.h writes them. */
static void add_diff(match_job *j, ujson *arr, size_t *total, const char *what,
		     const char *was, const char *now)
{
	ujson *d;

	if ((was && now && !strcmp(was, now)) || (!was && !now))
		return;
	(*total)++;
	d = ujson_object();
	mj_set_str(j, d, "what", what);
	mj_set_str(j, d, "original", was);
	mj_set_str(j, d, "this", now);
	mj_append(j, arr, d);
}

/*
 * The same against a recorded invoice with no document (the imported
 * history): what the record keeps - date, currency, total, lines.
 */
static const char *record_differences(match_job *j, ujson *o, const ref_invoice *prev,
				      const booking *b)
{
	ujson *diffs = ujson_array();
	char x[DEC_STR_MAX], y[DEC_STR_MAX];
	size_t total = 0;
	const char *text;

	if (!diffs) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return "";
	}
	add_diff(j, diffs, &total, "issue date (BT-2)", prev->issue_date, j->inv->issue_date.v);
	add_diff(j, diffs, &total, "currency (BT-5)", prev->currency, j->inv->currency.v);
	mj_fmt_dec(x, sizeof(x), prev->net_total);
	mj_fmt_dec(y, sizeof(y), b->total_net);
	if (dec_cmp(prev->net_total, b->total_net))
		add_diff(j, diffs, &total, "total without VAT (BT-109)", x, y);
	snprintf(x, sizeof(x), "%zu", prev->nlines);
	snprintf(y, sizeof(y), "%zu", b->n);
	add_diff(j, diffs, &total, "number of booked lines", x, y);
	text = j->rc ? "" : diff_text(j, diffs, total);
	if (o) {
		mj_set_int(j, o, "differences_total", (int64_t)total);
		mj_set_new(j, o, "differences", diffs);
	} else {
		ujson_free(diffs);
	}
	return text;
}

void mj_duplicates(match_job *j, const booking *b)
{
	const invoice *inv = j->inv;
	ref_invoice *prev = NULL;
	bool found = false;
	int rc;

	if (!inv->id.v)
		return;
	rc = refdata_invoice_get(&prev, j->m->rd, j->res->supplier_key, inv->id.v, j->kind, j->err);
	if (rc && rc != ULF_ENOTFOUND) {
		j->rc = rc;
		return;
	}
	if (prev && !(j->in->doc_id && prev->doc_id == j->in->doc_id)) {
		ujson *o = dup_of(j, "number", inv->id.v, prev->doc_id, "posted");
		const char *diff = prev->doc_id ? doc_differences(j, o, prev->doc_id)
						: record_differences(j, o, prev, b);
		mj_note(j, j->xdup, "number", false, "%s %s from %s was already posted (%s%s)", j->kind,
		        inv->id.v, j->res->supplier_key, prev->issue_date ? "issued " : "recorded",
		        prev->issue_date ? prev->issue_date : "");
		if (prev->doc_id)
			mj_reason(j, MR_DUPLICATE, NULL, "%s %s from this supplier was already posted, as"
			          " document %lld%s", j->kind, inv->id.v, (long long)prev->doc_id, diff);
		else
			mj_reason(j, MR_DUPLICATE, NULL, "%s %s from this supplier was already posted (%s)%s",
			          j->kind, inv->id.v, prev->source && !strcmp(prev->source, "import")
			          ? "in the imported history" : "recorded by ulf", diff);
		found = true;
	}
	refdata_invoice_free(prev);
	if (j->rc)
		return;

	if (!j->m->no_docs && !found) {
		const char *a = inv->seller.legal_id.v ? inv->seller.legal_id.v : inv->seller.vat_id.v;
		const char *c = inv->seller.vat_id.v ? inv->seller.vat_id.v : a;
		int64_t doc;
		doc_state ds;
		rc = store_find_duplicate(&doc, &ds, j->m->d, j->kind, j->in->doc_id, a ? a : "",
					  c ? c : "", inv->id.v, j->err);
		if (rc == ULF_ENOTFOUND) {
			j->m->no_docs = true;
		} else if (rc < 0) {
			j->rc = rc;
			return;
		} else if (doc) {
			long long id = (long long)doc;
			const char *state = store_state_name(ds);
			ujson *o = dup_of(j, "number", inv->id.v, doc, state);
			const char *diff = doc_differences(j, o, doc);
			mj_note(j, j->xdup, "number", false, "the store holds %s %s from this seller as"
			        " document %lld (%s)", j->kind, inv->id.v, id, state);
			mj_reason(j, MR_DUPLICATE, NULL, "%s %s from this seller is already in the store as"
			          " document %lld (%s)%s", j->kind, inv->id.v, id, state, diff);
			found = true;
		}
	}
	if (!found)
		mj_note(j, j->xdup, "number", true, "no earlier %s %s from this supplier", j->kind, inv->id.v);
}

/* ---- the same content under another number ------------------------------ */

static bool has_str(const ujson *arr, const char *s)
{
	size_t i;

	for (i = 0; i < ujson_array_size(arr); i++) {
		const char *v = ujson_str_value(ujson_array_get(arr, i));
		if (v && !strcmp(v, s))
			return true;
	}
	return false;
}

static void add_distinct(match_job *j, ujson *arr, const char *s)
{
	/* a reference that is not UTF-8 cannot be kept in JSON: not weighed */
	if (s && *s && mtext_valid(s, strlen(s)) && !has_str(arr, s))
		mj_append(j, arr, ujson_string(s));
}

/* An array that is there and not empty: references to weigh. */
static const ujson *refs_of(const ujson *refs, const char *key)
{
	const ujson *a = ujson_get(refs, key);

	return ujson_array_size(a) ? a : NULL;
}

/* Both there, and no reference in common. */
static bool disjoint(const ujson *a, const ujson *b)
{
	size_t i;

	if (!a || !b)
		return false;
	for (i = 0; i < ujson_array_size(a); i++) {
		const char *v = ujson_str_value(ujson_array_get(a, i));
		if (v && has_str(b, v))
			return false;
	}
	return true;
}

static const char *first_str(const ujson *arr)
{
	const char *s = ujson_str_value(ujson_array_get(arr, 0));

	return s ? s : "?";
}

/* The first reference a and b have in common. */
static const char *common(const ujson *a, const ujson *b)
{
	size_t i;

	for (i = 0; i < ujson_array_size(a); i++) {
		const char *v = ujson_str_value(ujson_array_get(a, i));
		if (v && has_str(b, v))
			return v;
	}
	return "?";
}

/*
 * This invoice's references (match.h, match_result.refs): the orders only
 * when every line is tied to a line of one (an order named and not matched
 * tells nothing), the goods receipts only when registered on those orders,
 * for a credit note the invoice it corrects.
 */
static ujson *own_refs(match_job *j, const booking *b)
{
	const char *named[2] = { j->inv->receiving_advice_ref.v, j->inv->despatch_advice_ref.v };
	ujson *o = ujson_object(), *orders = ujson_array(), *receipts = ujson_array();
	bool tied = true, lines = false, known;
	size_t i, k, q;
	int rc;

	if (!o || !orders || !receipts) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		goto fail;
	}
	if (j->credit) {
		if (j->credited)
			mj_set_str(j, o, "credits", j->credited->invoice_number);
		goto done;
	}
	for (i = 0; i < b->n; i++) {
		const booking_row *r = &b->rows[i];
		if (r->kind != BK_LINE)
			continue;
		lines = true;
		if (!r->order_no[0])
			tied = false;
		add_distinct(j, orders, r->order_no);
	}
	if (!lines || !tied || j->rc)
		goto done;
	for (k = 0; k < 2; k++) {
		for (q = 0; named[k] && q < ujson_array_size(orders); q++) {
			rc = refdata_receipt_known(&known, j->m->rd,
						   ujson_str_value(ujson_array_get(orders, q)),
						   named[k], j->err);
			if (rc) {
				j->rc = rc;
				goto fail;
			}
			if (known) {
				add_distinct(j, receipts, named[k]);
				break;
			}
		}
	}
	mj_set_new(j, o, "orders", orders);
	orders = NULL;
	if (ujson_array_size(receipts)) {
		mj_set_new(j, o, "receipts", receipts);
		receipts = NULL;
	}
done:
	ujson_free(orders);
	ujson_free(receipts);
	return o;
fail:
	ujson_free(orders);
	ujson_free(receipts);
	ujson_free(o);
	return NULL;
}

/* A recorded invoice's references: as recorded when it was posted, else
 * (the imported history, or posted before they were kept) the orders its
 * lines were booked on. */
static ujson *record_refs(match_job *j, const ref_invoice *p)
{
	ujson *o = NULL, *orders;
	size_t i;

	if (p->refs && !ujson_parse(&o, p->refs, strlen(p->refs), NULL, NULL) && ujson_is_object(o))
		return o;
	ujson_free(o);
	o = ujson_object();
	orders = ujson_array();
	if (!o || !orders) {
		ujson_free(o);
		ujson_free(orders);
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return NULL;
	}
	add_distinct(j, orders, p->order_no);
	for (i = 0; i < p->nlines; i++)
		add_distinct(j, orders, p->lines[i].order_no);
	mj_set_new(j, o, "orders", orders);
	return o;
}

/* What tells this invoice apart from `number`, of the same content, for
 * the explanation; NULL when nothing does. */
static const char *apart(match_job *j, const ujson *mine, const ujson *theirs, const char *number)
{
	const char *c1 = ujson_get_str(mine, "credits"), *c2 = ujson_get_str(theirs, "credits");
	const ujson *mo = refs_of(mine, "orders"), *to = refs_of(theirs, "orders");
	const ujson *mr = refs_of(mine, "receipts"), *tr = refs_of(theirs, "receipts");

	if (j->credit)
		return c1 && c2 && strcmp(c1, c2) ? mj_fmt(j, "this one corrects invoice %s, %s"
							 " corrected %s", c1, number, c2) : NULL;
	if (disjoint(mo, to))
		return mj_fmt(j, "this one is for order %s, %s was for order %s", first_str(mo), number,
			      first_str(to));
	if (mo && disjoint(mr, tr))
		return mj_fmt(j, "this one is for goods receipt %s of order %s, %s was for goods"
			      " receipt %s", first_str(mr), common(mo, to), number, first_str(tr));
	return NULL;
}

/* Why nothing tells them apart, for the reason. */
static const char *alike(match_job *j, const ujson *mine, const ujson *theirs, const char *number)
{
	const char *c1 = ujson_get_str(mine, "credits"), *c2 = ujson_get_str(theirs, "credits");
	const ujson *mo = refs_of(mine, "orders"), *to = refs_of(theirs, "orders");
	const ujson *mr = refs_of(mine, "receipts"), *tr = refs_of(theirs, "receipts");

	if (j->credit) {
		if (!c1)
			return "this credit note corrects no posted invoice";
		if (!c2)
			return mj_fmt(j, "%s is not known to correct another invoice", number);
		return mj_fmt(j, "both correct invoice %s", c1);
	}
	if (!mo)
		return "this one is tied to no order line by line";
	if (!to)
		return mj_fmt(j, "%s was tied to no order", number);
	if (mr && tr)
		return mj_fmt(j, "both are for order %s and goods receipt %s", common(mo, to),
			      common(mr, tr));
	return mj_fmt(j, "both are for order %s%s", common(mo, to),
		      mr || tr ? ", and only one names a goods receipt" : "");
}

/*
 * One earlier invoice of the same content: a duplicate unless something
 * tells them apart.  `where` says where it is, for the texts; the first
 * that is one (*named false) is named in the reason and duplicate_of, the
 * others only in the explanation.
 */
static void weigh(match_job *j, bool *named, const ujson *mine, const ujson *theirs,
		  const char *number, int64_t doc, const char *state, const char *where)
{
	const char *why = apart(j, mine, theirs, number);
	size_t n;

	if (j->rc)
		return;
	if (why) {
		mj_note(j, j->xdup, "fingerprint", true, "same supplier, date, currency, total and line"
		        " amounts as %s %s, but %s: not a duplicate", where, number, why);
		return;
	}
	why = alike(j, mine, theirs, number);
	mj_note(j, j->xdup, "fingerprint", false, "same supplier, date, currency, total and line"
	        " amounts as %s %s; %s", where, number, why);
	if (*named)
		return;
	*named = true;
	dup_of(j, "content", number, doc, state);
	n = j->res->nreasons;
	mj_reason(j, MR_DUPLICATE, NULL, "same content (supplier, date, total and every line"
	          " amount) as %s %s, under another number; %s", where, number, why);
	/* with the other duplicates, before what the order match found: a
	 * person reads first that it may be a copy */
	if (j->res->nreasons > n && j->dup_at < n) {
		match_reason dup = j->res->reasons[n];
		memmove(&j->res->reasons[j->dup_at + 1], &j->res->reasons[j->dup_at],
			(n - j->dup_at) * sizeof(dup));
		j->res->reasons[j->dup_at] = dup;
	}
}

static bool among(const store_content_doc *docs, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (docs[i].id == id)
			return true;
	return false;
}

void mj_content_duplicates(match_job *j, const booking *b)
{
	const invoice *inv = j->inv;
	ref_invoice *prior[MAX_SAME];
	store_content_doc *docs = NULL;
	size_t np = 0, nd = 0, i, seen = 0;
	bool named = false;
	ujson *mine = NULL;
	record_buf rb;
	char *refs;
	int rc;

	if (!inv->id.v)
		return;
	if (mj_as_record(&rb, j, b)) {
		j->rc = ULF_ENOMEM;
		return;
	}
	refdata_fingerprint(j->res->fingerprint, &rb.rec);
	free(rb.lines);
	mine = own_refs(j, b);
	if (!mine)
		return;
	if (ujson_get(mine, "orders") || ujson_get(mine, "credits")) {
		refs = ujson_dump(mine, UJSON_COMPACT | UJSON_SORTED);
		j->res->refs = refs ? mj_str(j, refs) : "";
		if (!refs)
			j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		free(refs);
	}
	if (j->rc)
		goto out;
	rc = refdata_invoices_by_fingerprint(prior, &np, MAX_SAME, j->m->rd, j->res->fingerprint,
					     j->err);
	if (rc) {
		j->rc = rc;
		goto out;
	}
	if (!j->m->no_docs) {
		rc = store_find_same_content(&docs, &nd, j->m->d, j->kind, j->in->doc_id,
					     j->res->fingerprint, MAX_SAME, j->err);
		if (rc == ULF_ENOTFOUND) {
			j->m->no_docs = true;
		} else if (rc) {
			j->rc = rc;
			goto out;
		}
	}
	/* posted (or imported) first; one with a document in the store is
	 * weighed with the references its document keeps */
	for (i = 0; i < np && !j->rc; i++) {
		const ref_invoice *p = prior[i];
		ujson *theirs;
		if (!strcmp(p->invoice_number, inv->id.v) ||
		    (p->doc_id && (p->doc_id == j->in->doc_id || among(docs, nd, p->doc_id))))
			continue;   /* the same number is mj_duplicates' */
		theirs = record_refs(j, p);
		if (theirs)
			weigh(j, &named, mine, theirs, p->invoice_number, p->doc_id, "posted", "posted invoice");
		ujson_free(theirs);
		seen++;
	}
	for (i = 0; i < nd && !j->rc; i++) {
		const store_content_doc *d = &docs[i];
		ujson *theirs = NULL;
		const char *where;
		if (!strcmp(d->number, inv->id.v))
			continue;
		if (d->refs && ujson_parse(&theirs, d->refs, strlen(d->refs), NULL, NULL))
			theirs = NULL;   /* unreadable references tell nothing apart */
		if (!theirs && !(theirs = ujson_object())) {
			j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
			break;
		}
		where = mj_fmt(j, "document %lld (%s), invoice", (long long)d->id,
			       store_state_name(d->state));
		weigh(j, &named, mine, theirs, d->number, d->id, store_state_name(d->state), where);
		ujson_free(theirs);
		seen++;
	}
	if (!seen && !j->rc)
		mj_note(j, j->xdup, "fingerprint", true, "no posted invoice or document in the store"
		        " with the same content");
out:
	for (i = 0; i < np; i++)
		refdata_invoice_free(prior[i]);
	store_content_docs_free(docs, nd);
	ujson_free(mine);
}

/* ---- credit notes ----------------------------------------------------- */

static const ref_invoice_line *credited_line(const ref_invoice *orig, const booking_row *r)
{
	size_t i;

	for (i = 0; r->item_key[0] && i < orig->nlines; i++)
		if (orig->lines[i].item_key && !strcmp(orig->lines[i].item_key, r->item_key))
			return &orig->lines[i];
	for (i = 0; r->text_key[0] && i < orig->nlines; i++)
		if (orig->lines[i].text_key && !strcmp(orig->lines[i].text_key, r->text_key))
			return &orig->lines[i];
	return orig->nlines == 1 ? &orig->lines[0] : NULL;
}

void mj_credit_match(match_job *j, booking *b)
{
	const invoice *inv = j->inv;
	ujson *checks = j->header;
	ref_invoice *orig = NULL;
	size_t i;
	int rc;

	for (i = 0; i < inv->npreceding && !orig; i++) {
		if (!inv->preceding[i].id.v)
			continue;
		rc = refdata_invoice_get(&orig, j->m->rd, j->res->supplier_key,
					 inv->preceding[i].id.v, "invoice", j->err);
		if (rc && rc != ULF_ENOTFOUND) {
			j->rc = rc;
			return;
		}
		if (!orig)
			mj_note(j, checks, "credited invoice", false, "invoice %s is not among the posted"
			        " invoices of %s", inv->preceding[i].id.v, j->res->supplier_key);
	}
	if (!orig) {
		if (inv->npreceding && inv->preceding[0].id.v)
			mj_reason(j, MR_CREDIT_NO_INVOICE, NULL, "the credit note corrects invoice %s,"
			          " which has not been posted for this supplier", inv->preceding[0].id.v);
		else
			mj_reason(j, MR_CREDIT_NO_INVOICE, NULL, "the credit note does not say which"
			          " invoice it corrects (no BillingReference / InvoiceDocumentReference)");
		j->res->flow = inv->order_ref.v ? MATCH_FLOW_PO : MATCH_FLOW_NONPO;
		return;
	}
	j->credited_rec = orig;
	j->credited = orig;
	j->res->credited = mj_str(j, orig->invoice_number);
	mj_note(j, checks, "credited invoice", true, "corrects invoice %s of %s (%s flow)",
	        orig->invoice_number, orig->issue_date ? orig->issue_date : "?",
	        orig->flow ? orig->flow : "?");
	j->res->flow = orig->flow && !strcmp(orig->flow, "po") ? MATCH_FLOW_PO
		     : orig->flow && !strcmp(orig->flow, "recurring") ? MATCH_FLOW_RECURRING
		     : MATCH_FLOW_NONPO;
	if (orig->order_no)
		j->res->order_no = mj_str(j, orig->order_no);
	/* the credit may not take back more than the invoice was */
	{
		rules_tol t;
		dec credit = dec_abs(b->total_net), was = dec_abs(orig->net_total), over, allowed;
		char a[DEC_STR_MAX], w[DEC_STR_MAX], al[DEC_STR_MAX], tt[64];
		rules_tolerance(&t, j->m->rules, TOL_TOTAL, &j->who);
		rules_tol_text(tt, sizeof(tt), &t);
		mj_fmt_dec(a, sizeof(a), credit);
		mj_fmt_dec(w, sizeof(w), was);
		if (rules_tol_allowed(&allowed, &t, was) || dec_sub(&over, credit, was)) {
			mj_out_of_range(j, checks, "credited total", MR_CREDIT_EXCEEDS_INVOICE, NULL,
					"the credit of %s against invoice %s's %s", a,
					orig->invoice_number, w);
		} else if (dec_sign(over) > 0 && dec_cmp(over, allowed) > 0) {
			mj_fmt_dec(al, sizeof(al), allowed);
			mj_note(j, checks, "credited total", false, "credits %s of invoice %s's %s: over by more"
			        " than the %s allowed (total %s, %s)", a, orig->invoice_number, w, al, tt,
			        t.scope);
			mj_reason(j, MR_CREDIT_EXCEEDS_INVOICE, NULL, "the credit note takes back %s, invoice"
			          " %s was %s (%s allowed over)", a, orig->invoice_number, w, al);
		} else {
			mj_note(j, checks, "credited total", true, "credits %s of invoice %s's %s", a,
			        orig->invoice_number, w);
		}
	}
	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const ref_invoice_line *ol = credited_line(orig, r);
		const char *vals[RB_COUNT];
		int f;
		if (!ol)
			continue;
		vals[RB_ACCOUNT] = ol->account;
		vals[RB_COST_CENTRE] = ol->cost_centre;
		vals[RB_ACTIVITY] = ol->activity;
		vals[RB_PROJECT] = ol->project;
		vals[RB_VAT_CODE] = ol->vat_code;
		for (f = 0; f < RB_COUNT; f++)
			booking_set(b, &r->f[f], vals[f], BSRC_CREDITED, 100, "as booked on invoice %s%s%s",
				    orig->invoice_number, ol->line_id ? " line " : "",
				    ol->line_id ? ol->line_id : "");
		if (ol->order_no) {
			r->order_no = booking_str(b, ol->order_no);
			r->order_line_id = booking_str(b, ol->order_line_id);
		}
		if (r->kind == BK_LINE && !dec_is_zero(ol->quantity) &&
		    dec_cmp(dec_abs(r->quantity), dec_abs(ol->quantity)) > 0) {
			char a[DEC_STR_MAX], q[DEC_STR_MAX];
			mj_fmt_qty(a, sizeof(a), dec_abs(r->quantity));
			mj_fmt_qty(q, sizeof(q), dec_abs(ol->quantity));
			mj_reason(j, MR_CREDIT_EXCEEDS_INVOICE, r->line_id, "line %s credits %s, invoice %s"
			          " had %s", r->line_id, a, orig->invoice_number, q);
		}
	}
}
