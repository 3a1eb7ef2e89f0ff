/*
 * care_render.c - a claim and its findings as JSON and as text, patient
 * identities masked unless the caller unmasks.  See care.h and, for
 * privacy, care_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/care/care.h"
#include "robot/care/care_int.h"

/* ---- rendering ------------------------------------------------------ */

/* A container that could not be allocated. */
static int no_memory(ulf_err *err)
{
	return ulf_err_set(err, ULF_ENOMEM, "out of memory");
}

/* An amount as "1234.50", or null when absent. */
static int set_amount(ujson *o, const char *key, const claim_amount *a)
{
	char buf[DEC_STR_MAX];

	return ujson_set_str(o, key, a->set ? fmt2(buf, a->v) : NULL);
}

/* A coded value's code (or its text when it has none); NULL when absent. */
static const char *cv_text(const claim_cv *v)
{
	return v->present ? (v->code ? v->code : v->original_text) : NULL;
}

/* A tri-state flag: true, false, or null when unknown (v < 0). */
static int set_flag(ujson *o, const char *key, int v)
{
	return v < 0 ? ujson_set_new(o, key, NULL) : ujson_set_bool(o, key, v == 1);
}

/* A count as written ("3"), or null when absent. */
static int set_count(ujson *o, const char *key, const inv_num *n)
{
	char buf[DEC_STR_MAX];

	if (!n->set)
		return ujson_set_new(o, key, NULL);
	dec_format(buf, sizeof(buf), n->v, 0);
	return ujson_set_str(o, key, buf);
}

/* o[key] = the codes of v[0..n) as an array. */
static int set_cvs(ujson *o, const char *key, const claim_cv *v, size_t n, ulf_err *err)
{
	ujson *arr = ujson_array();
	size_t i;
	int rc = 0;

	if (!arr)
		return no_memory(err);
	for (i = 0; i < n; i++)
		if ((rc = ujson_append_str(arr, cv_text(&v[i]))) != 0) {
			ujson_free(arr);
			return ujson_error(err, rc, key);
		}
	UJSON_TRY(ujson_set_new(o, key, arr), key);
out:
	return rc;
}

/* o[key] = a diagnosis {main, secondary}, or null when absent. */
static int set_diagnosis(ujson *o, const char *key, const claim_diagnosis *d, ulf_err *err)
{
	ujson *dx;
	int rc = 0;

	if (!d->present)
		return ujson_error(err, ujson_set_new(o, key, NULL), key);
	dx = ujson_object();
	if (!dx)
		return no_memory(err);
	UJSON_TRY(ujson_set_str(dx, "main", cv_text(&d->main)), "main");
	rc = set_cvs(dx, "secondary", d->bi, d->nbi, err);
	if (rc)
		goto out;
	rc = ujson_set_new(o, key, dx);
	dx = NULL;   /* taken, whatever the outcome */
	if (rc)
		ujson_error(err, rc, key);
out:
	ujson_free(dx);
	return rc;
}

/* A value that links to a patient: "****" unless unmask; NULL stays NULL. */
static const char *hidden(const char *v, bool unmask)
{
	return v && !unmask ? "****" : v;
}

static int psc_json(ujson **out, const claim_psc *p, ulf_err *err)
{
	ujson *e = ujson_object();
	int rc = 0;

	*out = NULL;
	if (!e)
		return no_memory(err);
	UJSON_TRY(ujson_set_str(e, "code", p->code.v), "code");
	UJSON_TRY(ujson_set_str(e, "name", p->name.v), "name");
	UJSON_TRY(set_count(e, "number", &p->count), "number");
	UJSON_TRY(set_amount(e, "price", &p->price), "price");
	UJSON_TRY(set_amount(e, "total", &p->total), "total");
	*out = e;
	e = NULL;
out:
	ujson_free(e);
	return rc;
}

