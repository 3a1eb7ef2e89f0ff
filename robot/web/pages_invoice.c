/*
 * pages_invoice.c - one invoice as a handler works it.  See pages_invoice.h.
 *
 * The page, top to bottom: the head (who, what, how much, when due, why
 * it waits), the actions, the lines beside the order and receipts, the
 * header checks, the booking form, how it was matched and the validation
 * findings, the invoice as a viewer shows it with its attachments, the
 * care claim, and the history.  Document text goes through page_text, so
 * a personal identity number typed into a line text shows masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/web/auth.h"
#include "robot/web/pages_invoice.h"
#include "robot/web/pages_queue.h"
#include "robot/web/pages_viewer.h"

#define URL_MAX 96

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

static void action_url(char *buf, size_t n, int64_t id, const char *action)
{
	snprintf(buf, n, PAGES_QUEUE_PATH "/%lld/%s", (long long)id, action);
}

static void fact_amount(html *h, const char *label, const char *amount, const char *currency)
{
	if (!nz(amount))
		return;
	html_elem(h, "dt", label);
	html_open(h, "dd", "class", "num-inline");
	page_amount(h, amount, "");
	if (currency) {
		html_text(h, " ");
		html_text(h, currency);
	}
	html_close(h, "dd");
}

/* A quantity or other plain number as written, Swedish, no padding. */
static void quantity(html *h, const char *q)
{
	dec v;

	if (!nz(q))
		return;
	if (dec_parse(&v, q, strlen(q)) == 0)
		html_dec(h, v, 0, HTML_NUM_SV);
	else
		html_text(h, q);
}

static void td_amount(html *h, const char *cls, const char *amount)
{
	html_open(h, "td", "class", cls);
	page_amount(h, amount, "");
	html_close(h, "td");
}

static void td_quantity(html *h, const char *cls, const char *q, const char *unit)
{
	html_open(h, "td", "class", cls);
	quantity(h, q);
	if (nz(unit)) {
		html_text(h, " ");
		html_open(h, "span", "class", "muted");
		html_text(h, unit);
		html_close(h, "span");
	}
	html_close(h, "td");
}

static bool can(const page_viewer *v, auth_perm p)
{
	return v && auth_allows((auth_roles)v->roles, p);
}

static bool waiting(const queue_doc *d)
{
	return d->state && !strcmp(d->state, "exception");
}

static void kbd(html *h, const char *key)
{
	html_text(h, " ");
	html_elem(h, "kbd", key);
}

/* ---- the head ------------------------------------------------------- */

static void head(html *h, const queue_doc *d, int64_t now)
{
	int64_t due, today = page_day_of(now);
	char title[160], age[32];
	size_t i;

	html_open(h, "p");
	html_open(h, "a", "href", PAGES_QUEUE_PATH, "data-key", "q", "id", "back");
	html_text(h, "\u2190 back to the queue");
	html_close(h, "a");
	kbd(h, "q");
	html_close(h, "p");

	html_open(h, "div", "class", "doc-head");
	html_open(h, "h1");
	snprintf(title, sizeof(title), "%s %s",
		 d->kind && !strcmp(d->kind, "credit-note") ? "Credit note" : "Invoice",
		 d->item.invoice_number ? d->item.invoice_number : "(no number)");
	html_text(h, title);
	html_text(h, " from ");
	html_open(h, "span", "id", "supplier");
	page_text(h, d->item.supplier_name ? d->item.supplier_name
		  : d->seller_name ? d->seller_name : "(no name)");
	html_close(h, "span");
	html_close(h, "h1");
	html_close(h, "div");

	html_open(h, "div", "class", "doc-head");
	snprintf(title, sizeof(title), "state %s", d->state ? d->state : "");
	html_open(h, "span", "class", title, "id", "doc-state");
	html_text(h, d->state ? d->state : "?");
	html_close(h, "span");
	html_open(h, "span", "class", "amount", "id", "payable");
	page_amount(h, d->payable ? d->payable : d->item.amount, "no amount");
	if (d->currency || d->item.currency) {
		html_text(h, " ");
		html_text(h, d->currency ? d->currency : d->item.currency);
	}
	html_close(h, "span");
	html_open(h, "span", "id", "due");
	html_text(h, "due ");
	if (d->due_date && page_date_days(&due, d->due_date)) {
		html_text(h, d->due_date);
		if (due < today) {
			snprintf(title, sizeof(title), " (overdue %lld d)", (long long)(today - due));
			html_open(h, "span", "class", "overdue");
			html_text(h, title);
			html_close(h, "span");
		} else if (due - today <= 7) {
			snprintf(title, sizeof(title), " (in %lld d)", (long long)(due - today));
			html_open(h, "span", "class", "soon");
			html_text(h, title);
			html_close(h, "span");
		}
	} else {
		html_text(h, d->due_date ? d->due_date : "date not given");
	}
	html_close(h, "span");
	page_age_text(age, sizeof(age), now - d->item.received_at);
	html_open(h, "span", "class", "muted");
	html_text(h, "received ");
	html_text(h, age);
	html_text(h, " ago");
	html_close(h, "span");
	html_open(h, "span", "id", "assignee");
	if (nz(d->item.assignee)) {
		html_text(h, "assigned to ");
		html_elem(h, "b", d->item.assignee);
	} else {
		html_open(h, "span", "class", "muted");
		html_text(h, "assigned to nobody");
		html_close(h, "span");
	}
	html_close(h, "span");
	if (nz(d->item.hold_until)) {
		html_open(h, "span", "class", d->item.held ? "soon" : "muted", "id", "hold");
		html_text(h, d->item.held ? "on hold until " : "was on hold until ");
		html_text(h, d->item.hold_until);
		html_close(h, "span");
	}
	html_open(h, "span", "class", "muted");
	html_text(h, page_flow_text(d->match.flow ? d->match.flow : d->item.flow));
	html_close(h, "span");
	html_close(h, "div");

	if (d->nreasons) {
		html_open(h, "section", "class", "panel", "id", "reasons");
		html_elem(h, "h2", waiting(d) ? "Why it waits" : "Why it waited");
		html_open(h, "ul");
		for (i = 0; i < d->nreasons; i++) {
			const queue_reason *r = &d->reasons[i];
			html_open(h, "li");
			page_reason(h, r->code);
			/* the matcher's messages name their line already */
			if (nz(r->line_id) && !(nz(r->message) && !strncmp(r->message, "line ", 5))) {
				html_text(h, " line ");
				html_text(h, r->line_id);
			}
			if (nz(r->message)) {
				html_text(h, ": ");
				page_text(h, r->message);
			} else if (page_reason_text(r->code)) {
				html_text(h, ": ");
				html_text(h, page_reason_text(r->code));
			}
			html_close(h, "li");
		}
		html_close(h, "ul");
		html_close(h, "section");
	} else if (d->item.nreasons) {
		html_open(h, "p", "id", "reasons");
		for (i = 0; i < d->item.nreasons; i++)
			page_reason(h, d->item.reasons[i]);
		html_close(h, "p");
	}
}

