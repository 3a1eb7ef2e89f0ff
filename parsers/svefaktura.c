/*
 * svefaktura.c - SFTI Svefaktura 1.0 (BasicInvoice 1.0) into the canonical
 * model, and the ObjectEnvelope that carries its attachments.
 *
 * Svefaktura is UBL 1.0 trimmed by SFTI: the aggregates are SFTI's own
 * (identifiers are cac:ID, not cbc:ID), a few header elements sit in the
 * document namespace, amounts say amountCurrencyID and quantities
 * quantityUnitCode.  Every path below is checked against the SFTI schemas;
 * the EN 16931 terms they map to are named in the comments.  The format has
 * no order reference at header level, no payable amount and no electronic
 * address: BT-13 is taken from the lines and BT-115 is derived.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/text.h"
#include "parsers/ns.h"
#include "parsers/read.h"
#include "parsers/svefaktura.h"

#define SVE NS_SVE_INVOICE
#define ENV NS_SVE_ENVELOPE
#define CAC NS_SVE_CAC
#define CBC NS_SVE_CBC

#define CUR "amountCurrencyID"
#define UNIT "quantityUnitCode"
#define SCHEME "identificationSchemeID"

#define OBJECT_URN "urn:sfti:documents:object:"

bool svefaktura_is_invoice(const xml_doc *doc)
{
	return xml_is(xml_root(doc), SVE, "Invoice");
}

bool svefaktura_is_envelope(const xml_doc *doc)
{
	return xml_is(xml_root(doc), ENV, "ObjectEnvelope");
}

/* cac:X/cac:ID, the SFTI way of holding an identifier. */
static const xml_node *cac_id(const xml_node *n, const char *cac)
{
	return xml_child(xml_child(n, CAC, cac), CAC, "ID");
}

/*
 * Svefaktura dates some terms as xsd:dateTime (ActualDeliveryDateTime,
 * StartDateTime); the model holds dates, so the time is cut off.
 */
static void read_date(rd *r, inv_text *out, const xml_node *n)
{
	const char *t;

	rd_text(r, out, n);
	if (!out->v || r->rc)
		return;
	t = strchr(out->v, 'T');
	if (!t)
		return;
	out->v = arena_strndup(&r->inv->mem, out->v, (size_t)(t - out->v));
	if (!out->v)
		rd_nomem(r);
}

/*
 * SFTIAddressType has no AdditionalStreetName and no CountrySubentity: the
 * second line is the post box, the third the first free address line or,
 * lacking one, the department.
 */
