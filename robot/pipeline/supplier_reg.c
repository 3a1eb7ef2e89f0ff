/*
 * supplier_reg.c - setting up a new supplier from an invoice: the check
 * digits, the four-eyes rule, the steps and their audit rows, the ERP's
 * supplier register and ulf's own.  See supplier_reg.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parsers/refkeys.h"
#include "robot/match/match.h"
#include "robot/pipeline/pipeline_int.h"
#include "robot/pipeline/queue.h"
#include "robot/pipeline/supplier_reg.h"
#include "robot/store/audit.h"
#include "robot/store/refdata.h"

/* ---- check digits --------------------------------------------------------- */

/* The digits of s into out (separators ' ' and '-' skipped); false when
 * anything else is there or more than n-1 digits. */
static bool digits_of(char *out, size_t n, const char *s)
{
	size_t k = 0;

	if (!s)
		return false;
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (!isdigit((unsigned char)*s) || k + 1 >= n)
			return false;
		out[k++] = *s;
	}
	out[k] = '\0';
	return k > 0;
}

/* Whether the last digit of d is the Luhn check digit of the others. */
static bool luhn_ok(const char *d)
{
	size_t n = strlen(d), i;
	int sum = 0;

	for (i = 0; i < n; i++) {
		int v = d[n - 1 - i] - '0';
		if (i % 2 == 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return n > 1 && sum % 10 == 0;
}

bool sreg_org_no_ok(const char *s)
{
	char d[16];
	const char *p = d;

	if (!digits_of(d, sizeof(d), s))
		return false;
	if (strlen(d) == 12 && !strncmp(d, "16", 2))
		p = d + 2;
	return strlen(p) == 10 && luhn_ok(p);
}

bool sreg_vat_no_ok(const char *s)
{
	char v[32], org[11];
	size_t k = 0;

	for (; s && *s && k + 1 < sizeof(v); s++)
		if (*s != ' ' && *s != '-')
			v[k++] = (char)toupper((unsigned char)*s);
	v[k] = '\0';
	if (k != 14 || strncmp(v, "SE", 2) || strcmp(v + 12, "01"))
		return false;
	memcpy(org, v + 2, 10);
	org[10] = '\0';
	return sreg_org_no_ok(org);
}

bool sreg_bankgiro_ok(const char *s)
{
	char d[16];

	return digits_of(d, sizeof(d), s) && (strlen(d) == 7 || strlen(d) == 8) && luhn_ok(d);
}

bool sreg_plusgiro_ok(const char *s)
{
	char d[16];

	return digits_of(d, sizeof(d), s) && strlen(d) >= 2 && strlen(d) <= 8 && luhn_ok(d);
}

bool sreg_iban_ok(const char *s)
{
	char v[40];
	size_t k = 0, i;
	unsigned rem = 0;

	for (; s && *s; s++) {
		if (*s == ' ')
			continue;
		if (!isalnum((unsigned char)*s) || k + 1 >= sizeof(v))
			return false;
		v[k++] = (char)toupper((unsigned char)*s);
	}
	v[k] = '\0';
	if (k < 15 || k > 34 || !isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]) ||
	    !isdigit((unsigned char)v[2]) || !isdigit((unsigned char)v[3]))
		return false;
	/* the first four characters moved to the end, letters as 10..35 */
	for (i = 0; i < k; i++) {
		char ch = v[(i + 4) % k];
		if (isdigit((unsigned char)ch))
			rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
	}
	return rem == 1;
}

/* ---- the form --------------------------------------------------------------- */

static const char *const field_names[] = {
	"name", "org_no", "vat_no", "peppol_id", "f_skatt", "bankgiro", "plusgiro", "iban",
	"street", "postcode", "city", "country", "contact_name", "contact_email",
	"contact_phone",
};

const char *const *sreg_field_names(size_t *out_n)
{
	*out_n = sizeof(field_names) / sizeof(field_names[0]);
	return field_names;
}

