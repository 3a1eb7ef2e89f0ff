/*
 * test_rules_en16931.c - the EN 16931 core rules (parsers/rules_en16931.c)
 * and ulf's Svefaktura 1.0 rules (parsers/rules_svefaktura.c), checked
 *
 *  - against the rule tests in tests/data/rule-tests/en16931 and
 *    .../svefaktura, written in the VEFA testSet format of the official
 *    PEPPOL rule tests: every <test> names rules that must stay silent on
 *    its inline document (<success>) or fire on it (<error> fatal,
 *    <warning>).  The inline document is cut out of the file text between
 *    the test's </assert> and </test>, given an XML declaration and read
 *    with reader_read like any received document;
 *  - for coverage: every rule of both tables has at least one firing and
 *    one silent test, except the rules whose official test never fails
 *    (listed in never_fire below and in docs/rules.md);
 *  - against the public corpus ($ULF_SHARED): no PEPPOL BIS or SFTI
 *    example breaks an EN 16931 rule (or the break is listed in
 *    corpus_breaks with the reason), no Svefaktura example breaks a
 *    fatal SVE rule;
 *  - against the bundled samples ($ULF_SAMPLES): no fatal finding at all
 *    (and for the UBL samples no EN 16931 warning either).
 *
 * Every document is validated a second time without its tree, so that the
 * checks' fallbacks to the model run under the sanitizers too.
 *
 * A Svefaktura document the reader cannot read (ULF_ESYNTAX) is skipped
 * with a note rather than failed, so that this test does not depend on the
 * reader's progress; the coverage check then does not demand firing tests
 * of the SVE rules.
 *
 * Failures are counted and printed ("FAIL file: test N: ...") and a test
 * fails once its whole folder has run, so one run lists every mismatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/fileio.h"
#include "parsers/reader.h"
#include "parsers/validate.h"
#include "parsers/xml.h"
#include "tests/support/support.h"

#define VEFA_NS "http://difi.no/xsd/vefa/validator/1.0"
#define PATH_LEN 1024
#define FILE_MAX (8u << 20)

/* Official tests that never fail, so no document can make them fire. */
static const char *const never_fire[] = {
	"BR-CO-05", "BR-CO-06", "BR-CO-07", "BR-CO-08", "BR-DEC-13", "BR-DEC-15"
};

/*
 * Corpus documents that really break a rule, with the reason.  A finding
 * listed here is expected; one not listed fails the test, and so does a
 * listed one that no longer occurs (the list must not rot).
 */
typedef struct corpus_break {
	const char *file;   /* path below the corpus folder */
	const char *rule;
	const char *why;
} corpus_break;

static const corpus_break corpus_breaks[] = {
	{ "sfti-bis3/print-tests/Testbolagets Faktura_101000550.xml", "BR-CL-26",
	  "the DeliveryLocation/ID has schemeID 'GLN', which is no ISO 6523 ICD code (GLN is 0088)" },
	{ "sfti-bis3/print-tests/Testbolagets_UrsprFaktura_101000010.xml", "BR-CL-26",
	  "as above" },
	{ "sfti-bis3/typfall/BIS_Billing_30-Resor_Bokning.xml", "BR-CL-25",
	  "the buyer's EndpointID has schemeID 'GLN', which is no EAS code (GLN is 0088)" },
	{ "svefaktura-1.0/svefaktura bas.xml", "SVE-007",
	  "SFTI's example seller 556562-4223 (Moderna Produkter AB) has a wrong Luhn check digit" },
	{ "svefaktura-1.0/svefaktura m ext ref.xml", "SVE-007", "as above" },
	{ "svefaktura-1.0/svefaktura m koder.xml", "SVE-007", "as above" },
	{ "svefaktura-1.0/svefaktura moms.xml", "SVE-007", "as above" },
	{ "svefaktura-1.0/svefaktura.xml", "SVE-007", "as above" },
	{ NULL, NULL, NULL }
};

