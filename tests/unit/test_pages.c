/*
 * test_pages.c - unit tests for the workbench's pages (robot/web/pages*.c)
 * rendered from hand-made lists and documents: outside text stays text
 * (a supplier named <script>), amounts are exact and Swedish, filters are
 * read from the query and kept in every link, deviations are marked, every
 * action form carries the CSRF token and the version, a controller gets
 * no forms and a handler no unmask form, personal identity numbers in
 * document text are masked, and a booking sent in the form becomes the
 * JSON the queue takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dec.h"
#include "core/json.h"
#include "robot/web/auth.h"
#include "robot/web/pages.h"
#include "robot/web/pages_invoice.h"
#include "robot/web/pages_queue.h"
#include "robot/web/pages_viewer.h"
#include "parsers/reader.h"
#include "tests/support/support.h"

#define NBSP "\xc2\xa0"
#define CSRF "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *take(html *h)
{
	char *out = NULL;
	size_t len = 0;
	ulf_err err;

	ulf_err_clear(&err);
	if (html_take(&out, &len, h, &err) != 0)
		fail_msg("html_take: %s", err.msg);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

#define assert_has(page, s) do { if (!strstr((page), (s))) \
	fail_msg("page lacks \"%s\"", (s)); } while (0)
#define assert_lacks(page, s) do { if (strstr((page), (s))) \
	fail_msg("page has \"%s\"", (s)); } while (0)

/* ---- query parameters from a table ---------------------------------- */

typedef struct params {
	const char *const *kv;    /* name, value, ..., NULL */
} params;

static const char *param(void *ctx, const char *name)
{
	const params *p = ctx;
	size_t i;

	for (i = 0; p->kv[i]; i += 2)
		if (!strcmp(p->kv[i], name))
			return p->kv[i + 1];
	return NULL;
}

/* ---- helpers --------------------------------------------------------- */

static void test_amount_parse(void **state)
{
	char out[64];

	(void)state;
	assert_true(page_amount_parse(out, sizeof(out), "1 198,00"));
	assert_string_equal(out, "1198.00");
	assert_true(page_amount_parse(out, sizeof(out), "1" NBSP "198,5"));
	assert_string_equal(out, "1198.50");
	assert_true(page_amount_parse(out, sizeof(out), "-12"));
	assert_string_equal(out, "-12.00");
	assert_true(page_amount_parse(out, sizeof(out), "0.125"));
	assert_string_equal(out, "0.125");
	assert_false(page_amount_parse(out, sizeof(out), "12,00,00"));
	assert_false(page_amount_parse(out, sizeof(out), "abc"));
	assert_false(page_amount_parse(out, sizeof(out), ""));
	assert_false(page_amount_parse(out, sizeof(out), "1e5"));
}

static void test_dates(void **state)
{
	int64_t d;

	(void)state;
	assert_true(page_date_days(&d, "1970-01-01"));
	assert_int_equal(d, 0);
	assert_true(page_date_days(&d, "2024-02-29"));
	assert_int_equal(d, 19782);
	assert_false(page_date_days(&d, "2023-02-29"));
	assert_false(page_date_days(&d, "2023-13-01"));
	assert_false(page_date_days(&d, "2023-1-01"));
	assert_int_equal(page_day_of(86400 * 3 + 5), 3);
}