static void read_address(rd *r, inv_address *a, const xml_node *n)
{
	const xml_node *line = xml_child(xml_child(n, CAC, "AddressLine"), CBC, "Line");

	if (!n)
		return;
	a->present = true;
	rd_text(r, &a->line1, xml_child(n, CBC, "StreetName"));
	rd_text(r, &a->line2, xml_child(n, CBC, "Postbox"));
	rd_text(r, &a->line3, line ? line : xml_child(n, CBC, "Department"));
	rd_text(r, &a->city, xml_child(n, CBC, "CityName"));
	rd_text(r, &a->postcode, xml_child(n, CBC, "PostalZone"));
	rd_text(r, &a->country, xml_child(xml_child(n, CAC, "Country"), CAC, "IdentificationCode"));
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
 * cac:Party.  The Swedish org number and the F-skatt text travel as a tax
 * scheme of their own, SWT; the VAT number as scheme VAT.
 */
static void read_party(rd *r, inv_party *p, const xml_node *n)
{
	const xml_node *c;
	size_t i = 0;

	if (!n)
		return;
	p->present = true;
	p->line = xml_line(n);
	p->ids = rd_array(r, &p->nids, n, CAC, "PartyIdentification", sizeof(inv_id));
	for (c = xml_child(n, CAC, "PartyIdentification"); c && p->ids;
	     c = xml_next(c, CAC, "PartyIdentification"))
		rd_id(r, &p->ids[i++], xml_child(c, CAC, "ID"), SCHEME);
	rd_text(r, &p->name, xml_child(xml_child(n, CAC, "PartyName"), CBC, "Name"));
	read_address(r, &p->address, xml_child(n, CAC, "Address"));
	for (c = xml_child(n, CAC, "PartyTaxScheme"); c && !r->rc;
	     c = xml_next(c, CAC, "PartyTaxScheme")) {
		const char *scheme = rd_str(r, cac_id(c, "TaxScheme"));
		const xml_node *company = xml_child(c, CAC, "CompanyID");

		if (scheme && strcmp(scheme, "SWT") == 0 && !p->legal_id.v) {
			rd_id(r, &p->legal_id, company, NULL);
			rd_text(r, &p->legal_info, xml_child(c, CBC, "ExemptionReason"));
		} else if (scheme && strcmp(scheme, "VAT") == 0 && !p->vat_id.v) {
			rd_text(r, &p->vat_id, company);
		} else if (!p->tax_reg_id.v) {
			rd_text(r, &p->tax_reg_id, company);
		}
	}
	read_contact(r, &p->contact, xml_child(n, CAC, "Contact"));
}

/* SFTIAllowanceChargeType (header) and SFTIInvoiceLineAllowanceCharge
 * (line): the line flavour has only the indicator and the amounts. */
static void read_allowance_charge(rd *r, inv_allowance_charge *ac, const xml_node *n)
{
	const xml_node *reason = xml_child(n, CAC, "ReasonCode");
	const xml_node *tc = xml_child(n, CAC, "TaxCategory");

	ac->line = xml_line(n);
	ac->is_charge = rd_bool(r, xml_child(n, CBC, "ChargeIndicator")) == 1;
	rd_amount(r, &ac->amount, xml_child(n, CBC, "Amount"), CUR);
	rd_amount(r, &ac->base, xml_child(n, CAC, "AllowanceChargeBaseAmount"), CUR);
	/* a UBL 1.0 multiplier factor; taken as written, like BIS 3 */
	rd_num(r, &ac->percent, xml_child(n, CBC, "MultiplierFactorNumeric"));
	rd_text(r, &ac->reason_code, reason);
	if (reason && xml_attr(reason, "name") && !r->rc) {
		ac->reason.v = rd_dup(r, xml_attr(reason, "name"));
		ac->reason.line = xml_line(reason);
	}
	rd_text(r, &ac->vat_category, xml_child(tc, CAC, "ID"));
	rd_num(r, &ac->vat_rate, xml_child(tc, CBC, "Percent"));
}

static inv_allowance_charge *read_allowance_charges(rd *r, size_t *count,
						    const xml_node *parent, const char *ns)
{
	inv_allowance_charge *acs;
	const xml_node *c;
	size_t i = 0;

	acs = rd_array(r, count, parent, ns, "AllowanceCharge", sizeof(*acs));
	for (c = xml_child(parent, ns, "AllowanceCharge"); c && acs;
	     c = xml_next(c, ns, "AllowanceCharge"))
		read_allowance_charge(r, &acs[i++], c);
	return acs;
}

/*
 * cac:PaymentMeans.  The bank is named by its BIC-like code as written:
 * BGABSESS is bankgiro, PGSISESS plusgiro.  PaymentInstructionID is the
 * OCR reference.
 */
static void read_payment(rd *r, inv_payment *p, const xml_node *n)
{
	const xml_node *code = xml_child(n, CAC, "PaymentMeansTypeCode");
	const xml_node *acct = xml_child(n, CAC, "PayeeFinancialAccount");
	const xml_node *branch = xml_child(acct, CAC, "FinancialInstitutionBranch");

	p->line = xml_line(n);
	rd_text(r, &p->means_code, code);
	if (code && xml_attr(code, "name") && !r->rc) {
		p->means_text.v = rd_dup(r, xml_attr(code, "name"));
		p->means_text.line = xml_line(code);
	}
	rd_text(r, &p->account.id, xml_child(acct, CAC, "ID"));
	rd_text(r, &p->account.bic, cac_id(branch, "FinancialInstitution"));
	rd_text(r, &p->remittance, xml_child(acct, CAC, "PaymentInstructionID"));
	rd_text(r, &p->account.name, xml_child(xml_child(n, CAC, "PayeePartyName"), CBC, "Name"));
}

/*
 * BT-110 is the TaxTotal whose subtotals are VAT (or the first).  BT-111 is
 * not a total of its own in Svefaktura: it is the sum of that TaxTotal's
 * TaxCurrencyTaxAmount.  Subtotals are taken from every TaxTotal so that
 * validation can see a misplaced one.
 */
static const xml_node *pick_tax_total(rd *r, const xml_node *root)
{
	const xml_node *tt, *st;

	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal")) {
		for (st = xml_child(tt, CAC, "TaxSubTotal"); st; st = xml_next(st, CAC, "TaxSubTotal")) {
			const xml_node *scheme = cac_id(xml_child(st, CAC, "TaxCategory"), "TaxScheme");
			const char *s = scheme ? rd_str(r, scheme) : NULL;

			if (s && strcmp(s, "VAT") == 0)
				return tt;
		}
	}
	return xml_child(root, CAC, "TaxTotal");
}

