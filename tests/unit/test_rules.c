/*
 * test_rules.c - the matching rules file (robot/cli/rules.c): the built-in
 * rules parse; a file with errors reports every one with its line (and a
 * bad pattern its column) and yields no ruleset; extraction of both
 * regions' order numbers from the proper and the wrong fields;
 * supplier-specific before general rules, per booking field; {group}
 * outputs; tolerances by precedence and at their edges; VAT codes; the
 * AccountingCost split; non-PO rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "robot/match/rules.h"

typedef struct sink {
	char text[8192];
	size_t n;
} sink;

static void collect(void *ctx, const char *msg)
{
	sink *s = ctx;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s\n", msg);
	s->n++;
}

static ruleset *parse_ok(const char *text)
{
	ruleset *r = NULL;
	sink s = { "", 0 };
	ulf_err err;

	ulf_err_clear(&err);
	if (rules_parse(&r, text, strlen(text), "r.txt", collect, &s, &err))
		fail_msg("%s\n%s", err.msg, s.text);
	return r;
}

static dec D(const char *s)
{
	dec d;

	assert_int_equal(dec_parse(&d, s, strlen(s)), 0);
	return d;
}

static void assert_dec_str(dec d, const char *want)
{
	char buf[DEC_STR_MAX];

	dec_format(buf, sizeof(buf), d, 0);
	assert_string_equal(buf, want);
}

static void builtin_parses(void **state)
{
	ruleset *r = NULL;
	rules_counts c;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(rules_load(&r, NULL, NULL, NULL, &err), 0);
	assert_string_equal(rules_name(r), "builtin");
	rules_count(&c, r);
	assert_int_equal(c.extract, 2);
	assert_true(c.patterns >= 2);
	assert_string_equal(rules_settings_of(r)->rounding_account, "3740");
	rules_free(r);
	rules_free(NULL);
}

static void every_error_with_its_line(void **state)
{
	const char *text =
		"# a rules file with one mistake per block\n"   /* 1 */
		"settings\n"                                   /* 2 */
		"    rounding_max  -1\n"                       /* 3 */
		"    colour        blue\n"                     /* 4 */
		"tolerance\n"                                  /* 5 */
		"    price   5% max\n"                         /* 6 */
		"    price   5%\n"                             /* 7 */
		"extract broken\n"                             /* 8 */
		"    pattern  (?<order>DLL\\d{7}\n"            /* 9 */
		"    fields   order_ref notes\n"               /* 10 */
		"extract nogroup\n"                            /* 11 */
		"    pattern  DLL\\d{7}\n"                     /* 12 */
		"code empty\n"                                 /* 13 */
		"    supplier 123\n"                           /* 14 */
		"code empty\n"                                 /* 15 */
		"    account 4010\n"                           /* 16 */
		"    cost_centre {nope}\n"                     /* 17 */
		"    account 4011\n"                           /* 18 */
		"nonpo rent\n"                                 /* 19 */
		"    account 5010\n"                           /* 20 */
		"    amount 10..5\n"                           /* 21 */
		"    item ^X\n"                                /* 22 */
		"widgets\n"                                    /* 23 */
		"tolerance buyer nobody\n"                     /* 24 */
		"    price 1%\n";                              /* 25 */
	ruleset *r = (ruleset *)1;
	sink s = { "", 0 };
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(rules_parse(&r, text, strlen(text), "r.txt", collect, &s, &err), ULF_EPARSE);
	assert_null(r);
	print_message("%s", s.text);
	assert_non_null(strstr(s.text, "r.txt:3: rounding_max: '-1' is not an amount of 0 or more"));
	assert_non_null(strstr(s.text, "r.txt:4: settings: unknown key 'colour'"));
	assert_non_null(strstr(s.text, "r.txt:6: tolerance price: '5% max' is not"));
	assert_non_null(strstr(s.text, "r.txt:9: pattern: bad pattern at column 31: missing closing parenthesis"));
	assert_non_null(strstr(s.text, "r.txt:10: fields: 'notes' is not a field"));
	assert_non_null(strstr(s.text, "r.txt:11: extract nogroup: the pattern has no named group"));
	assert_non_null(strstr(s.text, "r.txt:14: supplier: '123' is not an org number"));
	assert_non_null(strstr(s.text, "r.txt:13: code empty: sets nothing"));
	assert_non_null(strstr(s.text, "r.txt:15: a rule named 'empty' is already on line 13"));
	assert_non_null(strstr(s.text, "r.txt:17: cost_centre: {nope} is not a named group"));
	assert_non_null(strstr(s.text, "r.txt:18: code empty: account given twice"));
	assert_non_null(strstr(s.text, "r.txt:21: amount: '10..5' is not a range"));
	assert_non_null(strstr(s.text, "r.txt:22: nonpo rent: unknown key 'item'"));
	assert_non_null(strstr(s.text, "r.txt:19: nonpo rent: names no supplier"));
	assert_non_null(strstr(s.text, "r.txt:23: 'widgets' is no block"));
	assert_non_null(strstr(s.text, "r.txt:24: tolerance buyer: 'nobody' is not an org number"));
	/* the bad tolerance in line 6 did not make line 7 a duplicate */
	assert_null(strstr(s.text, "r.txt:7:"));
	assert_int_equal(s.n, 16);
	assert_string_equal(err.msg, "r.txt: 16 problems");

	ulf_err_clear(&err);
	s.text[0] = '\0';
	s.n = 0;
	assert_int_equal(rules_parse(&r, "    key value\n", 14, "r.txt", collect, &s, &err), ULF_EPARSE);
	assert_non_null(strstr(s.text, "r.txt:1: an indented line outside any block"));
}

