/*
 * test_claim.c - the ProcessClaimSpecification reader: every carrier (a
 * document, a SOAP request body, a Svefaktura envelope object, an object
 * embedded in a UBL invoice) gives the same model; the model holds what
 * the samples say, element by element; reader dispatch is opt-in; broken
 * claims become problems without a personnummer in any message.
 *
 * Reads samples/care (ULF_SAMPLES) and tests/data/care (ULF_TESTDATA).
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
#include "parsers/claim.h"
#include "parsers/reader.h"
#include "tests/support/support.h"

#define PATH_LEN 1024

/* samples/care/<name> (the test is skipped without the samples) */
static void sample_path(char *buf, const char *name)
{
	ts_samples_path(buf, PATH_LEN, "care/%s", name);
}

static char *slurp(const char *name, size_t *len)
{
	char path[PATH_LEN];

	sample_path(path, name);
	return ts_slurp(len, path);
}

/* Replaces the first `from` in text by `to`; the result is malloc'd. */
static char *replace(const char *text, const char *from, const char *to)
{
	return ts_replace(text, from, to);
}

static claim *read_text(const char *text, ulf_err *err)
{
	claim *c = NULL;

	ulf_err_clear(err);
	assert_int_equal(claim_read_buffer(&c, text, strlen(text), "test.xml", NULL, NULL, err), 0);
	return c;
}

static claim *read_sample(const char *name)
{
	size_t len;
	char *text = slurp(name, &len);
	ulf_err err;
	claim *c = read_text(text, &err);

	free(text);
	return c;
}

static void assert_amount(const claim_amount *a, const char *want)
{
	char buf[DEC_STR_MAX];

	assert_true(a->set);
	dec_format(buf, sizeof(buf), a->v, 2);
	assert_string_equal(buf, want);
	assert_string_equal(a->currency, "SEK");
	assert_string_equal(a->currency_system, CLAIM_OID_CURRENCY);
}