static void sum_tax_currency(rd *r, inv_amount *out, const xml_node *tt)
{
	const xml_node *st;
	bool bad = false;

	for (st = xml_child(tt, CAC, "TaxSubTotal"); st && !r->rc;
	     st = xml_next(st, CAC, "TaxSubTotal")) {
		const xml_node *n = xml_child(st, CAC, "TaxCurrencyTaxAmount");
		inv_amount a = { 0 };

		if (!n)
			continue;
		rd_amount(r, &a, n, CUR);
		if (!out->line) {
			*out = a;
		} else if (!a.set) {
			bad = true;
		} else if (out->set && dec_add(&out->v, out->v, a.v)) {
			rd_problem(r, n, "the VAT total in tax currency does not fit");
			bad = true;
		}
	}
	/* a sum with an unreadable part is no sum */
	if (bad)
		out->set = false;
}

static void read_tax_totals(rd *r, invoice *inv, const xml_node *root)
{
	const xml_node *tt, *st, *main_tt = pick_tax_total(r, root);
	size_t n = 0, i = 0;

	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal"))
		n += xml_count(tt, CAC, "TaxSubTotal");
	rd_amount(r, &inv->totals.tax, xml_child(main_tt, CBC, "TotalTaxAmount"), CUR);
	sum_tax_currency(r, &inv->totals.tax_accounting, main_tt);
	if (n == 0 || r->rc)
		return;
	inv->vat = invoice_alloc(inv, n, sizeof(*inv->vat));
	if (!inv->vat) {
		rd_nomem(r);
		return;
	}
	inv->nvat = n;
	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal")) {
		for (st = xml_child(tt, CAC, "TaxSubTotal"); st; st = xml_next(st, CAC, "TaxSubTotal")) {
			inv_vat *v = &inv->vat[i++];
			const xml_node *cat = xml_child(st, CAC, "TaxCategory");

			v->line = xml_line(st);
			rd_amount(r, &v->taxable, xml_child(st, CBC, "TaxableAmount"), CUR);
			rd_amount(r, &v->tax, xml_child(st, CBC, "TaxAmount"), CUR);
			rd_text(r, &v->category, xml_child(cat, CAC, "ID"));
			rd_num(r, &v->rate, xml_child(cat, CBC, "Percent"));
			rd_text(r, &v->exemption_reason, xml_child(cat, CBC, "ExemptionReason"));
		}
	}
}

/*
 * cac:LegalTotal.  Svefaktura's TaxInclusiveTotalAmount is the amount to
 * pay: it already includes RoundOffAmount (öresavrundning), as the corpus
 * shows (6225 + 1556.25 VAT, rounded by 0.25, written as 7781.50).  EN 16931
 * keeps the rounding out of BT-112, so it is taken out here and BT-115,
 * which the format does not carry, is derived as BT-112 - BT-113 + BT-114.
 */