/*
 * A rules file saved as Latin-1: a name that is not UTF-8 would be null
 * in every JSON it appears in (and two such names once crashed the
 * explanation of the rules fired).  Each line that is not UTF-8 is a
 * problem of its own; its block's lines are not reported again, and a
 * comment in Latin-1 is no problem.
 */
static void not_utf8(void **state)
{
	const char *text =
		"# hyra f\xf6r lokalen\n"                     /* 1: a comment, let be */
		"code r\xe9gle\n"                             /* 2 */
		"    account 1111\n"                          /* 3 */
		"code ok\n"                                   /* 4 */
		"    account 2222\n"                          /* 5 */
		"    text    caf\xe9\n"                        /* 6 */
		"code \xc3\xa5tta\n"                           /* 7: UTF-8, fine */
		"    account 3333\n";                         /* 8 */
	ruleset *r = (ruleset *)1;
	sink s = { "", 0 };
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(rules_parse(&r, text, strlen(text), "r.txt", collect, &s, &err), ULF_EPARSE);
	assert_null(r);
	print_message("%s", s.text);
	assert_non_null(strstr(s.text, "r.txt:2: not UTF-8 text"));
	assert_non_null(strstr(s.text, "r.txt:6: not UTF-8 text"));
	assert_int_equal(s.n, 2);
}

static const char *const regions =
	"extract sormland-order\n"
	"    buyer    0007:2321000032\n"
	"    pattern  (?<order>\\bDLL\\d{7}\\b|\\bP\\d{2}-[A-Z]\\d{3}-\\d{4}\\b)\n"
	"    fields   order_ref line_order_ref buyer_ref note line_note doc_id\n"
	"extract sormland-ref\n"
	"    buyer    2321000032\n"
	"    pattern  ^(?<ref>\\d{9}|FM\\d{4})$\n"
	"    fields   buyer_ref\n"
	"extract vastmanland-order\n"
	"    buyer    0007:2321000172\n"
	"    pattern  (?<![\\d-])(?<order>\\d{10}|\\d{8})(?![\\d-])\n"
	"    fields   order_ref buyer_ref note line_note doc_id\n"
	"extract spaced-dll\n"
	"    supplier 5592117310\n"
	"    pattern  DLL[ -](?<order>\\d{7})\n"
	"    prefix   DLL\n";