static void test_document_model(void **state)
{
	claim *c = read_sample("claim-matched.xml");
	const claim_line *l;
	char org[11];

	(void)state;
	assert_int_equal(c->carrier, CLAIM_CARRIER_DOCUMENT);
	assert_int_equal(c->nproblems, 0);
	assert_string_equal(c->id.v, "ZVF23210000242503000101");
	assert_string_equal(c->issue_date.v, "20250331");
	assert_string_equal(c->issue_time.v, "101500");
	assert_int_equal(c->type, CLAIM_TYPE_INVOICE);
	assert_string_equal(c->invoice_id.v, "7250001234");
	assert_string_equal(c->invoice_date.v, "20250331");
	assert_null(c->ref_invoice.v);
	assert_null(c->ref_claim.v);
	assert_amount(&c->payable, "57367.00");
	assert_string_equal(claim_party_org(&c->supplier, org), "2321000024");
	assert_string_equal(claim_party_org(&c->customer, org), "2321000032");
	assert_true(c->supplier.contact.present);
	assert_int_equal(c->supplier.nids, 1);
	assert_string_equal(c->supplier.ids[0].root, CLAIM_OID_ORGNUMBER);

	assert_int_equal(c->npatients, 2);
	assert_int_equal(c->nlines, 3);
	assert_true(claim_patient_is_pnr(&c->patients[0]));
	assert_string_equal(c->patients[0].county.code, "04");
	assert_string_equal(c->patients[0].municipality.code, "0480");
	assert_string_equal(c->patients[0].gender.code, "1");
	assert_int_equal(c->patients[0].first_line, 0);
	assert_int_equal(c->patients[0].nlines, 1);
	assert_int_equal(c->patients[1].first_line, 1);
	assert_int_equal(c->patients[1].nlines, 2);

	/* line 1: inpatient DRG with an outlier for care time */
	l = &c->lines[0];
	assert_true(l->id_ok);
	assert_int_equal(l->id, 1);
	assert_int_equal(l->patient, 0);
	assert_string_equal(l->care_contact_id.v, "VK-AS-2025-0871");
	assert_true(l->has_commitment);
	assert_string_equal(l->remittance_number.v, "R-0480-25-118");
	assert_string_equal(l->agreement.v, "2");
	assert_string_equal(l->chapter.v, "1");
	assert_string_equal(l->reimbursement.v, "1");
	assert_string_equal(l->care_type.code, "02");
	assert_int_equal(l->public_care, 1);
	assert_int_equal(l->planned, 1);
	assert_string_equal(l->visit_date.v, "20250303");
	assert_string_equal(l->visit_time.v, "091500");
	assert_string_equal(l->discharge_date.v, "20250308");
	assert_true(l->days_in_care.set);
	assert_int_equal(l->days_in_care.v.v, 5);
	assert_string_equal(l->unit_id.root, CLAIM_OID_HSA);
	assert_string_equal(l->unit_id.extension, "SE2321000024-E10101");
	assert_string_equal(l->unit_name.v, "Akademiska sjukhuset, Kardiologi avd 50");
	assert_true(l->has_categorization);
	assert_string_equal(l->product_category.v, "02");
	assert_string_equal(l->price_list.v, "2");
	assert_true(l->has_drg);
	assert_string_equal(l->drg_code.original_text, "127O");
	assert_amount(&l->drg_price, "48350.00");
	assert_amount(&l->outlier_time, "6200.00");
	assert_false(l->outlier_cost.present);
	assert_amount(&l->gross, "54550.00");
	assert_amount(&l->net, "54550.00");
	assert_string_equal(l->medical_field.v, "101");
	assert_string_equal(l->care_level.v, "3");
	assert_true(l->inpatient_dx.present);
	assert_string_equal(l->inpatient_dx.main.code, "I509");
	assert_false(l->outpatient_dx.present);
	assert_int_equal(l->nprocedures, 1);
	assert_string_equal(l->procedures[0].code, "FPE96");

	/* line 2: outpatient visit with the patient fee deducted */
	l = &c->lines[1];
	assert_int_equal(l->patient, 1);
	assert_string_equal(l->profession.v, "LK");
	assert_string_equal(l->visit_type.v, "1");
	assert_int_equal(l->npsc, 1);
	assert_string_equal(l->psc[0].code.v, "BES01");
	assert_amount(&l->psc[0].price, "2450.00");
	assert_amount(&l->outpatient_fee_paid, "200.00");
	assert_int_equal(l->free_pass, 1);
	assert_amount(&l->gross, "2250.00");
	assert_string_equal(l->outpatient_dx.main.code, "M170");

	/* line 3: lab work with a charge */
	l = &c->lines[2];
	assert_int_equal(l->id, 3);
	assert_string_equal(l->agreement.v, "3");
	assert_null(l->price_list.v);
	assert_int_equal(l->psc[0].count.v.v, 3);
	assert_amount(&l->psc[0].total, "540.00");
	assert_amount(&l->charge, "27.00");
	assert_amount(&l->net, "567.00");
	assert_false(l->has_drg);
	claim_free(c);
}

static void test_soap_carrier(void **state)
{
	claim *c = read_sample("claim-first-claim.soap.xml");

	(void)state;
	assert_int_equal(c->carrier, CLAIM_CARRIER_SOAP);
	assert_int_equal(c->nproblems, 0);
	assert_string_equal(c->logical_address.v, "2321000172");
	assert_string_equal(c->id.v, "ZVF23210001642504000017");
	assert_true(claim_patient_is_snr(&c->patients[0]));
	assert_int_equal(c->nlines, 2);
	assert_int_equal(c->lines[0].id, 10);
	assert_int_equal(c->lines[1].id, 20);
	assert_amount(&c->lines[0].outlier_cost, "4100.00");
	claim_free(c);
}

static void test_credit_model(void **state)
{
	claim *c = read_sample("credit-claim.xml");

	(void)state;
	assert_int_equal(c->type, CLAIM_TYPE_CREDIT);
	assert_string_equal(claim_type_name(c->type), "credit");
	assert_string_equal(c->ref_invoice.v, "7250001234");
	assert_string_equal(c->ref_claim.v, "ZVF23210000242503000101");
	assert_true(c->lines[0].ref_ok);
	assert_int_equal(c->lines[0].ref_id, 3);
	assert_string_equal(c->lines[0].reason_for_credit.v, "2");
	claim_free(c);
}

