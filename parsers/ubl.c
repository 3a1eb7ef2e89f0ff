/*
 * ubl.c - PEPPOL BIS Billing 3.0 / UBL 2.1 into the canonical model.
 *
 * The mapping follows the BIS 3 syntax binding of EN 16931: each business
 * term comes from one UBL path, named in the comments.  Invoice and
 * CreditNote differ only in a few element names (InvoiceLine/CreditNoteLine,
 * InvoicedQuantity/CreditedQuantity, the type code, where the due date
 * sits), which `flavour` carries.
 */
#include <string.h>

#include "parsers/ns.h"
#include "parsers/read.h"
#include "parsers/ubl.h"

#define CAC NS_UBL_CAC
#define CBC NS_UBL_CBC

typedef struct flavour {
	inv_kind kind;
	const char *root_ns;
	const char *type_code;   /* InvoiceTypeCode / CreditNoteTypeCode */
	const char *line;        /* InvoiceLine / CreditNoteLine */
	const char *quantity;    /* InvoicedQuantity / CreditedQuantity */
} flavour;

static const flavour invoice_flavour = {
	INV_KIND_INVOICE, NS_UBL_INVOICE, "InvoiceTypeCode", "InvoiceLine",
	"InvoicedQuantity"
};
static const flavour creditnote_flavour = {
	INV_KIND_CREDIT_NOTE, NS_UBL_CREDITNOTE, "CreditNoteTypeCode",
	"CreditNoteLine", "CreditedQuantity"
};

static const flavour *flavour_of(const xml_node *root)
{
	if (xml_is(root, NS_UBL_INVOICE, "Invoice"))
		return &invoice_flavour;
	if (xml_is(root, NS_UBL_CREDITNOTE, "CreditNote"))
		return &creditnote_flavour;
	return NULL;
}

bool ubl_is_invoice(const xml_doc *doc)
{
	return flavour_of(xml_root(doc)) != NULL;
}

/* cac:X/cbc:Y, the common two-step path. */
static const xml_node *path2(const xml_node *n, const char *cac, const char *cbc)
{
	return xml_child(xml_child(n, CAC, cac), CBC, cbc);
}

static void read_address(rd *r, inv_address *a, const xml_node *n)
{
	if (!n)
		return;
	a->present = true;
	rd_text(r, &a->line1, xml_child(n, CBC, "StreetName"));
	rd_text(r, &a->line2, xml_child(n, CBC, "AdditionalStreetName"));
	rd_text(r, &a->line3, path2(n, "AddressLine", "Line"));
	rd_text(r, &a->city, xml_child(n, CBC, "CityName"));
	rd_text(r, &a->postcode, xml_child(n, CBC, "PostalZone"));
	rd_text(r, &a->subdivision, xml_child(n, CBC, "CountrySubentity"));
	rd_text(r, &a->country, path2(n, "Country", "IdentificationCode"));
}

static void read_contact(rd *r, inv_contact *c, const xml_node *n)
{
	if (!n)
		return;
	c->present = true;
	rd_text(r, &c->name, xml_child(n, CBC, "Name"));
	rd_text(r, &c->phone, xml_child(n, CBC, "Telephone"));
	rd_text(r, &c->email, xml_child(n, CBC, "ElectronicMail"));
}

/*
 * cac:Party.  For the seller and buyer the legal name is
 * PartyLegalEntity/RegistrationName and PartyName/Name is the trading name;
 * payee and tax representative have only PartyName/Name as their name.
 */
