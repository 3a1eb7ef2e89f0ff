/*
 * dashboard_csv.c - every table of the dashboard as CSV, for the pages'
 * exports.  See dashboard.h.
 *
 * RFC 4180 with ',' and CRLF-free LF line ends; a text that a spreadsheet
 * would take for a formula (it starts with = + - @ or a tab) gets a
 * leading apostrophe, for supplier names come from invoices, that is
 * from outside.  Amounts are exact decimal SEK, rates decimal fractions.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "robot/store/dashboard.h"

void dash_format_ore(char *buf, size_t n, int64_t ore)
{
	uint64_t a = ore < 0 ? (uint64_t)0 - (uint64_t)ore : (uint64_t)ore;

	snprintf(buf, n, "%s%llu.%02llu", ore < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
}

void dash_format_rate(char *buf, size_t n, int64_t rate)
{
	if (rate < 0)
		snprintf(buf, n, "%s", "");
	else
		snprintf(buf, n, "%lld.%04lld", (long long)(rate / 10000), (long long)(rate % 10000));
}

/* One field, quoted when it must be; sep is written before it unless 0. */
static int field(dynbuf *b, char sep, const char *s)
{
	bool quote, defuse;
	const char *p;
	int rc = 0;

	if (!s)
		s = "";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	defuse = *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
	if (sep)
		rc = dynbuf_addc(b, sep);
	if (rc == 0 && quote)
		rc = dynbuf_addc(b, '"');
	if (rc == 0 && defuse)
		rc = dynbuf_addc(b, '\'');
	for (p = s; rc == 0 && *p; p++) {
		if (*p == '"')
			rc = dynbuf_addc(b, '"');
		if (rc == 0)
			rc = dynbuf_addc(b, *p);
	}
	if (rc == 0 && quote)
		rc = dynbuf_addc(b, '"');
	return rc;
}

static int num(dynbuf *b, int64_t v)
{
	return dynbuf_printf(b, ",%lld", (long long)v);
}

static int money(dynbuf *b, int64_t ore)
{
	char t[48];

	dash_format_ore(t, sizeof(t), ore);
	return dynbuf_printf(b, ",%s", t);
}

static int rate(dynbuf *b, int64_t r)
{
	char t[32];

	dash_format_rate(t, sizeof(t), r);
	return dynbuf_printf(b, ",%s", t);
}

static int date(dynbuf *b, char sep, int32_t day)
{
	char t[CAL_DATE_MAX];

	cal_format(t, day);
	return sep ? dynbuf_printf(b, "%c%s", sep, t) : dynbuf_adds(b, t);
}

static int eol(dynbuf *b)
{
	return dynbuf_addc(b, '\n');
}

