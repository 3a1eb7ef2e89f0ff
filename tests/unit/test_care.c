/*
 * test_care.c - the care join and reconciliation (robot/care/care.h) and the
 * booking rules (robot/care/care_booking.h).
 *
 * Every CARE rule has a passing case (the untouched samples reconcile
 * without findings) and a failing one (a sample edited in one place, in
 * the tables below); a test checks that no rule lacks a failing case.
 * Every failing case is also checked for privacy: no finding message and
 * no masked rendering holds any of the samples' test personnummer, in any
 * of the ways a personnummer is written.
 *
 * Reads samples/care (ULF_SAMPLES).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/text.h"
#include "parsers/reader.h"
#include "robot/care/care.h"
#include "robot/care/care_booking.h"
#include "tests/support/support.h"

#define PATH_LEN 1024

/* Every patient identity in samples/care, 12 digits. */
static const char *const test_pnrs[] = {
	"191212121212", "191212122277", "191212122384", "191212122459",
	"191212122590", "191212122665", "191212122731", "191212721235",
};
#define NPNRS (sizeof(test_pnrs) / sizeof(test_pnrs[0]))

/* Fails when s holds any test personnummer as 12 or 10 digits, with or
 * without the separator. */
static void assert_no_pnr(const char *s, const char *what)
{
	char forms[4][16];
	size_t i, k;

	if (!s)
		return;
	for (i = 0; i < NPNRS; i++) {
		const char *p = test_pnrs[i];
		snprintf(forms[0], sizeof(forms[0]), "%s", p);
		snprintf(forms[1], sizeof(forms[1]), "%s", p + 2);
		snprintf(forms[2], sizeof(forms[2]), "%.8s-%s", p, p + 8);
		snprintf(forms[3], sizeof(forms[3]), "%.6s-%s", p + 2, p + 8);
		for (k = 0; k < 4; k++)
			if (strstr(s, forms[k]))
				fail_msg("%s holds a personnummer: %s", what, s);
	}
}

/* samples/care/<name>, whole (the test is skipped without the samples) */
static char *slurp(const char *name)
{
	char path[PATH_LEN];

	return ts_slurp(NULL, ts_samples_path(path, sizeof(path), "care/%s", name));
}

/* text with the first `from` replaced by `to` (no edit when from is NULL). */
static char *edit(const char *text, const char *from, const char *to)
{
	return from ? ts_replace(text, from, to) : strdup(text);
}

static claim *claim_of(const char *name, const char *from, const char *to)
{
	char *text = slurp(name), *t = edit(text, from, to);
	claim *c = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	if (claim_read_buffer(&c, t, strlen(t), name, NULL, NULL, &err))
		fail_msg("%s: %s", name, err.msg);
	free(t);
	free(text);
	return c;
}

static ulf_document invoice_of(const char *name, const char *from, const char *to)
{
	char *text = slurp(name), *t = edit(text, from, to);
	ulf_document doc;
	ulf_err err;

	ulf_err_clear(&err);
	if (reader_read(&doc, t, strlen(t), name, NULL, false, &err))
		fail_msg("%s: %s", name, err.msg);
	assert_int_equal(doc.kind, DOC_INVOICE);
	free(t);
	free(text);
	return doc;
}

static size_t count_rule(const findings *f, const char *rule)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule, rule) == 0)
			n++;
	return n;
}

static void assert_private(const findings *f, const claim *c)
{
	ujson *j;
	char *s;
	size_t i;
	ulf_err err;

	for (i = 0; i < f->n; i++)
		assert_no_pnr(f->items[i].message, f->items[i].rule);
	if (!c)
		return;
	ulf_err_clear(&err);
	assert_int_equal(care_claim_json(&j, c, "x.xml", false, &err), 0);
	s = ujson_dump(j, UJSON_COMPACT);
	assert_no_pnr(s, "the masked claim JSON");
	free(s);
	ujson_free(j);
}

static void dump(const findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		print_message("    %s: %s\n", f->items[i].rule, f->items[i].message);
}

/* ---- identifiers, dates, masking ------------------------------------ */

static void test_identifiers(void **state)
{
	(void)state;
	assert_true(care_luhn("56781230", 8));
	assert_false(care_luhn("56781236", 8));
	assert_false(care_luhn("12a4", 4));
	assert_true(care_org_ok("2321000024"));
	assert_true(care_org_ok("2321000032"));
	assert_false(care_org_ok("2321000025"));
	assert_false(care_org_ok("232100002"));

	assert_int_equal(care_pid_check("191212121212", false), CARE_PID_OK);
	assert_int_equal(care_pid_check("191212721235", true), CARE_PID_OK);
	assert_int_equal(care_pid_check("191212721235", false), CARE_PID_DATE);
	assert_int_equal(care_pid_check("191212121213", false), CARE_PID_CHECK);
	assert_int_equal(care_pid_check("191213121212", false), CARE_PID_DATE);
	assert_int_equal(care_pid_check("19121212-1212", false), CARE_PID_FORMAT);
	assert_int_equal(care_pid_check("1212121212", false), CARE_PID_FORMAT);
	assert_int_equal(care_pid_check(NULL, false), CARE_PID_FORMAT);

	assert_true(care_is_claim_id("ZVF23210000242503000101"));
	assert_false(care_is_claim_id("ZVF2321000024250300010"));
	assert_false(care_is_claim_id("ZVF23210000242513000101"));   /* month 13 */
	assert_false(care_is_claim_id("ZVX23210000242503000101"));
	assert_false(care_is_claim_id(NULL));
}

