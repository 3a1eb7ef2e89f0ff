/*
 * pnr.h - Swedish personal identity numbers in free text: found and masked.
 *
 * A personnummer (or samordningsnummer, the same with 60 added to the day)
 * names a person; a patient's names a patient.  ulf masks every one it
 * finds in text that leaves it or is shown - document names, line texts,
 * messages, results, payloads, log lines - unless a role that may see them
 * asks (robot/care: care_handler, audited).  This is the one finder and
 * the one masked form; every room uses it.
 *
 * Written forms found, each standing alone (no digit right before or
 * after it):
 *   YYYYMMDD-NNNN   YYYYMMDD+NNNN   YYYYMMDDNNNN
 *   YYMMDD-NNNN     YYMMDD+NNNN     YYMMDDNNNN
 * and each is a number only when
 *   - the month is 01-12 and the day a real day of that month, or that
 *     day plus 60 (samordningsnummer); a two-digit year is read in any
 *     century, a four-digit one must begin 18, 19 or 20;
 *   - the last digit is the Luhn check digit of the ten digits YYMMDDNNN
 *     (the century is not part of it).
 * So org numbers (the month digits 20 or more), their 12-digit "16" form,
 * bankgiro and plusgiro (too short), dates, and most order, OCR and phone
 * numbers are left alone.  A number without a separator followed by a
 * decimal part of one or two digits ("1912121212.50") is an amount, not
 * an identity.  Some ten-digit numbers still pass both checks by chance
 * (about one in 140 random ones): they are masked too - hiding a harmless
 * number costs less than showing a person's.
 *
 * The masked form is the one the care claims have always shown: the date
 * part as written and "-****" - "19121212-****", "121212-****" - whatever
 * the separator was.  A number written without one grows by a byte.
 *
 * Identifiers the robot must pass on unchanged (invoice, order and OCR
 * numbers, org and VAT numbers) are the callers' to leave unmasked: this
 * module masks the texts it is given.
 */
#ifndef ULF_PNR_H
#define ULF_PNR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef enum pnr_kind {
	PNR_NONE = 0,
	PNR_PERSONNUMMER,
	PNR_SAMORDNINGSNUMMER
} pnr_kind;

/* Where a number was found in a text. */
typedef struct pnr_span {
	size_t start;        /* offset of its first digit */
	size_t len;          /* bytes as written: 10 to 13 */
	size_t date_len;     /* 8 (YYYYMMDD) or 6 (YYMMDD) */
	pnr_kind kind;
} pnr_span;

/* The longest masked form with its NUL: "19121212-****". */
#define PNR_MASKED_MAX 14

/*
 * The first number in text[from..n) into *out: true, or false when there
 * is none.  text need not be NUL-terminated; n counts its bytes.
 */
bool pnr_find(pnr_span *out, const char *text, size_t n, size_t from);

/* Whether text[0..n) holds a number.  NULL holds none. */
bool pnr_contains(const char *text, size_t n);

/* The kind of s when s, as a whole, is one number in one of the forms
 * above; PNR_NONE otherwise (and for NULL). */
pnr_kind pnr_check(const char *s);

/*
 * text[0..n) with every number masked, into out (cap bytes, NUL
 * included; cap 0 writes nothing).  What does not fit is cut off - after
 * masking, so a cut never leaves a number's digits - at a UTF-8 character
 * boundary.  Returns the bytes written, without the NUL.
 */
size_t pnr_mask_into(char *out, size_t cap, const char *text, size_t n);

/* The bytes pnr_mask_into needs for text[0..n), without the NUL. */
size_t pnr_masked_len(const char *text, size_t n);

/*
 * A malloc'd copy of s with every number masked into *out; NULL stays
 * NULL.  0 or ULF_ENOMEM (*out NULL).
 */
ULF_MUST_CHECK int pnr_mask_dup(char **out, const char *s);

/*
 * The same for a JSON text: only the contents of its strings are masked,
 * so the text stays the same JSON with masked strings (a number in the
 * JSON's own syntax - an id, a time - is not a text and is left alone).
 * NULL stays NULL.  0 or ULF_ENOMEM.
 */
ULF_MUST_CHECK int pnr_mask_json_dup(char **out, const char *json);

/*
 * A value that is an identity (a care claim's patient), masked for
 * display: its date part and "-****" when it has the shape of one of the
 * written forms above - checked or not, a wrongly written number is still
 * someone's - and "****" whole otherwise (a reserve number, NULL).
 * Returns buf, which PNR_MASKED_MAX bytes always hold.
 */
const char *pnr_mask_value(char *buf, size_t n, const char *v);

#endif
