/*
 * test_care_files.c - the care join over files (robot/care/care_files.h):
 * pairs joined by fakturaunderlags-id and by invoice number, a claim
 * carried by its invoice, a credit claim with and without its original,
 * duplicates, waiting past the deadline, a partner that came late, and the
 * files that take no part.
 *
 * Reads samples/care (ULF_SAMPLES); writes one edited copy of a sample to
 * a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "robot/care/care_files.h"

#define DAY 86400

static char paths[8][1024];

/* The path of a care sample, in one of a few rotating buffers. */
static const char *care_sample(const char *name)
{
	static unsigned next;
	const char *dir = getenv("ULF_SAMPLES");
	char *p = paths[next++ % 8];

	assert_non_null(dir);
	snprintf(p, sizeof(paths[0]), "%s/care/%s", dir, name);
	return p;
}

static care_files *join_files(long wait_days, const char *const *names, size_t n)
{
	care_files *cf = NULL;
	reader_opts opts;
	ulf_err err;
	size_t i;

	reader_opts_init(&opts);
	ulf_err_clear(&err);
	assert_int_equal(care_files_new(&cf, n, wait_days, &err), 0);
	for (i = 0; i < n; i++) {
		ulf_err_clear(&err);
		if (care_files_add(cf, names[i], &opts, &err) != 0)
			fail_msg("%s: %s", names[i], err.msg);
	}
	return cf;
}

static void check_all(care_files *cf, const care_rules *rules, int64_t now)
{
	ulf_err err;
	size_t i;

	for (i = 0; i < care_files_count(cf); i++) {
		ulf_err_clear(&err);
		if (care_files_check(cf, i, rules, now, &err) != 0)
			fail_msg("case %zu: %s", i + 1, err.msg);
	}
}

static bool has_rule(const care_case *k, const char *rule)
{
	size_t i;

	for (i = 0; i < k->f.n; i++)
		if (strcmp(k->f.items[i].rule, rule) == 0)
			return true;
	return false;
}

static int64_t date(const char *s)
{
	int64_t t = 0;

	assert_int_equal(care_parse_date(&t, s), 0);
	return t;
}

static care_rules *builtin_rules(void)
{
	care_rules *r = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(care_rules_load(&r, NULL, &err), 0);
	return r;
}

/* Claim first, then its invoice: one case, by fakturaunderlags-id, booked. */
static void test_pair_by_claim_id(void **state)
{
	const char *names[] = { care_sample("claim-matched.xml"), care_sample("invoice-matched.xml") };
	care_rules *rules = builtin_rules();
	care_files *cf = join_files(30, names, 2);
	const care_case *k;
	char total[DEC_STR_MAX];

	(void)state;
	assert_int_equal(care_files_count(cf), 1);
	k = care_files_case(cf, 0);
	assert_string_equal(k->c->file, names[0]);
	assert_string_equal(k->i->file, names[1]);
	assert_int_equal(k->how, CARE_JOIN_KEYS);
	assert_int_equal(k->match, CARE_MATCH_CLAIM_ID);
	assert_null(k->late);
	assert_false(k->duplicate);
	assert_null(care_case_alone(k));
	assert_null(care_files_case(cf, 1));

	check_all(cf, rules, date("2025-12-31"));
	assert_false(findings_fatal(&k->f));
	assert_string_equal(care_case_status(k), "reconciled");
	assert_true(k->booked);
	dec_format(total, sizeof(total), k->booking.total, 2);
	assert_string_equal(total, "57367.00");

	/* checking again starts over */
	check_all(cf, rules, date("2025-12-31"));
	assert_true(k->booked);
	care_files_free(cf);
	care_rules_free(rules);
}

