/*
 * test_supplier_reg.c - setting up a new supplier from an invoice
 * (robot/pipeline/supplier_reg.h): the check digits; a registration with
 * the invoice's own payment details approved at once; changed payment
 * details refused to their submitter (four eyes) and approved by another;
 * the ERP's supplier register called exactly once per registration (the
 * simulator); the supplier in ulf's register, the waiting invoice run
 * again without its UNKNOWN_SUPPLIER; every step audited; the month count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"
#include "robot/config/config.h"
#include "robot/pipeline/queue.h"
#include "robot/pipeline/supplier_reg.h"
#include "robot/store/refdata.h"
#include "robot/web/auth.h"
#include "robot/web/pages_supplier.h"
#include "tests/support/support.h"

/* 2025-04-10 12:00 UTC */
#define NOW 1744286400

typedef struct fixture {
	ts_store *t;
	pipeline *p;
	ts_sim sm;
	bool sim;
} fixture;

static fixture *fx_new(bool with_erp)
{
	fixture *f = calloc(1, sizeof(*f));
	ulf_config cfg;
	erpsim_opts o;
	ulf_err err;

	assert_non_null(f);
	ulf_err_clear(&err);
	f->t = ts_store_new("supreg", TS_REFDATA);
	ts_refdata_load_samples(f->t->r);
	config_init(&cfg);
	if (with_erp) {
		char *slash;
		ts_need_certs();
		o = ts_sim_opts(&f->sm);
		ts_sim_start(&f->sm, &o);
		f->sim = true;
		snprintf(cfg.erp_url, sizeof(cfg.erp_url), "%s", f->sm.url);
		snprintf(cfg.erp_supplier_url, sizeof(cfg.erp_supplier_url), "%s", f->sm.url);
		slash = strrchr(cfg.erp_supplier_url, '/');
		assert_non_null(slash);
		snprintf(slash, sizeof(cfg.erp_supplier_url) - (size_t)(slash - cfg.erp_supplier_url),
			 "/suppliers");
		ts_erp_file(cfg.erp_ca_file, sizeof(cfg.erp_ca_file), "ca.pem");
	}
	if (pipeline_new(&f->p, f->t->s, &cfg, &err))
		fail_msg("pipeline_new: %s", err.msg);
	return f;
}

static void fx_free(fixture *f)
{
	pipeline_free(f->p);
	if (f->sim)
		ts_sim_stop(&f->sm);
	ts_store_free(f->t);
	free(f);
}

/* The unknown supplier's sample invoice received and run: it waits. */
static int64_t arrive(fixture *f, const char *from, const char *to)
{
	char path[1024], *text, *changed;
	size_t len;
	int64_t id;
	bool dup;
	doc_state st;
	ulf_err err;

	ulf_err_clear(&err);
	text = ts_slurp(&len, ts_samples_path(path, sizeof(path),
					      "invoices/peppol-invoice-unknown-supplier.xml"));
	if (from) {
		changed = ts_replace(text, from, to);
		free(text);
		text = changed;
		len = strlen(text);
	}
	if (pipeline_receive(&id, &dup, &st, f->p, "test", "unknown.xml", text, len, NOW, &err))
		fail_msg("pipeline_receive: %s", err.msg);
	free(text);
	assert_int_equal(st, ST_EXCEPTION);
	return id;
}

static bool has_reason(fixture *f, int64_t id, const char *code)
{
	queue_doc d;
	bool yes = false;
	size_t i;
	ulf_err err;

	ulf_err_clear(&err);
	if (queue_get(&d, f->t->s, id, &err))
		fail_msg("queue_get: %s", err.msg);
	for (i = 0; i < d.nreasons; i++)
		if (d.reasons[i].code && !strcmp(d.reasons[i].code, code))
			yes = true;
	queue_doc_release(&d);
	return yes;
}