/* ---- the actions ---------------------------------------------------- */

static void form_open(html *h, const page_viewer *v, const queue_doc *d, const char *action,
		      const char *id, const char *key)
{
	char url[URL_MAX];

	action_url(url, sizeof(url), d->id, action);
	html_open(h, "form", "method", "post", "action", url, "id", id, "data-key", key);
	page_form_hidden(h, v, d->version);
}

static void form_title(html *h, const char *title, const char *key)
{
	html_open(h, "h3");
	html_text(h, title);
	kbd(h, key);
	html_close(h, "h3");
}

static void label(html *h, const char *text, const char *for_id)
{
	html_open(h, "label", "for", for_id);
	html_text(h, text);
	html_close(h, "label");
}

static void button(html *h, const char *text, const char *cls, const char *id)
{
	html_open(h, "button", "type", "submit", "class", cls, "id", id);
	html_text(h, text);
	html_close(h, "button");
}

static void actions(html *h, const page_viewer *v, const queue_doc *d)
{
	const queue_reject_code *codes;
	size_t i, ncodes = 0;

	html_open(h, "section", "id", "actions");
	html_elem(h, "h2", "Actions");
	if (!can(v, AUTH_QUEUE_ACT)) {
		html_open(h, "p", "class", "muted", "id", "read-only");
		html_text(h, "You may read this invoice; acting on it is for handlers.");
		html_close(h, "p");
		html_close(h, "section");
		return;
	}
	html_open(h, "div", "class", "actions");
	if (waiting(d)) {
		form_open(h, v, d, "approve", "approve", "a");
		form_title(h, "Approve as suggested", "a");
		if (!d->suggestion_complete) {
			html_open(h, "p", "class", "muted");
			html_text(h, "The suggestion is incomplete: correct the booking below.");
			html_close(h, "p");
		}
		label(h, "Note (optional)", "approve-note");
		html_open(h, "input", "type", "text", "name", "note", "id", "approve-note",
			  "maxlength", "500");
		button(h, "Approve and post", "primary", "approve-button");
		html_close(h, "form");

		form_open(h, v, d, "reject", "reject", "r");
		form_title(h, "Reject", "r");
		label(h, "Reason code (Invoice Response)", "reject-code");
		html_open(h, "select", "name", "code", "id", "reject-code", "required", "required");
		html_open(h, "option", "value", "");
		html_text(h, "choose\u2026");
		html_close(h, "option");
		codes = queue_reject_codes(&ncodes);
		for (i = 0; codes && i < ncodes; i++) {
			char text[160];
			snprintf(text, sizeof(text), "%s \u2013 %s", codes[i].code, codes[i].label);
			html_open(h, "option", "value", codes[i].code);
			html_text(h, text);
			html_close(h, "option");
		}
		html_close(h, "select");
		label(h, "Reason for the supplier", "reject-reason");
		html_open(h, "textarea", "name", "reason", "id", "reject-reason", "required",
			  "required", "maxlength", "1000");
		html_close(h, "textarea");
		button(h, "Reject and tell the supplier", "danger", "reject-button");
		html_close(h, "form");

		form_open(h, v, d, "hold", "hold", "h");
		form_title(h, "Put on hold", "h");
		label(h, "Until", "hold-until");
		html_open(h, "input", "type", "date", "name", "until", "id", "hold-until",
			  "value", d->item.held ? d->item.hold_until : NULL);
		label(h, "Why (a goods receipt, a credit note\u2026)", "hold-note");
		html_open(h, "input", "type", "text", "name", "note", "id", "hold-note",
			  "maxlength", "500");
		button(h, "Hold", "secondary", "hold-button");
		if (d->item.held) {
			html_open(h, "button", "type", "submit", "name", "release", "value", "1",
				  "class", "secondary", "id", "release-button");
			html_text(h, "Take off hold");
			html_close(h, "button");
		}
		html_close(h, "form");

		form_open(h, v, d, "assign", "assign-me-form", "m");
		form_title(h, "Assign to me", "m");
		html_open(h, "p", "class", "muted");
		if (nz(d->item.assignee)) {
			html_text(h, "Now assigned to ");
			html_text(h, d->item.assignee);
			html_text(h, ".");
		} else {
			html_text(h, "Nobody has it yet.");
		}
		html_close(h, "p");
		html_open(h, "input", "type", "hidden", "name", "to", "value", v->user);
		button(h, "Assign to me", "primary", "assign-me");
		html_close(h, "form");

		form_open(h, v, d, "assign", "assign", "g");
		form_title(h, "Assign to someone", "g");
		label(h, "User name (empty: nobody)", "assign-to");
		html_open(h, "input", "type", "text", "name", "to", "id", "assign-to",
			  "maxlength", "64", "value", d->item.assignee);
		button(h, "Assign", "secondary", "assign-button");
		html_close(h, "form");

		form_open(h, v, d, "retry", "retry", "t");
		form_title(h, "Run again", "t");
		html_open(h, "p", "class", "muted");
		html_text(h, "After the order, receipts, supplier register or rules changed.");
		html_close(h, "p");
		button(h, "Run it again", "secondary", "retry-button");
		html_close(h, "form");
	}
	form_open(h, v, d, "comment", "comment", "c");
	form_title(h, "Comment", "c");
	label(h, "For the record and your colleagues", "comment-text");
	html_open(h, "textarea", "name", "text", "id", "comment-text", "required", "required",
		  "maxlength", "2000");
	html_close(h, "textarea");
	button(h, "Add comment", "secondary", "comment-button");
	html_close(h, "form");
	html_close(h, "div");
	html_close(h, "section");
}

/* ---- lines beside the order and receipts ---------------------------- */

enum { DEV_PRICE = 1, DEV_QTY = 2, DEV_NET = 4, DEV_RECV = 8, DEV_UNIT = 16 };