static int line_json(ujson **out, const claim_line *l, bool unmask, ulf_err *err)
{
	ujson *o = ujson_object(), *arr = NULL, *e;
	size_t k;
	int rc = 0;

	*out = NULL;
	if (!o)
		return no_memory(err);
	UJSON_TRY(ujson_set_str(o, "line_id", l->line_id.v), "line_id");
	UJSON_TRY(ujson_set_int(o, "patient", (int64_t)l->patient + 1), "patient");
	/* the care contact and referral ids point into the patient's record */
	UJSON_TRY(ujson_set_str(o, "care_contact_id", hidden(l->care_contact_id.v, unmask)),
	          "care_contact_id");
	UJSON_TRY(ujson_set_str(o, "credits_line", l->ref_line_id.v), "credits_line");
	UJSON_TRY(ujson_set_str(o, "reason_for_credit", l->reason_for_credit.v),
	          "reason_for_credit");
	UJSON_TRY(ujson_set_str(o, "agreement", care_agreement_name(&l->agreement)), "agreement");
	UJSON_TRY(ujson_set_str(o, "agreement_code", l->agreement.v), "agreement_code");
	UJSON_TRY(ujson_set_str(o, "chapter", l->chapter.v), "chapter");
	UJSON_TRY(ujson_set_str(o, "referral", hidden(l->remittance_number.v, unmask)), "referral");
	UJSON_TRY(ujson_set_str(o, "care", care_type_name(l)), "care");
	UJSON_TRY(ujson_set_str(o, "care_code", l->care_type.code), "care_code");
	UJSON_TRY(set_flag(o, "planned", l->planned), "planned");
	UJSON_TRY(set_flag(o, "public_care", l->public_care), "public_care");
	UJSON_TRY(ujson_set_str(o, "visit_date", l->visit_date.v), "visit_date");
	UJSON_TRY(ujson_set_str(o, "discharge_date", l->discharge_date.v), "discharge_date");
	UJSON_TRY(ujson_set_str(o, "period_start", l->period_start.v), "period_start");
	UJSON_TRY(ujson_set_str(o, "period_end", l->period_end.v), "period_end");
	UJSON_TRY(set_count(o, "days_in_care", &l->days_in_care), "days_in_care");
	UJSON_TRY(ujson_set_str(o, "care_unit_id", l->unit_id.extension), "care_unit_id");
	UJSON_TRY(ujson_set_str(o, "care_unit", l->unit_name.v), "care_unit");
	UJSON_TRY(ujson_set_str(o, "profession", l->profession.v), "profession");
	UJSON_TRY(ujson_set_str(o, "medical_field", l->medical_field.v), "medical_field");
	UJSON_TRY(ujson_set_str(o, "care_level", l->care_level.v), "care_level");
	UJSON_TRY(ujson_set_str(o, "product_category", l->product_category.v), "product_category");
	UJSON_TRY(ujson_set_str(o, "price_list", l->price_list.v), "price_list");
	UJSON_TRY(ujson_set_str(o, "drg_code", l->has_drg ? cv_text(&l->drg_code) : NULL),
	          "drg_code");
	UJSON_TRY(set_amount(o, "drg_price", &l->drg_price), "drg_price");
	UJSON_TRY(set_amount(o, "outlier_care_time", &l->outlier_time), "outlier_care_time");
	UJSON_TRY(set_amount(o, "outlier_cost", &l->outlier_cost), "outlier_cost");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (k = 0; k < l->npsc; k++) {
		if ((rc = psc_json(&e, &l->psc[k], err)) != 0)
			goto out;
		UJSON_TRY(ujson_append_new(arr, e), "patient_specific");
	}
	rc = ujson_set_new(o, "patient_specific", arr);
	arr = NULL;   /* taken, whatever the outcome */
	UJSON_TRY(rc, "patient_specific");
	UJSON_TRY(set_amount(o, "gross", &l->gross), "gross");
	UJSON_TRY(set_amount(o, "net", &l->net), "net");
	UJSON_TRY(set_amount(o, "charge", &l->charge), "charge");
	UJSON_TRY(set_amount(o, "allowance", &l->allowance), "allowance");
	UJSON_TRY(set_amount(o, "discount", &l->discount), "discount");
	UJSON_TRY(set_amount(o, "outpatient_fee", &l->outpatient_fee), "outpatient_fee");
	UJSON_TRY(set_amount(o, "outpatient_fee_paid", &l->outpatient_fee_paid),
	          "outpatient_fee_paid");
	UJSON_TRY(set_amount(o, "inpatient_fee", &l->inpatient_fee), "inpatient_fee");
	/* health data: only for the handler who asked to see the patient */
	if (unmask) {
		if ((rc = set_diagnosis(o, "inpatient_diagnosis", &l->inpatient_dx, err)) != 0 ||
		    (rc = set_diagnosis(o, "outpatient_diagnosis", &l->outpatient_dx, err)) != 0 ||
		    (rc = set_cvs(o, "procedures", l->procedures, l->nprocedures, err)) != 0 ||
		    (rc = set_cvs(o, "atc", l->atc, l->natc, err)) != 0)
			goto out;
	}
	*out = o;
	o = NULL;
out:
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

static int patient_json(ujson **out, const claim *c, size_t i, bool unmask, ulf_err *err)
{
	const claim_patient *p = &c->patients[i];
	ujson *o = ujson_object(), *arr = NULL;
	char id[64];
	size_t k;
	int rc = 0;

	*out = NULL;
	if (!o)
		return no_memory(err);
	UJSON_TRY(ujson_set_int(o, "patient", (int64_t)i + 1), "patient");
	UJSON_TRY(ujson_set_str(o, "identity", care_patient_id(id, sizeof(id), p, unmask)),
	          "identity");
	UJSON_TRY(ujson_set_str(o, "identity_kind", care_patient_id_kind(p)), "identity_kind");
	UJSON_TRY(ujson_set_bool(o, "masked", !unmask), "masked");
	UJSON_TRY(ujson_set_str(o, "county", p->county.code), "county");
	UJSON_TRY(ujson_set_str(o, "municipality", p->municipality.code), "municipality");
	UJSON_TRY(ujson_set_str(o, "gender", p->gender.code), "gender");
	UJSON_TRY(ujson_set_str(o, "listing_region", p->listing.extension), "listing_region");
	if (p->lma_card.v)
		UJSON_TRY(ujson_set_str(o, "lma_card", hidden(p->lma_card.v, unmask)), "lma_card");
	if (p->eu_card.v)
		UJSON_TRY(ujson_set_str(o, "eu_card", hidden(p->eu_card.v, unmask)), "eu_card");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (k = 0; k < p->nlines; k++)
		UJSON_TRY(ujson_append_str(arr, c->lines[p->first_line + k].line_id.v), "lines");
	rc = ujson_set_new(o, "lines", arr);
	arr = NULL;   /* taken, whatever the outcome */
	UJSON_TRY(rc, "lines");
	*out = o;
	o = NULL;
out:
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

int care_claim_json(ujson **out, const claim *c, const char *file, bool unmask, ulf_err *err)
{
	ujson *o = ujson_object(), *arr = NULL, *e;
	char org[11];
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!o)
		return no_memory(err);
	UJSON_TRY(ujson_set_str(o, "file", file), "file");
	UJSON_TRY(ujson_set_str(o, "document_type", "care-claim"), "document_type");
	UJSON_TRY(ujson_set_str(o, "carrier", claim_carrier_name(c->carrier)), "carrier");
	UJSON_TRY(ujson_set_str(o, "id", c->id.v), "id");
	UJSON_TRY(ujson_set_str(o, "issue_date", c->issue_date.v), "issue_date");
	UJSON_TRY(ujson_set_str(o, "type", claim_type_name(c->type)), "type");
	UJSON_TRY(ujson_set_str(o, "type_code", c->type_code.v), "type_code");
	UJSON_TRY(ujson_set_str(o, "invoice_number", c->invoice_id.v), "invoice_number");
	UJSON_TRY(ujson_set_str(o, "invoice_date", c->invoice_date.v), "invoice_date");
	UJSON_TRY(ujson_set_str(o, "credits_invoice", c->ref_invoice.v), "credits_invoice");
	UJSON_TRY(ujson_set_str(o, "credits_claim", c->ref_claim.v), "credits_claim");
	UJSON_TRY(set_amount(o, "payable", &c->payable), "payable");
	UJSON_TRY(ujson_set_str(o, "currency", c->payable.currency), "currency");
	UJSON_TRY(ujson_set_str(o, "supplier_org", claim_party_org(&c->supplier, org)),
	          "supplier_org");
	UJSON_TRY(ujson_set_str(o, "customer_org", claim_party_org(&c->customer, org)),
	          "customer_org");
	if (c->logical_address.v)
		UJSON_TRY(ujson_set_str(o, "logical_address", c->logical_address.v),
		          "logical_address");
	if (c->envelope_document_id)
		UJSON_TRY(ujson_set_str(o, "envelope_document_id", c->envelope_document_id),
		          "envelope_document_id");
	UJSON_TRY(ujson_set_bool(o, "masked", !unmask), "masked");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (i = 0; i < c->npatients; i++) {
		if ((rc = patient_json(&e, c, i, unmask, err)) != 0)
			goto out;
		UJSON_TRY(ujson_append_new(arr, e), "patients");
	}
	rc = ujson_set_new(o, "patients", arr);
	arr = NULL;   /* taken, whatever the outcome */
	UJSON_TRY(rc, "patients");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (i = 0; i < c->nlines; i++) {
		if ((rc = line_json(&e, &c->lines[i], unmask, err)) != 0)
			goto out;
		UJSON_TRY(ujson_append_new(arr, e), "lines");
	}
	rc = ujson_set_new(o, "lines", arr);
	arr = NULL;   /* taken, whatever the outcome */
	UJSON_TRY(rc, "lines");
	*out = o;
	o = NULL;
out:
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

static const char *amount_text(char buf[DEC_STR_MAX], const claim_amount *a)
{
	return a->set ? fmt2(buf, a->v) : "-";
}

void care_claim_text(FILE *out, const claim *c, const char *file, bool unmask)
{
	char a[DEC_STR_MAX], b[DEC_STR_MAX], org1[11], org2[11], id[64];
	size_t i, k;

	fprintf(out, "%s: care claim %s (%s, %s), issued %s\n", file, or_dash(c->id.v),
		claim_type_name(c->type), claim_carrier_name(c->carrier), or_dash(c->issue_date.v));
	fprintf(out, "  supplier %s, customer %s, invoice %s of %s, payable %s %s\n",
		or_dash(claim_party_org(&c->supplier, org1)),
		or_dash(claim_party_org(&c->customer, org2)), or_dash(c->invoice_id.v),
		or_dash(c->invoice_date.v), amount_text(a, &c->payable), or_dash(c->payable.currency));
	if (c->type == CLAIM_TYPE_CREDIT)
		fprintf(out, "  credits claim %s of invoice %s\n", or_dash(c->ref_claim.v),
			or_dash(c->ref_invoice.v));
	for (i = 0; i < c->npatients; i++) {
		const claim_patient *p = &c->patients[i];
		fprintf(out, "  patient %zu: %s (%s), county %s, municipality %s\n", i + 1,
			care_patient_id(id, sizeof(id), p, unmask), care_patient_id_kind(p),
			or_dash(p->county.code), or_dash(p->municipality.code));
		for (k = 0; k < p->nlines; k++) {
			const claim_line *l = &c->lines[p->first_line + k];
			fprintf(out, "    line %s: %s, %s, price list %s, unit %s, visit %s",
				lid(l), or_dash(care_type_name(l)),
				or_dash(care_agreement_name(&l->agreement)), or_dash(l->price_list.v),
				or_dash(l->unit_id.extension), or_dash(l->visit_date.v));
			if (l->discharge_date.v)
				fprintf(out, "-%s", l->discharge_date.v);
			if (l->has_drg)
				fprintf(out, ", DRG %s", or_dash(l->drg_code.original_text
						? l->drg_code.original_text : l->drg_code.code));
			if (l->ref_line_id.v)
				fprintf(out, ", credits line %s (reason %s)", l->ref_line_id.v,
					or_dash(l->reason_for_credit.v));
			fprintf(out, ", gross %s, net %s\n", amount_text(a, &l->gross),
				amount_text(b, &l->net));
			if (unmask && l->inpatient_dx.present)
				fprintf(out, "      inpatient diagnosis %s\n",
					or_dash(l->inpatient_dx.main.code));
			if (unmask && l->outpatient_dx.present)
				fprintf(out, "      outpatient diagnosis %s\n",
					or_dash(l->outpatient_dx.main.code));
		}
	}
}

int care_findings_json(ujson **out, const findings *f, ulf_err *err)
{
	ujson *arr = ujson_array(), *o = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!arr)
		return no_memory(err);
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->items[i];
		o = ujson_object();
		if (!o) {
			rc = no_memory(err);
			goto out;
		}
		UJSON_TRY(ujson_set_str(o, "rule", x->rule), "rule");
		UJSON_TRY(ujson_set_str(o, "flag", x->flag == VFLAG_FATAL ? "fatal" : "warning"),
		          "flag");
		UJSON_TRY(ujson_set_str(o, "message", x->message), "message");
		if (x->line)
			UJSON_TRY(ujson_set_int(o, "line", x->line), "line");
		rc = ujson_append_new(arr, o);
		o = NULL;   /* taken, whatever the outcome */
		UJSON_TRY(rc, "findings");
	}
	*out = arr;
	arr = NULL;
out:
	ujson_free(o);
	ujson_free(arr);
	return rc;
}

void care_findings_text(FILE *out, const findings *f, const char *indent)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->items[i];
		fprintf(out, "%s%s %s: %s", indent, x->rule,
			x->flag == VFLAG_FATAL ? "fatal" : "warning", x->message);
		if (x->line)
			fprintf(out, " (source line %u)", x->line);
		fputc('\n', out);
	}
}
