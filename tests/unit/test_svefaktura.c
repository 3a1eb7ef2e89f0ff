/*
 * test_svefaktura.c - the Svefaktura 1.0 reader and the ObjectEnvelope join.
 *
 * The expected values are read off the files themselves: SFTI's own corpus
 * in $ULF_SHARED/corpus/svefaktura-1.0 (skipped, saying so, when ../shared
 * is not there) and the small documents in $ULF_TESTDATA/svefaktura, which cover
 * what the corpus does not (credit note, order numbers on lines, broken
 * envelopes).
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/reader.h"
#include "parsers/svefaktura.h"
#include "tests/support/support.h"

static int setup(void **state)
{
	(void)state;
	xml_global_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xml_global_cleanup();
	return 0;
}

/* $ULF_SHARED/corpus/svefaktura-1.0/<name>; skips the test, saying why,
 * when ../shared is not there. */
static const char *corpus_path(char *buf, size_t n, const char *name)
{
	return ts_shared_path(buf, n, "corpus/svefaktura-1.0/%s", name);
}

/* $ULF_TESTDATA/svefaktura/<name>, or skips the test saying why. */
static const char *testdata_path(char *buf, size_t n, const char *name)
{
	return ts_testdata_path(buf, n, "svefaktura/%s", name);
}

static void read_ok(ulf_document *doc, const char *path, doc_kind kind)
{
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	rc = reader_read_file(doc, path, NULL, false, &err);
	if (rc)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(doc->kind, kind);
}

static invoice *read_corpus_invoice(ulf_document *doc, const char *name)
{
	char path[PATH_MAX];

	read_ok(doc, corpus_path(path, sizeof(path), name), DOC_INVOICE);
	assert_int_equal(doc->inv->syntax, INV_SYNTAX_SVEFAKTURA);
	assert_int_equal(doc->inv->nproblems, 0);
	return doc->inv;
}

static sve_envelope *read_corpus_envelope(ulf_document *doc)
{
	char path[PATH_MAX];

	read_ok(doc, corpus_path(path, sizeof(path), "ObjectEnvelope.xml"), DOC_SVE_ENVELOPE);
	return doc->env;
}

static void assert_amount(const inv_amount *a, const char *want)
{
	char buf[DEC_STR_MAX];

	assert_true(a->set);
	dec_format(buf, sizeof(buf), a->v, 0);
	assert_string_equal(buf, want);
}

static void assert_num(const inv_num *a, const char *want)
{
	char buf[DEC_STR_MAX];

	assert_true(a->set);
	dec_format(buf, sizeof(buf), a->v, 0);
	assert_string_equal(buf, want);
}

static void assert_qty(const inv_qty *q, const char *want, const char *unit)
{
	char buf[DEC_STR_MAX];

	assert_true(q->set);
	dec_format(buf, sizeof(buf), q->v, 0);
	assert_string_equal(buf, want);
	assert_string_equal(q->unit, unit);
}

/* Every file in the corpus reads, without problems: 5 invoices, 1 envelope. */
static void test_corpus_all(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	size_t ninv = 0, nenv = 0;
	struct dirent *e;
	DIR *d;

	(void)state;
	corpus_path(dir, sizeof(dir), "");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		ulf_document doc;
		ulf_err err;

		if (len < 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", dir, e->d_name);
		ulf_err_clear(&err);
		assert_int_equal(reader_read_file(&doc, path, NULL, false, &err), 0);
		if (doc.kind == DOC_INVOICE) {
			assert_int_equal(doc.inv->syntax, INV_SYNTAX_SVEFAKTURA);
			assert_int_equal(doc.inv->kind, INV_KIND_INVOICE);
			assert_int_equal(doc.inv->nproblems, 0);
			assert_int_equal(doc.inv->nlines, 2);
			assert_true(doc.inv->totals.payable.set);
			assert_string_equal(doc.inv->seller.legal_id.v, "5565624223");
			ninv++;
		} else {
			assert_int_equal(doc.kind, DOC_SVE_ENVELOPE);
			nenv++;
		}
		reader_document_release(&doc);
	}
	closedir(d);
	assert_int_equal(ninv, 5);
	assert_int_equal(nenv, 1);
}