static void test_masking(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(care_mask_pid(buf, sizeof(buf), "191212121212"), "19121212-****");
	assert_string_equal(care_mask_pid(buf, sizeof(buf), "19121212-1212"), "19121212-****");
	assert_string_equal(care_mask_pid(buf, sizeof(buf), "1212121212"), "121212-****");
	assert_string_equal(care_mask_pid(buf, sizeof(buf), "121212+1212"), "121212-****");
	assert_string_equal(care_mask_pid(buf, sizeof(buf), "RES-99-4411"), "****");
	assert_string_equal(care_mask_pid(buf, sizeof(buf), NULL), "****");
}

static void test_render_masks(void **state)
{
	claim *c = claim_of("claim-matched.xml", NULL, NULL);
	ujson *j;
	char *s;
	FILE *f;
	char text[8192];
	size_t n;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(care_claim_json(&j, c, "claim.xml", false, &err), 0);
	s = ujson_dump(j, UJSON_COMPACT);
	assert_no_pnr(s, "masked JSON");
	assert_non_null(strstr(s, "\"19121212-****\""));
	assert_null(strstr(s, "VK-AS-2025-0871"));   /* care contact ids too */
	assert_null(strstr(s, "I509"));              /* and diagnoses */
	free(s);
	ujson_free(j);

	/* the handler's view shows what the default hides */
	assert_int_equal(care_claim_json(&j, c, "claim.xml", true, &err), 0);
	s = ujson_dump(j, UJSON_COMPACT);
	assert_non_null(strstr(s, "191212121212"));
	assert_non_null(strstr(s, "VK-AS-2025-0871"));
	assert_non_null(strstr(s, "I509"));
	free(s);
	ujson_free(j);

	f = tmpfile();
	assert_non_null(f);
	care_claim_text(f, c, "claim.xml", false);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_no_pnr(text, "masked text");
	assert_non_null(strstr(text, "19121212-****"));
	claim_free(c);
}

static void test_dates(void **state)
{
	int64_t t, u;

	(void)state;
	assert_true(care_date_ok("20240229"));
	assert_false(care_date_ok("20250229"));
	assert_false(care_date_ok("20250230"));
	assert_false(care_date_ok("2025033"));
	assert_true(care_time_ok("235959"));
	assert_false(care_time_ok("240000"));
	assert_int_equal(care_parse_date(&t, "19700102"), 0);
	assert_int_equal(t, 86400);
	assert_int_equal(care_parse_date(&t, "2025-03-14"), 0);
	assert_int_equal(care_parse_date(&u, "20250314"), 0);
	assert_int_equal(t, u);
	assert_int_equal(care_parse_date(&t, "2025-02-30"), ULF_EINVAL);
	assert_int_equal(care_parse_date(&t, "next week"), ULF_EINVAL);
}

/* ---- the join ------------------------------------------------------- */

static void test_keys_and_match(void **state)
{
	claim *c = claim_of("claim-matched.xml", NULL, NULL);
	ulf_document inv = invoice_of("invoice-matched.xml", NULL, NULL);
	care_keys ck, ik, other;

	(void)state;
	care_claim_keys(&ck, c);
	care_invoice_keys(&ik, inv.inv);
	assert_string_equal(ck.claim_id, "ZVF23210000242503000101");
	assert_string_equal(ck.invoice_number, "7250001234");
	assert_string_equal(ck.seller_org, "2321000024");
	assert_string_equal(ik.claim_id, "ZVF23210000242503000101");
	assert_string_equal(ik.invoice_number, "7250001234");
	assert_string_equal(ik.seller_org, "2321000024");
	assert_int_equal(care_keys_match(&ck, &ik), CARE_MATCH_CLAIM_ID);

	/* different ids never match, whatever the invoice numbers say */
	other = ik;
	memcpy(other.claim_id, "ZVF23210000242503000102", CARE_CLAIM_ID_LEN + 1);
	assert_int_equal(care_keys_match(&ck, &other), CARE_NO_MATCH);
	/* without an id on one side: number and seller must both agree */
	other.claim_id[0] = '\0';
	assert_int_equal(care_keys_match(&ck, &other), CARE_MATCH_INVOICE_NUMBER);
	memcpy(other.seller_org, "2321000164", 11);
	assert_int_equal(care_keys_match(&ck, &other), CARE_NO_MATCH);
	other.seller_org[0] = '\0';
	assert_int_equal(care_keys_match(&ck, &other), CARE_NO_MATCH);
	assert_string_equal(care_match_name(CARE_MATCH_CLAIM_ID), "fakturaunderlags-id");

	/* an envelope's DocumentReference stands in for a missing invoiceId */
	c->invoice_id.v = NULL;
	c->envelope_document_id = "90433";
	care_claim_keys(&ck, c);
	assert_string_equal(ck.invoice_number, "90433");
	claim_free(c);
	reader_document_release(&inv);
}

