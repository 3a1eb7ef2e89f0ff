/*
 * test_dec.c - unit tests for the exact decimals (core/dec.c): what
 * dec_parse accepts and refuses, range errors, arithmetic across scales,
 * rounding half away from zero (negatives included), rescaling, comparison
 * across scales and dec_format.
 *
 * The tests at the end pin down results that do not fit: they must be
 * ULF_ERANGE, never a wrapped 128-bit intermediate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/dec.h"
#include "core/err.h"

static dec P(const char *s)
{
	dec d = { 0, 0 };

	assert_int_equal(dec_parse(&d, s, strlen(s)), 0);
	return d;
}

static int parse_rc(const char *s)
{
	dec d;

	return dec_parse(&d, s, strlen(s));
}

#define assert_dec(d, value, sc) do { \
	dec d_ = (d); \
	assert_true(d_.v == (int64_t)(value)); \
	assert_int_equal(d_.scale, (sc)); \
} while (0)

static const char *F(char *buf, dec d, int min_places)
{
	size_t n = dec_format(buf, DEC_STR_MAX, d, min_places);

	assert_int_equal(n, strlen(buf));
	return buf;
}

static void parse_signs_and_zeros(void **state)
{
	(void)state;
	assert_dec(P("1.5"), 15, 1);
	assert_dec(P("+1.5"), 15, 1);
	assert_dec(P("-1.5"), -15, 1);
	assert_dec(P("-0"), 0, 0);
	assert_dec(P("007"), 7, 0);
	assert_dec(P("-000.50"), -50, 2);
	assert_dec(P("0000000000000000000000000000000000000001"), 1, 0);
	/* trailing zeros are kept: the scale is what the sender wrote */
	assert_dec(P("25.00"), 2500, 2);
	assert_dec(P("1.50"), 150, 2);
	assert_dec(P("0.000"), 0, 3);
	assert_int_equal(dec_scale(P("1.50")), 2);
	/* xsd:decimal allows a point with digits on one side only */
	assert_dec(P(".5"), 5, 1);
	assert_dec(P("5."), 5, 0);
}

static void parse_whitespace(void **state)
{
	(void)state;
	assert_dec(P("  12.5"), 125, 1);
	assert_dec(P("12.5\n"), 125, 1);
	assert_dec(P(" \t\r\n-12.50 \r\n\t "), -1250, 2);
	/* XML white space only, and only around the number */
	assert_int_equal(parse_rc("1 000"), ULF_EPARSE);
	assert_int_equal(parse_rc("- 1"), ULF_EPARSE);
	assert_int_equal(parse_rc("\v1"), ULF_EPARSE);
	assert_int_equal(parse_rc("1\xc2\xa0"), ULF_EPARSE);  /* no-break space */
}

static void parse_rejects(void **state)
{
	static const char *bad[] = {
		"1,5", "1e3", "1E3", "", " ", ".", "--1", "+-1", "+", "-", "1.2.3",
		"0x10", "1.5 SEK", "SEK 1", "12a", "\xd9\xa1", "Infinity", "NaN",
		"1_000", "'1'",
	};
	size_t i;
	dec d;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_rc(bad[i]) != ULF_EPARSE)
			fail_msg("'%s' was not refused as ULF_EPARSE", bad[i]);
	}
	/* the length is what counts, not a terminator */
	assert_int_equal(dec_parse(&d, "12\0" "3", 4), ULF_EPARSE);
	assert_int_equal(dec_parse(&d, "123", 2), 0);
	assert_dec(d, 12, 0);
}

static void parse_range(void **state)
{
	(void)state;
	assert_dec(P("9223372036854775807"), INT64_MAX, 0);
	assert_dec(P("-9223372036854775807"), -INT64_MAX, 0);
	assert_int_equal(parse_rc("9223372036854775808"), ULF_ERANGE);
	/* the one value a 64-bit mantissa has but its negation has not */
	assert_int_equal(parse_rc("-9223372036854775808"), ULF_ERANGE);
	assert_int_equal(parse_rc("99999999999999999999"), ULF_ERANGE);
	assert_int_equal(parse_rc("1234567890123456789012345678901234567890"), ULF_ERANGE);
	/* 18 decimals fit, a 19th significant one does not */
	assert_dec(P("0.000000000000000001"), 1, 18);
	assert_int_equal(parse_rc("0.0000000000000000001"), ULF_ERANGE);
	/* zeros beyond 18 decimals carry nothing and are dropped */
	assert_dec(P("0.10000000000000000000"), 100000000000000000, 18);
	assert_dec(P("9.223372036854775807"), INT64_MAX, 18);
	assert_int_equal(parse_rc("9.2233720368547758070"), 0);
	assert_int_equal(parse_rc("9.2233720368547758071"), ULF_ERANGE);
}

