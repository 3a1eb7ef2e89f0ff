/*
 * care_booking.h - the booking suggestion (konteringsförslag) of a care
 * invoice: one account and cost centre per care line, chosen by rules, and
 * the invoice's suggestion as the sum of its lines.
 *
 * Rules are a small line-based file (docs/care.md has the full format):
 *
 *   # agreement   pricelist  care        county  municipality  unit  account  costcentre
 *   regionavtal   2          inpatient   04      *             *     4521     7104
 *   *             *          *           *       *             *     4590     7100
 *
 * Eight whitespace-separated fields per row; '#' starts a comment.  The
 * first six are conditions on the care line, '*' matching anything:
 *   agreement     riksavtal | regionavtal | mellanlansavtal | none (absent)
 *   pricelist     1..6 | none (absent)
 *   care          outpatient | inpatient
 *   county        the patient's county code, 2 digits
 *   municipality  the patient's municipality code, 4 digits
 *   unit          the care unit's HSA id, exact or a prefix ending in '*'
 * The first row that matches wins.  The table must end with a default row
 * (six '*'), so every line is booked somewhere and a person sees which
 * lines fell through to it; a row after the default is an error, since it
 * could never match.
 */
#ifndef ULF_CARE_BOOKING_H
#define ULF_CARE_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/json.h"
#include "parsers/claim.h"

typedef struct care_rules care_rules;

/* Parses rules text; `name` labels messages ("name:LINE: why"). */
int care_rules_parse(care_rules **out, const char *text, size_t len, const char *name,
		     ulf_err *err);

/* Loads rules from a file, or the built-in table when path is NULL, "" or
 * "builtin". */
int care_rules_load(care_rules **out, const char *path, ulf_err *err);

void care_rules_free(care_rules *r);

/* The text of the built-in table (an example to copy and adapt). */
const char *care_rules_builtin(void);

/* "builtin" or the file name. */
const char *care_rules_name(const care_rules *r);

typedef struct care_booking_line {
	const char *line_id;      /* the claim's lineId */
	const char *account;
	const char *cost_centre;
	dec amount;               /* the line's net; negative for a credit claim */
	unsigned rule_line;       /* line of the rules text that matched */
	bool by_default;          /* matched only the default row */
} care_booking_line;

typedef struct care_booking_row {
	const char *account;
	const char *cost_centre;
	dec amount;
} care_booking_row;

typedef struct care_booking {
	care_booking_line *lines;
	size_t nlines;
	care_booking_row *rows;   /* per account and cost centre, first seen first */
	size_t nrows;
	dec total;                /* sum of the lines: the invoice's suggestion */
	size_t unbooked;          /* lines without a readable net amount */
} care_booking;

/*
 * Books every line of the claim.  The booking points into the claim and
 * the rules: release it before freeing either.  0, ULF_ENOMEM, or
 * ULF_ERANGE when the amounts do not add up in range.
 */
int care_book(care_booking *out, const care_rules *rules, const claim *c, ulf_err *err);
void care_booking_release(care_booking *b);

/* The booking as JSON, whole or not at all: *out is the caller's to free
 * on 0, NULL on ULF_ENOMEM or ULF_EINVAL (text that is not UTF-8). */
ULF_MUST_CHECK int care_booking_json(ujson **out, const care_booking *b,
				     const care_rules *rules, ulf_err *err);
void care_booking_text(FILE *out, const care_booking *b, const char *indent);

#endif