static void read_party(rd *r, inv_party *p, const xml_node *n, bool legal_name)
{
	const xml_node *c, *le;
	size_t i = 0;

	if (!n)
		return;
	p->present = true;
	p->line = xml_line(n);
	rd_id(r, &p->endpoint, xml_child(n, CBC, "EndpointID"), "schemeID");
	p->ids = rd_array(r, &p->nids, n, CAC, "PartyIdentification", sizeof(inv_id));
	for (c = xml_child(n, CAC, "PartyIdentification"); c && p->ids;
	     c = xml_next(c, CAC, "PartyIdentification"))
		rd_id(r, &p->ids[i++], xml_child(c, CBC, "ID"), "schemeID");
	rd_text(r, legal_name ? &p->trading_name : &p->name,
		path2(n, "PartyName", "Name"));
	read_address(r, &p->address, xml_child(n, CAC, "PostalAddress"));
	for (c = xml_child(n, CAC, "PartyTaxScheme"); c; c = xml_next(c, CAC, "PartyTaxScheme")) {
		const char *scheme = rd_str(r, path2(c, "TaxScheme", "ID"));
		if (scheme && strcmp(scheme, "VAT") == 0 && !p->vat_id.v)
			rd_text(r, &p->vat_id, xml_child(c, CBC, "CompanyID"));
		else if (!p->tax_reg_id.v)
			rd_text(r, &p->tax_reg_id, xml_child(c, CBC, "CompanyID"));
	}
	le = xml_child(n, CAC, "PartyLegalEntity");
	if (le) {
		if (legal_name)
			rd_text(r, &p->name, xml_child(le, CBC, "RegistrationName"));
		rd_id(r, &p->legal_id, xml_child(le, CBC, "CompanyID"), "schemeID");
		rd_text(r, &p->legal_info, xml_child(le, CBC, "CompanyLegalForm"));
	}
	read_contact(r, &p->contact, xml_child(n, CAC, "Contact"));
}

static void read_period(rd *r, inv_period *p, const xml_node *n)
{
	if (!n)
		return;
	p->present = true;
	rd_text(r, &p->start, xml_child(n, CBC, "StartDate"));
	rd_text(r, &p->end, xml_child(n, CBC, "EndDate"));
	rd_text(r, &p->code, xml_child(n, CBC, "DescriptionCode"));
}

static void read_allowance_charge(rd *r, inv_allowance_charge *ac, const xml_node *n)
{
	const xml_node *tc = xml_child(n, CAC, "TaxCategory");

	ac->line = xml_line(n);
	ac->is_charge = rd_bool(r, xml_child(n, CBC, "ChargeIndicator")) == 1;
	rd_amount(r, &ac->amount, xml_child(n, CBC, "Amount"), "currencyID");
	rd_amount(r, &ac->base, xml_child(n, CBC, "BaseAmount"), "currencyID");
	rd_num(r, &ac->percent, xml_child(n, CBC, "MultiplierFactorNumeric"));
	rd_text(r, &ac->reason, xml_child(n, CBC, "AllowanceChargeReason"));
	rd_text(r, &ac->reason_code, xml_child(n, CBC, "AllowanceChargeReasonCode"));
	rd_text(r, &ac->vat_category, xml_child(tc, CBC, "ID"));
	rd_num(r, &ac->vat_rate, xml_child(tc, CBC, "Percent"));
}

static inv_allowance_charge *read_allowance_charges(rd *r, size_t *count,
						    const xml_node *parent)
{
	inv_allowance_charge *acs;
	const xml_node *c;
	size_t i = 0;

	acs = rd_array(r, count, parent, CAC, "AllowanceCharge", sizeof(*acs));
	for (c = xml_child(parent, CAC, "AllowanceCharge"); c && acs;
	     c = xml_next(c, CAC, "AllowanceCharge"))
		read_allowance_charge(r, &acs[i++], c);
	return acs;
}

static void read_payment(rd *r, inv_payment *p, const xml_node *n)
{
	const xml_node *code = xml_child(n, CBC, "PaymentMeansCode");
	const xml_node *acct = xml_child(n, CAC, "PayeeFinancialAccount");
	const xml_node *card = xml_child(n, CAC, "CardAccount");
	const xml_node *mandate = xml_child(n, CAC, "PaymentMandate");

	p->line = xml_line(n);
	rd_text(r, &p->means_code, code);
	if (code && xml_attr(code, "name")) {
		p->means_text.v = rd_dup(r, xml_attr(code, "name"));
		p->means_text.line = xml_line(code);
	}
	rd_text(r, &p->remittance, xml_child(n, CBC, "PaymentID"));
	rd_text(r, &p->account.id, xml_child(acct, CBC, "ID"));
	rd_text(r, &p->account.name, xml_child(acct, CBC, "Name"));
	rd_text(r, &p->account.bic, path2(acct, "FinancialInstitutionBranch", "ID"));
	rd_text(r, &p->card_pan, xml_child(card, CBC, "PrimaryAccountNumberID"));
	rd_text(r, &p->card_holder, xml_child(card, CBC, "HolderName"));
	rd_text(r, &p->mandate_id, xml_child(mandate, CBC, "ID"));
	rd_text(r, &p->debited_account, path2(mandate, "PayerFinancialAccount", "ID"));
}

