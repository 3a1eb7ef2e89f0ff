/*
 * queue_doc.c - what the invoice page shows of a document (queue_get): the
 * invoice read again from its stored bytes, the matcher's explanation and
 * suggestion as the pipeline stored them, the order and goods-receipt
 * lines from the reference data, the history from the store; and the
 * attachments, the care claim (masked, or unmasked with an audit row) and
 * the Invoice Response.  See queue.h.
 *
 * Everything is copied into the queue_doc's arena; free texts pass through
 * mask() on the way, so a personal identity number in a file name, a line
 * text or a message is shown masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "robot/care/care.h"
#include "robot/pipeline/pipeline_int.h"
#include "robot/pipeline/queue.h"

/* What the reading of one document shares. */
typedef struct rd {
	queue_doc *d;
	store *s;
	ujson *result;            /* documents.result, parsed */
	ulf_document doc;         /* the invoice read again, or nothing */
	bool oom;
} rd;

/* ---- texts ------------------------------------------------------------- */

/* A copy of s in the arena with every personal identity number masked
 * (core/pnr.h: the one masker). */
static const char *mask(rd *r, const char *s)
{
	size_t n, need;
	char *c;

	if (!s)
		return NULL;
	n = strlen(s);
	need = pnr_masked_len(s, n) + 1;
	if (!(c = arena_alloc(&r->d->mem, need))) {
		r->oom = true;
		return NULL;
	}
	pnr_mask_into(c, need, s, n);
	return c;
}

/* A copy without masking (codes, amounts, dates). */
static const char *tdup(rd *r, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	if (!(c = arena_strdup(&r->d->mem, s)))
		r->oom = true;
	return c;
}

static const char *dup_dec(rd *r, dec v, bool set, int places)
{
	char buf[DEC_STR_MAX];

	if (!set)
		return NULL;
	dec_format(buf, sizeof(buf), v, places);
	return tdup(r, buf);
}

static const char *jdup(rd *r, const ujson *o, const char *key)
{
	return mask(r, ujson_get_str(o, key));
}

static void *alloc_n(rd *r, size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	if (!(p = arena_alloc(&r->d->mem, n * size)))
		r->oom = true;
	return p;
}

/* ---- the invoice ------------------------------------------------------------ */

static const char *address_text(rd *r, const inv_address *a)
{
	char buf[512];

	if (!a->present)
		return NULL;
	snprintf(buf, sizeof(buf), "%s%s%s %s%s%s", a->line1.v ? a->line1.v : "",
		 a->line1.v ? ", " : "", a->postcode.v ? a->postcode.v : "",
		 a->city.v ? a->city.v : "", a->country.v ? ", " : "", a->country.v ? a->country.v : "");
	return mask(r, buf);
}

static void read_header(rd *r, const invoice *inv)
{
	queue_doc *d = r->d;
	size_t i;

	d->issue_date = tdup(r, inv->issue_date.v);
	d->due_date = tdup(r, inv->due_date.v);
	d->currency = tdup(r, inv->currency.v);
	d->seller_name = mask(r, inv->seller.name.v ? inv->seller.name.v : inv->seller.trading_name.v);
	d->seller_org = tdup(r, inv->seller.legal_id.v);
	d->seller_vat = tdup(r, inv->seller.vat_id.v);
	d->seller_peppol = tdup(r, inv->seller.endpoint.v);
	d->seller_address = address_text(r, &inv->seller.address);
	d->buyer_name = mask(r, inv->buyer.name.v);
	d->buyer_org = tdup(r, inv->buyer.legal_id.v ? inv->buyer.legal_id.v : inv->buyer.endpoint.v);
	d->buyer_reference = mask(r, inv->buyer_reference.v);
	d->order_reference = mask(r, inv->order_ref.v);
	for (i = 0; i < inv->npayments && !d->payment_account; i++) {
		d->payment_account = tdup(r, inv->payments[i].account.id.v);
		d->payment_reference = mask(r, inv->payments[i].remittance.v);
	}
	d->net_total = dup_dec(r, inv->totals.tax_exclusive.v, inv->totals.tax_exclusive.set, 2);
	d->vat_total = dup_dec(r, inv->totals.tax.v, inv->totals.tax.set, 2);
	d->payable = dup_dec(r, inv->totals.payable.v, inv->totals.payable.set, 2);
}