const char **sreg_form_field(sreg_form *f, const char *name)
{
	const char **slots[] = {
		&f->name, &f->org_no, &f->vat_no, &f->peppol_id, &f->f_skatt, &f->bankgiro,
		&f->plusgiro, &f->iban, &f->street, &f->postcode, &f->city, &f->country,
		&f->contact_name, &f->contact_email, &f->contact_phone,
	};
	size_t i;

	for (i = 0; name && i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (!strcmp(name, field_names[i]))
			return slots[i];
	return NULL;
}

void sreg_form_from_json(sreg_form *out, const ujson *j)
{
	const ujson *a = ujson_get(j, "address"), *c = ujson_get(j, "contact");

	memset(out, 0, sizeof(*out));
	out->name = ujson_get_str(j, "name");
	out->org_no = ujson_get_str(j, "org_no");
	out->vat_no = ujson_get_str(j, "vat_no");
	out->peppol_id = ujson_get_str(j, "peppol_id");
	out->f_skatt = ujson_get_str(j, "f_skatt");
	out->bankgiro = ujson_get_str(j, "bankgiro");
	out->plusgiro = ujson_get_str(j, "plusgiro");
	out->iban = ujson_get_str(j, "iban");
	out->street = ujson_get_str(a, "street");
	out->postcode = ujson_get_str(a, "postcode");
	out->city = ujson_get_str(a, "city");
	out->country = ujson_get_str(a, "country");
	out->contact_name = ujson_get_str(c, "name");
	out->contact_email = ujson_get_str(c, "email");
	out->contact_phone = ujson_get_str(c, "phone");
}

static bool given(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

static void problem(sreg_problems *p, const char *field, const char *msg)
{
	if (p->n < SREG_MAX_PROBLEMS) {
		p->items[p->n].field = field;
		snprintf(p->items[p->n].message, sizeof(p->items[p->n].message), "%s", msg);
		p->n++;
	}
}

int sreg_validate(sreg_problems *out, const sreg_form *f, ulf_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!given(f->name))
		problem(out, "name", "the supplier's name is missing");
	else if (strlen(f->name) > 200)
		problem(out, "name", "the name is longer than 200 characters");
	if (!given(f->org_no))
		problem(out, "org_no", "the organisation number is missing");
	else if (!sreg_org_no_ok(f->org_no))
		problem(out, "org_no", "the organisation number is not 10 digits with a valid "
			"check digit");
	if (given(f->vat_no) && !sreg_vat_no_ok(f->vat_no))
		problem(out, "vat_no", "the VAT number is not SE, a valid organisation number "
			"and 01");
	if (given(f->peppol_id) && (strlen(f->peppol_id) > 120 || !strchr(f->peppol_id, ':')))
		problem(out, "peppol_id", "the Peppol id is not scheme:identifier");
	if (given(f->bankgiro) && !sreg_bankgiro_ok(f->bankgiro))
		problem(out, "bankgiro", "the bankgiro number is not 7 or 8 digits with a valid "
			"check digit");
	if (given(f->plusgiro) && !sreg_plusgiro_ok(f->plusgiro))
		problem(out, "plusgiro", "the plusgiro number is not 2 to 8 digits with a valid "
			"check digit");
	if (given(f->iban) && !sreg_iban_ok(f->iban))
		problem(out, "iban", "the IBAN's check digits do not hold (mod 97)");
	if (!given(f->bankgiro) && !given(f->plusgiro) && !given(f->iban))
		problem(out, "bankgiro", "give a bankgiro, plusgiro or IBAN to pay to");
	if (out->n)
		return ulf_err_set(err, ULF_EINVAL, "%s%s", out->items[0].message,
				   out->n > 1 ? " (and more)" : "");
	return 0;
}

int sreg_prefill(ujson **out, store *s, int64_t doc_id, ulf_err *err)
{
	char *text = NULL;
	ujson *res = NULL, *ns;
	int rc;

	*out = NULL;
	rc = store_get_text(&text, s, doc_id, "result", err);
	if (rc)
		return rc;
	if (!text)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no result",
				   (long long)doc_id);
	rc = ujson_parse(&res, text, strlen(text), "result", err);
	free(text);
	if (rc)
		return rc;
	ns = ujson_get(ujson_get(res, "match"), "new_supplier");
	if (!ujson_is_object(ns)) {
		ujson_free(res);
		return ulf_err_set(err, ULF_ENOTFOUND,
				   "document %lld names no new supplier to register",
				   (long long)doc_id);
	}
	/* a copy of the member, so the result can go */
	text = ujson_dump(ns, UJSON_COMPACT);
	ujson_free(res);
	if (!text)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = ujson_parse(out, text, strlen(text), "new_supplier", err);
	free(text);
	return rc;
}