static void read_docref(rd *r, inv_docref *d, const xml_node *n)
{
	const xml_node *att = xml_child(n, CAC, "Attachment");
	const xml_node *bin = xml_child(att, CBC, "EmbeddedDocumentBinaryObject");

	d->line = xml_line(n);
	rd_id(r, &d->id, xml_child(n, CBC, "ID"), "schemeID");
	rd_text(r, &d->type_code, xml_child(n, CBC, "DocumentTypeCode"));
	rd_text(r, &d->description, xml_child(n, CBC, "DocumentDescription"));
	rd_text(r, &d->uri, path2(att, "ExternalReference", "URI"));
	if (bin && !r->rc)
		rd_attachment(r, &d->attachment, bin, xml_attr(bin, "mimeCode"),
			      xml_attr(bin, "filename"));
}

/*
 * BT-110 is the TaxTotal carrying the VAT breakdown (or, lacking one, the
 * first in the document currency); another TaxTotal, without breakdown, is
 * BT-111 in the tax currency.  Subtotals are taken from every TaxTotal so
 * that validation can see a misplaced one.
 */
static const xml_node *pick_tax_total(const invoice *inv, const xml_node *root)
{
	const xml_node *tt, *first_doc_cur = NULL;

	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal")) {
		const char *cur = xml_attr(xml_child(tt, CBC, "TaxAmount"), "currencyID");
		if (xml_child(tt, CAC, "TaxSubtotal"))
			return tt;
		if (!first_doc_cur && cur && inv->currency.v && strcmp(cur, inv->currency.v) == 0)
			first_doc_cur = tt;
	}
	return first_doc_cur ? first_doc_cur : xml_child(root, CAC, "TaxTotal");
}

static void read_tax_totals(rd *r, invoice *inv, const xml_node *root)
{
	const xml_node *tt, *st, *main_tt = pick_tax_total(inv, root);
	size_t n = 0, i = 0;

	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal")) {
		n += xml_count(tt, CAC, "TaxSubtotal");
		if (tt == main_tt)
			rd_amount(r, &inv->totals.tax, xml_child(tt, CBC, "TaxAmount"), "currencyID");
		else if (!inv->totals.tax_accounting.line)
			rd_amount(r, &inv->totals.tax_accounting,
				  xml_child(tt, CBC, "TaxAmount"), "currencyID");
	}
	if (n == 0 || r->rc)
		return;
	inv->vat = invoice_alloc(inv, n, sizeof(*inv->vat));
	if (!inv->vat) {
		rd_nomem(r);
		return;
	}
	inv->nvat = n;
	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal")) {
		for (st = xml_child(tt, CAC, "TaxSubtotal"); st; st = xml_next(st, CAC, "TaxSubtotal")) {
			inv_vat *v = &inv->vat[i++];
			const xml_node *cat = xml_child(st, CAC, "TaxCategory");

			v->line = xml_line(st);
			rd_amount(r, &v->taxable, xml_child(st, CBC, "TaxableAmount"), "currencyID");
			rd_amount(r, &v->tax, xml_child(st, CBC, "TaxAmount"), "currencyID");
			rd_text(r, &v->category, xml_child(cat, CBC, "ID"));
			rd_num(r, &v->rate, xml_child(cat, CBC, "Percent"));
			rd_text(r, &v->exemption_reason, xml_child(cat, CBC, "TaxExemptionReason"));
			rd_text(r, &v->exemption_code, xml_child(cat, CBC, "TaxExemptionReasonCode"));
		}
	}
}