static unsigned deviations(const queue_line *l)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < l->nchecks; i++) {
		const char *c = l->checks[i].check;
		if (!l->checks[i].result || strcmp(l->checks[i].result, "deviation") != 0 || !c)
			continue;
		if (strstr(c, "price"))
			m |= DEV_PRICE;
		else if (strstr(c, "quant"))
			m |= DEV_QTY;
		else if (strstr(c, "amount") || strstr(c, "net"))
			m |= DEV_NET;
		else if (strstr(c, "receiv"))
			m |= DEV_RECV;
		else if (strstr(c, "unit"))
			m |= DEV_UNIT;
	}
	return m;
}

static const char *dev_class(unsigned m, unsigned bit)
{
	return m & bit ? "num deviation" : "num";
}

static void check_text(html *h, const queue_check *c)
{
	bool dev = c->result && !strcmp(c->result, "deviation");
	bool qty = c->check && strstr(c->check, "quant");

	html_open(h, "li", "class", dev ? "check deviation" : "check");
	html_open(h, "span", "class", dev ? "tag bad" : "tag ok");
	html_text(h, dev ? "deviation" : c->result ? c->result : "ok");
	html_close(h, "span");
	html_text(h, " ");
	if (nz(c->invoice) && nz(c->expected)) {
		html_elem(h, "b", c->check ? c->check : "check");
		html_text(h, ": ");
		if (qty)
			quantity(h, c->invoice);
		else
			page_amount(h, c->invoice, "");
		html_text(h, " against ");
		if (qty)
			quantity(h, c->expected);
		else
			page_amount(h, c->expected, "");
		if (nz(c->difference)) {
			html_text(h, ", difference ");
			if (qty)
				quantity(h, c->difference);
			else
				page_amount(h, c->difference, "");
		}
		if (nz(c->allowed)) {
			html_text(h, ", allowed ");
			if (qty)
				quantity(h, c->allowed);
			else
				page_amount(h, c->allowed, "");
		}
		if (nz(c->tolerance)) {
			html_text(h, " (tolerance ");
			html_open(h, "span", "class", "tolerance");
			html_text(h, c->tolerance);
			html_close(h, "span");
			if (nz(c->scope)) {
				html_text(h, ", ");
				html_text(h, c->scope);
			}
			if (c->rules_line > 0) {
				char ln[32];
				snprintf(ln, sizeof(ln), ", rules line %d", c->rules_line);
				html_text(h, ln);
			}
			html_text(h, ")");
		}
	} else {
		if (c->check) {
			html_elem(h, "b", c->check);
			html_text(h, ": ");
		}
		page_text(h, c->text);
	}
	html_close(h, "li");
}

static void lines_table(html *h, const queue_doc *d)
{
	size_t i, k;

	html_open(h, "section", "class", "panel", "id", "lines");
	html_elem(h, "h2", "Lines beside the order and goods receipts");
	if (!d->nlines) {
		html_open(h, "p", "class", "muted");
		html_text(h, "No lines were read from this document.");
		html_close(h, "p");
		html_close(h, "section");
		return;
	}
	html_open(h, "table", "class", "compact lines", "id", "lines-table");
	html_open(h, "thead");
	html_open(h, "tr");
	html_open(h, "th", "colspan", "5");
	html_text(h, "Invoice");
	html_close(h, "th");
	html_open(h, "th", "colspan", "5");
	html_text(h, "Order");
	html_close(h, "th");
	html_open(h, "th", "colspan", "2");
	html_text(h, "Goods receipts and earlier invoices");
	html_close(h, "th");
	html_close(h, "tr");
	html_open(h, "tr");
	html_elem(h, "th", "Line");
	html_elem(h, "th", "Item");
	page_th_num(h, "Quantity");
	page_th_num(h, "Price");
	page_th_num(h, "Net");
	html_elem(h, "th", "Order / line");
	html_elem(h, "th", "Item");
	page_th_num(h, "Ordered");
	page_th_num(h, "Price");
	page_th_num(h, "Net");
	page_th_num(h, "Received");
	page_th_num(h, "Invoiced before");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < d->nlines; i++) {
		const queue_line *l = &d->lines[i];
		unsigned m = deviations(l);
		char rowid[48];

		snprintf(rowid, sizeof(rowid), "line-%zu", i + 1);
		html_open(h, "tr", "id", rowid, "class", l->deviation || m ? "has-deviation" : NULL);
		page_td(h, "nowrap", l->line_id);
		html_open(h, "td");
		page_text(h, l->item_name ? l->item_name : l->description);
		if (nz(l->seller_item_id)) {
			html_raw_literal(h, "<br>");
			html_open(h, "span", "class", "muted");
			html_text(h, l->seller_item_id);
			html_close(h, "span");
		}
		html_close(h, "td");
		td_quantity(h, (m & (DEV_QTY | DEV_UNIT)) ? "num deviation inv-qty" : "num inv-qty",
			    l->quantity, l->unit);
		td_amount(h, m & DEV_PRICE ? "num deviation inv-price" : "num inv-price", l->price);
		td_amount(h, m & DEV_NET ? "num deviation inv-net" : "num inv-net", l->net);
		html_open(h, "td", "class", "nowrap order-line");
		if (nz(l->order_no)) {
			html_text(h, l->order_no);
			if (nz(l->order_line_id)) {
				html_text(h, " / ");
				html_text(h, l->order_line_id);
			}
		} else {
			html_open(h, "span", "class", "muted");
			html_text(h, nz(l->order_line_ref) ? "not matched (refers to " : "not matched");
			if (nz(l->order_line_ref)) {
				html_text(h, l->order_line_ref);
				html_text(h, ")");
			}
			html_close(h, "span");
		}
		html_close(h, "td");
		html_open(h, "td");
		page_text(h, l->order_name);
		if (nz(l->order_item_id)) {
			html_raw_literal(h, "<br>");
			html_open(h, "span", "class", "muted");
			html_text(h, l->order_item_id);
			html_close(h, "span");
		}
		html_close(h, "td");
		td_quantity(h, (m & (DEV_QTY | DEV_UNIT)) ? "num deviation ord-qty" : "num ord-qty",
			    l->order_quantity, l->order_unit);
		td_amount(h, m & DEV_PRICE ? "num deviation ord-price" : "num ord-price",
			  l->order_price);
		td_amount(h, m & DEV_NET ? "num deviation ord-net" : "num ord-net", l->order_net);
		html_open(h, "td", "class", dev_class(m, DEV_RECV));
		quantity(h, l->received_quantity);
		for (k = 0; k < l->nreceipts; k++) {
			const queue_receipt *r = &l->receipts[k];
			html_raw_literal(h, "<br>");
			html_open(h, "span", "class", "muted receipt");
			html_text(h, r->receipt_id);
			if (nz(r->date)) {
				html_text(h, " ");
				html_text(h, r->date);
			}
			html_text(h, ": ");
			quantity(h, r->quantity);
			html_close(h, "span");
		}
		html_close(h, "td");
		html_open(h, "td", "class", "num");
		quantity(h, l->invoiced_before);
		html_close(h, "td");
		html_close(h, "tr");
		/* the checks and their tolerances, under the line they concern */
		if (l->nchecks) {
			snprintf(rowid, sizeof(rowid), "checks-%zu", i + 1);
			html_open(h, "tr", "class", "checks-row", "id", rowid);
			html_elem(h, "td", "");
			html_open(h, "td", "colspan", "11");
			html_open(h, "ul", "class", "checks");
			for (k = 0; k < l->nchecks; k++)
				check_text(h, &l->checks[k]);
			html_close(h, "ul");
			html_close(h, "td");
			html_close(h, "tr");
		}
	}
	html_close(h, "tbody");
	html_close(h, "table");

	if (d->match.nheader_checks) {
		html_elem(h, "h3", "The whole invoice");
		html_open(h, "ul", "class", "checks", "id", "header-checks");
		for (i = 0; i < d->match.nheader_checks; i++)
			check_text(h, &d->match.header_checks[i]);
		html_close(h, "ul");
	}
	html_close(h, "section");
}