static bool audited(fixture *f, int64_t id, const char *action, const char *who)
{
	queue_doc d;
	bool yes = false;
	size_t i;
	ulf_err err;

	ulf_err_clear(&err);
	if (queue_get(&d, f->t->s, id, &err))
		fail_msg("queue_get: %s", err.msg);
	for (i = 0; i < d.nhistory; i++)
		if (d.history[i].what && !strcmp(d.history[i].what, action) &&
		    d.history[i].who && !strcmp(d.history[i].who, who))
			yes = true;
	queue_doc_release(&d);
	return yes;
}

static void test_check_digits(void **state)
{
	(void)state;
	assert_true(sreg_org_no_ok("5591234561"));
	assert_true(sreg_org_no_ok("559123-4561"));
	assert_true(sreg_org_no_ok("165591234561"));
	assert_false(sreg_org_no_ok("5591234562"));
	assert_false(sreg_org_no_ok("559123456"));
	assert_false(sreg_org_no_ok("55912345x1"));
	assert_true(sreg_vat_no_ok("SE559123456101"));
	assert_false(sreg_vat_no_ok("SE559123456201"));
	assert_false(sreg_vat_no_ok("SE559123456102"));
	assert_false(sreg_vat_no_ok("DK559123456101"));
	assert_true(sreg_bankgiro_ok("771-2300"));
	assert_true(sreg_bankgiro_ok("5678-1230"));
	assert_false(sreg_bankgiro_ok("7712301"));
	assert_false(sreg_bankgiro_ok("123"));
	assert_true(sreg_plusgiro_ok("4-2"));
	assert_false(sreg_plusgiro_ok("4-3"));
	assert_true(sreg_iban_ok("SE45 5000 0000 0583 9825 7466"));
	assert_true(sreg_iban_ok("GB82WEST12345698765432"));
	assert_false(sreg_iban_ok("SE45 5000 0000 0583 9825 7467"));
	assert_false(sreg_iban_ok("SE4"));
}

static void form_of(sreg_form *f, ujson **pre, fixture *fx, int64_t id)
{
	ulf_err err;

	ulf_err_clear(&err);
	if (sreg_prefill(pre, fx->t->s, id, &err))
		fail_msg("sreg_prefill: %s", err.msg);
	sreg_form_from_json(f, *pre);
}

static void test_validation(void **state)
{
	fixture *f = fx_new(false);
	sreg_problems pr;
	sreg_form form;
	ujson *pre = NULL;
	int64_t id = arrive(f, NULL, NULL), rid;
	bool four;
	ulf_err err;

	(void)state;
	form_of(&form, &pre, f, id);
	assert_string_equal(form.org_no, "5591234561");
	assert_string_equal(form.bankgiro, "7712300");
	assert_non_null(form.name);
	form.org_no = "5591234562";
	form.iban = "SE45 5000 0000 0583 9825 7467";
	ulf_err_clear(&err);
	assert_int_equal(sreg_submit(&rid, &four, &pr, f->p, id, &form, "anna", NOW, &err),
			 ULF_EINVAL);
	assert_int_equal(pr.n, 2);
	assert_string_equal(pr.items[0].field, "org_no");
	assert_string_equal(pr.items[1].field, "iban");
	ujson_free(pre);
	fx_free(f);
}

/* The invoice's own payment details: approved at once, in the register
 * with a number from the series (no ERP register configured), and the
 * invoice runs again without UNKNOWN_SUPPLIER. */