/* ---- records and audit rows ---------------------------------------------------- */

/* A JSON object being built; the first failure sticks. */
typedef struct jb {
	ujson *o;
	bool failed;
} jb;

static void jb_str(jb *b, const char *key, const char *v)
{
	if (!b->failed && (!b->o || ujson_set_str(b->o, key, given(v) ? v : NULL) != 0))
		b->failed = true;
}

static void jb_int(jb *b, const char *key, int64_t v)
{
	if (!b->failed && (!b->o || ujson_set_int(b->o, key, v) != 0))
		b->failed = true;
}

static void jb_bool(jb *b, const char *key, bool v)
{
	if (!b->failed && (!b->o || ujson_set_bool(b->o, key, v) != 0))
		b->failed = true;
}

/* The form as the record's JSON (malloc'd), or NULL. */
static char *form_json(const sreg_form *f, const sreg_form *inv)
{
	jb b = { ujson_object(), false };
	char *text = NULL;
	size_t n, i;
	const char *const *names = sreg_field_names(&n);
	sreg_form *ff = (sreg_form *)f, *fi = (sreg_form *)inv;

	for (i = 0; i < n; i++)
		jb_str(&b, names[i], *sreg_form_field(ff, names[i]));
	/* what the invoice itself said about where to pay: what four eyes
	 * compared with */
	jb_str(&b, "invoice_bankgiro", fi->bankgiro);
	jb_str(&b, "invoice_plusgiro", fi->plusgiro);
	jb_str(&b, "invoice_iban", fi->iban);
	if (!b.failed)
		text = ujson_dump(b.o, UJSON_COMPACT);
	ujson_free(b.o);
	return text;
}

/* The state, and what matters with it, as an audit row's before/after. */
static char *state_json(const sreg_rec *r)
{
	jb b = { ujson_object(), false };
	char *text = NULL;

	jb_int(&b, "registration", r->id);
	jb_str(&b, "state", r->state);
	jb_bool(&b, "four_eyes", r->four_eyes);
	jb_str(&b, "submitted_by", r->submitted_by);
	jb_str(&b, "approved_by", r->approved_by);
	jb_str(&b, "idempotency_key", r->idem_key);
	jb_str(&b, "supplier_no", r->supplier_no);
	jb_str(&b, "last_error", r->last_error);
	if (!b.failed)
		text = ujson_dump(b.o, UJSON_COMPACT);
	ujson_free(b.o);
	return text;
}

static int audit(db *d, const sreg_rec *r, const char *who, const char *action,
		 const char *detail, const char *before, const char *after, int64_t now,
		 ulf_err *err)
{
	audit_entry e = { r->doc_id, who, 0, action, detail, before, after, now };

	return audit_append(NULL, d, &e, err);
}

/* Moves r (read at r->version) to what `next` says, with its audit row,
 * in one transaction.  detail: the audit row's (may be NULL). */
static int step(db *d, const sreg_rec *r, sreg_rec *next, const char *who, const char *action,
		const char *detail, int64_t now, ulf_err *err)
{
	char *before = state_json(r), *after = NULL;
	int rc;

	next->updated_at = now;
	after = state_json(next);
	if (!before || !after) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = db_begin(d, err);
	if (rc)
		goto out;
	rc = sreg_store_update(d, next, err);
	if (rc == 0)
		rc = audit(d, next, who, action, detail, before, after, now, err);
	if (rc == 0)
		rc = db_commit(d, err);
	else
		db_rollback(d);
	if (rc == 0)
		next->version++;
out:
	free(before);
	free(after);
	return rc;
}

