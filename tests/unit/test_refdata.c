/*
 * test_refdata.c - the reference data (robot/store/refdata.c): key
 * normalisation, imports of suppliers, orders (CSV and PEPPOL XML),
 * receipts and history; idempotent re-import; a file with bad rows loads
 * nothing and reports each row with its line; quantities invoiced and
 * received per order line; the booking history learns and unlearns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "robot/store/refdata.h"
#include "robot/store/store.h"
#include "tests/support/support.h"

typedef struct fixture {
	ts_store *t;
	refdata *r;
	char reports[4096];
	size_t nreports;
} fixture;

/*
 * SQLite in a temporary file; or, when ULF_TEST_PG_CONNINFO names a
 * database, PostgreSQL with an emptied schema (ts_store_new, as test_store
 * does), so the same SQL is tried on both backends.
 */
static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t = ts_store_new("refdata", TS_REFDATA);
	f->r = f->t->r;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	ts_store_free(f->t);
	free(f);
	return 0;
}

static void report(void *ctx, const char *msg)
{
	fixture *f = ctx;
	size_t len = strlen(f->reports);

	snprintf(f->reports + len, sizeof(f->reports) - len, "%s\n", msg);
	f->nreports++;
}

static int import(fixture *f, refdata_kind kind, const char *text, refdata_stats *st,
		  ulf_err *err)
{
	f->reports[0] = '\0';
	f->nreports = 0;
	ulf_err_clear(err);
	return refdata_import_buffer(st, f->r, kind, text, strlen(text), "t.csv", report, f,
				     1700000000, err);
}

static void keys(void **state)
{
	char out[128];

	(void)state;
	assert_true(refdata_norm(out, sizeof(out), REF_BY_ORG, "559211-7310"));
	assert_string_equal(out, "5592117310");
	assert_true(refdata_norm(out, sizeof(out), REF_BY_ORG, "165592117310"));
	assert_string_equal(out, "5592117310");
	assert_false(refdata_norm(out, sizeof(out), REF_BY_ORG, "55921173"));
	assert_false(refdata_norm(out, sizeof(out), REF_BY_ORG, "SE559211731001"));
	assert_true(refdata_norm(out, sizeof(out), REF_BY_VAT, "se 5592117310 01"));
	assert_string_equal(out, "SE559211731001");
	assert_true(refdata_norm(out, sizeof(out), REF_BY_PEPPOL, "0007:5592117310"));
	assert_false(refdata_norm(out, sizeof(out), REF_BY_PEPPOL, "5592117310"));
	assert_true(refdata_norm(out, sizeof(out), REF_BY_BANKGIRO, "5050-1055"));
	assert_string_equal(out, "50501055");
	assert_false(refdata_norm(out, sizeof(out), REF_BY_BANKGIRO, "12"));
	assert_true(refdata_norm(out, sizeof(out), REF_BY_PLUSGIRO, "447123-1"));
	assert_string_equal(out, "4471231");
	assert_true(refdata_norm(out, sizeof(out), REF_BY_NAME, "EXEMPELGROSSISTEN Mälardalen AB"));
	assert_string_equal(out, "exempelgrossisten mälardalen");
	assert_true(refdata_norm(out, sizeof(out), REF_BY_NAME, "Exempelgrossisten Mälardalen Aktiebolag (publ)"));
	assert_string_equal(out, "exempelgrossisten mälardalen");
	refdata_text_key(out, sizeof(out), "Hyra kontor Q2, april 2025");
	assert_string_equal(out, "hyra kontor");
	refdata_text_key(out, sizeof(out), "HYRA KONTOR q3 - Juli");
	assert_string_equal(out, "hyra kontor");
	refdata_item_key(out, sizeof(out), " kp-4080 ");
	assert_string_equal(out, "KP-4080");
}

static const char *const suppliers_csv =
	"\xEF\xBB\xBFsupplier_no;name;org_no;vat_no;peppol_id;bankgiro;plusgiro;contract\n"
	"10042;Exempelgrossisten Mälardalen AB;559211-7310;SE559211731001;0007:5592117310;5050-1055;;ja\n"
	"10093;Exempelfarma Distribution AB;5569872145;;0007:5569872145;;447123-1;nej\n";