static void test_invoice_keys_fallbacks(void **state)
{
	ulf_document inv = invoice_of("invoice-first-invoice.xml", NULL, NULL);
	care_keys k;

	(void)state;
	/* this invoice names no claim: the join must use number and seller */
	care_invoice_keys(&k, inv.inv);
	assert_string_equal(k.claim_id, "");
	assert_string_equal(k.invoice_number, "7250001301");
	assert_string_equal(k.seller_org, "2321000024");
	reader_document_release(&inv);

	/* senders put the id in a note: it is found there, whole only */
	inv = invoice_of("invoice-first-invoice.xml", "dagkirurgi april 2025.",
			 "dagkirurgi april 2025, fakturaunderlag ZVF23210000242504000102.");
	care_invoice_keys(&k, inv.inv);
	assert_string_equal(k.claim_id, "ZVF23210000242504000102");
	reader_document_release(&inv);
	inv = invoice_of("invoice-first-invoice.xml", "dagkirurgi april 2025.",
			 "ZVF232100002425040001029 ZVF2321");
	care_invoice_keys(&k, inv.inv);
	assert_string_equal(k.claim_id, "");
	reader_document_release(&inv);
}

static void test_expiry(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(care_parse_date(&t, "20250314"), 0);
	/* exactly the wait is still in time; a second more is not */
	assert_false(care_expired(t, t + 30 * 86400, 30));
	assert_true(care_expired(t, t + 30 * 86400 + 1, 30));
	assert_false(care_expired(t, t, 30));
	assert_true(care_expired(t, t + 1, 0));
}

/* ---- the rules: failing cases --------------------------------------- */

typedef struct claim_case {
	const char *rule;
	const char *file;
	const char *from, *to;
} claim_case;

static const claim_case claim_cases[] = {
	{ "CARE-001", "claim-matched.xml",
	  "<c:careUnitName>Akademiska sjukhuset, Kardiologi avd 50</c:careUnitName>", "" },
	{ "CARE-001", "claim-matched.xml", "<c:amount>6200.00</c:amount>", "<c:amount>6 200</c:amount>" },
	{ "CARE-002", "claim-matched.xml", "<c:id>ZVF23210000242503000101</c:id>",
	  "<c:id>ZVF2321000024250300010</c:id>" },
	{ "CARE-002", "claim-matched.xml", "<c:id>ZVF23210000242503000101</c:id>",
	  "<c:id>ZVF23210000322503000101</c:id>" },
	{ "CARE-003", "claim-matched.xml", "<c:typeOfInvoice>380", "<c:typeOfInvoice>383" },
	{ "CARE-004", "claim-matched.xml", "<c:careVisitDate>20250303", "<c:careVisitDate>20250230" },
	{ "CARE-004", "claim-matched.xml", "<c:issueTime>101500", "<c:issueTime>101560" },
	{ "CARE-005", "claim-matched.xml", "<c:careDischargeDate>20250308",
	  "<c:careDischargeDate>20250301" },
	{ "CARE-005", "claim-matched.xml", "<c:careVisitDate>20250312",
	  "<c:careVisitDate>20250402" },
	{ "CARE-006", "claim-matched.xml", "<c:code>SEK</c:code>", "<c:code>EUR</c:code>" },
	{ "CARE-006", "claim-matched.xml", "<c:codeSystem>1.0.4217</c:codeSystem>",
	  "<c:codeSystem>1.0.4218</c:codeSystem>" },
	{ "CARE-007", "claim-matched.xml", "<c:amount>27.00</c:amount>", "<c:amount>-27.00</c:amount>" },
	{ "CARE-008", "claim-matched.xml", "<c:lineId>3</c:lineId>", "<c:lineId>2</c:lineId>" },
	{ "CARE-008", "claim-matched.xml", "<c:lineId>3</c:lineId>", "<c:lineId>1</c:lineId>" },
	{ "CARE-009", "claim-matched.xml", "<c:amount>540.00</c:amount>", "<c:amount>560.00</c:amount>" },
	{ "CARE-010", "claim-matched.xml", "<c:amount>48350.00</c:amount>",
	  "<c:amount>48300.00</c:amount>" },
	{ "CARE-010", "claim-matched.xml", "<c:outPatientCareFeePaid>\n            <c:amount>200.00",
	  "<c:outPatientCareFeePaid>\n            <c:amount>250.00" },
	{ "CARE-011", "claim-matched.xml", "<c:amount>27.00</c:amount>", "<c:amount>37.00</c:amount>" },
	{ "CARE-011", "ubl-embedded-claim", "<c:amount>180.00</c:amount>", "<c:amount>150.00</c:amount>" },
	{ "CARE-012", "claim-matched.xml", "<c:amount>57367.00</c:amount>",
	  "<c:amount>57369.00</c:amount>" },
	{ "CARE-013", "claim-matched.xml", "191212121212", "191212121213" },
	{ "CARE-013", "claim-matched.xml", "191212121212", "191213121212" },
	{ "CARE-013", "claim-matched.xml", "191212121212", "19121212-1212" },
	{ "CARE-013", "claim-first-claim.soap.xml", "<c:root>1.2.752.129.2.1.3.3</c:root>",
	  "<c:root>1.2.752.129.2.1.3.1</c:root>" },
	{ "CARE-014", "claim-matched.xml", "<c:extension>2321000032</c:extension>",
	  "<c:extension>2321000033</c:extension>" },
	{ "CARE-014", "claim-matched.xml", "<c:extension>2321000032</c:extension>",
	  "<c:extension>232100003</c:extension>" },
	{ "CARE-015", "claim-matched.xml", "<c:invoiceDateOfIssue>20250331</c:invoiceDateOfIssue>",
	  "<c:invoiceDateOfIssue>20250331</c:invoiceDateOfIssue>"
	  "<c:referenceToInvoice>7250000001</c:referenceToInvoice>" },
	{ "CARE-015", "credit-claim.xml",
	  "<c:referenceToProcessClaimSpecificationId>ZVF23210000242503000101"
	  "</c:referenceToProcessClaimSpecificationId>", "" },
	{ "CARE-016", "credit-claim.xml", "<c:reasonForCredit>2</c:reasonForCredit>", "" },
	{ "CARE-016", "credit-claim.xml", "<c:referenceToLineId>3</c:referenceToLineId>", "" },
	{ "CARE-017", "claim-matched.xml", "<c:code>0480</c:code>", "<c:code>1980</c:code>" },
	{ "CARE-017", "claim-matched.xml", "<c:code>04</c:code>", "<c:code>02</c:code>" },
	{ "CARE-018", "claim-matched.xml", "<c:code>02</c:code>", "<c:code>03</c:code>" },
	{ "CARE-018", "claim-matched.xml", "<c:priceList>2</c:priceList>", "<c:priceList>7</c:priceList>" },
	{ "CARE-018", "claim-matched.xml", "<c:typeOfAgreement>2</c:typeOfAgreement>",
	  "<c:typeOfAgreement>4</c:typeOfAgreement>" },
};