static void read_totals(rd *r, inv_totals *t, const xml_node *n)
{
	if (!n)
		return;
	rd_amount(r, &t->line_extension, xml_child(n, CBC, "LineExtensionAmount"), "currencyID");
	rd_amount(r, &t->tax_exclusive, xml_child(n, CBC, "TaxExclusiveAmount"), "currencyID");
	rd_amount(r, &t->tax_inclusive, xml_child(n, CBC, "TaxInclusiveAmount"), "currencyID");
	rd_amount(r, &t->allowance_total, xml_child(n, CBC, "AllowanceTotalAmount"), "currencyID");
	rd_amount(r, &t->charge_total, xml_child(n, CBC, "ChargeTotalAmount"), "currencyID");
	rd_amount(r, &t->prepaid, xml_child(n, CBC, "PrepaidAmount"), "currencyID");
	rd_amount(r, &t->rounding, xml_child(n, CBC, "PayableRoundingAmount"), "currencyID");
	rd_amount(r, &t->payable, xml_child(n, CBC, "PayableAmount"), "currencyID");
}

static void read_item(rd *r, inv_line *l, const xml_node *item)
{
	const xml_node *c, *tc = xml_child(item, CAC, "ClassifiedTaxCategory");
	size_t i = 0;

	if (!item)
		return;
	rd_text(r, &l->item_name, xml_child(item, CBC, "Name"));
	rd_text(r, &l->item_description, xml_child(item, CBC, "Description"));
	rd_text(r, &l->seller_item_id, path2(item, "SellersItemIdentification", "ID"));
	rd_text(r, &l->buyer_item_id, path2(item, "BuyersItemIdentification", "ID"));
	rd_id(r, &l->standard_item_id, path2(item, "StandardItemIdentification", "ID"), "schemeID");
	rd_text(r, &l->origin_country, path2(item, "OriginCountry", "IdentificationCode"));
	l->classifications = rd_array(r, &l->nclassifications, item, CAC,
				      "CommodityClassification", sizeof(inv_id));
	for (c = xml_child(item, CAC, "CommodityClassification"); c && l->classifications;
	     c = xml_next(c, CAC, "CommodityClassification"))
		rd_id(r, &l->classifications[i++], xml_child(c, CBC, "ItemClassificationCode"), "listID");
	rd_text(r, &l->vat_category, xml_child(tc, CBC, "ID"));
	rd_num(r, &l->vat_rate, xml_child(tc, CBC, "Percent"));
	i = 0;
	l->attrs = rd_array(r, &l->nattrs, item, CAC, "AdditionalItemProperty", sizeof(inv_attr));
	for (c = xml_child(item, CAC, "AdditionalItemProperty"); c && l->attrs;
	     c = xml_next(c, CAC, "AdditionalItemProperty")) {
		rd_text(r, &l->attrs[i].name, xml_child(c, CBC, "Name"));
		rd_text(r, &l->attrs[i].value, xml_child(c, CBC, "Value"));
		i++;
	}
}

static void read_price(rd *r, inv_line *l, const xml_node *price)
{
	const xml_node *ac = xml_child(price, CAC, "AllowanceCharge");

	if (!price)
		return;
	rd_amount(r, &l->price, xml_child(price, CBC, "PriceAmount"), "currencyID");
	rd_qty(r, &l->base_quantity, xml_child(price, CBC, "BaseQuantity"), "unitCode");
	if (ac) {
		rd_amount(r, &l->price_discount, xml_child(ac, CBC, "Amount"), "currencyID");
		rd_amount(r, &l->gross_price, xml_child(ac, CBC, "BaseAmount"), "currencyID");
	}
}

