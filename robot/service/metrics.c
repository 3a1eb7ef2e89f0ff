/*
 * metrics.c - the dashboard's figures in Prometheus' text format.  See
 * metrics.h; the numbers come from robot/store/dashboard.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "robot/service/metrics.h"
#include "robot/store/dashboard.h"

/* A label value with \, " and line ends escaped. */
static int label_value(dynbuf *b, const char *s)
{
	int rc = 0;

	for (; rc == 0 && *s; s++) {
		if (*s == '\\' || *s == '"')
			rc = dynbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			rc = dynbuf_adds(b, "\\n");
		else
			rc = dynbuf_addc(b, *s);
	}
	return rc;
}

static int head(dynbuf *b, const char *name, const char *type, const char *help)
{
	return dynbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{region="..",flow=".."[,extra="value"]} */
static int sample_name(dynbuf *b, const char *name, const char *suffix, const char *region,
		       dash_flow flow, const char *extra, const char *extra_value)
{
	int rc = dynbuf_printf(b, "%s%s{region=\"", name, suffix);

	if (rc == 0)
		rc = label_value(b, region);
	if (rc == 0)
		rc = dynbuf_printf(b, "\",flow=\"%s\"", flow < DASH_FLOW_NONE
				   ? dash_flow_key(flow) : "none");
	if (rc == 0 && extra)
		rc = dynbuf_printf(b, ",%s=\"%s\"", extra, extra_value);
	return rc ? rc : dynbuf_adds(b, "} ");
}

static int int_sample(dynbuf *b, const char *name, const char *region, dash_flow flow,
		      const char *extra, const char *extra_value, int64_t v)
{
	int rc = sample_name(b, name, "", region, flow, extra, extra_value);

	return rc ? rc : dynbuf_printf(b, "%lld\n", (long long)v);
}

/* A rate in ten-thousandths as a decimal fraction; none: no sample. */
static int rate_sample(dynbuf *b, const char *name, const char *region, dash_flow flow,
		       int64_t rate)
{
	char t[32];
	int rc;

	if (rate < 0)
		return 0;
	dash_format_rate(t, sizeof(t), rate);
	rc = sample_name(b, name, "", region, flow, NULL, NULL);
	return rc ? rc : dynbuf_printf(b, "%s\n", t);
}

static int ore_sample(dynbuf *b, const char *name, const char *region, dash_flow flow,
		      const char *extra, const char *extra_value, int64_t ore)
{
	char t[48];
	int rc = sample_name(b, name, "", region, flow, extra, extra_value);

	dash_format_ore(t, sizeof(t), ore);
	return rc ? rc : dynbuf_printf(b, "%s\n", t);
}

/* The counters since the rollups began, one family a field. */
struct counter {
	const char *name, *help;
	size_t off;
};

#define C(n, f, h) { n, h, offsetof(dash_counts, f) }
static const struct counter counters[] = {
	C("ulf_einvoices_received_total", in_invoices, "E-invoices and credit notes received."),
	C("ulf_not_einvoices_received_total", in_paper,
	  "Invoices received that are not e-invoices (PDF, scans, registered counts)."),
	C("ulf_not_invoices_received_total", in_other, "Documents that are not invoices, or unreadable."),
	C("ulf_resends_total", in_resends, "Invoices sent again with other bytes (DUPLICATE)."),
	C("ulf_same_bytes_again_total", dup_bytes, "The same bytes delivered again."),
	C("ulf_invoices_decided_total", decided,
	  "Invoices decided: posted, rejected, or sent to the queue (apart: resends, ERP hold-ups)."),
	C("ulf_invoices_touchless_total", touchless, "Invoices posted with no person's action."),
	C("ulf_invoices_exceptions_total", exceptions, "Invoices decided by going to the queue."),
	C("ulf_queue_entries_total", queue_in, "Entries into the exception queue."),
	C("ulf_queue_exits_total", queue_out, "Exits from the exception queue."),
	C("ulf_erp_holds_total", erp_holds, "Queue entries for the ERP's outage or set-up fault alone."),
	C("ulf_invoices_posted_total", posted, "Invoices posted."),
	C("ulf_invoices_posted_by_robot_total", posted_robot, "Invoices posted with no person's action."),
	C("ulf_invoices_rejected_total", rejected, "Invoices rejected."),
	C("ulf_invoices_finished_total", finals, "Invoices posted or rejected."),
	C("ulf_touches_total", touches, "Persons' actions on finished invoices."),
	C("ulf_booking_lines_posted_total", lines_posted, "Booking lines posted."),
	C("ulf_booking_lines_unchanged_total", lines_unchanged,
	  "Booking lines posted as the robot suggested them."),
};
#undef C

static int64_t field_at(const dash_counts *c, size_t off)
{
	int64_t v;

	memcpy(&v, (const char *)c + off, sizeof(v));
	return v;
}

static int lead_histogram(dynbuf *b, const char *name, const char *help,
			  const dash_split_row *rows, size_t n, bool robot)
{
	char le[32];
	size_t i;
	int k, rc = head(b, name, "histogram", help);

	for (i = 0; rc == 0 && i < n; i++) {
		const int64_t *h = robot ? rows[i].c.lead_robot : rows[i].c.lead_person;
		int64_t cum = 0;
		for (k = 0; rc == 0 && k < DASH_LEAD_BUCKETS; k++) {
			cum += h[k];
			if (k == DASH_LEAD_BUCKETS - 1)
				snprintf(le, sizeof(le), "+Inf");
			else
				snprintf(le, sizeof(le), "%lld", (long long)dash_lead_bound(k));
			rc = sample_name(b, name, "_bucket", rows[i].region, rows[i].flow, "le", le);
			if (rc == 0)
				rc = dynbuf_printf(b, "%lld\n", (long long)cum);
		}
		if (rc == 0)
			rc = sample_name(b, name, "_count", rows[i].region, rows[i].flow, NULL, NULL);
		if (rc == 0)
			rc = dynbuf_printf(b, "%lld\n", (long long)cum);
	}
	return rc;
}

static int queue_gauges(dynbuf *b, const dash_queue_split_row *q, size_t n)
{
	static const char *const age[DASH_AGE_BUCKETS] = { "0-1", "2-5", "6-10", "over-10" };
	size_t i;
	int k, rc;

	rc = head(b, "ulf_queue_documents", "gauge", "Documents in the exception queue now.");
	for (i = 0; rc == 0 && i < n; i++)
		rc = int_sample(b, "ulf_queue_documents", q[i].region, q[i].flow, NULL, NULL,
				q[i].q.size);
	if (rc == 0)
		rc = head(b, "ulf_queue_amount_sek", "gauge",
			  "Amount payable of the documents in the queue (SEK invoices).");
	for (i = 0; rc == 0 && i < n; i++)
		rc = ore_sample(b, "ulf_queue_amount_sek", q[i].region, q[i].flow, NULL, NULL,
				q[i].q.amount);
	if (rc == 0)
		rc = head(b, "ulf_queue_aging_documents", "gauge",
			  "Documents in the queue by working days since receipt.");
	for (i = 0; rc == 0 && i < n; i++)
		for (k = 0; rc == 0 && k < DASH_AGE_BUCKETS; k++)
			rc = int_sample(b, "ulf_queue_aging_documents", q[i].region, q[i].flow, "age",
					age[k], q[i].q.age_n[k]);
	if (rc == 0)
		rc = head(b, "ulf_queue_due_documents", "gauge",
			  "Invoices in the queue overdue, or due within 3 or 7 days.");
	for (i = 0; rc == 0 && i < n; i++) {
		rc = int_sample(b, "ulf_queue_due_documents", q[i].region, q[i].flow, "due",
				"overdue", q[i].q.overdue_n);
		if (rc == 0)
			rc = int_sample(b, "ulf_queue_due_documents", q[i].region, q[i].flow, "due",
					"within-3-days", q[i].q.due3_n);
		if (rc == 0)
			rc = int_sample(b, "ulf_queue_due_documents", q[i].region, q[i].flow, "due",
					"within-7-days", q[i].q.due7_n);
	}
	if (rc == 0)
		rc = head(b, "ulf_queue_due_amount_sek", "gauge",
			  "Amount of the invoices in the queue overdue, or due within 3 or 7 days.");
	for (i = 0; rc == 0 && i < n; i++) {
		rc = ore_sample(b, "ulf_queue_due_amount_sek", q[i].region, q[i].flow, "due",
				"overdue", q[i].q.overdue_amount);
		if (rc == 0)
			rc = ore_sample(b, "ulf_queue_due_amount_sek", q[i].region, q[i].flow, "due",
					"within-3-days", q[i].q.due3_amount);
		if (rc == 0)
			rc = ore_sample(b, "ulf_queue_due_amount_sek", q[i].region, q[i].flow, "due",
					"within-7-days", q[i].q.due7_amount);
	}
	return rc;
}

static int month_rates(dynbuf *b, const dash_split_row *m, size_t n)
{
	size_t i;
	int rc;

	rc = head(b, "ulf_touchless_rate_month", "gauge",
		  "This month's invoices posted with no person's action, of those decided.");
	for (i = 0; rc == 0 && i < n; i++)
		rc = rate_sample(b, "ulf_touchless_rate_month", m[i].region, m[i].flow,
				 dash_rate(m[i].c.touchless, m[i].c.decided));
	if (rc == 0)
		rc = head(b, "ulf_auto_coding_rate_month", "gauge",
			  "This month's booking lines posted as the robot suggested them.");
	for (i = 0; rc == 0 && i < n; i++)
		rc = rate_sample(b, "ulf_auto_coding_rate_month", m[i].region, m[i].flow,
				 dash_rate(m[i].c.lines_unchanged, m[i].c.lines_posted));
	if (rc == 0)
		rc = head(b, "ulf_einvoice_share_month", "gauge",
			  "This month's e-invoices of all invoices received.");
	for (i = 0; rc == 0 && i < n; i++)
		rc = rate_sample(b, "ulf_einvoice_share_month", m[i].region, m[i].flow,
				 dash_rate(m[i].c.in_invoices, m[i].c.in_invoices + m[i].c.in_paper));
	return rc;
}

static int unit_gauges(dynbuf *b, store *s, int32_t today, ulf_err *err)
{
	dash_filter f = dash_period(cal_month_start(today), today + 1);
	dash_tail t;
	dash_contract c;
	char r1[32], r2[32], r3[32], r4[32];
	int rc;

	rc = dash_supplier_tail(&t, NULL, NULL, s, &f, 0, 0, err);
	if (rc == 0)
		rc = dash_contract_compliance(&c, s, &f, err);
	if (rc)
		return rc;
	dash_format_rate(r1, sizeof(r1), t.supplier_share);
	dash_format_rate(r2, sizeof(r2), t.invoice_share);
	dash_format_rate(r3, sizeof(r3), t.spend_share);
	dash_format_rate(r4, sizeof(r4), c.share);
	rc = dynbuf_printf(b, "# HELP ulf_supplier_tail_suppliers Suppliers with spend under 20 000"
			   " SEK over the last 12 months.\n# TYPE ulf_supplier_tail_suppliers gauge\n"
			   "ulf_supplier_tail_suppliers %lld\n"
			   "# HELP ulf_suppliers_with_spend Suppliers with posted invoices over the"
			   " last 12 months.\n# TYPE ulf_suppliers_with_spend gauge\n"
			   "ulf_suppliers_with_spend %lld\n",
			   (long long)t.tail_suppliers, (long long)t.suppliers);
	if (rc == 0 && t.suppliers)
		rc = dynbuf_printf(b, "# HELP ulf_supplier_tail_share The supplier tail's share of"
				   " suppliers, invoices and spend.\n"
				   "# TYPE ulf_supplier_tail_share gauge\n"
				   "ulf_supplier_tail_share{of=\"suppliers\"} %s\n"
				   "ulf_supplier_tail_share{of=\"invoices\"} %s\n", r1, r2);
	if (rc == 0 && t.suppliers && t.spend_share >= 0)
		rc = dynbuf_printf(b, "ulf_supplier_tail_share{of=\"spend\"} %s\n", r3);
	if (rc == 0 && c.share >= 0)
		rc = dynbuf_printf(b, "# HELP ulf_contract_compliance_month This month's spend with"
				   " suppliers under a valid contract, of all spend.\n"
				   "# TYPE ulf_contract_compliance_month gauge\n"
				   "ulf_contract_compliance_month %s\n", r4);
	return rc ? ulf_err_set(err, ULF_ENOMEM, "out of memory") : 0;
}

void metrics_cache_release(metrics_cache *c)
{
	if (!c)
		return;
	dynbuf_release(&c->text);
	c->at = 0;
}

/* The unit's gauges, from the cache while it is young. */
static int unit_cached(dynbuf *out, store *s, int64_t now, metrics_cache *c, ulf_err *err)
{
	int rc;

	if (!c)
		return unit_gauges(out, s, cal_day_of(now), err);
	if (!c->at || now - c->at >= METRICS_UNIT_TTL || now < c->at) {
		dynbuf_init(&c->text, 1u << 16);
		rc = unit_gauges(&c->text, s, cal_day_of(now), err);
		if (rc) {
			metrics_cache_release(c);
			return rc;
		}
		c->at = now;
	}
	if (dynbuf_len(&c->text) && dynbuf_add(out, dynbuf_ptr(&c->text), dynbuf_len(&c->text)))
		return ulf_err_set(err, ULF_ENOMEM, "metrics: out of memory");
	return 0;
}

int metrics_dashboard(dynbuf *out, store *s, int64_t now, metrics_cache *cache,
		      ulf_err *err)
{
	int32_t today = cal_day_of(now);
	dash_filter all = dash_period(0, today + 1);
	dash_filter month = dash_period(cal_month_start(today), today + 1);
	dash_split_row *rows = NULL, *m = NULL;
	dash_queue_split_row *q = NULL;
	size_t n = 0, nm = 0, nq = 0, i, k;
	int rc;

	rc = dash_counts_split(&rows, &n, s, &all, err);
	if (rc == 0)
		rc = dash_counts_split(&m, &nm, s, &month, err);
	if (rc == 0)
		rc = dash_queue_split(&q, &nq, s, today, err);
	if (rc)
		goto out;
	for (k = 0; rc == 0 && k < sizeof(counters) / sizeof(counters[0]); k++) {
		rc = head(out, counters[k].name, "counter", counters[k].help);
		for (i = 0; rc == 0 && i < n; i++)
			rc = int_sample(out, counters[k].name, rows[i].region, rows[i].flow, NULL, NULL,
					field_at(&rows[i].c, counters[k].off));
	}
	if (rc == 0)
		rc = lead_histogram(out, "ulf_lead_time_robot_seconds",
				    "Receipt to posting of invoices the robot posted alone.", rows, n,
				    true);
	if (rc == 0)
		rc = lead_histogram(out, "ulf_lead_time_person_seconds",
				    "Receipt to posting of invoices a person acted on.", rows, n, false);
	if (rc == 0)
		rc = queue_gauges(out, q, nq);
	if (rc == 0)
		rc = month_rates(out, m, nm);
	if (rc)
		rc = ulf_err_set(err, rc, "metrics: %s", rc == ULF_ELIMIT ? "too long" : "out of memory");
	else
		rc = unit_cached(out, s, now, cache, err);
out:
	free(rows);
	free(m);
	free(q);
	return rc;
}