/* The claim embedded in the UBL sample, decoded, as text. */
static char *embedded_claim_text(void)
{
	ulf_document doc = invoice_of("ubl-embedded-invoice.xml", NULL, NULL);
	const inv_attachment *a = doc.inv->docs[0].attachment;
	char *t;

	assert_non_null(a);
	t = malloc(a->size + 1);
	assert_non_null(t);
	memcpy(t, a->data, a->size);
	t[a->size] = '\0';
	reader_document_release(&doc);
	return t;
}

static claim *case_claim(const claim_case *k)
{
	char *text, *t;
	claim *c = NULL;
	ulf_err err;

	if (strcmp(k->file, "ubl-embedded-claim") != 0)
		return claim_of(k->file, k->from, k->to);
	text = embedded_claim_text();
	t = edit(text, k->from, k->to);
	ulf_err_clear(&err);
	assert_int_equal(claim_read_buffer(&c, t, strlen(t), "embedded", NULL, NULL, &err), 0);
	free(t);
	free(text);
	return c;
}

static void test_claim_rules_fail(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(claim_cases) / sizeof(claim_cases[0]); i++) {
		const claim_case *k = &claim_cases[i];
		claim *c = case_claim(k);
		findings f;
		ulf_err err;

		findings_init(&f);
		ulf_err_clear(&err);
		assert_int_equal(care_check_claim(&f, c, &err), 0);
		if (count_rule(&f, k->rule) == 0) {
			dump(&f);
			fail_msg("%s did not fire for %s: '%s' -> '%s'", k->rule, k->file, k->from, k->to);
		}
		assert_private(&f, c);
		findings_release(&f);
		claim_free(c);
	}
}

/* A finding quotes at most so many bytes of a document's value, cut on a
 * whole character: half an "å" would make the findings no JSON. */
static void test_quotes_whole_characters(void **state)
{
	claim *c = claim_of("claim-matched.xml", "<c:typeOfAgreement>2</c:typeOfAgreement>",
			    "<c:typeOfAgreement>x\xc3\xa5\xc3\xa5\xc3\xa5\xc3\xa5\xc3\xa5"
			    "</c:typeOfAgreement>");
	findings f;
	ujson *j = NULL;
	ulf_err err;
	char id[700], *text, *t1, *t2;
	size_t i, n = 0;

	(void)state;
	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(care_check_claim(&f, c, &err), 0);
	for (i = 0; i < f.n; i++) {
		const char *m = f.items[i].message;
		assert_true(text_is_utf8(m, strlen(m), NULL));
		if (strcmp(f.items[i].rule, "CARE-018") == 0) {
			/* 10 bytes would end in the middle of the fifth "å" */
			assert_non_null(strstr(m, "typeOfAgreement 'x\xc3\xa5\xc3\xa5\xc3\xa5"
						  "\xc3\xa5' is not"));
			n++;
		}
	}
	assert_int_equal(n, 1);
	assert_int_equal(care_findings_json(&j, &f, &err), 0);
	ujson_free(j);
	findings_release(&f);
	claim_free(c);

	/* a message cut at its buffer's end ends on a whole character too:
	 * a line id of "x" and 301 "å" (603 bytes) in a finding about its line,
	 * where the 512-byte buffer ends inside an "å" */
	memset(id, 0, sizeof(id));
	memcpy(id, "<c:lineId>x", 11);
	for (i = 0; i < 301; i++)
		memcpy(id + 11 + 2 * i, "\xc3\xa5", 2);
	memcpy(id + 11 + 602, "</c:lineId>", 11);
	text = slurp("claim-matched.xml");
	t1 = edit(text, "<c:lineId>1</c:lineId>", id);
	t2 = edit(t1, "<c:typeOfAgreement>2</c:typeOfAgreement>",
		  "<c:typeOfAgreement>9</c:typeOfAgreement>");
	c = NULL;
	assert_int_equal(claim_read_buffer(&c, t2, strlen(t2), "long-id", NULL, NULL, &err), 0);
	findings_init(&f);
	assert_int_equal(care_check_claim(&f, c, &err), 0);
	assert_true(f.n > 0);
	for (i = 0, n = 0; i < f.n; i++) {
		const char *m = f.items[i].message;
		assert_true(text_is_utf8(m, strlen(m), NULL));
		n += strlen(m) > 500;
	}
	assert_true(n > 0);   /* one was cut: CARE-018's, naming the line */
	assert_int_equal(care_findings_json(&j, &f, &err), 0);
	ujson_free(j);
	findings_release(&f);
	claim_free(c);
	free(t2);
	free(t1);
	free(text);
}