static void pathf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	assert_true(len >= 0 && (size_t)len < n);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir, sorted, without "." and ".."; the caller frees. */
static char **list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(*names));
			assert_non_null(names);
		}
		names[n] = strdup(e->d_name);
		assert_non_null(names[n]);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool has_xml_suffix(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && strcmp(name + len - 4, ".xml") == 0;
}

/* ----------------------------------------------------------------------
 * Rule coverage
 * -------------------------------------------------------------------- */

typedef struct coverage {
	const rule_def *rule;
	bool fired, silent;
} coverage;

static coverage cov[1024];
static size_t ncov;

static coverage *cov_of(const char *id)
{
	const rule_def *r = validate_rule(id);
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < ncov; i++)
		if (cov[i].rule == r)
			return &cov[i];
	assert_true(ncov < sizeof(cov) / sizeof(cov[0]));
	cov[ncov].rule = r;
	cov[ncov].fired = cov[ncov].silent = false;
	return &cov[ncov++];
}

/* ----------------------------------------------------------------------
 * Running documents
 * -------------------------------------------------------------------- */

static bool sve_reader_missing_said;
static unsigned testsets_run;   /* folders of rule tests that ran */

/* Reads one document from bytes and runs the rule sets on it.  Returns 1
 * when read and validated, 0 when it is a Svefaktura document the reader
 * cannot read yet (skipped, said once), -1 on failure (printed). */
static int run_doc(findings *f, const char *buf, size_t len, const char *label, unsigned sets)
{
	ulf_document doc;
	validate_opts opts;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	findings_init(f);
	rc = reader_read(&doc, buf, len, label, NULL, true, &err);
	if (rc) {
		if (rc == ULF_ESYNTAX && strstr(buf, "urn:sfti:documents:")) {
			if (!sve_reader_missing_said)
				print_message("NOTE Svefaktura documents skipped: the reader cannot "
					      "read them yet (%s)\n", err.msg);
			sve_reader_missing_said = true;
			return 0;
		}
		print_message("FAIL %s: not read: %s\n", label, err.msg);
		return -1;
	}
	if (doc.kind != DOC_INVOICE) {
		reader_document_release(&doc);
		return 0;
	}
	opts.sets = sets;
	rc = validate_invoice(f, doc.inv, doc.xml, &opts, &err);
	if (rc == 0) {
		/* the checks' fallbacks for a model without its tree must run
		 * clean too (the sanitizers watch) */
		findings bare;
		findings_init(&bare);
		rc = validate_invoice(&bare, doc.inv, NULL, &opts, &err);
		findings_release(&bare);
	}
	reader_document_release(&doc);
	if (rc) {
		print_message("FAIL %s: validate: %s\n", label, err.msg);
		return -1;
	}
	return 1;
}

static const finding *find_rule(const findings *f, const char *id, vflag flag)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule, id) == 0 && (!flag || f->items[i].flag == flag))
			return &f->items[i];
	return NULL;
}

static void print_findings(const findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		print_message("       %s %s line %u: %.160s\n", f->items[i].rule,
			      f->items[i].flag == VFLAG_FATAL ? "fatal" : "warning",
			      f->items[i].line, f->items[i].message);
}

/* ----------------------------------------------------------------------
 * VEFA testSet files
 * -------------------------------------------------------------------- */

/* The n-th "<test>" element's inline document in the file text: between
 * its "</assert>" and its "</test>". */
static bool inline_doc(const char *text, size_t nth, const char **b, const char **e)
{
	const char *p = text;
	size_t seen = 0;

	for (;;) {
		p = strstr(p, "<test");
		if (!p)
			return false;
		if (p[5] == '>' || p[5] == ' ' || p[5] == '\t' || p[5] == '\n' || p[5] == '\r') {
			if (seen++ == nth)
				break;
		}
		p += 5;
	}
	*b = strstr(p, "</assert>");
	*e = *b ? strstr(*b, "</test>") : NULL;
	if (!*e)
		return false;
	*b += strlen("</assert>");
	return true;
}