static void test_pid_masking(void **state)
{
	html *h = html_new(0);
	char *p;

	(void)state;
	/* the Skatteverket test number in its written forms, a
	 * samordningsnummer, and numbers that are no personnummer */
	assert_true(page_pid_like("191212121212", 12));
	assert_true(page_pid_like("19121212-1212", 13));
	assert_true(page_pid_like("121212-1212", 11));
	assert_true(page_pid_like("1212121212", 10));
	assert_false(page_pid_like("5592117310", 10));     /* an org number */
	assert_false(page_pid_like("2025100512", 10));     /* an invoice number */
	assert_false(page_pid_like("191212121213", 12));   /* wrong check digit */
	page_text(h, "Vård av 191212121212 och 19121212-1212, order 4500131200, org 5592117310.");
	p = take(h);
	assert_string_equal(p, "Vård av 19121212-**** och 19121212-****, order 4500131200, "
			    "org 5592117310.");
	free(p);
	/* a longer run of digits is no personnummer */
	page_text(h, "ref 1191212121212");
	p = take(h);
	assert_string_equal(p, "ref 1191212121212");
	free(p);
	page_text(h, "<b>121212-1212</b>");
	p = take(h);
	assert_string_equal(p, "&lt;b&gt;121212-****&lt;/b&gt;");
	free(p);
	html_free(h);
}

/* ---- the queue list -------------------------------------------------- */

static const char *reasons1[] = { "PRICE_DEVIATION", "AMOUNT_DEVIATION" };
static const char *reasons2[] = { "UNKNOWN_SUPPLIER" };

static void make_page(queue_page *pg, queue_item items[2], queue_reason_count counts[3])
{
	memset(pg, 0, sizeof(*pg));
	memset(items, 0, 2 * sizeof(*items));
	items[0].id = 5;
	items[0].supplier_name = "Exempelgrossisten Mälardalen AB";
	items[0].supplier_org = "5592117310";
	items[0].invoice_number = "2025100512";
	items[0].amount = "2669.38";
	assert_int_equal(dec_parse(&items[0].amount_dec, "2669.38", 7), 0);
	items[0].amount_set = true;
	items[0].currency = "SEK";
	items[0].due_date = "2025-05-10";
	items[0].received_at = 1746000000 - 3 * 86400;
	items[0].reasons = reasons1;
	items[0].nreasons = 2;
	items[0].flow = "po";
	items[0].assignee = "anna";
	items[0].version = 3;
	items[1].id = 7;
	items[1].supplier_name = "<script>alert('x')</script> & Co";
	items[1].invoice_number = "F-1001\"><img src=x>";
	items[1].amount = "1234567.5";
	items[1].currency = "SEK";
	items[1].received_at = 1746000000 - 3600 * 5;
	items[1].reasons = reasons2;
	items[1].nreasons = 1;
	items[1].version = 1;
	counts[0].reason = "PRICE_DEVIATION";
	counts[0].n = 1;
	counts[1].reason = "AMOUNT_DEVIATION";
	counts[1].n = 1;
	counts[2].reason = "UNKNOWN_SUPPLIER";
	counts[2].n = 1;
	pg->items = items;
	pg->n = 2;
	pg->total = 120;
	pg->offset = 50;
	pg->limit = 50;
	pg->counts = counts;
	pg->ncounts = 3;
}

