/*
 * test_vefa.c - the official rule tests, run as data, and the public
 * examples, which must validate.
 *
 * Rule tests are OpenPEPPOL's VEFA testSets: each <test> lists rules that
 * must stay silent (<success>), fire as fatal (<error>) or fire as a
 * warning (<warning>) on the document written inline after its <assert>;
 * a number="N" attribute on error/warning asks for exactly N findings (on
 * success it cannot mean more than "silent", and is not checked).  The
 * runner takes every file under $ULF_SHARED/corpus/peppol-bis3/rule-tests/
 * {PEPPOL,SE} (whatever its name ends in: one is called *.xm) and under
 * $ULF_TESTDATA/rule-tests/ (ulf's own cases), and for each test cuts the
 * document's bytes out of the file - from the </assert> that closes the
 * test's assert to </test> - puts an XML declaration before them and runs
 * reader_read and validate_invoice on them, as the robot would.
 *
 * The tests are found twice, independently: by walking the parsed testSet
 * (which gives the expectations) and by scanning the text (which gives the
 * bytes, and skips what is commented out, as PEPPOL-COMMON-R048's tests
 * are).  The two must agree test by test, line by line, so a test can be
 * neither lost nor invented.
 *
 * One line per failed expectation: file, test index (1-based), rule,
 * expected, got; a rule of the EN 16931 family that is not in the tables
 * yet is named "waiting on EN16931 rule X".  Then the summary
 * "vefa: N cases, M expectations, K failed" and the cases per family; the
 * test fails when K > 0.  Without $ULF_SHARED the official sets are
 * skipped, and the output says so.
 *
 * The second test validates every example under $ULF_SHARED/corpus/
 * peppol-bis3/examples and sfti-bis3/ and fails on a fatal finding, except
 * those listed in known_breaks with the offending value and the reason the
 * file really breaks the rule.
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

#include "core/err.h"
#include "core/fileio.h"
#include "parsers/reader.h"
#include "parsers/validate.h"
#include "parsers/xml.h"
#include "tests/support/support.h"

#define NS_VEFA "http://difi.no/xsd/vefa/validator/1.0"
#define PATH_LEN 4096
#define MAX_FILE (16u << 20)
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* ---- file lists ----------------------------------------------------------- */

typedef struct paths {
	char **v;
	size_t n, cap;
} paths;

static void paths_add(paths *p, const char *s)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		assert_non_null(p->v);
	}
	p->v[p->n] = strdup(s);
	assert_non_null(p->v[p->n]);
	p->n++;
}

static void paths_free(paths *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under dir, recursively, in name order. */
static void collect(paths *p, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char path[PATH_LEN];
	size_t first = p->n;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			collect(p, path);
		else if (S_ISREG(st.st_mode))
			paths_add(p, path);
	}
	closedir(d);
	qsort(p->v + first, p->n - first, sizeof(*p->v), cmp_path);
}

