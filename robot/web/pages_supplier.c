/*
 * pages_supplier.c - the new-supplier form and the list of registrations
 * awaiting approval.  See pages_supplier.h.
 */
#include <stdio.h>
#include <string.h>

#include "robot/web/auth.h"
#include "robot/web/pages_supplier.h"

static const struct {
	const char *name, *label;
	bool payment;
} fields[] = {
	{ "name", "Name", false },
	{ "org_no", "Organisation number", false },
	{ "vat_no", "VAT number", false },
	{ "f_skatt", "F-skatt", false },
	{ "peppol_id", "Peppol id", false },
	{ "bankgiro", "Bankgiro", true },
	{ "plusgiro", "Plusgiro", true },
	{ "iban", "IBAN", true },
	{ "street", "Street", false },
	{ "postcode", "Postcode", false },
	{ "city", "City", false },
	{ "country", "Country", false },
	{ "contact_name", "Contact", false },
	{ "contact_email", "Contact e-mail", false },
	{ "contact_phone", "Contact phone", false },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *problem_at(const sreg_problems *p, const char *field)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (p->items[i].field && !strcmp(p->items[i].field, field))
			return p->items[i].message;
	return NULL;
}

static void state_text(html *h, const sreg_rec *r)
{
	char text[400];

	if (!strcmp(r->state, "awaiting_approval"))
		snprintf(text, sizeof(text), "Registration %lld, submitted by %s, awaits a second "
			 "person's approval: its payment details are not the invoice's.",
			 (long long)r->id, r->submitted_by);
	else if (!strcmp(r->state, "registered"))
		snprintf(text, sizeof(text), "Registered as supplier %s (approved by %s); the "
			 "supplier's waiting invoices were run again.", r->supplier_no,
			 r->approved_by);
	else if (!strcmp(r->state, "sending") || !strcmp(r->state, "approved"))
		snprintf(text, sizeof(text), "Approved by %s; being sent to the ERP's supplier "
			 "register%s%s.", r->approved_by, r->last_error[0] ? ": " : "",
			 r->last_error[0] ? "the last try failed, it is tried again" : "");
	else
		snprintf(text, sizeof(text), "Registration %lld is %s.", (long long)r->id,
			 r->state);
	html_open(h, "p", "id", "supplier-state", "data-state", r->state);
	html_text(h, text);
	if (r->last_error[0] && strcmp(r->state, "registered")) {
		html_open(h, "br");
		html_text(h, r->last_error);
	}
	html_close(h, "p");
}

void pages_supplier_section(html *h, const page_viewer *v, const pages_supplier_view *sv)
{
	sreg_form pre;
	char url[96];
	size_t i;
	bool open_reg = sv->reg && strcmp(sv->reg->state, "declined") &&
			strcmp(sv->reg->state, "refused");

	if (!sv->prefill && !sv->reg)
		return;
	html_open(h, "section", "id", "new-supplier");
	html_elem(h, "h2", "New supplier");
	if (sv->reg)
		state_text(h, sv->reg);
	if (open_reg || !sv->prefill) {
		html_close(h, "section");
		return;
	}
	if (!v || !auth_allows((auth_roles)v->roles, AUTH_QUEUE_ACT)) {
		html_open(h, "p", "class", "muted");
		html_text(h, "The supplier is not in the register; registering it is for handlers.");
		html_close(h, "p");
		html_close(h, "section");
		return;
	}
	sreg_form_from_json(&pre, sv->prefill);
	html_open(h, "p", "class", "muted");
	html_text(h, "Prefilled from the invoice. Payment details typed or changed here must be "
		     "approved by a second person before the supplier is registered.");
	html_close(h, "p");
	snprintf(url, sizeof(url), "/queue/%lld/supplier", (long long)sv->doc_id);
	html_open(h, "form", "method", "post", "action", url, "id", "supplier-form");
	page_form_hidden(h, v, sv->version);
	html_open(h, "dl", "class", "form-grid");
	for (i = 0; i < NFIELDS; i++) {
		sreg_form *src = sv->typed ? (sreg_form *)sv->typed : &pre;
		const char **slot = sreg_form_field(src, fields[i].name);
		const char *value = slot ? *slot : NULL, *bad = problem_at(sv->problems,
									    fields[i].name);
		char id[48];
		snprintf(id, sizeof(id), "sup-%s", fields[i].name);
		html_open(h, "dt");
		html_open(h, "label", "for", id);
		html_text(h, fields[i].label);
		html_close(h, "label");
		html_close(h, "dt");
		html_open(h, "dd");
		html_open(h, "input", "type", "text", "name", fields[i].name, "id", id,
			  "maxlength", "200", "value", value ? value : "");
		if (fields[i].payment)
			html_attr(h, "data-invoice", slot && !sv->typed ? value : NULL);
		if (bad) {
			html_attr(h, "aria-invalid", "true");
			html_open(h, "span", "class", "problem");
			html_text(h, bad);
			html_close(h, "span");
		}
		html_close(h, "dd");
	}
	html_close(h, "dl");
	html_open(h, "button", "type", "submit", "class", "primary", "id", "supplier-submit");
	html_text(h, "Register supplier");
	html_close(h, "button");
	html_close(h, "form");
	html_close(h, "section");
}