/* ---- the rules: passing cases --------------------------------------- */

static void assert_clean_claim(claim *c, const char *what)
{
	findings f;
	ulf_err err;

	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(care_check_claim(&f, c, &err), 0);
	if (f.n) {
		dump(&f);
		fail_msg("%s: expected no findings", what);
	}
	findings_release(&f);
}

static void test_claim_rules_pass(void **state)
{
	static const char *const names[] = {
		"claim-matched.xml", "claim-first-claim.soap.xml", "invoice-first-claim.xml",
		"credit-claim.xml", "mismatch-claim.xml", "timeout-claim.xml",
	};
	char *text;
	claim *c;
	size_t i;
	ulf_err err;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		c = claim_of(names[i], NULL, NULL);
		assert_clean_claim(c, names[i]);
		claim_free(c);
	}
	text = embedded_claim_text();
	ulf_err_clear(&err);
	assert_int_equal(claim_read_buffer(&c, text, strlen(text), "embedded", NULL, NULL, &err), 0);
	assert_clean_claim(c, "embedded claim");
	claim_free(c);
	free(text);

	/* within 1 SEK is not a difference (CARE-012, CARE-020) */
	c = claim_of("claim-matched.xml", "<c:amount>57367.00</c:amount>", "<c:amount>57368.00</c:amount>");
	assert_clean_claim(c, "payable 1.00 off");
	claim_free(c);
	/* county 99 / municipality 9901 for asylum seekers */
	c = claim_of("claim-matched.xml", "<c:code>04</c:code>", "<c:code>99</c:code>");
	claim_free(c);
	text = slurp("claim-matched.xml");
	{
		char *a = edit(text, "<c:code>04</c:code>", "<c:code>99</c:code>");
		char *b = edit(a, "<c:code>0480</c:code>", "<c:code>9901</c:code>");
		assert_int_equal(claim_read_buffer(&c, b, strlen(b), "asylum", NULL, NULL, &err), 0);
		assert_clean_claim(c, "asylum seeker county 99");
		claim_free(c);
		free(a);
		free(b);
	}
	free(text);
}

typedef struct pair_case {
	const char *rule;
	const char *claim_file, *claim_from, *claim_to;
	const char *inv_file, *inv_from, *inv_to;
} pair_case;

static const pair_case pair_cases[] = {
	{ "CARE-020", "claim-matched.xml", NULL, NULL, "invoice-matched.xml",
	  "<cbc:PayableAmount currencyID=\"SEK\">57367.00", "<cbc:PayableAmount currencyID=\"SEK\">57467.00" },
	{ "CARE-020", "mismatch-claim.xml", NULL, NULL, "mismatch-invoice.xml", NULL, NULL },
	{ "CARE-021", "claim-matched.xml", "<c:typeOfInvoice>380", "<c:typeOfInvoice>381",
	  "invoice-matched.xml", NULL, NULL },
	{ "CARE-021", "credit-claim.xml", NULL, NULL, "invoice-matched.xml", NULL, NULL },
	{ "CARE-022", "claim-matched.xml", "<c:invoiceId>7250001234", "<c:invoiceId>7250001235",
	  "invoice-matched.xml", NULL, NULL },
	{ "CARE-022", "claim-matched.xml", "<c:invoiceDateOfIssue>20250331",
	  "<c:invoiceDateOfIssue>20250330", "invoice-matched.xml", NULL, NULL },
	{ "CARE-022", "claim-matched.xml", NULL, NULL, "invoice-matched.xml",
	  "<cbc:ID>ZVF23210000242503000101", "<cbc:ID>ZVF23210000242503000111" },
	{ "CARE-023", "credit-claim.xml", NULL, NULL, "credit-note.xml",
	  "<cbc:ID>7250001234</cbc:ID>", "<cbc:ID>7250009999</cbc:ID>" },
	{ "CARE-024", "claim-matched.xml", NULL, NULL, "invoice-matched.xml",
	  "<cbc:CompanyID schemeID=\"0007\">2321000024", "<cbc:CompanyID schemeID=\"0007\">2321000164" },
	{ "CARE-025", "claim-matched.xml", NULL, NULL, "invoice-matched.xml",
	  "<cbc:CompanyID schemeID=\"0007\">2321000032", "<cbc:CompanyID schemeID=\"0007\">2321000172" },
	{ "CARE-026", "claim-matched.xml", NULL, NULL, "invoice-matched.xml",
	  "<cbc:DocumentCurrencyCode>SEK", "<cbc:DocumentCurrencyCode>EUR" },
};