/* A copy of r that owns its own data. */
static int rec_copy(sreg_rec *out, const sreg_rec *r, ulf_err *err)
{
	*out = *r;
	out->data = strdup(r->data ? r->data : "{}");
	if (!out->data)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return 0;
}

static bool same_key(ref_key k, const char *a, const char *b)
{
	char x[160], y[160];

	return given(a) && given(b) && refdata_norm(x, sizeof(x), k, a) &&
	       refdata_norm(y, sizeof(y), k, b) && !strcmp(x, y);
}

static bool same_pay(ref_key k, const char *typed, const char *on_invoice)
{
	if (!given(typed) && !given(on_invoice))
		return true;
	return same_key(k, typed, on_invoice);
}

/* ---- submit, approve, decline -------------------------------------------------- */

static int already_known(pipeline *p, const sreg_form *f, ulf_err *err)
{
	refdata *rd = matcher_refdata(p->m);
	ref_supplier found;
	sreg_rec *open = NULL;
	size_t n = 0, i, nopen = 0;
	int rc;

	rc = refdata_supplier_find(&found, &n, rd, REF_BY_ORG, f->org_no, err);
	if (rc)
		return rc;
	if (n > 0)
		return ulf_err_set(err, ULF_EEXISTS, "the register has this organisation number "
				   "already: supplier %s (%s)", found.supplier_no, found.name);
	rc = sreg_store_list(&open, &nopen, store_db(p->s), NULL, 100000, err);
	if (rc)
		return rc;
	for (i = 0; i < nopen && rc == 0; i++) {
		const char *st = open[i].state;
		if (strcmp(st, "registered") && strcmp(st, "declined") && strcmp(st, "refused") &&
		    same_key(REF_BY_ORG, open[i].org_no, f->org_no))
			rc = ulf_err_set(err, ULF_EEXISTS, "registration %lld of this organisation "
					 "number is %s already", (long long)open[i].id,
					 open[i].state);
	}
	sreg_recs_free(open, nopen);
	return rc;
}