static void test_corpus_bas(void **state)
{
	ulf_document doc;
	const invoice *inv;
	const inv_line *l;

	(void)state;
	inv = read_corpus_invoice(&doc, "svefaktura bas.xml");
	assert_int_equal(inv->kind, INV_KIND_INVOICE);
	assert_string_equal(inv->root_ns, "urn:sfti:documents:BasicInvoice:1:0");
	assert_string_equal(inv->id.v, "15");
	assert_int_equal(inv->id.line, 4);
	assert_string_equal(inv->issue_date.v, "2003-09-11");
	assert_string_equal(inv->type_code.v, "380");
	assert_string_equal(inv->currency.v, "SEK");
	assert_null(inv->tax_currency.v);
	assert_int_equal(inv->nnotes, 1);
	assert_string_equal(inv->notes[0].text.v, "Här kan jag beskriva fakturan med fritext");
	/* the first of the two requisitionist references */
	assert_string_equal(inv->buyer_reference.v, "50");
	assert_null(inv->order_ref.v);
	assert_string_equal(inv->due_date.v, "2003-10-11");
	assert_string_equal(inv->payment_terms.v, "30 dagars netto");

	assert_true(inv->seller.present);
	assert_string_equal(inv->seller.name.v, "Moderna Produkter AB");
	assert_string_equal(inv->seller.legal_id.v, "5565624223");
	assert_null(inv->seller.legal_id.scheme);
	assert_string_equal(inv->seller.legal_info.v, "F-skattebevis finns");
	assert_string_equal(inv->seller.vat_id.v, "SE556562422301");
	assert_null(inv->seller.endpoint.v);
	assert_string_equal(inv->seller.address.line1.v, "Storgatan 5");
	assert_string_equal(inv->seller.address.city.v, "Hägersten");
	assert_string_equal(inv->seller.address.postcode.v, "12652");
	assert_string_equal(inv->buyer.name.v, "Johnssons byggvaror");
	assert_true(inv->buyer.contact.present);
	assert_string_equal(inv->buyer.contact.name.v, "Pelle Svensson");
	assert_null(inv->buyer.legal_id.v);

	assert_true(inv->delivery.present);
	assert_string_equal(inv->delivery.date.v, "2003-11-01");
	assert_string_equal(inv->delivery.address.line1.v, "Rådhusgatan 5");

	assert_int_equal(inv->npayments, 1);
	assert_string_equal(inv->payments[0].means_code.v, "1");
	assert_string_equal(inv->payments[0].account.id.v, "3338929");
	assert_string_equal(inv->payments[0].account.bic.v, "BGABSESS");
	assert_string_equal(inv->payments[0].remittance.v, "54225485");

	assert_amount(&inv->totals.tax, "1556.25");
	assert_string_equal(inv->totals.tax.currency, "SEK");
	assert_int_equal(inv->nvat, 1);
	assert_string_equal(inv->vat[0].category.v, "S");
	assert_num(&inv->vat[0].rate, "25");
	assert_amount(&inv->vat[0].taxable, "6225");
	assert_amount(&inv->vat[0].tax, "1556.25");
	assert_amount(&inv->totals.line_extension, "6225");
	assert_amount(&inv->totals.tax_exclusive, "6225");
	/* written 7781.50 with RoundOffAmount 0.25 in it: BT-112 is without */
	assert_amount(&inv->totals.tax_inclusive, "7781.25");
	assert_amount(&inv->totals.rounding, "0.25");
	assert_false(inv->totals.prepaid.set);
	assert_amount(&inv->totals.payable, "7781.50");
	assert_int_equal(dec_scale(inv->totals.payable.v), 2);
	assert_int_equal(inv->totals.payable.line, 95);

	assert_int_equal(inv->nlines, 2);
	l = &inv->lines[0];
	assert_string_equal(l->id.v, "1");
	assert_qty(&l->quantity, "120", "liter");
	assert_amount(&l->net, "6000");
	assert_string_equal(l->note.v, "Fritext på fakturaraden");
	assert_string_equal(l->item_name.v, "Falu rödfärg");
	assert_amount(&l->price, "50");
	assert_null(l->order_id.v);
	assert_null(l->vat_category.v);
	l = &inv->lines[1];
	assert_string_equal(l->id.v, "2");
	assert_qty(&l->quantity, "15", "styck");
	assert_amount(&l->net, "225");
	assert_string_equal(l->item_name.v, "Pensel 20 mm");
	assert_int_equal(inv->ndocs, 0);
	reader_document_release(&doc);
}