/* The rule ID an assert child names, trimmed; NULL when unknown. */
static const char *assert_id(const xml_node *n, arena *a, char *buf, size_t cap)
{
	size_t len;
	const char *s = xml_text(n, a, &len);

	while (len && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r'))
		len--;
	if (len == 0 || len >= cap)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* Checks what one <test> asserts against the findings on its document. */
static unsigned check_asserts(const xml_node *test, const findings *f, const char *label,
			      size_t nth, arena *a)
{
	const xml_node *as = xml_child(test, VEFA_NS, "assert"), *n;
	unsigned bad = 0;

	for (n = xml_first_element(as); n; n = xml_next_element(n)) {
		const char *kind = xml_name(n);
		char idbuf[64];
		const char *id = assert_id(n, a, idbuf, sizeof(idbuf));
		coverage *cv;
		bool ok;

		if (strcmp(kind, "description") == 0 || strcmp(kind, "scope") == 0)
			continue;
		cv = id ? cov_of(id) : NULL;
		if (!cv) {
			print_message("FAIL %s: test %zu: unknown rule '%s'\n", label, nth + 1,
				      id ? id : "?");
			bad++;
			continue;
		}
		if (strcmp(kind, "success") == 0) {
			ok = find_rule(f, id, 0) == NULL;
			cv->silent = cv->silent || ok;
		} else if (strcmp(kind, "error") == 0 || strcmp(kind, "warning") == 0) {
			vflag want = strcmp(kind, "error") == 0 ? VFLAG_FATAL : VFLAG_WARNING;
			ok = find_rule(f, id, want) != NULL;
			cv->fired = cv->fired || ok;
		} else {
			print_message("FAIL %s: test %zu: unknown assertion <%s>\n", label, nth + 1, kind);
			bad++;
			continue;
		}
		if (!ok) {
			print_message("FAIL %s: test %zu: %s expected %s\n", label, nth + 1, id, kind);
			print_findings(f);
			bad++;
		}
	}
	return bad;
}

/* Runs one testSet file; returns the number of failures. */
static unsigned run_testset(const char *path, const char *label, unsigned sets, size_t *ntests,
			    size_t *nskipped)
{
	char *text = NULL;
	size_t len, nth = 0;
	xml_doc *ts = NULL;
	const xml_node *test;
	ulf_err err;
	unsigned bad = 0;
	arena a;

	ulf_err_clear(&err);
	if (file_read(&text, &len, path, FILE_MAX, &err) ||
	    xml_parse(&ts, text, len, label, NULL, &err)) {
		print_message("FAIL %s: %s\n", label, err.msg);
		free(text);
		return 1;
	}
	if (!xml_is(xml_root(ts), VEFA_NS, "testSet")) {
		print_message("FAIL %s: not a VEFA testSet\n", label);
		bad++;
	}
	arena_init(&a, 1u << 20);
	for (test = xml_child(xml_root(ts), VEFA_NS, "test"); test;
	     test = xml_next(test, VEFA_NS, "test"), nth++) {
		static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
		const char *b, *e;
		char *doc, tlabel[PATH_LEN];
		findings f;
		int rc;

		if (!inline_doc(text, nth, &b, &e)) {
			print_message("FAIL %s: test %zu: no inline document\n", label, nth + 1);
			bad++;
			break;
		}
		doc = malloc(sizeof(decl) + (size_t)(e - b));
		assert_non_null(doc);
		memcpy(doc, decl, sizeof(decl) - 1);
		memcpy(doc + sizeof(decl) - 1, b, (size_t)(e - b));
		doc[sizeof(decl) - 1 + (size_t)(e - b)] = '\0';
		pathf(tlabel, sizeof(tlabel), "%s#%zu", label, nth + 1);
		rc = run_doc(&f, doc, strlen(doc), tlabel, sets);
		if (rc > 0)
			bad += check_asserts(test, &f, label, nth, &a);
		else if (rc < 0)
			bad++;
		else
			(*nskipped)++;
		(*ntests)++;
		findings_release(&f);
		free(doc);
	}
	arena_release(&a);
	xml_doc_free(ts);
	free(text);
	return bad;
}

/* Runs every testSet file of tests/data/rule-tests/<sub>. */
static void run_testsets(const char *sub, unsigned sets)
{
	char dir[PATH_LEN];
	char **names;
	size_t n, i, files = 0, tests = 0, skipped = 0;
	unsigned bad = 0;

	ts_testdata_path(dir, sizeof(dir), "rule-tests/%s", sub);
	names = list_dir(dir, &n);
	for (i = 0; i < n; i++) {
		char path[PATH_LEN], label[PATH_LEN];
		if (!has_xml_suffix(names[i]))
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, names[i]);
		pathf(label, sizeof(label), "%s/%s", sub, names[i]);
		bad += run_testset(path, label, sets, &tests, &skipped);
		files++;
	}
	free_names(names, n);
	print_message("rule-tests/%s: %zu files, %zu tests (%zu skipped), %u failures\n", sub,
		      files, tests, skipped, bad);
	testsets_run++;
	assert_true(files > 0);
	if (bad)
		fail_msg("rule-tests/%s: %u failures (see FAIL lines)", sub, bad);
}

static void en16931_testsets(void **state)
{
	(void)state;
	run_testsets("en16931", VSET_EN16931);
}

static void svefaktura_testsets(void **state)
{
	(void)state;
	run_testsets("svefaktura", VSET_SVEFAKTURA);
}

static bool never_fires(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(never_fire) / sizeof(never_fire[0]); i++)
		if (strcmp(never_fire[i], id) == 0)
			return true;
	return false;
}

