/*
 * claim.c - ProcessClaimSpecification 1.0 into the claim model, from any of
 * its carriers.  See claim.h.
 *
 * The walk follows financial_billing_claim_1.0.xsd.  Elements the schema
 * requires but the document lacks are recorded as problems (not failures):
 * a claim that is not schema-valid must still reach a handler, with the
 * reason, rather than vanish.  Problem messages never quote a value from
 * inside patientInformation, so a personnummer cannot leak through them;
 * numbers that fail to parse are quoted only where they are amounts,
 * counts or line ids.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "parsers/claim.h"
#include "parsers/ns.h"
#include "parsers/read.h"

#define C NS_CLAIM
#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_ITR    "urn:riv:itintegration:registry:1"

typedef struct cr {
	claim *c;
	const char *name;
	ulf_err *err;
	int rc;
} cr;

static int cr_nomem(cr *r)
{
	if (!r->rc)
		r->rc = ulf_err_set(r->err, ULF_ELIMIT,
			"%s: the claim exceeds the model memory cap", r->name);
	return r->rc;
}

static const char *dup_trimmed(cr *r, const char *s, size_t len)
{
	const char *p;

	while (len > 0 && text_is_space(*s))
		s++, len--;
	while (len > 0 && text_is_space(s[len - 1]))
		len--;
	if (len == 0)
		return "";
	p = arena_strndup(&r->c->mem, s, len);
	if (!p)
		cr_nomem(r);
	return p;
}

/* Trimmed copy of an element's text; NULL for no element or on failure. */
static const char *cr_str(cr *r, const xml_node *n)
{
	size_t len;
	const char *s;

	if (!n || r->rc)
		return NULL;
	s = xml_text(n, &r->c->mem, &len);
	if (!s) {
		cr_nomem(r);
		return NULL;
	}
	return dup_trimmed(r, s, len);
}