static void test_corpus_svefaktura(void **state)
{
	ulf_document doc;
	const invoice *inv;

	(void)state;
	inv = read_corpus_invoice(&doc, "svefaktura.xml");
	assert_string_equal(inv->id.v, "15");
	assert_true(inv->seller.contact.present);
	assert_null(inv->seller.contact.name.v);
	assert_string_equal(inv->seller.contact.phone.v, "0811122233");
	assert_string_equal(inv->seller.contact.email.v, "sales@modernaprodukter.se");
	assert_string_equal(inv->payments[0].account.id.v, "9551548524585");
	assert_string_equal(inv->payments[0].account.bic.v, "SKIASESS");
	/* no rounding: payable is the tax inclusive amount */
	assert_false(inv->totals.rounding.set);
	assert_amount(&inv->totals.tax_inclusive, "7781.25");
	assert_amount(&inv->totals.payable, "7781.25");
	assert_string_equal(inv->lines[0].seller_item_id.v, "12345");
	assert_string_equal(inv->lines[1].seller_item_id.v, "524522");
	reader_document_release(&doc);
}

static void test_corpus_ext_ref(void **state)
{
	ulf_document doc;
	const invoice *inv;

	(void)state;
	inv = read_corpus_invoice(&doc, "svefaktura m ext ref.xml");
	assert_int_equal(inv->ndocs, 1);
	assert_string_equal(inv->docs[0].id.v, "urn:sfti:documents:object:271");
	assert_string_equal(inv->docs[0].id.scheme, "ATS");
	assert_null(inv->docs[0].attachment);
	assert_amount(&inv->totals.payable, "7781.50");
	reader_document_release(&doc);
}

static void test_corpus_koder(void **state)
{
	ulf_document doc;
	const invoice *inv;

	(void)state;
	inv = read_corpus_invoice(&doc, "svefaktura m koder.xml");
	assert_int_equal(inv->buyer.nids, 1);
	assert_string_equal(inv->buyer.ids[0].v, "7365565626575");
	assert_int_equal(inv->seller.nids, 1);
	assert_string_equal(inv->seller.ids[0].v, "7365565245845");
	assert_int_equal(inv->npayments, 3);
	assert_string_equal(inv->payments[0].account.id.v, "542481");
	assert_string_equal(inv->payments[0].account.bic.v, "PGSISESS");
	assert_string_equal(inv->payments[0].remittance.v, "125785124585412");
	assert_string_equal(inv->payments[1].account.id.v, "4624581");
	assert_string_equal(inv->payments[1].account.bic.v, "BGABSESS");
	assert_string_equal(inv->payments[2].account.bic.v, "SKIASESS");
	assert_qty(&inv->lines[0].quantity, "120", "LTR");
	assert_qty(&inv->lines[1].quantity, "15", "EA");
	assert_string_equal(inv->lines[0].standard_item_id.v, "7305424567898");
	assert_string_equal(inv->lines[0].note.v, "Radanteckning");
	assert_amount(&inv->totals.payable, "7781.25");
	reader_document_release(&doc);
}

static void test_corpus_moms(void **state)
{
	ulf_document doc;
	const invoice *inv;

	(void)state;
	inv = read_corpus_invoice(&doc, "svefaktura moms.xml");
	assert_string_equal(inv->id.v, "200400035");
	assert_string_equal(inv->issue_date.v, "2004-10-06");
	assert_int_equal(inv->nnotes, 0);
	assert_string_equal(inv->buyer_reference.v, "Orderavdelningen");
	assert_string_equal(inv->due_date.v, "2004-11-05");
	assert_string_equal(inv->payment_terms.v, "30 dagar netto");
	assert_string_equal(inv->buyer.name.v, "Kundföretaget AB");
	assert_string_equal(inv->buyer.ids[0].v, "987654");
	assert_string_equal(inv->buyer.address.line1.v, "Kontorsgatan 1");
	assert_string_equal(inv->buyer.address.line3.v, "Kundföretaget AB");
	assert_string_equal(inv->buyer.address.country.v, "SE");
	assert_string_equal(inv->seller.address.country.v, "SE");
	assert_string_equal(inv->seller.legal_id.v, "5565624223");

	assert_true(inv->delivery.present);
	assert_null(inv->delivery.date.v);
	assert_string_equal(inv->delivery.location_id.v, "987653");
	assert_string_equal(inv->delivery.address.line3.v, "Kundlagret");

	assert_int_equal(inv->npayments, 2);
	assert_string_equal(inv->payments[0].account.id.v, "63040");
	assert_string_equal(inv->payments[0].account.bic.v, "PGSISESS");
	assert_null(inv->payments[0].remittance.v);
	assert_string_equal(inv->payments[1].account.id.v, "3748829");
	assert_string_equal(inv->payments[1].account.bic.v, "BGABSESS");

	assert_amount(&inv->totals.tax, "3768.00");
	assert_int_equal(inv->nvat, 2);
	assert_num(&inv->vat[0].rate, "25.0");
	assert_amount(&inv->vat[0].taxable, "15000.00");
	assert_amount(&inv->vat[0].tax, "3750.00");
	assert_num(&inv->vat[1].rate, "12.0");
	assert_amount(&inv->vat[1].taxable, "150.00");
	assert_amount(&inv->vat[1].tax, "18.00");
	/* commented out in the file */
	assert_false(inv->totals.tax_accounting.set);
	assert_amount(&inv->totals.line_extension, "15150.00");
	assert_false(inv->totals.tax_exclusive.set);
	assert_amount(&inv->totals.tax_inclusive, "18918.00");
	assert_amount(&inv->totals.payable, "18918.00");

	assert_qty(&inv->lines[0].quantity, "3000.000", "PCE");
	assert_string_equal(inv->lines[0].item_name.v, "Tom CD-R-skiva");
	assert_string_equal(inv->lines[0].seller_item_id.v, "575245");
	assert_string_equal(inv->lines[0].vat_category.v, "S");
	assert_num(&inv->lines[0].vat_rate, "25.0");
	assert_amount(&inv->lines[0].price, "5.00");
	assert_qty(&inv->lines[1].quantity, "5.000", "KGM");
	assert_num(&inv->lines[1].vat_rate, "12.0");
	reader_document_release(&doc);
}