static void read_totals(rd *r, inv_totals *t, const xml_node *n)
{
	const xml_node *incl = xml_child(n, CBC, "TaxInclusiveTotalAmount");
	dec pay;
	int rc = 0;

	if (!n)
		return;
	rd_amount(r, &t->line_extension, xml_child(n, CBC, "LineExtensionTotalAmount"), CUR);
	rd_amount(r, &t->tax_exclusive, xml_child(n, CBC, "TaxExclusiveTotalAmount"), CUR);
	rd_amount(r, &t->tax_inclusive, incl, CUR);
	rd_amount(r, &t->rounding, xml_child(n, CAC, "RoundOffAmount"), CUR);
	if (!t->tax_inclusive.set || r->rc)
		return;
	pay = t->tax_inclusive.v;
	if (t->rounding.set)
		rc = dec_sub(&t->tax_inclusive.v, pay, t->rounding.v);
	if (rc == 0 && dec_scale(pay) > 2)
		rc = dec_round(&pay, pay, 2);
	if (rc == 0 && dec_scale(pay) < 2)
		rc = dec_rescale(&pay, pay, 2);
	if (rc) {
		rd_problem(r, incl, "the amount without rounding does not fit");
		t->tax_inclusive.set = false;
		return;
	}
	t->payable.v = pay;
	t->payable.currency = t->tax_inclusive.currency;
	t->payable.line = xml_line(n);
	t->payable.set = true;
}

static void read_item(rd *r, inv_line *l, const xml_node *item)
{
	const xml_node *tc = xml_child(item, CAC, "TaxCategory");
	const xml_node *price = xml_child(item, CAC, "BasePrice");

	if (!item)
		return;
	rd_text(r, &l->item_name, xml_child(item, CBC, "Description"));
	rd_text(r, &l->buyer_item_id, cac_id(item, "BuyersItemIdentification"));
	rd_text(r, &l->seller_item_id, cac_id(item, "SellersItemIdentification"));
	rd_id(r, &l->standard_item_id, cac_id(item, "StandardItemIdentification"), SCHEME);
	rd_text(r, &l->vat_category, xml_child(tc, CAC, "ID"));
	rd_num(r, &l->vat_rate, xml_child(tc, CBC, "Percent"));
	rd_amount(r, &l->price, xml_child(price, CBC, "PriceAmount"), CUR);
	rd_qty(r, &l->base_quantity, xml_child(price, CBC, "BaseQuantity"), UNIT);
}

static void read_line(rd *r, inv_line *l, const xml_node *n)
{
	const xml_node *olr = xml_child(n, CAC, "OrderLineReference");

	l->line = xml_line(n);
	rd_text(r, &l->id, xml_child(n, CAC, "ID"));
	rd_qty(r, &l->quantity, xml_child(n, CBC, "InvoicedQuantity"), UNIT);
	rd_amount(r, &l->net, xml_child(n, CBC, "LineExtensionAmount"), CUR);
	rd_text(r, &l->note, xml_child(n, CBC, "Note"));
	rd_text(r, &l->order_line_ref, xml_child(olr, CAC, "BuyersLineID"));
	rd_text(r, &l->order_id, xml_child(xml_child(olr, CAC, "OrderReference"), CAC, "BuyersID"));
	l->acs = read_allowance_charges(r, &l->nacs, n, CAC);
	read_item(r, l, xml_child(n, CAC, "Item"));
}

/*
 * The order number and the despatch advice are line-level in Svefaktura;
 * BT-13 and BT-16 are the first ones the lines give.  Each line keeps its
 * own order number in order_id.
 */
static void header_refs_from_lines(rd *r, invoice *inv, const xml_node *root)
{
	const xml_node *c;
	size_t i;

	for (i = 0; i < inv->nlines && !inv->order_ref.v; i++)
		if (inv->lines[i].order_id.v)
			inv->order_ref = inv->lines[i].order_id;
	for (c = xml_child(root, CAC, "InvoiceLine"); c && !inv->despatch_advice_ref.v;
	     c = xml_next(c, CAC, "InvoiceLine"))
		rd_text(r, &inv->despatch_advice_ref,
			cac_id(xml_child(c, CAC, "DespatchLineReference"), "DocumentReference"));
}

