/*
 * support.h - what the unit tests share (the static library
 * ulf_testsupport, linked into every tests/unit/test_*.c): where the test
 * data is, saying why a test is skipped, a temporary store, the sample
 * reference data, and the ERP simulator in-process with the certificates
 * the tests make for it.
 *
 * These helpers run inside cmocka tests and fixtures: instead of returning
 * an error they fail the running test (fail_msg) or skip it (skip()), so a
 * test needs no error paths of its own for its equipment.
 */
#ifndef ULF_TESTS_SUPPORT_H
#define ULF_TESTS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "robot/store/refdata.h"
#include "robot/store/store.h"
#include "tools/erp-sim/erpsim.h"

#define TS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- test data -------------------------------------------------------- */

/*
 * The folders ctest names in the environment: $ULF_SAMPLES (samples/),
 * $ULF_TESTDATA (tests/data/) and $ULF_SHARED (../shared, the public
 * corpus, schemas and code lists).  NULL when unset or empty; ts_shared
 * also when the folder is not there (a checkout without ../shared).
 */
const char *ts_samples(void);
const char *ts_testdata(void);
const char *ts_shared(void);

/* Prints "skipped: <why>" and skips the running test (cmocka's skip()). */
_Noreturn void ts_skip(const char *fmt, ...) TS_PRINTF(1, 2);

/*
 * Writes the path of the printf-formatted `fmt` under that folder into
 * buf[0..n) and returns buf; skips the running test, saying why, when the
 * folder is not there.  Whether the file itself exists is the test's
 * business (a file missing from a folder that is there is a failure).
 */
const char *ts_samples_path(char *buf, size_t n, const char *fmt, ...) TS_PRINTF(3, 4);
const char *ts_testdata_path(char *buf, size_t n, const char *fmt, ...) TS_PRINTF(3, 4);
const char *ts_shared_path(char *buf, size_t n, const char *fmt, ...) TS_PRINTF(3, 4);

/* Skips the running test, saying why, when ../shared is not there. */
void ts_need_shared(void);

/* The whole file, NUL-terminated, malloc'd; *out_len its length (out_len
 * may be NULL).  Fails the test when it cannot be read. */
char *ts_slurp(size_t *out_len, const char *path);

/* The text with its first `from` replaced by `to`, malloc'd; fails the
 * test when `from` is not in it. */
char *ts_replace(const char *text, const char *from, const char *to);

/* ---- a temporary store ------------------------------------------------ */

enum {
	TS_SQLITE = 1 << 0,   /* SQLite even when ULF_TEST_PG_CONNINFO is set */
	TS_REFDATA = 1 << 1   /* open the reference data on it too (->r) */
};

/*
 * A fresh, empty store for one test: SQLite in a file in a temporary
 * folder, or, when ULF_TEST_PG_CONNINFO names a database (and TS_SQLITE is
 * not asked), PostgreSQL with its public schema emptied first, so the same
 * test runs on both backends (tests/cli/store_postgresql.sh starts a
 * throwaway server).  The fields are open to the test: it may close `s`
 * and open it again from backend and path.
 */
typedef struct ts_store {
	const char *backend;   /* "sqlite" or "postgresql" */
	char path[1024];       /* the SQLite file, or the PostgreSQL conninfo */
	char dir[256];         /* the temporary folder; "" on PostgreSQL */
	store *s;
	refdata *r;            /* with TS_REFDATA, else NULL */
} ts_store;

/* `name` names the temporary folder (/tmp/ulf-<name>-XXXXXX).  Fails the
 * test when the store cannot be opened. */
ts_store *ts_store_new(const char *name, unsigned flags);
/* Closes refdata and store and removes the temporary folder.  NULL is fine. */
void ts_store_free(ts_store *t);

/*
 * Imports the sample reference data through the public import API, as
 * samples/README.md does with `ulf import`: the supplier register
 * (refdata/suppliers.csv), every file in orders/ and in receipts/, and the
 * booking history (refdata/history.csv).  Skips the test without
 * $ULF_SAMPLES; fails it on a file that does not load.
 */
void ts_refdata_load_samples(refdata *r);

/* ---- the ERP simulator ------------------------------------------------ */

/*
 * One temporary folder per test program for the ERP tests: the
 * certificates tests/data/erp/mkcerts.sh makes with the openssl command
 * (ca.pem, server.pem/.key, client.pem/.key and the bad ones), and the
 * simulators' booking logs.  Group fixtures for cmocka_run_group_tests:
 * the setup also keeps curl off any proxy (everything is on loopback) and,
 * without openssl or $ULF_TESTDATA, leaves the folder without certificates
 * (ts_need_certs then skips, saying why); ts_erp_teardown removes it.
 */
int ts_erp_setup(void **state);
int ts_erp_teardown(void **state);
/* The folder (valid after ts_erp_setup). */
const char *ts_erp_dir(void);
/* <folder>/<name> in buf[0..n); returns buf. */
const char *ts_erp_file(char *buf, size_t n, const char *name);
/* Skips the running test, saying why, when there are no certificates. */
void ts_need_certs(void);

/* A simulator started in this process, on a port the system picks. */
typedef struct ts_sim {
	erpsim *s;
	char log[512];                  /* its booking log, fresh per ts_sim_opts */
	char url[128], token_url[128];  /* https://127.0.0.1:<port>/postings, /oauth/token */
	char cert[512], key[512];       /* the default server certificate and key */
} ts_sim;

/* The default options: the good server certificate, a fresh log, seed 7. */
erpsim_opts ts_sim_opts(ts_sim *sm);
/* Starts it and fills in the URLs; fails the test when it cannot start. */
void ts_sim_start(ts_sim *sm, const erpsim_opts *o);
/* Stops it (erpsim_stop); a stopped or never started one is fine. */
void ts_sim_stop(ts_sim *sm);

#endif