static void make_clamps(void **state)
{
	(void)state;
	assert_dec(dec_make(5, -3), 5, 0);
	assert_dec(dec_make(5, 40), 5, DEC_MAX_SCALE);
	assert_dec(dec_make(-5, 1), -5, 1);
}

static void add_sub_across_scales(void **state)
{
	dec r;

	(void)state;
	assert_int_equal(dec_add(&r, P("1.5"), P("2.25")), 0);
	assert_dec(r, 375, 2);
	assert_int_equal(dec_add(&r, P("-1.10"), P("1.1")), 0);
	assert_dec(r, 0, 2);
	assert_int_equal(dec_sub(&r, P("1"), P("0.001")), 0);
	assert_dec(r, 999, 3);
	assert_int_equal(dec_sub(&r, P("-2.5"), P("-2.50")), 0);
	assert_dec(r, 0, 2);
	assert_int_equal(dec_sub(&r, P("10"), P("12.75")), 0);
	assert_dec(r, -275, 2);
	assert_int_equal(dec_add(&r, P("0.000000000000000001"), P("1")), 0);
	assert_dec(r, 1000000000000000001, 18);

	assert_int_equal(dec_add(&r, P("9223372036854775807"), P("1")), ULF_ERANGE);
	assert_int_equal(dec_sub(&r, P("-9223372036854775807"), P("1")), ULF_ERANGE);
	/* fits alone, not at the common scale */
	assert_int_equal(dec_add(&r, P("922337203685477580.7"), P("0.01")), ULF_ERANGE);
	assert_int_equal(dec_add(&r, P("9223372036854775806"), P("1")), 0);
	assert_dec(r, INT64_MAX, 0);
}

static void mul_exact(void **state)
{
	dec r;

	(void)state;
	assert_int_equal(dec_mul(&r, P("1.5"), P("2.25")), 0);
	assert_dec(r, 3375, 3);
	assert_int_equal(dec_mul(&r, P("-2"), P("0.5")), 0);
	assert_dec(r, -10, 1);
	assert_int_equal(dec_mul(&r, P("-1.5"), P("-1.5")), 0);
	assert_dec(r, 225, 2);
	assert_int_equal(dec_mul(&r, P("0"), P("123.456")), 0);
	assert_dec(r, 0, 3);
	/* 19 decimals: fine when the last is a zero, out of range when not */
	assert_int_equal(dec_mul(&r, P("0.0000000010"), P("0.000000001")), 0);
	assert_dec(r, 1, 18);
	assert_int_equal(dec_mul(&r, P("0.0000000001"), P("0.000000001")), ULF_ERANGE);
	/* 3037000500^2 is just above INT64_MAX */
	assert_int_equal(dec_mul(&r, P("3037000499"), P("3037000499")), 0);
	assert_int_equal(dec_mul(&r, P("3037000500"), P("3037000500")), ULF_ERANGE);
}

static void mul_round_half_away(void **state)
{
	dec r;

	(void)state;
	assert_int_equal(dec_mul_round(&r, P("2.5"), P("0.1"), 1), 0);
	assert_dec(r, 3, 1);
	assert_int_equal(dec_mul_round(&r, P("-2.5"), P("0.1"), 1), 0);
	assert_dec(r, -3, 1);
	assert_int_equal(dec_mul_round(&r, P("2.5"), P("-0.1"), 1), 0);
	assert_dec(r, -3, 1);
	assert_int_equal(dec_mul_round(&r, P("1.005"), P("1"), 2), 0);
	assert_dec(r, 101, 2);
	assert_int_equal(dec_mul_round(&r, P("-1.005"), P("1"), 2), 0);
	assert_dec(r, -101, 2);
	assert_int_equal(dec_mul_round(&r, P("1.004999"), P("1"), 2), 0);
	assert_dec(r, 100, 2);
	/* quantity x price: 3 x 33.335 = 100.005 -> 100.01 */
	assert_int_equal(dec_mul_round(&r, P("3"), P("33.335"), 2), 0);
	assert_dec(r, 10001, 2);
	/* fewer decimals than asked: widened, exactly */
	assert_int_equal(dec_mul_round(&r, P("1.5"), P("2"), 2), 0);
	assert_dec(r, 300, 2);
	assert_int_equal(dec_mul_round(&r, P("2.5"), P("1"), -1), 0);
	assert_dec(r, 3, 0);
}

