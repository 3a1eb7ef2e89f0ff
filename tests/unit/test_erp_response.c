/*
 * test_erp_response.c - the PEPPOL Invoice Response for a rejected invoice
 * (connectors/invoice_response.c): the shape of use case 4a, text from
 * outside escaped so that it reads back exactly (markup characters, CR,
 * quotes) or replaced when XML cannot hold it (control characters, bytes
 * that are not UTF-8), required fields refused when missing.  The result
 * is read back with the project's XML reader, and validated against the
 * UBL 2.1 ApplicationResponse schema with xmllint when ../shared is there.
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

#include "connectors/invoice_response.h"
#include "core/arena.h"
#include "parsers/xml.h"

#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define NS_AR  "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"

static invoice_response sample(void)
{
	invoice_response r;

	memset(&r, 0, sizeof(r));
	r.id = "ulf-ir-42";
	r.issue_date = "2024-03-05";
	r.sender.endpoint_scheme = "0007";
	r.sender.endpoint_id = "2321000032";
	r.sender.name = "Region Sörmland";
	r.receiver.endpoint_scheme = "0007";
	r.receiver.endpoint_id = "5560000001";
	r.receiver.name = "Sjukvårdsmaterial AB";
	r.invoice_number = "INV-2024-17";
	r.invoice_issue_date = "2024-03-01";
	r.type_code = "380";
	r.reason_code = "REF";
	r.reason = "Account 4010 is closed for cost centre 7301";
	return r;
}

static const xml_node *path(const xml_node *n, const char *const *steps)
{
	for (; n && *steps; steps += 2)
		n = xml_child(n, steps[0], steps[1]);
	return n;
}

static const char *text_at(const xml_doc *doc, arena *a, const char *const *steps)
{
	const xml_node *n = path(xml_root(doc), steps);

	assert_non_null(n);
	return xml_text(n, a, NULL);
}

static xml_doc *parse(const char *xml, size_t len)
{
	xml_doc *doc = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	if (xml_parse(&doc, xml, len, "response", NULL, &err) != 0)
		fail_msg("not well-formed: %s\n%s", err.msg, xml);
	return doc;
}

/* xmllint --schema over the text, when the schema and xmllint exist;
 * returns 0 valid, 1 invalid, -1 not checked. */
static int schema_check(const char *xml, size_t len)
{
	const char *shared = getenv("ULF_SHARED");
	char xsd[1024], file[] = "/tmp/ulf-ir-XXXXXX", cmd[2300];
	FILE *f;
	int fd, rc;

	if (!shared)
		return -1;
	snprintf(xsd, sizeof(xsd), "%s/schemas/ubl-2.1/maindoc/UBL-ApplicationResponse-2.1.xsd",
		 shared);
	if (access(xsd, R_OK) != 0 || system("command -v xmllint >/dev/null 2>&1") != 0)
		return -1;
	fd = mkstemp(file);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(xml, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --nonet --schema '%s' '%s' >/dev/null 2>&1",
		 xsd, file);
	rc = system(cmd);
	if (rc != 0) {   /* again, to show why */
		snprintf(cmd, sizeof(cmd), "xmllint --noout --nonet --schema '%s' '%s'", xsd, file);
		(void)!system(cmd);
	}
	unlink(file);
	return rc == 0 ? 0 : 1;
}

static void test_rejection_shape(void **state)
{
	static const char *const code[] = { NS_CAC, "DocumentResponse", NS_CAC, "Response",
					     NS_CBC, "ResponseCode", NULL };
	static const char *const reason_code[] = { NS_CAC, "DocumentResponse", NS_CAC, "Response",
						   NS_CAC, "Status", NS_CBC, "StatusReasonCode", NULL };
	static const char *const reason[] = { NS_CAC, "DocumentResponse", NS_CAC, "Response",
					      NS_CAC, "Status", NS_CBC, "StatusReason", NULL };
	static const char *const ref[] = { NS_CAC, "DocumentResponse", NS_CAC, "DocumentReference",
					   NS_CBC, "ID", NULL };
	static const char *const sender[] = { NS_CAC, "SenderParty", NS_CBC, "EndpointID", NULL };
	static const char *const cust[] = { NS_CBC, "CustomizationID", NULL };
	invoice_response r = sample();
	char *xml = NULL;
	size_t len = 0;
	xml_doc *doc;
	arena a;
	ulf_err err;
	int v;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), 0);
	assert_int_equal(strlen(xml), len);
	doc = parse(xml, len);
	arena_init(&a, 1 << 16);
	assert_true(xml_is(xml_root(doc), NS_AR, "ApplicationResponse"));
	assert_string_equal(text_at(doc, &a, cust), "urn:fdc:peppol.eu:poacc:trns:invoice_response:3");
	assert_string_equal(text_at(doc, &a, code), "RE");
	assert_string_equal(text_at(doc, &a, reason_code), "REF");
	assert_string_equal(xml_attr(path(xml_root(doc), reason_code), "listID"), "OPStatusReason");
	assert_string_equal(text_at(doc, &a, reason), r.reason);
	assert_string_equal(text_at(doc, &a, ref), "INV-2024-17");
	assert_string_equal(text_at(doc, &a, sender), "2321000032");
	assert_string_equal(xml_attr(path(xml_root(doc), sender), "schemeID"), "0007");
	v = schema_check(xml, len);
	if (v < 0)
		print_message("schema check skipped: no ../shared schemas or no xmllint\n");
	assert_true(v <= 0);
	arena_release(&a);
	xml_doc_free(doc);
	free(xml);

	/* without a reason code: OTH */
	r.reason_code = NULL;
	r.invoice_issue_date = NULL;
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), 0);
	assert_non_null(strstr(xml, ">OTH</cbc:StatusReasonCode>"));
	assert_null(strstr(xml, "<cbc:IssueDate>2024-03-01"));
	assert_true(schema_check(xml, len) <= 0);
	free(xml);

	/* a reason or a name quoting a patient goes out masked; the invoice
	 * number, an identifier, as written */
	r.reason = "line 2, Vård av 191212121212, is not ours";
	r.receiver.name = "Tolvan Tolvansson 19121212-1212";
	r.invoice_number = "1212121212";
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), 0);
	assert_non_null(strstr(xml, ">line 2, Vård av 19121212-****, is not ours</cbc:StatusReason>"));
	assert_non_null(strstr(xml, ">Tolvan Tolvansson 19121212-****</cbc:RegistrationName>"));
	assert_non_null(strstr(xml, "<cbc:ID>1212121212</cbc:ID>"));
	assert_null(strstr(xml, "191212121212"));
	assert_null(strstr(xml, "19121212-1212"));
	free(xml);
}

