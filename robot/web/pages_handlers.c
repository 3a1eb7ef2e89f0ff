/*
 * pages_handlers.c - the queue's routes: request in, queue.h, page out.
 * See pages_handlers.h.
 *
 * Every value the handlers take from a request is handed on as data: to
 * queue.h, which checks it and records it, and to the pages, which escape
 * it.  A handler never trusts a form to say who acts (web_user does) or
 * what the document is (the path does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/reader.h"
#include "robot/web/pages.h"
#include "robot/web/pages_handlers.h"
#include "robot/web/pages_invoice.h"
#include "robot/web/pages_queue.h"
#include "robot/web/pages_supplier.h"

/* ---- the request as the pages read it ------------------------------------ */

static const char *query_param(void *ctx, const char *name)
{
	return web_query(ctx, name);
}

static const char *form_param(void *ctx, const char *name)
{
	return web_form(ctx, name);
}

static page_viewer viewer_of(web_ctx *c)
{
	page_viewer v = { web_user(c), (unsigned)web_user_roles(c), web_csrf_token(c) };

	return v;
}

static const char *nonempty(const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s ? s : NULL;
}

static void no_store(web_ctx *c)
{
	web_error(c, 503, "The store does not answer",
		  "No connection to the store came free in time. Try again in a moment.");
}

/* ---- the list ------------------------------------------------------------ */

void pages_queue_get(web_ctx *c)
{
	store *s = web_store(c);
	queue_filter f;
	queue_page pg;
	store_erp_wait erp;
	page_notice n = { PAGE_NOTICE_NONE, NULL, NULL };
	char msg[256], note[ULF_ERR_MSG_MAX + 64];
	ulf_err err;
	html *h;
	int rc;

	if (!s) {
		no_store(c);
		return;
	}
	if (!pages_queue_filter(&f, query_param, c, web_user(c), msg, sizeof(msg))) {
		n.kind = PAGE_NOTICE_ERROR;
		snprintf(note, sizeof(note), "Some filters were left out: %s.", msg);
		n.text = note;
	}
	ulf_err_clear(&err);
	memset(&pg, 0, sizeof(pg));
	rc = queue_list(&pg, s, &f, web_now(c), &err);
	if (rc == ULF_EINVAL) {
		/* a reason or user that is no such thing: say so, list without it */
		queue_page_release(&pg);
		snprintf(note, sizeof(note), "A filter was left out: %s.", err.msg);
		n.kind = PAGE_NOTICE_ERROR;
		n.text = note;
		f.reason = NULL;
		if (f.who == QUEUE_USER)
			f.who = QUEUE_ANYONE;
		ulf_err_clear(&err);
		rc = queue_list(&pg, s, &f, web_now(c), &err);
	}
	if (rc) {
		queue_page_release(&pg);
		web_log("error", "queue list: %s", err.msg);
		web_error(c, 500, "The queue could not be listed", err.msg);
		return;
	}
	/* what waits for the ERP is no handler's, but it is shown */
	memset(&erp, 0, sizeof(erp));
	ulf_err_clear(&err);
	if (store_erp_waiting(&erp, s, &err))
		web_log("warning", "queue page: %s", err.msg);
	h = web_page_begin(c, "Queue");
	if (h) {
		page_viewer v = viewer_of(c);
		pages_erp_waiting(h, &erp);
		pages_queue(h, &v, &f, &pg, &n, web_now(c));
	}
	web_page_end(c);
	queue_page_release(&pg);
}

/* ---- one document -------------------------------------------------------- */

/* How an action came out, for the page shown after it. */
typedef struct outcome {
	page_notice notice;
	int status;
	ujson *booking;              /* a refused booking, to refill the form (owned) */
	queue_problems *problems;    /* what was wrong with it (owned) */
	ujson *unmasked;             /* an unmasked care claim (owned) */
	sreg_form *typed;            /* a refused supplier registration's values (owned) */
	sreg_problems *sproblems;    /* what was wrong with them (owned) */
	const char *done;            /* the action that worked, for ?done= */
} outcome;

