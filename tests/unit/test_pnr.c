/*
 * test_pnr.c - core/pnr.c: personal identity numbers found and masked in
 * free text, in every written form, and the numbers that look alike but
 * are not one left alone (org, order, OCR, bankgiro and phone numbers,
 * amounts, dates).
 *
 * Every number that passes both checks here is of the Skatteverket test
 * kind, born 1912-12-12 (Tolvan Tolvansson's 19121212-1212 and its
 * siblings, as samples/care uses them); numbers of other dates appear only
 * where a check fails.  No real person's number is written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/pnr.h"

/* Text with numbers, and the same text masked. */
static const struct {
	const char *text, *masked;
} positives[] = {
	/* each written form */
	{ "19121212-1212", "19121212-****" },
	{ "19121212+1212", "19121212-****" },
	{ "191212121212", "19121212-****" },
	{ "121212-1212", "121212-****" },
	{ "121212+1212", "121212-****" },
	{ "1212121212", "121212-****" },
	/* samordningsnummer: the day plus 60 */
	{ "19121272-1235", "19121272-****" },
	{ "191212721235", "19121272-****" },
	{ "121272-1235", "121272-****" },
	{ "1212721235", "121272-****" },
	/* in text, the cases issue 12 found */
	{ "Vård av 191212121212", "Vård av 19121212-****" },
	{ "patient-19121212-1212.xml", "patient-19121212-****.xml" },
	{ "patient-191212121212.xml", "patient-19121212-****.xml" },
	/* letters and punctuation around, several numbers */
	{ "x19121212-1212y", "x19121212-****y" },
	{ "pnr:191212121212.", "pnr:19121212-****." },
	{ "(121212-1212)", "(121212-****)" },
	{ "191212121212,191212122277", "19121212-****,19121212-****" },
	{ "191212121212 och 19121212-2277 och 1212122277",
	  "19121212-**** och 19121212-**** och 121212-****" },
	{ "1212121212,505", "121212-****,505" },      /* three decimals: no amount */
	{ "åäö 191212121212 åäö", "åäö 19121212-**** åäö" },
	{ "19121212-1212-5", "19121212-****-5" },
	{ "\"191212121212\"", "\"19121212-****\"" },
	{ "121212-1212 and 19121212-1212\n", "121212-**** and 19121212-****\n" },
};

/* Text with nothing to mask. */
static const char *const negatives[] = {
	"",
	"Kontorsmaterial",
	/* the check digit wrong */
	"19121212-1213", "191212121213", "121212-1213", "1212121213", "191212-1212",
	/* no such date, check digit right or not */
	"19131212-1212", "19120230-1212", "1202301212", "1212321218",
	"190002291219",        /* 1900 was no leap year */
	"0102291218",          /* 1901 and 2001 neither */
	"1212921215",          /* samordningsnummer day 92 */
	"1212601213",          /* day 60 is neither */
	/* centuries a person has no number in */
	"17121212-1212", "171212121212", "211212121212",
	/* org numbers (month digits 20 and more), their 16 form, VAT numbers */
	"556036-0793", "5560360793", "165560360793", "2321000016", "232100-0016",
	"SE556036079301", "SE232100001601",
	/* bankgiro, plusgiro, IBAN */
	"5050-1055", "123-4567", "4711-2345", "SE4550000000058398257466",
	/* OCR numbers (Luhn-valid by design) and order numbers */
	"1234567897", "5050105500", "4500012345", "4501121234", "PO-4500012345",
	"Order 2024121512",
	/* amounts */
	"1 198,00", "12500.00", "1212121212.50", "1212121212,5", "191212121212.00",
	/* dates, times and timestamps */
	"2024-12-12", "20241212", "2024-12-12T10:12:12", "20241212-1230", "1712345678",
	/* digits next to the number make it another number */
	"0191212121212", "1912121212123", "19121212-12123", "919121212-1212",
	"191212121212345",
	/* phone numbers */
	"070-1234567", "+46701234567", "08-123 456 78",
};

static void masks_every_form(void **state)
{
	char buf[128], *dup;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(positives) / sizeof(positives[0]); i++) {
		const char *t = positives[i].text;

		n = pnr_mask_into(buf, sizeof(buf), t, strlen(t));
		if (strcmp(buf, positives[i].masked) != 0)
			fail_msg("case %zu: '%s' masked as '%s', expected '%s'", i, t, buf,
				 positives[i].masked);
		assert_int_equal(n, strlen(positives[i].masked));
		assert_int_equal(pnr_masked_len(t, strlen(t)), n);
		assert_true(pnr_contains(t, strlen(t)));
		assert_int_equal(pnr_mask_dup(&dup, t), 0);
		assert_string_equal(dup, positives[i].masked);
		/* masked text holds no number any more */
		assert_false(pnr_contains(dup, strlen(dup)));
		free(dup);
	}
}

static void leaves_look_alikes(void **state)
{
	char buf[128], *dup;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(negatives) / sizeof(negatives[0]); i++) {
		const char *t = negatives[i];

		if (pnr_contains(t, strlen(t)))
			fail_msg("case %zu: '%s' taken for a personal identity number", i, t);
		pnr_mask_into(buf, sizeof(buf), t, strlen(t));
		assert_string_equal(buf, t);
		assert_int_equal(pnr_mask_dup(&dup, t), 0);
		assert_string_equal(dup, t);
		free(dup);
		assert_int_equal(pnr_check(t), PNR_NONE);
	}
}