static void extraction(void **state)
{
	ruleset *r = parse_ok(regions);
	regex_match *m = NULL;
	const char *sup[] = { "org:5592117310" };
	const char *sorm[] = { "peppol:0007:2321000032", "org:2321000032" };
	const char *vast[] = { "peppol:0007:2321000172" };
	rules_who who = { sup, 1, sorm, 2, false };
	rules_text texts[] = {
		{ RF_ORDER_REF, "Er beställning", NULL },
		{ RF_BUYER_REF, "FM2207", NULL },
		{ RF_NOTE, "Avser DLL 0852417 och DLL0852418, tel 0701234567", NULL },
		{ RF_LINE_NOTE, "P25-N014-3082", "line 2" },
	};
	rules_hit hits[8];
	size_t n;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	assert_int_equal(rules_extract(hits, &n, 8, m, r, &who, texts, 4), 0);
	assert_int_equal(n, 4);
	/* the supplier's own rule first */
	assert_string_equal(hits[0].value, "DLL0852417");
	assert_string_equal(hits[0].rule, "spaced-dll");
	assert_true(hits[0].supplier_rule);
	assert_string_equal(hits[1].value, "DLL0852418");
	assert_int_equal(hits[1].field, RF_NOTE);
	assert_string_equal(hits[2].value, "P25-N014-3082");
	assert_string_equal(hits[2].where, "line 2");
	assert_string_equal(hits[3].group, "ref");
	assert_string_equal(hits[3].value, "FM2207");

	/* Västmanland's rule sees 8 and 10 digits, not the phone number's 10
	 * digits glued to other text, nor Sörmland's formats */
	who.buyer_keys = vast;
	who.nbuyer = 1;
	who.nsupplier = 0;
	{
		rules_text t2[] = {
			{ RF_NOTE, "Order 4500123987 / 30458812, ref 123456789012", NULL },
			{ RF_ORDER_REF, "DLL0852417", NULL },
		};
		assert_int_equal(rules_extract(hits, &n, 8, m, r, &who, t2, 2), 0);
		assert_int_equal(n, 2);
		assert_string_equal(hits[0].value, "4500123987");
		assert_string_equal(hits[1].value, "30458812");
		/* at most max */
		assert_int_equal(rules_extract(hits, &n, 1, m, r, &who, t2, 2), 0);
		assert_int_equal(n, 1);
	}
	regex_match_free(m);
	rules_free(r);
}

static const char *const coding =
	"vatcodes\n"
	"    S 25 MP25\n"
	"    AE * OMV\n"
	"settings\n"
	"    accounting_cost ^(?<account>\\d{4})-(?<cost_centre>\\d{3,6})(?:-(?<activity>\\d+))?$\n"
	"code general-paper\n"
	"    name     (?i)papper\n"
	"    account  5410\n"
	"    cost_centre 1000\n"
	"code paper-at-grossisten\n"
	"    supplier 0007:5592117310\n"
	"    item     ^KP-\n"
	"    account  5460\n"
	"code freight\n"
	"    kind     charge\n"
	"    text     (?i)frakt\n"
	"    account  5710\n"
	"code ansvar-from-reference\n"
	"    reference ^(?<ansvar>\\d{7})$\n"
	"    cost_centre A{ansvar}\n"
	"    project  P1\n"
	"code big-lines\n"
	"    amount   10000..\n"
	"    vat      S 25\n"
	"    activity 900\n";

