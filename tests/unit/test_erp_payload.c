/*
 * test_erp_payload.c - the pure parts of the ERP connector: the booking
 * payload (fields, exact amounts as strings, the balance check, escaping),
 * the idempotency key, the backoff policy and the simulator's rate parser.
 * No network here; test_erp_client.c talks to the simulator.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "connectors/erp.h"
#include "connectors/erp_payload.h"
#include "core/json.h"
#include "tools/erp-sim/erpsim.h"

static dec D(const char *s)
{
	dec d;

	assert_int_equal(dec_parse(&d, s, strlen(s)), 0);
	return d;
}

static erp_booking_line lines[2];

static erp_posting sample(void)
{
	erp_posting p;

	memset(lines, 0, sizeof(lines));
	lines[0].invoice_line_id = "1";
	lines[0].description = "Gloves, nitrile";
	lines[0].account = "4010";
	lines[0].cost_centre = "7301";
	lines[0].activity = "310";
	lines[0].vat_code = "MP1";
	lines[0].net_amount = D("800");
	lines[0].vat_amount = D("200.00");
	lines[1].invoice_line_id = "2";
	lines[1].account = "4011";
	lines[1].cost_centre = "7301";
	lines[1].project = "";
	lines[1].vat_code = "MP2";
	lines[1].net_amount = D("200.5");
	lines[1].vat_amount = D("24.06");
	memset(&p, 0, sizeof(p));
	p.document_id = 42;
	p.invoice_url = "https://ulf.example/documents/42";
	p.supplier_erp_id = "L1001";
	p.supplier_name = "Sjukvårdsmaterial \"AB\"\n<Eskilstuna>";
	p.supplier_org_number = "5560000001";
	p.supplier_vat_number = "SE556000000101";
	p.invoice_number = "INV-2024-17";
	p.type_code = "380";
	p.issue_date = "2024-03-01";
	p.due_date = "2024-03-31";
	p.currency = "SEK";
	p.order_reference = "DLL1234567";
	p.total_net = D("1000.50");
	p.total_vat = D("224.06");
	p.payable = D("1224.56");
	p.lines = lines;
	p.nlines = 2;
	return p;
}

static void test_payload_fields(void **state)
{
	erp_posting p = sample();
	char *json = NULL;
	ujson *j = NULL, *inv, *l0, *l1;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(erp_payload_build(&json, &p, &err), 0);
	assert_non_null(json);
	assert_null(strchr(json, '\n'));   /* compact: one line */
	assert_int_equal(ujson_parse(&j, json, strlen(json), "payload", &err), 0);
	assert_string_equal(ujson_get_str(j, "schema"), ERP_PAYLOAD_SCHEMA);
	assert_int_equal(ujson_get_int(ujson_get(j, "source"), "document_id", 0), 42);
	assert_string_equal(ujson_get_str(ujson_get(j, "source"), "invoice_url"),
			    "https://ulf.example/documents/42");
	/* text with quotes, newline, markup and non-ASCII comes back as it was */
	assert_string_equal(ujson_get_str(ujson_get(j, "supplier"), "name"),
			    "Sjukvårdsmaterial \"AB\"\n<Eskilstuna>");
	inv = ujson_get(j, "invoice");
	assert_string_equal(ujson_get_str(inv, "number"), "INV-2024-17");
	assert_string_equal(ujson_get_str(inv, "currency"), "SEK");
	/* amounts: strings with exactly two decimals, never JSON numbers */
	assert_string_equal(ujson_get_str(inv, "total_net"), "1000.50");
	assert_string_equal(ujson_get_str(inv, "payable"), "1224.56");
	assert_null(ujson_get_str(inv, "buyer_reference"));
	assert_non_null(ujson_get(inv, "buyer_reference"));   /* present, null */
	assert_int_equal(ujson_array_size(ujson_get(j, "lines")), 2);
	l0 = ujson_array_get(ujson_get(j, "lines"), 0);
	l1 = ujson_array_get(ujson_get(j, "lines"), 1);
	assert_int_equal(ujson_get_int(l0, "line", 0), 1);
	assert_string_equal(ujson_get_str(l0, "account"), "4010");
	assert_string_equal(ujson_get_str(l0, "cost_centre"), "7301");
	assert_string_equal(ujson_get_str(l0, "activity"), "310");
	assert_string_equal(ujson_get_str(l0, "vat_code"), "MP1");
	assert_string_equal(ujson_get_str(l0, "net_amount"), "800.00");
	assert_string_equal(ujson_get_str(l1, "net_amount"), "200.50");
	assert_string_equal(ujson_get_str(l1, "vat_amount"), "24.06");
	assert_null(ujson_get_str(l1, "project"));            /* "" is null */
	ujson_free(j);
	free(json);
}