/* Invoice first, not naming the claim: joined by number and seller. */
static void test_pair_by_invoice_number(void **state)
{
	const char *names[] = { care_sample("invoice-first-invoice.xml"),
				care_sample("invoice-first-claim.xml") };
	care_rules *rules = builtin_rules();
	care_files *cf = join_files(30, names, 2);
	const care_case *k;

	(void)state;
	assert_int_equal(care_files_count(cf), 1);
	k = care_files_case(cf, 0);
	assert_int_equal(k->how, CARE_JOIN_KEYS);
	assert_int_equal(k->match, CARE_MATCH_INVOICE_NUMBER);
	check_all(cf, rules, date("2025-04-20"));
	assert_string_equal(care_case_status(k), "reconciled");
	care_files_free(cf);
	care_rules_free(rules);
}

/* A UBL invoice with the claim embedded is a case of its own. */
static void test_carried(void **state)
{
	const char *names[] = { care_sample("ubl-embedded-invoice.xml") };
	care_rules *rules = builtin_rules();
	care_files *cf = join_files(30, names, 1);
	const care_case *k;

	(void)state;
	assert_int_equal(care_files_count(cf), 1);
	k = care_files_case(cf, 0);
	assert_int_equal(k->how, CARE_JOIN_CARRIED);
	assert_ptr_equal(k->c, k->i);
	assert_non_null(k->c->claim);
	assert_non_null(k->i->inv);
	check_all(cf, rules, date("2025-05-07"));
	assert_string_equal(care_case_status(k), "reconciled");
	assert_true(k->booked);
	care_files_free(cf);
	care_rules_free(rules);
}

/* A credit claim is checked against its original among the files, and
 * says so (CARE-032) when the original is not there. */
static void test_credit(void **state)
{
	const char *all[] = { care_sample("claim-matched.xml"), care_sample("invoice-matched.xml"),
			      care_sample("credit-claim.xml"), care_sample("credit-note.xml") };
	care_rules *rules = builtin_rules();
	care_files *cf = join_files(30, all, 4);
	const care_case *k;

	(void)state;
	assert_int_equal(care_files_count(cf), 2);
	check_all(cf, rules, date("2025-04-11"));
	k = care_files_case(cf, 1);
	assert_int_equal(k->c->claim->type, CLAIM_TYPE_CREDIT);
	assert_false(has_rule(k, "CARE-032"));
	assert_string_equal(care_case_status(k), "reconciled");
	care_files_free(cf);

	cf = join_files(30, all + 2, 2);
	check_all(cf, rules, date("2025-04-11"));
	assert_int_equal(care_files_count(cf), 1);
	assert_true(has_rule(care_files_case(cf, 0), "CARE-032"));
	care_files_free(cf);
	care_rules_free(rules);
}

/* The same claim twice: the second is a duplicate of the first (CARE-031),
 * and the first still waits for its invoice. */
static void test_duplicate(void **state)
{
	const char *names[] = { care_sample("claim-matched.xml"), care_sample("claim-matched.xml") };
	care_rules *rules = builtin_rules();
	care_files *cf = join_files(30, names, 2);
	const care_case *k;

	(void)state;
	assert_int_equal(care_files_count(cf), 2);
	check_all(cf, rules, date("2025-04-01"));
	k = care_files_case(cf, 1);
	assert_true(k->duplicate);
	assert_string_equal(k->duplicate_of, names[0]);
	assert_true(has_rule(k, "CARE-031"));
	assert_false(k->booked);
	assert_string_equal(care_case_status(k), "exception");
	k = care_files_case(cf, 0);
	assert_false(k->duplicate);
	assert_string_equal(care_case_status(k), "waiting");
	care_files_free(cf);
	care_rules_free(rules);
}