/*
 * The corpus envelope names invoice 15 from 5565624223.  Four corpus
 * invoices carry that number and seller; only "m ext ref" points at the
 * envelope's object 271, so there it fills the existing reference.
 */
static void test_envelope_corpus(void **state)
{
	ulf_document edoc, idoc, moms;
	sve_envelope *env;
	invoice *inv;
	size_t moved;
	ulf_err err;

	(void)state;
	env = read_corpus_envelope(&edoc);
	assert_string_equal(env->document_id, "15");
	assert_string_equal(env->issuer_id, "5565624223");
	assert_string_equal(env->issue_date, "2003-09-11");
	assert_string_equal(env->document_type, "urn:sfti:documents:BasicInvoice:1:0");
	assert_int_equal(env->nobjects, 1);
	assert_string_equal(env->objects[0].id, "271");
	assert_string_equal(env->objects[0].mime, "image/jpeg");
	assert_string_equal(env->objects[0].filename, "bild.jpg");
	assert_int_equal(env->objects[0].size, 24224);
	assert_memory_equal(env->objects[0].data, "<html", 5);

	inv = read_corpus_invoice(&moms, "svefaktura moms.xml");
	assert_false(svefaktura_envelope_matches(env, inv));
	reader_document_release(&moms);

	inv = read_corpus_invoice(&idoc, "svefaktura m ext ref.xml");
	assert_true(svefaktura_envelope_matches(env, inv));
	ulf_err_clear(&err);
	assert_int_equal(svefaktura_envelope_attach(&moved, inv, env, &err), 0);
	assert_int_equal(moved, 1);
	assert_int_equal(inv->ndocs, 1);
	assert_non_null(inv->docs[0].attachment);
	assert_int_equal(inv->docs[0].attachment->size, 24224);
	assert_string_equal(inv->docs[0].attachment->mime, "image/jpeg");
	assert_string_equal(inv->docs[0].attachment->filename, "bild.jpg");
	assert_memory_equal(inv->docs[0].attachment->data, "<html", 5);
	assert_null(env->objects[0].data);
	assert_int_equal(invoice_attachment_count(inv), 1);

	/* a second join moves nothing: the payload has changed owner */
	assert_int_equal(svefaktura_envelope_attach(&moved, inv, env, &err), 0);
	assert_int_equal(moved, 0);
	assert_int_equal(inv->ndocs, 1);

	/* the envelope is freed first: the invoice must not need it */
	reader_document_release(&edoc);
	assert_int_equal(inv->docs[0].attachment->data[0], '<');
	reader_document_release(&idoc);
}

/* Every invoice 15 of the seller matches; one without the reference gets
 * a new one, so the object is not dropped. */
