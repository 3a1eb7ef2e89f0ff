/*
 * care.h - out-of-county care (utomlänsvård): joining a claim specification
 * (vårdbilaga, parsers/claim.h) with its invoice, reconciling the two, and
 * keeping the patients' identities out of everything ulf shows.
 *
 * Everything here is pure logic over parsed documents: no store, no clock,
 * no I/O.  The store keeps waiting claims and invoices (its care table) and
 * calls these functions:
 *
 *   on arrival      care_claim_keys() / care_invoice_keys() -> the three
 *                   join keys to persist; look up waiting partners by any
 *                   key and confirm each with care_keys_match().
 *   on a match      care_check_claim(), care_check_pair(), for a credit
 *                   claim care_check_credit() with the original claim (or
 *                   care_report_original_missing()), then care_book().
 *   on a second     care_report_duplicate().
 *   document with the same keys
 *   periodically    care_expired(received_at, now, wait_days) for each
 *                   waiting one; when true, care_report_expired() and the
 *                   document becomes an exception - never silently dropped.
 *
 * Reconciliation findings use the findings type of parsers/validate.h with
 * ulf's own rule IDs CARE-001.. (table rules_care[], documented in
 * docs/care.md).  No finding, error message or rendering here ever carries
 * a personnummer: patients are named by their position ("patient 2") and
 * lines by their lineId.  The render functions mask identities unless the
 * caller passes unmask = true on behalf of an authorised handler.
 */
#ifndef ULF_CARE_H
#define ULF_CARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/json.h"
#include "parsers/claim.h"
#include "parsers/invoice.h"
#include "parsers/validate.h"

/* ---- identifiers ---------------------------------------------------- */

/* Length of a fakturaunderlags-id: "ZVF" + org number (10) + YYMM + 6. */
#define CARE_CLAIM_ID_LEN 23

/* True when s is a fakturaunderlags-id: ZVF, 20 digits, a month 01-12. */
bool care_is_claim_id(const char *s);

/* Luhn (modulus 10) over n digits; false for anything but digits. */
bool care_luhn(const char *digits, size_t n);

/* True for 10 digits passing Luhn (Swedish org number). */
bool care_org_ok(const char *s);

typedef enum care_pid_result {
	CARE_PID_OK = 0,
	CARE_PID_FORMAT,     /* not 12 digits */
	CARE_PID_DATE,       /* no such birth date (samordningsnummer: day - 60) */
	CARE_PID_CHECK       /* Luhn check digit wrong */
} care_pid_result;

/* Checks a personnummer (or, with samordning, a samordningsnummer) written
 * as the contract requires: 12 digits YYYYMMDDNNNC. */
care_pid_result care_pid_check(const char *s, bool samordning);

/*
 * Masks a personal identity for display: the birth date part and "-****"
 * ("19121212-****", "121212-****" for 10-digit forms, with or without the
 * separator); anything else (reserve numbers, cards) is "****" whole.
 * The same form as free text is masked in (core/pnr.h: pnr_mask_value).
 * Returns buf (at least 16 bytes are enough).
 */
const char *care_mask_pid(char *buf, size_t n, const char *pid);

/* A patient's identity as shown: masked, or as written when unmask. */
const char *care_patient_id(char *buf, size_t n, const claim_patient *p, bool unmask);

/* "personnummer", "samordningsnummer" or "reserve number". */
const char *care_patient_id_kind(const claim_patient *p);

/* typeOfAgreement as a word: "riksavtal" (1), "regionavtal" (2),
 * "mellanlansavtal" (3); "none" when absent; NULL for another code. */
const char *care_agreement_name(const inv_text *agreement);

/* typeOfCare as a word: "outpatient" (01), "inpatient" (02), or NULL. */
const char *care_type_name(const claim_line *l);

/* ---- dates ---------------------------------------------------------- */

/* YYYYMMDD that is a real calendar date. */
bool care_date_ok(const char *s);
/* hhmmss as the schema's TimeType. */
bool care_time_ok(const char *s);
/* YYYYMMDD or YYYY-MM-DD as seconds since the epoch at 00:00 UTC. */
int care_parse_date(int64_t *out, const char *s);

/* ---- the join ------------------------------------------------------- */

/* What a claim and an invoice are found by.  "" means not known. */
typedef struct care_keys {
	char claim_id[CARE_CLAIM_ID_LEN + 1];   /* the fakturaunderlags-id */
	char invoice_number[64];                /* the invoice's own number */
	char seller_org[11];                    /* 10 digits */
} care_keys;