int dash_csv_touchless(dynbuf *out, const dash_rate_row *rows, size_t n)
{
	size_t i;
	int rc;

	rc = dynbuf_adds(out, "flow,decided,touchless,touchless_rate,lines_posted,"
			 "lines_unchanged,auto_coding_rate,resends,same_bytes_again,not_einvoice,"
			 "not_invoice,posted_after_erp_hold\n");
	for (i = 0; rc == 0 && i < n; i++) {
		const dash_rate_row *r = &rows[i];
		rc = field(out, 0, r->flow == DASH_FLOW_COUNT ? "all" : dash_flow_label(r->flow));
		if (rc == 0)
			rc = num(out, r->decided);
		if (rc == 0)
			rc = num(out, r->touchless);
		if (rc == 0)
			rc = rate(out, r->rate);
		if (rc == 0)
			rc = num(out, r->lines_posted);
		if (rc == 0)
			rc = num(out, r->lines_unchanged);
		if (rc == 0)
			rc = rate(out, r->coding_rate);
		if (rc == 0)
			rc = num(out, r->resends);
		if (rc == 0)
			rc = num(out, r->dup_bytes);
		if (rc == 0)
			rc = num(out, r->not_einvoice);
		if (rc == 0)
			rc = num(out, r->not_invoice);
		if (rc == 0)
			rc = num(out, r->erp_posted);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

static int reason_rows(dynbuf *out, const dash_reason_row *rows, size_t n)
{
	size_t i;
	int rc = dynbuf_adds(out, "reason,count,share\n");

	for (i = 0; rc == 0 && i < n; i++) {
		rc = field(out, 0, rows[i].reason);
		if (rc == 0)
			rc = num(out, rows[i].n);
		if (rc == 0)
			rc = rate(out, rows[i].share);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

int dash_csv_reasons(dynbuf *out, const dash_reason_row *rows, size_t n)
{
	return reason_rows(out, rows, n);
}

/* A supplier's identity as exports show it: withheld when it is a person's. */
static int supplier_fields(dynbuf *out, const char *supplier, bool personal, const char *name)
{
	int rc = field(out, 0, personal ? "(personal identity number withheld)" : supplier);

	return rc ? rc : field(out, ',', name);
}

int dash_csv_suppliers(dynbuf *out, const dash_supplier_row *rows, size_t n)
{
	size_t i;
	int rc = dynbuf_adds(out, "supplier,name,decided,touchless,exceptions,first_time_right\n");

	for (i = 0; rc == 0 && i < n; i++) {
		const dash_supplier_row *r = &rows[i];
		rc = supplier_fields(out, r->supplier, r->personal, r->name);
		if (rc == 0)
			rc = num(out, r->decided);
		if (rc == 0)
			rc = num(out, r->touchless);
		if (rc == 0)
			rc = num(out, r->entries);
		if (rc == 0)
			rc = rate(out, r->first_time_right);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

static int kv(dynbuf *out, const char *what, int64_t n, bool has_amount, int64_t amount)
{
	int rc = field(out, 0, what);

	if (rc == 0)
		rc = num(out, n);
	if (rc == 0)
		rc = has_amount ? money(out, amount) : dynbuf_adds(out, ",");
	return rc ? rc : eol(out);
}

int dash_csv_queue(dynbuf *out, const dash_queue *q)
{
	char what[48];
	int b, rc = dynbuf_adds(out, "what,count,amount_sek\n");

	if (rc == 0)
		rc = kv(out, "in the queue", q->size, true, q->amount);
	for (b = 0; rc == 0 && b < DASH_AGE_BUCKETS; b++) {
		snprintf(what, sizeof(what), "age %s working days", dash_age_label(b));
		rc = kv(out, what, q->age_n[b], true, q->age_amount[b]);
	}
	if (rc == 0)
		rc = kv(out, "overdue", q->overdue_n, true, q->overdue_amount);
	if (rc == 0)
		rc = kv(out, "due within 3 days", q->due3_n, true, q->due3_amount);
	if (rc == 0)
		rc = kv(out, "due within 7 days", q->due7_n, true, q->due7_amount);
	if (rc == 0)
		rc = kv(out, "no due date", q->no_due_n, false, 0);
	if (rc == 0)
		rc = kv(out, "not in SEK (not in the sums)", q->other_currency_n, false, 0);
	return rc;
}

int dash_csv_queue_reasons(dynbuf *out, const dash_queue *q)
{
	return reason_rows(out, q->reasons, q->nreasons);
}

static int bound_text(dynbuf *out, int b)
{
	int64_t s;

	if (b < 0)
		return dynbuf_adds(out, ",");
	s = dash_lead_bound(b);
	if (s == INT64_MAX)
		return dynbuf_printf(out, ",>%lld", (long long)dash_lead_bound(b - 1));
	return dynbuf_printf(out, ",%lld", (long long)s);
}

static int lead_line(dynbuf *out, const char *who, const dash_lead_side *s)
{
	int rc = field(out, 0, who);

	if (rc == 0)
		rc = num(out, s->n);
	if (rc == 0)
		rc = bound_text(out, s->median);
	if (rc == 0)
		rc = bound_text(out, s->p90);
	return rc ? rc : eol(out);
}

int dash_csv_lead(dynbuf *out, const dash_lead *l)
{
	char t[32];
	int rc = dynbuf_adds(out, "posted,invoices,median_seconds_at_most,p90_seconds_at_most\n");

	if (rc == 0)
		rc = lead_line(out, "robot alone", &l->robot);
	if (rc == 0)
		rc = lead_line(out, "with a person", &l->person);
	if (rc == 0)
		rc = lead_line(out, "all", &l->all);
	if (rc == 0)
		rc = dynbuf_adds(out, "\nfinished,touches,touched,touches_per_invoice\n");
	if (l->touches_per_invoice >= 0)
		snprintf(t, sizeof(t), "%lld.%02lld", (long long)(l->touches_per_invoice / 100),
			 (long long)(l->touches_per_invoice % 100));
	else
		t[0] = '\0';
	if (rc == 0)
		rc = dynbuf_printf(out, "%lld,%lld,%lld,%s\n", (long long)l->finals,
				   (long long)l->touches, (long long)l->touched, t);
	return rc;
}

int dash_csv_board(dynbuf *out, const dash_week_row *rows, size_t n)
{
	size_t i;
	int rc = dynbuf_adds(out, "week,monday,in,posted_by_robot,handled_by_people,rejected,"
			     "backlog_at_week_end\n");

	for (i = 0; rc == 0 && i < n; i++) {
		const dash_week_row *r = &rows[i];
		rc = dynbuf_printf(out, "%04d-W%02d", r->iso_year, r->iso_week);
		if (rc == 0)
			rc = date(out, ',', r->week_start);
		if (rc == 0)
			rc = num(out, r->in);
		if (rc == 0)
			rc = num(out, r->posted_robot);
		if (rc == 0)
			rc = num(out, r->handled_people);
		if (rc == 0)
			rc = num(out, r->rejected);
		if (rc == 0)
			rc = num(out, r->backlog);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

int dash_csv_handlers(dynbuf *out, const dash_handler_row *rows, size_t n)
{
	size_t i;
	int rc = dynbuf_adds(out, "monday,handler,actions\n");

	for (i = 0; rc == 0 && i < n; i++) {
		rc = date(out, 0, rows[i].week_start);
		if (rc == 0)
			rc = field(out, ',', rows[i].who);
		if (rc == 0)
			rc = num(out, rows[i].actions);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

int dash_csv_trend(dynbuf *out, const dash_trend_row *rows, size_t n)
{
	size_t i;
	int rc = dynbuf_adds(out, "from,to,decided,touchless,touchless_rate,lines_posted,"
			     "lines_unchanged,auto_coding_rate,einvoices,not_einvoices,"
			     "einvoice_share,exceptions,posted,rejected\n");

	for (i = 0; rc == 0 && i < n; i++) {
		const dash_trend_row *r = &rows[i];
		rc = date(out, 0, r->start);
		if (rc == 0)
			rc = date(out, ',', r->end - 1);
		if (rc == 0)
			rc = num(out, r->c.decided);
		if (rc == 0)
			rc = num(out, r->c.touchless);
		if (rc == 0)
			rc = rate(out, r->touchless_rate);
		if (rc == 0)
			rc = num(out, r->c.lines_posted);
		if (rc == 0)
			rc = num(out, r->c.lines_unchanged);
		if (rc == 0)
			rc = rate(out, r->coding_rate);
		if (rc == 0)
			rc = num(out, r->c.in_invoices);
		if (rc == 0)
			rc = num(out, r->c.in_paper);
		if (rc == 0)
			rc = rate(out, r->einvoice_share);
		if (rc == 0)
			rc = num(out, r->c.exceptions);
		if (rc == 0)
			rc = num(out, r->c.posted);
		if (rc == 0)
			rc = num(out, r->c.rejected);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

int dash_csv_einvoice(dynbuf *out, const dash_einvoice *e)
{
	char t[32];

	dash_format_rate(t, sizeof(t), e->share);
	return dynbuf_printf(out, "einvoices,not_einvoices,einvoice_share\n%lld,%lld,%s\n",
			     (long long)e->einvoices, (long long)e->not_einvoices, t);
}

int dash_csv_tail(dynbuf *out, const dash_tail *t)
{
	char th[48], sp[48], tsp[48], r1[32], r2[32], r3[32], from[CAL_DATE_MAX], to[CAL_DATE_MAX];

	dash_format_ore(th, sizeof(th), t->threshold);
	dash_format_ore(sp, sizeof(sp), t->spend);
	dash_format_ore(tsp, sizeof(tsp), t->tail_spend);
	dash_format_rate(r1, sizeof(r1), t->supplier_share);
	dash_format_rate(r2, sizeof(r2), t->invoice_share);
	dash_format_rate(r3, sizeof(r3), t->spend_share);
	cal_format(from, t->from);
	cal_format(to, t->to - 1);
	return dynbuf_printf(out, "from,to,threshold_sek,suppliers,tail_suppliers,supplier_share,"
			     "invoices,tail_invoices,invoice_share,spend_sek,tail_spend_sek,"
			     "spend_share\n%s,%s,%s,%lld,%lld,%s,%lld,%lld,%s,%s,%s,%s\n", from, to,
			     th, (long long)t->suppliers, (long long)t->tail_suppliers, r1,
			     (long long)t->invoices, (long long)t->tail_invoices, r2, sp, tsp, r3);
}

int dash_csv_spend(dynbuf *out, const dash_spend_row *rows, size_t n)
{
	size_t i;
	int rc = dynbuf_adds(out, "supplier,name,invoices,spend_sek,with_contract_sek,"
			     "without_contract_sek\n");

	for (i = 0; rc == 0 && i < n; i++) {
		const dash_spend_row *r = &rows[i];
		rc = supplier_fields(out, r->supplier, r->personal, r->name);
		if (rc == 0)
			rc = num(out, r->invoices);
		if (rc == 0)
			rc = money(out, r->spend);
		if (rc == 0)
			rc = money(out, r->contract_spend);
		if (rc == 0)
			rc = money(out, r->spend - r->contract_spend);
		if (rc == 0)
			rc = eol(out);
	}
	return rc;
}

int dash_csv_new_suppliers(dynbuf *out, const dash_month_row *rows, size_t n)
{
	size_t i;
	int y, m, d;
	int rc = dynbuf_adds(out, "month,new_suppliers\n");

	for (i = 0; rc == 0 && i < n; i++) {
		cal_ymd(rows[i].month, &y, &m, &d);
		rc = dynbuf_printf(out, "%04d-%02d,%lld\n", y, m, (long long)rows[i].n);
	}
	return rc;
}

int dash_csv_contract(dynbuf *out, const dash_contract *c)
{
	char sp[48], csp[48], wsp[48], r[32];

	dash_format_ore(sp, sizeof(sp), c->spend);
	dash_format_ore(csp, sizeof(csp), c->contract_spend);
	dash_format_ore(wsp, sizeof(wsp), c->without_spend);
	dash_format_rate(r, sizeof(r), c->share);
	return dynbuf_printf(out, "spend_sek,with_contract_sek,without_contract_sek,invoices,"
			     "invoices_with_contract,contract_share\n%s,%s,%s,%lld,%lld,%s\n", sp,
			     csp, wsp, (long long)c->invoices, (long long)c->contract_invoices, r);
}