/* Every rule of a table is shown to fire and to stay silent by some test. */
static unsigned check_table(const rule_def *rules, size_t n, bool need_fire)
{
	unsigned bad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		coverage *cv = cov_of(rules[i].id);
		bool nf = never_fires(rules[i].id);
		if (!cv->silent || (need_fire && !nf && !cv->fired)) {
			print_message("FAIL coverage: %s has no %s test\n", rules[i].id,
				      !cv->silent ? "silent (<success>)" : "firing (<error>/<warning>)");
			bad++;
		}
	}
	return bad;
}

/* Runs after the testSets (cmocka runs tests in order). */
static void rule_coverage(void **state)
{
	unsigned bad;

	(void)state;
	if (testsets_run < 2) {
		print_message("coverage skipped: the rule tests did not run\n");
		skip();
	}
	bad = check_table(rules_en16931, rules_en16931_count, true);
	/* the SVE rules fire in the hand-built model tests when the reader
	 * cannot read the documents of their testSets yet */
	bad += check_table(rules_svefaktura, rules_svefaktura_count, !sve_reader_missing_said);
	if (bad)
		fail_msg("%u rules lack a test (see FAIL lines)", bad);
}

/* ----------------------------------------------------------------------
 * Corpus and samples
 * -------------------------------------------------------------------- */

static bool break_listed(const char *file, const char *rule, bool *seen, size_t nseen)
{
	size_t i;

	for (i = 0; i < nseen && corpus_breaks[i].file; i++)
		if (strcmp(corpus_breaks[i].file, file) == 0 && strcmp(corpus_breaks[i].rule, rule) == 0) {
			seen[i] = true;
			return true;
		}
	return false;
}

typedef struct walk {
	unsigned sets;
	bool fatal_only;         /* warnings are allowed */
	const char *only_prefix; /* only files whose name starts so, or NULL */
	bool *seen;
	size_t nseen;
	size_t files, skipped;
	unsigned bad;
} walk;

static void check_one(walk *w, const char *path, const char *label)
{
	char *text = NULL;
	size_t len, i;
	findings f;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	if (file_read(&text, &len, path, FILE_MAX, &err)) {
		print_message("FAIL %s: %s\n", label, err.msg);
		w->bad++;
		return;
	}
	rc = run_doc(&f, text, len, label, w->sets);
	free(text);
	if (rc <= 0) {
		w->bad += rc < 0;
		w->skipped += rc == 0;
		findings_release(&f);
		return;
	}
	w->files++;
	for (i = 0; i < f.n; i++) {
		const finding *it = &f.items[i];
		if (w->fatal_only && it->flag != VFLAG_FATAL)
			continue;
		if (break_listed(label, it->rule, w->seen, w->nseen))
			continue;
		print_message("FAIL %s: %s (%s) line %u: %.200s\n", label, it->rule,
			      it->flag == VFLAG_FATAL ? "fatal" : "warning", it->line, it->message);
		w->bad++;
	}
	findings_release(&f);
}

