/*
 * support.c - the unit tests' shared equipment (support.h): test data
 * folders, skipping with a reason, temporary stores, the sample reference
 * data, and the ERP simulator with its certificates.
 */
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fileio.h"
#include "robot/store/db.h"
#include "tests/support/support.h"

/* ---- test data -------------------------------------------------------- */

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ts_samples(void)
{
	return env("ULF_SAMPLES");
}

const char *ts_testdata(void)
{
	return env("ULF_TESTDATA");
}

/* $ULF_SHARED, or ../shared as the tests found it before ctest named it */
static const char *shared_name(void)
{
	const char *s = env("ULF_SHARED");

	return s ? s : "../shared";
}

const char *ts_shared(void)
{
	const char *s = shared_name();

	return is_dir(s) ? s : NULL;
}

_Noreturn void ts_skip(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	print_message("skipped: %s\n", why);
	skip();
	abort();   /* skip() does not come back inside a test */
}

void ts_need_shared(void)
{
	if (!ts_shared())
		ts_skip("no shared/ folder at %s (the public corpus, schemas and code "
			"lists; ULF_SHARED names it)", shared_name());
}

/* dir/<fmt...> into buf[0..n); a path that does not fit fails the test */
static const char *path_under(char *buf, size_t n, const char *dir, const char *fmt,
			      va_list ap)
{
	int k = snprintf(buf, n, "%s/", dir), m = -1;

	if (k >= 0 && (size_t)k < n)
		m = vsnprintf(buf + k, n - (size_t)k, fmt, ap);
	if (m < 0 || (size_t)m >= n - (size_t)k)
		fail_msg("a path under %s is longer than %zu bytes", dir, n);
	return buf;
}

/* Skips the running test when `dir` (named by the variable `var`) is not there. */
static void need_dir(const char *dir, const char *var)
{
	if (!is_dir(dir))
		ts_skip("%s is not set or not there", var);
}

const char *ts_samples_path(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	need_dir(ts_samples(), "ULF_SAMPLES (samples/)");
	va_start(ap, fmt);
	path_under(buf, n, ts_samples(), fmt, ap);
	va_end(ap);
	return buf;
}

const char *ts_testdata_path(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	need_dir(ts_testdata(), "ULF_TESTDATA (tests/data/)");
	va_start(ap, fmt);
	path_under(buf, n, ts_testdata(), fmt, ap);
	va_end(ap);
	return buf;
}

const char *ts_shared_path(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	ts_need_shared();
	va_start(ap, fmt);
	path_under(buf, n, ts_shared(), fmt, ap);
	va_end(ap);
	return buf;
}

char *ts_slurp(size_t *out_len, const char *path)
{
	char *text = NULL;
	size_t len;
	ulf_err err;

	ulf_err_clear(&err);
	if (file_read(&text, &len, path, 0, &err) != 0)
		fail_msg("%s", err.msg);
	if (out_len)
		*out_len = len;
	return text;
}

char *ts_replace(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	size_t a, b, c;
	char *out;

	if (!p)
		fail_msg("'%s' is not in the text", from);
	a = (size_t)(p - text);
	b = strlen(to);
	c = strlen(p + strlen(from));
	out = malloc(a + b + c + 1);
	assert_non_null(out);
	memcpy(out, text, a);
	memcpy(out + a, to, b);
	memcpy(out + a + b, p + strlen(from), c + 1);
	return out;
}