/* dir/name into buf; a path that does not fit fails the test. */
static void path_join(char *buf, size_t n, const char *dir, const char *name)
{
	int w = snprintf(buf, n, "%s/%s", dir, name);

	assert_true(w >= 0 && (size_t)w < n);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- finding the tests in the text --------------------------------------- */

typedef struct span {
	size_t start, end;   /* the inline document's bytes */
	unsigned line;       /* line of the <test> start tag */
} span;

/* Advances *i past a comment starting at buf[*i], counting lines. */
static void skip_comment(const char *buf, size_t len, size_t *i, unsigned *line)
{
	const char *end = NULL;
	size_t k;

	if (*i + 4 <= len)
		for (k = *i + 4; k + 3 <= len && !end; k++)
			if (memcmp(buf + k, "-->", 3) == 0)
				end = buf + k + 3;
	if (!end)
		end = buf + len;
	for (; buf + *i < end; (*i)++)
		if (buf[*i] == '\n')
			(*line)++;
}

/* Position of the next `tag` at or after *i outside comments, or len. */
static size_t find_tag(const char *buf, size_t len, size_t *i, unsigned *line, const char *tag)
{
	size_t tl = strlen(tag);

	while (*i < len) {
		if (len - *i >= 4 && memcmp(buf + *i, "<!--", 4) == 0) {
			skip_comment(buf, len, i, line);
			continue;
		}
		if (len - *i >= tl && memcmp(buf + *i, tag, tl) == 0)
			return *i;
		if (buf[*i] == '\n')
			(*line)++;
		(*i)++;
	}
	return len;
}

/* The tests of a testSet, by text; returns how many (at most cap). */
static size_t scan_tests(const char *buf, size_t len, span *out, size_t cap)
{
	size_t i = 0, n = 0, at;
	unsigned line = 1;
	char next;

	for (;;) {
		at = find_tag(buf, len, &i, &line, "<test");
		if (at >= len)
			break;
		next = at + 5 < len ? buf[at + 5] : '\0';
		i = at + 5;
		if (next != '>' && next != ' ' && next != '\t' && next != '\n' && next != '\r')
			continue;   /* <testSet */
		if (n < cap)
			out[n].line = line;
		at = find_tag(buf, len, &i, &line, "</assert>");
		i = at + (at < len ? strlen("</assert>") : 0);
		if (n < cap)
			out[n].start = i;
		at = find_tag(buf, len, &i, &line, "</test>");
		if (n < cap)
			out[n].end = at;
		i = at + (at < len ? strlen("</test>") : 0);
		n++;
	}
	return n;
}

/* ---- running one test ----------------------------------------------------- */

#define MAX_FAMILIES 16

typedef struct family {
	char name[64];
	size_t cases;
} family;

typedef struct tally {
	size_t cases, expectations, failed, waiting;
	family fam[MAX_FAMILIES];   /* PEPPOL, SE, then each folder of ULF_TESTDATA */
	size_t nfam;
} tally;

static family *new_family(tally *t, const char *name)
{
	family *f = &t->fam[t->nfam < MAX_FAMILIES ? t->nfam++ : MAX_FAMILIES - 1];

	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static void count_findings(const findings *f, const char *rule, size_t *fatal, size_t *warn)
{
	size_t i;

	*fatal = *warn = 0;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->items[i].rule, rule) != 0)
			continue;
		if (f->items[i].flag == VFLAG_FATAL)
			(*fatal)++;
		else
			(*warn)++;
	}
}

static bool is_en16931_rule(const char *id)
{
	return strncmp(id, "BR-", 3) == 0;
}

/* Checks one <success>/<error>/<warning> against the findings; prints a
 * line and returns false when it is not met. */
static bool check_expectation(tally *t, const char *file, size_t index, const xml_node *e,
			      const findings *f, const char *unreadable)
{
	char rule[128], got[160], *end = NULL;
	const char *kind = xml_name(e), *num = xml_attr(e, "number"), *text;
	size_t fatal = 0, warn = 0, want = 0;
	arena a;
	bool ok;

	arena_init(&a, 1u << 16);
	text = xml_text(e, &a, NULL);
	snprintf(rule, sizeof(rule), "%s", text ? text + strspn(text, " \t\r\n") : "");
	arena_release(&a);
	rule[strcspn(rule, " \t\r\n")] = '\0';
	if (num) {
		want = strtoul(num, &end, 10);
		if (end == num || *end) {
			unreadable = "the number attribute is not a number";
			want = 0;
		}
	}
	if (unreadable) {
		snprintf(got, sizeof(got), "unreadable: %.120s", unreadable);
		ok = false;
	} else {
		count_findings(f, rule, &fatal, &warn);
		if (strcmp(kind, "success") == 0)
			ok = fatal == 0 && warn == 0;
		else if (strcmp(kind, "error") == 0)
			ok = fatal > 0 && (!num || fatal == want);
		else
			ok = warn > 0 && (!num || warn == want);
		if (fatal == 0 && warn == 0)
			snprintf(got, sizeof(got), "silent");
		else
			snprintf(got, sizeof(got), "fatal x%zu, warning x%zu", fatal, warn);
	}
	t->expectations++;
	if (ok)
		return true;
	t->failed++;
	if (!validate_rule(rule) && is_en16931_rule(rule)) {
		t->waiting++;
		printf("FAIL %s test %zu: %s: waiting on EN16931 rule %s\n", file, index, rule, rule);
	} else {
		printf("FAIL %s test %zu: %s: expected %s%s%s, got %s%s\n", file, index, rule,
		       strcmp(kind, "success") == 0 ? "silent" :
		       strcmp(kind, "error") == 0 ? "fatal" : "warning",
		       num ? " x" : "", num ? num : "", got,
		       validate_rule(rule) ? "" : " (rule not implemented)");
	}
	return false;
}