/* Builds p, expects ULF_EINVAL and `words` in the message, nothing out. */
static void expect_refused(const erp_posting *p, const char *words)
{
	char *json = (char *)"x";
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	rc = erp_payload_build(&json, p, &err);
	if (rc != ULF_EINVAL || !strstr(err.msg, words))
		fail_msg("rc %d, message '%s', expected '%s'", rc, err.msg, words);
	assert_null(json);
}

static void test_payload_refused(void **state)
{
	erp_posting p;

	(void)state;
	p = sample(); p.total_net = D("1000.49");
	expect_refused(&p, "net amounts add up to 1000.50");
	p = sample(); p.total_vat = D("224.07");
	expect_refused(&p, "VAT amounts add up to 224.06");
	p = sample(); lines[0].net_amount = D("800.001"); p.total_net = D("1000.501");
	expect_refused(&p, "line 1: net amount has more than two decimals");
	p = sample(); p.payable = D("1224.555");
	expect_refused(&p, "payable amount has more than two decimals");
	p = sample(); lines[1].account = "";
	expect_refused(&p, "line 2: account is missing");
	p = sample(); lines[0].vat_code = NULL;
	expect_refused(&p, "line 1: VAT code is missing");
	p = sample(); p.invoice_url = NULL;
	expect_refused(&p, "invoice_url is missing");
	p = sample(); p.issue_date = "2024-13-01";
	expect_refused(&p, "not YYYY-MM-DD");
	p = sample(); p.due_date = "31/03/2024";
	expect_refused(&p, "due date");
	p = sample(); p.currency = "kr";
	expect_refused(&p, "ISO 4217");
	p = sample(); p.nlines = 0;
	expect_refused(&p, "no booking lines");
	/* text that is not UTF-8 is named as such, not as out of memory */
	p = sample(); p.supplier_name = "Sjukv\xe5rdsmaterial AB";
	expect_refused(&p, "json: the text for \"name\" is not valid UTF-8");
	p = sample(); lines[1].description = "Kopieringspapper \xc3";
	expect_refused(&p, "json: the text for \"description\" is not valid UTF-8");
}

static void test_payload_credit_and_negative(void **state)
{
	erp_posting p = sample();
	char *json = NULL;
	ulf_err err;

	(void)state;
	/* a document-level allowance is a negative line; totals still balance */
	lines[1].net_amount = D("-100");
	lines[1].vat_amount = D("-25");
	p.total_net = D("700");
	p.total_vat = D("175");
	p.payable = D("875");
	p.type_code = "381";
	ulf_err_clear(&err);
	assert_int_equal(erp_payload_build(&json, &p, &err), 0);
	assert_non_null(strstr(json, "\"net_amount\":\"-100.00\""));
	assert_non_null(strstr(json, "\"type_code\":\"381\""));
	free(json);
}

/* Lines up to ERP_POSTING_MAX_LINES, the next refused and none lost;
 * cleared, the posting takes lines again. */
