/*
 * supplier_reg.h - setting up a new supplier (upplägg av ny leverantör)
 * from an invoice of a supplier the register does not know.
 *
 * The matcher prefills a registration from the invoice (result.match.
 * new_supplier: name, org and VAT number, F-skatt, Peppol id, bankgiro,
 * plusgiro, IBAN, address, contact) and queues the invoice as
 * UNKNOWN_SUPPLIER.  A handler completes it and submits it; from there:
 *
 *   submitted -> awaiting_approval   the payment details (bankgiro,
 *                                    plusgiro, IBAN) are not the invoice's:
 *                                    typed or changed by hand, so a second
 *                                    person must approve them (four eyes
 *                                    against invoice fraud; the server
 *                                    refuses the submitter's own approval)
 *             -> approved            otherwise at once, by the submitter
 *   awaiting_approval -> approved | declined
 *   approved -> sending              its idempotency key is stored first,
 *                                    then it goes to the ERP's supplier
 *                                    register (erp_supplier_url), exactly
 *                                    once, retried like a posting
 *   sending -> registered            the ERP's supplier number (or one from
 *                                    supplier_series when no ERP register is
 *                                    configured) into ulf's own register;
 *                                    then the supplier's waiting invoices
 *                                    are run again, as the approving user
 *           -> refused               the ERP refused it for good (4xx)
 *
 * Every step writes an audit row (the acting user, the values before and
 * after) in the transaction of its change.  Values are checked when they
 * are submitted: the org number's check digit (Luhn), the VAT number's
 * shape (SE + the org number + 01), bankgiro's and plusgiro's check digits
 * (Luhn) and the IBAN's (mod 97).
 */
#ifndef ULF_SUPPLIER_REG_H
#define ULF_SUPPLIER_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/json.h"
#include "robot/pipeline/pipeline.h"
#include "robot/store/supplier_regs.h"

/* ---- check digits ---------------------------------------------------------
 * Separators (space, '-') are allowed where people write them. */

/* A Swedish organisation number: 10 digits (or 12 with the century "16"),
 * the last the Luhn check digit of the nine before. */
bool sreg_org_no_ok(const char *s);
/* A Swedish VAT number: "SE", a valid organisation number, "01". */
bool sreg_vat_no_ok(const char *s);
/* Bankgiro: 7 or 8 digits with a Luhn check digit. */
bool sreg_bankgiro_ok(const char *s);
/* Plusgiro: 2 to 8 digits with a Luhn check digit. */
bool sreg_plusgiro_ok(const char *s);
/* An IBAN: country, check digits, account; mod 97 == 1. */
bool sreg_iban_ok(const char *s);

/* ---- the form --------------------------------------------------------------- */

/* A registration's values; NULL or "" is "not given". */
typedef struct sreg_form {
	const char *name, *org_no, *vat_no, *peppol_id, *f_skatt;
	const char *bankgiro, *plusgiro, *iban;
	const char *street, *postcode, *city, *country;
	const char *contact_name, *contact_email, *contact_phone;
} sreg_form;

/* The form's fields by name ("name", "org_no", ..., "contact_phone"), for
 * pages and forms: *out_n gets how many. */
const char *const *sreg_field_names(size_t *out_n);
/* The form's field `name` (one of sreg_field_names), NULL when unknown. */
const char **sreg_form_field(sreg_form *f, const char *name);

/* The form as the prefilled registration (a new_supplier JSON object)
 * has it: the strings point into `j`. */
void sreg_form_from_json(sreg_form *out, const ujson *j);

/* A problem with a value, for the page to show at its field. */
typedef struct sreg_problem {
	const char *field;         /* a sreg_field_names name */
	char message[200];
} sreg_problem;

#define SREG_MAX_PROBLEMS 16

typedef struct sreg_problems {
	sreg_problem items[SREG_MAX_PROBLEMS];
	size_t n;
} sreg_problems;

/* Checks the form: a name, a valid org number, and every other value
 * given valid, at least one payment detail.  0, or ULF_EINVAL with every
 * problem in *out (cleared first) and err saying the first. */
int sreg_validate(sreg_problems *out, const sreg_form *f, ulf_err *err);

/*
 * The registration ulf prefilled from document `doc_id` (its result's
 * match.new_supplier; the caller frees it); ULF_ENOTFOUND when the
 * document has none (its supplier was known).
 */
int sreg_prefill(ujson **out, store *s, int64_t doc_id, ulf_err *err);

/* ---- the steps ---------------------------------------------------------------
 * `who` is the authenticated user (the caller vouches for it), `now` s
 * since the epoch.  Each returns ULF_EINVAL for a step that is not the
 * registration's next (the message says why), ULF_ECONFLICT when someone
 * else changed it meanwhile. */

/*
 * Submits the handler's registration made from document `doc_id`
 * (validated: problems in *out_problems when not NULL).  *out_id is the
 * registration, *out_four_eyes whether a second person must approve it.
 * Without four eyes it is approved at once and sent (sreg_send).
 * ULF_EEXISTS when the supplier is in the register already or another
 * registration of it is open.
 */
int sreg_submit(int64_t *out_id, bool *out_four_eyes, sreg_problems *out_problems,
		pipeline *p, int64_t doc_id, const sreg_form *f, const char *who,
		int64_t now, ulf_err *err);

/*
 * The second person's approval of registration `id` awaiting it; refused
 * (ULF_EINVAL) when `who` submitted it.  Then sent (sreg_send).
 */
int sreg_approve(pipeline *p, int64_t id, const char *who, int64_t now, ulf_err *err);

/* Declines registration `id` awaiting approval, with a reason (required). */
int sreg_decline(pipeline *p, int64_t id, const char *who, const char *reason, int64_t now,
		 ulf_err *err);

/*
 * Sends approved registration `id` to the ERP and registers it (see the
 * top).  A transient failure leaves it `sending`, to be sent again by
 * sreg_send_due after a backoff; returns 0 then (*out_state says).
 * *out_retried (may be NULL) is how many waiting invoices ran again.
 */
int sreg_send(sreg_rec *out_state, size_t *out_retried, pipeline *p, int64_t id,
	      const char *who, int64_t now, ulf_err *err);

/* Sends every registration that is due (approved, or sending whose
 * backoff is over): the service's loop calls it.  *out_n how many. */
int sreg_send_due(size_t *out_n, pipeline *p, int64_t now, ulf_err *err);

/* Registrations in `state` (NULL: all), oldest first (sreg_recs_free). */
int sreg_list(sreg_rec **out, size_t *out_n, store *s, const char *state, ulf_err *err);
/* One registration (sreg_rec_release); ULF_ENOTFOUND. */
int sreg_get(sreg_rec *out, store *s, int64_t id, ulf_err *err);
/* The newest registration made from document `doc_id` (*found false: none). */
int sreg_for_doc(sreg_rec *out, bool *found, store *s, int64_t doc_id, ulf_err *err);

/* New suppliers registered per month, for the dashboard: months as
 * "YYYY-MM" (UTC), oldest first. */
typedef struct sreg_month {
	char month[8];
	int64_t n;
} sreg_month;

int sreg_per_month(sreg_month **out, size_t *out_n, store *s, ulf_err *err);

#endif