static void read_line(rd *r, const flavour *f, inv_line *l, const xml_node *n)
{
	const xml_node *dr = xml_child(n, CAC, "DocumentReference");

	l->line = xml_line(n);
	rd_text(r, &l->id, xml_child(n, CBC, "ID"));
	rd_text(r, &l->note, xml_child(n, CBC, "Note"));
	rd_qty(r, &l->quantity, xml_child(n, CBC, f->quantity), "unitCode");
	rd_amount(r, &l->net, xml_child(n, CBC, "LineExtensionAmount"), "currencyID");
	rd_text(r, &l->accounting_ref, xml_child(n, CBC, "AccountingCost"));
	read_period(r, &l->period, xml_child(n, CAC, "InvoicePeriod"));
	rd_text(r, &l->order_line_ref, path2(n, "OrderLineReference", "LineID"));
	rd_id(r, &l->object_id, xml_child(dr, CBC, "ID"), "schemeID");
	l->acs = read_allowance_charges(r, &l->nacs, n);
	read_item(r, l, xml_child(n, CAC, "Item"));
	read_price(r, l, xml_child(n, CAC, "Price"));
}

static void read_header(rd *r, const flavour *f, invoice *inv, const xml_node *root)
{
	const xml_node *c, *order;
	size_t i;

	rd_text(r, &inv->customization, xml_child(root, CBC, "CustomizationID"));
	rd_text(r, &inv->profile, xml_child(root, CBC, "ProfileID"));
	rd_text(r, &inv->id, xml_child(root, CBC, "ID"));
	rd_text(r, &inv->issue_date, xml_child(root, CBC, "IssueDate"));
	rd_text(r, &inv->due_date, xml_child(root, CBC, "DueDate"));
	rd_text(r, &inv->type_code, xml_child(root, CBC, f->type_code));
	rd_text(r, &inv->tax_point_date, xml_child(root, CBC, "TaxPointDate"));
	rd_text(r, &inv->currency, xml_child(root, CBC, "DocumentCurrencyCode"));
	rd_text(r, &inv->tax_currency, xml_child(root, CBC, "TaxCurrencyCode"));
	rd_text(r, &inv->buyer_accounting_ref, xml_child(root, CBC, "AccountingCost"));
	rd_text(r, &inv->buyer_reference, xml_child(root, CBC, "BuyerReference"));

	inv->notes = rd_array(r, &inv->nnotes, root, CBC, "Note", sizeof(inv_note));
	i = 0;
	for (c = xml_child(root, CBC, "Note"); c && inv->notes; c = xml_next(c, CBC, "Note"))
		rd_text(r, &inv->notes[i++].text, c);

	read_period(r, &inv->period, xml_child(root, CAC, "InvoicePeriod"));
	order = xml_child(root, CAC, "OrderReference");
	rd_text(r, &inv->order_ref, xml_child(order, CBC, "ID"));
	rd_text(r, &inv->sales_order_ref, xml_child(order, CBC, "SalesOrderID"));

	inv->preceding = rd_array(r, &inv->npreceding, root, CAC, "BillingReference",
				  sizeof(inv_preceding));
	i = 0;
	for (c = xml_child(root, CAC, "BillingReference"); c && inv->preceding;
	     c = xml_next(c, CAC, "BillingReference")) {
		const xml_node *idr = xml_child(c, CAC, "InvoiceDocumentReference");
		rd_text(r, &inv->preceding[i].id, xml_child(idr, CBC, "ID"));
		rd_text(r, &inv->preceding[i].issue_date, xml_child(idr, CBC, "IssueDate"));
		i++;
	}
	rd_text(r, &inv->despatch_advice_ref, path2(root, "DespatchDocumentReference", "ID"));
	rd_text(r, &inv->receiving_advice_ref, path2(root, "ReceiptDocumentReference", "ID"));
	rd_text(r, &inv->tender_ref, path2(root, "OriginatorDocumentReference", "ID"));
	rd_text(r, &inv->contract_ref, path2(root, "ContractDocumentReference", "ID"));
	rd_text(r, &inv->project_ref, path2(root, "ProjectReference", "ID"));

	inv->docs = rd_array(r, &inv->ndocs, root, CAC, "AdditionalDocumentReference",
			     sizeof(inv_docref));
	i = 0;
	for (c = xml_child(root, CAC, "AdditionalDocumentReference"); c && inv->docs && !r->rc;
	     c = xml_next(c, CAC, "AdditionalDocumentReference")) {
		inv_docref *d = &inv->docs[i++];
		read_docref(r, d, c);
		/* BT-18 and, on credit notes, BT-11 travel as typed references */
		if (d->type_code.v && strcmp(d->type_code.v, "130") == 0 && !inv->invoiced_object.v)
			inv->invoiced_object = d->id;
		if (d->type_code.v && strcmp(d->type_code.v, "50") == 0 && !inv->project_ref.v) {
			inv->project_ref.v = d->id.v;
			inv->project_ref.line = d->id.line;
		}
	}
}