static void test_envelope_corpus_unreferenced(void **state)
{
	static const char *const same[] = {
		"svefaktura bas.xml", "svefaktura m koder.xml", "svefaktura.xml"
	};
	ulf_document edoc, idoc;
	sve_envelope *env;
	invoice *inv;
	size_t i, moved;
	ulf_err err;

	(void)state;
	env = read_corpus_envelope(&edoc);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		inv = read_corpus_invoice(&idoc, same[i]);
		assert_true(svefaktura_envelope_matches(env, inv));
		reader_document_release(&idoc);
	}

	inv = read_corpus_invoice(&idoc, "svefaktura bas.xml");
	ulf_err_clear(&err);
	assert_int_equal(svefaktura_envelope_attach(&moved, inv, env, &err), 0);
	assert_int_equal(moved, 1);
	assert_int_equal(inv->ndocs, 1);
	assert_string_equal(inv->docs[0].id.v, "urn:sfti:documents:object:271");
	assert_string_equal(inv->docs[0].id.scheme, "ATS");
	assert_non_null(inv->docs[0].attachment);
	assert_int_equal(inv->docs[0].attachment->size, 24224);
	reader_document_release(&idoc);
	reader_document_release(&edoc);
}

/* The issuer check takes the org number, or the VAT number's digits. */
static void test_envelope_match_issuer(void **state)
{
	ulf_document edoc, idoc;
	sve_envelope *env;
	invoice *inv;

	(void)state;
	env = read_corpus_envelope(&edoc);
	inv = read_corpus_invoice(&idoc, "svefaktura bas.xml");

	inv->seller.legal_id.v = NULL;
	assert_true(svefaktura_envelope_matches(env, inv));
	inv->seller.vat_id.v = "SE556562422399";
	assert_false(svefaktura_envelope_matches(env, inv));
	inv->seller.vat_id.v = NULL;
	assert_false(svefaktura_envelope_matches(env, inv));
	inv->seller.legal_id.v = "556562-4223";
	assert_true(svefaktura_envelope_matches(env, inv));

	/* an envelope without issuer goes by the invoice number alone */
	env->issuer_id = NULL;
	inv->seller.legal_id.v = NULL;
	assert_true(svefaktura_envelope_matches(env, inv));
	inv->id.v = "16";
	assert_false(svefaktura_envelope_matches(env, inv));
	assert_false(svefaktura_envelope_matches(NULL, inv));
	reader_document_release(&idoc);
	reader_document_release(&edoc);
}

/* Same invoice number, another seller: the join must not happen. */
static void test_envelope_other_issuer(void **state)
{
	char path[PATH_MAX];
	ulf_document edoc, idoc;
	invoice *inv;

	(void)state;
	ts_need_shared();   /* before anything is read: a skip later would leak it */
	read_ok(&edoc, testdata_path(path, sizeof(path), "envelope-other-issuer.xml"),
		DOC_SVE_ENVELOPE);
	assert_string_equal(edoc.env->document_id, "15");
	assert_null(edoc.env->issue_date);
	assert_null(edoc.env->document_type);
	inv = read_corpus_invoice(&idoc, "svefaktura m ext ref.xml");
	assert_false(svefaktura_envelope_matches(edoc.env, inv));
	reader_document_release(&idoc);
	reader_document_release(&edoc);
}