static void read_attachments(rd *r, const invoice *inv)
{
	queue_doc *d = r->d;
	size_t i, n = 0;

	for (i = 0; i < inv->ndocs; i++)
		n += inv->docs[i].attachment != NULL;
	d->attachments = alloc_n(r, n, sizeof(*d->attachments));
	for (i = 0; i < inv->ndocs && d->attachments; i++) {
		const inv_docref *x = &inv->docs[i];
		queue_attachment *a;
		if (!x->attachment)
			continue;
		a = &d->attachments[d->nattachments++];
		a->index = d->nattachments - 1;
		a->name = mask(r, x->attachment->filename ? x->attachment->filename : x->id.v);
		a->mime = tdup(r, x->attachment->mime);
		a->description = mask(r, x->description.v);
		a->size = x->attachment->size;
	}
}

/* ---- the matcher's words ----------------------------------------------------- */

static const ujson *match_of(rd *r)
{
	return ujson_get(r->result, "match");
}

static void read_checks(rd *r, queue_check **out, size_t *out_n, const ujson *arr)
{
	size_t i, n = ujson_array_size(arr);

	*out = alloc_n(r, n, sizeof(**out));
	*out_n = *out ? n : 0;
	for (i = 0; i < *out_n; i++) {
		const ujson *c = ujson_array_get(arr, i);
		queue_check *k = &(*out)[i];
		k->check = jdup(r, c, "check");
		k->result = jdup(r, c, "result");
		k->invoice = jdup(r, c, "invoice");
		k->expected = jdup(r, c, "expected");
		k->difference = jdup(r, c, "difference");
		k->allowed = jdup(r, c, "allowed");
		k->tolerance = jdup(r, c, "tolerance");
		k->scope = jdup(r, c, "scope");
		k->rules_line = (int)ujson_get_int(c, "rules_line", 0);
		k->text = jdup(r, c, "text");
	}
}

static void read_match(rd *r)
{
	const ujson *m = match_of(r), *x = ujson_get(m, "explanation");
	const ujson *sup = ujson_get(x, "supplier"), *cands = ujson_get(ujson_get(x, "order"),
									  "candidates");
	const ujson *fired = ujson_get(x, "rules_fired");
	queue_match *q = &r->d->match;
	const char *order;
	char buf[320];
	size_t i;

	if (!m)
		return;
	q->decision = jdup(r, m, "decision");
	q->flow = jdup(r, m, "flow");
	q->supplier_no = jdup(r, m, "supplier_no");
	q->supplier_name = jdup(r, m, "supplier_name");
	if (ujson_get_str(sup, "identified_by")) {
		snprintf(buf, sizeof(buf), "%s %s", ujson_get_str(sup, "identified_by"),
			 ujson_get_str(sup, "identified_value") ? ujson_get_str(sup, "identified_value")
								 : "");
		q->supplier_how = mask(r, buf);
	}
	q->order_no = jdup(r, m, "order_no");
	order = ujson_get_str(m, "order_no");
	for (i = 0; order && i < ujson_array_size(cands); i++) {
		const ujson *c = ujson_array_get(cands, i);
		if (ujson_get_str(c, "value") && strcmp(ujson_get_str(c, "value"), order) == 0) {
			q->order_source = jdup(r, c, "source");
			break;
		}
	}
	for (i = 0; i < ujson_array_size(fired); i++) {
		const ujson *f = ujson_array_get(fired, i);
		const char *kind = ujson_get_str(f, "kind");
		if (kind && (!strcmp(kind, "nonpo") || !strcmp(kind, "recurring") ||
			     !strcmp(kind, "extract"))) {
			snprintf(buf, sizeof(buf), "%s %s (line %lld)", kind,
				 ujson_get_str(f, "rule") ? ujson_get_str(f, "rule") : "?",
				 (long long)ujson_get_int(f, "line", 0));
			q->rule = mask(r, buf);
			if (strcmp(kind, "extract"))
				break;
		}
	}
	q->credited_invoice = jdup(r, m, "credited_invoice");
	read_checks(r, &q->header_checks, &q->nheader_checks, ujson_get(x, "header"));
}