static void booking_rules(void **state)
{
	ruleset *r = parse_ok(coding);
	regex_match *m = NULL;
	const char *sup[] = { "org:5592117310", "peppol:0007:5592117310" };
	rules_who who = { sup, 2, NULL, 0, true };
	rules_line l;
	rules_coding c;
	char split[RB_COUNT][64];
	unsigned line;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	memset(&l, 0, sizeof(l));
	l.kind = RL_LINE;
	l.item_ids[0] = "KP-4080";
	l.name = "Kopieringspapper A4";
	l.amount = D("1976.40");
	l.amount_set = true;
	l.vat_category = "S";
	l.vat_rate = D("25");
	l.vat_rate_set = true;
	l.buyer_reference = "5512340";
	assert_int_equal(rules_code(&c, m, r, &who, &l), 0);
	/* the supplier's rule wins the account; the general one still gives
	 * the cost centre it alone sets... */
	assert_string_equal(c.value[RB_ACCOUNT], "5460");
	assert_string_equal(c.rule[RB_ACCOUNT], "paper-at-grossisten");
	assert_non_null(strstr(c.why[RB_ACCOUNT], "item /^KP-/ matched \"KP-4080\""));
	assert_string_equal(c.value[RB_COST_CENTRE], "1000");
	assert_string_equal(c.rule[RB_COST_CENTRE], "general-paper");
	/* ...and the first general rule in file order beats a later one */
	assert_string_equal(c.value[RB_PROJECT], "P1");
	assert_string_equal(c.value[RB_ACTIVITY], "");
	assert_null(c.rule[RB_VAT_CODE]);

	/* another supplier: the general rule gives the account */
	who.nsupplier = 0;
	l.amount = D("-12000");   /* a credit: the range is on the size */
	l.name = "Papper";
	assert_int_equal(rules_code(&c, m, r, &who, &l), 0);
	assert_string_equal(c.value[RB_ACCOUNT], "5410");
	assert_string_equal(c.value[RB_ACTIVITY], "900");

	/* {group} from the reference, when no earlier rule set the field */
	l.name = "Konsult";
	assert_int_equal(rules_code(&c, m, r, &who, &l), 0);
	assert_string_equal(c.value[RB_COST_CENTRE], "A5512340");
	assert_string_equal(c.rule[RB_COST_CENTRE], "ansvar-from-reference");

	/* kind: the freight rule only for charges */
	memset(&l, 0, sizeof(l));
	l.kind = RL_CHARGE;
	l.name = "Frakt";
	assert_int_equal(rules_code(&c, m, r, &who, &l), 0);
	assert_string_equal(c.value[RB_ACCOUNT], "5710");
	l.kind = RL_LINE;
	assert_int_equal(rules_code(&c, m, r, &who, &l), 0);
	assert_string_equal(c.value[RB_ACCOUNT], "");

	assert_string_equal(rules_vat_code(r, "S", D("25.00"), true, &line), "MP25");
	assert_int_equal(line, 2);
	assert_null(rules_vat_code(r, "S", D("12"), true, NULL));
	assert_string_equal(rules_vat_code(r, "AE", D("0"), true, NULL), "OMV");

	assert_true(rules_split_accounting(split, m, r, "4010-7104-310"));
	assert_string_equal(split[RB_ACCOUNT], "4010");
	assert_string_equal(split[RB_COST_CENTRE], "7104");
	assert_string_equal(split[RB_ACTIVITY], "310");
	assert_string_equal(split[RB_PROJECT], "");
	assert_false(rules_split_accounting(split, m, r, "MAFO-1"));
	regex_match_free(m);
	rules_free(r);
}

/* RULES_MAX_VATCODES rows are taken, the next is a problem on its line. */
static void vatcodes_cap(void **state)
{
	size_t cap = 16 + (RULES_MAX_VATCODES + 1) * 24, len = 0, i;
	char *text = malloc(cap);
	ruleset *r = NULL;
	sink s = { "", 0 };
	ulf_err err;
	char want[64];

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "vatcodes\n");
	for (i = 0; i < RULES_MAX_VATCODES; i++)
		len += (size_t)snprintf(text + len, cap - len, "    S %zu V%zu\n", i, i);
	r = parse_ok(text);
	assert_string_equal(rules_vat_code(r, "S", D("999"), true, NULL), "V999");
	rules_free(r);
	len += (size_t)snprintf(text + len, cap - len, "    S 1000 V1000\n");
	ulf_err_clear(&err);
	assert_int_equal(rules_parse(&r, text, len, "r.txt", collect, &s, &err), ULF_EPARSE);
	snprintf(want, sizeof(want), "r.txt:%u: vatcodes: more than %u rows",
		 RULES_MAX_VATCODES + 2, RULES_MAX_VATCODES);
	assert_non_null(strstr(s.text, want));
	assert_int_equal(s.n, 1);
	free(text);
}