static void outcome_release(outcome *o)
{
	ujson_free(o->booking);
	free(o->problems);
	ujson_free(o->unmasked);
	free(o->typed);
	free(o->sproblems);
}

/* What ?done= says, from a fixed list: nothing of the query is echoed. */
static const char *done_text(const char *done)
{
	static const struct {
		const char *key, *text;
	} texts[] = {
		{ "approve", "Approved as suggested. The robot posts it to the ERP, once." },
		{ "booking", "Your booking was checked, saved and approved. The robot posts it "
			     "to the ERP, once." },
		{ "reject", "Rejected. The Invoice Response for the supplier is made (below)." },
		{ "hold", "Put on hold." },
		{ "unhold", "Taken off hold." },
		{ "assign", "Assignment changed." },
		{ "comment", "Comment added." },
		{ "retry", "Run again through the robot." },
		{ "supplier", "The supplier registration was submitted." },
	};
	size_t i;

	for (i = 0; done && i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!strcmp(done, texts[i].key))
			return texts[i].text;
	return NULL;
}

/* The document's invoice read from its stored bytes, for the viewer; NULL
 * when there are none to read (a care document kept apart) or they do not
 * read as an invoice. */
static int read_invoice(ulf_document *doc, store *s, int64_t id, const ulf_config *cfg)
{
	reader_opts opts;
	void *data = NULL;
	char *name = NULL;
	size_t len = 0;
	ulf_err err;
	int rc;

	memset(doc, 0, sizeof(*doc));
	ulf_err_clear(&err);
	rc = store_load(&data, &len, &name, s, id, &err);
	if (rc == 0 && len > 0) {
		reader_opts_init(&opts);
		if (cfg) {
			opts.xml.max_bytes = cfg->xml_max_bytes;
			opts.inv.max_attachment_bytes = cfg->attachment_max_bytes;
			opts.inv.max_model_bytes = cfg->model_max_bytes;
		}
		rc = reader_read(doc, data, len, name, &opts, false, &err);
	} else if (rc == 0) {
		rc = ULF_ENOTFOUND;
	}
	free(data);
	free(name);
	if (rc == 0 && doc->kind != DOC_INVOICE)
		rc = ULF_ESYNTAX;
	if (rc)
		reader_document_release(doc);
	return rc;
}

static void invoice_page(web_ctx *c, int64_t id, const outcome *o)
{
	store *s = web_store(c);
	page_notice done = { PAGE_NOTICE_OK, NULL, NULL };
	pages_invoice_view iv;
	pages_supplier_view sv;
	ujson *prefill = NULL;
	sreg_rec reg;
	bool have_reg = false;
	ulf_document doc;
	queue_doc d;
	char title[96];
	bool have_doc;
	ulf_err err;
	html *h;
	int rc;

	if (!s) {
		no_store(c);
		return;
	}
	ulf_err_clear(&err);
	memset(&d, 0, sizeof(d));
	rc = queue_get(&d, s, id, &err);
	if (rc) {
		queue_doc_release(&d);
		if (rc == ULF_ENOTFOUND) {
			web_error(c, 404, "No such document", "There is no document with that number.");
			return;
		}
		web_log("error", "document %lld: %s", (long long)id, err.msg);
		web_error(c, 500, "The document could not be read", err.msg);
		return;
	}
	have_doc = read_invoice(&doc, s, id, web_config(c)) == 0;

	memset(&iv, 0, sizeof(iv));
	iv.doc = &d;
	iv.inv = have_doc ? doc.inv : NULL;
	iv.now = web_now(c);
	memset(&sv, 0, sizeof(sv));
	sv.doc_id = id;
	sv.version = d.version;
	ulf_err_clear(&err);
	if (sreg_prefill(&prefill, s, id, &err) == 0)
		sv.prefill = prefill;
	ulf_err_clear(&err);
	if (sreg_for_doc(&reg, &have_reg, s, id, &err) == 0 && have_reg)
		sv.reg = &reg;
	if (o) {
		sv.typed = o->typed;
		sv.problems = o->sproblems;
	}
	iv.supplier = &sv;
	if (o) {
		iv.notice = &o->notice;
		iv.booking = o->booking;
		iv.problems = o->problems;
		iv.unmasked_claim = o->unmasked;
	} else if ((done.text = done_text(web_query(c, "done")))) {
		iv.notice = &done;
	}
	snprintf(title, sizeof(title), "%s %s",
		 d.kind && !strcmp(d.kind, "credit-note") ? "Credit note" : "Invoice",
		 d.item.invoice_number ? d.item.invoice_number : "");
	h = web_page_begin(c, title);
	if (h) {
		page_viewer v = viewer_of(c);
		pages_invoice(h, &v, &iv);
	}
	web_page_end_status(c, o && o->status ? o->status : 200);
	if (have_doc)
		reader_document_release(&doc);
	queue_doc_release(&d);
	ujson_free(prefill);
	if (have_reg)
		sreg_rec_release(&reg);
}