/* ---- the booking form ------------------------------------------------ */

/* One row of the booking form, from wherever its values come. */
typedef struct brow {
	const char *kind, *line, *desc, *net, *vat;
	const char *f[QUEUE_NFIELDS];
	const queue_booking_row *sug;     /* the robot's row, for the sources */
} brow;

static void brow_from_json(brow *r, const ujson *o)
{
	int k;

	r->kind = ujson_get_str(o, "kind");
	r->line = ujson_get_str(o, "invoice_line_id");
	r->desc = ujson_get_str(o, "description");
	r->net = ujson_get_str(o, "net_amount");
	r->vat = ujson_get_str(o, "vat_amount");
	for (k = 0; k < QUEUE_NFIELDS; k++)
		r->f[k] = ujson_get_str(o, queue_field_name(k));
}

static const queue_booking_row *suggestion_for(const queue_doc *d, size_t i, const char *line)
{
	size_t k;

	if (line) {
		for (k = 0; k < d->nsuggestion; k++)
			if (d->suggestion[k].line_id && !strcmp(d->suggestion[k].line_id, line))
				return &d->suggestion[k];
	}
	return i < d->nsuggestion ? &d->suggestion[i] : NULL;
}

static const queue_problem *problem_at(const queue_problems *p, int line, int field)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (p->items[i].line == line && p->items[i].field == field)
			return &p->items[i];
	return NULL;
}

static void booking_input(html *h, size_t row, const char *field, const char *value,
			  const char *cls, const char *title)
{
	char name[48];

	snprintf(name, sizeof(name), "l%zu-%s", row, field);
	html_open(h, "input", "type", "text", "name", name, "id", name, "value", value ? value : "",
		  "class", cls, "title", title, "maxlength", "64", "autocomplete", "off");
}

static void booking_hidden(html *h, size_t row, const char *field, const char *value)
{
	char name[48];

	if (!value)
		return;
	snprintf(name, sizeof(name), "l%zu-%s", row, field);
	html_open(h, "input", "type", "hidden", "name", name, "value", value);
}

/* An amount as a form value: plain ("1198.00"), or as typed when it is no
 * amount (so the handler sees what was refused). */
static void amount_value(char *out, size_t n, const char *amount)
{
	dec v;

	if (amount && dec_parse(&v, amount, strlen(amount)) == 0 &&
	    html_format_dec(out, n, v, 2, HTML_NUM_PLAIN))
		return;
	snprintf(out, n, "%s", amount ? amount : "");
}

static void source_text(char *out, size_t n, const queue_field *f)
{
	if (!f || !f->source)
		snprintf(out, n, "no source");
	else if (f->detail)
		snprintf(out, n, "%s: %s (%d%%)", f->source, f->detail, f->confidence);
	else
		snprintf(out, n, "%s (%d%%)", f->source, f->confidence);
}

static void booking_row(html *h, size_t i, const brow *r, const queue_problems *probs)
{
	char src[320], net[HTML_NUM_MAX], vat[HTML_NUM_MAX], rowid[32];
	const queue_problem *p;
	int k;

	snprintf(rowid, sizeof(rowid), "brow-%zu", i);
	html_open(h, "tr", "id", rowid);
	html_open(h, "td", "class", "nowrap");
	html_text(h, r->line ? r->line : r->kind ? r->kind : "");
	booking_hidden(h, i, "line", r->line);
	booking_hidden(h, i, "kind", r->kind);
	booking_hidden(h, i, "description", r->desc);
	html_close(h, "td");
	page_td(h, "desc", r->desc);
	for (k = 0; k < QUEUE_NFIELDS; k++) {
		const queue_field *sf = r->sug ? &r->sug->f[k] : NULL;
		p = problem_at(probs, (int)i, k);
		source_text(src, sizeof(src), sf);
		html_open(h, "td");
		booking_input(h, i, queue_field_name(k), r->f[k], p ? "bad" : NULL,
			      p ? p->message : src);
		html_close(h, "td");
	}
	amount_value(net, sizeof(net), r->net);
	amount_value(vat, sizeof(vat), r->vat);
	p = problem_at(probs, (int)i, -1);
	html_open(h, "td");
	booking_input(h, i, "net", net, p ? "num net bad" : "num net", "net amount");
	html_close(h, "td");
	html_open(h, "td");
	booking_input(h, i, "vat", vat, "num vat", "VAT amount");
	html_close(h, "td");
	html_open(h, "td", "class", "msg");
	for (k = -1; k < QUEUE_NFIELDS; k++) {
		size_t n;
		for (n = 0; probs && n < probs->n; n++) {
			if (probs->items[n].line != (int)i || probs->items[n].field != k)
				continue;
			html_open(h, "div", "class", "problem");
			html_text(h, probs->items[n].message);
			html_close(h, "div");
		}
	}
	html_close(h, "td");
	html_close(h, "tr");
}

