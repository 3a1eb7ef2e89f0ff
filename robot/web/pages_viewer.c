/*
 * pages_viewer.c - an invoice shown as PEPPOL viewers show it.  See
 * pages_viewer.h.
 */
#include <stdio.h>
#include <string.h>

#include "robot/web/pages.h"
#include "robot/web/pages_viewer.h"

static void party(html *h, const char *title, const inv_party *p)
{
	size_t i;

	html_open(h, "div", "class", "party");
	html_elem(h, "h3", title);
	html_open(h, "dl", "class", "facts");
	page_fact(h, "Name", p->name.v);
	page_fact(h, "Trading name", p->trading_name.v);
	page_fact(h, "Org. number", p->legal_id.v);
	page_fact(h, "VAT number", p->vat_id.v);
	page_fact(h, "Tax status", p->legal_info.v);
	if (p->endpoint.v) {
		char ep[160];
		snprintf(ep, sizeof(ep), "%s%s%s", p->endpoint.scheme ? p->endpoint.scheme : "",
			 p->endpoint.scheme ? ":" : "", p->endpoint.v);
		page_fact(h, "Peppol id", ep);
	}
	for (i = 0; i < p->nids; i++)
		page_fact(h, "Identifier", p->ids[i].v);
	if (p->address.present) {
		html_elem(h, "dt", "Address");
		html_open(h, "dd");
		html_open(h, "address");
		if (p->address.line1.v) {
			page_text(h, p->address.line1.v);
			html_raw_literal(h, "<br>");
		}
		if (p->address.line2.v) {
			page_text(h, p->address.line2.v);
			html_raw_literal(h, "<br>");
		}
		page_text(h, p->address.postcode.v);
		html_text(h, " ");
		page_text(h, p->address.city.v);
		if (p->address.country.v) {
			html_text(h, ", ");
			html_text(h, p->address.country.v);
		}
		html_close(h, "address");
		html_close(h, "dd");
	}
	page_fact(h, "Contact", p->contact.name.v);
	page_fact(h, "Phone", p->contact.phone.v);
	page_fact(h, "E-mail", p->contact.email.v);
	html_close(h, "dl");
	html_close(h, "div");
}

static void inv_amount_td(html *h, const inv_amount *a)
{
	html_open(h, "td", "class", "num");
	if (a->set)
		html_dec(h, a->v, 2, HTML_NUM_SV);
	html_close(h, "td");
}

static void total_row(html *h, const char *label, const inv_amount *a, bool strong)
{
	if (!a->set)
		return;
	html_open(h, "tr", "class", strong ? "total" : NULL);
	html_elem(h, "td", label);
	inv_amount_td(h, a);
	html_close(h, "tr");
}