void pages_invoice_get(web_ctx *c)
{
	invoice_page(c, web_param_id(c, "id"), NULL);
}

/* ---- downloads ------------------------------------------------------------ */

/* A file name for Content-Disposition: letters, digits, '.', '-', '_'
 * kept, anything else '_', at most 100 bytes, never starting with '.'. */
static void safe_name(char *out, size_t n, const char *name, const char *fallback)
{
	size_t i, k = 0;

	for (i = 0; name && name[i] && k + 1 < n && k < 100; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || (ch == '.' && k > 0);
		out[k++] = ok ? ch : '_';
	}
	out[k] = '\0';
	if (!k)
		snprintf(out, n, "%s", fallback);
}

/* The Content-Type a download is served with: the attachment's own only
 * when it is one a browser shows harmlessly; anything else (HTML, SVG,
 * XML, which could carry script) as bytes to save. */
static const char *download_type(const char *mime)
{
	static const char *const ok[] = {
		"application/pdf", "image/png", "image/jpeg", "image/gif", "text/csv",
		"text/plain", "application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	};
	size_t i;

	for (i = 0; mime && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(mime, ok[i]))
			return ok[i];
	return "application/octet-stream";
}

void pages_attachment_get(web_ctx *c)
{
	int64_t id = web_param_id(c, "id"), k = web_param_id(c, "n");
	store *s = web_store(c);
	void *data = NULL;
	char *name = NULL, *mime = NULL, fallback[48], file[128], disp[192];
	size_t len = 0;
	ulf_err err;
	int rc;

	if (!s) {
		no_store(c);
		return;
	}
	ulf_err_clear(&err);
	rc = queue_attachment_get(&data, &len, &name, &mime, s, id, (size_t)(k - 1), &err);
	if (rc) {
		free(data);
		free(name);
		free(mime);
		if (rc == ULF_ENOTFOUND || rc == ULF_EINVAL)
			web_error(c, 404, "No such attachment", "The document has no such attachment.");
		else
			web_error(c, 500, "The attachment could not be read", err.msg);
		return;
	}
	snprintf(fallback, sizeof(fallback), "attachment-%lld-%lld", (long long)id, (long long)k);
	safe_name(file, sizeof(file), name, fallback);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", file);
	web_add_header(c, "Content-Disposition", disp);
	web_reply(c, 200, download_type(mime), data, len);
	free(name);
	free(mime);
}

void pages_response_get(web_ctx *c)
{
	int64_t id = web_param_id(c, "id");
	store *s = web_store(c);
	char *xml = NULL, disp[96];
	size_t len = 0;
	ulf_err err;
	int rc;

	if (!s) {
		no_store(c);
		return;
	}
	ulf_err_clear(&err);
	rc = queue_response_get(&xml, &len, s, id, &err);
	if (rc) {
		free(xml);
		if (rc == ULF_ENOTFOUND)
			web_error(c, 404, "No Invoice Response",
				  "No Invoice Response was made for this document: it was not "
				  "rejected, or it is no invoice.");
		else
			web_error(c, 500, "The Invoice Response could not be read", err.msg);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"invoice-response-%lld.xml\"",
		 (long long)id);
	web_add_header(c, "Content-Disposition", disp);
	web_reply(c, 200, "application/xml; charset=utf-8", xml, len);
}

/* ---- actions --------------------------------------------------------------- */

typedef int (*action_fn)(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
			 ulf_err *err);

/* The version the form was made with: a number > 0, or false. */
static bool form_version(web_ctx *c, int64_t *out)
{
	const char *v = web_form(c, "version");
	char *end;
	long long n;

	if (!v || !*v)
		return false;
	n = strtoll(v, &end, 10);
	if (*end || n <= 0)
		return false;
	*out = n;
	return true;
}

static void act(web_ctx *c, const char *done, action_fn fn)
{
	int64_t id = web_param_id(c, "id"), version = 0;
	pipeline *p = web_pipeline(c);
	char where[96];
	outcome o;
	ulf_err err;
	int rc;

	if (!p) {
		no_store(c);
		return;
	}
	if (!form_version(c, &version)) {
		web_error(c, 400, "The form is incomplete",
			  "The form did not say which version of the document you saw. Reload the "
			  "document and try again.");
		return;
	}
	memset(&o, 0, sizeof(o));
	o.done = done;
	ulf_err_clear(&err);
	rc = fn(c, p, id, version, &o, &err);
	if (rc == 0) {
		snprintf(where, sizeof(where), PAGES_QUEUE_PATH "/%lld?done=%s", (long long)id,
			 o.done);
		web_redirect(c, where);
		outcome_release(&o);
		return;
	}
	snprintf(where, sizeof(where), PAGES_QUEUE_PATH "/%lld", (long long)id);
	o.notice.text = err.msg[0] ? err.msg : "The action was refused.";
	switch (rc) {
	case ULF_ECONFLICT:
		o.notice.kind = PAGE_NOTICE_CONFLICT;
		o.notice.reload = where;
		o.status = 409;
		break;
	case ULF_EINVAL:
	case ULF_EEXISTS:
		o.notice.kind = PAGE_NOTICE_ERROR;
		o.status = 422;
		break;
	case ULF_ENOTFOUND:
		outcome_release(&o);
		web_error(c, 404, "No such document", err.msg);
		return;
	default:
		web_log("error", "document %lld, %s: %s", (long long)id, done, err.msg);
		outcome_release(&o);
		web_error(c, 500, "The action failed", err.msg);
		return;
	}
	invoice_page(c, id, &o);
	outcome_release(&o);
}

static int do_approve(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		      ulf_err *err)
{
	(void)o;
	return queue_approve(p, id, web_user(c), version, nonempty(web_form(c, "note")),
			     web_now(c), err);
}

static int do_booking(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		      ulf_err *err)
{
	char *json;
	int rc;

	o->booking = pages_booking_from_form(form_param, c);
	if (!o->booking)
		return ulf_err_set(err, ULF_EINVAL, "the booking form came without its rows");
	o->problems = calloc(1, sizeof(*o->problems));
	json = ujson_dump(o->booking, UJSON_COMPACT);
	if (!o->problems || !json) {
		free(json);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	rc = queue_approve_booking(o->problems, p, id, web_user(c), version, json,
				   nonempty(web_form(c, "note")), web_now(c), err);
	free(json);
	return rc;
}

static int do_reject(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		     ulf_err *err)
{
	const char *code = nonempty(web_form(c, "code")), *reason = nonempty(web_form(c, "reason"));

	(void)o;
	if (!code)
		return ulf_err_set(err, ULF_EINVAL, "choose a reason code for the Invoice Response");
	if (!reason)
		return ulf_err_set(err, ULF_EINVAL, "say why, in words the supplier reads");
	return queue_reject(p, id, web_user(c), version, code, reason, web_now(c), err);
}

static int do_hold(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		   ulf_err *err)
{
	const char *until = nonempty(web_form(c, "until"));
	bool release = nonempty(web_form(c, "release")) != NULL;

	if (release) {
		o->done = "unhold";
		until = NULL;
	} else if (!until) {
		return ulf_err_set(err, ULF_EINVAL, "say until which day it waits");
	}
	return queue_hold(p, id, web_user(c), version, until, nonempty(web_form(c, "note")),
			  web_now(c), err);
}

static int do_assign(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		     ulf_err *err)
{
	(void)o;
	return queue_assign(p, id, web_user(c), version, nonempty(web_form(c, "to")), web_now(c),
			    err);
}

static int do_comment(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		      ulf_err *err)
{
	const char *text = nonempty(web_form(c, "text"));

	(void)o;
	if (!text)
		return ulf_err_set(err, ULF_EINVAL, "the comment is empty");
	return queue_comment(p, id, web_user(c), version, text, web_now(c), err);
}

static int do_retry(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		    ulf_err *err)
{
	doc_state st;

	(void)o;
	return queue_retry(&st, p, id, web_user(c), version, web_now(c), err);
}

void pages_approve_post(web_ctx *c)
{
	act(c, "approve", do_approve);
}

void pages_booking_post(web_ctx *c)
{
	act(c, "booking", do_booking);
}

void pages_reject_post(web_ctx *c)
{
	act(c, "reject", do_reject);
}

void pages_hold_post(web_ctx *c)
{
	act(c, "hold", do_hold);
}

void pages_assign_post(web_ctx *c)
{
	act(c, "assign", do_assign);
}

void pages_comment_post(web_ctx *c)
{
	act(c, "comment", do_comment);
}

void pages_retry_post(web_ctx *c)
{
	act(c, "retry", do_retry);
}

/*
 * The care claim unmasked, for the care handler who asks with a reason:
 * the reason and the asker go into the audit trail before anything is
 * shown, and the page is not kept (Cache-Control: no-store, web.h).
 */
void pages_unmask_post(web_ctx *c)
{
	int64_t id = web_param_id(c, "id");
	const char *reason = nonempty(web_form(c, "reason"));
	store *s = web_store(c);
	outcome o;
	ulf_err err;
	int rc;

	if (!s) {
		no_store(c);
		return;
	}
	memset(&o, 0, sizeof(o));
	ulf_err_clear(&err);
	if (!reason) {
		o.notice.kind = PAGE_NOTICE_ERROR;
		o.notice.text = "Say why you need to see the patients' identities: the reason is "
				"recorded.";
		o.status = 422;
		invoice_page(c, id, &o);
		return;
	}
	rc = queue_claim_unmask(&o.unmasked, s, id, web_user(c), reason, web_now(c), &err);
	if (rc == ULF_ENOTFOUND) {
		web_error(c, 404, "No care claim", "This document has no care claim to unmask.");
		return;
	}
	if (rc) {
		web_log("error", "document %lld, unmask: %s", (long long)id, err.msg);
		web_error(c, 500, "The claim could not be unmasked", err.msg);
		return;
	}
	web_log("info", "document %lld: care claim unmasked by %s (audited)", (long long)id,
		web_user(c));
	o.notice.kind = PAGE_NOTICE_OK;
	o.notice.text = "The patients' identities are shown below, for you only. Your reason is "
			"in the audit trail.";
	invoice_page(c, id, &o);
	outcome_release(&o);
}

/* ---- new suppliers ----------------------------------------------------------- */

static int do_supplier(web_ctx *c, pipeline *p, int64_t id, int64_t version, outcome *o,
		       ulf_err *err)
{
	size_t n, i;
	const char *const *names = sreg_field_names(&n);
	int64_t rid = 0;
	bool four = false;

	(void)version;
	o->typed = calloc(1, sizeof(*o->typed));
	o->sproblems = calloc(1, sizeof(*o->sproblems));
	if (!o->typed || !o->sproblems)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		*sreg_form_field(o->typed, names[i]) = nonempty(web_form(c, names[i]));
	return sreg_submit(&rid, &four, o->sproblems, p, id, o->typed, web_user(c), web_now(c),
			   err);
}

void pages_supplier_post(web_ctx *c)
{
	act(c, "supplier", do_supplier);
}

static void pending_page(web_ctx *c, const page_notice *n, int status)
{
	store *s = web_store(c);
	sreg_rec *regs = NULL;
	size_t nregs = 0;
	ulf_err err;
	html *h;

	if (!s) {
		no_store(c);
		return;
	}
	ulf_err_clear(&err);
	if (sreg_list(&regs, &nregs, s, "awaiting_approval", &err)) {
		web_log("error", "supplier registrations: %s", err.msg);
		web_error(c, 500, "The registrations could not be listed", err.msg);
		return;
	}
	h = web_page_begin(c, "New suppliers");
	if (h) {
		page_viewer v = viewer_of(c);
		pages_supplier_pending(h, &v, n, regs, nregs);
	}
	web_page_end_status(c, status);
	sreg_recs_free(regs, nregs);
}

void pages_suppliers_pending_get(web_ctx *c)
{
	page_notice n = { PAGE_NOTICE_NONE, NULL, NULL };
	const char *done = web_query(c, "done");

	if (done && !strcmp(done, "approve")) {
		n.kind = PAGE_NOTICE_OK;
		n.text = "Approved. The supplier goes to the ERP's register and its waiting "
			 "invoices run again.";
	} else if (done && !strcmp(done, "decline")) {
		n.kind = PAGE_NOTICE_OK;
		n.text = "Declined.";
	}
	pending_page(c, &n, 200);
}

static void supplier_step(web_ctx *c, bool approve)
{
	int64_t id = web_param_id(c, "id");
	pipeline *p = web_pipeline(c);
	page_notice n = { PAGE_NOTICE_ERROR, NULL, NULL };
	ulf_err err;
	int rc;

	if (!p) {
		no_store(c);
		return;
	}
	ulf_err_clear(&err);
	rc = approve ? sreg_approve(p, id, web_user(c), web_now(c), &err)
		     : sreg_decline(p, id, web_user(c), nonempty(web_form(c, "reason")),
				    web_now(c), &err);
	if (rc == 0) {
		web_redirect(c, approve ? PAGES_SUPPLIERS_PENDING "?done=approve"
					: PAGES_SUPPLIERS_PENDING "?done=decline");
		return;
	}
	if (rc == ULF_ENOTFOUND) {
		web_error(c, 404, "No such registration", err.msg);
		return;
	}
	if (rc != ULF_EINVAL && rc != ULF_ECONFLICT) {
		web_log("error", "supplier registration %lld: %s", (long long)id, err.msg);
		web_error(c, 500, "The registration could not be changed", err.msg);
		return;
	}
	n.kind = rc == ULF_ECONFLICT ? PAGE_NOTICE_CONFLICT : PAGE_NOTICE_ERROR;
	n.text = err.msg;
	/* four eyes refused: the server's no, whatever the page offered */
	pending_page(c, &n, strstr(err.msg, "four eyes") ? 403 : rc == ULF_ECONFLICT ? 409 : 422);
}

void pages_supplier_approve_post(web_ctx *c)
{
	supplier_step(c, true);
}

void pages_supplier_decline_post(web_ctx *c)
{
	supplier_step(c, false);
}