int sreg_submit(int64_t *out_id, bool *out_four_eyes, sreg_problems *out_problems,
		pipeline *p, int64_t doc_id, const sreg_form *f, const char *who,
		int64_t now, ulf_err *err)
{
	sreg_problems scratch;
	sreg_form inv;
	ujson *pre = NULL;
	sreg_rec r;
	db *d = store_db(p->s);
	char *after = NULL;
	int rc;

	*out_id = 0;
	*out_four_eyes = false;
	memset(&r, 0, sizeof(r));
	if (!given(who))
		return ulf_err_set(err, ULF_EINVAL, "a registration needs the user who submits it");
	rc = sreg_store_migrate(d, err);
	if (rc)
		return rc;
	rc = sreg_validate(out_problems ? out_problems : &scratch, f, err);
	if (rc)
		return rc;
	rc = already_known(p, f, err);
	if (rc)
		return rc;
	rc = sreg_prefill(&pre, p->s, doc_id, err);
	if (rc == ULF_ENOTFOUND)
		return ulf_err_set(err, ULF_EINVAL, "document %lld is not from an unknown supplier",
				   (long long)doc_id);
	if (rc)
		return rc;
	sreg_form_from_json(&inv, pre);
	r.doc_id = doc_id;
	r.four_eyes = !same_pay(REF_BY_BANKGIRO, f->bankgiro, inv.bankgiro) ||
		      !same_pay(REF_BY_PLUSGIRO, f->plusgiro, inv.plusgiro) ||
		      !same_pay(REF_BY_IBAN, f->iban, inv.iban);
	refdata_norm(r.org_no, sizeof(r.org_no), REF_BY_ORG, f->org_no);
	if (given(f->vat_no))
		refdata_norm(r.vat_no, sizeof(r.vat_no), REF_BY_VAT, f->vat_no);
	if (given(f->peppol_id))
		refdata_norm(r.peppol_id, sizeof(r.peppol_id), REF_BY_PEPPOL, f->peppol_id);
	snprintf(r.submitted_by, sizeof(r.submitted_by), "%s", who);
	r.submitted_at = now;
	r.updated_at = now;
	if (r.four_eyes) {
		snprintf(r.state, sizeof(r.state), "awaiting_approval");
	} else {
		snprintf(r.state, sizeof(r.state), "approved");
		snprintf(r.approved_by, sizeof(r.approved_by), "%s", who);
		r.approved_at = now;
	}
	r.data = form_json(f, &inv);
	if (!r.data) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = db_begin(d, err);
	if (rc)
		goto out;
	rc = sreg_store_insert(&r.id, d, &r, err);
	if (rc == 0) {
		r.version = 1;
		after = state_json(&r);
		if (!after)
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = audit(d, &r, who, "supplier-submit", r.data, NULL, after, now, err);
	if (rc == 0)
		rc = db_commit(d, err);
	else
		db_rollback(d);
	if (rc)
		goto out;
	*out_id = r.id;
	*out_four_eyes = r.four_eyes;
	if (!r.four_eyes) {
		/* the payment details are the invoice's own: nothing typed to
		 * check, the submitter's word approves it */
		sreg_rec st;
		memset(&st, 0, sizeof(st));
		rc = sreg_send(&st, NULL, p, r.id, who, now, err);
		sreg_rec_release(&st);
	}
out:
	free(after);
	sreg_rec_release(&r);
	ujson_free(pre);
	return rc;
}

int sreg_approve(pipeline *p, int64_t id, const char *who, int64_t now, ulf_err *err)
{
	db *d = store_db(p->s);
	sreg_rec r, next, st;
	int rc;

	memset(&next, 0, sizeof(next));
	memset(&st, 0, sizeof(st));
	if (!given(who))
		return ulf_err_set(err, ULF_EINVAL, "an approval needs the user who approves");
	rc = sreg_get(&r, p->s, id, err);
	if (rc)
		return rc;
	if (strcmp(r.state, "awaiting_approval")) {
		rc = ulf_err_set(err, ULF_EINVAL, "registration %lld is %s, not awaiting approval",
				 (long long)id, r.state);
		goto out;
	}
	if (r.four_eyes && !strcmp(r.submitted_by, who)) {
		rc = ulf_err_set(err, ULF_EINVAL, "four eyes: the payment details of registration "
				 "%lld were typed or changed by hand, so someone other than %s, who "
				 "submitted it, must approve them", (long long)id, who);
		goto out;
	}
	rc = rec_copy(&next, &r, err);
	if (rc)
		goto out;
	snprintf(next.state, sizeof(next.state), "approved");
	snprintf(next.approved_by, sizeof(next.approved_by), "%s", who);
	next.approved_at = now;
	rc = step(d, &r, &next, who, "supplier-approve", NULL, now, err);
	if (rc == 0)
		rc = sreg_send(&st, NULL, p, id, who, now, err);
out:
	sreg_rec_release(&st);
	sreg_rec_release(&next);
	sreg_rec_release(&r);
	return rc;
}

int sreg_decline(pipeline *p, int64_t id, const char *who, const char *reason, int64_t now,
		 ulf_err *err)
{
	sreg_rec r, next;
	int rc;

	memset(&next, 0, sizeof(next));
	if (!given(who) || !given(reason))
		return ulf_err_set(err, ULF_EINVAL, "declining needs the user and a reason");
	rc = sreg_get(&r, p->s, id, err);
	if (rc)
		return rc;
	if (strcmp(r.state, "awaiting_approval"))
		rc = ulf_err_set(err, ULF_EINVAL, "registration %lld is %s, not awaiting approval",
				 (long long)id, r.state);
	if (rc == 0)
		rc = rec_copy(&next, &r, err);
	if (rc == 0) {
		snprintf(next.state, sizeof(next.state), "declined");
		rc = step(store_db(p->s), &r, &next, who, "supplier-decline", reason, now, err);
	}
	sreg_rec_release(&next);
	sreg_rec_release(&r);
	return rc;
}

/* ---- to the ERP and into the register ---------------------------------------- */

/* The payload for the ERP's supplier register (malloc'd). */
static char *erp_payload(const sreg_rec *r, ulf_err *err)
{
	ujson *data = NULL, *o = NULL;
	char *text = NULL;
	jb b;
	size_t n, i;
	const char *const *names = sreg_field_names(&n);

	if (ujson_parse(&data, r->data, strlen(r->data), "registration", err))
		return NULL;
	o = ujson_object();
	b.o = o;
	b.failed = false;
	for (i = 0; i < n; i++)
		jb_str(&b, names[i], ujson_get_str(data, names[i]));
	jb_str(&b, "approved_by", r->approved_by);
	jb_int(&b, "registration", r->id);
	if (!b.failed)
		text = ujson_dump(o, UJSON_COMPACT);
	if (!text)
		ulf_err_set(err, ULF_ENOMEM, "out of memory");
	ujson_free(o);
	ujson_free(data);
	return text;
}

/* The supplier into ulf's register from the record. */
static int put_supplier(pipeline *p, const sreg_rec *r, int64_t now, ulf_err *err)
{
	ref_supplier s;
	ujson *data = NULL;
	bool updated;
	int rc;

	rc = ujson_parse(&data, r->data, strlen(r->data), "registration", err);
	if (rc)
		return rc;
	memset(&s, 0, sizeof(s));
	snprintf(s.supplier_no, sizeof(s.supplier_no), "%s", r->supplier_no);
	snprintf(s.name, sizeof(s.name), "%s", ujson_get_str(data, "name") ?
		 ujson_get_str(data, "name") : "");
	snprintf(s.org_no, sizeof(s.org_no), "%s", r->org_no);
	snprintf(s.vat_no, sizeof(s.vat_no), "%s", r->vat_no);
	snprintf(s.peppol_id, sizeof(s.peppol_id), "%s", r->peppol_id);
	if (given(ujson_get_str(data, "bankgiro")))
		refdata_norm(s.bankgiro, sizeof(s.bankgiro), REF_BY_BANKGIRO,
			     ujson_get_str(data, "bankgiro"));
	if (given(ujson_get_str(data, "plusgiro")))
		refdata_norm(s.plusgiro, sizeof(s.plusgiro), REF_BY_PLUSGIRO,
			     ujson_get_str(data, "plusgiro"));
	if (given(ujson_get_str(data, "iban")))
		refdata_norm(s.iban, sizeof(s.iban), REF_BY_IBAN, ujson_get_str(data, "iban"));
	ujson_free(data);
	return refdata_put_supplier(&updated, matcher_refdata(p->m), &s, now, err);
}

/* Whether waiting document `id`'s unknown supplier is the one registered. */
static bool waits_for(pipeline *p, int64_t id, const sreg_rec *r)
{
	sreg_form f;
	ujson *pre = NULL;
	ulf_err e;
	bool yes;

	ulf_err_clear(&e);
	if (sreg_prefill(&pre, p->s, id, &e))
		return false;
	sreg_form_from_json(&f, pre);
	yes = same_key(REF_BY_ORG, f.org_no, r->org_no) ||
	      same_key(REF_BY_VAT, f.vat_no, r->vat_no) ||
	      same_key(REF_BY_PEPPOL, f.peppol_id, r->peppol_id);
	ujson_free(pre);
	return yes;
}

/* Runs the supplier's waiting invoices again, as `who`. */
static int retry_waiting(size_t *out_n, pipeline *p, const sreg_rec *r, const char *who,
			 int64_t now, ulf_err *err)
{
	queue_filter f;
	queue_page pg;
	int64_t ids[QUEUE_PAGE_MAX], versions[QUEUE_PAGE_MAX];
	size_t n = 0, i;
	int rc;

	*out_n = 0;
	memset(&f, 0, sizeof(f));
	f.reason = "UNKNOWN_SUPPLIER";
	f.sort = QUEUE_SORT_AGE;
	f.limit = QUEUE_PAGE_MAX;
	memset(&pg, 0, sizeof(pg));
	rc = queue_list(&pg, p->s, &f, now, err);
	for (i = 0; rc == 0 && i < pg.n; i++) {
		if (waits_for(p, pg.items[i].id, r)) {
			ids[n] = pg.items[i].id;
			versions[n++] = pg.items[i].version;
		}
	}
	queue_page_release(&pg);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		doc_state st;
		ulf_err e;
		ulf_err_clear(&e);
		/* one that moved meanwhile (a handler acted) is that handler's */
		if (queue_retry(&st, p, ids[i], who, versions[i], now, &e) == 0)
			(*out_n)++;
	}
	return 0;
}