/* ---- temporary folders ------------------------------------------------ */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Removes `dir` and everything in it; "" does nothing. */
static void remove_tree(const char *dir)
{
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* /tmp/ulf-<name>-XXXXXX, made; fails the test when it cannot be. */
static void make_tmpdir(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/ulf-%s-XXXXXX", name);
	if (!mkdtemp(buf))
		fail_msg("cannot make a temporary folder %s", buf);
}

/* ---- a temporary store ------------------------------------------------ */

ts_store *ts_store_new(const char *name, unsigned flags)
{
	const char *pg = (flags & TS_SQLITE) ? NULL : env("ULF_TEST_PG_CONNINFO");
	ts_store *t = calloc(1, sizeof(*t));
	ulf_err err;

	assert_non_null(t);
	ulf_err_clear(&err);
	if (pg) {
		db *d;
		t->backend = "postgresql";
		snprintf(t->path, sizeof(t->path), "%s", pg);
		if (db_open(&d, "postgresql", pg, &err) ||
		    db_exec(d, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err))
			fail_msg("%s", err.msg);
		db_close(d);
	} else {
		t->backend = "sqlite";
		make_tmpdir(t->dir, sizeof(t->dir), name);
		snprintf(t->path, sizeof(t->path), "%s/ulf.db", t->dir);
	}
	if (store_open(&t->s, t->backend, t->path, &err))
		fail_msg("%s", err.msg);
	if ((flags & TS_REFDATA) && refdata_open(&t->r, store_db(t->s), &err))
		fail_msg("%s", err.msg);
	return t;
}

void ts_store_free(ts_store *t)
{
	if (!t)
		return;
	refdata_free(t->r);
	store_close(t->s);
	remove_tree(t->dir);
	free(t);
}

static int no_dotfile(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void import_one(refdata *r, refdata_kind kind, const char *path)
{
	refdata_stats st;
	ulf_err err;

	ulf_err_clear(&err);
	if (refdata_import_file(&st, r, kind, path, NULL, NULL, 1, &err))
		fail_msg("%s", err.msg);
}

/* Every file in samples/<sub>/, in name order. */
static void import_folder(refdata *r, refdata_kind kind, const char *sub)
{
	struct dirent **names;
	char dir[1024], path[2048];
	int n, i;

	ts_samples_path(dir, sizeof(dir), "%s", sub);
	n = scandir(dir, &names, no_dotfile, alphasort);
	if (n < 0)
		fail_msg("cannot read %s", dir);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		import_one(r, kind, path);
		free(names[i]);
	}
	free(names);
}

void ts_refdata_load_samples(refdata *r)
{
	char path[1024];

	import_one(r, REFDATA_SUPPLIERS, ts_samples_path(path, sizeof(path), "refdata/suppliers.csv"));
	import_folder(r, REFDATA_ORDERS, "orders");
	import_folder(r, REFDATA_RECEIPTS, "receipts");
	import_one(r, REFDATA_HISTORY, ts_samples_path(path, sizeof(path), "refdata/history.csv"));
}

/* ---- the ERP simulator ------------------------------------------------ */

static char erp_dir[256];   /* certificates and logs */
static const char *no_certs_why = "ts_erp_setup has not run";
static int log_no;

int ts_erp_setup(void **state)
{
	const char *data = ts_testdata();
	char cmd[1024];

	(void)state;
	/* never through a proxy: everything here is on loopback */
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	snprintf(erp_dir, sizeof(erp_dir), "/tmp/ulf-erp-test-XXXXXX");
	if (!mkdtemp(erp_dir)) {
		erp_dir[0] = '\0';
		return -1;
	}
	if (!data || system("command -v openssl >/dev/null 2>&1") != 0) {
		no_certs_why = "no openssl command or ULF_TESTDATA: the ERP tests need certificates";
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "bash '%s/erp/mkcerts.sh' '%s'", data, erp_dir);
	if (system(cmd) != 0) {
		no_certs_why = "making test certificates (tests/data/erp/mkcerts.sh) failed";
		return 0;
	}
	no_certs_why = NULL;
	return 0;
}

int ts_erp_teardown(void **state)
{
	(void)state;
	remove_tree(erp_dir);
	erp_dir[0] = '\0';
	return 0;
}

const char *ts_erp_dir(void)
{
	return erp_dir;
}

const char *ts_erp_file(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", erp_dir, name);
	return buf;
}

void ts_need_certs(void)
{
	if (no_certs_why)
		ts_skip("%s", no_certs_why);
}

erpsim_opts ts_sim_opts(ts_sim *sm)
{
	erpsim_opts o;

	memset(&o, 0, sizeof(o));
	o.cert_file = ts_erp_file(sm->cert, sizeof(sm->cert), "server.pem");
	o.key_file = ts_erp_file(sm->key, sizeof(sm->key), "server.key");
	snprintf(sm->log, sizeof(sm->log), "%s/bookings-%d.jsonl", erp_dir, ++log_no);
	o.log_file = sm->log;
	o.seed = 7;
	return o;
}

void ts_sim_start(ts_sim *sm, const erpsim_opts *o)
{
	ulf_err err;

	ulf_err_clear(&err);
	if (erpsim_start(&sm->s, o, &err) != 0)
		fail_msg("simulator: %s", err.msg);
	snprintf(sm->url, sizeof(sm->url), "https://127.0.0.1:%u/postings", erpsim_port(sm->s));
	snprintf(sm->token_url, sizeof(sm->token_url), "https://127.0.0.1:%u/oauth/token",
		 erpsim_port(sm->s));
}

void ts_sim_stop(ts_sim *sm)
{
	erpsim_stop(sm->s);
	sm->s = NULL;
}
