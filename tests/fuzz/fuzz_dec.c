/*
 * fuzz_dec.c - libFuzzer target for the exact decimals (core/dec.c): every
 * amount, quantity, price and rate in a document goes through dec_parse(),
 * and the validation arithmetic through the rest, so both get hostile
 * numbers here.
 *
 * Input:  byte 0   rounding places, (b % 44) - 2: -2..41, past both the
 *                  DEC_MAX_SCALE clamp and the 38 digits of 128 bits
 *         byte 1   dec_format minimum places, (b % 24) - 2: -2..21
 *         rest     "A" or "A|B": decimal texts (the whole rest is also
 *                  parsed as one text)
 *
 * Checked besides memory safety and undefined behaviour: a parsed value is
 * in range and survives dec_format -> dec_parse exactly (value and scale);
 * padding never rounds (and fails to read back only where the padded scale
 * does not fit); a short buffer is never overrun; add/sub/mul are
 * commutative or inverse where they succeed; (a*b)/b == a; mul_round ==
 * round(mul); rounding stays within half a unit and goes away from zero on
 * a tie; division by zero is ULF_EINVAL.
 */
#include <string.h>

#include "core/dec.h"
#include "core/err.h"

#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static bool same(dec a, dec b)
{
	return a.v == b.v && a.scale == b.scale;
}

static bool valid(dec a)
{
	return a.scale >= 0 && a.scale <= DEC_MAX_SCALE && a.v != INT64_MIN;
}

static int clamp_places(int p)
{
	return p < 0 ? 0 : p > DEC_MAX_SCALE ? DEC_MAX_SCALE : p;
}

/* 10^p as a dec with scale 0; p in 0..18. */
static dec pow10_dec(int p)
{
	int64_t v = 1;

	while (p-- > 0)
		v *= 10;
	return dec_make(v, 0);
}

/* |a - r| is at most half a unit of `places`, and a tie went away from 0. */
static void check_rounded(dec a, dec r, int places)
{
	dec diff, twice, unit = dec_make(1, places);
	int c;

	FUZZ_CHECK(valid(r));
	if (dec_sub(&diff, a, r) || dec_mul(&twice, dec_abs(diff), dec_make(2, 0)))
		return;
	c = dec_cmp(twice, unit);
	FUZZ_CHECK(c <= 0);
	if (c == 0)
		FUZZ_CHECK(dec_cmp(dec_abs(r), dec_abs(a)) > 0);
	if (!dec_is_zero(r))
		FUZZ_CHECK(dec_sign(r) == dec_sign(a));
}

static void check_format(dec a, int min_places)
{
	char buf[DEC_STR_MAX], small[8];
	size_t len, slen, n;
	dec back;
	int want;

	len = dec_format(buf, sizeof(buf), a, 0);
	FUZZ_CHECK(len > 0 && len < sizeof(buf) && strlen(buf) == len);
	FUZZ_CHECK(dec_parse(&back, buf, len) == 0);
	FUZZ_CHECK(same(back, a));

	len = dec_format(buf, sizeof(buf), a, min_places);
	FUZZ_CHECK(len > 0 && len < sizeof(buf) && strlen(buf) == len);
	want = a.scale > min_places ? a.scale : min_places;
	want = want > DEC_MAX_SCALE ? DEC_MAX_SCALE : want;
	if (dec_parse(&back, buf, len) == 0) {
		FUZZ_CHECK(dec_cmp(back, a) == 0);        /* padding never rounds */
		FUZZ_CHECK(back.scale == want);
	} else {
		/* only the padding can push the digits past 64 bits */
		FUZZ_CHECK(want > a.scale);
		FUZZ_CHECK(dec_rescale(&back, a, want) == ULF_ERANGE);
	}

	/* dec.h asks for DEC_STR_MAX bytes; a smaller buffer must still be
	 * safe: nothing written past n, NUL-terminated */
	for (n = 1; n <= sizeof(small); n++) {
		slen = dec_format(small, n, a, min_places);
		FUZZ_CHECK(slen < n && strlen(small) == slen);
	}
}