static void read_header(rd *r, invoice *inv, const xml_node *root)
{
	const xml_node *c, *period;
	size_t i;

	rd_text(r, &inv->id, xml_child(root, SVE, "ID"));
	rd_text(r, &inv->issue_date, xml_child(root, CBC, "IssueDate"));
	rd_text(r, &inv->type_code, xml_child(root, SVE, "InvoiceTypeCode"));
	if (inv->type_code.v && strcmp(inv->type_code.v, "381") == 0)
		inv->kind = INV_KIND_CREDIT_NOTE;
	rd_text(r, &inv->tax_point_date, xml_child(root, SVE, "TaxPointDate"));
	rd_text(r, &inv->currency, xml_child(root, SVE, "InvoiceCurrencyCode"));
	rd_text(r, &inv->tax_currency, xml_child(root, SVE, "TaxCurrencyCode"));

	inv->notes = rd_array(r, &inv->nnotes, root, CBC, "Note", sizeof(inv_note));
	i = 0;
	for (c = xml_child(root, CBC, "Note"); c && inv->notes; c = xml_next(c, CBC, "Note"))
		rd_text(r, &inv->notes[i++].text, c);

	/* the first is the buyer's reference code; a second, when there, is
	 * usually a person's name and has no term of its own */
	rd_text(r, &inv->buyer_reference,
		xml_child(xml_child(root, SVE, "RequisitionistDocumentReference"), CAC, "ID"));

	inv->preceding = rd_array(r, &inv->npreceding, root, SVE,
				  "InitialInvoiceDocumentReference", sizeof(inv_preceding));
	i = 0;
	for (c = xml_child(root, SVE, "InitialInvoiceDocumentReference"); c && inv->preceding;
	     c = xml_next(c, SVE, "InitialInvoiceDocumentReference"))
		rd_text(r, &inv->preceding[i++].id, xml_child(c, CAC, "ID"));

	inv->docs = rd_array(r, &inv->ndocs, root, SVE, "AdditionalDocumentReference",
			     sizeof(inv_docref));
	i = 0;
	for (c = xml_child(root, SVE, "AdditionalDocumentReference"); c && inv->docs;
	     c = xml_next(c, SVE, "AdditionalDocumentReference")) {
		inv->docs[i].line = xml_line(c);
		rd_id(r, &inv->docs[i++].id, xml_child(c, CAC, "ID"), SCHEME);
	}

	period = xml_child(root, SVE, "InvoicingPeriod");
	if (period) {
		inv->period.present = true;
		read_date(r, &inv->period.start, xml_child(period, CBC, "StartDateTime"));
		read_date(r, &inv->period.end, xml_child(period, CBC, "EndDateTime"));
	}
}

static void read_delivery(rd *r, inv_delivery *d, const xml_node *n)
{
	const xml_node *addr = xml_child(n, CAC, "DeliveryAddress");

	if (!n)
		return;
	d->present = true;
	read_date(r, &d->date, xml_child(n, CBC, "ActualDeliveryDateTime"));
	rd_id(r, &d->location_id, xml_child(addr, CAC, "ID"), SCHEME);
	read_address(r, &d->address, addr);
}