/* The supplier number the ERP's answer gives, or none. */
static void answer_number(char *out, size_t n, const erp_result *res)
{
	ujson *j = NULL;
	ulf_err e;

	out[0] = '\0';
	ulf_err_clear(&e);
	if (ujson_parse(&j, res->response, strlen(res->response), "answer", &e) == 0 &&
	    ujson_get_str(j, "supplier_no"))
		snprintf(out, n, "%s", ujson_get_str(j, "supplier_no"));
	ujson_free(j);
}

int sreg_send(sreg_rec *out_state, size_t *out_retried, pipeline *p, int64_t id,
	      const char *who, int64_t now, ulf_err *err)
{
	db *d = store_db(p->s);
	sreg_rec r, next;
	erp_result res;
	char *payload = NULL, detail[640];
	size_t retried = 0;
	bool erp = erp_can_register_suppliers(p->erp);
	int rc;

	memset(&next, 0, sizeof(next));
	memset(out_state, 0, sizeof(*out_state));
	if (out_retried)
		*out_retried = 0;
	rc = sreg_get(&r, p->s, id, err);
	if (rc)
		return rc;
	if (strcmp(r.state, "approved") && strcmp(r.state, "sending")) {
		rc = ulf_err_set(err, ULF_EINVAL, "registration %lld is %s, not approved",
				 (long long)id, r.state);
		goto out;
	}
	rc = rec_copy(&next, &r, err);
	if (rc)
		goto out;
	if (erp) {
		/* the key is kept before the request goes: every resend is
		 * the same registration to the ERP */
		if (!r.idem_key[0])
			snprintf(next.idem_key, sizeof(next.idem_key), "ulf-supplier-%lld-%s",
				 (long long)r.id, r.org_no);
		snprintf(next.state, sizeof(next.state), "sending");
		next.attempts++;
		rc = step(d, &r, &next, who, "supplier-send", NULL, now, err);
		if (rc)
			goto out;
		sreg_rec_release(&r);
		rc = rec_copy(&r, &next, err);
		if (rc)
			goto out;
		payload = erp_payload(&r, err);
		if (!payload) {
			rc = ULF_ENOMEM;
			goto out;
		}
		rc = erp_supplier_register(&res, p->erp, r.idem_key, payload, err);
		if (rc)
			goto out;
		if (res.outcome != ERP_ACCEPTED) {
			bool final = res.outcome == ERP_REJECTED;
			long wait = erp_backoff_ms((unsigned)r.attempts, p->cfg.erp_backoff_ms,
						   p->cfg.erp_backoff_max_ms, (uint64_t)now);
			snprintf(next.last_error, sizeof(next.last_error), "%s (HTTP %d): %.400s",
				 erp_outcome_name(res.outcome), res.http_status, res.message);
			if (final)
				snprintf(next.state, sizeof(next.state), "refused");
			else
				next.next_try = now + (wait > 0 ? wait / 1000 : 0) + 1;
			rc = step(d, &r, &next, who, final ? "supplier-refused" : "supplier-send-retry",
				  next.last_error, now, err);
			goto out;
		}
		answer_number(next.supplier_no, sizeof(next.supplier_no), &res);
	}
	if (!next.supplier_no[0])
		snprintf(next.supplier_no, sizeof(next.supplier_no), "%.40s%lld",
			 p->cfg.supplier_series, (long long)r.id);
	snprintf(next.state, sizeof(next.state), "registered");
	next.registered_at = now;
	next.last_error[0] = '\0';
	rc = db_begin(d, err);
	if (rc)
		goto out;
	rc = put_supplier(p, &next, now, err);
	if (rc == 0)
		rc = step(d, &r, &next, who, "supplier-register", next.supplier_no, now, err);
	if (rc == 0)
		rc = db_commit(d, err);
	else
		db_rollback(d);
	if (rc)
		goto out;
	rc = retry_waiting(&retried, p, &next, who, now, err);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%zu waiting invoice%s run again", retried,
			 retried == 1 ? "" : "s");
		rc = db_begin(d, err);
		if (rc == 0)
			rc = audit(d, &next, who, "supplier-retry-invoices", detail, NULL, NULL, now,
				   err);
		if (rc == 0)
			rc = db_commit(d, err);
		else if (rc != 0)
			db_rollback(d);
	}
	if (out_retried)
		*out_retried = retried;