static void booking_form(html *h, const page_viewer *v, const pages_invoice_view *iv)
{
	const queue_doc *d = iv->doc;
	ujson *saved = NULL;
	const ujson *lines = NULL;
	brow *rows = NULL;
	size_t n = 0, i;
	char url[URL_MAX], num[32];
	bool act = can(v, AUTH_QUEUE_ACT) && waiting(d);
	const char *from;

	/* the values: the handler's refused booking, else the one saved, else
	 * the robot's suggestion */
	if (iv->booking) {
		lines = ujson_get(iv->booking, "lines");
		from = "your booking, not saved";
	} else if (d->booking_json &&
		   ujson_parse(&saved, d->booking_json, strlen(d->booking_json), NULL, NULL) == 0) {
		lines = ujson_get(saved, "lines");
		from = "the booking a handler saved";
	} else {
		from = "the robot's suggestion";
	}
	if (lines && ujson_is_array(lines))
		n = ujson_array_size(lines);
	else
		n = d->nsuggestion;
	if (n > PAGES_BOOKING_ROWS_MAX)
		n = PAGES_BOOKING_ROWS_MAX;
	rows = calloc(n + 1, sizeof(*rows));   /* + an empty row to split a line */
	if (!rows) {
		ujson_free(saved);
		html_text(h, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		if (lines && ujson_is_array(lines)) {
			brow_from_json(&rows[i], ujson_array_get(lines, i));
			rows[i].sug = suggestion_for(d, i, rows[i].line);
		} else {
			const queue_booking_row *s = &d->suggestion[i];
			int k;
			rows[i].kind = s->kind;
			rows[i].line = s->line_id;
			rows[i].desc = s->description;
			rows[i].net = s->net;
			rows[i].vat = s->vat;
			for (k = 0; k < QUEUE_NFIELDS; k++)
				rows[i].f[k] = s->f[k].value;
			rows[i].sug = s;
		}
	}

	html_open(h, "section", "class", "panel", "id", "booking");
	html_open(h, "h2");
	html_text(h, "Booking");
	if (act)
		kbd(h, "b");
	html_close(h, "h2");
	html_open(h, "p", "class", "muted");
	html_text(h, "Showing ");
	html_text(h, from);
	html_text(h, ". Hover a field to see where its value came from.");
	html_close(h, "p");
	if (iv->problems && iv->problems->n) {
		html_open(h, "div", "class", "flash error", "id", "booking-problems", "role", "alert");
		html_text(h, "The booking was not saved:");
		html_open(h, "ul");
		for (i = 0; i < iv->problems->n; i++) {
			html_open(h, "li");
			html_text(h, iv->problems->items[i].message);
			html_close(h, "li");
		}
		if (iv->problems->more)
			html_elem(h, "li", "and more");
		html_close(h, "ul");
		html_close(h, "div");
	}
	action_url(url, sizeof(url), d->id, "booking");
	if (act)
		html_open(h, "form", "method", "post", "action", url, "id", "booking-form",
			  "data-key", "b");
	else
		html_open(h, "div", "id", "booking-form");
	if (act) {
		page_form_hidden(h, v, d->version);
		snprintf(num, sizeof(num), "%zu", n + 1);
		html_open(h, "input", "type", "hidden", "name", "rows", "value", num);
	}
	html_open(h, "table", "class", "compact booking");
	html_open(h, "thead");
	html_open(h, "tr");
	html_elem(h, "th", "Line");
	html_elem(h, "th", "Text");
	html_elem(h, "th", "Account");
	html_elem(h, "th", "Cost centre");
	html_elem(h, "th", "Activity");
	html_elem(h, "th", "Project");
	html_elem(h, "th", "VAT code");
	page_th_num(h, "Net");
	page_th_num(h, "VAT");
	html_elem(h, "th", "");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < n; i++)
		booking_row(h, i, &rows[i], iv->problems);
	if (act) {
		brow extra;
		memset(&extra, 0, sizeof(extra));
		extra.desc = NULL;
		booking_row(h, n, &extra, iv->problems);
	}
	html_close(h, "tbody");
	html_open(h, "tfoot");
	html_open(h, "tr", "class", "total");
	html_open(h, "td", "colspan", "7");
	html_text(h, "Sum of the rows (the invoice's net: ");
	page_amount(h, d->net_total, "?");
	html_text(h, ")");
	html_close(h, "td");
	html_open(h, "td", "class", "num", "id", "booking-sum", "data-net",
		  d->net_total ? d->net_total : "");
	html_close(h, "td");
	html_elem(h, "td", "");
	html_elem(h, "td", "");
	html_close(h, "tr");
	html_close(h, "tfoot");
	html_close(h, "table");
	if (act) {
		label(h, "Note (optional)", "booking-note");
		html_open(h, "input", "type", "text", "name", "note", "id", "booking-note",
			  "maxlength", "500");
		html_open(h, "button", "type", "submit", "class", "primary", "id", "booking-button");
		html_text(h, "Approve with this booking");
		html_close(h, "button");
		html_open(h, "span", "class", "keys");
		html_text(h, " The last row is empty: fill it to split a line. Every value is "
			  "checked against the reference data when you approve.");
		html_close(h, "span");
		html_close(h, "form");
	} else {
		html_close(h, "div");
	}
	html_close(h, "section");
	free(rows);
	ujson_free(saved);
}

/* ---- how it was matched, findings ----------------------------------- */

