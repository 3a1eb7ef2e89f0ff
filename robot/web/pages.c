/*
 * pages.c - what the workbench's pages share.  See pages.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "robot/web/pages.h"

void page_notice_write(html *h, const page_notice *n)
{
	const char *cls;

	if (!n || n->kind == PAGE_NOTICE_NONE || !n->text)
		return;
	switch (n->kind) {
	case PAGE_NOTICE_OK: cls = "flash ok"; break;
	case PAGE_NOTICE_CONFLICT: cls = "flash conflict"; break;
	default: cls = "flash error"; break;
	}
	html_open(h, "div", "class", cls, "role", n->kind == PAGE_NOTICE_OK ? "status" : "alert",
		  "id", "notice");
	html_text(h, n->text);
	if (n->kind == PAGE_NOTICE_CONFLICT && n->reload) {
		html_text(h, " ");
		html_open(h, "a", "href", n->reload, "id", "reload");
		html_text(h, "Reload the invoice");
		html_close(h, "a");
	}
	html_close(h, "div");
}

void page_form_hidden(html *h, const page_viewer *v, int64_t version)
{
	char num[32];

	html_open(h, "input", "type", "hidden", "name", PAGE_CSRF_FIELD, "value",
		  v && v->csrf ? v->csrf : "");
	if (version > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)version);
		html_open(h, "input", "type", "hidden", "name", "version", "value", num);
	}
}

/* ---- dates ------------------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool page_date_days(int64_t *out, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 0, m = 0, d = 0, i;

	if (!s)
		return false;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
		return false;
	*out = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

int64_t page_day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

void page_time_text(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, n, "?");
}

void page_age_text(char *buf, size_t n, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 3600)
		snprintf(buf, n, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, n, "%lld h", (long long)(s / 3600));
	else
		snprintf(buf, n, "%lld d", (long long)(s / 86400));
}

/* ---- amounts ---------------------------------------------------------- */

void page_amount(html *h, const char *amount, const char *empty)
{
	dec v;

	if (!amount || !*amount) {
		html_text(h, empty);
		return;
	}
	if (dec_parse(&v, amount, strlen(amount)) == 0)
		html_dec(h, v, 2, HTML_NUM_SV);
	else
		html_text(h, amount);
}

bool page_amount_parse(char *out, size_t n, const char *typed)
{
	char plain[64];
	size_t len = 0;
	const unsigned char *p = (const unsigned char *)typed;
	bool digits = false, point = false;
	dec v;

	if (!typed || n == 0)
		return false;
	out[0] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-' || *p == '+' || (p[0] == 0xe2 && p[1] == 0x88 && p[2] == 0x92)) {
		/* a minus: '-', '+' or U+2212 as copied from a page */
		if (*p != '+')
			plain[len++] = '-';
		p += *p == 0xe2 ? 3 : 1;
	}
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			digits = true;
			plain[len++] = (char)*p;
		} else if ((*p == ',' || *p == '.') && !point) {
			point = true;
			plain[len++] = '.';
		} else if (*p == ' ' && !point) {
			continue;
		} else if (p[0] == 0xc2 && p[1] == 0xa0 && !point) {
			p++;   /* no-break space between digit groups */
		} else if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xaf && !point) {
			p += 2;   /* narrow no-break space */
		} else {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p)
				return false;
			break;
		}
		if (len >= sizeof(plain) - 1)
			return false;
	}
	plain[len] = '\0';
	if (!digits || dec_parse(&v, plain, len) != 0)
		return false;
	return dec_format(out, n, v, 2) > 0;
}

/* ---- personal identity numbers in text ---------------------------- */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