static void cr_problem(cr *r, const xml_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cr_problem(cr *r, const xml_node *n, const char *fmt, ...)
{
	inv_problem *p, **tail;
	char msg[256];
	va_list ap;

	if (r->rc || r->c->nproblems >= RD_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p = arena_alloc(&r->c->mem, sizeof(*p));
	if (!p) {
		cr_nomem(r);
		return;
	}
	p->line = xml_line(n);
	p->element = arena_strdup(&r->c->mem, xml_name(n) ? xml_name(n) : "");
	p->msg = arena_strdup(&r->c->mem, msg);
	if (!p->element || !p->msg) {
		cr_nomem(r);
		return;
	}
	for (tail = &r->c->problems; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	r->c->nproblems++;
}

/* The child `name` the schema requires of `parent`; a problem if missing.
 * A missing parent has been reported already. */
static const xml_node *req(cr *r, const xml_node *parent, const char *name)
{
	const xml_node *n;

	if (!parent)
		return NULL;
	n = xml_child(parent, C, name);
	if (!n)
		cr_problem(r, parent, "%s: required element %s is missing",
			   xml_name(parent), name);
	return n;
}

static const xml_node *opt(const xml_node *parent, const char *name)
{
	return xml_child(parent, C, name);
}

static void cr_text(cr *r, inv_text *out, const xml_node *n)
{
	if (!n || r->rc)
		return;
	out->v = cr_str(r, n);
	out->line = xml_line(n);
}

static void *cr_array(cr *r, size_t *count, const xml_node *parent, const char *name,
		      size_t size)
{
	size_t n = xml_count(parent, C, name);
	void *p;

	*count = 0;
	if (n == 0 || r->rc)
		return NULL;
	if (n > SIZE_MAX / size || !(p = arena_alloc(&r->c->mem, n * size))) {
		cr_nomem(r);
		return NULL;
	}
	*count = n;
	return p;
}

static void cr_ii(cr *r, claim_ii *out, const xml_node *n)
{
	if (!n || r->rc)
		return;
	out->present = true;
	out->line = xml_line(n);
	out->root = cr_str(r, req(r, n, "root"));
	out->extension = cr_str(r, req(r, n, "extension"));
}

static void cr_cv(cr *r, claim_cv *out, const xml_node *n)
{
	if (!n || r->rc)
		return;
	out->present = true;
	out->line = xml_line(n);
	out->code = cr_str(r, opt(n, "code"));
	out->system = cr_str(r, opt(n, "codeSystem"));
	out->system_name = cr_str(r, opt(n, "codeSystemName"));
	out->system_version = cr_str(r, opt(n, "codeSystemVersion"));
	out->display_name = cr_str(r, opt(n, "displayName"));
	out->original_text = cr_str(r, opt(n, "originalText"));
}

/* xsd:decimal into a dec; the text is quoted in the problem (amounts and
 * counts are not personal data). */
static bool cr_dec(cr *r, dec *out, const xml_node *n)
{
	size_t len;
	const char *s;
	int rc;

	s = xml_text(n, &r->c->mem, &len);
	if (!s) {
		cr_nomem(r);
		return false;
	}
	rc = dec_parse(out, s, len);
	if (rc == 0)
		return true;
	cr_problem(r, n, "'%.*s' is not a %s", text_quote_len(s, 40), s,
		   rc == ULF_ERANGE ? "decimal that fits (too many digits)" : "decimal number");
	return false;
}

static void cr_amount(cr *r, claim_amount *out, const xml_node *n)
{
	const xml_node *a, *cur;

	if (!n || r->rc)
		return;
	out->present = true;
	out->line = xml_line(n);
	a = req(r, n, "amount");
	if (a)
		out->set = cr_dec(r, &out->v, a);
	cur = req(r, n, "currency");
	out->currency = cr_str(r, opt(cur, "code"));
	out->currency_system = cr_str(r, opt(cur, "codeSystem"));
}

/* xsd:integer / positiveInteger as a number. */
static void cr_int(cr *r, inv_num *out, const xml_node *n, bool positive)
{
	if (!n || r->rc)
		return;
	out->line = xml_line(n);
	out->set = cr_dec(r, &out->v, n);
	if (out->set && (out->v.scale != 0 || (positive && out->v.v <= 0))) {
		cr_problem(r, n, "%s: not a %s", xml_name(n),
			   positive ? "positive whole number" : "whole number");
		out->set = false;
	}
}

/* lineId / referenceToLineId: xsd:positiveInteger kept as text and value. */
static void cr_line_id(cr *r, inv_text *text, uint64_t *v, bool *ok, const xml_node *n)
{
	const char *s;
	uint64_t x = 0;

	*ok = false;
	if (!n || r->rc)
		return;
	cr_text(r, text, n);
	s = text->v;
	if (!s)
		return;
	if (*s == '+')
		s++;
	if (!*s)
		goto bad;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			goto bad;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (x == 0)
		goto bad;
	*v = x;
	*ok = true;
	return;
bad:
	cr_problem(r, n, "%s '%.*s' is not a positive whole number", xml_name(n),
		   text_quote_len(text->v, 30), text->v);
}

/* xsd:boolean: 1, 0, or -1 when absent or unreadable. */
static int cr_bool(cr *r, const xml_node *n)
{
	const char *s = cr_str(r, n);

	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return 0;
	cr_problem(r, n, "%s is neither true nor false", xml_name(n));
	return -1;
}

static claim_unspecified *cr_unspecified(cr *r, size_t *count, const xml_node *parent)
{
	claim_unspecified *u = cr_array(r, count, parent, "unspecified", sizeof(*u));
	const xml_node *n;
	size_t i = 0;

	for (n = opt(parent, "unspecified"); n && u && !r->rc; n = xml_next(n, C, "unspecified")) {
		cr_text(r, &u[i].text, req(r, n, "text"));
		cr_text(r, &u[i].type, opt(n, "type"));
		i++;
	}
	return u;
}

static void cr_party(cr *r, claim_party *p, const xml_node *n, const char *contact)
{
	const xml_node *id, *ct;

	if (!n || r->rc)
		return;
	p->present = true;
	p->line = xml_line(n);
	id = req(r, n, "identification");
	for (; id && p->nids < 2; id = xml_next(id, C, "identification"))
		cr_ii(r, &p->ids[p->nids++], id);
	if (id)
		cr_problem(r, id, "%s: more than two identifications", xml_name(n));
	ct = opt(n, contact);
	if (ct) {
		p->contact.present = true;
		cr_text(r, &p->contact.name, opt(ct, "name"));
		cr_text(r, &p->contact.phone, opt(ct, "telephone"));
		cr_text(r, &p->contact.email, opt(ct, "electronicMail"));
	}
}

static void cr_patient(cr *r, claim_patient *p, const xml_node *n)
{
	const xml_node *other;

	/* the identity's value never goes into a message: only its absence */
	cr_ii(r, &p->identity, req(r, n, "patientIdentity"));
	other = req(r, n, "patientOtherInformation");
	cr_cv(r, &p->county, req(r, other, "county"));
	cr_cv(r, &p->municipality, req(r, other, "municipality"));
	cr_ii(r, &p->listing, opt(other, "listingLocalAuthoritiesNumber"));
	cr_text(r, &p->lma_card, opt(other, "LMACardNumber"));
	cr_cv(r, &p->gender, opt(other, "gender"));
	cr_text(r, &p->eu_card, opt(other, "EUCardNumber"));
	p->unspecified = cr_unspecified(r, &p->nunspecified, other);
}

static void cr_diagnosis(cr *r, claim_diagnosis *d, const xml_node *n)
{
	const xml_node *b;
	size_t i = 0;

	if (!n || r->rc)
		return;
	d->present = true;
	cr_cv(r, &d->main, req(r, req(r, n, "mainDiagnosis"), "diagnosisCode"));
	d->bi = cr_array(r, &d->nbi, n, "biDiagnosis", sizeof(*d->bi));
	for (b = opt(n, "biDiagnosis"); b && d->bi && !r->rc; b = xml_next(b, C, "biDiagnosis"))
		cr_cv(r, &d->bi[i++], req(r, b, "diagnosisCode"));
}

static claim_cv *cr_cvs(cr *r, size_t *count, const xml_node *parent, const char *name)
{
	claim_cv *v = cr_array(r, count, parent, name, sizeof(*v));
	const xml_node *n;
	size_t i = 0;

	for (n = opt(parent, name); n && v && !r->rc; n = xml_next(n, C, name))
		cr_cv(r, &v[i++], n);
	return v;
}

static void cr_categorization(cr *r, claim_line *l, const xml_node *n)
{
	const xml_node *drg, *p;
	size_t i = 0;

	if (!n)
		return;
	l->has_categorization = true;
	cr_text(r, &l->product_category, opt(n, "productCategory"));
	cr_text(r, &l->price_list, opt(n, "priceList"));
	drg = opt(n, "DRGCost");
	if (drg) {
		l->has_drg = true;
		cr_cv(r, &l->drg_code, opt(drg, "DRGCode"));
		cr_amount(r, &l->drg_price, opt(drg, "DRGPrice"));
		cr_amount(r, &l->outlier_time, opt(drg, "extendedAllowanceCareTime"));
		cr_amount(r, &l->outlier_cost, opt(drg, "extendedAllowanceCost"));
	}
	l->psc = cr_array(r, &l->npsc, n, "patientSpecificCare", sizeof(*l->psc));
	for (p = opt(n, "patientSpecificCare"); p && l->psc && !r->rc;
	     p = xml_next(p, C, "patientSpecificCare")) {
		claim_psc *s = &l->psc[i++];
		s->line = xml_line(p);
		cr_text(r, &s->code, opt(p, "patientSpecificCareCode"));
		cr_text(r, &s->name, opt(p, "patientSpecificCareCodeName"));
		cr_int(r, &s->count, opt(p, "numberOfPatientSpecificCare"), false);
		cr_amount(r, &s->price, opt(p, "patientSpecificCarePrice"));
		cr_amount(r, &s->total, opt(p, "patientSpecificCareTotalAmount"));
	}
}

static void cr_line(cr *r, claim_line *l, const xml_node *n)
{
	const xml_node *pc, *cat, *ts, *vd, *dd, *per, *days, *unit, *amt, *act, *dx, *tr;

	l->line = xml_line(n);
	cr_line_id(r, &l->line_id, &l->id, &l->id_ok, req(r, n, "lineId"));
	cr_text(r, &l->care_contact_id, opt(n, "careContactId"));
	if (opt(n, "referenceToLineId"))
		cr_line_id(r, &l->ref_line_id, &l->ref_id, &l->ref_ok, opt(n, "referenceToLineId"));
	cr_text(r, &l->reason_for_credit, opt(n, "reasonForCredit"));
	l->unspecified = cr_unspecified(r, &l->nunspecified, n);

	pc = opt(n, "paymentCommitment");
	if (pc) {
		l->has_commitment = true;
		cr_text(r, &l->remittance_number, opt(pc, "remittanceNumber"));
		cr_text(r, &l->commitment_number, opt(pc, "paymentCommitmentNumber"));
		cr_text(r, &l->agreement, opt(pc, "typeOfAgreement"));
		cr_text(r, &l->chapter, opt(pc, "typeOfChapter"));
		cr_text(r, &l->riksavtal_point, opt(pc, "agreementInRiksavtalet"));
		cr_text(r, &l->reimbursement, opt(pc, "typeOfReimbursement"));
	}

	cat = req(r, n, "healthcareCategory");
	cr_cv(r, &l->care_type, req(r, cat, "typeOfCare"));
	l->public_care = cr_bool(r, opt(cat, "publicCare"));
	l->planned = cr_bool(r, req(r, cat, "plannedHealthcare"));
	cr_text(r, &l->visit_type, opt(cat, "typeOfVisit"));

	ts = req(r, n, "timespan");
	vd = req(r, ts, "healthcareVisitDateTime");
	cr_text(r, &l->visit_date, req(r, vd, "careVisitDate"));
	cr_text(r, &l->visit_time, opt(vd, "careVisitTime"));
	dd = opt(ts, "healthcareDischargeDateTime");
	cr_text(r, &l->discharge_date, req(r, dd, "careDischargeDate"));
	cr_text(r, &l->discharge_time, opt(dd, "careDischargeTime"));
	per = opt(ts, "invoicePeriod");
	cr_text(r, &l->period_start, opt(per, "start"));
	cr_text(r, &l->period_end, opt(per, "end"));
	days = opt(ts, "numberOfDays");
	cr_int(r, &l->days_on_leave, opt(days, "onLeave"), true);
	cr_int(r, &l->days_in_care, opt(days, "inCare"), true);

	unit = req(r, n, "healthcareUnit");
	cr_ii(r, &l->unit_id, opt(unit, "careUnitId"));
	cr_text(r, &l->unit_name, req(r, unit, "careUnitName"));
	cr_text(r, &l->profession, opt(unit, "professionCodeForHealthcare"));

	cr_categorization(r, l, opt(n, "categorization"));

	amt = req(r, n, "invoicedAmountDetails");
	cr_amount(r, &l->gross, req(r, amt, "patientCareInvoiceGrossAmount"));
	cr_amount(r, &l->net, req(r, amt, "patientCareInvoiceNetAmount"));
	cr_amount(r, &l->allowance, opt(amt, "patientCareAllowance"));
	cr_amount(r, &l->discount, opt(amt, "patientCareDiscount"));
	cr_amount(r, &l->charge, opt(amt, "patientCareCharge"));
	cr_amount(r, &l->outpatient_fee, opt(amt, "outPatientCareFee"));
	cr_amount(r, &l->outpatient_fee_paid, opt(amt, "outPatientCareFeePaid"));
	cr_text(r, &l->fee_reduced_category, opt(amt, "patientFeeReducedCategory"));
	l->free_pass = cr_bool(r, opt(amt, "patientFreePassCauseIndicator"));
	cr_amount(r, &l->inpatient_fee, opt(amt, "inpatientCareFee"));

	act = req(r, n, "activity");
	cr_text(r, &l->medical_field, req(r, act, "medicalFieldCode"));
	cr_cv(r, &l->business_class, opt(act, "businessClassification"));
	cr_text(r, &l->care_level, opt(act, "careLevel"));

	dx = opt(n, "diagnosis");
	cr_diagnosis(r, &l->inpatient_dx, opt(dx, "inpatientCareDiagnosis"));
	cr_diagnosis(r, &l->outpatient_dx, opt(dx, "outpatientCareDiagnosis"));

	tr = opt(n, "treatment");
	l->procedures = cr_cvs(r, &l->nprocedures, tr, "typeOfTreatment");
	l->atc = cr_cvs(r, &l->natc, tr, "ATC");
}

/* Patients and their lines; lines are counted first so they can be one
 * array in document order. */
static void cr_patients(cr *r, claim *c, const xml_node *spec)
{
	const xml_node *s, *h;
	size_t nlines = 0, pi = 0, li = 0;

	c->patients = cr_array(r, &c->npatients, spec, "healthCareServicesSpecificationLine",
			       sizeof(*c->patients));
	if (!c->patients)
		return;
	for (s = opt(spec, "healthCareServicesSpecificationLine"); s;
	     s = xml_next(s, C, "healthCareServicesSpecificationLine"))
		nlines += xml_count(s, C, "healthcarePerformed");
	if (nlines) {
		if (nlines > SIZE_MAX / sizeof(*c->lines) ||
		    !(c->lines = arena_alloc(&c->mem, nlines * sizeof(*c->lines)))) {
			cr_nomem(r);
			return;
		}
		c->nlines = nlines;
	}
	for (s = opt(spec, "healthCareServicesSpecificationLine"); s && !r->rc;
	     s = xml_next(s, C, "healthCareServicesSpecificationLine")) {
		claim_patient *p = &c->patients[pi];
		const xml_node *info = req(r, s, "patientInformation");

		p->line = xml_line(s);
		if (info)
			cr_patient(r, p, info);
		p->first_line = li;
		if (!opt(s, "healthcarePerformed"))
			cr_problem(r, s, "patient %zu: required element healthcarePerformed is missing",
				   pi + 1);
		for (h = opt(s, "healthcarePerformed"); h && !r->rc;
		     h = xml_next(h, C, "healthcarePerformed")) {
			c->lines[li].patient = pi;
			cr_line(r, &c->lines[li], h);
			li++;
		}
		p->nlines = li - p->first_line;
		pi++;
	}
}

static claim_type type_of(const char *s)
{
	if (s && strcmp(s, "380") == 0)
		return CLAIM_TYPE_INVOICE;
	if (s && strcmp(s, "381") == 0)
		return CLAIM_TYPE_CREDIT;
	return CLAIM_TYPE_OTHER;
}

/* The ProcessClaimSpecification request element, directly or in a SOAP
 * body; *header gets the SOAP header when there is one. */
static const xml_node *find_request(const xml_node *root, const xml_node **header)
{
	const char *soap = NULL;
	const xml_node *body;

	*header = NULL;
	if (xml_is(root, NS_CLAIM_PROCESS, "ProcessClaimSpecification"))
		return root;
	if (xml_is(root, NS_SOAP11, "Envelope"))
		soap = NS_SOAP11;
	else if (xml_is(root, NS_SOAP12, "Envelope"))
		soap = NS_SOAP12;
	if (!soap)
		return NULL;
	body = xml_child(root, soap, "Body");
	*header = xml_child(root, soap, "Header");
	return xml_child(body, NS_CLAIM_PROCESS, "ProcessClaimSpecification");
}

bool claim_is_claim(const xml_doc *doc)
{
	const xml_node *header;

	return doc && find_request(xml_root(doc), &header) != NULL;
}

int claim_read(claim **out, const xml_doc *doc, const char *name,
	       const inv_limits *limits, ulf_err *err)
{
	const xml_node *root = xml_root(doc), *header, *request, *spec;
	claim *c;
	cr r;

	*out = NULL;
	request = find_request(root, &header);
	if (!request)
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not a claim specification: root is {%s}%s",
				   name, xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	c = calloc(1, sizeof(*c));
	if (!c)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	arena_init(&c->mem, limits && limits->max_model_bytes
			    ? limits->max_model_bytes : INV_DEFAULT_MAX_MODEL);
	c->carrier = request == root ? CLAIM_CARRIER_DOCUMENT : CLAIM_CARRIER_SOAP;
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.name = name;
	r.err = err;

	cr_text(&r, &c->logical_address, xml_child(header, NS_ITR, "LogicalAddress"));
	spec = xml_child(request, NS_CLAIM_PROCESS, "claimSpecification");
	if (!spec) {
		cr_problem(&r, request, "ProcessClaimSpecification: required element "
			   "claimSpecification is missing");
		goto out;
	}
	cr_text(&r, &c->id, req(&r, spec, "id"));
	cr_text(&r, &c->issue_date, req(&r, spec, "issueDate"));
	cr_text(&r, &c->issue_time, opt(spec, "issueTime"));
	cr_text(&r, &c->type_code, req(&r, spec, "typeOfInvoice"));
	c->type = type_of(c->type_code.v);
	cr_text(&r, &c->invoice_id, opt(spec, "invoiceId"));
	cr_text(&r, &c->invoice_date, opt(spec, "invoiceDateOfIssue"));
	cr_text(&r, &c->ref_invoice, opt(spec, "referenceToInvoice"));
	cr_text(&r, &c->ref_claim, opt(spec, "referenceToProcessClaimSpecificationId"));
	cr_amount(&r, &c->payable, req(&r, spec, "payableAmount"));
	c->unspecified = cr_unspecified(&r, &c->nunspecified, spec);
	cr_party(&r, &c->supplier, req(&r, spec, "supplierParty"), "sellerContact");
	cr_party(&r, &c->customer, req(&r, spec, "customerParty"), "buyerContact");
	cr_patients(&r, c, spec);
out:
	if (r.rc) {
		claim_free(c);
		return r.rc;
	}
	*out = c;
	return 0;
}

int claim_read_buffer(claim **out, const void *buf, size_t len, const char *name,
		      const xml_limits *xl, const inv_limits *limits, ulf_err *err)
{
	xml_doc *doc = NULL;
	int rc;

	*out = NULL;
	rc = xml_parse(&doc, buf, len, name, xl, err);
	if (rc == 0)
		rc = claim_read(out, doc, name, limits, err);
	xml_doc_free(doc);
	return rc;
}

void claim_free(claim *c)
{
	if (!c)
		return;
	arena_release(&c->mem);
	free(c);
}

bool claim_mime_is_xml(const char *mime)
{
	static const char *const types[] = { "text/xml", "application/xml" };
	size_t i, n;

	if (!mime)
		return false;
	while (text_is_space(*mime))
		mime++;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		n = strlen(types[i]);
		if (strncasecmp(mime, types[i], n) == 0 &&
		    (mime[n] == '\0' || mime[n] == ';' || text_is_space(mime[n])))
			return true;
	}
	return false;
}

/* An attachment without a MIME type is looked at when it starts like XML;
 * one with a type only when the type says XML. */
static bool maybe_xml(const char *mime, const unsigned char *data, size_t size)
{
	size_t i = 0;

	if (mime && *mime)
		return claim_mime_is_xml(mime);
	while (i < size && text_is_space((char)data[i]))
		i++;
	return i < size && data[i] == '<';
}

/*
 * Tries one attachment.  0 with *out set: a claim.  ULF_ENOTFOUND: an XML
 * document that is no claim.  Anything else: the attachment is broken (its
 * error is in `why`) or we ran out of memory.
 */
static int try_attachment(claim **out, const unsigned char *data, size_t size,
			  const char *label, const xml_limits *xl,
			  const inv_limits *limits, ulf_err *why)
{
	xml_doc *doc = NULL;
	int rc;

	*out = NULL;
	rc = xml_parse(&doc, (const char *)data, size, label, xl, why);
	if (rc)
		return rc;
	rc = claim_is_claim(doc) ? claim_read(out, doc, label, limits, why) : ULF_ENOTFOUND;
	xml_doc_free(doc);
	return rc;
}

/* Shared walk of invoice attachments and envelope objects. */
typedef struct carried {
	const char *mime;
	const unsigned char *data;
	size_t size;
} carried;

static int from_carried(claim **out, const carried *items, size_t n, const char *name,
			const xml_limits *xl, const inv_limits *limits, ulf_err *err)
{
	ulf_err why, first;
	char label[512];
	size_t i;
	int rc, first_rc = 0;

	*out = NULL;
	ulf_err_clear(&first);
	for (i = 0; i < n; i++) {
		if (!items[i].data || !maybe_xml(items[i].mime, items[i].data, items[i].size))
			continue;
		/* by position, not by the sender's file name, which could be
		 * anything - a patient's number included */
		snprintf(label, sizeof(label), "%s#attachment %zu", name, i + 1);
		ulf_err_clear(&why);
		rc = try_attachment(out, items[i].data, items[i].size, label, xl, limits, &why);
		if (rc == 0)
			return 0;
		if (rc == ULF_ENOMEM)
			return ulf_err_set(err, rc, "%s", why.msg);
		if (rc != ULF_ENOTFOUND && !first_rc) {
			/* unreadable: report it unless a later attachment is the claim */
			first_rc = rc;
			first = why;
		}
	}
	if (first_rc)
		return ulf_err_set(err, first_rc, "%s", first.msg);
	return ULF_ENOTFOUND;
}

int claim_from_invoice(claim **out, const invoice *inv, const char *name,
		       const xml_limits *xl, const inv_limits *limits, ulf_err *err)
{
	carried *items;
	size_t i, n = 0;
	int rc;

	*out = NULL;
	if (inv->ndocs == 0)
		return ULF_ENOTFOUND;
	items = calloc(inv->ndocs, sizeof(*items));
	if (!items)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	for (i = 0; i < inv->ndocs; i++) {
		const inv_attachment *a = inv->docs[i].attachment;
		if (!a)
			continue;
		items[n].mime = a->mime;
		items[n].data = a->data;
		items[n].size = a->size;
		n++;
	}
	rc = from_carried(out, items, n, name, xl, limits, err);
	free(items);
	if (rc == 0)
		(*out)->carrier = CLAIM_CARRIER_INVOICE;
	return rc;
}

int claim_from_envelope(claim **out, const sve_envelope *env, const char *name,
			const xml_limits *xl, const inv_limits *limits, ulf_err *err)
{
	carried *items;
	size_t i;
	int rc;

	*out = NULL;
	if (env->nobjects == 0)
		return ULF_ENOTFOUND;
	items = calloc(env->nobjects, sizeof(*items));
	if (!items)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	for (i = 0; i < env->nobjects; i++) {
		items[i].mime = env->objects[i].mime;
		items[i].data = env->objects[i].data;
		items[i].size = env->objects[i].size;
	}
	rc = from_carried(out, items, env->nobjects, name, xl, limits, err);
	free(items);
	if (rc)
		return rc;
	(*out)->carrier = CLAIM_CARRIER_ENVELOPE;
	(*out)->envelope_document_id = env->document_id
		? arena_strdup(&(*out)->mem, env->document_id) : NULL;
	(*out)->envelope_issuer_id = env->issuer_id
		? arena_strdup(&(*out)->mem, env->issuer_id) : NULL;
	if ((env->document_id && !(*out)->envelope_document_id) ||
	    (env->issuer_id && !(*out)->envelope_issuer_id)) {
		claim_free(*out);
		*out = NULL;
		return ulf_err_set(err, ULF_ELIMIT, "%s: the claim exceeds the model memory cap", name);
	}
	return 0;
}

const char *claim_type_name(claim_type t)
{
	switch (t) {
	case CLAIM_TYPE_INVOICE: return "invoice";
	case CLAIM_TYPE_CREDIT:  return "credit";
	case CLAIM_TYPE_OTHER:   break;
	}
	return "unknown";
}

const char *claim_carrier_name(claim_carrier k)
{
	switch (k) {
	case CLAIM_CARRIER_DOCUMENT: return "document";
	case CLAIM_CARRIER_SOAP:     return "soap";
	case CLAIM_CARRIER_ENVELOPE: return "envelope";
	case CLAIM_CARRIER_INVOICE:  return "invoice";
	}
	return "unknown";
}

/* The 10 digits of "5592117310" or "559211-7310", or false. */
static bool org_digits(const char *s, char buf[11])
{
	size_t k = 0;

	if (!s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (k == 10)
				return false;
			buf[k++] = *s;
		} else if (!(*s == '-' && k == 6)) {
			return false;
		}
	}
	buf[k] = '\0';
	return k == 10;
}

const char *claim_party_org(const claim_party *p, char buf[11])
{
	size_t i;

	for (i = 0; i < p->nids; i++)
		if (p->ids[i].root && strcmp(p->ids[i].root, CLAIM_OID_ORGNUMBER) == 0 &&
		    org_digits(p->ids[i].extension, buf))
			return buf;
	for (i = 0; i < p->nids; i++)
		if (org_digits(p->ids[i].extension, buf))
			return buf;
	return NULL;
}

bool claim_patient_is_pnr(const claim_patient *p)
{
	return p->identity.root && strcmp(p->identity.root, CLAIM_OID_PERSONNUMMER) == 0;
}

bool claim_patient_is_snr(const claim_patient *p)
{
	return p->identity.root && strcmp(p->identity.root, CLAIM_OID_SAMORDNINGSNUMMER) == 0;
}