static void match_panel(html *h, const queue_doc *d)
{
	const queue_match *m = &d->match;
	char conf[16];
	size_t i;

	html_open(h, "section", "class", "panel", "id", "match");
	html_elem(h, "h2", "How it was matched");
	html_open(h, "dl", "class", "facts");
	page_fact(h, "Decision", m->decision);
	page_fact(h, "Flow", page_flow_text(m->flow));
	if (nz(m->supplier_no) || nz(m->supplier_name)) {
		html_elem(h, "dt", "Supplier");
		html_open(h, "dd");
		if (nz(m->supplier_no)) {
			html_text(h, m->supplier_no);
			html_text(h, " ");
		}
		page_text(h, m->supplier_name);
		if (nz(m->supplier_how)) {
			html_text(h, " \u2013 found by ");
			page_text(h, m->supplier_how);
		}
		html_close(h, "dd");
	} else {
		page_fact(h, "Supplier", "not found in the register");
	}
	if (nz(m->order_no)) {
		html_elem(h, "dt", "Order");
		html_open(h, "dd", "id", "match-order");
		html_text(h, m->order_no);
		if (nz(m->order_source)) {
			html_text(h, " \u2013 from ");
			html_text(h, m->order_source);
		}
		html_close(h, "dd");
	}
	page_fact(h, "Rule", m->rule);
	page_fact(h, "Credits invoice", m->credited_invoice);
	if (m->decision) {
		snprintf(conf, sizeof(conf), "%d %%", m->confidence);
		page_fact(h, "Confidence", conf);
	}
	html_close(h, "dl");
	html_close(h, "section");

	html_open(h, "section", "class", "panel", "id", "findings");
	html_elem(h, "h2", "Validation");
	if (!d->nfindings) {
		html_open(h, "p", "class", "muted");
		html_text(h, "No rule findings.");
		html_close(h, "p");
	} else {
		html_open(h, "table", "class", "compact");
		html_open(h, "thead");
		html_open(h, "tr");
		html_elem(h, "th", "Rule");
		html_elem(h, "th", "");
		html_elem(h, "th", "What");
		html_close(h, "tr");
		html_close(h, "thead");
		html_open(h, "tbody");
		for (i = 0; i < d->nfindings; i++) {
			const queue_finding *f = &d->findings[i];
			bool fatal = f->flag && !strcmp(f->flag, "fatal");
			html_open(h, "tr", "class", fatal ? "finding fatal" : "finding warning");
			page_td(h, "mono nowrap", f->rule);
			page_td(h, NULL, f->flag);
			page_td(h, NULL, f->text);
			html_close(h, "tr");
		}
		html_close(h, "tbody");
		html_close(h, "table");
	}
	html_close(h, "section");
}

/* ---- the invoice as a viewer shows it ------------------------------- */

static void viewer_from_doc(html *h, const queue_doc *d)
{
	size_t i;

	html_open(h, "div", "class", "parties");
	html_open(h, "div", "class", "party");
	html_elem(h, "h3", "Seller");
	html_open(h, "dl", "class", "facts");
	page_fact(h, "Name", d->seller_name);
	page_fact(h, "Org. number", d->seller_org);
	page_fact(h, "VAT number", d->seller_vat);
	page_fact(h, "Peppol id", d->seller_peppol);
	page_fact(h, "Address", d->seller_address);
	html_close(h, "dl");
	html_close(h, "div");
	html_open(h, "div", "class", "party");
	html_elem(h, "h3", "Buyer");
	html_open(h, "dl", "class", "facts");
	page_fact(h, "Name", d->buyer_name);
	page_fact(h, "Org. number", d->buyer_org);
	html_close(h, "dl");
	html_close(h, "div");
	html_close(h, "div");

	html_elem(h, "h3", "Invoice");
	html_open(h, "dl", "class", "facts");
	page_fact(h, "Number", d->item.invoice_number);
	page_fact(h, "Kind", d->kind);
	page_fact(h, "Syntax", d->syntax);
	page_fact(h, "Issue date", d->issue_date);
	page_fact(h, "Due date", d->due_date);
	page_fact(h, "Currency", d->currency);
	page_fact(h, "Buyer reference", d->buyer_reference);
	page_fact(h, "Order reference", d->order_reference);
	page_fact(h, "Payment account", d->payment_account);
	page_fact(h, "Payment reference", d->payment_reference);
	html_close(h, "dl");

	html_elem(h, "h3", "Lines");
	html_open(h, "table", "class", "compact", "id", "viewer-lines");
	html_open(h, "tbody");
	for (i = 0; i < d->nlines; i++) {
		const queue_line *l = &d->lines[i];
		html_open(h, "tr");
		page_td(h, NULL, l->line_id);
		page_td(h, NULL, l->item_name ? l->item_name : l->description);
		td_quantity(h, "num", l->quantity, l->unit);
		td_amount(h, "num", l->price);
		page_td(h, NULL, l->vat_category);
		td_amount(h, "num", l->net);
		html_close(h, "tr");
	}
	html_close(h, "tbody");
	html_close(h, "table");

	html_elem(h, "h3", "Totals");
	html_open(h, "dl", "class", "facts", "id", "totals");
	fact_amount(h, "Net (excl. VAT)", d->net_total, d->currency);
	fact_amount(h, "VAT", d->vat_total, d->currency);
	fact_amount(h, "To pay", d->payable, d->currency);
	html_close(h, "dl");
}

static void attachments(html *h, const queue_doc *d)
{
	char url[URL_MAX], size[48];
	size_t i;

	if (!d->nattachments)
		return;
	html_elem(h, "h3", "Attachments");
	html_open(h, "ul", "id", "attachments");
	for (i = 0; i < d->nattachments; i++) {
		const queue_attachment *a = &d->attachments[i];
		/* numbered from 1 in the URL, as its route wants */
		snprintf(url, sizeof(url), PAGES_QUEUE_PATH "/%lld/attachment/%zu", (long long)d->id,
			 a->index + 1);
		html_open(h, "li");
		html_open(h, "a", "href", url, "download", a->name ? a->name : "attachment");
		page_text(h, a->name ? a->name : "attachment");
		html_close(h, "a");
		snprintf(size, sizeof(size), " (%s, %zu bytes)", a->mime ? a->mime : "?", a->size);
		html_open(h, "span", "class", "muted");
		html_text(h, size);
		if (nz(a->description)) {
			html_text(h, " ");
			page_text(h, a->description);
		}
		html_close(h, "span");
		html_close(h, "li");
	}
	html_close(h, "ul");
}

static void viewer(html *h, const pages_invoice_view *iv)
{
	const queue_doc *d = iv->doc;
	char url[URL_MAX];

	html_open(h, "section", "class", "panel", "id", "viewer");
	html_elem(h, "h2", "The invoice as sent");
	html_open(h, "div", "class", "viewer");
	if (iv->inv)
		pages_viewer(h, iv->inv);
	else
		viewer_from_doc(h, d);
	attachments(h, d);
	if (nz(d->response_code)) {
		action_url(url, sizeof(url), d->id, "response.xml");
		html_open(h, "p", "id", "response");
		html_text(h, "Rejected with reason code ");
		html_elem(h, "b", d->response_code);
		html_text(h, ": ");
		html_open(h, "a", "href", url);
		html_text(h, "the Invoice Response sent to the supplier");
		html_close(h, "a");
		html_close(h, "p");
	}
	html_close(h, "div");
	html_close(h, "section");
}