int svefaktura_read(invoice **out, const xml_doc *doc, const char *name,
		    const inv_limits *limits, ulf_err *err)
{
	static const inv_limits defaults = {
		INV_DEFAULT_MAX_ATTACHMENT, INV_DEFAULT_MAX_MODEL
	};
	const xml_node *root = xml_root(doc), *c;
	invoice *inv = NULL;
	rd r;
	size_t i;

	*out = NULL;
	if (!svefaktura_is_invoice(doc))
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not a Svefaktura invoice: root is {%s}%s",
				   name, xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	if (!limits)
		limits = &defaults;
	inv = invoice_new(INV_SYNTAX_SVEFAKTURA, INV_KIND_INVOICE, limits);
	if (!inv)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	inv->root_ns = NS_SVE_INVOICE;
	memset(&r, 0, sizeof(r));
	r.inv = inv;
	r.limits = limits;
	r.name = name;
	r.err = err;

	read_header(&r, inv, root);
	read_party(&r, &inv->seller, xml_child(xml_child(root, CAC, "SellerParty"), CAC, "Party"));
	read_party(&r, &inv->buyer, xml_child(xml_child(root, CAC, "BuyerParty"), CAC, "Party"));
	read_delivery(&r, &inv->delivery, xml_child(root, CAC, "Delivery"));

	inv->payments = rd_array(&r, &inv->npayments, root, CAC, "PaymentMeans", sizeof(inv_payment));
	i = 0;
	for (c = xml_child(root, CAC, "PaymentMeans"); c && inv->payments;
	     c = xml_next(c, CAC, "PaymentMeans")) {
		read_payment(&r, &inv->payments[i++], c);
		/* the header has no due date: it lives in the payment means */
		if (!inv->due_date.v)
			rd_text(&r, &inv->due_date, xml_child(c, CBC, "DuePaymentDate"));
	}
	rd_text(&r, &inv->payment_terms, xml_child(xml_child(root, CAC, "PaymentTerms"), CBC, "Note"));
	inv->acs = read_allowance_charges(&r, &inv->nacs, root, SVE);
	read_tax_totals(&r, inv, root);
	read_totals(&r, &inv->totals, xml_child(root, CAC, "LegalTotal"));

	inv->lines = rd_array(&r, &inv->nlines, root, CAC, "InvoiceLine", sizeof(inv_line));
	i = 0;
	for (c = xml_child(root, CAC, "InvoiceLine"); c && inv->lines && !r.rc;
	     c = xml_next(c, CAC, "InvoiceLine"))
		read_line(&r, &inv->lines[i++], c);
	header_refs_from_lines(&r, inv, root);

	if (r.rc) {
		invoice_free(inv);
		return r.rc;
	}
	*out = inv;
	return 0;
}

/* ObjectEnvelope */

/* A trimmed copy of an element's text in the envelope's arena; NULL for
 * a missing element, and *nomem set when the arena is exhausted. */
static const char *env_str(sve_envelope *env, const xml_node *n, bool *nomem)
{
	const char *s, *p;
	size_t len;

	if (!n)
		return NULL;
	s = xml_text(n, &env->mem, &len);
	if (!s) {
		*nomem = true;
		return NULL;
	}
	while (len > 0 && text_is_space(*s))
		s++, len--;
	while (len > 0 && text_is_space(s[len - 1]))
		len--;
	p = arena_strndup(&env->mem, s, len);
	if (!p)
		*nomem = true;
	return p;
}

static const char *env_dup(sve_envelope *env, const char *s, bool *nomem)
{
	const char *p;

	if (!s)
		return NULL;
	p = arena_strdup(&env->mem, s);
	if (!p)
		*nomem = true;
	return p;
}

/*
 * One EncodedObject.  An object is the point of an envelope, so one that
 * cannot be decoded makes the whole envelope unreadable.
 */
static int read_object(sve_envelope *env, sve_object *ob, const xml_node *n,
		       const char *name, const inv_limits *limits, ulf_err *err)
{
	const xml_node *data = xml_child(n, ENV, "EncodedData");
	const char *s;
	bool nomem = false;
	ulf_err local;
	size_t len;
	int rc;

	ob->line = xml_line(n);
	ob->id = env_str(env, xml_child(n, ENV, "ObjectID"), &nomem);
	ob->mime = env_dup(env, xml_attr(data, "mimeCode"), &nomem);
	ob->filename = env_dup(env, xml_attr(data, "filename"), &nomem);
	if (nomem)
		return ulf_err_set(err, ULF_ELIMIT, "%s: the envelope exceeds the model memory cap",
				   name);
	if (!ob->id || !*ob->id)
		return ulf_err_set(err, ULF_EPARSE, "%s: line %u: EncodedObject without an ObjectID",
				   name, ob->line);
	if (!data)
		return ulf_err_set(err, ULF_EPARSE, "%s: line %u: object %s has no EncodedData",
				   name, ob->line, ob->id);
	s = xml_text(data, &env->mem, &len);
	if (!s)
		return ulf_err_set(err, ULF_ELIMIT, "%s: the envelope exceeds the model memory cap",
				   name);
	ulf_err_clear(&local);
	rc = base64_decode(&ob->data, &ob->size, s, len, limits->max_attachment_bytes, &local);
	if (rc == ULF_EPARSE)
		return ulf_err_set(err, rc, "%s: line %u: object %s: corrupt payload: %s",
				   name, xml_line(data), ob->id, local.msg);
	if (rc)
		return ulf_err_set(err, rc, "%s: line %u: object %s: %s",
				   name, xml_line(data), ob->id, local.msg);
	return 0;
}

