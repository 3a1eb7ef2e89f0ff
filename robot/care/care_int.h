/*
 * care_int.h - private to robot/care: what the three files of the care
 * logic share.  Nothing outside this folder includes it; care.h is the
 * public face.
 *
 *   care.c            identifiers, dates, the join keys, masking
 *   care_reconcile.c  the CARE-0xx rules and their table
 *   care_render.c     a claim and findings as JSON and text
 *
 * Privacy is enforced in these files by construction: no function in them
 * puts a patient identity, LMA or EU card number into a finding, an error
 * message or a rendering, except the renderers when the caller passes
 * unmask.  Patients are "patient N" (position in the claim), lines are
 * their lineId.
 */
#ifndef ULF_CARE_INT_H
#define ULF_CARE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/dec.h"
#include "robot/care/care.h"

/* True when s[0..n) are ASCII digits. */
static inline bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* s, or "-" when it is NULL or empty. */
static inline const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A line's name in messages: its lineId as written, never the patient. */
static inline const char *lid(const claim_line *l)
{
	return l->line_id.v && *l->line_id.v ? l->line_id.v : "?";
}

/* v with two decimals, into buf. */
static inline const char *fmt2(char buf[DEC_STR_MAX], dec v)
{
	dec_format(buf, DEC_STR_MAX, v, 2);
	return buf;
}

/* An invoice party's org number (10 digits into out), from the most to the
 * least proper field; false when it has none.  (care.c) */
bool care_party_org(const inv_party *p, char out[11]);

#endif