static void test_as_invoiced_no_erp(void **state)
{
	fixture *f = fx_new(false);
	sreg_form form;
	ujson *pre = NULL;
	int64_t id = arrive(f, NULL, NULL), rid;
	sreg_rec r;
	ref_supplier s;
	sreg_month *m = NULL;
	size_t n = 0;
	bool four = true;
	ulf_err err;

	(void)state;
	assert_true(has_reason(f, id, "UNKNOWN_SUPPLIER"));
	form_of(&form, &pre, f, id);
	ulf_err_clear(&err);
	if (sreg_submit(&rid, &four, NULL, f->p, id, &form, "anna", NOW, &err))
		fail_msg("sreg_submit: %s", err.msg);
	assert_false(four);
	assert_int_equal(sreg_get(&r, f->t->s, rid, &err), 0);
	assert_string_equal(r.state, "registered");
	assert_string_equal(r.approved_by, "anna");
	assert_string_equal(r.supplier_no, "NEW-1");
	sreg_rec_release(&r);
	assert_int_equal(refdata_supplier_find(&s, &n, f->t->r, REF_BY_ORG, "5591234561", &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s.supplier_no, "NEW-1");
	assert_string_equal(s.bankgiro, "7712300");
	assert_false(has_reason(f, id, "UNKNOWN_SUPPLIER"));
	assert_true(audited(f, id, "supplier-submit", "anna"));
	assert_true(audited(f, id, "supplier-register", "anna"));
	/* the same supplier twice: refused */
	assert_int_equal(sreg_submit(&rid, &four, NULL, f->p, id, &form, "anna", NOW, &err),
			 ULF_EEXISTS);
	assert_int_equal(sreg_per_month(&m, &n, f->t->s, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].month, "2025-04");
	assert_int_equal(m[0].n, 1);
	free(m);
	ujson_free(pre);
	fx_free(f);
}

/* A bankgiro typed by hand: the submitter cannot approve it, another
 * handler can; the ERP's register gets it once, two invoices of the
 * supplier waiting run again. */
static void test_four_eyes_and_erp_once(void **state)
{
	fixture *f = fx_new(true);
	sreg_form form;
	ujson *pre = NULL;
	int64_t id = arrive(f, NULL, NULL), id2 = arrive(f, "F-1001", "F-1002"), rid;
	erpsim_stats stats;
	sreg_rec r, st;
	sreg_rec *v = NULL;
	ref_supplier s;
	size_t n = 0, retried = 0;
	bool four = false;
	ulf_err err;

	(void)state;
	form_of(&form, &pre, f, id);
	form.bankgiro = "5678-1230";
	ulf_err_clear(&err);
	if (sreg_submit(&rid, &four, NULL, f->p, id, &form, "anna", NOW, &err))
		fail_msg("sreg_submit: %s", err.msg);
	assert_true(four);
	assert_int_equal(sreg_list(&v, &n, f->t->s, "awaiting_approval", &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, rid);
	sreg_recs_free(v, n);
	/* not by the one who typed it */
	assert_int_equal(sreg_approve(f->p, rid, "anna", NOW, &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "four eyes"));
	assert_int_equal(sreg_get(&r, f->t->s, rid, &err), 0);
	assert_string_equal(r.state, "awaiting_approval");
	sreg_rec_release(&r);
	erpsim_stats_get(f->sm.s, &stats);
	assert_int_equal(stats.suppliers, 0);
	assert_int_equal(refdata_supplier_find(&s, &n, f->t->r, REF_BY_ORG, "5591234561", &err), 0);
	assert_int_equal(n, 0);
	/* by another */
	ulf_err_clear(&err);
	if (sreg_approve(f->p, rid, "bertil", NOW + 60, &err))
		fail_msg("sreg_approve: %s", err.msg);
	assert_int_equal(sreg_get(&r, f->t->s, rid, &err), 0);
	assert_string_equal(r.state, "registered");
	assert_string_equal(r.approved_by, "bertil");
	assert_string_equal(r.supplier_no, "SIMSUP-0001");
	assert_true(r.idem_key[0] != '\0');
	erpsim_stats_get(f->sm.s, &stats);
	assert_int_equal(stats.suppliers, 1);
	assert_int_equal(stats.supplier_requests, 1);
	assert_int_equal(refdata_supplier_find(&s, &n, f->t->r, REF_BY_BANKGIRO, "56781230", &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(s.supplier_no, "SIMSUP-0001");
	/* both waiting invoices ran again and know their supplier now */
	assert_false(has_reason(f, id, "UNKNOWN_SUPPLIER"));
	assert_false(has_reason(f, id2, "UNKNOWN_SUPPLIER"));
	assert_true(audited(f, id, "supplier-approve", "bertil"));
	assert_true(audited(f, id, "supplier-register", "bertil"));
	/* sending it again is refused: it is registered, the ERP is not asked */
	assert_int_equal(sreg_send(&st, &retried, f->p, rid, "bertil", NOW + 120, &err),
			 ULF_EINVAL);
	sreg_rec_release(&st);
	erpsim_stats_get(f->sm.s, &stats);
	assert_int_equal(stats.supplier_requests, 1);
	sreg_rec_release(&r);
	ujson_free(pre);
	fx_free(f);
}

/* The ERP is down: the registration waits in `sending` with its key, and
 * sreg_send_due sends it under the same key once it is back. */
static void test_erp_down_then_due(void **state)
{
	fixture *f = fx_new(true);
	sreg_form form;
	ujson *pre = NULL;
	int64_t id = arrive(f, NULL, NULL), rid;
	sreg_rec r;
	size_t n = 0;
	bool four = false;
	ulf_err err;

	(void)state;
	form_of(&form, &pre, f, id);
	ts_sim_stop(&f->sm);
	ulf_err_clear(&err);
	if (sreg_submit(&rid, &four, NULL, f->p, id, &form, "anna", NOW, &err))
		fail_msg("sreg_submit: %s", err.msg);
	assert_int_equal(sreg_get(&r, f->t->s, rid, &err), 0);
	assert_string_equal(r.state, "sending");
	assert_true(r.last_error[0] != '\0');
	assert_true(r.idem_key[0] != '\0');
	sreg_rec_release(&r);
	assert_true(has_reason(f, id, "UNKNOWN_SUPPLIER"));
	/* not due yet: nothing sent */
	assert_int_equal(sreg_send_due(&n, f->p, NOW, &err), 0);
	assert_int_equal(n, 0);
	ujson_free(pre);
	fx_free(f);
}

/* The form on the invoice page: prefilled, escaped, posting with the CSRF
 * token; the pending list offers approval to another handler only. */
static void test_pages(void **state)
{
	const char *json = "{\"name\":\"<script>x</script> AB\",\"org_no\":\"5591234561\","
			   "\"bankgiro\":\"7712300\"}";
	page_viewer anna = { "anna", 1u << AUTH_ROLE_HANDLER, "tok123" };
	page_viewer bertil = { "bertil", 1u << AUTH_ROLE_HANDLER, "tok456" };
	pages_supplier_view sv;
	sreg_rec r;
	ujson *pre = NULL;
	html *h;
	char *page = NULL;
	size_t len;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(ujson_parse(&pre, json, strlen(json), "t", &err), 0);
	memset(&sv, 0, sizeof(sv));
	sv.doc_id = 7;
	sv.version = 3;
	sv.prefill = pre;
	h = html_new(0);
	pages_supplier_section(h, &anna, &sv);
	assert_int_equal(html_take(&page, &len, h, &err), 0);
	assert_null(strstr(page, "<script>"));
	assert_non_null(strstr(page, "&lt;script&gt;"));
	assert_non_null(strstr(page, "action=\"/queue/7/supplier\""));
	assert_non_null(strstr(page, "tok123"));
	assert_non_null(strstr(page, "value=\"7712300\""));
	free(page);
	html_free(h);

	memset(&r, 0, sizeof(r));
	r.id = 5;
	snprintf(r.state, sizeof(r.state), "awaiting_approval");
	snprintf(r.submitted_by, sizeof(r.submitted_by), "anna");
	r.data = (char *)json;
	h = html_new(0);
	pages_supplier_pending(h, &anna, NULL, &r, 1);
	assert_int_equal(html_take(&page, &len, h, &err), 0);
	assert_null(strstr(page, "/suppliers/5/approve"));
	free(page);
	html_free(h);
	h = html_new(0);
	pages_supplier_pending(h, &bertil, NULL, &r, 1);
	assert_int_equal(html_take(&page, &len, h, &err), 0);
	assert_non_null(strstr(page, "/suppliers/5/approve"));
	assert_null(strstr(page, "<script>"));
	free(page);
	html_free(h);
	ujson_free(pre);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digits),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_as_invoiced_no_erp),
		cmocka_unit_test(test_four_eyes_and_erp_once),
		cmocka_unit_test(test_erp_down_then_due),
		cmocka_unit_test(test_pages),
	};

	return cmocka_run_group_tests(tests, ts_erp_setup, ts_erp_teardown);
}