/* ---- the care claim ---------------------------------------------------- */

static void claim_fact(html *h, const ujson *o, const char *key, const char *label)
{
	page_fact(h, label, ujson_get_str(o, key));
}

static void care_claim(html *h, const page_viewer *v, const pages_invoice_view *iv)
{
	const queue_doc *d = iv->doc;
	const ujson *c = iv->unmasked_claim ? iv->unmasked_claim : d->claim;
	const ujson *patients, *lines;
	bool unmasked = iv->unmasked_claim != NULL;
	size_t i;

	if (!c)
		return;
	/* care_claim_json puts the claim under "claim" when asked for a pair */
	if (ujson_get(c, "claim") && ujson_is_object(ujson_get(c, "claim")))
		c = ujson_get(c, "claim");
	html_open(h, "section", "class", "panel", "id", "claim");
	html_elem(h, "h2", unmasked ? "Care claim (unmasked for you)" : "Care claim");
	html_open(h, "dl", "class", "facts");
	claim_fact(h, c, "id", "Claim id");
	claim_fact(h, c, "invoice_number", "Invoice number");
	claim_fact(h, c, "issue_date", "Issued");
	claim_fact(h, c, "type", "Type");
	claim_fact(h, c, "supplier_org", "Care provider (org)");
	claim_fact(h, c, "customer_org", "Paying region (org)");
	fact_amount(h, "Amount", ujson_get_str(c, "payable"), ujson_get_str(c, "currency"));
	html_close(h, "dl");

	patients = ujson_get(c, "patients");
	if (patients && ujson_array_size(patients)) {
		html_elem(h, "h3", "Patients");
		html_open(h, "table", "class", "compact", "id", "patients");
		html_open(h, "thead");
		html_open(h, "tr");
		html_elem(h, "th", "Patient");
		html_elem(h, "th", "Identity");
		html_elem(h, "th", "Kind");
		html_elem(h, "th", "County / municipality");
		html_close(h, "tr");
		html_close(h, "thead");
		html_open(h, "tbody");
		for (i = 0; i < ujson_array_size(patients); i++) {
			const ujson *p = ujson_array_get(patients, i);
			char num[24], place[64];
			const char *id = ujson_get_str(p, "identity");
			snprintf(num, sizeof(num), "%lld", (long long)ujson_get_int(p, "patient", 0));
			snprintf(place, sizeof(place), "%s / %s",
				 ujson_get_str(p, "county") ? ujson_get_str(p, "county") : "-",
				 ujson_get_str(p, "municipality") ? ujson_get_str(p, "municipality") : "-");
			html_open(h, "tr");
			html_elem(h, "td", num);
			html_open(h, "td");
			html_open(h, "span", "class", unmasked ? "identity" : "masked identity");
			/* the unmasked claim is shown as written, to the care handler
			 * who asked (audited); the masked one is masked already, and
			 * page_text masks anything that slipped through */
			if (unmasked)
				html_text_unmasked(h, id);
			else
				page_text(h, id);
			html_close(h, "span");
			html_close(h, "td");
			page_td(h, NULL, ujson_get_str(p, "identity_kind"));
			html_elem(h, "td", place);
			html_close(h, "tr");
		}
		html_close(h, "tbody");
		html_close(h, "table");
	}

	lines = ujson_get(c, "lines");
	if (lines && ujson_array_size(lines)) {
		html_elem(h, "h3", "Care lines");
		html_open(h, "table", "class", "compact", "id", "claim-lines");
		html_open(h, "thead");
		html_open(h, "tr");
		html_elem(h, "th", "Line");
		html_elem(h, "th", "Patient");
		html_elem(h, "th", "Care");
		html_elem(h, "th", "Date");
		html_elem(h, "th", "Unit");
		html_elem(h, "th", "Agreement");
		page_th_num(h, "Net");
		html_close(h, "tr");
		html_close(h, "thead");
		html_open(h, "tbody");
		for (i = 0; i < ujson_array_size(lines); i++) {
			const ujson *l = ujson_array_get(lines, i);
			char num[24];
			snprintf(num, sizeof(num), "%lld", (long long)ujson_get_int(l, "patient", 0));
			html_open(h, "tr");
			page_td(h, NULL, ujson_get_str(l, "line_id"));
			html_elem(h, "td", num);
			page_td(h, NULL, ujson_get_str(l, "care"));
			page_td(h, "nowrap", ujson_get_str(l, "visit_date") ? ujson_get_str(l, "visit_date")
				: ujson_get_str(l, "period_start"));
			page_td(h, NULL, ujson_get_str(l, "care_unit"));
			page_td(h, NULL, ujson_get_str(l, "agreement"));
			td_amount(h, "num", ujson_get_str(l, "net"));
			html_close(h, "tr");
		}
		html_close(h, "tbody");
		html_close(h, "table");
	}

	if (!unmasked && can(v, AUTH_UNMASK)) {
		form_open(h, v, d, "unmask", "unmask", "u");
		form_title(h, "Show the patients' identities", "u");
		html_open(h, "p", "class", "muted");
		html_text(h, "Only to resolve this case. Your name, the time and your reason go "
			  "into the audit trail.");
		html_close(h, "p");
		label(h, "Reason (required)", "unmask-reason");
		html_open(h, "input", "type", "text", "name", "reason", "id", "unmask-reason",
			  "required", "required", "maxlength", "500");
		button(h, "Unmask", "secondary", "unmask-button");
		html_close(h, "form");
	} else if (!unmasked) {
		html_open(h, "p", "class", "muted", "id", "masked-note");
		html_text(h, "Patient identities are masked. Only a care handler may unmask them, "
			  "with a reason that is audited.");
		html_close(h, "p");
	}
	html_close(h, "section");
}

/* ---- the history ----------------------------------------------------- */

#define HISTORY_SHORT 160

/* The first HISTORY_SHORT bytes of s, cut at a character, and "…". */
static const char *short_text(char *out, size_t n, const char *s)
{
	size_t len = HISTORY_SHORT < n - 4 ? HISTORY_SHORT : n - 4;

	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	memcpy(out, s, len);
	memcpy(out + len, "\u2026", 4);
	return out;
}