bool page_pid_like(const char *s, size_t len)
{
	char d[12];
	size_t n = 0, i, datelen;
	int month, day, sum = 0;

	if (len != 10 && len != 11 && len != 12 && len != 13)
		return false;
	datelen = len == 10 || len == 11 ? 6 : 8;
	for (i = 0; i < len; i++) {
		if (digit(s[i]) && n < sizeof(d))
			d[n++] = s[i];
		else if (digit(s[i]))
			return false;
		else if (!(i == datelen && len % 2 == 1 && (s[i] == '-' || s[i] == '+')))
			return false;
	}
	if (n != datelen + 4)
		return false;
	/* the ten digits YYMMDDNNNC the check digit is computed over */
	const char *t = d + (datelen == 8 ? 2 : 0);
	month = (t[2] - '0') * 10 + (t[3] - '0');
	day = (t[4] - '0') * 10 + (t[5] - '0');
	if (month < 1 || month > 12)
		return false;
	if (day > 60)
		day -= 60;   /* samordningsnummer */
	if (day < 1 || day > 31)
		return false;
	for (i = 0; i < 10; i++) {
		int v = (t[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += v > 9 ? v - 9 : v;
	}
	return sum % 10 == 0;
}

void page_text(html *h, const char *s)
{
	const char *p, *run;
	size_t len;

	if (!s)
		return;
	for (p = run = s; *p;) {
		if (!digit(*p) || (p > s && digit(p[-1]))) {
			p++;
			continue;
		}
		/* a run of digits with at most one separator before the last four */
		len = 0;
		while (digit(p[len]))
			len++;
		if ((len == 8 || len == 6) && (p[len] == '-' || p[len] == '+') &&
		    digit(p[len + 1]) && digit(p[len + 2]) && digit(p[len + 3]) &&
		    digit(p[len + 4]) && !digit(p[len + 5]))
			len += 5;
		if (!digit(p[len]) && page_pid_like(p, len)) {
			size_t date = len == 10 || len == 11 ? 6 : 8;
			html_text_n(h, run, (size_t)(p - run));
			html_text_n(h, p, date);
			html_text(h, "-****");
			p += len;
			run = p;
			continue;
		}
		p += len ? len : 1;
	}
	html_text_n(h, run, (size_t)(p - run));
}

void page_fact(html *h, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	html_elem(h, "dt", label);
	html_open(h, "dd");
	page_text(h, value);
	html_close(h, "dd");
}

void page_td(html *h, const char *cls, const char *text)
{
	html_open(h, "td", "class", cls);
	page_text(h, text);
	html_close(h, "td");
}

void page_th_num(html *h, const char *text)
{
	html_open(h, "th", "class", "num");
	html_text(h, text);
	html_close(h, "th");
}

/* ---- reasons and flows ---------------------------------------------- */

static const struct {
	const char *code, *text;
} reason_texts[] = {
	{ "INVALID", "the validator rejected the invoice" },
	{ "UNKNOWN_SUPPLIER", "seller not in the supplier register" },
	{ "AMBIGUOUS_SUPPLIER", "the seller's identifiers point at different suppliers" },
	{ "SUPPLIER_UNCERTAIN", "the seller found by name only" },
	{ "SUPPLIER_BLOCKED", "supplier blocked in the register" },
	{ "PAYMENT_ACCOUNT_MISMATCH", "bankgiro/plusgiro/IBAN differs from the register" },
	{ "DUPLICATE", "seen before: same number, same content, or in the store" },
	{ "NO_ORDER", "no order, no non-PO rule, no recurring series" },
	{ "ORDER_CLOSED", "the order is closed" },
	{ "ORDER_MISMATCH", "the order is another supplier's or another buyer's" },
	{ "CURRENCY_MISMATCH", "invoice and order in different currencies" },
	{ "UNMATCHED_LINE", "an invoice line is on no order line" },
	{ "PRICE_DEVIATION", "unit price outside the price tolerance" },
	{ "QUANTITY_DEVIATION", "more than is left on the order line, or another unit" },
	{ "AMOUNT_DEVIATION", "a line amount outside the line tolerance" },
	{ "TOTAL_DEVIATION", "the net total outside the total tolerance" },
	{ "NOT_RECEIVED", "invoiced more than goods receipts show" },
	{ "CREDIT_NO_INVOICE", "a credit note for an invoice not posted" },
	{ "CREDIT_EXCEEDS_INVOICE", "a credit note takes back more than the invoice had" },
	{ "RECURRING_DEVIATION", "a recurring invoice outside the recurring tolerance" },
	{ "ROUNDING", "öre rounding too large, or no rounding account" },
	{ "NO_BOOKING", "a required booking field no source gives" },
	{ "LOW_CONFIDENCE", "a booking field only a weak history suggests" },
	{ "NOT_AN_INVOICE", "the file is no invoice ulf reads" },
	{ "UNREADABLE", "the file could not be read" },
	{ "PARTNER_MISSING", "the care claim or invoice it belongs with did not arrive" },
	{ "CARE_MISMATCH", "the care claim and its invoice disagree" },
	{ "BOOKING_INVALID", "the booking does not add up or is incomplete" },
	{ "ERP_REJECTED", "the ERP refused the posting" },
	{ "ERP_SETUP", "the connection to the ERP is not set up right" },
	{ "ERP_UNREACHABLE", "the ERP did not answer" },
};

const char *page_reason_text(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof(reason_texts) / sizeof(reason_texts[0]); i++)
		if (!strcmp(reason_texts[i].code, code))
			return reason_texts[i].text;
	return NULL;
}

void page_reason(html *h, const char *code)
{
	html_open(h, "span", "class", "reason", "title", page_reason_text(code));
	html_text(h, code);
	html_close(h, "span");
}

const char *page_flow_text(const char *flow)
{
	if (!flow)
		return "";
	if (!strcmp(flow, "po"))
		return "order-based";
	if (!strcmp(flow, "non-po"))
		return "without order";
	if (!strcmp(flow, "recurring"))
		return "recurring";
	if (!strcmp(flow, "care"))
		return "care";
	return flow;
}

/* ---- query strings -------------------------------------------------- */

void page_query_init(page_query *q, const char *path)
{
	size_t n = strlen(path);

	memset(q, 0, sizeof(*q));
	if (n >= sizeof(q->buf))
		n = sizeof(q->buf) - 1;
	memcpy(q->buf, path, n);
	q->buf[n] = '\0';
	q->len = n;
}

void page_query_add(page_query *q, const char *name, const char *value)
{
	char enc[PAGE_QUERY_MAX];
	int w;

	if (!value || !*value || q->full)
		return;
	if (html_url_param(enc, sizeof(enc), value) != 0) {
		q->full = true;
		return;
	}
	w = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%c%s=%s", q->any ? '&' : '?',
		     name, enc);
	if (w < 0 || (size_t)w >= sizeof(q->buf) - q->len) {
		q->full = true;
		return;
	}
	q->len += (size_t)w;
	q->any = true;
}

void page_query_add_int(page_query *q, const char *name, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	page_query_add(q, name, num);
}

const char *page_query_url(page_query *q)
{
	if (q->full) {
		char *mark = strchr(q->buf, '?');
		if (mark)
			*mark = '\0';
	}
	return q->buf;
}