static void read_delivery(rd *r, inv_delivery *d, const xml_node *n)
{
	const xml_node *loc;

	if (!n)
		return;
	d->present = true;
	rd_text(r, &d->date, xml_child(n, CBC, "ActualDeliveryDate"));
	loc = xml_child(n, CAC, "DeliveryLocation");
	rd_id(r, &d->location_id, xml_child(loc, CBC, "ID"), "schemeID");
	read_address(r, &d->address, xml_child(loc, CAC, "Address"));
	rd_text(r, &d->party_name, path2(xml_child(n, CAC, "DeliveryParty"), "PartyName", "Name"));
}

int ubl_read(invoice **out, const xml_doc *doc, const char *name,
	     const inv_limits *limits, ulf_err *err)
{
	static const inv_limits defaults = {
		INV_DEFAULT_MAX_ATTACHMENT, INV_DEFAULT_MAX_MODEL
	};
	const xml_node *root = xml_root(doc), *c;
	const flavour *f = flavour_of(root);
	invoice *inv = NULL;
	rd r;
	size_t i;

	*out = NULL;
	if (!f)
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not a UBL invoice: root is {%s}%s",
				   name, xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	if (!limits)
		limits = &defaults;
	inv = invoice_new(INV_SYNTAX_UBL, f->kind, limits);
	if (!inv)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	inv->root_ns = f->root_ns;
	memset(&r, 0, sizeof(r));
	r.inv = inv;
	r.limits = limits;
	r.name = name;
	r.err = err;

	read_header(&r, f, inv, root);
	read_party(&r, &inv->seller,
		   xml_child(xml_child(root, CAC, "AccountingSupplierParty"), CAC, "Party"), true);
	read_party(&r, &inv->buyer,
		   xml_child(xml_child(root, CAC, "AccountingCustomerParty"), CAC, "Party"), true);
	read_party(&r, &inv->payee, xml_child(root, CAC, "PayeeParty"), false);
	read_party(&r, &inv->tax_rep, xml_child(root, CAC, "TaxRepresentativeParty"), false);
	read_delivery(&r, &inv->delivery, xml_child(root, CAC, "Delivery"));

	inv->payments = rd_array(&r, &inv->npayments, root, CAC, "PaymentMeans", sizeof(inv_payment));
	i = 0;
	for (c = xml_child(root, CAC, "PaymentMeans"); c && inv->payments;
	     c = xml_next(c, CAC, "PaymentMeans")) {
		read_payment(&r, &inv->payments[i++], c);
		/* a credit note's due date lives in its payment means */
		if (!inv->due_date.v)
			rd_text(&r, &inv->due_date, xml_child(c, CBC, "PaymentDueDate"));
	}
	rd_text(&r, &inv->payment_terms, path2(root, "PaymentTerms", "Note"));
	inv->acs = read_allowance_charges(&r, &inv->nacs, root);
	read_tax_totals(&r, inv, root);
	read_totals(&r, &inv->totals, xml_child(root, CAC, "LegalMonetaryTotal"));

	inv->lines = rd_array(&r, &inv->nlines, root, CAC, f->line, sizeof(inv_line));
	i = 0;
	for (c = xml_child(root, CAC, f->line); c && inv->lines && !r.rc;
	     c = xml_next(c, CAC, f->line))
		read_line(&r, f, &inv->lines[i++], c);

	if (r.rc) {
		invoice_free(inv);
		return r.rc;
	}
	*out = inv;
	return 0;
}