static void test_posting_line_cap(void **state)
{
	erp_booking_line *l;
	erp_posting p;
	ulf_err err;
	size_t i;

	(void)state;
	ulf_err_clear(&err);
	erp_posting_init(&p);
	for (i = 0; i < ERP_POSTING_MAX_LINES; i++) {
		assert_int_equal(erp_posting_add_line(&l, &p, &err), 0);
		assert_null(l->account);
		l->net_amount = dec_make((int64_t)i, 0);
	}
	assert_int_equal(erp_posting_add_line(&l, &p, &err), ULF_ERANGE);
	assert_null(l);
	assert_non_null(strstr(err.msg, "more than 100000 booking lines"));
	assert_int_equal(p.nlines, ERP_POSTING_MAX_LINES);
	for (i = 0; i < ERP_POSTING_MAX_LINES; i += 9999)
		assert_int_equal(dec_cmp(p.lines[i].net_amount, dec_make((int64_t)i, 0)), 0);
	assert_int_equal(erp_posting_set(&p.lines[7].account, "4010", &err), 0);
	erp_posting_clear_lines(&p);
	assert_int_equal(p.nlines, 0);
	assert_int_equal(erp_posting_add_line(&l, &p, &err), 0);
	assert_null(l->account);
	erp_posting_release(&p);
}