void pages_supplier_pending(html *h, const page_viewer *v, const page_notice *n,
			    const sreg_rec *regs, size_t nregs)
{
	size_t i;

	page_notice_write(h, n);
	html_elem(h, "h1", "New suppliers awaiting approval");
	if (!nregs) {
		html_open(h, "p", "class", "muted", "id", "none-pending");
		html_text(h, "No registration awaits approval.");
		html_close(h, "p");
		return;
	}
	html_open(h, "table", "id", "pending-suppliers");
	html_open(h, "thead");
	html_open(h, "tr");
	html_elem(h, "th", "Registration");
	html_elem(h, "th", "Name");
	html_elem(h, "th", "Org number");
	html_elem(h, "th", "Payment details");
	html_elem(h, "th", "On the invoice");
	html_elem(h, "th", "Submitted by");
	html_elem(h, "th", "");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < nregs; i++) {
		const sreg_rec *r = &regs[i];
		ujson *data = NULL;
		ulf_err err;
		char num[32], pay[200], inv[200], url[96];
		ulf_err_clear(&err);
		if (ujson_parse(&data, r->data, strlen(r->data), "registration", &err))
			data = NULL;
		snprintf(num, sizeof(num), "%lld", (long long)r->id);
		snprintf(pay, sizeof(pay), "BG %s PG %s IBAN %s",
			 ujson_get_str(data, "bankgiro") ? ujson_get_str(data, "bankgiro") : "-",
			 ujson_get_str(data, "plusgiro") ? ujson_get_str(data, "plusgiro") : "-",
			 ujson_get_str(data, "iban") ? ujson_get_str(data, "iban") : "-");
		snprintf(inv, sizeof(inv), "BG %s PG %s IBAN %s",
			 ujson_get_str(data, "invoice_bankgiro") ?
			 ujson_get_str(data, "invoice_bankgiro") : "-",
			 ujson_get_str(data, "invoice_plusgiro") ?
			 ujson_get_str(data, "invoice_plusgiro") : "-",
			 ujson_get_str(data, "invoice_iban") ? ujson_get_str(data, "invoice_iban")
							     : "-");
		html_open(h, "tr", "data-id", num);
		html_elem(h, "td", num);
		html_elem(h, "td", ujson_get_str(data, "name"));
		html_elem(h, "td", r->org_no);
		html_elem(h, "td", pay);
		html_elem(h, "td", inv);
		html_elem(h, "td", r->submitted_by);
		html_open(h, "td");
		if (v && v->user && strcmp(v->user, r->submitted_by) &&
		    auth_allows((auth_roles)v->roles, AUTH_QUEUE_ACT)) {
			snprintf(url, sizeof(url), "/suppliers/%lld/approve", (long long)r->id);
			html_open(h, "form", "method", "post", "action", url);
			page_form_hidden(h, v, 0);
			html_open(h, "button", "type", "submit", "class", "primary");
			html_text(h, "Approve");
			html_close(h, "button");
			html_close(h, "form");
			snprintf(url, sizeof(url), "/suppliers/%lld/decline", (long long)r->id);
			html_open(h, "form", "method", "post", "action", url);
			page_form_hidden(h, v, 0);
			html_open(h, "input", "type", "text", "name", "reason", "required", "required",
				  "maxlength", "500", "placeholder", "why not");
			html_open(h, "button", "type", "submit", "class", "danger");
			html_text(h, "Decline");
			html_close(h, "button");
			html_close(h, "form");
		} else {
			html_open(h, "span", "class", "muted");
			html_text(h, "another handler approves");
			html_close(h, "span");
		}
		html_close(h, "td");
		html_close(h, "tr");
		ujson_free(data);
	}
	html_close(h, "tbody");
	html_close(h, "table");
}