static void read_reasons(rd *r, const char *codes_json)
{
	const ujson *arr = ujson_get(match_of(r), "reasons");
	ujson *codes = NULL;
	queue_doc *d = r->d;
	size_t i, n = ujson_array_size(arr);

	if (n) {
		d->reasons = alloc_n(r, n, sizeof(*d->reasons));
		for (i = 0; d->reasons && i < n; i++) {
			const ujson *o = ujson_array_get(arr, i);
			d->reasons[d->nreasons].code = jdup(r, o, "code");
			d->reasons[d->nreasons].line_id = jdup(r, o, "line");
			d->reasons[d->nreasons++].message = jdup(r, o, "message");
		}
		return;
	}
	/* not the matcher's: the codes, the first with the stage's message */
	if (!codes_json || ujson_parse(&codes, codes_json, strlen(codes_json), NULL, NULL))
		return;
	n = ujson_array_size(codes);
	d->reasons = alloc_n(r, n, sizeof(*d->reasons));
	for (i = 0; d->reasons && i < n; i++) {
		d->reasons[d->nreasons].code = tdup(r, ujson_str_value(ujson_array_get(codes, i)));
		d->reasons[d->nreasons++].message = i == 0 ? jdup(r, r->result, "message") : NULL;
	}
	ujson_free(codes);
}

static void read_findings(rd *r, const ujson *arr)
{
	queue_doc *d = r->d;
	size_t i, n = ujson_array_size(arr);

	if (!n || d->findings)
		return;
	d->findings = alloc_n(r, n, sizeof(*d->findings));
	for (i = 0; d->findings && i < n; i++) {
		const ujson *f = ujson_array_get(arr, i);
		d->findings[d->nfindings].rule = jdup(r, f, "rule");
		d->findings[d->nfindings].flag = jdup(r, f, "flag");
		d->findings[d->nfindings++].text = jdup(r, f, "message");
	}
}

/*
 * The booking suggestion per line: the matcher's, each field with its
 * source; a care invoice has none of the matcher's, and its suggestion is
 * the care booking the post stage keeps (result["booking"], care rules per
 * line), shown with that as its source.
 */
static void read_suggestion(rd *r)
{
	const ujson *sg = ujson_get(match_of(r), "suggestion");
	const ujson *rows = ujson_get(sg, "lines"), *rounding = ujson_get(sg, "rounding");
	queue_doc *d = r->d;
	size_t i, n = ujson_array_size(rows);
	bool care = false;
	int f;

	if (n == 0) {
		rows = ujson_get(ujson_get(r->result, "booking"), "lines");
		rounding = NULL;
		n = ujson_array_size(rows);
		care = n > 0;
	}
	d->suggestion = alloc_n(r, n + 1, sizeof(*d->suggestion));
	for (i = 0; d->suggestion && i <= n; i++) {
		const ujson *o = i < n ? ujson_array_get(rows, i) : rounding;
		const ujson *src;
		queue_booking_row *b;
		if (!ujson_is_object(o))
			continue;
		b = &d->suggestion[d->nsuggestion++];
		src = ujson_get(o, "sources");
		b->kind = care ? tdup(r, "line") : jdup(r, o, "kind");
		b->line_id = jdup(r, o, "invoice_line_id");
		b->description = mask(r, ujson_get_str(o, "description"));
		b->net = jdup(r, o, "net_amount");
		b->vat = jdup(r, o, "vat_amount");
		for (f = 0; f < QUEUE_NFIELDS; f++) {
			const ujson *fs = ujson_get(src, queue_field_name(f));
			b->f[f].value = jdup(r, o, queue_field_name(f));
			if (care && b->f[f].value) {
				b->f[f].source = tdup(r, "care");
				b->f[f].detail = tdup(r, "the care booking (care rules, docs/care.md)");
				b->f[f].confidence = 100;
				continue;
			}
			b->f[f].source = jdup(r, fs, "source");
			b->f[f].detail = jdup(r, fs, "detail");
			b->f[f].confidence = (int)ujson_get_int(fs, "confidence", 0);
		}
	}
	if (!care && !d->match.confidence && n)
		for (i = 0; i < n; i++) {
			int c = (int)ujson_get_int(ujson_array_get(rows, i), "confidence", 0);
			if (i == 0 || c < d->match.confidence)
				d->match.confidence = c;
		}
}

/* ---- the lines beside their order lines ---------------------------------- */

/* The orders the lines were matched to, read once each. */
typedef struct orders {
	refdata *rd;
	ref_order *o[8];
	ref_receipt *rc[8];
	size_t nrc[8];
	size_t n;
	arena mem;               /* the receipts */
} orders;