/* Reads and validates test `index` of file, whose document is buf[s]. */
static void run_case(tally *t, const char *file, size_t index, const xml_node *test,
		     const char *buf, span s)
{
	const xml_node *as = xml_child(test, NS_VEFA, "assert"), *e;
	size_t dlen = strlen(XML_DECL), n = s.end - s.start;
	char *doc = malloc(dlen + n + 1), label[PATH_LEN + 32];
	ulf_document d;
	ulf_err err;
	findings f;
	const char *unreadable = NULL;

	assert_non_null(doc);
	memcpy(doc, XML_DECL, dlen);
	memcpy(doc + dlen, buf + s.start, n);
	doc[dlen + n] = '\0';
	snprintf(label, sizeof(label), "%s#%zu", base_name(file), index);
	findings_init(&f);
	ulf_err_clear(&err);
	if (reader_read(&d, doc, dlen + n, label, NULL, true, &err) != 0)
		unreadable = err.msg;
	else if (d.kind != DOC_INVOICE)
		unreadable = "not an invoice";
	else if (validate_invoice(&f, d.inv, d.xml, NULL, &err) != 0)
		unreadable = err.msg;
	for (e = xml_first_element(as); e; e = xml_next_element(e)) {
		if (!xml_is(e, NS_VEFA, "success") && !xml_is(e, NS_VEFA, "error") &&
		    !xml_is(e, NS_VEFA, "warning"))
			continue;
		check_expectation(t, base_name(file), index, e, &f, unreadable);
	}
	findings_release(&f);
	reader_document_release(&d);   /* zeroed when reading failed */
	free(doc);
}

/* Runs every test of one testSet file; returns its number of cases. */
static size_t run_file(tally *t, const char *file)
{
	span spans[512];
	char *buf = NULL;
	size_t len = 0, nspans, k = 0;
	xml_doc *x = NULL;
	const xml_node *root, *test;
	ulf_err err;

	ulf_err_clear(&err);
	if (file_read(&buf, &len, file, MAX_FILE, &err) != 0 ||
	    xml_parse(&x, buf, len, file, NULL, &err) != 0) {
		printf("FAIL %s: cannot read the testSet: %s\n", base_name(file), err.msg);
		t->failed++;
		free(buf);
		return 0;
	}
	root = xml_root(x);
	if (!xml_is(root, NS_VEFA, "testSet")) {
		printf("FAIL %s: not a VEFA testSet\n", base_name(file));
		t->failed++;
		goto out;
	}
	nspans = scan_tests(buf, len, spans, sizeof(spans) / sizeof(spans[0]));
	for (test = xml_child(root, NS_VEFA, "test"); test; test = xml_next(test, NS_VEFA, "test")) {
		if (k >= nspans || spans[k].line != xml_line(test)) {
			printf("FAIL %s: test at line %u not found in the text\n", base_name(file),
			       xml_line(test));
			t->failed++;
			goto out;
		}
		run_case(t, file, k + 1, test, buf, spans[k]);
		k++;
	}
	if (k != nspans) {
		printf("FAIL %s: %zu tests in the tree, %zu in the text\n", base_name(file), k, nspans);
		t->failed++;
	}
out:
	xml_doc_free(x);
	free(buf);
	t->cases += k;
	return k;
}

static void run_dir(tally *t, family *fam, const char *dir)
{
	paths p = { 0 };
	size_t i;

	collect(&p, dir);
	for (i = 0; i < p.n; i++)
		fam->cases += run_file(t, p.v[i]);
	paths_free(&p);
}

/* Each folder under $ULF_TESTDATA/rule-tests is a family of its own. */
static void run_testdata(tally *t, const char *testdata)
{
	char dir[PATH_LEN], sub[PATH_LEN];
	struct dirent *e;
	paths names = { 0 };
	size_t i;
	DIR *d;

	path_join(dir, sizeof(dir), testdata, "rule-tests");
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		path_join(sub, sizeof(sub), dir, e->d_name);
		if (e->d_name[0] != '.' && is_dir(sub))
			paths_add(&names, e->d_name);
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_path);
	for (i = 0; i < names.n; i++) {
		path_join(sub, sizeof(sub), dir, names.v[i]);
		run_dir(t, new_family(t, names.v[i]), sub);
	}
	paths_free(&names);
}

