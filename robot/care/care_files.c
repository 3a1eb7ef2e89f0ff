/*
 * care_files.c - the care join over files, in order of arrival, and the
 * check of each case.  See care_files.h.
 */
#include <stdlib.h>
#include <string.h>

#include "robot/care/care_files.h"

/* A file read: what the cases see, and what it owns. */
typedef struct entry {
	care_file pub;           /* first: cases point at it */
	ulf_document doc;
	claim *owned;            /* a claim read from an envelope or invoice */
} entry;

struct care_files {
	entry *es;               /* the files read, in order of arrival */
	size_t nes, cap;
	care_case *cs;           /* at most one case per file */
	size_t ncs;
	long wait_days;
};

int care_files_new(care_files **out, size_t max_files, long wait_days, ulf_err *err)
{
	care_files *cf = calloc(1, sizeof(*cf));

	*out = NULL;
	if (cf) {
		cf->es = calloc(max_files ? max_files : 1, sizeof(*cf->es));
		cf->cs = calloc(max_files ? max_files : 1, sizeof(*cf->cs));
	}
	if (!cf || !cf->es || !cf->cs) {
		care_files_free(cf);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	cf->cap = max_files;
	cf->wait_days = wait_days;
	*out = cf;
	return 0;
}

static void release_entry(entry *e)
{
	claim_free(e->owned);
	reader_document_release(&e->doc);
	memset(e, 0, sizeof(*e));
}

void care_files_free(care_files *cf)
{
	size_t i;

	if (!cf)
		return;
	for (i = 0; cf->cs && i < cf->ncs; i++) {
		findings_release(&cf->cs[i].f);
		care_booking_release(&cf->cs[i].booking);
	}
	for (i = 0; cf->es && i < cf->nes; i++)
		release_entry(&cf->es[i]);
	free(cf->cs);
	free(cf->es);
	free(cf);
}

/* ---- reading -------------------------------------------------------- */

static int read_entry(entry *e, const char *path, const reader_opts *opts, ulf_err *err)
{
	care_file *f = &e->pub;
	const char *date;
	int rc;

	f->file = path;
	rc = reader_read_file(&e->doc, path, opts, false, err);
	if (rc)
		return rc;
	switch (e->doc.kind) {
	case DOC_CLAIM:
		f->claim = e->doc.claim;
		break;
	case DOC_INVOICE:
		f->inv = e->doc.inv;
		rc = claim_from_invoice(&e->owned, f->inv, path, &opts->xml, &opts->inv, err);
		if (rc == ULF_ENOTFOUND)
			rc = 0;
		if (rc)
			return rc;
		f->claim = e->owned;
		break;
	case DOC_SVE_ENVELOPE:
		rc = claim_from_envelope(&e->owned, e->doc.env, path, &opts->xml, &opts->inv, err);
		if (rc == ULF_ENOTFOUND)
			rc = ulf_err_set(err, rc, "%s: no care claim specification among the"
					 " envelope's objects", path);
		if (rc)
			return rc;
		f->claim = e->owned;
		break;
	default:
		return ulf_err_set(err, ULF_ESYNTAX, "%s: not a care claim or invoice", path);
	}
	if (f->claim)
		care_claim_keys(&f->ck, f->claim);
	if (f->inv)
		care_invoice_keys(&f->ik, f->inv);
	/* a claim carried by an invoice arrives with it */
	date = f->inv ? f->inv->issue_date.v : f->claim->issue_date.v;
	f->arrived_known = date && care_parse_date(&f->arrived, date) == 0;
	return 0;
}

/* ---- the join ------------------------------------------------------- */

static bool same_invoice(const care_keys *a, const care_keys *b)
{
	return a->invoice_number[0] && a->seller_org[0] &&
	       strcmp(a->invoice_number, b->invoice_number) == 0 &&
	       strcmp(a->seller_org, b->seller_org) == 0;
}

/* A held claim with the same fakturaunderlags-id, or NULL. */
static care_case *held_claim(care_case *cs, size_t n, const care_keys *k)
{
	size_t i;

	for (i = 0; k->claim_id[0] && i < n; i++)
		if (cs[i].c && !cs[i].duplicate && strcmp(cs[i].c->ck.claim_id, k->claim_id) == 0)
			return &cs[i];
	return NULL;
}

static care_case *held_invoice(care_case *cs, size_t n, const care_keys *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cs[i].i && !cs[i].duplicate && same_invoice(&cs[i].i->ik, k))
			return &cs[i];
	return NULL;
}

/* When the partner arrives after the waiting one's time ran out, the store
 * would already have made the waiting one an exception: say so. */
static void note_late(care_case *k, const care_file *waiting, const care_file *arriving,
		      long wait_days)
{
	if (waiting->arrived_known && arriving->arrived_known &&
	    care_expired(waiting->arrived, arriving->arrived, wait_days)) {
		k->late = waiting;
		k->late_days = (long)((arriving->arrived - waiting->arrived) / 86400);
	}
}

/* A new case at the end. */
static care_case *new_case(care_files *cf)
{
	care_case *k = &cf->cs[cf->ncs++];

	memset(k, 0, sizeof(*k));
	findings_init(&k->f);
	return k;
}