static void test_embedded_in_ubl(void **state)
{
	char path[PATH_LEN];
	ulf_document doc;
	claim *c = NULL;
	ulf_err err;

	(void)state;
	sample_path(path, "ubl-embedded-invoice.xml");
	ulf_err_clear(&err);
	assert_int_equal(reader_read_file(&doc, path, NULL, false, &err), 0);
	assert_int_equal(doc.kind, DOC_INVOICE);
	assert_int_equal(claim_from_invoice(&c, doc.inv, path, NULL, NULL, &err), 0);
	assert_int_equal(c->carrier, CLAIM_CARRIER_INVOICE);
	assert_string_equal(c->id.v, "ZVF23210000242505000103");
	assert_amount(&c->lines[0].allowance, "180.00");
	assert_amount(&c->lines[0].discount, "50.00");
	assert_int_equal(c->lines[0].public_care, 0);
	claim_free(c);
	reader_document_release(&doc);

	/* an invoice without an XML attachment carries no claim */
	sample_path(path, "invoice-matched.xml");
	assert_int_equal(reader_read_file(&doc, path, NULL, false, &err), 0);
	assert_int_equal(claim_from_invoice(&c, doc.inv, path, NULL, NULL, &err), ULF_ENOTFOUND);
	assert_null(c);
	reader_document_release(&doc);
}

/* The envelope reader is another module's; build the envelope it hands us. */
static void test_envelope_objects(void **state)
{
	static unsigned char pdf[] = "%PDF-1.4 not a claim";
	static unsigned char other_xml[] = "<?xml version=\"1.0\"?><note>hello</note>";
	sve_envelope env;
	sve_object objs[3];
	size_t len;
	char *text = slurp("invoice-first-claim.xml", &len);
	claim *c = NULL;
	ulf_err err;

	(void)state;
	memset(&env, 0, sizeof(env));
	memset(objs, 0, sizeof(objs));
	env.document_id = "7250001301";
	env.issuer_id = "2321000024";
	objs[0].mime = "application/pdf";
	objs[0].data = pdf;
	objs[0].size = sizeof(pdf) - 1;
	objs[1].mime = "application/xml";
	objs[1].data = other_xml;
	objs[1].size = sizeof(other_xml) - 1;
	objs[2].mime = "text/xml; charset=UTF-8";
	objs[2].filename = "claim.xml";
	objs[2].data = (unsigned char *)text;
	objs[2].size = len;
	env.objects = objs;
	env.nobjects = 3;

	ulf_err_clear(&err);
	assert_int_equal(claim_from_envelope(&c, &env, "env.xml", NULL, NULL, &err), 0);
	assert_int_equal(c->carrier, CLAIM_CARRIER_ENVELOPE);
	assert_string_equal(c->envelope_document_id, "7250001301");
	assert_string_equal(c->envelope_issuer_id, "2321000024");
	assert_string_equal(c->id.v, "ZVF23210000242504000102");
	claim_free(c);

	/* only the PDF and the note: no claim */
	env.nobjects = 2;
	assert_int_equal(claim_from_envelope(&c, &env, "env.xml", NULL, NULL, &err), ULF_ENOTFOUND);

	/* a broken XML object is reported, not skipped in silence */
	objs[1].data = (unsigned char *)"<ProcessClaimSpecification";
	objs[1].size = strlen((const char *)objs[1].data);
	ulf_err_clear(&err);
	assert_int_equal(claim_from_envelope(&c, &env, "env.xml", NULL, NULL, &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "env.xml#attachment 2: line"));
	free(text);
}

static void test_reader_dispatch(void **state)
{
	char path[PATH_LEN];
	ulf_document doc;
	reader_opts opts;
	ulf_err err;
	claim *c = NULL;
	size_t len;
	char *text;

	(void)state;
	sample_path(path, "claim-matched.xml");
	reader_opts_init(&opts);
	ulf_err_clear(&err);
	/* callers that do not know claims keep getting "not an invoice" */
	assert_int_equal(reader_read_file(&doc, path, &opts, false, &err), ULF_ESYNTAX);
	opts.claims = true;
	ulf_err_clear(&err);
	assert_int_equal(reader_read_file(&doc, path, &opts, false, &err), 0);
	assert_int_equal(doc.kind, DOC_CLAIM);
	assert_non_null(doc.claim);
	assert_null(doc.inv);
	reader_document_release(&doc);

	text = slurp("claim-first-claim.soap.xml", &len);
	assert_int_equal(reader_read_claim(&c, text, len, "body.xml", NULL, &err), 0);
	assert_int_equal(c->carrier, CLAIM_CARRIER_SOAP);
	claim_free(c);
	free(text);

	/* an invoice is not a claim */
	text = slurp("invoice-matched.xml", &len);
	ulf_err_clear(&err);
	assert_int_equal(reader_read_claim(&c, text, len, "inv.xml", NULL, &err), ULF_ESYNTAX);
	assert_null(c);
	assert_non_null(strstr(err.msg, "not a claim specification"));
	free(text);
	claim_free(NULL);
}