static void div_round_half_away(void **state)
{
	dec r;

	(void)state;
	assert_int_equal(dec_div_round(&r, P("10"), P("3"), 2), 0);
	assert_dec(r, 333, 2);
	assert_int_equal(dec_div_round(&r, P("20"), P("3"), 2), 0);
	assert_dec(r, 667, 2);
	assert_int_equal(dec_div_round(&r, P("-20"), P("3"), 2), 0);
	assert_dec(r, -667, 2);
	assert_int_equal(dec_div_round(&r, P("20"), P("-3"), 2), 0);
	assert_dec(r, -667, 2);
	assert_int_equal(dec_div_round(&r, P("1"), P("8"), 2), 0);
	assert_dec(r, 13, 2);
	assert_int_equal(dec_div_round(&r, P("-1"), P("8"), 2), 0);
	assert_dec(r, -13, 2);
	assert_int_equal(dec_div_round(&r, P("5"), P("-2"), 0), 0);
	assert_dec(r, -3, 0);
	assert_int_equal(dec_div_round(&r, P("1.25"), P("0.5"), 2), 0);
	assert_dec(r, 250, 2);
	/* the divisor's scale counts: 0.5 / 0.0002 */
	assert_int_equal(dec_div_round(&r, P("0.5"), P("0.0002"), 0), 0);
	assert_dec(r, 2500, 0);
	/* places are clamped to DEC_MAX_SCALE */
	assert_int_equal(dec_div_round(&r, P("1"), P("3"), 30), 0);
	assert_dec(r, 333333333333333333, 18);
	assert_int_equal(dec_div_round(&r, P("1"), P("0"), 2), ULF_EINVAL);
	assert_int_equal(dec_div_round(&r, P("1"), P("0.00"), 2), ULF_EINVAL);
}

static void round_half_away(void **state)
{
	dec r;

	(void)state;
	assert_int_equal(dec_round(&r, P("2.345"), 2), 0);
	assert_dec(r, 235, 2);
	assert_int_equal(dec_round(&r, P("-2.345"), 2), 0);
	assert_dec(r, -235, 2);
	assert_int_equal(dec_round(&r, P("2.344"), 2), 0);
	assert_dec(r, 234, 2);
	assert_int_equal(dec_round(&r, P("-2.3449"), 2), 0);
	assert_dec(r, -234, 2);
	assert_int_equal(dec_round(&r, P("0.5"), 0), 0);
	assert_dec(r, 1, 0);
	assert_int_equal(dec_round(&r, P("-0.5"), 0), 0);
	assert_dec(r, -1, 0);
	assert_int_equal(dec_round(&r, P("-0.4"), 0), 0);
	assert_dec(r, 0, 0);
	assert_int_equal(dec_round(&r, P("9.223372036854775807"), 0), 0);
	assert_dec(r, 9, 0);
	/* never widens */
	assert_int_equal(dec_round(&r, P("1.2"), 4), 0);
	assert_dec(r, 12, 1);
	assert_int_equal(dec_round(&r, P("1.5"), -1), 0);
	assert_dec(r, 2, 0);
}

static void rescale(void **state)
{
	dec r;
	int64_t u;

	(void)state;
	assert_int_equal(dec_rescale(&r, P("1.5"), 3), 0);
	assert_dec(r, 1500, 3);
	assert_int_equal(dec_rescale(&r, P("1.500"), 1), 0);
	assert_dec(r, 15, 1);
	assert_int_equal(dec_rescale(&r, P("-1.500"), 0), ULF_ERANGE);
	assert_int_equal(dec_rescale(&r, P("1.55"), 1), ULF_ERANGE);
	assert_int_equal(dec_rescale(&r, P("1"), 19), ULF_ERANGE);
	assert_int_equal(dec_rescale(&r, P("1"), -1), ULF_ERANGE);
	assert_int_equal(dec_rescale(&r, P("9223372036854775807"), 1), ULF_ERANGE);
	assert_int_equal(dec_to_units(&u, P("12.34"), 2), 0);
	assert_true(u == 1234);
	assert_int_equal(dec_to_units(&u, P("-12"), 2), 0);
	assert_true(u == -1200);
	assert_int_equal(dec_to_units(&u, P("12.345"), 2), ULF_ERANGE);
}

static void compare(void **state)
{
	(void)state;
	assert_int_equal(dec_cmp(P("25"), P("25.00")), 0);
	assert_int_equal(dec_cmp(P("-0"), P("0.000")), 0);
	assert_int_equal(dec_cmp(P("1.5"), P("1.55")), -1);
	assert_int_equal(dec_cmp(P("1.55"), P("1.5")), 1);
	assert_int_equal(dec_cmp(P("-1"), P("0.5")), -1);
	assert_int_equal(dec_cmp(P("-1.5"), P("-1.49")), -1);
	assert_int_equal(dec_cmp(P("9223372036854775807"), P("0.000000000000000001")), 1);
	assert_int_equal(dec_cmp(P("-9223372036854775807"), P("-9.223372036854775807")), -1);
	assert_int_equal(dec_sign(P("-0.01")), -1);
	assert_int_equal(dec_sign(P("0.00")), 0);
	assert_int_equal(dec_sign(P("3")), 1);
	assert_true(dec_is_zero(P("-0.000")));
	assert_dec(dec_neg(P("1.50")), -150, 2);
	assert_dec(dec_abs(P("-1.50")), 150, 2);
	assert_dec(dec_abs(P("1.50")), 150, 2);
}