int svefaktura_envelope_read(sve_envelope **out, const xml_doc *doc, const char *name,
			     const inv_limits *limits, ulf_err *err)
{
	static const inv_limits defaults = {
		INV_DEFAULT_MAX_ATTACHMENT, INV_DEFAULT_MAX_MODEL
	};
	const xml_node *root = xml_root(doc), *ref, *c;
	sve_envelope *env = NULL;
	bool nomem = false;
	size_t i = 0, n;
	int rc = 0;

	*out = NULL;
	if (!svefaktura_is_envelope(doc))
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not a Svefaktura ObjectEnvelope: root is {%s}%s",
				   name, xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	if (!limits)
		limits = &defaults;
	env = calloc(1, sizeof(*env));
	if (!env)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	arena_init(&env->mem, limits->max_model_bytes ? limits->max_model_bytes
						      : INV_DEFAULT_MAX_MODEL);

	ref = xml_child(root, ENV, "DocumentReference");
	env->document_id = env_str(env, xml_child(ref, ENV, "DocumentID"), &nomem);
	env->issue_date = env_str(env, xml_child(ref, ENV, "IssueDate"), &nomem);
	env->issuer_id = env_str(env, xml_child(ref, ENV, "IssuerID"), &nomem);
	env->document_type = env_str(env, xml_child(ref, ENV, "DocumentType"), &nomem);
	n = xml_count(root, ENV, "EncodedObject");
	if (n > 0 && !nomem) {
		env->objects = n <= SIZE_MAX / sizeof(*env->objects)
			       ? arena_alloc(&env->mem, n * sizeof(*env->objects)) : NULL;
		nomem = !env->objects;
	}
	if (nomem) {
		rc = ulf_err_set(err, ULF_ELIMIT, "%s: the envelope exceeds the model memory cap", name);
		goto out;
	}
	for (c = xml_child(root, ENV, "EncodedObject"); c; c = xml_next(c, ENV, "EncodedObject")) {
		/* counted before decoding, so a failure frees what was decoded */
		env->nobjects = ++i;
		rc = read_object(env, &env->objects[i - 1], c, name, limits, err);
		if (rc)
			goto out;
	}
	*out = env;
	env = NULL;
out:
	svefaktura_envelope_free(env);
	return rc;
}

void svefaktura_envelope_free(sve_envelope *env)
{
	size_t i;

	if (!env)
		return;
	for (i = 0; i < env->nobjects; i++)
		free(env->objects[i].data);
	arena_release(&env->mem);
	free(env);
}

/*
 * The 10 digits of a Swedish org number, written plain ("5565624223"),
 * with the usual hyphen ("556562-4223"), or inside a VAT number
 * ("SE556562422301").  False when s is neither.
 */
static bool org_digits(char out[13], const char *s)
{
	size_t n = 0;
	bool vat = false;

	if (!s)
		return false;
	if ((s[0] == 'S' || s[0] == 's') && (s[1] == 'E' || s[1] == 'e')) {
		vat = true;
		s += 2;
	}
	for (; *s; s++) {
		if (*s == '-' || *s == ' ')
			continue;
		if (*s < '0' || *s > '9' || n == 12)
			return false;
		out[n++] = *s;
	}
	if (vat && !(n == 12 && out[10] == '0' && out[11] == '1'))
		return false;
	if (!vat && n != 10)
		return false;
	out[10] = '\0';
	return true;
}