static void rule_tests(void **state)
{
	const char *shared = getenv("ULF_SHARED"), *testdata = getenv("ULF_TESTDATA");
	char dir[PATH_LEN];
	family *peppol, *se;
	tally t;
	size_t i;

	(void)state;
	memset(&t, 0, sizeof(t));
	snprintf(dir, sizeof(dir), "%s/corpus/peppol-bis3/rule-tests", shared ? shared : "");
	if (!shared || !is_dir(dir)) {
		printf("vefa: SKIPPED the official rule tests: %s not found (set ULF_SHARED to "
		       "the shared/ folder)\n", shared ? dir : "ULF_SHARED is not set, so the corpus is");
	} else {
		peppol = new_family(&t, "PEPPOL");
		se = new_family(&t, "SE");
		snprintf(dir, sizeof(dir), "%s/corpus/peppol-bis3/rule-tests/PEPPOL", shared);
		run_dir(&t, peppol, dir);
		snprintf(dir, sizeof(dir), "%s/corpus/peppol-bis3/rule-tests/SE", shared);
		run_dir(&t, se, dir);
		if (peppol->cases == 0 || se->cases == 0) {
			printf("FAIL: the PEPPOL or SE rule tests are missing under %s\n", dir);
			t.failed++;
		}
	}
	if (testdata)
		run_testdata(&t, testdata);
	printf("vefa: %zu cases, %zu expectations, %zu failed\n", t.cases, t.expectations, t.failed);
	printf("vefa: cases per family:");
	for (i = 0; i < t.nfam; i++)
		printf("%s %s %zu", i ? "," : "", t.fam[i].name, t.fam[i].cases);
	printf("\n");
	if (t.waiting)
		printf("vefa: %zu of the failures wait on EN16931 rules not yet ported\n", t.waiting);
	fflush(stdout);
	assert_int_equal(t.failed, 0);
}

/* ---- the examples validate ------------------------------------------------ */

/*
 * Examples that really break a rule, with why.  `where` is a path under
 * corpus/ (a folder ends in '/'); `values`, when given, are the offending
 * values, one of which the finding must quote, so that the entry excuses
 * exactly those placeholders and nothing a bug might produce.  Any other
 * fatal finding fails the test.
 */
static const struct {
	const char *where, *rule, *values, *why;
} known_breaks[] = {
	{ "sfti-bis3/", "PEPPOL-COMMON-R049",
	  "0123456789 0987654321 1002003004 1122334455 1234121234 1234512345 1234567890 "
	  "2233223322 2244668800 5040302010 5432154321 5544332211 5544554455 5566556655 "
	  "5678906789 9876543210",
	  "SFTI's examples use placeholder organisation numbers (scheme 0007) whose last "
	  "digit is not the Luhn check digit, which PEPPOL-COMMON-R049 has demanded since "
	  "these examples were written" },
	{ "sfti-bis3/", "SE-R-013",
	  "0123456789 1122334455 1234121234 1234567890 5544332211 5566556655 9876543210",
	  "the same placeholder organisation numbers, as the seller's legal registration "
	  "(BT-30) of a Swedish seller: SE-R-013 (fatal since 3.0.20) checks the Luhn digit" },
	{ "sfti-bis3/", "PEPPOL-COMMON-R040",
	  "1230123456789 1234567890123 7312345500001 9876543210987",
	  "placeholder GLNs (scheme 0088) with a wrong GS1 check digit" },
	{ "sfti-bis3/typfall/BIS_Billing_30-Resor_Bokning.xml", "PEPPOL-EN16931-CL008", "GLN",
	  "the buyer's EndpointID has schemeID 'GLN', which is no Electronic Address Scheme "
	  "code (GLN is 0088)" },
	{ "sfti-bis3/typfall/BIS_Billing_30-Resor_Bokning.xml", "BR-CL-25", NULL,
	  "the same EndpointID, against CEN's EAS code list" },
	{ "sfti-bis3/print-tests/Testbolagets Faktura_101000550.xml", "BR-CL-26", NULL,
	  "the delivery location's ID has schemeID 'GLN', which is no ISO 6523 ICD code "
	  "(GLN is 0088)" },
	{ "sfti-bis3/print-tests/Testbolagets_UrsprFaktura_101000010.xml", "BR-CL-26", NULL,
	  "as above" },
	{ "sfti-bis3/print-tests/", "PEPPOL-EN16931-R010", NULL,
	  "SFTI's print tests show layout, not transport: they carry no electronic address "
	  "(EndpointID, BT-49), which PEPPOL requires" },
	{ "sfti-bis3/print-tests/", "PEPPOL-EN16931-R020", NULL,
	  "as above, for the seller (BT-34)" },
	{ NULL, NULL, NULL, NULL }
};