static ref_order *order_get(orders *os, size_t *idx, const char *no, ulf_err *err)
{
	ulf_err none;
	size_t i;

	for (i = 0; i < os->n; i++)
		if (strcmp(os->o[i]->order_no, no) == 0) {
			*idx = i;
			return os->o[i];
		}
	if (os->n == 8)
		return NULL;
	ulf_err_clear(&none);
	if (refdata_order_get(&os->o[os->n], os->rd, no, &none))
		return NULL;
	if (refdata_receipts(&os->rc[os->n], &os->nrc[os->n], &os->mem, os->rd, no, &none))
		os->nrc[os->n] = 0;
	(void)err;
	*idx = os->n;
	return os->o[os->n++];
}

static void orders_release(orders *os)
{
	size_t i;

	for (i = 0; i < os->n; i++)
		refdata_order_free(os->o[i]);
	refdata_free(os->rd);
	arena_release(&os->mem);
}

/* The explanation's entry for invoice line `lid`. */
static const ujson *xline(rd *r, const char *lid)
{
	const ujson *lines = ujson_get(ujson_get(match_of(r), "explanation"), "lines");
	size_t i;

	for (i = 0; lid && i < ujson_array_size(lines); i++) {
		const ujson *l = ujson_array_get(lines, i);
		if (ujson_get_str(l, "invoice_line") && !strcmp(ujson_get_str(l, "invoice_line"), lid))
			return l;
	}
	return NULL;
}

static void line_order(rd *r, queue_line *q, const ujson *xl, orders *os, ulf_err *err)
{
	const char *no = ujson_get_str(xl, "order"), *olid = ujson_get_str(xl, "order_line");
	const ref_order *o;
	size_t oi, i, n = 0;

	q->order_no = tdup(r, no);
	q->order_line_id = tdup(r, olid);
	if (!no || !olid || !(o = order_get(os, &oi, no, err)))
		return;
	for (i = 0; i < o->nlines; i++) {
		const ref_order_line *ol = &o->lines[i];
		if (!ol->line_id || strcmp(ol->line_id, olid))
			continue;
		q->order_item_id = mask(r, ol->item_id);
		q->order_name = mask(r, ol->name);
		q->order_quantity = dup_dec(r, ol->quantity, ol->quantity_set, 0);
		q->order_unit = tdup(r, ol->unit);
		q->order_price = dup_dec(r, ol->price, ol->price_set, 2);
		q->order_net = dup_dec(r, ol->net, ol->net_set, 2);
		q->received_quantity = dup_dec(r, ol->received_qty, true, 0);
		q->invoiced_before = dup_dec(r, ol->invoiced_qty, true, 0);
		break;
	}
	for (i = 0; i < os->nrc[oi]; i++)
		n += os->rc[oi][i].order_line_id && !strcmp(os->rc[oi][i].order_line_id, olid);
	q->receipts = alloc_n(r, n, sizeof(*q->receipts));
	for (i = 0; q->receipts && i < os->nrc[oi]; i++) {
		const ref_receipt *rc = &os->rc[oi][i];
		queue_receipt *x;
		if (!rc->order_line_id || strcmp(rc->order_line_id, olid))
			continue;
		x = &q->receipts[q->nreceipts++];
		x->receipt_id = tdup(r, rc->receipt_id);
		x->line_id = tdup(r, rc->line_id);
		x->date = tdup(r, rc->date);
		x->quantity = dup_dec(r, rc->quantity, true, 0);
		x->unit = tdup(r, rc->unit);
	}
}