bool svefaktura_envelope_matches(const sve_envelope *env, const invoice *inv)
{
	char issuer[13], seller[13];
	const inv_party *s;

	if (!env || !inv || !env->document_id || !inv->id.v ||
	    strcmp(env->document_id, inv->id.v) != 0)
		return false;
	if (!env->issuer_id || !*env->issuer_id)
		return true;
	s = &inv->seller;
	if (!org_digits(issuer, env->issuer_id))
		return s->legal_id.v && strcmp(s->legal_id.v, env->issuer_id) == 0;
	if (org_digits(seller, s->legal_id.v) && strcmp(seller, issuer) == 0)
		return true;
	return org_digits(seller, s->vat_id.v) && strcmp(seller, issuer) == 0;
}

/* "urn:sfti:documents:object:<id>" in the invoice's arena. */
static const char *object_urn(invoice *inv, const char *id)
{
	size_t plen = strlen(OBJECT_URN), ilen = strlen(id);
	char *p = invoice_alloc(inv, plen + ilen + 1, 1);

	if (!p)
		return NULL;
	memcpy(p, OBJECT_URN, plen);
	memcpy(p + plen, id, ilen + 1);
	return p;
}

/* A reference to this object that has no attachment yet. */
static inv_docref *find_docref(invoice *inv, const char *urn)
{
	size_t i;

	for (i = 0; i < inv->ndocs; i++)
		if (inv->docs[i].id.v && !inv->docs[i].attachment &&
		    strcmp(inv->docs[i].id.v, urn) == 0)
			return &inv->docs[i];
	return NULL;
}

/*
 * Makes room for `more` references at the end of inv->docs.  The arena
 * cannot grow a block, so the array is copied once, sized for every object
 * still to come, and *cap remembers how far it reaches.
 */
static int grow_docs(invoice *inv, size_t *cap, size_t more, ulf_err *err)
{
	inv_docref *docs;

	if (more > SIZE_MAX / sizeof(*docs) - inv->ndocs ||
	    !(docs = invoice_alloc(inv, inv->ndocs + more, sizeof(*docs))))
		return ulf_err_set(err, ULF_ELIMIT, "invoice %s: the model exceeds its memory cap",
				   inv->id.v ? inv->id.v : "-");
	if (inv->ndocs)
		memcpy(docs, inv->docs, inv->ndocs * sizeof(*docs));
	inv->docs = docs;
	*cap = inv->ndocs + more;
	return 0;
}

int svefaktura_envelope_attach(size_t *attached, invoice *inv, sve_envelope *env,
			       ulf_err *err)
{
	size_t i, j, cap = inv->ndocs;
	int rc = 0;

	*attached = 0;
	for (i = 0; i < env->nobjects; i++) {
		sve_object *ob = &env->objects[i];
		unsigned char *data;
		const char *urn;
		inv_docref *d;

		/* already moved by an earlier call */
		if (!ob->data)
			continue;
		urn = object_urn(inv, ob->id);
		if (!urn) {
			rc = ulf_err_set(err, ULF_ELIMIT, "invoice %s: the model exceeds its memory cap",
					 inv->id.v ? inv->id.v : "-");
			goto out;
		}
		d = find_docref(inv, urn);
		if (!d) {
			if (inv->ndocs == cap) {
				size_t more = 0;
				for (j = i; j < env->nobjects; j++)
					more += env->objects[j].data != NULL;
				rc = grow_docs(inv, &cap, more, err);
				if (rc)
					goto out;
			}
			d = &inv->docs[inv->ndocs++];
			d->id.v = urn;
			d->id.scheme = "ATS";
		}
		/* invoice_add_attachment owns the payload from here, even on failure */
		data = ob->data;
		ob->data = NULL;
		rc = invoice_add_attachment(&d->attachment, inv, ob->mime, ob->filename,
					    data, ob->size, err);
		if (rc)
			goto out;
		(*attached)++;
	}
out:
	return rc;
}