/* The path under corpus/ of a file, for matching known_breaks. */
static const char *corpus_path(const char *path)
{
	const char *s = strstr(path, "/corpus/");

	return s ? s + strlen("/corpus/") : path;
}

/* True when `message` quotes one of the space-separated values. */
static bool quotes_one_of(const char *message, const char *values)
{
	char quoted[64];
	size_t n;

	while (*values) {
		n = strcspn(values, " ");
		snprintf(quoted, sizeof(quoted), "'%.*s'", (int)n, values);
		if (strstr(message, quoted))
			return true;
		values += n;
		values += strspn(values, " ");
	}
	return false;
}

static bool known_break(const char *path, const finding *f)
{
	const char *where = corpus_path(path), *w;
	size_t i;

	for (i = 0; known_breaks[i].where; i++) {
		w = known_breaks[i].where;
		if (strcmp(known_breaks[i].rule, f->rule) != 0)
			continue;
		if (w[strlen(w) - 1] == '/' ? strncmp(where, w, strlen(w)) != 0 : strcmp(where, w) != 0)
			continue;
		if (!known_breaks[i].values || quotes_one_of(f->message, known_breaks[i].values))
			return true;
	}
	return false;
}

/* Validates every file under dir; returns the number of unexpected fatal
 * findings and unreadable files. */
static size_t validate_examples(const char *dir, size_t *files, size_t *excused)
{
	paths p = { 0 };
	size_t i, j, bad = 0;
	ulf_document d;
	ulf_err err;
	findings f;

	collect(&p, dir);
	for (i = 0; i < p.n; i++) {
		ulf_err_clear(&err);
		if (reader_read_file(&d, p.v[i], NULL, true, &err) != 0) {
			printf("FAIL %s: unreadable: %s\n", p.v[i], err.msg);
			bad++;
			continue;
		}
		(*files)++;
		findings_init(&f);
		if (d.kind == DOC_INVOICE && validate_invoice(&f, d.inv, d.xml, NULL, &err) != 0) {
			printf("FAIL %s: %s\n", p.v[i], err.msg);
			bad++;
		}
		for (j = 0; j < f.n; j++) {
			if (f.items[j].flag != VFLAG_FATAL)
				continue;
			if (known_break(p.v[i], &f.items[j])) {
				(*excused)++;
				continue;
			}
			printf("FAIL %s: %s at line %u %s: %s\n", p.v[i], f.items[j].rule,
			       f.items[j].line, f.items[j].location ? f.items[j].location : "",
			       f.items[j].message);
			bad++;
		}
		findings_release(&f);
		reader_document_release(&d);
	}
	paths_free(&p);
	return bad;
}

static void examples_validate(void **state)
{
	char dir[PATH_LEN];
	size_t bad = 0, files = 0, excused = 0, i;

	(void)state;
	ts_shared_path(dir, sizeof(dir), "corpus/peppol-bis3/examples");
	if (!is_dir(dir))
		ts_skip("%s not found", dir);
	bad += validate_examples(dir, &files, &excused);
	ts_shared_path(dir, sizeof(dir), "corpus/sfti-bis3");
	bad += validate_examples(dir, &files, &excused);
	for (i = 0; known_breaks[i].where; i++)
		printf("examples: %s breaks %s%s%s: %s\n", known_breaks[i].where, known_breaks[i].rule,
		       known_breaks[i].values ? " with " : "",
		       known_breaks[i].values ? known_breaks[i].values : "", known_breaks[i].why);
	printf("examples: %zu files, %zu fatal findings excused above, %zu unexpected\n",
	       files, excused, bad);
	fflush(stdout);
	assert_true(files > 0);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_tests),
		cmocka_unit_test(examples_validate),
	};

	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