/* Alone past wait_days since its issue date: CARE-030; within: waiting. */
static void test_waiting(void **state)
{
	const char *names[] = { care_sample("timeout-claim.xml") };
	care_rules *rules = builtin_rules();
	care_files *cf = join_files(30, names, 1);
	const care_case *k = care_files_case(cf, 0);

	(void)state;
	assert_ptr_equal(care_case_alone(k), k->c);
	assert_true(k->c->arrived_known);
	assert_int_equal(k->c->arrived, date("2025-03-14"));

	check_all(cf, rules, date("2025-04-01"));
	assert_string_equal(care_case_status(k), "waiting");
	assert_false(has_rule(k, "CARE-030"));
	assert_int_equal(care_file_days_waited(k->c, date("2025-04-01")), 18);

	check_all(cf, rules, date("2025-05-01"));
	assert_string_equal(care_case_status(k), "exception");
	assert_true(has_rule(k, "CARE-030"));
	assert_int_equal(care_file_days_waited(k->c, date("2025-05-01")), 48);
	care_files_free(cf);
	care_rules_free(rules);
}

/* The invoice came 45 days after its claim, which waits 30: the case is a
 * pair, noted late, with CARE-030. */
static void test_late(void **state)
{
	char dir[] = "/tmp/test_care_files.XXXXXX", late[1100];
	const char *orig = care_sample("invoice-matched.xml");
	const char *names[2];
	char *buf = NULL, *at;
	care_rules *rules = builtin_rules();
	care_files *cf;
	const care_case *k;
	size_t len;
	ulf_err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(late, sizeof(late), "%s/invoice-late.xml", dir);
	ulf_err_clear(&err);
	assert_int_equal(file_read(&buf, &len, orig, 0, &err), 0);
	at = strstr(buf, "<cbc:IssueDate>2025-03-31<");
	assert_non_null(at);
	memcpy(at + strlen("<cbc:IssueDate>"), "2025-05-15", 10);
	assert_int_equal(file_write_atomic(late, buf, len, &err), 0);
	free(buf);

	names[0] = care_sample("claim-matched.xml");
	names[1] = late;
	cf = join_files(30, names, 2);
	k = care_files_case(cf, 0);
	assert_int_equal(care_files_count(cf), 1);
	assert_ptr_equal(k->late, k->c);
	assert_int_equal(k->late_days, 45);
	check_all(cf, rules, date("2025-05-16"));
	assert_true(has_rule(k, "CARE-030"));
	assert_string_equal(care_case_status(k), "exception");
	care_files_free(cf);
	care_rules_free(rules);
	unlink(late);
	rmdir(dir);
}

/* Files that are not care documents take no part; the limit holds. */
static void test_not_taken(void **state)
{
	const char *dir = getenv("ULF_SAMPLES");
	char envelope[1024];
	care_files *cf = NULL;
	reader_opts opts;
	ulf_err err;

	(void)state;
	snprintf(envelope, sizeof(envelope), "%s/invoices/svefaktura-envelope.xml", dir);
	reader_opts_init(&opts);
	ulf_err_clear(&err);
	assert_int_equal(care_files_new(&cf, 2, 30, &err), 0);
	assert_int_equal(care_files_add(cf, envelope, &opts, &err), ULF_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no care claim specification"));
	assert_int_equal(strncmp(err.msg, envelope, strlen(envelope)), 0);
	ulf_err_clear(&err);
	assert_int_not_equal(care_files_add(cf, "/nonexistent/claim.xml", &opts, &err), 0);
	assert_int_equal(care_files_count(cf), 0);

	ulf_err_clear(&err);
	assert_int_equal(care_files_add(cf, care_sample("claim-matched.xml"), &opts, &err), 0);
	assert_int_equal(care_files_add(cf, care_sample("invoice-matched.xml"), &opts, &err), 0);
	assert_int_equal(care_files_add(cf, care_sample("timeout-claim.xml"), &opts, &err),
			 ULF_ELIMIT);
	assert_int_equal(care_files_count(cf), 1);
	care_files_free(cf);
	care_files_free(NULL);
}

static int setup(void **state)
{
	(void)state;
	xml_global_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xml_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_by_claim_id),
		cmocka_unit_test(test_pair_by_invoice_number),
		cmocka_unit_test(test_carried),
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_waiting),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_not_taken),
	};

	return cmocka_run_group_tests_name("care_files", tests, setup, teardown);
}