static void test_creditnote(void **state)
{
	char path[PATH_MAX];
	ulf_document doc;
	const invoice *inv;
	const inv_line *l;

	(void)state;
	read_ok(&doc, testdata_path(path, sizeof(path), "creditnote.xml"), DOC_INVOICE);
	inv = doc.inv;
	assert_int_equal(inv->nproblems, 0);
	assert_int_equal(inv->syntax, INV_SYNTAX_SVEFAKTURA);
	assert_int_equal(inv->kind, INV_KIND_CREDIT_NOTE);
	assert_string_equal(inv->type_code.v, "381");
	assert_string_equal(inv->id.v, "K-2025-0042");
	assert_string_equal(inv->tax_point_date.v, "2025-02-28");
	assert_string_equal(inv->tax_currency.v, "EUR");
	assert_string_equal(inv->buyer_reference.v, "7712345");
	/* BT-13: the first line's order; each line keeps its own */
	assert_string_equal(inv->order_ref.v, "4500012345");
	assert_string_equal(inv->despatch_advice_ref.v, "DA-881");
	assert_int_equal(inv->npreceding, 1);
	assert_string_equal(inv->preceding[0].id.v, "2025-0031");
	assert_null(inv->preceding[0].issue_date.v);
	assert_true(inv->period.present);
	assert_string_equal(inv->period.start.v, "2025-02-01");
	assert_string_equal(inv->period.end.v, "2025-02-28");
	assert_int_equal(inv->ndocs, 1);
	assert_string_equal(inv->docs[0].id.v, "urn:sfti:documents:object:7");

	assert_string_equal(inv->seller.legal_id.v, "5567123459");
	assert_string_equal(inv->seller.legal_info.v, "Godkänd för F-skatt");
	assert_string_equal(inv->seller.vat_id.v, "SE556712345901");
	assert_string_equal(inv->seller.ids[0].v, "7300009000014");
	assert_string_equal(inv->seller.ids[0].scheme, "GLN");
	assert_string_equal(inv->seller.contact.name.v, "Kundtjänst");
	assert_string_equal(inv->buyer.vat_id.v, "SE232100017201");
	assert_null(inv->buyer.legal_id.v);
	assert_string_equal(inv->buyer.address.line2.v, "Box 901");
	assert_string_equal(inv->buyer.address.line3.v, "Ekonomiavdelningen");
	assert_null(inv->buyer.address.line1.v);
	assert_string_equal(inv->delivery.date.v, "2025-02-27");
	assert_string_equal(inv->delivery.location_id.v, "7300009000021");
	assert_string_equal(inv->delivery.location_id.scheme, "GLN");
	assert_string_equal(inv->delivery.address.line3.v, "Centralförrådet");

	assert_int_equal(inv->npayments, 1);
	assert_string_equal(inv->payments[0].means_code.v, "1");
	assert_string_equal(inv->payments[0].means_text.v, "Bankgiro");
	assert_string_equal(inv->payments[0].account.id.v, "50501055");
	assert_string_equal(inv->payments[0].account.bic.v, "BGABSESS");
	assert_string_equal(inv->payments[0].account.name.v, "Testleverantören i Köping AB");
	assert_string_equal(inv->payments[0].remittance.v, "2025004204");
	assert_string_equal(inv->due_date.v, "2025-04-02");
	assert_string_equal(inv->payment_terms.v, "Kvittas mot nästa faktura");

	assert_int_equal(inv->nacs, 1);
	assert_true(inv->acs[0].is_charge);
	assert_amount(&inv->acs[0].amount, "-40.00");
	assert_string_equal(inv->acs[0].reason_code.v, "64");
	assert_string_equal(inv->acs[0].reason.v, "Frakt");
	assert_string_equal(inv->acs[0].vat_category.v, "S");
	assert_num(&inv->acs[0].vat_rate, "25");
	assert_false(inv->acs[0].percent.set);

	assert_amount(&inv->totals.tax, "-99.40");
	assert_amount(&inv->totals.tax_accounting, "-8.80");
	assert_string_equal(inv->totals.tax_accounting.currency, "EUR");
	assert_int_equal(inv->nvat, 2);
	assert_amount(&inv->vat[0].taxable, "-340.00");
	assert_amount(&inv->vat[0].tax, "-85.00");
	assert_amount(&inv->vat[1].taxable, "-120.00");
	assert_amount(&inv->vat[1].tax, "-14.40");
	assert_num(&inv->vat[1].rate, "12");
	assert_amount(&inv->totals.line_extension, "-420.00");
	assert_amount(&inv->totals.tax_exclusive, "-460.00");
	assert_amount(&inv->totals.tax_inclusive, "-559.40");
	assert_amount(&inv->totals.rounding, "0.40");
	assert_amount(&inv->totals.payable, "-559.00");
	assert_string_equal(inv->totals.payable.currency, "SEK");

	assert_int_equal(inv->nlines, 2);
	l = &inv->lines[0];
	assert_qty(&l->quantity, "-2", "EA");
	assert_amount(&l->net, "-300.00");
	assert_string_equal(l->order_id.v, "4500012345");
	assert_string_equal(l->order_line_ref.v, "3");
	assert_string_equal(l->buyer_item_id.v, "VM-88812");
	assert_string_equal(l->seller_item_id.v, "LAMP-LED-2");
	assert_string_equal(l->standard_item_id.v, "7312345678903");
	assert_string_equal(l->standard_item_id.scheme, "GTIN");
	assert_int_equal(l->nacs, 0);
	assert_false(l->base_quantity.set);
	l = &inv->lines[1];
	assert_string_equal(l->order_id.v, "4500012399");
	assert_string_equal(l->order_line_ref.v, "1");
	assert_int_equal(l->nacs, 1);
	assert_false(l->acs[0].is_charge);
	assert_amount(&l->acs[0].amount, "-5.00");
	assert_amount(&l->acs[0].base, "-125.00");
	assert_amount(&l->price, "12.50");
	assert_qty(&l->base_quantity, "1", "KGM");
	assert_string_equal(l->vat_category.v, "S");
	assert_num(&l->vat_rate, "12");
	reader_document_release(&doc);
}