static void test_queue_page(void **state)
{
	static const char *const kv[] = {
		"supplier", "Exempel & \"co\"", "who", "mine", "due", "14", "sort", "amount",
		"dir", "desc", "page", "2", NULL
	};
	params pr = { kv };
	page_viewer v = { "anna", AUTH_ROLE_BIT(AUTH_ROLE_HANDLER), CSRF };
	queue_filter f;
	queue_page pg;
	queue_item items[2];
	queue_reason_count counts[3];
	html *h = html_new(0);
	char msg[200], *p;

	(void)state;
	assert_true(pages_queue_filter(&f, param, &pr, "anna", msg, sizeof(msg)));
	assert_string_equal(f.supplier, "Exempel & \"co\"");
	assert_int_equal(f.who, QUEUE_MINE);
	assert_string_equal(f.user, "anna");
	assert_true(f.due_within_set);
	assert_int_equal(f.due_within_days, 14);
	assert_int_equal(f.sort, QUEUE_SORT_AMOUNT);
	assert_true(f.descending);
	assert_int_equal(f.offset, 50);
	assert_int_equal(f.limit, QUEUE_PAGE_DEFAULT);

	make_page(&pg, items, counts);
	pages_queue(h, &v, &f, &pg, NULL, 1746000000);
	p = take(h);
	assert_non_null(p);
	/* the <script> supplier and the attribute breakout are text */
	assert_lacks(p, "<script");
	assert_lacks(p, "<img");
	assert_has(p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co");
	/* amounts exact, Swedish */
	assert_has(p, "2" NBSP "669,38");
	assert_has(p, "1" NBSP "234" NBSP "567,50");
	/* rows link to their document, reasons and flow show */
	assert_has(p, "href=\"/queue/5\"");
	assert_has(p, "href=\"/queue/7\"");
	assert_has(p, ">PRICE_DEVIATION<");
	assert_has(p, "order-based");
	assert_has(p, ">anna<");
	assert_has(p, "3 d");
	assert_has(p, "5 h");
	/* the filters stay in the links: sort, paging, reasons */
	assert_has(p, "supplier=Exempel%20%26%20%22co%22");
	assert_has(p, "who=mine");
	assert_has(p, "due=14");
	assert_has(p, "rel=\"prev\"");
	assert_has(p, "rel=\"next\"");
	assert_has(p, "page=3");
	assert_has(p, "51\u201352 of 120, page 2 of 3");
	assert_has(p, "reason=UNKNOWN_SUPPLIER");
	/* the form keeps what was chosen */
	assert_has(p, "value=\"Exempel &amp; &quot;co&quot;\"");
	assert_has(p, "<option value=\"mine\" selected=\"selected\">");
	/* the keys are on the page */
	assert_has(p, "<kbd>j</kbd>");
	free(p);
	html_free(h);
}

/* What waits for the ERP is said above the queue, and only then (issue 17:
 * visible on the workbench, not in the handlers' queue). */
static void test_erp_waiting_banner(void **state)
{
	store_erp_wait w;
	html *h;
	char *p;

	(void)state;
	memset(&w, 0, sizeof(w));
	h = html_new(0);
	pages_erp_waiting(h, &w);
	p = take(h);
	assert_null(strstr(p, "erp-waiting"));
	free(p);
	html_free(h);
	w.waiting = 3;
	w.held = 3;
	w.since = 1765000000;
	h = html_new(0);
	pages_erp_waiting(h, &w);
	p = take(h);
	assert_non_null(strstr(p, "id=\"erp-waiting\""));
	assert_non_null(strstr(p, "3 invoices wait for the ERP (since "));
	assert_non_null(strstr(p, "held for a set-up fault"));
	free(p);
	html_free(h);
}

static void test_queue_filter_refuses(void **state)
{
	static const char *const kv[] = {
		"flow", "sideways", "due", "-3", "sort", "colour", "page", "0", "n", "100000", NULL
	};
	params pr = { kv };
	queue_filter f;
	char msg[400];

	(void)state;
	assert_false(pages_queue_filter(&f, param, &pr, "anna", msg, sizeof(msg)));
	assert_null(f.flow);
	assert_false(f.due_within_set);
	assert_int_equal(f.sort, QUEUE_SORT_DUE);
	assert_int_equal(f.offset, 0);
	assert_int_equal(f.limit, QUEUE_PAGE_DEFAULT);
	assert_non_null(strstr(msg, "flow 'sideways'"));
	assert_non_null(strstr(msg, "sort 'colour'"));
}

/* ---- the invoice page ------------------------------------------------ */

static queue_check line1_checks[] = {
	{ "unit price", "deviation", "59.90", "54.90", "5.00", "1.10", "2% max 20",
	  "buyer peppol:0007:2321000032", 48, "unit price 59.90 against 54.90" },
	{ "quantity", "ok", NULL, NULL, NULL, NULL, NULL, NULL, 0,
	  "quantity 20 of 20 ordered (0 invoiced before)" },
	{ "line amount", "deviation", "1198.00", "1098.00", "100.00", "10.00", "1% max 10",
	  "global", 42, "line amount 1198.00 against 1098.00" },
};

static queue_check header_checks[] = {
	{ "net total", "deviation", "2135.50", "2035.50", "100.00", "20.36", "1% max 100",
	  "global", 43, "net total" },
};

static const char *doc_reasons_codes[] = { "PRICE_DEVIATION" };

static void make_doc(queue_doc *d, queue_line lines[2], queue_booking_row sug[2],
		     queue_reason *reasons, queue_finding *findings, queue_event *events)
{
	memset(d, 0, sizeof(*d));
	memset(lines, 0, 2 * sizeof(*lines));
	memset(sug, 0, 2 * sizeof(*sug));
	memset(events, 0, 2 * sizeof(*events));
	memset(reasons, 0, sizeof(*reasons));
	memset(findings, 0, sizeof(*findings));
	d->id = 5;
	d->state = "exception";
	d->kind = "invoice";
	d->item.id = 5;
	d->item.invoice_number = "2025100512";
	d->item.supplier_name = "Grossisten <script>alert(1)</script>";
	d->item.amount = "2669.38";
	d->item.currency = "SEK";
	d->item.received_at = 1746000000 - 86400;
	d->item.reasons = doc_reasons_codes;
	d->item.nreasons = 1;
	d->version = d->item.version = 4;
	d->currency = "SEK";
	d->due_date = "2025-05-01";
	d->payable = "2669.38";
	d->net_total = "2135.50";
	d->vat_total = "533.88";
	d->seller_name = d->item.supplier_name;
	lines[0].line_id = "1";
	lines[0].item_name = "Kopieringspapper A4, Vård av 191212121212";
	lines[0].quantity = "20";
	lines[0].unit = "EA";
	lines[0].price = "59.90";
	lines[0].net = "1198.00";
	lines[0].order_no = "DLL0861502";
	lines[0].order_line_id = "1";
	lines[0].order_name = "Kopieringspapper A4";
	lines[0].order_quantity = "20";
	lines[0].order_price = "54.90";
	lines[0].order_net = "1098.00";
	lines[0].checks = line1_checks;
	lines[0].nchecks = 3;
	lines[0].deviation = true;
	lines[1].line_id = "2";
	lines[1].item_name = "Gaffelpärm";
	lines[1].quantity = "50";
	lines[1].price = "18.75";
	lines[1].net = "937.50";
	d->lines = lines;
	d->nlines = 2;
	d->match.decision = "exception";
	d->match.flow = "po";
	d->match.order_no = "DLL0861502";
	d->match.order_source = "OrderReference (BT-13)";
	d->match.header_checks = header_checks;
	d->match.nheader_checks = 1;
	reasons[0].code = "PRICE_DEVIATION";
	reasons[0].line_id = "1";
	reasons[0].message = "unit price 59.90 against 54.90";
	d->reasons = reasons;
	d->nreasons = 1;
	findings[0].rule = "BR-SE-10";
	findings[0].flag = "warning";
	findings[0].text = "<i>a finding</i>";
	d->findings = findings;
	d->nfindings = 1;
	sug[0].kind = "line";
	sug[0].line_id = "1";
	sug[0].description = "Kopieringspapper";
	sug[0].f[QUEUE_ACCOUNT].value = "6110";
	sug[0].f[QUEUE_ACCOUNT].source = "order";
	sug[0].f[QUEUE_ACCOUNT].detail = "order DLL0861502 line 1";
	sug[0].f[QUEUE_ACCOUNT].confidence = 100;
	sug[0].f[QUEUE_VAT_CODE].value = "I25";
	sug[0].net = "1198.00";
	sug[0].vat = "299.50";
	sug[1].kind = "line";
	sug[1].line_id = "2";
	sug[1].f[QUEUE_ACCOUNT].value = "6110";
	sug[1].net = "937.50";
	sug[1].vat = "234.38";
	d->suggestion = sug;
	d->nsuggestion = 2;
	d->suggestion_complete = true;
	events[0].at = 1746000000 - 86400;
	events[0].who = "robot";
	events[0].what = "match";
	events[0].from = "validated";
	events[0].to = "exception";
	events[1].at = 1746000000 - 600;
	events[1].who = "anna";
	events[1].what = "comment";
	events[1].detail = "{\"text\":\"<b>ringer leverantören</b>\"}";
	events[1].person = true;
	d->history = events;
	d->nhistory = 2;
}

static char *render(const queue_doc *d, unsigned roles, const pages_invoice_view *extra)
{
	page_viewer v = { "anna", roles, CSRF };
	pages_invoice_view iv;
	html *h = html_new(0);
	char *p;

	if (extra)
		iv = *extra;
	else
		memset(&iv, 0, sizeof(iv));
	iv.doc = d;
	iv.now = 1746000000;
	pages_invoice(h, &v, &iv);
	p = take(h);
	html_free(h);
	assert_non_null(p);
	return p;
}

static void test_invoice_page_handler(void **state)
{
	queue_doc d;
	queue_line lines[2];
	queue_booking_row sug[2];
	queue_reason reasons[1];
	queue_finding findings[1];
	queue_event events[2];
	char *p;
	int forms;

	(void)state;
	make_doc(&d, lines, sug, reasons, findings, events);
	p = render(&d, AUTH_ROLE_BIT(AUTH_ROLE_HANDLER), NULL);
	/* text stays text */
	assert_lacks(p, "<script");
	assert_lacks(p, "<i>a finding");
	assert_lacks(p, "<b>ringer");
	assert_has(p, "Grossisten &lt;script&gt;alert(1)&lt;/script&gt;");
	/* the personnummer in the line text is masked */
	assert_lacks(p, "191212121212");
	assert_has(p, "Vård av 19121212-****");
	/* invoice and order side by side, deviations marked */
	assert_has(p, "class=\"num deviation inv-price\">59,90<");
	assert_has(p, "class=\"num deviation ord-price\">54,90<");
	assert_has(p, "class=\"num deviation inv-net\">1" NBSP "198,00<");
	assert_has(p, "class=\"num inv-qty\">20");
	assert_has(p, "2% max 20");
	assert_has(p, "allowed 1,10");
	assert_has(p, "1% max 100");
	/* every action form has the token and the version */
	forms = count(p, "<form method=\"post\"");
	assert_true(forms >= 7);
	assert_int_equal(count(p, "name=\"csrf\" value=\"" CSRF "\""), forms);
	assert_int_equal(count(p, "name=\"version\" value=\"4\""), forms);
	assert_has(p, "action=\"/queue/5/approve\"");
	assert_has(p, "action=\"/queue/5/booking\"");
	assert_has(p, "action=\"/queue/5/reject\"");
	assert_has(p, "action=\"/queue/5/hold\"");
	assert_has(p, "action=\"/queue/5/assign\"");
	assert_has(p, "action=\"/queue/5/comment\"");
	assert_has(p, "action=\"/queue/5/retry\"");
	assert_lacks(p, "action=\"/queue/5/unmask\"");
	/* the booking form holds the suggestion, plain amounts */
	assert_has(p, "name=\"l0-account\" id=\"l0-account\" value=\"6110\"");
	assert_has(p, "name=\"l0-net\" id=\"l0-net\" value=\"1198.00\"");
	assert_has(p, "order: order DLL0861502 line 1 (100%)");
	assert_has(p, "name=\"rows\" value=\"3\"");
	/* the reject codes are the Invoice Response's */
	assert_has(p, "name=\"code\"");
	/* keys */
	assert_has(p, "data-key=\"a\"");
	assert_has(p, "<kbd>r</kbd>");
	/* history: robot and person */
	assert_has(p, "<tr class=\"person\">");
	free(p);
}

static void test_invoice_page_controller(void **state)
{
	queue_doc d;
	queue_line lines[2];
	queue_booking_row sug[2];
	queue_reason reasons[1];
	queue_finding findings[1];
	queue_event events[2];
	char *p;

	(void)state;
	make_doc(&d, lines, sug, reasons, findings, events);
	p = render(&d, AUTH_ROLE_BIT(AUTH_ROLE_CONTROLLER), NULL);
	assert_int_equal(count(p, "<form"), 0);
	assert_has(p, "acting on it is for handlers");
	/* the booking is shown, read only */
	assert_has(p, "value=\"6110\"");
	free(p);
}

static void test_invoice_page_problems(void **state)
{
	queue_doc d;
	queue_line lines[2];
	queue_booking_row sug[2];
	queue_reason reasons[1];
	queue_finding findings[1];
	queue_event events[2];
	queue_problems probs;
	pages_invoice_view extra;
	page_notice n = { PAGE_NOTICE_CONFLICT, "document 5 was changed by bertil at 2025-04-30 "
			  "10:00 - reload", "/queue/5" };
	ujson *booking = NULL;
	const char *json = "{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"9999\","
			   "\"net_amount\":\"1198.00\",\"vat_amount\":\"299.50\"}]}";
	char *p;

	(void)state;
	make_doc(&d, lines, sug, reasons, findings, events);
	assert_int_equal(ujson_parse(&booking, json, strlen(json), NULL, NULL), 0);
	memset(&probs, 0, sizeof(probs));
	probs.items[0].line = 0;
	probs.items[0].field = QUEUE_ACCOUNT;
	snprintf(probs.items[0].message, sizeof(probs.items[0].message),
		 "line 1: account 9999 is not in the chart of accounts");
	probs.items[1].line = -1;
	probs.items[1].field = -1;
	snprintf(probs.items[1].message, sizeof(probs.items[1].message),
		 "the lines add up to 1198.00, the invoice's net is 2135.50");
	probs.n = 2;
	memset(&extra, 0, sizeof(extra));
	extra.booking = booking;
	extra.problems = &probs;
	extra.notice = &n;
	p = render(&d, AUTH_ROLE_BIT(AUTH_ROLE_HANDLER), &extra);
	assert_has(p, "class=\"flash conflict\"");
	assert_has(p, "changed by bertil");
	assert_has(p, "href=\"/queue/5\" id=\"reload\"");
	assert_has(p, "value=\"9999\" class=\"bad\"");
	assert_has(p, "account 9999 is not in the chart of accounts");
	assert_has(p, "the invoice&#39;s net is 2135.50");
	assert_has(p, "your booking, not saved");
	free(p);
	ujson_free(booking);
}

static void test_invoice_page_care(void **state)
{
	queue_doc d;
	queue_line lines[2];
	queue_booking_row sug[2];
	queue_reason reasons[1];
	queue_finding findings[1];
	queue_event events[2];
	pages_invoice_view extra;
	ujson *masked = NULL, *unmasked = NULL;
	const char *mj = "{\"id\":\"ZVF23210001642505000030\",\"payable\":\"4850.00\","
			 "\"patients\":[{\"patient\":1,\"identity\":\"19121212-****\","
			 "\"identity_kind\":\"personnummer\"}],\"lines\":[{\"line_id\":\"1\","
			 "\"patient\":1,\"care\":\"outpatient\",\"net\":\"2450.00\"}]}";
	const char *uj = "{\"id\":\"ZVF23210001642505000030\",\"patients\":[{\"patient\":1,"
			 "\"identity\":\"191212121212\",\"identity_kind\":\"personnummer\"}]}";
	char *p;

	(void)state;
	make_doc(&d, lines, sug, reasons, findings, events);
	assert_int_equal(ujson_parse(&masked, mj, strlen(mj), NULL, NULL), 0);
	assert_int_equal(ujson_parse(&unmasked, uj, strlen(uj), NULL, NULL), 0);
	d.claim = masked;
	/* a handler: masked, no unmask form */
	p = render(&d, AUTH_ROLE_BIT(AUTH_ROLE_HANDLER), NULL);
	assert_has(p, "19121212-****");
	assert_lacks(p, "191212121212");
	assert_lacks(p, "/unmask");
	assert_has(p, "Only a care handler may unmask");
	free(p);
	/* a care handler: the form */
	p = render(&d, AUTH_ROLE_BIT(AUTH_ROLE_CARE_HANDLER), NULL);
	assert_has(p, "action=\"/queue/5/unmask\"");
	assert_has(p, "name=\"reason\" id=\"unmask-reason\" required=\"required\"");
	free(p);
	/* after unmasking: the number, for the care handler who asked */
	memset(&extra, 0, sizeof(extra));
	extra.unmasked_claim = unmasked;
	p = render(&d, AUTH_ROLE_BIT(AUTH_ROLE_CARE_HANDLER), &extra);
	assert_has(p, "191212121212");
	assert_has(p, "unmasked for you");
	assert_lacks(p, "action=\"/queue/5/unmask\"");
	free(p);
	ujson_free(masked);
	ujson_free(unmasked);
}

static void test_booking_from_form(void **state)
{
	static const char *const kv[] = {
		"rows", "3",
		"l0-line", "1", "l0-description", "Papper", "l0-account", " 4010",
		"l0-cost_centre", "41510", "l0-vat_code", "I25", "l0-net", "1 198,00",
		"l0-vat", "299,5",
		"l1-line", "2", "l1-account", "6110", "l1-net", "937.50", "l1-vat", "tre",
		"l2-account", "", "l2-net", "",
		NULL
	};
	params pr = { kv };
	ujson *b = pages_booking_from_form(param, &pr), *lines, *l0, *l1;

	(void)state;
	assert_non_null(b);
	lines = ujson_get(b, "lines");
	assert_int_equal(ujson_array_size(lines), 2);
	l0 = ujson_array_get(lines, 0);
	assert_string_equal(ujson_get_str(l0, "invoice_line_id"), "1");
	assert_string_equal(ujson_get_str(l0, "account"), "4010");
	assert_string_equal(ujson_get_str(l0, "net_amount"), "1198.00");
	assert_string_equal(ujson_get_str(l0, "vat_amount"), "299.50");
	assert_null(ujson_get_str(l0, "project"));
	l1 = ujson_array_get(lines, 1);
	assert_string_equal(ujson_get_str(l1, "vat_amount"), "tre");
	ujson_free(b);
}

/* The sample invoice as a viewer shows it: parties, VAT breakdown, totals. */
static void test_viewer(void **state)
{
	reader_opts opts;
	ulf_document doc;
	ulf_err err;
	char path[1024], *p;
	html *h;

	(void)state;
	reader_opts_init(&opts);
	ulf_err_clear(&err);
	/* may skip: nothing allocated before */
	ts_samples_path(path, sizeof(path), "invoices/peppol-invoice-sormland.xml");
	if (reader_read_file(&doc, path, &opts, false, &err))
		fail_msg("%s", err.msg);
	h = html_new(0);
	pages_viewer(h, doc.inv);
	p = take(h);
	assert_has(p, "Region Sörmland");
	assert_has(p, "4" NBSP "521,40");       /* S 25 % taxable */
	assert_has(p, "1" NBSP "130,35");       /* its VAT */
	assert_has(p, "10" NBSP "792,00");      /* to pay */
	assert_has(p, "DLL0852417");
	assert_has(p, "id=\"vat-breakdown\"");
	free(p);
	reader_document_release(&doc);
	html_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_parse),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_pid_masking),
		cmocka_unit_test(test_queue_page),
		cmocka_unit_test(test_queue_filter_refuses),
		cmocka_unit_test(test_erp_waiting_banner),
		cmocka_unit_test(test_invoice_page_handler),
		cmocka_unit_test(test_invoice_page_controller),
		cmocka_unit_test(test_invoice_page_problems),
		cmocka_unit_test(test_invoice_page_care),
		cmocka_unit_test(test_booking_from_form),
		cmocka_unit_test(test_viewer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
