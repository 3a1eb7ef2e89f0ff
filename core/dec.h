/*
 * dec.h - exact decimal numbers for money, quantities, prices and rates.
 *
 * Every amount ulf reads, compares or books is a dec: a 64-bit integer
 * mantissa and a decimal scale, value = v / 10^scale.  No binary floating
 * point touches money.  The scale written in the document is kept ("25"
 * and "25.00" compare equal but print as written), so validation can see
 * how many decimals a sender used (BR-DEC rules).
 *
 * Arithmetic is done in 128 bits and checked: a result that does not fit
 * returns ULF_ERANGE rather than wrapping, and the caller must look at it
 * (ULF_MUST_CHECK): a dropped ULF_ERANGE is a wrong amount.
 */
#ifndef ULF_DEC_H
#define ULF_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define DEC_MAX_SCALE 18
/* Longest text dec_format writes, with sign, point and NUL. */
#define DEC_STR_MAX 48

typedef struct dec {
	int64_t v;
	int scale;   /* 0..DEC_MAX_SCALE */
} dec;

/* The value v / 10^scale; scale is clamped to 0..DEC_MAX_SCALE. */
dec dec_make(int64_t v, int scale);

/*
 * Parses an xsd:decimal: optional sign, digits, optional point and digits,
 * surrounding XML white space allowed.  No exponent, no thousands separator.
 * Returns 0, ULF_EPARSE for anything else, ULF_ERANGE when more significant
 * digits are given than fit (about 18).
 */
ULF_MUST_CHECK int dec_parse(dec *out, const char *s, size_t len);

/* out = a + b, a - b, exactly.  ULF_ERANGE when the result does not fit. */
ULF_MUST_CHECK int dec_add(dec *out, dec a, dec b);
ULF_MUST_CHECK int dec_sub(dec *out, dec a, dec b);

/* out = a * b exactly; ULF_ERANGE when it does not fit. */
ULF_MUST_CHECK int dec_mul(dec *out, dec a, dec b);

/* out = a * b, and a / b, rounded half away from zero to `places` decimals.
 * Division by zero is ULF_EINVAL. */
ULF_MUST_CHECK int dec_mul_round(dec *out, dec a, dec b, int places);
ULF_MUST_CHECK int dec_div_round(dec *out, dec a, dec b, int places);

/* out = a rounded half away from zero to `places` decimals (EN 16931
 * rounds amounts to 2).  Never widens the scale. */
ULF_MUST_CHECK int dec_round(dec *out, dec a, int places);

/* out = a with exactly `places` decimals; ULF_ERANGE if digits would be lost
 * or the value would not fit. */
ULF_MUST_CHECK int dec_rescale(dec *out, dec a, int places);

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
int dec_cmp(dec a, dec b);
int dec_sign(dec a);
static inline bool dec_is_zero(dec a) { return a.v == 0; }
dec dec_neg(dec a);
dec dec_abs(dec a);

/* Number of decimals actually written in the source, trailing zeros
 * included ("1.50" has 2). */
static inline int dec_scale(dec a) { return a.scale; }

/*
 * Writes a as text with at least `min_places` decimals (padding zeros, never
 * rounding) into buf.  Returns the length written; buf must hold
 * DEC_STR_MAX bytes.
 */
size_t dec_format(char *buf, size_t n, dec a, int min_places);

/* The value in whole minor units of `places` decimals, if exact. */
ULF_MUST_CHECK int dec_to_units(int64_t *out, dec a, int places);

#endif