out:
	if (rc == 0)
		rc = sreg_get(out_state, p->s, id, err);
	free(payload);
	sreg_rec_release(&next);
	sreg_rec_release(&r);
	return rc;
}

int sreg_send_due(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
{
	sreg_rec *v = NULL;
	size_t n = 0, i;
	const char *states[] = { "approved", "sending" };
	size_t k;
	int rc = 0;

	*out_n = 0;
	rc = sreg_store_migrate(store_db(p->s), err);
	for (k = 0; rc == 0 && k < 2; k++) {
		rc = sreg_store_list(&v, &n, store_db(p->s), states[k], 100, err);
		for (i = 0; rc == 0 && i < n; i++) {
			sreg_rec st;
			if (v[i].next_try > now)
				continue;
			memset(&st, 0, sizeof(st));
			rc = sreg_send(&st, NULL, p, v[i].id, v[i].approved_by, now, err);
			sreg_rec_release(&st);
			if (rc == ULF_ECONFLICT || rc == ULF_EINVAL)
				rc = 0;   /* another thread took it meanwhile */
			if (rc == 0)
				(*out_n)++;
		}
		sreg_recs_free(v, n);
		v = NULL;
		n = 0;
	}
	return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

int sreg_list(sreg_rec **out, size_t *out_n, store *s, const char *state, ulf_err *err)
{
	int rc = sreg_store_migrate(store_db(s), err);

	*out = NULL;
	*out_n = 0;
	return rc ? rc : sreg_store_list(out, out_n, store_db(s), state, 10000, err);
}

int sreg_get(sreg_rec *out, store *s, int64_t id, ulf_err *err)
{
	int rc = sreg_store_migrate(store_db(s), err);

	memset(out, 0, sizeof(*out));
	return rc ? rc : sreg_store_get(out, store_db(s), id, err);
}

int sreg_for_doc(sreg_rec *out, bool *found, store *s, int64_t doc_id, ulf_err *err)
{
	int rc = sreg_store_migrate(store_db(s), err);

	*found = false;
	memset(out, 0, sizeof(*out));
	return rc ? rc : sreg_store_for_doc(out, found, store_db(s), doc_id, err);
}

int sreg_per_month(sreg_month **out, size_t *out_n, store *s, ulf_err *err)
{
	int64_t *at = NULL;
	size_t n = 0, i, k = 0;
	sreg_month *m = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = sreg_store_migrate(store_db(s), err);
	if (rc == 0)
		rc = sreg_store_registered(&at, &n, store_db(s), err);
	if (rc)
		return rc;
	if (n) {
		m = calloc(n, sizeof(*m));
		if (!m) {
			free(at);
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
		}
	}
	for (i = 0; i < n; i++) {
		time_t t = (time_t)at[i];
		struct tm tm;
		char month[32];
		gmtime_r(&t, &tm);
		snprintf(month, sizeof(month), "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
		if (k == 0 || strncmp(m[k - 1].month, month, 7)) {
			snprintf(m[k].month, sizeof(m[k].month), "%.7s", month);
			k++;
		}
		m[k - 1].n++;
	}
	free(at);
	*out = m;
	*out_n = k;
	return 0;
}