/* Places e into the cases. */
static void join(care_files *cf, const care_file *e)
{
	care_case *cs = cf->cs, *k, *held;
	size_t i, n = cf->ncs;

	if (e->claim && e->inv) {
		k = new_case(cf);
		k->c = k->i = e;
		k->how = CARE_JOIN_CARRIED;
		k->match = care_keys_match(&e->ck, &e->ik);
		if ((held = held_claim(cs, n, &e->ck)) || (held = held_invoice(cs, n, &e->ik))) {
			k->duplicate = true;
			k->duplicate_of = held->c ? held->c->file : held->i->file;
		}
		return;
	}
	if (e->claim) {
		if ((held = held_claim(cs, n, &e->ck))) {
			k = new_case(cf);
			k->c = e;
			k->duplicate = true;
			k->duplicate_of = held->c->file;
			return;
		}
		for (i = 0; i < n; i++) {
			care_match m;
			if (cs[i].c || !cs[i].i || cs[i].duplicate)
				continue;
			m = care_keys_match(&e->ck, &cs[i].i->ik);
			if (m != CARE_NO_MATCH) {
				cs[i].c = e;
				cs[i].how = CARE_JOIN_KEYS;
				cs[i].match = m;
				note_late(&cs[i], cs[i].i, e, cf->wait_days);
				return;
			}
		}
		new_case(cf)->c = e;
		return;
	}
	if ((held = held_invoice(cs, n, &e->ik))) {
		k = new_case(cf);
		k->i = e;
		k->duplicate = true;
		k->duplicate_of = held->i->file;
		return;
	}
	for (i = 0; i < n; i++) {
		care_match m;
		if (cs[i].i || !cs[i].c || cs[i].duplicate)
			continue;
		m = care_keys_match(&cs[i].c->ck, &e->ik);
		if (m != CARE_NO_MATCH) {
			cs[i].i = e;
			cs[i].how = CARE_JOIN_KEYS;
			cs[i].match = m;
			note_late(&cs[i], cs[i].c, e, cf->wait_days);
			return;
		}
	}
	new_case(cf)->i = e;
}

int care_files_add(care_files *cf, const char *path, const reader_opts *opts, ulf_err *err)
{
	reader_opts ropts = *opts;
	entry *e;
	int rc;

	if (cf->nes >= cf->cap)
		return ulf_err_set(err, ULF_ELIMIT, "%s: more than %zu files", path, cf->cap);
	ropts.claims = true;
	e = &cf->es[cf->nes];
	memset(e, 0, sizeof(*e));
	rc = read_entry(e, path, &ropts, err);
	if (rc) {
		release_entry(e);
		return rc;
	}
	cf->nes++;
	join(cf, &e->pub);
	return 0;
}

size_t care_files_count(const care_files *cf)
{
	return cf->ncs;
}

const care_case *care_files_case(const care_files *cf, size_t i)
{
	return i < cf->ncs ? &cf->cs[i] : NULL;
}

/* ---- checking a case ------------------------------------------------ */

/* The claim a credit claim names, among every claim read. */
static const claim *find_original(const care_files *cf, const claim *credit)
{
	size_t i;

	for (i = 0; credit->ref_claim.v && i < cf->nes; i++) {
		const claim *c = cf->es[i].pub.claim;
		if (c && c != credit && c->id.v && strcmp(c->id.v, credit->ref_claim.v) == 0)
			return c;
	}
	return NULL;
}

long care_file_days_waited(const care_file *f, int64_t now)
{
	return f->arrived_known ? (long)((now - f->arrived) / 86400) : 0;
}

const care_file *care_case_alone(const care_case *k)
{
	if (k->c && k->i)
		return NULL;
	return k->c ? k->c : k->i;
}

static bool expired(const care_case *k, int64_t now, long wait_days)
{
	const care_file *e = care_case_alone(k);

	return e && e->arrived_known && care_expired(e->arrived, now, wait_days);
}

int care_files_check(care_files *cf, size_t i, const care_rules *rules, int64_t now,
		     ulf_err *err)
{
	care_case *k = &cf->cs[i];
	const care_file *w;
	int rc = 0;

	findings_release(&k->f);
	findings_init(&k->f);
	care_booking_release(&k->booking);
	k->booked = false;
	if (k->duplicate)
		rc = care_report_duplicate(&k->f, k->c != NULL, k->c ? &k->c->ck : &k->i->ik,
					   k->duplicate_of, err);
	if (rc == 0 && k->late)
		rc = care_report_expired(&k->f, k->late == k->c,
					 k->late == k->c ? &k->c->ck : &k->i->ik,
					 k->late_days, cf->wait_days, err);
	if (rc == 0 && k->c)
		rc = care_check_claim(&k->f, k->c->claim, err);
	if (rc == 0 && k->c && k->c->claim->type == CLAIM_TYPE_CREDIT) {
		const claim *orig = find_original(cf, k->c->claim);
		rc = orig ? care_check_credit(&k->f, k->c->claim, orig, err)
			  : care_report_original_missing(&k->f, k->c->claim, err);
	}
	if (rc == 0 && k->c && k->i)
		rc = care_check_pair(&k->f, k->c->claim, k->i->inv, err);
	if (rc == 0 && k->c && k->i && !k->duplicate) {
		rc = care_book(&k->booking, rules, k->c->claim, err);
		k->booked = rc == 0;
	}
	if (rc == 0 && expired(k, now, cf->wait_days)) {
		w = care_case_alone(k);
		rc = care_report_expired(&k->f, k->c != NULL, k->c ? &k->c->ck : &k->i->ik,
					 care_file_days_waited(w, now), cf->wait_days, err);
	}
	return rc;
}

const char *care_case_status(const care_case *k)
{
	if (findings_fatal(&k->f))
		return "exception";
	if (k->c && k->i)
		return "reconciled";
	return "waiting";
}