static int read_lines(rd *r, const invoice *inv, ulf_err *err)
{
	queue_doc *d = r->d;
	orders os;
	size_t i, k;
	int rc;

	memset(&os, 0, sizeof(os));
	arena_init(&os.mem, 16u << 20);
	rc = refdata_open(&os.rd, store_db(r->s), err);
	if (rc)
		goto out;
	d->lines = alloc_n(r, inv->nlines, sizeof(*d->lines));
	for (i = 0; d->lines && i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		queue_line *q = &d->lines[d->nlines++];
		const ujson *xl = xline(r, l->id.v);
		q->line_id = tdup(r, l->id.v);
		q->item_name = mask(r, l->item_name.v);
		q->description = mask(r, l->item_description.v ? l->item_description.v : l->note.v);
		q->seller_item_id = mask(r, l->seller_item_id.v);
		q->quantity = dup_dec(r, l->quantity.v, l->quantity.set, 0);
		q->unit = tdup(r, l->quantity.unit);
		q->price = dup_dec(r, l->price.v, l->price.set, 2);
		q->net = dup_dec(r, l->net.v, l->net.set, 2);
		q->vat_category = tdup(r, l->vat_category.v);
		q->vat_rate = dup_dec(r, l->vat_rate.v, l->vat_rate.set, 0);
		q->order_line_ref = mask(r, l->order_line_ref.v);
		if (!xl)
			continue;
		line_order(r, q, xl, &os, err);
		read_checks(r, &q->checks, &q->nchecks, ujson_get(xl, "checks"));
		for (k = 0; k < q->nchecks; k++)
			if (q->checks[k].result && !strcmp(q->checks[k].result, "deviation"))
				q->deviation = true;
	}
out:
	orders_release(&os);
	return rc;
}

/* ---- the history --------------------------------------------------------------- */

typedef struct hist {
	rd *r;
	queue_event *v;
	size_t n, cap;
	ujson *findings;          /* the last validate step's */
} hist;

static void history_row(const store_history_row *row, void *ctx)
{
	hist *h = ctx;
	queue_event *e;

	if (!row->is_audit && row->what && !strcmp(row->what, "validate") && row->detail) {
		ujson *o = NULL;
		if (ujson_parse(&o, row->detail, strlen(row->detail), NULL, NULL) == 0 &&
		    ujson_get(o, "findings")) {
			ujson_free(h->findings);
			h->findings = o;
		} else {
			ujson_free(o);
		}
	}
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 32;
		queue_event *nv = ncap <= 100000 ? realloc(h->v, ncap * sizeof(*nv)) : NULL;
		if (!nv) {
			h->r->oom = true;
			return;
		}
		h->v = nv;
		h->cap = ncap;
	}
	e = &h->v[h->n++];
	e->at = row->at;
	e->who = tdup(h->r, row->who);
	e->what = tdup(h->r, row->what);
	e->from = row->is_audit ? NULL : tdup(h->r, row->from);
	e->to = row->is_audit ? NULL : tdup(h->r, row->to);
	e->detail = mask(h->r, row->detail);
	e->duration_us = row->duration_us;
	e->person = row->is_audit;
}

static int read_history(rd *r, ulf_err *err)
{
	hist h = { r, NULL, 0, 0, NULL };
	queue_doc *d = r->d;
	int rc;

	rc = store_history(r->s, d->id, history_row, &h, err);
	if (rc == 0 && h.n) {
		d->history = alloc_n(r, h.n, sizeof(*d->history));
		if (d->history) {
			memcpy(d->history, h.v, h.n * sizeof(*h.v));
			d->nhistory = h.n;
		}
	}
	if (rc == 0)
		read_findings(r, ujson_get(h.findings, "findings"));
	ujson_free(h.findings);
	free(h.v);
	return rc;
}

/* ---- the care claim ------------------------------------------------------------- */

/* The claim of document `id`: embedded in its invoice (inv), joined from a
 * claim document, or the document itself a claim.  NULL when none. */
static claim *find_claim(store *s, int64_t id, const invoice *inv, const char *name,
			 ulf_err *err)
{
	reader_opts ro;
	claim *c = NULL;
	void *bytes = NULL;
	size_t len = 0;
	int64_t claim_doc = 0;
	ulf_err none;

	(void)err;
	reader_opts_init(&ro);
	ro.claims = true;
	ulf_err_clear(&none);
	if (inv && claim_from_invoice(&c, inv, name, &ro.xml, &ro.inv, &none) == 0)
		return c;
	ulf_err_clear(&none);
	if (store_care_partner(&claim_doc, s, id, &none) || !claim_doc)
		claim_doc = id;
	ulf_err_clear(&none);
	if (store_care_bytes(&bytes, &len, s, claim_doc, &none))
		return NULL;
	ulf_err_clear(&none);
	if (reader_read_claim(&c, bytes, len, "claim", &ro, &none))
		c = NULL;
	free(bytes);
	return c;
}

/* ---- queue_get ------------------------------------------------------------------ */

static int get_text(char **out, store *s, int64_t id, const char *col, ulf_err *err)
{
	return store_get_text(out, s, id, col, err);
}