static void run_pair(findings *f, const char *cf, const char *c_from, const char *c_to,
		     const char *inf, const char *i_from, const char *i_to)
{
	claim *c = claim_of(cf, c_from, c_to);
	ulf_document inv = invoice_of(inf, i_from, i_to);
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(care_check_pair(f, c, inv.inv, &err), 0);
	assert_private(f, c);
	claim_free(c);
	reader_document_release(&inv);
}

static void test_pair_rules(void **state)
{
	static const char *const pairs[][2] = {
		{ "claim-matched.xml", "invoice-matched.xml" },
		{ "claim-first-claim.soap.xml", "claim-first-invoice.xml" },
		{ "invoice-first-claim.xml", "invoice-first-invoice.xml" },
		{ "credit-claim.xml", "credit-note.xml" },
	};
	findings f;
	size_t i;

	(void)state;
	/* passing: every sample pair */
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		findings_init(&f);
		run_pair(&f, pairs[i][0], NULL, NULL, pairs[i][1], NULL, NULL);
		if (f.n) {
			dump(&f);
			fail_msg("%s + %s: expected no findings", pairs[i][0], pairs[i][1]);
		}
		findings_release(&f);
	}
	/* a credit note carrying a negative payable still compares by amount */
	findings_init(&f);
	run_pair(&f, "claim-matched.xml", NULL, NULL, "invoice-matched.xml",
		 "<cbc:PayableAmount currencyID=\"SEK\">57367.00",
		 "<cbc:PayableAmount currencyID=\"SEK\">57367.90");
	assert_int_equal(count_rule(&f, "CARE-020"), 0);
	findings_release(&f);
	/* failing */
	for (i = 0; i < sizeof(pair_cases) / sizeof(pair_cases[0]); i++) {
		const pair_case *k = &pair_cases[i];
		findings_init(&f);
		run_pair(&f, k->claim_file, k->claim_from, k->claim_to, k->inv_file, k->inv_from,
			 k->inv_to);
		if (count_rule(&f, k->rule) == 0) {
			dump(&f);
			fail_msg("%s did not fire (case %zu)", k->rule, i);
		}
		findings_release(&f);
	}
}

/* The message of the first finding of `rule`, or fails. */
static const char *rule_message(const findings *f, const char *rule)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule, rule) == 0)
			return f->items[i].message;
	dump(f);
	fail_msg("%s did not fire", rule);
	return NULL;
}

/*
 * Amounts whose sum or difference does not fit a dec (an 18-digit amount
 * aligned to öre) are a fatal finding that says so - the case goes to the
 * exception queue with a clear reason, never compared with a made-up
 * difference and never passed because the sum was skipped.
 */
static void test_amounts_overflow(void **state)
{
	static const char huge[] = "<c:amount>999999999999999999</c:amount>";
	findings f;
	claim *c;
	ulf_err err;

	(void)state;
	/* the payable amount cannot be compared with the lines' sum (CARE-012) */
	c = claim_of("claim-matched.xml", "<c:amount>57367.00</c:amount>", huge);
	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(care_check_claim(&f, c, &err), 0);
	assert_true(findings_fatal(&f));
	assert_non_null(strstr(rule_message(&f, "CARE-012"), "amounts out of range"));
	assert_private(&f, c);
	findings_release(&f);
	claim_free(c);

	/* nor with the invoice's (CARE-020) */
	findings_init(&f);
	run_pair(&f, "claim-matched.xml", "<c:amount>57367.00</c:amount>", huge,
		 "invoice-matched.xml", NULL, NULL);
	assert_true(findings_fatal(&f));
	assert_non_null(strstr(rule_message(&f, "CARE-020"), "amounts out of range"));
	findings_release(&f);

	/* the lines' net amounts do not add up in range (CARE-012) */
	c = claim_of("claim-matched.xml", "<c:amount>567.00</c:amount>", huge);
	findings_init(&f);
	assert_int_equal(care_check_claim(&f, c, &err), 0);
	assert_true(findings_fatal(&f));
	assert_non_null(strstr(rule_message(&f, "CARE-012"), "amounts out of range"));
	findings_release(&f);
	claim_free(c);

	/* a patient-specific item's count x price does not fit: the gross
	 * amount cannot be checked (CARE-010), rather than checked without it */
	{
		char *text = slurp("claim-matched.xml");
		char *a = edit(text, "<c:numberOfPatientSpecificCare>1<",
			       "<c:numberOfPatientSpecificCare>999999999999999999<");
		char *b = edit(a, "<c:patientSpecificCareTotalAmount>\n"
			       "              <c:amount>2450.00</c:amount>\n"
			       "              <c:currency>\n"
			       "                <c:code>SEK</c:code>\n"
			       "                <c:codeSystem>1.0.4217</c:codeSystem>\n"
			       "              </c:currency>\n"
			       "            </c:patientSpecificCareTotalAmount>", "");
		assert_int_equal(claim_read_buffer(&c, b, strlen(b), "huge-item", NULL, NULL, &err), 0);
		findings_init(&f);
		assert_int_equal(care_check_claim(&f, c, &err), 0);
		assert_true(findings_fatal(&f));
		assert_non_null(strstr(rule_message(&f, "CARE-010"), "too large to add"));
		findings_release(&f);
		claim_free(c);
		free(b);
		free(a);
		free(text);
	}
}