static void test_idempotency_key(void **state)
{
	char a[ERP_IDEM_KEY_MAX], b[ERP_IDEM_KEY_MAX];
	ulf_err err;
	size_t i;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(erp_idempotency_key(a, "5560000001", "380", "INV-1", "2024-03-01", 0, &err), 0);
	assert_int_equal(strlen(a), 5 + 64);
	assert_memory_equal(a, "ulf1-", 5);
	for (i = 5; i < strlen(a); i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	/* the same invoice: the same key, every time */
	assert_int_equal(erp_idempotency_key(b, "5560000001", "380", "INV-1", "2024-03-01", 0, &err), 0);
	assert_string_equal(a, b);
	/* anything else: another key */
	assert_int_equal(erp_idempotency_key(b, "5560000001", "380", "INV-1", "2024-03-01", 1, &err), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(erp_idempotency_key(b, "5560000001", "381", "INV-1", "2024-03-01", 0, &err), 0);
	assert_string_not_equal(a, b);
	/* fields are delimited: moving a character across a boundary changes it */
	assert_int_equal(erp_idempotency_key(a, "AB", "380", "C", "2024-03-01", 0, &err), 0);
	assert_int_equal(erp_idempotency_key(b, "A", "380", "BC", "2024-03-01", 0, &err), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(erp_idempotency_key(a, "5560000001", "380", "", "2024-03-01", 0, &err),
			 ULF_EINVAL);
	assert_string_equal(a, "");
}

/* The key of a built payload is the key of the posting it was built from:
 * what ulf erp-post sends by hand is answered like the robot's post. */
static void test_payload_idempotency_key(void **state)
{
	erp_posting p = sample();
	char a[ERP_IDEM_KEY_MAX], b[ERP_IDEM_KEY_MAX], *json = NULL;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(erp_payload_build(&json, &p, &err), 0);
	assert_int_equal(erp_payload_idempotency_key(a, json, strlen(json), 2, &err), 0);
	assert_int_equal(erp_idempotency_key(b, p.supplier_org_number, p.type_code,
					     p.invoice_number, p.issue_date, 2, &err), 0);
	assert_string_equal(a, b);
	free(json);
	/* no org number: the VAT number */
	p.supplier_org_number = NULL;
	assert_int_equal(erp_payload_build(&json, &p, &err), 0);
	assert_int_equal(erp_payload_idempotency_key(a, json, strlen(json), 0, &err), 0);
	assert_int_equal(erp_idempotency_key(b, p.supplier_vat_number, p.type_code,
					     p.invoice_number, p.issue_date, 0, &err), 0);
	assert_string_equal(a, b);
	free(json);
	assert_int_equal(erp_payload_idempotency_key(a, "{", 1, 0, &err), ULF_EPARSE);
}

static void test_backoff(void **state)
{
	unsigned attempt;
	long d, prev_ceiling = 0;

	(void)state;
	/* equal jitter: within [ceiling/2, ceiling], ceiling = base * 2^(n-1) <= cap */
	for (attempt = 1; attempt <= 12; attempt++) {
		long ceiling = 1000L << (attempt - 1);
		uint64_t r;
		if (ceiling > 60000)
			ceiling = 60000;
		assert_true(ceiling >= prev_ceiling);
		prev_ceiling = ceiling;
		for (r = 0; r < 2000; r += 7) {
			d = erp_backoff_ms(attempt, 1000, 60000, r * 0x9E3779B97F4A7C15ull);
			assert_true(d >= ceiling / 2 && d <= ceiling);
		}
		assert_int_equal(erp_backoff_ms(attempt, 1000, 60000, 0), ceiling / 2);
		assert_int_equal(erp_backoff_ms(attempt, 1000, 60000, (uint64_t)(ceiling - ceiling / 2)),
				 ceiling);
	}
	/* huge attempt counts and caps do not overflow */
	d = erp_backoff_ms(UINT_MAX, 1000, LONG_MAX, UINT64_MAX);
	assert_true(d >= LONG_MAX / 2 && d <= LONG_MAX);
	assert_int_equal(erp_backoff_ms(0, 1000, 60000, 0), 500);   /* 0 counts as the first */
	assert_int_equal(erp_backoff_ms(3, 0, 60000, 12345), 0);
	assert_int_equal(erp_backoff_ms(3, 5000, 10, 0), 2500);      /* cap below base: base */
}

static void test_retry_delay(void **state)
{
	erp_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.outcome = ERP_RETRY;
	r.retry_after_ms = -1;
	assert_int_equal(erp_retry_delay_ms(&r, 1, 1000, 60000, 0), 500);
	r.retry_after_ms = 7000;     /* the ERP asks for longer: it gets it */
	assert_int_equal(erp_retry_delay_ms(&r, 1, 1000, 60000, 0), 7000);
	r.retry_after_ms = 100;      /* shorter than the backoff: the backoff */
	assert_int_equal(erp_retry_delay_ms(&r, 3, 1000, 60000, 0), 2000);
	r.retry_after_ms = 86400L * 1000;   /* a day: cut to the hour */
	assert_int_equal(erp_retry_delay_ms(&r, 1, 1000, 60000, 0), ERP_RETRY_AFTER_MAX_MS);
	assert_int_equal(erp_retry_delay_ms(NULL, 1, 1000, 60000, 0), 500);
}

static void test_rates(void **state)
{
	static const struct { const char *text; unsigned want; } good[] = {
		{ "0", 0 }, { "1", 1000 }, { "0.33", 330 }, { "0.333", 333 }, { " 0.5 ", 500 },
		{ "1.000", 1000 }, { ".25", 250 },
	};
	static const char *const bad[] = { "1.5", "-0.1", "0.3333", "abc", "1e-3", "", "0,5" };
	unsigned pm;
	ulf_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ulf_err_clear(&err);
		pm = 9999;
		if (erpsim_parse_rate(&pm, good[i].text, &err) != 0)
			fail_msg("'%s': %s", good[i].text, err.msg);
		assert_int_equal(pm, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ulf_err_clear(&err);
		if (erpsim_parse_rate(&pm, bad[i], &err) != ULF_EINVAL)
			fail_msg("'%s' was taken as a rate", bad[i]);
	}
}

/* An owned posting with the same contents as sample(), through the setters. */
static void owned_sample(erp_posting *out)
{
	erp_posting p = sample();
	erp_booking_line *l;
	ulf_err err;
	size_t i;

	ulf_err_clear(&err);
	erp_posting_init(out);
	out->document_id = p.document_id;
	assert_int_equal(erp_posting_set(&out->invoice_url, p.invoice_url, &err), 0);
	assert_int_equal(erp_posting_set(&out->supplier_erp_id, p.supplier_erp_id, &err), 0);
	assert_int_equal(erp_posting_set(&out->supplier_name, p.supplier_name, &err), 0);
	assert_int_equal(erp_posting_set(&out->supplier_org_number, p.supplier_org_number, &err), 0);
	assert_int_equal(erp_posting_set(&out->supplier_vat_number, p.supplier_vat_number, &err), 0);
	assert_int_equal(erp_posting_set(&out->invoice_number, p.invoice_number, &err), 0);
	assert_int_equal(erp_posting_set(&out->type_code, p.type_code, &err), 0);
	assert_int_equal(erp_posting_set(&out->issue_date, p.issue_date, &err), 0);
	assert_int_equal(erp_posting_set(&out->due_date, p.due_date, &err), 0);
	assert_int_equal(erp_posting_set(&out->currency, p.currency, &err), 0);
	assert_int_equal(erp_posting_set(&out->order_reference, p.order_reference, &err), 0);
	out->total_net = p.total_net;
	out->total_vat = p.total_vat;
	out->payable = p.payable;
	for (i = 0; i < p.nlines; i++) {
		const erp_booking_line *s = &p.lines[i];

		assert_int_equal(erp_posting_add_line(&l, out, &err), 0);
		assert_int_equal(erp_posting_set(&l->invoice_line_id, s->invoice_line_id, &err), 0);
		assert_int_equal(erp_posting_set(&l->description, s->description, &err), 0);
		assert_int_equal(erp_posting_set(&l->account, s->account, &err), 0);
		assert_int_equal(erp_posting_set(&l->cost_centre, s->cost_centre, &err), 0);
		assert_int_equal(erp_posting_set(&l->activity, s->activity, &err), 0);
		assert_int_equal(erp_posting_set(&l->project, s->project, &err), 0);
		assert_int_equal(erp_posting_set(&l->vat_code, s->vat_code, &err), 0);
		l->net_amount = s->net_amount;
		l->vat_amount = s->vat_amount;
	}
}

/* The invoice's part kept as facts and read back gives the same payload. */
static void test_posting_facts(void **state)
{
	erp_posting a, b;
	char *facts = NULL, *pa = NULL, *pb = NULL;
	erp_booking_line *l;
	ulf_err err;
	size_t i;

	(void)state;
	ulf_err_clear(&err);
	owned_sample(&a);
	assert_int_equal(erp_posting_facts_json(&facts, &a, &err), 0);
	/* the stored form: every fact, null when absent, amounts as written */
	assert_string_equal(facts,
		"{\"supplier_name\":\"Sjukvårdsmaterial \\\"AB\\\"\\n<Eskilstuna>\","
		"\"supplier_org_number\":\"5560000001\",\"supplier_vat_number\":\"SE556000000101\","
		"\"invoice_number\":\"INV-2024-17\",\"type_code\":\"380\","
		"\"issue_date\":\"2024-03-01\",\"due_date\":\"2024-03-31\",\"currency\":\"SEK\","
		"\"buyer_reference\":null,\"order_reference\":\"DLL1234567\","
		"\"payment_reference\":null,\"total_net\":\"1000.50\",\"total_vat\":\"224.06\","
		"\"payable\":\"1224.56\"}");
	/* b: what a posting thread has, the facts and the booking's lines */
	erp_posting_init(&b);
	b.document_id = a.document_id;
	assert_int_equal(erp_posting_set(&b.invoice_url, a.invoice_url, &err), 0);
	assert_int_equal(erp_posting_set(&b.supplier_erp_id, a.supplier_erp_id, &err), 0);
	assert_int_equal(erp_posting_read_facts(&b, facts, strlen(facts), &err), 0);
	for (i = 0; i < a.nlines; i++) {
		assert_int_equal(erp_posting_add_line(&l, &b, &err), 0);
		assert_int_equal(erp_posting_set(&l->account, a.lines[i].account, &err), 0);
		assert_int_equal(erp_posting_set(&l->vat_code, a.lines[i].vat_code, &err), 0);
		assert_int_equal(erp_posting_set(&l->invoice_line_id, a.lines[i].invoice_line_id, &err), 0);
		assert_int_equal(erp_posting_set(&l->description, a.lines[i].description, &err), 0);
		assert_int_equal(erp_posting_set(&l->cost_centre, a.lines[i].cost_centre, &err), 0);
		assert_int_equal(erp_posting_set(&l->activity, a.lines[i].activity, &err), 0);
		assert_int_equal(erp_posting_set(&l->project, a.lines[i].project, &err), 0);
		l->net_amount = a.lines[i].net_amount;
		l->vat_amount = a.lines[i].vat_amount;
	}
	assert_int_equal(erp_payload_build(&pa, &a, &err), 0);
	assert_int_equal(erp_payload_build(&pb, &b, &err), 0);
	assert_string_equal(pa, pb);
	/* facts without an amount are not taken, and change nothing */
	assert_int_equal(erp_posting_read_facts(&b, "{\"supplier_name\":\"X\"}", 21, &err),
			 ULF_EINVAL);
	assert_string_equal(b.supplier_name, a.supplier_name);
	assert_int_equal(erp_posting_read_facts(&b, "not json", 8, &err), ULF_EPARSE);
	free(facts);
	free(pa);
	free(pb);
	erp_posting_release(&a);
	erp_posting_release(&b);
	erp_posting_release(NULL);
}

/* The booking as documents keep it, written and read back. */
static void test_posting_booking(void **state)
{
	static const char bad_amount[] =
		"{\"lines\":[{\"account\":\"1\",\"vat_code\":\"E\",\"net_amount\":\"1\","
		"\"vat_amount\":\"0\"},{\"account\":\"1\",\"net_amount\":1,\"vat_amount\":\"0\"}]}";
	erp_posting a, b;
	ujson *bk = NULL, *parsed = NULL;
	char *text, *pa = NULL, *pb = NULL;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	owned_sample(&a);
	assert_int_equal(erp_posting_booking_json(&bk, &a, &err), 0);
	text = ujson_dump(bk, UJSON_COMPACT);
	/* NULL is left out, "" is kept, amounts have two decimals at least */
	assert_string_equal(text,
		"{\"supplier_erp_id\":\"L1001\",\"lines\":["
		"{\"invoice_line_id\":\"1\",\"description\":\"Gloves, nitrile\",\"account\":\"4010\","
		"\"cost_centre\":\"7301\",\"activity\":\"310\",\"vat_code\":\"MP1\","
		"\"net_amount\":\"800.00\",\"vat_amount\":\"200.00\"},"
		"{\"invoice_line_id\":\"2\",\"account\":\"4011\",\"cost_centre\":\"7301\","
		"\"project\":\"\",\"vat_code\":\"MP2\",\"net_amount\":\"200.50\","
		"\"vat_amount\":\"24.06\"}]}");
	/* b: the header of a, the lines from the booking */
	owned_sample(&b);
	erp_posting_clear_lines(&b);
	assert_int_equal(erp_posting_set(&b.supplier_erp_id, NULL, &err), 0);
	assert_int_equal(erp_posting_read_booking(&b, bk, &err), 0);
	assert_int_equal(b.nlines, 2);
	assert_string_equal(b.supplier_erp_id, "L1001");
	assert_null(b.lines[1].project);            /* "" reads as absent */
	assert_int_equal(erp_payload_build(&pa, &a, &err), 0);
	assert_int_equal(erp_payload_build(&pb, &b, &err), 0);
	assert_string_equal(pa, pb);
	/* what cannot be a booking */
	assert_int_equal(erp_posting_read_booking(&b, NULL, &err), ULF_EINVAL);
	assert_string_equal(err.msg, "the booking has no lines");
	assert_int_equal(b.nlines, 0);
	ulf_err_clear(&err);
	assert_int_equal(ujson_parse(&parsed, bad_amount, strlen(bad_amount), "t", &err), 0);
	assert_int_equal(erp_posting_read_booking(&b, parsed, &err), ULF_EINVAL);
	assert_string_equal(err.msg, "booking line 2: amounts must be decimal strings");
	assert_int_equal(b.nlines, 0);
	ujson_free(parsed);
	ujson_free(bk);
	free(text);
	free(pa);
	free(pb);
	erp_posting_release(&a);
	erp_posting_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_fields),
		cmocka_unit_test(test_payload_refused),
		cmocka_unit_test(test_payload_credit_and_negative),
		cmocka_unit_test(test_posting_facts),
		cmocka_unit_test(test_posting_booking),
		cmocka_unit_test(test_posting_line_cap),
		cmocka_unit_test(test_idempotency_key),
		cmocka_unit_test(test_payload_idempotency_key),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test(test_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
