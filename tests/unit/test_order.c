/*
 * test_order.c - the PEPPOL Ordering reader (parsers/order.c): every
 * Order and Despatch Advice of the public corpus is read; the fields
 * matching uses come out of Order_Example.xml and a despatch advice as
 * written; a bad decimal, a missing ID, duplicate line ids and a foreign
 * root are refused with file and line.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/order.h"
#include "tests/support/support.h"

static void assert_dec_str(dec d, const char *want)
{
	char buf[DEC_STR_MAX];

	dec_format(buf, sizeof(buf), d, 0);
	assert_string_equal(buf, want);
}

static void whole_corpus(void **state)
{
	static const char *const dirs[] = { "orders", "despatch" };
	char dir[1024], path[2048];
	size_t d, n = 0;

	(void)state;
	for (d = 0; d < 2; d++) {
		DIR *dh;
		struct dirent *e;
		ts_shared_path(dir, sizeof(dir), "corpus/peppol-ordering/%s", dirs[d]);
		dh = opendir(dir);
		if (!dh)
			ts_skip("%s not found", dir);
		while ((e = readdir(dh)) != NULL) {
			ordering_doc od;
			ulf_err err;
			if (!strstr(e->d_name, ".xml"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			ulf_err_clear(&err);
			if (ordering_read_file(&od, path, NULL, &err) != 0)
				fail_msg("%s", err.msg);
			assert_int_equal(od.kind, d == 0 ? ORDERING_ORDER : ORDERING_DESPATCH);
			ordering_release(&od);
			n++;
		}
		closedir(dh);
	}
	assert_true(n >= 13);
}

static void order_example_fields(void **state)
{
	char path[1024];
	ordering_doc od;
	const order_doc *o;
	ulf_err err;

	(void)state;
	ts_shared_path(path, sizeof(path), "corpus/peppol-ordering/orders/Order_Example.xml");
	ulf_err_clear(&err);
	if (ordering_read_file(&od, path, NULL, &err) == ULF_EIO)
		ts_skip("%s", err.msg);
	assert_int_equal(err.code, 0);
	o = od.order;
	assert_string_equal(o->id, "34");
	assert_string_equal(o->currency, "NOK");
	assert_string_equal(o->customer_reference, "9000012345");
	assert_string_equal(o->accounting_cost, "Project123");
	assert_string_equal(o->contract_id, "34322");
	assert_string_equal(o->seller.endpoint, "123456785");
	assert_string_equal(o->seller.endpoint_scheme, "0192");
	assert_string_equal(o->seller.name, "Medical");
	assert_string_equal(o->buyer.vat_id, "NO9311867455MVA");
	assert_int_equal(o->nacs, 2);
	assert_true(o->acs[0].is_charge);
	assert_dec_str(o->acs[0].amount.v, "400.00");
	assert_false(o->acs[1].is_charge);
	assert_dec_str(o->tax_exclusive.v, "6272.50");
	assert_true(o->nlines >= 2);
	assert_string_equal(o->lines[0].id, "1");
	assert_dec_str(o->lines[0].quantity.v, "120");
	assert_string_equal(o->lines[0].unit, "EA");
	assert_dec_str(o->lines[0].price.v, "50.000");
	assert_dec_str(o->lines[0].base_quantity.v, "1");
	assert_dec_str(o->lines[0].net.v, "6300.00");
	assert_false(o->lines[0].partial_delivery);
	assert_true(o->lines[1].partial_delivery);
	assert_string_equal(o->lines[0].seller_item_id, "121212");
	assert_string_equal(o->lines[0].buyer_item_id, "123456");
	assert_string_equal(o->lines[0].standard_item_id, "7560000012345");
	assert_string_equal(o->lines[0].classification, "12345678");
	assert_string_equal(o->lines[0].accounting_cost, "12345678");
	assert_string_equal(o->lines[0].note, "Freetext note on line 1");
	assert_string_equal(o->lines[0].vat_category, "S");
	assert_dec_str(o->lines[0].vat_rate.v, "25");
	ordering_release(&od);
}

static void despatch_fields(void **state)
{
	char path[1024];
	ordering_doc od;
	const despatch_doc *d;
	ulf_err err;

	(void)state;
	ts_shared_path(path, sizeof(path),
		       "corpus/peppol-ordering/despatch/DespatchAdvice-BIS3_UseCase2.xml");
	ulf_err_clear(&err);
	if (ordering_read_file(&od, path, NULL, &err) == ULF_EIO)
		ts_skip("%s", err.msg);
	assert_int_equal(err.code, 0);
	d = od.despatch;
	assert_string_equal(d->id, "1236");
	assert_string_equal(d->order_id, "4321");
	assert_true(d->nlines >= 3);
	assert_string_equal(d->lines[1].order_line_id, "2");
	assert_string_equal(d->lines[1].order_id, "4321");
	assert_dec_str(d->lines[1].delivered.v, "6");
	assert_true(d->lines[1].outstanding.set);
	assert_dec_str(d->lines[1].outstanding.v, "4");
	assert_string_equal(d->lines[1].unit, "EA");
	ordering_release(&od);
}

#define ORDER_HEAD \
	"<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"" \
	" xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\"" \
	" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"

static int read_text(const char *text, ulf_err *err)
{
	ordering_doc od;
	int rc;

	ulf_err_clear(err);
	rc = ordering_read(&od, text, strlen(text), "t.xml", NULL, err);
	ordering_release(&od);
	return rc;
}

static void refused(void **state)
{
	ulf_err err;

	(void)state;
	assert_int_equal(read_text(ORDER_HEAD "<cbc:ID>DLL0000001</cbc:ID>\n"
				   "<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID>\n"
				   "<cbc:Quantity unitCode=\"EA\">1O</cbc:Quantity>"
				   "</cac:LineItem></cac:OrderLine></Order>", &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.xml:4: Quantity '1O' is not a decimal");

	assert_int_equal(read_text(ORDER_HEAD "<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID>"
				   "</cac:LineItem></cac:OrderLine></Order>", &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "has no ID"));

	assert_int_equal(read_text(ORDER_HEAD "<cbc:ID>1</cbc:ID></Order>", &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "no order lines"));

	assert_int_equal(read_text(ORDER_HEAD "<cbc:ID>1</cbc:ID>\n"
				   "<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID></cac:LineItem></cac:OrderLine>\n"
				   "<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID></cac:LineItem></cac:OrderLine>"
				   "</Order>", &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.xml:4: order line id 1 used twice");

	assert_int_equal(read_text("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>",
				   &err), ULF_ESYNTAX);
	assert_non_null(strstr(err.msg, "neither an Order nor a DespatchAdvice"));

	assert_int_equal(read_text("<DespatchAdvice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2\""
				   " xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\""
				   " xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
				   "<cbc:ID>9</cbc:ID>\n<cac:DespatchLine><cbc:ID>1</cbc:ID>"
				   "<cbc:DeliveredQuantity>2</cbc:DeliveredQuantity></cac:DespatchLine>"
				   "</DespatchAdvice>", &err), ULF_EPARSE);
	assert_string_equal(err.msg, "t.xml:2: DespatchLine 1 names no order");
	order_free(NULL);
	despatch_free(NULL);
	ordering_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_corpus),
		cmocka_unit_test(order_example_fields),
		cmocka_unit_test(despatch_fields),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