typedef struct credit_case {
	const char *from, *to;
	const char *orig_from, *orig_to;
} credit_case;

static const credit_case credit_cases[] = {
	/* credits a line the original does not have */
	{ "<c:referenceToLineId>3</c:referenceToLineId>", "<c:referenceToLineId>4</c:referenceToLineId>",
	  NULL, NULL },
	/* credits another patient's line */
	{ "<c:referenceToLineId>3</c:referenceToLineId>", "<c:referenceToLineId>1</c:referenceToLineId>",
	  NULL, NULL },
	/* credits more than was invoiced */
	{ NULL, NULL, "<c:amount>567.00</c:amount>", "<c:amount>500.00</c:amount>" },
	/* names another claim than the one given */
	{ "<c:referenceToProcessClaimSpecificationId>ZVF23210000242503000101",
	  "<c:referenceToProcessClaimSpecificationId>ZVF23210000242503000100", NULL, NULL },
	/* the original is itself a credit */
	{ NULL, NULL, "<c:typeOfInvoice>380", "<c:typeOfInvoice>381" },
	/* another customer */
	{ "<c:extension>2321000032</c:extension>", "<c:extension>2321000172</c:extension>", NULL, NULL },
};

static void test_credit_rule(void **state)
{
	findings f;
	claim *credit, *orig;
	size_t i;
	ulf_err err;

	(void)state;
	credit = claim_of("credit-claim.xml", NULL, NULL);
	orig = claim_of("claim-matched.xml", NULL, NULL);
	findings_init(&f);
	ulf_err_clear(&err);
	assert_int_equal(care_check_credit(&f, credit, orig, &err), 0);
	if (f.n) {
		dump(&f);
		fail_msg("the credit sample should reduce claim-matched without findings");
	}
	findings_release(&f);
	claim_free(credit);
	claim_free(orig);

	for (i = 0; i < sizeof(credit_cases) / sizeof(credit_cases[0]); i++) {
		const credit_case *k = &credit_cases[i];
		credit = claim_of("credit-claim.xml", k->from, k->to);
		orig = claim_of("claim-matched.xml", k->orig_from, k->orig_to);
		findings_init(&f);
		assert_int_equal(care_check_credit(&f, credit, orig, &err), 0);
		if (count_rule(&f, "CARE-027") == 0) {
			dump(&f);
			fail_msg("CARE-027 did not fire (case %zu)", i);
		}
		assert_private(&f, credit);
		findings_release(&f);
		claim_free(credit);
		claim_free(orig);
	}
}

static void test_join_rules(void **state)
{
	claim *c = claim_of("timeout-claim.xml", NULL, NULL);
	claim *credit = claim_of("credit-claim.xml", NULL, NULL);
	care_keys k;
	findings f;
	ulf_err err;
	int64_t t;

	(void)state;
	care_claim_keys(&k, c);
	findings_init(&f);
	ulf_err_clear(&err);
	/* CARE-030 passes while in time and fires after */
	assert_int_equal(care_parse_date(&t, c->issue_date.v), 0);
	assert_false(care_expired(t, t + 30 * 86400, 30));
	assert_true(care_expired(t, t + 48 * 86400, 30));
	assert_int_equal(care_report_expired(&f, true, &k, 48, 30, &err), 0);
	assert_int_equal(count_rule(&f, "CARE-030"), 1);
	assert_non_null(strstr(f.items[0].message, "ZVF23210000242503000099"));
	assert_non_null(strstr(f.items[0].message, "within 30 days"));
	assert_true(findings_fatal(&f));
	assert_int_equal(care_report_duplicate(&f, true, &k, "first.xml", &err), 0);
	assert_int_equal(count_rule(&f, "CARE-031"), 1);
	assert_int_equal(care_report_original_missing(&f, credit, &err), 0);
	assert_int_equal(count_rule(&f, "CARE-032"), 1);
	assert_private(&f, NULL);
	findings_release(&f);
	claim_free(c);
	claim_free(credit);
}

/* Every rule of the table has a failing case here. */
static void test_every_rule_covered(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < rules_care_count; i++) {
		const char *id = rules_care[i].def.id;
		bool found = false;

		assert_ptr_equal(care_rule_find(id), &rules_care[i]);
		for (k = 0; !found && k < sizeof(claim_cases) / sizeof(claim_cases[0]); k++)
			found = strcmp(claim_cases[k].rule, id) == 0;
		for (k = 0; !found && k < sizeof(pair_cases) / sizeof(pair_cases[0]); k++)
			found = strcmp(pair_cases[k].rule, id) == 0;
		found = found || strcmp(id, "CARE-027") == 0 || strcmp(id, "CARE-030") == 0 ||
			strcmp(id, "CARE-031") == 0 || strcmp(id, "CARE-032") == 0;
		if (!found)
			fail_msg("%s has no failing case", id);
		assert_true(rules_care[i].def.text && *rules_care[i].def.text);
	}
	assert_null(care_rule_find("CARE-999"));
}

/* ---- booking -------------------------------------------------------- */