int queue_get(queue_doc *out, store *s, int64_t id, ulf_err *err)
{
	bool kept_care;   /* bytes holding patient data: whatever is shown is masked */
	static const char *const cols[] = {
		"state", "kind", "syntax", "name", "reasons", "result", "booking", "seller_name",
		"invoice_number", "payable", "currency", "flow", "seller_org",
	};
	enum { C_STATE, C_KIND, C_SYNTAX, C_NAME, C_REASONS, C_RESULT, C_BOOKING, C_SELLER,
	       C_NUMBER, C_PAYABLE, C_CURRENCY, C_FLOW, C_ORG, C_N };
	char *v[C_N] = { NULL };
	void *bytes = NULL;
	char *name = NULL, *resp = NULL, *code = NULL;
	size_t len = 0, i;
	bool found = false, waiting = false;
	reader_opts ro;
	claim *c = NULL;
	ulf_err none;
	rd r;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	arena_init(&out->mem, 64u << 20);
	r.d = out;
	r.s = s;
	out->id = id;
	for (i = 0; i < C_N && rc == 0; i++)
		rc = get_text(&v[i], s, id, cols[i], err);
	if (rc)
		goto out;
	out->state = tdup(&r, v[C_STATE]);
	out->name = mask(&r, v[C_NAME]);
	out->kind = tdup(&r, v[C_KIND]);
	out->syntax = tdup(&r, v[C_SYNTAX]);
	out->booking_json = mask(&r, v[C_BOOKING]);
	if (v[C_RESULT] && ujson_parse(&r.result, v[C_RESULT], strlen(v[C_RESULT]), NULL, NULL))
		r.result = NULL;
	out->suggestion_complete = ujson_is_object(ujson_get(r.result, "booking"));

	/* what the list shows: its row, or (never waited) the document's own */
	rc = queue_index_get(&out->item, &found, &waiting, s, id, &out->mem, err);
	if (rc)
		goto out;
	if (!found) {
		out->item.id = id;
		out->item.supplier_name = v[C_SELLER] ? mask(&r, v[C_SELLER]) : NULL;
		out->item.supplier_org = tdup(&r, v[C_ORG]);
		out->item.invoice_number = mask(&r, v[C_NUMBER]);
		out->item.amount = tdup(&r, v[C_PAYABLE]);
		out->item.amount_set = v[C_PAYABLE] &&
			dec_parse(&out->item.amount_dec, v[C_PAYABLE], strlen(v[C_PAYABLE])) == 0;
		out->item.currency = tdup(&r, v[C_CURRENCY]);
		out->item.flow = tdup(&r, v[C_FLOW]);
	} else {
		out->item.supplier_name = mask(&r, out->item.supplier_name);
		out->item.invoice_number = mask(&r, out->item.invoice_number);
	}
	out->version = out->item.version;
	out->changed_by = out->item.changed_by;
	out->changed_at = out->item.changed_at;

	/* the invoice, read again from its bytes */
	rc = store_load_kept(&bytes, &len, &name, &kept_care, s, id, err);
	if (rc)
		goto out;
	reader_opts_init(&ro);
	ro.claims = true;
	ulf_err_clear(&none);
	if (len && reader_read(&r.doc, bytes, len, name, &ro, false, &none) == 0 && r.doc.inv) {
		read_header(&r, r.doc.inv);
		read_attachments(&r, r.doc.inv);
		rc = read_lines(&r, r.doc.inv, err);
		if (rc)
			goto out;
	}
	read_match(&r);
	read_reasons(&r, v[C_REASONS]);
	read_findings(&r, ujson_get(r.result, "findings"));
	read_suggestion(&r);
	rc = read_history(&r, err);
	if (rc)
		goto out;
	/* care: the claim beside it, masked */
	if ((v[C_FLOW] && !strcmp(v[C_FLOW], "care")) || (v[C_KIND] && !strcmp(v[C_KIND], "care-claim"))) {
		c = find_claim(s, id, r.doc.inv, name, err);
		if (c && care_claim_json(&out->claim, c, v[C_NAME] ? "claim" : NULL, false, &none))
			r.oom = true;
	}
	ulf_err_clear(&none);
	if (queue_index_response(&resp, &len, &code, s, id, &none) == 0)
		out->response_code = tdup(&r, code);
	if (r.oom)
		rc = ulf_err_set(err, ULF_ENOMEM, "document %lld: too big to show", (long long)id);
out:
	if (c)
		claim_free(c);
	reader_document_release(&r.doc);
	ujson_free(r.result);
	for (i = 0; i < C_N; i++)
		free(v[i]);
	free(bytes);
	free(name);
	free(resp);
	free(code);
	return rc;
}