void pages_viewer(html *h, const invoice *inv)
{
	char rate[HTML_NUM_MAX + 4];
	size_t i;

	html_open(h, "div", "class", "parties");
	party(h, "Seller", &inv->seller);
	party(h, "Buyer", &inv->buyer);
	html_close(h, "div");

	html_elem(h, "h3", "Invoice");
	html_open(h, "dl", "class", "facts");
	page_fact(h, "Number", inv->id.v);
	page_fact(h, "Type", inv->type_code.v);
	page_fact(h, "Issue date", inv->issue_date.v);
	page_fact(h, "Due date", inv->due_date.v);
	page_fact(h, "Tax point date", inv->tax_point_date.v);
	page_fact(h, "Currency", inv->currency.v);
	page_fact(h, "Buyer reference", inv->buyer_reference.v);
	page_fact(h, "Order reference", inv->order_ref.v);
	page_fact(h, "Sales order", inv->sales_order_ref.v);
	page_fact(h, "Contract", inv->contract_ref.v);
	page_fact(h, "Project", inv->project_ref.v);
	page_fact(h, "Buyer accounting", inv->buyer_accounting_ref.v);
	page_fact(h, "Despatch advice", inv->despatch_advice_ref.v);
	page_fact(h, "Receiving advice", inv->receiving_advice_ref.v);
	for (i = 0; i < inv->npreceding; i++)
		page_fact(h, "Corrects invoice", inv->preceding[i].id.v);
	page_fact(h, "Payment terms", inv->payment_terms.v);
	if (inv->period.present) {
		char per[80];
		snprintf(per, sizeof(per), "%s \u2013 %s", inv->period.start.v ? inv->period.start.v : "",
			 inv->period.end.v ? inv->period.end.v : "");
		page_fact(h, "Period", per);
	}
	if (inv->delivery.present) {
		page_fact(h, "Delivered", inv->delivery.date.v);
		page_fact(h, "Delivered to", inv->delivery.party_name.v);
	}
	html_close(h, "dl");

	for (i = 0; i < inv->nnotes; i++) {
		html_open(h, "p", "class", "note");
		if (inv->notes[i].subject.v) {
			html_open(h, "b");
			page_text(h, inv->notes[i].subject.v);
			html_close(h, "b");
			html_text(h, ": ");
		}
		page_text(h, inv->notes[i].text.v);
		html_close(h, "p");
	}

	html_elem(h, "h3", "Lines");
	html_open(h, "table", "class", "compact", "id", "viewer-lines");
	html_open(h, "thead");
	html_open(h, "tr");
	html_elem(h, "th", "#");
	html_elem(h, "th", "Item");
	page_th_num(h, "Quantity");
	page_th_num(h, "Price");
	html_elem(h, "th", "VAT");
	page_th_num(h, "Net");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		size_t k;
		html_open(h, "tr");
		page_td(h, NULL, l->id.v);
		html_open(h, "td");
		page_text(h, l->item_name.v);
		if (l->item_description.v) {
			html_raw_literal(h, "<br>");
			html_open(h, "span", "class", "muted");
			page_text(h, l->item_description.v);
			html_close(h, "span");
		}
		if (l->note.v) {
			html_raw_literal(h, "<br>");
			html_open(h, "span", "class", "muted");
			page_text(h, l->note.v);
			html_close(h, "span");
		}
		for (k = 0; k < l->nacs; k++) {
			html_raw_literal(h, "<br>");
			html_open(h, "span", "class", "muted");
			html_text(h, l->acs[k].is_charge ? "charge " : "allowance ");
			if (l->acs[k].amount.set)
				html_dec(h, l->acs[k].amount.v, 2, HTML_NUM_SV);
			if (l->acs[k].reason.v) {
				html_text(h, " ");
				page_text(h, l->acs[k].reason.v);
			}
			html_close(h, "span");
		}
		html_close(h, "td");
		html_open(h, "td", "class", "num");
		if (l->quantity.set)
			html_dec(h, l->quantity.v, 0, HTML_NUM_SV);
		if (l->quantity.unit) {
			html_text(h, " ");
			html_text(h, l->quantity.unit);
		}
		html_close(h, "td");
		html_open(h, "td", "class", "num");
		if (l->price.set)
			html_dec(h, l->price.v, 2, HTML_NUM_SV);
		if (l->base_quantity.set) {
			html_text(h, " / ");
			html_dec(h, l->base_quantity.v, 0, HTML_NUM_SV);
		}
		html_close(h, "td");
		html_open(h, "td", "class", "nowrap");
		html_text(h, l->vat_category.v);
		if (l->vat_rate.set) {
			html_text(h, " ");
			html_dec(h, l->vat_rate.v, 0, HTML_NUM_SV);
			html_text(h, " %");
		}
		html_close(h, "td");
		inv_amount_td(h, &l->net);
		html_close(h, "tr");
	}
	html_close(h, "tbody");
	html_close(h, "table");

	if (inv->nacs) {
		html_elem(h, "h3", "Allowances and charges");
		html_open(h, "table", "class", "compact");
		html_open(h, "tbody");
		for (i = 0; i < inv->nacs; i++) {
			const inv_allowance_charge *a = &inv->acs[i];
			html_open(h, "tr");
			html_elem(h, "td", a->is_charge ? "charge" : "allowance");
			page_td(h, NULL, a->reason.v ? a->reason.v : a->reason_code.v);
			html_open(h, "td", "class", "nowrap");
			html_text(h, a->vat_category.v);
			if (a->vat_rate.set) {
				html_text(h, " ");
				html_dec(h, a->vat_rate.v, 0, HTML_NUM_SV);
				html_text(h, " %");
			}
			html_close(h, "td");
			inv_amount_td(h, &a->amount);
			html_close(h, "tr");
		}
		html_close(h, "tbody");
		html_close(h, "table");
	}

	html_open(h, "div", "class", "grid2");
	html_open(h, "div");
	html_elem(h, "h3", "VAT breakdown");
	html_open(h, "table", "class", "compact", "id", "vat-breakdown");
	html_open(h, "thead");
	html_open(h, "tr");
	html_elem(h, "th", "Category");
	page_th_num(h, "Rate");
	page_th_num(h, "Taxable");
	page_th_num(h, "VAT");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < inv->nvat; i++) {
		const inv_vat *t = &inv->vat[i];
		html_open(h, "tr");
		html_open(h, "td");
		html_text(h, t->category.v);
		if (t->exemption_reason.v || t->exemption_code.v) {
			html_text(h, " \u2013 ");
			page_text(h, t->exemption_reason.v ? t->exemption_reason.v : t->exemption_code.v);
		}
		html_close(h, "td");
		html_open(h, "td", "class", "num");
		if (t->rate.set) {
			html_format_dec(rate, sizeof(rate), t->rate.v, 0, HTML_NUM_SV);
			html_text(h, rate);
			html_text(h, " %");
		}
		html_close(h, "td");
		inv_amount_td(h, &t->taxable);
		inv_amount_td(h, &t->tax);
		html_close(h, "tr");
	}
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "div");

	html_open(h, "div");
	html_elem(h, "h3", "Totals");
	html_open(h, "table", "class", "compact", "id", "totals");
	html_open(h, "tbody");
	total_row(h, "Sum of lines", &inv->totals.line_extension, false);
	total_row(h, "Allowances", &inv->totals.allowance_total, false);
	total_row(h, "Charges", &inv->totals.charge_total, false);
	total_row(h, "Net (excl. VAT)", &inv->totals.tax_exclusive, false);
	total_row(h, "VAT", &inv->totals.tax, false);
	total_row(h, "Total (incl. VAT)", &inv->totals.tax_inclusive, false);
	total_row(h, "Paid in advance", &inv->totals.prepaid, false);
	total_row(h, "Rounding", &inv->totals.rounding, false);
	total_row(h, "To pay", &inv->totals.payable, true);
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "div");
	html_close(h, "div");

	if (inv->npayments) {
		html_elem(h, "h3", "Payment");
		html_open(h, "dl", "class", "facts");
		for (i = 0; i < inv->npayments; i++) {
			const inv_payment *p = &inv->payments[i];
			page_fact(h, "Means", p->means_text.v ? p->means_text.v : p->means_code.v);
			page_fact(h, "Account", p->account.id.v);
			page_fact(h, "Account kind / BIC", p->account.bic.v);
			page_fact(h, "Account name", p->account.name.v);
			page_fact(h, "Payment reference", p->remittance.v);
		}
		html_close(h, "dl");
	}
}