static void check_unary(dec a, int places, int min_places)
{
	dec r, back;
	int64_t units;
	int pp = clamp_places(places), rc;

	FUZZ_CHECK(valid(a));
	check_format(a, min_places);

	FUZZ_CHECK(same(dec_neg(dec_neg(a)), a));
	FUZZ_CHECK(dec_sign(dec_neg(a)) == -dec_sign(a));
	FUZZ_CHECK(dec_sign(dec_abs(a)) >= 0);
	FUZZ_CHECK(dec_cmp(a, a) == 0);

	/* rounding cannot overflow: it only drops digits */
	FUZZ_CHECK(dec_round(&r, a, places) == 0);
	FUZZ_CHECK(r.scale == (a.scale < pp ? a.scale : pp));
	check_rounded(a, r, pp);

	rc = dec_rescale(&r, a, places);
	if (rc == 0) {
		FUZZ_CHECK(r.scale == places && dec_cmp(r, a) == 0);
		FUZZ_CHECK(dec_to_units(&units, a, places) == 0 && units == r.v);
	} else {
		FUZZ_CHECK(rc == ULF_ERANGE);
	}

	/* a / 1 is a, rounded */
	if (dec_div_round(&r, a, dec_make(1, 0), places) == 0 &&
	    dec_round(&back, a, places) == 0)
		FUZZ_CHECK(dec_cmp(r, back) == 0 && r.scale == pp);
	FUZZ_CHECK(dec_div_round(&r, a, dec_make(0, 3), places) == ULF_EINVAL);
}

static void check_binary(dec a, dec b, int places)
{
	dec x, y, q, p;
	int rx, ry, pp = clamp_places(places);

	/* add is commutative, and sub undoes it where the result fits */
	rx = dec_add(&x, a, b);
	ry = dec_add(&y, b, a);
	FUZZ_CHECK(rx == ry && (rx || same(x, y)));
	if (rx == 0 && dec_sub(&y, x, b) == 0)
		FUZZ_CHECK(dec_cmp(y, a) == 0);

	/* a - b = -(b - a); its sign is the comparison */
	rx = dec_sub(&x, a, b);
	ry = dec_sub(&y, b, a);
	FUZZ_CHECK(rx == ry);
	if (rx == 0) {
		FUZZ_CHECK(dec_cmp(x, dec_neg(y)) == 0);
		FUZZ_CHECK(dec_sign(x) == dec_cmp(a, b));
	}
	FUZZ_CHECK(dec_cmp(a, b) == -dec_cmp(b, a));

	/* mul is commutative and exact: (a * b) / b == a */
	rx = dec_mul(&x, a, b);
	ry = dec_mul(&y, b, a);
	FUZZ_CHECK(rx == ry && (rx || dec_cmp(x, y) == 0));
	if (rx == 0 && !dec_is_zero(b)) {
		FUZZ_CHECK(dec_div_round(&q, x, b, a.scale) == 0);
		FUZZ_CHECK(dec_cmp(q, a) == 0);
	}

	/* mul_round is mul then round, whenever both are defined */
	ry = dec_mul_round(&p, a, b, places);
	if (ry == 0)
		FUZZ_CHECK(valid(p) && p.scale == pp);
	if (rx == 0 && a.scale + b.scale > pp)
		FUZZ_CHECK(ry == 0);
	if (rx == 0 && ry == 0 && dec_round(&q, x, pp) == 0)
		FUZZ_CHECK(dec_cmp(p, q) == 0);

	/* a / b rounded: |a - q*b| <= |b| / 2 * 10^-places */
	if (dec_is_zero(b)) {
		FUZZ_CHECK(dec_div_round(&q, a, b, places) == ULF_EINVAL);
	} else if (dec_div_round(&q, a, b, places) == 0) {
		dec qb, diff, twice, lhs;
		FUZZ_CHECK(valid(q) && q.scale == pp);
		if (!dec_is_zero(q))
			FUZZ_CHECK(dec_sign(q) == dec_sign(a) * dec_sign(b));
		if (dec_mul(&qb, q, b) == 0 && dec_sub(&diff, a, qb) == 0 &&
		    dec_mul(&twice, dec_abs(diff), dec_make(2, 0)) == 0 &&
		    dec_mul(&lhs, twice, pow10_dec(pp)) == 0)
			FUZZ_CHECK(dec_cmp(lhs, dec_abs(b)) <= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s, *bar;
	size_t len;
	int places, min_places, rc;
	dec a, b, whole;

	if (size < 2)
		return 0;
	places = (int)(data[0] % 44) - 2;
	min_places = (int)(data[1] % 24) - 2;
	s = (const char *)data + 2;
	len = size - 2;

	rc = dec_parse(&whole, s, len);
	FUZZ_CHECK(rc == 0 || rc == ULF_EPARSE || rc == ULF_ERANGE);
	if (rc == 0)
		check_unary(whole, places, min_places);

	bar = memchr(s, '|', len);
	if (!bar)
		return 0;
	if (dec_parse(&a, s, (size_t)(bar - s)) != 0 ||
	    dec_parse(&b, bar + 1, len - (size_t)(bar - s) - 1) != 0)
		return 0;
	check_unary(a, places, min_places);
	check_unary(b, places, min_places);
	check_binary(a, b, places);
	return 0;
}