static void finds_where_and_what(void **state)
{
	const char *t = "a 19121212-1212 b 121272-1235";
	pnr_span sp;

	(void)state;
	assert_true(pnr_find(&sp, t, strlen(t), 0));
	assert_int_equal(sp.start, 2);
	assert_int_equal(sp.len, 13);
	assert_int_equal(sp.date_len, 8);
	assert_int_equal(sp.kind, PNR_PERSONNUMMER);
	assert_true(pnr_find(&sp, t, strlen(t), sp.start + sp.len));
	assert_int_equal(sp.start, 18);
	assert_int_equal(sp.len, 11);
	assert_int_equal(sp.date_len, 6);
	assert_int_equal(sp.kind, PNR_SAMORDNINGSNUMMER);
	assert_false(pnr_find(&sp, t, strlen(t), sp.start + sp.len));
	/* a text that is not NUL-terminated ends where n says */
	assert_false(pnr_find(&sp, "191212121212", 11, 0));
	assert_false(pnr_find(&sp, NULL, 0, 0));
	assert_false(pnr_contains(NULL, 0));

	assert_int_equal(pnr_check("191212121212"), PNR_PERSONNUMMER);
	assert_int_equal(pnr_check("121272-1235"), PNR_SAMORDNINGSNUMMER);
	assert_int_equal(pnr_check(" 191212121212"), PNR_NONE);
	assert_int_equal(pnr_check("191212121212 "), PNR_NONE);
	assert_int_equal(pnr_check(NULL), PNR_NONE);
}

static void cut_after_masking(void **state)
{
	char buf[16], small[4], one[1] = { 'x' };
	const char *t = "ab 191212121212 cd";

	(void)state;
	/* cut after masking: what is left of the number is its masked form */
	assert_int_equal(pnr_mask_into(buf, sizeof(buf), t, strlen(t)), 15);
	assert_string_equal(buf, "ab 19121212-***");
	assert_int_equal(pnr_mask_into(small, sizeof(small), "191212121212", 12), 3);
	assert_string_equal(small, "191");
	/* a cut never splits a character */
	assert_int_equal(pnr_mask_into(small, sizeof(small), "aåå", 5), 3);
	assert_string_equal(small, "aå");
	assert_int_equal(pnr_mask_into(one, sizeof(one), "abc", 3), 0);
	assert_int_equal(one[0], '\0');
	assert_int_equal(pnr_mask_into(buf, 0, "abc", 3), 0);
	assert_int_equal(pnr_mask_into(buf, sizeof(buf), NULL, 0), 0);
	assert_string_equal(buf, "");
}

static void json_strings_only(void **state)
{
	const char *json = "{\"description\":\"Vård av 191212121212\",\"at\":1212121212,"
			   "\"name\":\"patient-19121212-1212.xml\",\"q\":\"a \\\"1212121212\\\"\","
			   "\"n\":[1212121212,\"121212-1212\"]}";
	const char *want = "{\"description\":\"Vård av 19121212-****\",\"at\":1212121212,"
			   "\"name\":\"patient-19121212-****.xml\",\"q\":\"a \\\"121212-****\\\"\","
			   "\"n\":[1212121212,\"121212-****\"]}";
	ujson *v = NULL;
	char *out;

	(void)state;
	assert_int_equal(pnr_mask_json_dup(&out, json), 0);
	assert_string_equal(out, want);
	/* still the same JSON */
	assert_int_equal(ujson_parse(&v, out, strlen(out), "test", NULL), 0);
	ujson_free(v);
	free(out);
	assert_int_equal(pnr_mask_json_dup(&out, NULL), 0);
	assert_null(out);
	/* an unterminated string is masked to its end */
	assert_int_equal(pnr_mask_json_dup(&out, "[\"191212121212"), 0);
	assert_string_equal(out, "[\"19121212-****");
	free(out);
	assert_int_equal(pnr_mask_dup(&out, NULL), 0);
	assert_null(out);
}

static void value_as_identity(void **state)
{
	char buf[PNR_MASKED_MAX], tiny[5];

	(void)state;
	/* the forms of a care claim's patient: masked whether checked or not */
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), "191212121212"), "19121212-****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), "191212121213"), "19121212-****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), "19121212-1212"), "19121212-****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), "1212121212"), "121212-****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), "121212+1212"), "121212-****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), "RES-99-4411"), "****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), ""), "****");
	assert_string_equal(pnr_mask_value(buf, sizeof(buf), NULL), "****");
	assert_string_equal(pnr_mask_value(tiny, sizeof(tiny), "191212121212"), "1912");
}

/* Every ten-digit string from a seed: what is found is a valid number by
 * both checks, and masking always removes it. */
static void random_digits(void **state)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	char text[64], *dup;
	size_t i, k, found = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		for (k = 0; k < 10; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			text[k] = (char)('0' + x % 10);
		}
		text[10] = '\0';
		if (pnr_check(text) != PNR_NONE) {
			found++;
			assert_int_equal(pnr_mask_dup(&dup, text), 0);
			assert_int_equal(strlen(dup), 11);
			assert_memory_equal(dup, text, 6);
			assert_string_equal(dup + 6, "-****");
			free(dup);
		}
	}
	/* about one in 140 passes both checks */
	assert_true(found > 200000 / 200 && found < 200000 / 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(masks_every_form),
		cmocka_unit_test(leaves_look_alikes),
		cmocka_unit_test(finds_where_and_what),
		cmocka_unit_test(cut_after_masking),
		cmocka_unit_test(json_strings_only),
		cmocka_unit_test(value_as_identity),
		cmocka_unit_test(random_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