static void test_hostile_text(void **state)
{
	static const char *const reason[] = { NS_CAC, "DocumentResponse", NS_CAC, "Response",
					      NS_CAC, "Status", NS_CBC, "StatusReason", NULL };
	static const char *const name[] = { NS_CAC, "ReceiverParty", NS_CAC, "PartyLegalEntity",
					    NS_CBC, "RegistrationName", NULL };
	static const char *const ep[] = { NS_CAC, "ReceiverParty", NS_CBC, "EndpointID", NULL };
	invoice_response r = sample();
	char *xml = NULL;
	size_t len;
	xml_doc *doc;
	arena a;
	ulf_err err;

	(void)state;
	/* what an ERP's message may hold: markup, an entity, CR LF, a control
	 * character, a byte that is not UTF-8, a CDATA end, a quote */
	r.reason = "<b>Konto & \"ansvar\"</b> fel]]>\r\nrad 2\x01 \xff slut &amp;";
	r.receiver.name = "A&B <\"Leverantör\">";
	r.receiver.endpoint_id = "55\"60'00<00>01";
	ulf_err_clear(&err);
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), 0);
	assert_null(strstr(xml, "<b>"));
	assert_null(strstr(xml, "\x01"));
	doc = parse(xml, len);
	arena_init(&a, 1 << 16);
	assert_string_equal(text_at(doc, &a, reason),
			    "<b>Konto & \"ansvar\"</b> fel]]>\r\nrad 2\xEF\xBF\xBD \xEF\xBF\xBD slut &amp;");
	assert_string_equal(text_at(doc, &a, name), "A&B <\"Leverantör\">");
	assert_string_equal(text_at(doc, &a, ep), "55\"60'00<00>01");
	assert_true(schema_check(xml, len) <= 0);
	arena_release(&a);
	xml_doc_free(doc);
	free(xml);

	/* a truncated multi-byte sequence at the very end */
	r = sample();
	r.reason = "slut p\xc3";
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), 0);
	assert_non_null(strstr(xml, "slut p\xEF\xBF\xBD</cbc:StatusReason>"));
	free(xml);
}

static void expect_refused(const invoice_response *r, const char *words)
{
	char *xml = (char *)"x";
	size_t len = 9;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	rc = invoice_response_rejection(&xml, &len, r, &err);
	if (rc != ULF_EINVAL || !strstr(err.msg, words))
		fail_msg("rc %d, message '%s', expected '%s'", rc, err.msg, words);
	assert_null(xml);
	assert_int_equal(len, 0);
}

static void test_refused(void **state)
{
	invoice_response r;

	(void)state;
	r = sample(); r.reason = "  \n";
	expect_refused(&r, "reason is missing");
	r = sample(); r.reason = NULL;
	expect_refused(&r, "reason is missing");
	r = sample(); r.reason_code = "XYZ";
	expect_refused(&r, "not an OPStatusReason code");
	r = sample(); r.sender.endpoint_scheme = "SE";
	expect_refused(&r, "sender endpoint scheme");
	r = sample(); r.receiver.name = "";
	expect_refused(&r, "receiver name is missing");
	r = sample(); r.issue_date = "5 March";
	expect_refused(&r, "issue date");
	r = sample(); r.invoice_number = NULL;
	expect_refused(&r, "invoice number is missing");
	r = sample(); r.type_code = "invoice";
	expect_refused(&r, "type code");
	r = sample(); r.id = "";
	expect_refused(&r, "id is missing");
}

/* A reason past INVOICE_RESPONSE_MAX_BYTES: refused whole, said so. */
static void test_too_long(void **state)
{
	invoice_response r = sample();
	char *xml = (char *)"x", *big;
	size_t len = 9;
	ulf_err err;

	(void)state;
	big = malloc(INVOICE_RESPONSE_MAX_BYTES + 1);
	assert_non_null(big);
	memset(big, 'a', INVOICE_RESPONSE_MAX_BYTES);
	big[INVOICE_RESPONSE_MAX_BYTES] = '\0';
	r.reason = big;
	ulf_err_clear(&err);
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), ULF_ELIMIT);
	assert_non_null(strstr(err.msg, "invoice response: longer than"));
	assert_null(xml);
	assert_int_equal(len, 0);
	/* just under the cap, what the rest of the document leaves: fine */
	big[INVOICE_RESPONSE_MAX_BYTES - 4096] = '\0';
	assert_int_equal(invoice_response_rejection(&xml, &len, &r, &err), 0);
	assert_true(len < INVOICE_RESPONSE_MAX_BYTES);
	free(xml);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejection_shape),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_long),
	};
	int rc;

	xml_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xml_global_cleanup();
	return rc;
}