static void walk_dir(walk *w, const char *dir, const char *label, bool recurse)
{
	char **names;
	size_t n, i;

	names = list_dir(dir, &n);
	for (i = 0; i < n; i++) {
		char path[PATH_LEN], lab[PATH_LEN];

		pathf(path, sizeof(path), "%s/%s", dir, names[i]);
		pathf(lab, sizeof(lab), "%s%s%s", label, *label ? "/" : "", names[i]);
		if (is_dir(path)) {
			if (recurse)
				walk_dir(w, path, lab, true);
		} else if (has_xml_suffix(names[i]) &&
			   (!w->only_prefix || strncmp(names[i], w->only_prefix, strlen(w->only_prefix)) == 0)) {
			check_one(w, path, lab);
		}
	}
	free_names(names, n);
}

static void corpus_folder(const char *sub, bool recurse, unsigned sets)
{
	bool seen[sizeof(corpus_breaks) / sizeof(corpus_breaks[0])] = { false };
	char dir[PATH_LEN];
	walk w;
	size_t i;

	ts_shared_path(dir, sizeof(dir), "corpus/%s", sub);
	if (!is_dir(dir))
		fail_msg("%s is missing from the shared corpus", dir);
	memset(&w, 0, sizeof(w));
	w.sets = sets;
	w.fatal_only = sets != VSET_EN16931;
	w.seen = seen;
	w.nseen = sizeof(seen) / sizeof(seen[0]);
	walk_dir(&w, dir, sub, recurse);
	for (i = 0; i < w.nseen && corpus_breaks[i].file; i++)
		if (strncmp(corpus_breaks[i].file, sub, strlen(sub)) == 0 && !seen[i]) {
			print_message("FAIL %s: listed break of %s no longer occurs\n",
				      corpus_breaks[i].file, corpus_breaks[i].rule);
			w.bad++;
		}
	print_message("corpus/%s: %zu documents validated, %zu skipped, %u failures\n", sub,
		      w.files, w.skipped, w.bad);
	assert_true(w.files + w.skipped > 0);
	if (w.bad)
		fail_msg("corpus/%s: %u unexpected findings (see FAIL lines)", sub, w.bad);
}

static void corpus_peppol_examples(void **state)
{
	(void)state;
	corpus_folder("peppol-bis3/examples", false, VSET_EN16931);
}

static void corpus_sfti_bis3(void **state)
{
	(void)state;
	corpus_folder("sfti-bis3", true, VSET_EN16931);
}

static void corpus_svefaktura(void **state)
{
	(void)state;
	corpus_folder("svefaktura-1.0", false, VSET_SVEFAKTURA);
}

/* samples/invoices: no fatal finding from either rule set, and for the
 * UBL samples no warning either. */
static void samples(void **state)
{
	char dir[PATH_LEN];
	walk w;

	(void)state;
	ts_samples_path(dir, sizeof(dir), "invoices");
	memset(&w, 0, sizeof(w));
	w.sets = VSET_EN16931;
	w.only_prefix = "peppol-";
	walk_dir(&w, dir, "samples/invoices", false);
	w.sets = VSET_SVEFAKTURA;
	w.fatal_only = true;
	w.only_prefix = "svefaktura-";
	walk_dir(&w, dir, "samples/invoices", false);
	print_message("samples: %zu documents validated, %zu skipped, %u failures\n", w.files,
		      w.skipped, w.bad);
	assert_true(w.files > 0);
	if (w.bad)
		fail_msg("samples: %u findings (see FAIL lines)", w.bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(en16931_testsets),
		cmocka_unit_test(svefaktura_testsets),
		cmocka_unit_test(rule_coverage),
		cmocka_unit_test(corpus_peppol_examples),
		cmocka_unit_test(corpus_sfti_bis3),
		cmocka_unit_test(corpus_svefaktura),
		cmocka_unit_test(samples),
	};
	int rc;

	xml_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xml_global_cleanup();
	return rc;
}