/* Object 7 fills the reference the credit note has; object 8 gets one. */
static void test_creditnote_envelope(void **state)
{
	char path[PATH_MAX];
	ulf_document edoc, idoc;
	invoice *inv;
	size_t moved;
	ulf_err err;

	(void)state;
	read_ok(&edoc, testdata_path(path, sizeof(path), "creditnote-envelope.xml"),
		DOC_SVE_ENVELOPE);
	read_ok(&idoc, testdata_path(path, sizeof(path), "creditnote.xml"), DOC_INVOICE);
	inv = idoc.inv;
	assert_int_equal(edoc.env->nobjects, 2);
	assert_int_equal(edoc.env->objects[0].size, 62);
	assert_memory_equal(edoc.env->objects[0].data, "Returnotering", 13);
	assert_int_equal(edoc.env->objects[1].size, 49);
	/* the issuer is written 556712-3459 */
	assert_true(svefaktura_envelope_matches(edoc.env, inv));

	ulf_err_clear(&err);
	assert_int_equal(svefaktura_envelope_attach(&moved, inv, edoc.env, &err), 0);
	assert_int_equal(moved, 2);
	assert_int_equal(inv->ndocs, 2);
	assert_string_equal(inv->docs[0].id.v, "urn:sfti:documents:object:7");
	assert_string_equal(inv->docs[0].attachment->filename, "returnotering.txt");
	assert_int_equal(inv->docs[0].attachment->size, 62);
	assert_string_equal(inv->docs[1].id.v, "urn:sfti:documents:object:8");
	assert_string_equal(inv->docs[1].attachment->mime, "application/pdf");
	assert_memory_equal(inv->docs[1].attachment->data, "%PDF-1.4", 8);
	assert_int_equal(invoice_attachment_count(inv), 2);
	reader_document_release(&edoc);
	reader_document_release(&idoc);
}

static void test_envelope_corrupt(void **state)
{
	char path[PATH_MAX];
	ulf_document doc;
	ulf_err err;

	(void)state;
	testdata_path(path, sizeof(path), "envelope-corrupt.xml");
	ulf_err_clear(&err);
	assert_int_equal(reader_read_file(&doc, path, NULL, false, &err), ULF_EPARSE);
	assert_null(doc.env);
	assert_non_null(strstr(err.msg, "envelope-corrupt.xml"));
	assert_non_null(strstr(err.msg, "line 15"));
	assert_non_null(strstr(err.msg, "object 272"));
}

static void test_envelope_over_limit(void **state)
{
	char path[PATH_MAX];
	reader_opts opts;
	ulf_document doc;
	ulf_err err;

	(void)state;
	reader_opts_init(&opts);
	opts.inv.max_attachment_bytes = 61;
	testdata_path(path, sizeof(path), "creditnote-envelope.xml");
	ulf_err_clear(&err);
	assert_int_equal(reader_read_file(&doc, path, &opts, false, &err), ULF_ELIMIT);
	assert_null(doc.env);
	assert_non_null(strstr(err.msg, "creditnote-envelope.xml"));
	assert_non_null(strstr(err.msg, "line 15"));
	assert_non_null(strstr(err.msg, "object 7"));

	/* exactly at the limit is fine */
	opts.inv.max_attachment_bytes = 62;
	ulf_err_clear(&err);
	assert_int_equal(reader_read_file(&doc, path, &opts, false, &err), 0);
	reader_document_release(&doc);
}

/* Only an ID: a valid tree, an invoice with everything else absent. */
static void test_partial(void **state)
{
	static const char xml[] =
		"<Invoice xmlns=\"urn:sfti:documents:BasicInvoice:1:0\"><ID> P-1 </ID></Invoice>";
	ulf_document doc;
	const invoice *inv;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(reader_read(&doc, xml, sizeof(xml) - 1, "partial", NULL, false, &err), 0);
	inv = doc.inv;
	assert_int_equal(inv->kind, INV_KIND_INVOICE);
	assert_string_equal(inv->id.v, "P-1");
	assert_null(inv->issue_date.v);
	assert_null(inv->type_code.v);
	assert_null(inv->currency.v);
	assert_null(inv->buyer_reference.v);
	assert_null(inv->order_ref.v);
	assert_null(inv->due_date.v);
	assert_false(inv->seller.present);
	assert_false(inv->buyer.present);
	assert_false(inv->delivery.present);
	assert_false(inv->period.present);
	assert_false(inv->totals.tax.set);
	assert_false(inv->totals.tax_inclusive.set);
	assert_false(inv->totals.payable.set);
	assert_int_equal(inv->nlines, 0);
	assert_null(inv->lines);
	assert_int_equal(inv->nvat, 0);
	assert_int_equal(inv->npayments, 0);
	assert_int_equal(inv->nnotes, 0);
	assert_int_equal(inv->ndocs, 0);
	assert_int_equal(inv->nproblems, 0);
	reader_document_release(&doc);
}