static void format(void **state)
{
	char buf[DEC_STR_MAX];

	(void)state;
	assert_string_equal(F(buf, P("1.5"), 2), "1.50");
	assert_string_equal(F(buf, P("1.5"), 0), "1.5");
	assert_string_equal(F(buf, P("-0.05"), 2), "-0.05");
	assert_string_equal(F(buf, P("-0.05"), 0), "-0.05");
	assert_string_equal(F(buf, P("-0.5"), 2), "-0.50");
	assert_string_equal(F(buf, dec_make(-5, 1), 0), "-0.5");
	assert_string_equal(F(buf, P("0"), 2), "0.00");
	assert_string_equal(F(buf, P("0"), 0), "0");
	assert_string_equal(F(buf, P("-0"), 2), "0.00");
	assert_string_equal(F(buf, P("0.000"), 0), "0.000");
	/* the written scale is kept, padding never rounds */
	assert_string_equal(F(buf, P("25.00"), 0), "25.00");
	assert_string_equal(F(buf, P("2.345"), 2), "2.345");
	assert_string_equal(F(buf, P("-7121.88"), 2), "-7121.88");
	assert_string_equal(F(buf, P("10"), -3), "10");
	assert_string_equal(F(buf, P("0.000000000000000001"), 0), "0.000000000000000001");
	assert_string_equal(F(buf, P("9223372036854775807"), 0), "9223372036854775807");
	assert_string_equal(F(buf, P("-9223372036854775807"), 2), "-9223372036854775807.00");
	assert_string_equal(F(buf, P("-9.223372036854775807"), 0), "-9.223372036854775807");
	/* at most DEC_MAX_SCALE decimals */
	assert_string_equal(F(buf, P("1"), 30), "1.000000000000000000");
	assert_string_equal(F(buf, P("-9223372036854775807"), 30),
			    "-9223372036854775807.000000000000000000");
	assert_true(strlen(buf) < DEC_STR_MAX);
}

/* Results that do not fit are ULF_ERANGE - even where the 128-bit
 * intermediate would overflow first (see fuzz_dec.c). */
static void mul_round_out_of_range(void **state)
{
	dec r = { 0, 0 };
	int rc;

	(void)state;
	/* 9e18 * 9e18 = 8.1e37; times 100 for two decimals exceeds 2^127 */
	assert_int_equal(dec_mul_round(&r, P("9000000000000000000"),
				       P("9000000000000000000"), 2), ULF_ERANGE);
	assert_int_equal(dec_mul_round(&r, P("-9000000000000000000"),
				       P("9000000000000000000"), 18), ULF_ERANGE);
	/* places beyond DEC_MAX_SCALE: 10^40 does not exist in 128 bits, so
	 * either clamp (as dec_div_round does) or refuse - never overflow */
	rc = dec_mul_round(&r, P("1"), P("1"), 40);
	assert_true(rc == 0 || rc == ULF_ERANGE);
	if (rc == 0) {
		assert_int_equal(dec_cmp(r, P("1")), 0);
		assert_true(r.scale <= DEC_MAX_SCALE);
	}
}

static void div_round_out_of_range(void **state)
{
	dec r = { 0, 0 };

	(void)state;
	/* 332 / 1.000000000000000000 to 18 places does not fit; the
	 * intermediate 332 * 10^36 wraps in 128 bits and would come out as
	 * -8.282366920938463463 */
	assert_int_equal(dec_div_round(&r, P("332"), P("1.000000000000000000"), 18),
			 ULF_ERANGE);
	assert_int_equal(dec_div_round(&r, P("-9223372036854775807"),
				       P("0.000000000000000001"), 3), ULF_ERANGE);
	assert_int_equal(dec_div_round(&r, P("9000000000000000000"),
				       P("1.000000000000000000"), 2), ULF_ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_signs_and_zeros),
		cmocka_unit_test(parse_whitespace),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(parse_range),
		cmocka_unit_test(make_clamps),
		cmocka_unit_test(add_sub_across_scales),
		cmocka_unit_test(mul_exact),
		cmocka_unit_test(mul_round_half_away),
		cmocka_unit_test(div_round_half_away),
		cmocka_unit_test(round_half_away),
		cmocka_unit_test(rescale),
		cmocka_unit_test(compare),
		cmocka_unit_test(format),
		cmocka_unit_test(mul_round_out_of_range),
		cmocka_unit_test(div_round_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