static void tolerances(void **state)
{
	ruleset *r = parse_ok(
		"tolerance\n"
		"    price     5% max 50\n"
		"    quantity  0\n"
		"    total     1%\n"
		"tolerance buyer 0007:2321000032\n"
		"    price     2% max 20\n"
		"tolerance supplier 5592117310\n"
		"    price     10 % max 100\n"
		"    line      0.50\n");
	const char *sup[] = { "org:5592117310" };
	const char *buy[] = { "peppol:0007:2321000032" };
	rules_who who = { NULL, 0, NULL, 0, false };
	rules_tol t;
	dec a;
	char txt[64];

	(void)state;
	rules_tolerance(&t, r, TOL_PRICE, &who);
	assert_string_equal(t.scope, "global");
	rules_tol_text(txt, sizeof(txt), &t);
	assert_string_equal(txt, "5% max 50");
	/* 5% of 999.00 is 49.95: under the cap */
	assert_int_equal(rules_tol_allowed(&a, &t, D("999.00")), 0);
	assert_dec_str(a, "49.95");
	/* 5% of 1000 is exactly the cap; of 1000.20 the cap holds */
	assert_int_equal(rules_tol_allowed(&a, &t, D("1000")), 0);
	assert_dec_str(a, "50.00");
	assert_int_equal(rules_tol_allowed(&a, &t, D("1000.20")), 0);
	assert_dec_str(a, "50");
	/* the percentage is of the size: negative references too */
	assert_int_equal(rules_tol_allowed(&a, &t, D("-18.75")), 0);
	assert_dec_str(a, "0.94");

	who.buyer_keys = buy;
	who.nbuyer = 1;
	rules_tolerance(&t, r, TOL_PRICE, &who);
	assert_int_equal(t.line, 6);
	who.supplier_keys = sup;
	who.nsupplier = 1;
	rules_tolerance(&t, r, TOL_PRICE, &who);
	assert_string_equal(t.scope, "supplier org:5592117310");
	rules_tol_text(txt, sizeof(txt), &t);
	assert_string_equal(txt, "10% max 100");
	/* per key: the supplier block says nothing of the total */
	rules_tolerance(&t, r, TOL_TOTAL, &who);
	assert_string_equal(t.scope, "global");
	assert_int_equal(rules_tol_allowed(&a, &t, D("123456.78")), 0);
	assert_dec_str(a, "1234.57");
	rules_tolerance(&t, r, TOL_LINE, &who);
	assert_int_equal(rules_tol_allowed(&a, &t, D("99999")), 0);
	assert_dec_str(a, "0.50");
	/* nothing said anywhere: exact */
	rules_tolerance(&t, r, TOL_RECURRING, &who);
	assert_string_equal(t.scope, "default");
	assert_int_equal(rules_tol_allowed(&a, &t, D("500")), 0);
	assert_true(dec_is_zero(a));
	rules_free(r);
}

static void nonpo_rules(void **state)
{
	ruleset *r = parse_ok(
		"nonpo rent\n"
		"    supplier   5560360793\n"
		"    reference  (?i)\\bhyra\\b\n"
		"    amount     ..60000\n"
		"    account    5010\n"
		"    cost_centre 1100\n"
		"nonpo power\n"
		"    supplier   5567890125\n"
		"    contract   yes\n"
		"    account    5020\n");
	regex_match *m = NULL;
	const char *rent[] = { "org:5560360793" };
	const char *power[] = { "org:5567890125" };
	rules_who who = { rent, 1, NULL, 0, false };
	rules_text refs[] = { { RF_NOTE, "Hyra april, Eskilstuna", NULL } };
	rules_nonpo_hit h;
	bool found;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(regex_match_new(&m, &err), 0);
	assert_int_equal(rules_nonpo(&h, &found, m, r, &who, refs, 1, D("45000")), 0);
	assert_true(found);
	assert_string_equal(h.rule, "rent");
	assert_string_equal(h.coding.value[RB_ACCOUNT], "5010");
	assert_non_null(strstr(h.why, "reference"));
	/* over the amount: not this rule */
	assert_int_equal(rules_nonpo(&h, &found, m, r, &who, refs, 1, D("60000.01")), 0);
	assert_false(found);
	/* contract required */
	who.supplier_keys = power;
	assert_int_equal(rules_nonpo(&h, &found, m, r, &who, refs, 1, D("10")), 0);
	assert_false(found);
	who.contract = true;
	assert_int_equal(rules_nonpo(&h, &found, m, r, &who, refs, 1, D("10")), 0);
	assert_true(found);
	assert_string_equal(h.coding.value[RB_ACCOUNT], "5020");
	regex_match_free(m);
	rules_free(r);
}

static void party_keys(void **state)
{
	char k[160];

	(void)state;
	assert_true(rules_party_key(k, sizeof(k), "559211-7310"));
	assert_string_equal(k, "org:5592117310");
	assert_true(rules_party_key(k, sizeof(k), "0007:5592117310"));
	assert_string_equal(k, "peppol:0007:5592117310");
	assert_true(rules_party_key(k, sizeof(k), "SE559211731001"));
	assert_string_equal(k, "vat:SE559211731001");
	assert_false(rules_party_key(k, sizeof(k), "abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_parses),
		cmocka_unit_test(every_error_with_its_line),
		cmocka_unit_test(not_utf8),
		cmocka_unit_test(extraction),
		cmocka_unit_test(booking_rules),
		cmocka_unit_test(vatcodes_cap),
		cmocka_unit_test(tolerances),
		cmocka_unit_test(nonpo_rules),
		cmocka_unit_test(party_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