void queue_doc_release(queue_doc *d)
{
	if (!d)
		return;
	ujson_free(d->claim);
	arena_release(&d->mem);
	memset(d, 0, sizeof(*d));
}

/* ---- attachments, the claim unmasked, the response ------------------------------- */

int queue_attachment_get(void **out, size_t *out_len, char **out_name, char **out_mime,
			 store *s, int64_t id, size_t index, ulf_err *err)
{
	bool kept_care;   /* bytes holding patient data: whatever is shown is masked */
	ulf_document doc;
	reader_opts ro;
	void *bytes = NULL;
	char *name = NULL;
	size_t len = 0, i, k = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	*out_name = *out_mime = NULL;
	memset(&doc, 0, sizeof(doc));
	rc = store_load_kept(&bytes, &len, &name, &kept_care, s, id, err);
	if (rc)
		return rc;
	reader_opts_init(&ro);
	rc = len ? reader_read(&doc, bytes, len, name, &ro, false, err)
		 : ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no attachments", (long long)id);
	if (rc)
		goto out;
	rc = ULF_ENOTFOUND;
	for (i = 0; doc.inv && i < doc.inv->ndocs; i++) {
		const inv_attachment *a = doc.inv->docs[i].attachment;
		if (!a || k++ != index)
			continue;
		*out = malloc(a->size ? a->size : 1);
		*out_name = strdup(a->filename ? a->filename
				   : doc.inv->docs[i].id.v ? doc.inv->docs[i].id.v : "attachment");
		*out_mime = strdup(a->mime ? a->mime : "application/octet-stream");
		if (!*out || !*out_name || !*out_mime) {
			free(*out);
			free(*out_name);
			free(*out_mime);
			*out = NULL;
			*out_name = *out_mime = NULL;
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			goto out;
		}
		if (a->size)
			memcpy(*out, a->data, a->size);
		*out_len = a->size;
		rc = 0;
		break;
	}
	if (rc)
		rc = ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no attachment %zu",
				 (long long)id, index);
out:
	reader_document_release(&doc);
	free(bytes);
	free(name);
	return rc;
}

int queue_claim_unmask(ujson **out, store *s, int64_t id, const char *who,
		       const char *reason, int64_t now, ulf_err *err)
{
	bool kept_care;   /* bytes holding patient data: whatever is shown is masked */
	ulf_document doc;
	reader_opts ro;
	ujson *detail = NULL;
	void *bytes = NULL;
	char *name = NULL, *text = NULL;
	size_t len = 0;
	claim *c = NULL;
	ulf_err none;
	int rc;

	*out = NULL;
	memset(&doc, 0, sizeof(doc));
	if (!who || !*who)
		return ulf_err_set(err, ULF_EINVAL, "unmasking needs the user who asks");
	if (!reason || !*reason)
		return ulf_err_set(err, ULF_EINVAL, "unmasking a patient's identity needs a reason");
	rc = store_load_kept(&bytes, &len, &name, &kept_care, s, id, err);
	if (rc)
		return rc;
	reader_opts_init(&ro);
	ro.claims = true;
	ulf_err_clear(&none);
	if (len && reader_read(&doc, bytes, len, name, &ro, false, &none))
		memset(&doc, 0, sizeof(doc));
	c = find_claim(s, id, doc.inv, name, err);
	if (!c) {
		rc = ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no care claim", (long long)id);
		goto out;
	}
	/* the audit row first: no identity is shown that is not on record */
	detail = ujson_object();
	if (!detail || ujson_set_str(detail, "reason", reason) ||
	    !(text = ujson_dump(detail, UJSON_COMPACT))) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = store_audit(s, id, who, "unmask", text, now, err);
	if (rc)
		goto out;
	rc = care_claim_json(out, c, "claim", true, err);
out:
	if (c)
		claim_free(c);
	ujson_free(detail);
	free(text);
	reader_document_release(&doc);
	free(bytes);
	free(name);
	return rc;
}

int queue_response_get(char **out, size_t *out_len, store *s, int64_t id, ulf_err *err)
{
	return queue_index_response(out, out_len, NULL, s, id, err);
}