static void suppliers(void **state)
{
	fixture *f = *state;
	refdata_stats st;
	ref_supplier s;
	size_t n;
	ulf_err err;

	assert_int_equal(import(f, REFDATA_SUPPLIERS, suppliers_csv, &st, &err), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.inserted, 2);
	assert_int_equal(refdata_supplier_find(&s, &n, f->r, REF_BY_BANKGIRO, "50501055", &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s.supplier_no, "10042");
	assert_true(s.contract);
	assert_int_equal(refdata_supplier_find(&s, &n, f->r, REF_BY_NAME,
					       "exempelfarma distribution", &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s.plusgiro, "4471231");
	assert_false(s.contract);

	/* again: updated, never duplicated */
	assert_int_equal(import(f, REFDATA_SUPPLIERS, suppliers_csv, &st, &err), 0);
	assert_int_equal(st.updated, 2);
	assert_int_equal(st.inserted, 0);
	assert_int_equal(refdata_supplier_find(&s, &n, f->r, REF_BY_ORG, "5592117310", &err), 0);
	assert_int_equal(n, 1);
}

static void bad_rows_load_nothing(void **state)
{
	fixture *f = *state;
	refdata_stats st;
	ref_supplier s;
	size_t n;
	ulf_err err;

	assert_int_equal(import(f, REFDATA_SUPPLIERS,
				"supplier_no,name,org_no,bankgiro,contract\n"
				"1,Good AB,5592117310,,yes\n"
				"2,Bad Org AB,55921,,no\n"
				"3,,,,\n"
				"4,Bad Giro AB,,12,maybe\n", &st, &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.csv: 4 bad rows, nothing loaded");
	assert_int_equal(f->nreports, 4);
	assert_non_null(strstr(f->reports, "t.csv:3: org_no '55921' is not a org number"));
	assert_non_null(strstr(f->reports, "t.csv:4: supplier 3: name is empty"));
	assert_non_null(strstr(f->reports, "t.csv:5: bankgiro '12' is not a bankgiro"));
	assert_non_null(strstr(f->reports, "t.csv:5: contract 'maybe' is not yes or no"));
	assert_int_equal(refdata_supplier_find(&s, &n, f->r, REF_BY_NUMBER, "1", &err), 0);
	assert_int_equal(n, 0);

	assert_int_equal(import(f, REFDATA_SUPPLIERS, "name;org_no\nX;5592117310\n", &st, &err),
			 ULF_EPARSE);
	assert_non_null(strstr(f->reports, "t.csv:1: missing column 'supplier_no'"));

	assert_int_equal(import(f, REFDATA_SUPPLIERS, "supplier_no;name\n1;\"open\n", &st, &err),
			 ULF_EPARSE);
	assert_non_null(strstr(f->reports, "t.csv:2: quoted field not closed"));
}

static const char *const orders_csv =
	"order_no;buyer;supplier_no;currency;requires_receipt;line_id;item_id;item_name;"
	"quantity;unit;unit_price;net_amount;account;cost_centre;activity;project\n"
	"30458812;0007:2321000172;10093;SEK;ja;10;INF-150;Infusionsaggregat;400;EA;12,325;4930,00;4010;7104;310;\n"
	"4500131200;0007:2321000172;10093;SEK;nej;1;X-1;Annat;5;EA;10;50;4010;7104;;\n"
	"30458812;0007:2321000172;10093;SEK;ja;20;RX-PCM100;Paracetamol;120;EA;36,955;4434,60;4020;7104;310;\n";

static void assert_dec_str(dec d, const char *want)
{
	char buf[DEC_STR_MAX];

	dec_format(buf, sizeof(buf), d, 0);
	assert_string_equal(buf, want);
}

static void orders_receipts_and_invoiced(void **state)
{
	fixture *f = *state;
	refdata_stats st;
	ref_order *o = NULL;
	ref_invoice inv;
	ref_invoice_line lines[2];
	ulf_err err;

	assert_int_equal(import(f, REFDATA_ORDERS, orders_csv, &st, &err), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.lines, 3);
	assert_int_equal(import(f, REFDATA_RECEIPTS,
				"receipt_id,order_no,order_line_id,quantity,receipt_date\n"
				"GR-1,30458812,10,250,2025-03-05\n"
				"GR-2,30458812,10,150,2025-03-07\n", &st, &err), 0);
	assert_int_equal(st.records, 2);
	/* the same receipt again replaces it */
	assert_int_equal(import(f, REFDATA_RECEIPTS,
				"receipt_id,order_no,order_line_id,quantity\n"
				"GR-2,30458812,10,150\n", &st, &err), 0);
	assert_int_equal(st.updated, 1);

	memset(&inv, 0, sizeof(inv));
	memset(lines, 0, sizeof(lines));
	inv.supplier_key = "10093";
	inv.invoice_number = "A1";
	inv.kind = "invoice";
	inv.issue_date = "2025-03-10";
	inv.currency = "SEK";
	inv.net_total = dec_make(184860, 2);
	inv.lines = lines;
	inv.nlines = 2;
	lines[0].quantity = dec_make(100, 0);
	lines[0].net = dec_make(123250, 2);
	lines[0].order_no = "30458812";
	lines[0].order_line_id = "10";
	lines[0].account = "4010";
	lines[0].item_key = "INF-150";
	lines[1] = lines[0];
	lines[1].quantity = dec_make(50, 0);
	lines[1].net = dec_make(61625, 2);
	assert_int_equal(refdata_record_invoice(f->r, &inv, 1, &err), 0);
	/* recorded twice: still once */
	assert_int_equal(refdata_record_invoice(f->r, &inv, 2, &err), 0);

	assert_int_equal(refdata_order_get(&o, f->r, "30458812", &err), 0);
	assert_string_equal(o->buyer, "0007:2321000172");
	assert_int_equal(o->requires_receipt, 1);
	assert_int_equal(o->nlines, 2);
	assert_string_equal(o->lines[0].line_id, "10");
	assert_dec_str(o->lines[0].price, "12.325");
	assert_dec_str(o->lines[0].received_qty, "400");
	assert_int_equal(o->lines[0].nreceipts, 2);
	assert_dec_str(o->lines[0].invoiced_qty, "150");
	assert_dec_str(o->lines[1].invoiced_qty, "0");
	assert_null(o->account);   /* the lines disagree: no order booking */
	refdata_order_free(o);
	assert_int_equal(refdata_order_get(&o, f->r, "nope", &err), ULF_ENOTFOUND);

	/* re-importing the order keeps what was invoiced against it */
	assert_int_equal(import(f, REFDATA_ORDERS, orders_csv, &st, &err), 0);
	assert_int_equal(st.updated, 2);
	assert_int_equal(refdata_order_get(&o, f->r, "30458812", &err), 0);
	assert_dec_str(o->lines[0].invoiced_qty, "150");
	refdata_order_free(o);
}

static void order_rows_disagree(void **state)
{
	fixture *f = *state;
	refdata_stats st;
	ulf_err err;

	assert_int_equal(import(f, REFDATA_ORDERS,
				"order_no;currency;line_id;quantity;unit_price\n"
				"1;SEK;1;2;10\n"
				"1;EUR;2;2;10\n"
				"2;SEK;1;x;10\n"
				"3;SEK;1;1;\n"
				"3;SEK;1;1;5\n", &st, &err), ULF_EPARSE);
	assert_non_null(strstr(f->reports, "t.csv:3: order 1: currency 'EUR' differs from 'SEK' on line 2"));
	assert_non_null(strstr(f->reports, "t.csv:4: quantity 'x' is not an amount"));
	assert_non_null(strstr(f->reports, "t.csv:6: order 3: line_id 1 also on line 5"));
	assert_non_null(strstr(f->reports, "t.csv:5: order 3 line 1: neither unit_price nor net_amount"));
}

static void order_xml(void **state)
{
	fixture *f = *state;
	const char *sh = getenv("ULF_SHARED");
	char path[1024];
	refdata_stats st;
	ref_order *o = NULL;
	ulf_err err;

	ts_need_shared();
	snprintf(path, sizeof(path), "%s/corpus/peppol-ordering/orders/Order_Example.xml",
		 sh && *sh ? sh : "../shared");
	ulf_err_clear(&err);
	if (access(path, R_OK) != 0)
		skip();
	assert_int_equal(refdata_import_file(&st, f->r, REFDATA_ORDERS, path, report, f, 1, &err), 0);
	assert_int_equal(st.records, 1);
	assert_int_equal(refdata_order_get(&o, f->r, "34", &err), 0);
	assert_string_equal(o->supplier_peppol, "0192:123456785");
	assert_string_equal(o->currency, "NOK");
	assert_int_equal(o->requires_receipt, -1);
	/* charge 400 less the 10 % discount 652.50 */
	assert_dec_str(o->charges, "-252.50");
	assert_string_equal(o->lines[0].item_id, "121212");
	refdata_order_free(o);

	/* an order is not a receipt */
	ulf_err_clear(&err);
	f->reports[0] = '\0';
	assert_int_equal(refdata_import_file(&st, f->r, REFDATA_RECEIPTS, path, report, f, 1, &err),
			 ULF_EPARSE);
	assert_non_null(strstr(f->reports, "is not receipts"));

	snprintf(path, sizeof(path), "%s/corpus/peppol-ordering/despatch/DespatchAdvice-BIS3_UseCase2.xml",
		 sh && *sh ? sh : "../shared");
	ulf_err_clear(&err);
	assert_int_equal(refdata_import_file(&st, f->r, REFDATA_RECEIPTS, path, report, f, 1, &err), 0);
	assert_true(st.records >= 3);
}

static void history_learns_and_unlearns(void **state)
{
	fixture *f = *state;
	refdata_stats st;
	ref_history h;
	ref_invoice *inv = NULL;
	char number[64];
	bool found;
	ulf_err err;
	const char *csv =
		"supplier,invoice_number,issue_date,item_id,text,quantity,net_amount,account,cost_centre,vat_code\n"
		"10042,H1,2025-01-10,KP-4080,Papper,10,549.00,5460,1100,25\n"
		"10042,H2,2025-02-10,KP-4080,Papper,10,549.00,5460,1100,25\n"
		"10042,H3,2025-02-20,KP-4080,Papper,5,274.50,5410,1100,25\n";

	assert_int_equal(import(f, REFDATA_SUPPLIERS, suppliers_csv, &st, &err), 0);
	assert_int_equal(import(f, REFDATA_HISTORY, csv, &st, &err), 0);
	assert_int_equal(st.records, 3);
	assert_int_equal(refdata_history(&h, &found, f->r, "10042", "item", "KP-4080", &err), 0);
	assert_true(found);
	assert_string_equal(h.account, "5460");
	assert_int_equal(h.n, 2);
	assert_int_equal(h.total, 3);
	/* the same file again teaches nothing new */
	assert_int_equal(import(f, REFDATA_HISTORY, csv, &st, &err), 0);
	assert_int_equal(refdata_history(&h, &found, f->r, "10042", "item", "KP-4080", &err), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.total, 3);
	assert_int_equal(refdata_history(&h, &found, f->r, "10042", "text", "papper", &err), 0);
	assert_int_equal(h.total, 3);
	assert_int_equal(refdata_history(&h, &found, f->r, "10042", "supplier", "", &err), 0);
	assert_int_equal(h.total, 3);

	assert_int_equal(refdata_invoice_get(&inv, f->r, "10042", "H3", "invoice", &err), 0);
	assert_int_equal(inv->nlines, 1);
	assert_string_equal(inv->lines[0].account, "5410");
	{
		char fp[65];
		refdata_fingerprint(fp, inv);
		assert_int_equal(refdata_invoice_by_fingerprint(number, sizeof(number), &found, f->r,
								fp, &err), 0);
		assert_true(found);
		assert_string_equal(number, "H3");
	}
	refdata_invoice_free(inv);

	/* the org number finds the register's supplier number */
	assert_int_equal(import(f, REFDATA_HISTORY,
				"supplier,invoice_number,net_amount,account\n"
				"559211-7310,H9,10,5460\n", &st, &err), 0);
	assert_int_equal(refdata_invoice_get(&inv, f->r, "10042", "H9", "invoice", &err), 0);
	refdata_invoice_free(inv);
	refdata_invoice_free(NULL);
	refdata_order_free(NULL);
	refdata_free(NULL);
}

static void amounts(void **state)
{
	dec d;

	(void)state;
	assert_int_equal(refdata_parse_amount(&d, "1 234,50"), 0);
	assert_dec_str(d, "1234.50");
	assert_int_equal(refdata_parse_amount(&d, "1\xC2\xA0" "234.5"), 0);
	assert_dec_str(d, "1234.5");
	assert_int_equal(refdata_parse_amount(&d, "-3"), 0);
	assert_int_equal(refdata_parse_amount(&d, "1.234,50"), ULF_EPARSE);
	assert_int_equal(refdata_parse_amount(&d, ""), ULF_EPARSE);
	assert_int_equal(refdata_parse_amount(&d, "12 kr"), ULF_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),
		cmocka_unit_test(amounts),
		cmocka_unit_test_setup_teardown(suppliers, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_rows_load_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(orders_receipts_and_invoiced, setup, teardown),
		cmocka_unit_test_setup_teardown(order_rows_disagree, setup, teardown),
		cmocka_unit_test_setup_teardown(order_xml, setup, teardown),
		cmocka_unit_test_setup_teardown(history_learns_and_unlearns, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