static care_rules *rules_of(const char *text, ulf_err *err)
{
	care_rules *r = NULL;

	ulf_err_clear(err);
	(void)care_rules_parse(&r, text, strlen(text), "rules.txt", err);
	return r;
}

static void test_rules_file(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "riksavtal * * * * * 4511\n* * * * * * 4590 7100\n", "rules.txt:1: 7 fields" },
		{ "riksavtal * * * * * 4511 7110 x\n* * * * * * 4590 7100\n", "more than 8 fields" },
		{ "riks * * * * * 4511 7110\n* * * * * * 4590 7100\n", "agreement must be" },
		{ "* 9 * * * * 4511 7110\n* * * * * * 4590 7100\n", "pricelist must be" },
		{ "* * open * * * 4511 7110\n* * * * * * 4590 7100\n", "care must be" },
		{ "* * * 4 * * 4511 7110\n* * * * * * 4590 7100\n", "county must be" },
		{ "* * * * 480 * 4511 7110\n* * * * * * 4590 7100\n", "municipality must be" },
		{ "* * * * * * * 7110\n", "account must be" },
		{ "riksavtal * * * * * 4511 7110\n", "no default row" },
		{ "* * * * * * 4590 7100\nriksavtal * * * * * 4511 7110\n", "rules.txt:2: this row can never match" },
	};
	care_rules *r;
	ulf_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = rules_of(bad[i].text, &err);
		assert_null(r);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("rules case %zu: '%s' does not say '%s'", i, err.msg, bad[i].why);
	}
	assert_int_equal(care_rules_load(&r, "builtin", &err), 0);
	assert_string_equal(care_rules_name(r), "builtin");
	care_rules_free(r);
	assert_int_equal(care_rules_load(&r, NULL, &err), 0);
	care_rules_free(r);
	ulf_err_clear(&err);
	assert_int_equal(care_rules_load(&r, "/nonexistent/rules.txt", &err), ULF_EIO);
	care_rules_free(NULL);
}

static void test_booking(void **state)
{
	static const char rules_text[] =
		"# comments and blank lines are fine\n"
		"\n"
		"regionavtal      2     inpatient   04  *     *                  4521  7104   # Sörmland\n"
		"regionavtal      2     inpatient   19  *     *                  4521  7119\n"
		"*                *     outpatient  04  0484  SE2321000024-E102*  4512  7184\n"
		"mellanlansavtal  none  *           *   *     *                  4531  7130\n"
		"*                *     *           *   *     *                  4590  7100\n";
	claim *c = claim_of("claim-matched.xml", NULL, NULL);
	claim *credit = claim_of("credit-claim.xml", NULL, NULL);
	care_rules *r;
	care_booking b;
	ulf_err err;
	char buf[DEC_STR_MAX];

	(void)state;
	r = rules_of(rules_text, &err);
	assert_non_null(r);
	assert_int_equal(care_book(&b, r, c, &err), 0);
	assert_int_equal(b.nlines, 3);
	/* line 1: regionavtal, price list 2, inpatient, county 04 */
	assert_string_equal(b.lines[0].account, "4521");
	assert_string_equal(b.lines[0].cost_centre, "7104");
	assert_int_equal(b.lines[0].rule_line, 3);
	/* line 2: outpatient in Eskilstuna at a unit under the prefix */
	assert_string_equal(b.lines[1].cost_centre, "7184");
	/* line 3: mellanlänsavtal without a price list */
	assert_string_equal(b.lines[2].account, "4531");
	assert_false(b.lines[2].by_default);
	assert_int_equal(b.nrows, 3);
	dec_format(buf, sizeof(buf), b.total, 2);
	assert_string_equal(buf, "57367.00");   /* the invoice's suggestion: its lines */
	care_booking_release(&b);

	/* a credit books negative, by the same rules */
	assert_int_equal(care_book(&b, r, credit, &err), 0);
	assert_int_equal(b.nlines, 1);
	dec_format(buf, sizeof(buf), b.total, 2);
	assert_string_equal(buf, "-567.00");
	assert_string_equal(b.lines[0].account, "4531");
	care_booking_release(&b);
	care_rules_free(r);

	/* the default row catches the rest and says so */
	r = rules_of("riksavtal * * 19 * * 4511 7110\n* * * * * * 4590 7100\n", &err);
	assert_int_equal(care_book(&b, r, c, &err), 0);
	assert_true(b.lines[0].by_default);
	assert_int_equal(b.nrows, 1);
	care_booking_release(&b);
	care_rules_free(r);
	care_booking_release(NULL);
	claim_free(c);
	claim_free(credit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_render_masks),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_keys_and_match),
		cmocka_unit_test(test_invoice_keys_fallbacks),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_claim_rules_fail),
		cmocka_unit_test(test_quotes_whole_characters),
		cmocka_unit_test(test_claim_rules_pass),
		cmocka_unit_test(test_pair_rules),
		cmocka_unit_test(test_amounts_overflow),
		cmocka_unit_test(test_credit_rule),
		cmocka_unit_test(test_join_rules),
		cmocka_unit_test(test_every_rule_covered),
		cmocka_unit_test(test_rules_file),
		cmocka_unit_test(test_booking),
	};
	int rc;

	xml_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xml_global_cleanup();
	return rc;
}