/*
 * A claim's keys: its id; the invoice number it states (invoiceId, or the
 * envelope's DocumentID); the seller's org number (supplier party, the id's
 * digits, or the envelope's IssuerID).
 */
void care_claim_keys(care_keys *out, const claim *c);

/*
 * An invoice's keys: its number; its seller's org number (legal id,
 * endpoint or identifier with scheme 0007, or the VAT number's digits);
 * the fakturaunderlags-id it names - first in AdditionalDocumentReference,
 * then in the other reference fields, then anywhere in its notes, because
 * senders put it in the wrong field.
 */
void care_invoice_keys(care_keys *out, const invoice *inv);

typedef enum care_match {
	CARE_NO_MATCH = 0,
	CARE_MATCH_CLAIM_ID,        /* both name the same fakturaunderlags-id */
	CARE_MATCH_INVOICE_NUMBER   /* same invoice number and seller org number */
} care_match;

/*
 * Whether a claim and an invoice belong together.  When both carry a
 * fakturaunderlags-id that decides (different ids never match, whatever
 * the invoice numbers say); otherwise invoice number and seller org number
 * must both be known and equal.
 */
care_match care_keys_match(const care_keys *claim_keys, const care_keys *invoice_keys);
const char *care_match_name(care_match m);

/* True when a document that arrived at `arrived_at` has waited longer than
 * wait_days by `now` (seconds since the epoch). */
bool care_expired(int64_t arrived_at, int64_t now, long wait_days);

/* ---- reconciliation ------------------------------------------------- */

typedef enum care_scope {
	CARE_SCOPE_CLAIM = 1,   /* the claim on its own */
	CARE_SCOPE_PAIR,        /* the claim against its invoice */
	CARE_SCOPE_CREDIT,      /* a credit claim against the claim it credits */
	CARE_SCOPE_JOIN         /* the join itself (reported, not checked) */
} care_scope;

struct care_ctx;

typedef struct care_rule {
	rule_def def;           /* id, flag, text; def.check is unused */
	care_scope scope;
	void (*check)(struct care_ctx *x, const struct care_rule *self);
} care_rule;

extern const care_rule rules_care[];
extern const size_t rules_care_count;

/* The rule with this ID, or NULL. */
const care_rule *care_rule_find(const char *id);

/* The claim on its own: CARE-001..018.  Appends to *out; 0 or ULF_ENOMEM. */
int care_check_claim(findings *out, const claim *c, ulf_err *err);

/* The claim against its invoice: CARE-020..026. */
int care_check_pair(findings *out, const claim *c, const invoice *inv, ulf_err *err);

/* A credit claim against the claim it names: CARE-027. */
int care_check_credit(findings *out, const claim *credit, const claim *original,
		      ulf_err *err);

/* CARE-030: the waiting document's partner did not arrive in time.
 * waiting_is_claim says which side waited; waited_days how long. */
int care_report_expired(findings *out, bool waiting_is_claim, const care_keys *k,
			long waited_days, long wait_days, ulf_err *err);

/* CARE-031: a second claim (or invoice) with the keys of one already held;
 * `first` names where the first one is (a file, a store id). */
int care_report_duplicate(findings *out, bool is_claim, const care_keys *k,
			  const char *first, ulf_err *err);

/* CARE-032: a credit claim whose original is not known, so CARE-027 could
 * not be checked. */
int care_report_original_missing(findings *out, const claim *credit, ulf_err *err);

/* ---- rendering (masked unless unmask) ------------------------------- */

/*
 * The claim as JSON / as a few lines of text.  Patient identities, LMA and
 * EU card numbers are masked and diagnoses and procedures left out unless
 * `unmask` - which only an authorised handler resolving a case may ask
 * for, and whose output must not be stored or logged.  The JSON is built
 * whole or not at all: *out is the caller's to free on 0, NULL on
 * ULF_ENOMEM or ULF_EINVAL (a text that is not UTF-8; err names the key).
 */
ULF_MUST_CHECK int care_claim_json(ujson **out, const claim *c, const char *file, bool unmask,
				   ulf_err *err);
void care_claim_text(FILE *out, const claim *c, const char *file, bool unmask);

/* Findings as a JSON array (as care_claim_json: whole, or an error) / as
 * text lines (indented by `indent`). */
ULF_MUST_CHECK int care_findings_json(ujson **out, const findings *f, ulf_err *err);
void care_findings_text(FILE *out, const findings *f, const char *indent);

#endif
