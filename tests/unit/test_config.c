/*
 * test_config.c - the settings table's newer kinds of value: durations
 * (erp_retry_window) with their units and bounds, the ERP's settings that
 * a reload may change (a set-up fault is mended by SIGHUP), and the ERP
 * client settings the table hands on (the lookup URL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "robot/config/config.h"

static char path[64];

static int write_conf(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/ulf-config-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return 0;
}

static int load(ulf_config *cfg, const char *text, ulf_err *err)
{
	int rc;

	ulf_err_clear(err);
	assert_int_equal(write_conf(text), 0);
	rc = config_load(cfg, path, err);
	unlink(path);
	return rc;
}

static void test_durations(void **state)
{
	static const struct { const char *text; long seconds; } good[] = {
		{ "erp_retry_window 90\n", 90 }, { "erp_retry_window 90s\n", 90 },
		{ "erp_retry_window 30m\n", 1800 }, { "erp_retry_window 12h\n", 43200 },
		{ "erp_retry_window 2d\n", 172800 },
	};
	static const char *const bad[] = {
		"erp_retry_window 5\n",      /* under 10 s */
		"erp_retry_window 91d\n",    /* over 90 days */
		"erp_retry_window 1w\n", "erp_retry_window 1dd\n", "erp_retry_window -1d\n",
		"erp_retry_window d\n",
	};
	ulf_config cfg;
	ulf_err err;
	size_t i;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.erp_retry_window, 86400);   /* a day */
	assert_int_equal(cfg.erp_breaker_failures, 10);
	assert_int_equal(cfg.erp_setup_rejections, 3);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(load(&cfg, good[i].text, &err), 0);
		assert_int_equal(cfg.erp_retry_window, good[i].seconds);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(load(&cfg, bad[i], &err), 0);
		assert_non_null(strstr(err.msg, "erp_retry_window"));
	}
	assert_int_not_equal(load(&cfg, "erp_setup_rejections 1\n", &err), 0);
	assert_int_equal(load(&cfg, "erp_setup_rejections 0\n", &err), 0);
	assert_int_not_equal(load(&cfg, "erp_lookup_url http://erp/lookup\n", &err), 0);
}

/* The ERP's connection settings change on SIGHUP; the store does not. */
static void test_reload_takes_erp_settings(void **state)
{
	ulf_config cur, next;
	erp_config ec;
	ulf_err err;

	(void)state;
	config_init(&cur);
	ulf_err_clear(&err);
	assert_int_equal(write_conf("erp_url https://erp/postings\nerp_ca_file /etc/ca.pem\n"
				    "erp_lookup_url https://erp/postings/lookup\n"
				    "erp_retry_window 1h\n"), 0);
	assert_int_equal(config_reload(&next, &cur, path, &err), 0);
	unlink(path);
	assert_string_equal(next.erp_ca_file, "/etc/ca.pem");
	assert_int_equal(next.erp_retry_window, 3600);
	config_erp(&ec, &next);
	assert_string_equal(ec.lookup_url, "https://erp/postings/lookup");
	assert_int_equal(write_conf("store_path other.db\n"), 0);
	assert_int_not_equal(config_reload(&next, &cur, path, &err), 0);
	unlink(path);
	assert_non_null(strstr(err.msg, "store_path"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_reload_takes_erp_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