static void history(html *h, const queue_doc *d)
{
	char when[32], cut[HISTORY_SHORT + 8];
	size_t i;

	html_open(h, "section", "class", "panel", "id", "history");
	html_elem(h, "h2", "History");
	html_open(h, "table", "class", "compact history", "id", "history-table");
	html_open(h, "thead");
	html_open(h, "tr");
	html_elem(h, "th", "When (UTC)");
	html_elem(h, "th", "Who");
	html_elem(h, "th", "What");
	html_elem(h, "th", "State");
	html_elem(h, "th", "Details");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < d->nhistory; i++) {
		const queue_event *e = &d->history[i];
		page_time_text(when, sizeof(when), e->at);
		html_open(h, "tr", "class", e->person ? "person" : "robot");
		html_elem(h, "td", when);
		page_td(h, "who", e->who);
		page_td(h, "what", e->what);
		html_open(h, "td", "class", "nowrap");
		if (e->from || e->to) {
			html_text(h, e->from ? e->from : "");
			html_text(h, " \u2192 ");
			html_text(h, e->to ? e->to : "");
		}
		html_close(h, "td");
		html_open(h, "td", "class", "detail");
		if (e->detail && strlen(e->detail) > HISTORY_SHORT) {
			/* a robot step's whole explanation is long: its start, and
			 * the rest on a click (no script needed) */
			html_open(h, "details");
			html_open(h, "summary");
			page_text(h, short_text(cut, sizeof(cut), e->detail));
			html_close(h, "summary");
			page_text(h, e->detail);
			html_close(h, "details");
		} else {
			page_text(h, e->detail);
		}
		html_close(h, "td");
		html_close(h, "tr");
	}
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "section");
}

static void keys_help(html *h, const page_viewer *v, const queue_doc *d)
{
	html_open(h, "p", "class", "keys", "id", "keys");
	html_text(h, "Keys: ");
	html_elem(h, "kbd", "q");
	html_text(h, "back to the queue");
	if (can(v, AUTH_QUEUE_ACT)) {
		if (waiting(d)) {
			html_text(h, " \u00b7 ");
			html_elem(h, "kbd", "a");
			html_text(h, "approve as suggested \u00b7 ");
			html_elem(h, "kbd", "b");
			html_text(h, "correct the booking \u00b7 ");
			html_elem(h, "kbd", "r");
			html_text(h, "reject \u00b7 ");
			html_elem(h, "kbd", "h");
			html_text(h, "hold \u00b7 ");
			html_elem(h, "kbd", "m");
			html_text(h, "assign to me \u00b7 ");
			html_elem(h, "kbd", "g");
			html_text(h, "assign to someone \u00b7 ");
			html_elem(h, "kbd", "t");
			html_text(h, "run again");
		}
		html_text(h, " \u00b7 ");
		html_elem(h, "kbd", "c");
		html_text(h, "comment");
	}
	if (d->claim && can(v, AUTH_UNMASK)) {
		html_text(h, " \u00b7 ");
		html_elem(h, "kbd", "u");
		html_text(h, "unmask the care claim");
	}
	html_text(h, " \u00b7 ");
	html_elem(h, "kbd", "?");
	html_text(h, "hide or show this. A key moves to its form; Enter there sends it.");
	html_close(h, "p");
}

void pages_invoice(html *h, const page_viewer *v, const pages_invoice_view *iv)
{
	const queue_doc *d = iv->doc;

	page_notice_write(h, iv->notice);
	head(h, d, iv->now);
	keys_help(h, v, d);
	/* what is wrong, with its evidence, first; then what to do about it */
	lines_table(h, d);
	actions(h, v, d);
	if (iv->supplier)
		pages_supplier_section(h, v, iv->supplier);
	booking_form(h, v, iv);
	html_open(h, "div", "class", "grid2 wide-right");
	html_open(h, "div");
	match_panel(h, d);
	html_close(h, "div");
	html_open(h, "div");
	care_claim(h, v, iv);
	html_close(h, "div");
	html_close(h, "div");
	viewer(h, iv);
	history(h, d);
}

/* ---- the booking form, sent --------------------------------------- */

static const char *field(page_param_fn get, void *ctx, size_t row, const char *name)
{
	char key[48];
	const char *v;

	snprintf(key, sizeof(key), "l%zu-%s", row, name);
	v = get(ctx, key);
	if (!v)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	return *v ? v : NULL;
}

static int set_amount(ujson *o, const char *key, const char *typed)
{
	char plain[DEC_STR_MAX > 64 ? DEC_STR_MAX : 64];

	if (!typed)
		return 0;
	if (page_amount_parse(plain, sizeof(plain), typed))
		return ujson_set_str(o, key, plain);
	return ujson_set_str(o, key, typed);
}

ujson *pages_booking_from_form(page_param_fn get, void *ctx)
{
	ujson *b = ujson_object(), *lines = ujson_array();
	const char *rows_text = get(ctx, "rows");
	char *end;
	long rows;
	size_t i;
	int k;

	if (!b || !lines || !rows_text)
		goto fail;
	rows = strtol(rows_text, &end, 10);
	if (*end || rows < 1 || rows > PAGES_BOOKING_ROWS_MAX + 1)
		goto fail;
	for (i = 0; i < (size_t)rows; i++) {
		const char *vals[QUEUE_NFIELDS], *net = field(get, ctx, i, "net"),
			   *vat = field(get, ctx, i, "vat");
		bool any = net || vat;
		ujson *o;

		for (k = 0; k < QUEUE_NFIELDS; k++) {
			vals[k] = field(get, ctx, i, queue_field_name(k));
			any = any || vals[k];
		}
		if (!any)
			continue;
		o = ujson_object();
		if (!o || ujson_append_new(lines, o))
			goto fail;
		if (ujson_set_str(o, "invoice_line_id", field(get, ctx, i, "line")) ||
		    ujson_set_str(o, "description", field(get, ctx, i, "description")))
			goto fail;
		if (field(get, ctx, i, "kind") &&
		    ujson_set_str(o, "kind", field(get, ctx, i, "kind")))
			goto fail;
		for (k = 0; k < QUEUE_NFIELDS; k++)
			if (ujson_set_str(o, queue_field_name(k), vals[k]))
				goto fail;
		if (set_amount(o, "net_amount", net) || set_amount(o, "vat_amount", vat))
			goto fail;
	}
	if (ujson_set_new(b, "lines", lines))
		goto fail_b;
	return b;
fail:
	ujson_free(lines);
fail_b:
	ujson_free(b);
	return NULL;
}