static void test_mime(void **state)
{
	(void)state;
	assert_true(claim_mime_is_xml("text/xml"));
	assert_true(claim_mime_is_xml("application/xml"));
	assert_true(claim_mime_is_xml("Application/XML; charset=utf-8"));
	assert_false(claim_mime_is_xml("application/xml-dtd"));
	assert_false(claim_mime_is_xml("application/pdf"));
	assert_false(claim_mime_is_xml(NULL));
}

static bool any_problem_has(const claim *c, const char *needle)
{
	const inv_problem *p;

	for (p = c->problems; p; p = p->next)
		if (strstr(p->msg, needle))
			return true;
	return false;
}

static void no_pnr_in_problems(const claim *c)
{
	static const char *const pnrs[] = { "191212121212", "1212121212", "121212-1212" };
	const inv_problem *p;
	size_t i;

	for (p = c->problems; p; p = p->next)
		for (i = 0; i < sizeof(pnrs) / sizeof(pnrs[0]); i++)
			assert_null(strstr(p->msg, pnrs[i]));
}

static void test_problems(void **state)
{
	size_t len;
	char *text = slurp("claim-matched.xml", &len), *a, *b, *d;
	ulf_err err;
	claim *c;

	(void)state;
	/* a required element missing, an amount and a line id unreadable, a
	 * patient identity without its root: problems, never a failure */
	a = replace(text, "<c:careUnitName>Akademiska sjukhuset, Kardiologi avd 50</c:careUnitName>", "");
	b = replace(a, "<c:amount>54550.00</c:amount>", "<c:amount>54 550,00</c:amount>");
	d = replace(b, "<c:root>1.2.752.129.2.1.3.1</c:root>", "");
	free(a);
	a = replace(d, "<c:lineId>3</c:lineId>", "<c:lineId>III</c:lineId>");
	c = read_text(a, &err);
	assert_true(any_problem_has(c, "required element careUnitName is missing"));
	assert_true(any_problem_has(c, "'54 550,00' is not a decimal number"));
	assert_true(any_problem_has(c, "required element root is missing"));
	assert_true(any_problem_has(c, "lineId 'III' is not a positive whole number"));
	assert_false(c->lines[0].gross.set);
	assert_true(c->lines[0].gross.present);
	assert_false(c->lines[2].id_ok);
	no_pnr_in_problems(c);
	claim_free(c);
	free(a);
	free(b);
	free(d);

	/* no claimSpecification at all */
	c = read_text("<ProcessClaimSpecification xmlns=\"urn:riv:financial:billing:claim:"
		      "ProcessClaimSpecificationResponder:1\"/>", &err);
	assert_true(any_problem_has(c, "claimSpecification is missing"));
	claim_free(c);
	free(text);
}

static void test_limits(void **state)
{
	inv_limits small = { 1024, 4096 };
	size_t len;
	char *text = slurp("claim-matched.xml", &len);
	claim *c = NULL;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(claim_read_buffer(&c, text, len, "big.xml", NULL, &small, &err), ULF_ELIMIT);
	assert_null(c);
	assert_non_null(strstr(err.msg, "big.xml"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_model),
		cmocka_unit_test(test_soap_carrier),
		cmocka_unit_test(test_credit_model),
		cmocka_unit_test(test_embedded_in_ubl),
		cmocka_unit_test(test_envelope_objects),
		cmocka_unit_test(test_reader_dispatch),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_limits),
	};
	int rc;

	xml_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xml_global_cleanup();
	return rc;
}