/* Unreadable numbers are problems, not failures; nothing is derived
 * from them. */
static void test_bad_numbers(void **state)
{
	static const char xml[] =
		"<Invoice xmlns=\"urn:sfti:documents:BasicInvoice:1:0\"\n"
		" xmlns:cac=\"urn:sfti:CommonAggregateComponents:1:0\"\n"
		" xmlns:cbc=\"urn:oasis:names:tc:ubl:CommonBasicComponents:1:0\">\n"
		"<ID>B-1</ID>\n"
		"<cac:LegalTotal>\n"
		"<cbc:TaxInclusiveTotalAmount amountCurrencyID=\"SEK\">12,50</cbc:TaxInclusiveTotalAmount>\n"
		"</cac:LegalTotal>\n"
		"<cac:InvoiceLine><cac:ID>1</cac:ID>"
		"<cbc:InvoicedQuantity quantityUnitCode=\"EA\">två</cbc:InvoicedQuantity></cac:InvoiceLine>\n"
		"</Invoice>\n";
	ulf_document doc;
	const invoice *inv;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(reader_read(&doc, xml, sizeof(xml) - 1, "bad", NULL, false, &err), 0);
	inv = doc.inv;
	assert_int_equal(inv->nproblems, 2);
	assert_int_equal(inv->problems->line, 6);
	assert_string_equal(inv->problems->element, "TaxInclusiveTotalAmount");
	assert_false(inv->totals.tax_inclusive.set);
	assert_false(inv->totals.payable.set);
	assert_int_equal(inv->nlines, 1);
	assert_false(inv->lines[0].quantity.set);
	assert_string_equal(inv->lines[0].quantity.unit, "EA");
	reader_document_release(&doc);
}

/* Each reader refuses the other's root, and a UBL root is not ours. */
static void test_wrong_root(void **state)
{
	static const char ubl[] =
		"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>";
	static const char sve[] =
		"<Invoice xmlns=\"urn:sfti:documents:BasicInvoice:1:0\"><ID>1</ID></Invoice>";
	sve_envelope *env = (sve_envelope *)1;
	invoice *inv = (invoice *)1;
	xml_doc *doc;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(xml_parse(&doc, ubl, sizeof(ubl) - 1, "ubl", NULL, &err), 0);
	assert_false(svefaktura_is_invoice(doc));
	assert_int_equal(svefaktura_read(&inv, doc, "ubl", NULL, &err), ULF_ESYNTAX);
	assert_null(inv);
	xml_doc_free(doc);

	ulf_err_clear(&err);
	assert_int_equal(xml_parse(&doc, sve, sizeof(sve) - 1, "sve", NULL, &err), 0);
	assert_true(svefaktura_is_invoice(doc));
	assert_false(svefaktura_is_envelope(doc));
	assert_int_equal(svefaktura_envelope_read(&env, doc, "sve", NULL, &err), ULF_ESYNTAX);
	assert_null(env);
	assert_non_null(strstr(err.msg, "sve"));
	xml_doc_free(doc);
	svefaktura_envelope_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_all),
		cmocka_unit_test(test_corpus_bas),
		cmocka_unit_test(test_corpus_svefaktura),
		cmocka_unit_test(test_corpus_ext_ref),
		cmocka_unit_test(test_corpus_koder),
		cmocka_unit_test(test_corpus_moms),
		cmocka_unit_test(test_envelope_corpus),
		cmocka_unit_test(test_envelope_corpus_unreferenced),
		cmocka_unit_test(test_envelope_match_issuer),
		cmocka_unit_test(test_envelope_other_issuer),
		cmocka_unit_test(test_creditnote),
		cmocka_unit_test(test_creditnote_envelope),
		cmocka_unit_test(test_envelope_corrupt),
		cmocka_unit_test(test_envelope_over_limit),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_wrong_root),
	};

	return cmocka_run_group_tests_name("svefaktura", tests, setup, teardown);
}
