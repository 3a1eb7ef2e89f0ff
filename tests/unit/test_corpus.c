/*
 * test_corpus.c - every invoice, credit note and ObjectEnvelope of the
 * public corpus (../shared/corpus: PEPPOL BIS 3 examples and snippets, the
 * SFTI BIS 3 sets, Svefaktura 1.0) and of samples/invoices, read with
 * reader_read_file and checked against the document itself.
 *
 * The oracle is independent of ulf's readers: it parses each file again with
 * libxml2 directly and takes every expected value with XPath, matching
 * elements by namespace URI (the prefixes are registered here, never taken
 * from the file).  It checks syntax and kind, document id, issue date, type
 * code and currency, every monetary total (absent in the document must be
 * absent in the model, and the other way round), the TaxTotal amount(s),
 * the VAT breakdown in document order, the line count and each line's id
 * and net amount.  Envelopes must read as envelopes, with their reference
 * and objects.  Decimals compare by value, so "25" equals "25.00".
 *
 * A mismatch prints "FAIL file: field: expected X, got Y" and the folder's
 * test fails once the whole folder has been checked, so a single run lists
 * every discrepancy.  Without ../shared the corpus folders are skipped.
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

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "core/dec.h"
#include "core/err.h"
#include "parsers/reader.h"
#include "parsers/xml.h"
#include "tests/support/support.h"

/* Spelled out here rather than taken from parsers/ns.h: the oracle must not
 * share a typo with the code it checks. */
#define URI_UBL_INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define URI_UBL_CN  "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define URI_UBL_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define URI_UBL_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define URI_SVE_INV "urn:sfti:documents:BasicInvoice:1:0"
#define URI_SVE_ENV "urn:sfti:documents:ObjectEnvelope:1:0"
#define URI_SVE_CAC "urn:sfti:CommonAggregateComponents:1:0"
#define URI_SVE_CBC "urn:oasis:names:tc:ubl:CommonBasicComponents:1:0"

#define PATH_MAX_LEN 1024

/* One monetary total: where the syntax keeps it (under its totals element),
 * and where the model does.  elem NULL: the syntax has no such element, so
 * the model must leave the term absent. */
typedef struct total_path {
	const char *field;
	const char *elem;
	size_t off;
} total_path;

#define TOTAL(f, e) { "totals." #f, e, offsetof(inv_totals, f) }

static const total_path ubl_totals[] = {
	TOTAL(line_extension, "cbc:LineExtensionAmount"),
	TOTAL(tax_exclusive, "cbc:TaxExclusiveAmount"),
	TOTAL(tax_inclusive, "cbc:TaxInclusiveAmount"),
	TOTAL(allowance_total, "cbc:AllowanceTotalAmount"),
	TOTAL(charge_total, "cbc:ChargeTotalAmount"),
	TOTAL(prepaid, "cbc:PrepaidAmount"),
	TOTAL(rounding, "cbc:PayableRoundingAmount"),
	TOTAL(payable, "cbc:PayableAmount"),
};

/* Svefaktura's LegalTotal has no allowance, charge or prepaid totals and no
 * payable amount; TaxInclusiveTotalAmount and payable are checked apart. */
static const total_path sve_totals[] = {
	TOTAL(line_extension, "cbc:LineExtensionTotalAmount"),
	TOTAL(tax_exclusive, "cbc:TaxExclusiveTotalAmount"),
	TOTAL(allowance_total, NULL),
	TOTAL(charge_total, NULL),
	TOTAL(prepaid, NULL),
	TOTAL(rounding, "cac:RoundOffAmount"),
};

/* Where one syntax keeps what the oracle compares.  Paths are relative to
 * the root element unless they say otherwise. */
typedef struct syntax_paths {
	inv_syntax syntax;
	const char *cac, *cbc;          /* URIs bound to the prefixes cac, cbc */
	const char *id, *issue_date, *currency;
	const char *totals;             /* the totals element */
	const total_path *tot;
	size_t ntot;
	const char *tax_amount;         /* under cac:TaxTotal */
	const char *subtotal;           /* under cac:TaxTotal */
	const char *st_category;        /* under a subtotal */
	const char *line_id;            /* under a line */
} syntax_paths;

static const syntax_paths ubl_paths = {
	INV_SYNTAX_UBL, URI_UBL_CAC, URI_UBL_CBC,
	"cbc:ID", "cbc:IssueDate", "cbc:DocumentCurrencyCode",
	"cac:LegalMonetaryTotal", ubl_totals, sizeof(ubl_totals) / sizeof(ubl_totals[0]),
	"cbc:TaxAmount", "cac:TaxSubtotal", "cac:TaxCategory/cbc:ID", "cbc:ID"
};

static const syntax_paths sve_paths = {
	INV_SYNTAX_SVEFAKTURA, URI_SVE_CAC, URI_SVE_CBC,
	"sf:ID", "cbc:IssueDate", "sf:InvoiceCurrencyCode",
	"cac:LegalTotal", sve_totals, sizeof(sve_totals) / sizeof(sve_totals[0]),
	"cbc:TotalTaxAmount", "cac:TaxSubTotal", "cac:TaxCategory/cac:ID", "cac:ID"
};

/* The file being checked: the oracle's view of it and the failure count. */
typedef struct oracle {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	const char *file;        /* label in messages */
	unsigned failures;
} oracle;

static void mismatch(oracle *o, const char *field, const char *expected, const char *got)
{
	print_message("FAIL %s: %s: expected %s, got %s\n", o->file, field, expected, got);
	o->failures++;
}

static void pathf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	/* a cut path would quietly test something else */
	assert_true(len >= 0 && (size_t)len < n);
}

static bool xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* fn(path) as an XPath string, trimmed of XML white space as the readers
 * trim their copies; the caller frees it. */
static char *xp_eval(oracle *o, const char *fn, const char *path)
{
	char expr[PATH_MAX_LEN + 16];
	xmlXPathObjectPtr r;
	xmlChar *s;
	const char *b, *e;
	char *out;

	pathf(expr, sizeof(expr), "%s(%s)", fn, path);
	r = xmlXPathEvalExpression((const xmlChar *)expr, o->ctx);
	if (!r)
		fail_msg("XPath expression rejected (a bug in this test): %s", expr);
	s = xmlXPathCastToString(r);
	xmlXPathFreeObject(r);
	assert_non_null(s);
	b = (const char *)s;
	e = b + strlen(b);
	while (b < e && xml_space(*b))
		b++;
	while (e > b && xml_space(e[-1]))
		e--;
	out = strndup(b, (size_t)(e - b));
	xmlFree(s);
	assert_non_null(out);
	return out;
}

static size_t xp_count(oracle *o, const char *path)
{
	char *s = xp_eval(o, "count", path), *end;
	unsigned long n = strtoul(s, &end, 10);

	assert_true(*s && *end == '\0');
	free(s);
	return (size_t)n;
}

/* Whether path selects anything, and the string value of the first node. */
static bool xp_get(oracle *o, const char *path, char **value)
{
	*value = xp_eval(o, "string", path);
	return xp_count(o, path) > 0;
}

static void check_text(oracle *o, const char *field, const char *path, const char *got)
{
	char *want;
	bool present = xp_get(o, path, &want);

	if (!present && got)
		mismatch(o, field, "(absent)", got);
	else if (present && !got)
		mismatch(o, field, want, "(absent)");
	else if (present && strcmp(want, got) != 0)
		mismatch(o, field, want, got);
	free(want);
}

/* A decimal the document states (or not) against the model's term.  A value
 * that is not a decimal must leave the term unset (the reader records a
 * problem instead). */
static void check_dec(oracle *o, const char *field, bool present, const char *want,
		      bool set, dec got)
{
	char g[DEC_STR_MAX] = "(absent)";
	dec w;

	if (set)
		dec_format(g, sizeof(g), got, 0);
	if (!present) {
		if (set)
			mismatch(o, field, "(absent)", g);
		return;
	}
	if (dec_parse(&w, want, strlen(want)) != 0) {
		if (set)
			mismatch(o, field, "(unset: not a decimal)", g);
		return;
	}
	if (!set || dec_cmp(w, got) != 0)
		mismatch(o, field, want, g);
}

static void check_amount(oracle *o, const char *field, const char *path, const inv_amount *a)
{
	char *want;
	bool present = xp_get(o, path, &want);

	check_dec(o, field, present, want, a->set, a->v);
	free(want);
}

static void check_num(oracle *o, const char *field, const char *path, const inv_num *n)
{
	char *want;
	bool present = xp_get(o, path, &want);

	check_dec(o, field, present, want, n->set, n->v);
	free(want);
}

static void check_count(oracle *o, const char *field, size_t want, size_t got)
{
	char w[32], g[32];

	if (want == got)
		return;
	snprintf(w, sizeof(w), "%zu", want);
	snprintf(g, sizeof(g), "%zu", got);
	mismatch(o, field, w, g);
}

/*
 * UBL: BT-110 is the TaxTotal with the VAT breakdown; lacking one, the first
 * in the document currency; lacking that, the first.  Another TaxTotal is
 * BT-111, the VAT in the tax currency.  Returns 1-based positions, 0: none.
 */
static void ubl_tax_totals(oracle *o, const char *root, size_t *main_tt, size_t *other_tt)
{
	char p[PATH_MAX_LEN], *cur, *doc_cur;
	size_t n, k, by_cur = 0;

	pathf(p, sizeof(p), "%s/cac:TaxTotal", root);
	n = xp_count(o, p);
	*main_tt = 0;
	*other_tt = 0;
	pathf(p, sizeof(p), "%s/cbc:DocumentCurrencyCode", root);
	doc_cur = xp_eval(o, "string", p);
	for (k = 1; k <= n && !*main_tt; k++) {
		pathf(p, sizeof(p), "%s/cac:TaxTotal[%zu]/cac:TaxSubtotal", root, k);
		if (xp_count(o, p) > 0)
			*main_tt = k;
		pathf(p, sizeof(p), "%s/cac:TaxTotal[%zu]/cbc:TaxAmount/@currencyID", root, k);
		cur = xp_eval(o, "string", p);
		if (!by_cur && *doc_cur && strcmp(cur, doc_cur) == 0)
			by_cur = k;
		free(cur);
	}
	free(doc_cur);
	if (!*main_tt)
		*main_tt = by_cur ? by_cur : (n ? 1 : 0);
	for (k = 1; k <= n && !*other_tt; k++)
		if (k != *main_tt)
			*other_tt = k;
}

static void check_invoice(oracle *o, const syntax_paths *sp, const char *root,
			  const char *line_elem, const char *type_elem, inv_kind kind,
			  const invoice *inv)
{
	const inv_problem *pr;
	char p[PATH_MAX_LEN], field[64];
	size_t i, n;

	if (inv->syntax != sp->syntax)
		mismatch(o, "syntax", invoice_syntax_name(sp->syntax),
			 invoice_syntax_name(inv->syntax));
	if (inv->kind != kind)
		mismatch(o, "kind", invoice_kind_name(kind), invoice_kind_name(inv->kind));
	/* the corpus is well-formed: nothing should be left unread */
	for (pr = inv->problems; pr; pr = pr->next) {
		char got[320];
		snprintf(got, sizeof(got), "line %u <%s>: %s", pr->line,
			 pr->element ? pr->element : "?", pr->msg ? pr->msg : "?");
		mismatch(o, "problems", "none", got);
	}

	pathf(p, sizeof(p), "%s/%s", root, sp->id);
	check_text(o, "id", p, inv->id.v);
	pathf(p, sizeof(p), "%s/%s", root, sp->issue_date);
	check_text(o, "issue_date", p, inv->issue_date.v);
	pathf(p, sizeof(p), "%s/%s", root, sp->currency);
	check_text(o, "currency", p, inv->currency.v);
	pathf(p, sizeof(p), "%s/%s", root, type_elem);
	check_text(o, "type_code", p, inv->type_code.v);

	for (i = 0; i < sp->ntot; i++) {
		const total_path *t = &sp->tot[i];
		const inv_amount *a = (const inv_amount *)(const void *)
			((const char *)&inv->totals + t->off);
		if (t->elem) {
			pathf(p, sizeof(p), "%s/%s/%s", root, sp->totals, t->elem);
			check_amount(o, t->field, p, a);
		} else {
			check_dec(o, t->field, false, "", a->set, a->v);
		}
	}

	if (sp->syntax == INV_SYNTAX_UBL) {
		size_t main_tt, other_tt;

		ubl_tax_totals(o, root, &main_tt, &other_tt);
		pathf(p, sizeof(p), "%s/cac:TaxTotal[%zu]/%s", root, main_tt, sp->tax_amount);
		check_amount(o, "totals.tax", p, &inv->totals.tax);
		pathf(p, sizeof(p), "%s/cac:TaxTotal[%zu]/%s", root, other_tt, sp->tax_amount);
		check_amount(o, "totals.tax_accounting", p, &inv->totals.tax_accounting);
	} else {
		/*
		 * Svefaktura states no payable amount: TaxInclusiveTotalAmount
		 * is the amount to pay and already includes RoundOffAmount
		 * (samples/README.md; "svefaktura bas.xml": 6225 + 1556.25 +
		 * 0.25 = 7781.50).  In the model BT-115 is that amount and
		 * BT-112 is it without the rounding, so that
		 * payable = tax inclusive - prepaid + rounding (BR-CO-16).
		 */
		char tia_path[PATH_MAX_LEN], *tia, *ro;
		bool has_tia, has_ro;
		dec d_tia, d_ro, want;
		char w[DEC_STR_MAX];

		pathf(p, sizeof(p), "%s/cac:TaxTotal[1]/%s", root, sp->tax_amount);
		check_amount(o, "totals.tax", p, &inv->totals.tax);
		pathf(p, sizeof(p), "%s/cac:TaxTotal", root);
		if (xp_count(o, p) <= 1)
			check_dec(o, "totals.tax_accounting", false, "",
				  inv->totals.tax_accounting.set, inv->totals.tax_accounting.v);

		pathf(tia_path, sizeof(tia_path), "%s/%s/cbc:TaxInclusiveTotalAmount", root,
		      sp->totals);
		has_tia = xp_get(o, tia_path, &tia);
		pathf(p, sizeof(p), "%s/%s/cac:RoundOffAmount", root, sp->totals);
		has_ro = xp_get(o, p, &ro);
		check_dec(o, "totals.payable", has_tia, tia, inv->totals.payable.set,
			  inv->totals.payable.v);
		if (has_tia && dec_parse(&d_tia, tia, strlen(tia)) == 0) {
			want = d_tia;
			if (has_ro && dec_parse(&d_ro, ro, strlen(ro)) == 0)
				assert_int_equal(dec_sub(&want, d_tia, d_ro), 0);
			dec_format(w, sizeof(w), want, 0);
			check_dec(o, "totals.tax_inclusive (TaxInclusiveTotalAmount - RoundOffAmount)",
				  true, w, inv->totals.tax_inclusive.set, inv->totals.tax_inclusive.v);
		} else {
			/* absent or not a decimal: the model must say the same */
			check_amount(o, "totals.tax_inclusive", tia_path, &inv->totals.tax_inclusive);
		}
		free(tia);
		free(ro);
	}
	/* Svefaktura's payable is derived, so the model must hold BR-CO-16
	 * itself; a UBL document's own arithmetic is validation's business */
	if (sp->syntax == INV_SYNTAX_SVEFAKTURA && inv->totals.payable.set &&
	    inv->totals.tax_inclusive.set) {
		const inv_totals *t = &inv->totals;
		dec sum = t->tax_inclusive.v;
		char w[DEC_STR_MAX], g[DEC_STR_MAX];

		if (t->prepaid.set)
			assert_int_equal(dec_sub(&sum, sum, t->prepaid.v), 0);
		if (t->rounding.set)
			assert_int_equal(dec_add(&sum, sum, t->rounding.v), 0);
		if (dec_cmp(sum, t->payable.v) != 0) {
			dec_format(w, sizeof(w), sum, 0);
			dec_format(g, sizeof(g), t->payable.v, 0);
			mismatch(o, "totals.payable = tax_inclusive - prepaid + rounding", w, g);
		}
	}

	/* VAT breakdown, every subtotal of every TaxTotal in document order */
	pathf(p, sizeof(p), "%s/cac:TaxTotal/%s", root, sp->subtotal);
	n = xp_count(o, p);
	check_count(o, "vat_breakdown count", n, inv->nvat);
	for (i = 0; i < n && i < inv->nvat; i++) {
		const inv_vat *v = &inv->vat[i];
		char st[PATH_MAX_LEN];

		pathf(st, sizeof(st), "(%s/cac:TaxTotal/%s)[%zu]", root, sp->subtotal, i + 1);
		pathf(field, sizeof(field), "vat[%zu].category", i);
		pathf(p, sizeof(p), "%s/%s", st, sp->st_category);
		check_text(o, field, p, v->category.v);
		pathf(field, sizeof(field), "vat[%zu].rate", i);
		pathf(p, sizeof(p), "%s/cac:TaxCategory/cbc:Percent", st);
		check_num(o, field, p, &v->rate);
		pathf(field, sizeof(field), "vat[%zu].taxable", i);
		pathf(p, sizeof(p), "%s/cbc:TaxableAmount", st);
		check_amount(o, field, p, &v->taxable);
		pathf(field, sizeof(field), "vat[%zu].tax", i);
		pathf(p, sizeof(p), "%s/cbc:TaxAmount", st);
		check_amount(o, field, p, &v->tax);
	}

	pathf(p, sizeof(p), "%s/%s", root, line_elem);
	n = xp_count(o, p);
	check_count(o, "line count", n, inv->nlines);
	for (i = 0; i < n && i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];

		pathf(field, sizeof(field), "lines[%zu].id", i);
		pathf(p, sizeof(p), "%s/%s[%zu]/%s", root, line_elem, i + 1, sp->line_id);
		check_text(o, field, p, l->id.v);
		pathf(field, sizeof(field), "lines[%zu].net", i);
		pathf(p, sizeof(p), "%s/%s[%zu]/cbc:LineExtensionAmount", root, line_elem, i + 1);
		check_amount(o, field, p, &l->net);
	}
}

static void check_envelope(oracle *o, const sve_envelope *env)
{
	char p[PATH_MAX_LEN], field[64];
	size_t i, n;

	check_text(o, "envelope.document_id",
		   "/oe:ObjectEnvelope/oe:DocumentReference/oe:DocumentID", env->document_id);
	check_text(o, "envelope.issuer_id",
		   "/oe:ObjectEnvelope/oe:DocumentReference/oe:IssuerID", env->issuer_id);
	n = xp_count(o, "/oe:ObjectEnvelope/oe:EncodedObject");
	check_count(o, "envelope objects", n, env->nobjects);
	for (i = 0; i < n && i < env->nobjects; i++) {
		const sve_object *ob = &env->objects[i];

		pathf(field, sizeof(field), "objects[%zu].id", i);
		pathf(p, sizeof(p), "/oe:ObjectEnvelope/oe:EncodedObject[%zu]/oe:ObjectID", i + 1);
		check_text(o, field, p, ob->id);
		pathf(field, sizeof(field), "objects[%zu].mime", i);
		pathf(p, sizeof(p), "/oe:ObjectEnvelope/oe:EncodedObject[%zu]/oe:EncodedData/@mimeCode",
		      i + 1);
		check_text(o, field, p, ob->mime);
		pathf(field, sizeof(field), "objects[%zu].filename", i);
		pathf(p, sizeof(p), "/oe:ObjectEnvelope/oe:EncodedObject[%zu]/oe:EncodedData/@filename",
		      i + 1);
		check_text(o, field, p, ob->filename);
	}
}

static void register_ns(oracle *o, const char *cac, const char *cbc)
{
	assert_int_equal(xmlXPathRegisterNs(o->ctx, BAD_CAST "inv", BAD_CAST URI_UBL_INV), 0);
	assert_int_equal(xmlXPathRegisterNs(o->ctx, BAD_CAST "cn", BAD_CAST URI_UBL_CN), 0);
	assert_int_equal(xmlXPathRegisterNs(o->ctx, BAD_CAST "sf", BAD_CAST URI_SVE_INV), 0);
	assert_int_equal(xmlXPathRegisterNs(o->ctx, BAD_CAST "oe", BAD_CAST URI_SVE_ENV), 0);
	assert_int_equal(xmlXPathRegisterNs(o->ctx, BAD_CAST "cac", BAD_CAST cac), 0);
	assert_int_equal(xmlXPathRegisterNs(o->ctx, BAD_CAST "cbc", BAD_CAST cbc), 0);
}

/* Reads one file both ways and compares; returns the number of mismatches. */
static unsigned check_file(const char *path, const char *label)
{
	oracle o;
	ulf_document d;
	ulf_err err;
	xmlNodePtr rootn;
	const char *ns;
	const syntax_paths *sp = NULL;
	const char *root = NULL, *line_elem = NULL, *type_elem = NULL;
	inv_kind kind = INV_KIND_INVOICE;
	bool envelope = false;
	int rc;

	memset(&o, 0, sizeof(o));
	o.file = label;
	o.doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!o.doc || !(rootn = xmlDocGetRootElement(o.doc))) {
		mismatch(&o, "oracle", "well-formed XML", "libxml2 could not parse it");
		xmlFreeDoc(o.doc);
		return o.failures;
	}
	ns = rootn->ns ? (const char *)rootn->ns->href : "";
	if (strcmp(ns, URI_UBL_INV) == 0 && xmlStrEqual(rootn->name, BAD_CAST "Invoice")) {
		sp = &ubl_paths;
		root = "/inv:Invoice";
		line_elem = "cac:InvoiceLine";
		type_elem = "cbc:InvoiceTypeCode";
	} else if (strcmp(ns, URI_UBL_CN) == 0 && xmlStrEqual(rootn->name, BAD_CAST "CreditNote")) {
		sp = &ubl_paths;
		root = "/cn:CreditNote";
		line_elem = "cac:CreditNoteLine";
		type_elem = "cbc:CreditNoteTypeCode";
		kind = INV_KIND_CREDIT_NOTE;
	} else if (strcmp(ns, URI_SVE_INV) == 0 && xmlStrEqual(rootn->name, BAD_CAST "Invoice")) {
		sp = &sve_paths;
		root = "/sf:Invoice";
		line_elem = "cac:InvoiceLine";
		type_elem = "sf:InvoiceTypeCode";
	} else if (strcmp(ns, URI_SVE_ENV) == 0 &&
		   xmlStrEqual(rootn->name, BAD_CAST "ObjectEnvelope")) {
		envelope = true;
	} else {
		mismatch(&o, "root", "an invoice, credit note or ObjectEnvelope",
			 (const char *)rootn->name);
		xmlFreeDoc(o.doc);
		return o.failures;
	}
	o.ctx = xmlXPathNewContext(o.doc);
	assert_non_null(o.ctx);
	register_ns(&o, sp ? sp->cac : URI_SVE_CAC, sp ? sp->cbc : URI_SVE_CBC);
	if (sp == &sve_paths) {
		char *tc = xp_eval(&o, "string", "/sf:Invoice/sf:InvoiceTypeCode");
		if (strcmp(tc, "381") == 0)
			kind = INV_KIND_CREDIT_NOTE;
		free(tc);
	}

	ulf_err_clear(&err);
	rc = reader_read_file(&d, path, NULL, false, &err);
	if (rc) {
		mismatch(&o, "reader_read_file", "0", err.msg);
	} else if (envelope) {
		if (d.kind != DOC_SVE_ENVELOPE || !d.env)
			mismatch(&o, "document kind", "DOC_SVE_ENVELOPE",
				 d.kind == DOC_INVOICE ? "DOC_INVOICE" : "another kind");
		else
			check_envelope(&o, d.env);
	} else if (d.kind != DOC_INVOICE || !d.inv) {
		mismatch(&o, "document kind", "DOC_INVOICE",
			 d.kind == DOC_SVE_ENVELOPE ? "DOC_SVE_ENVELOPE" : "another kind");
	} else {
		check_invoice(&o, sp, root, line_elem, type_elem, kind, d.inv);
	}
	if (rc == 0)
		reader_document_release(&d);
	xmlXPathFreeContext(o.ctx);
	xmlFreeDoc(o.doc);
	return o.failures;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir except dot files, sorted so that output and failures
 * come in the same order on every machine. */
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
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown;
			cap = cap ? cap * 2 : 32;
			grown = realloc(names, cap * sizeof(*names));
			assert_non_null(grown);
			names = grown;
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

static bool has_xml_suffix(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && strcmp(name + len - 4, ".xml") == 0;
}

typedef struct tally {
	size_t files;
	unsigned failures;
} tally;

/* Checks every .xml file in dir (and, with recurse, below it); prints the
 * number checked per folder. */
static void check_dir(const char *dir, const char *label, bool recurse, tally *t)
{
	char **names;
	size_t n, i, here = 0;
	unsigned failed_here = 0;

	names = list_dir(dir, &n);
	if (!names && n == 0) {
		DIR *d = opendir(dir);
		if (!d)
			fail_msg("cannot open %s", dir);
		closedir(d);
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX_LEN], lab[PATH_MAX_LEN];
		struct stat st;

		pathf(path, sizeof(path), "%s/%s", dir, names[i]);
		pathf(lab, sizeof(lab), "%s/%s", label, names[i]);
		if (stat(path, &st) != 0)
			fail_msg("cannot stat %s", path);
		if (S_ISDIR(st.st_mode)) {
			if (recurse)
				check_dir(path, lab, true, t);
		} else if (S_ISREG(st.st_mode) && has_xml_suffix(names[i])) {
			failed_here += check_file(path, lab) ? 1 : 0;
			here++;
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (here) {
		print_message("corpus: %s: %zu files checked, %u with mismatches\n", label, here,
			      failed_here);
		t->files += here;
		t->failures += failed_here;
	}
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Runs one corpus folder under $ULF_SHARED/corpus, or skips without it. */
static void run_shared(const char *sub, bool recurse)
{
	char dir[PATH_MAX_LEN];
	tally t = { 0, 0 };

	ts_shared_path(dir, sizeof(dir), "corpus/%s", sub);
	if (!is_dir(dir))
		fail_msg("%s is missing from the shared corpus", dir);
	check_dir(dir, sub, recurse, &t);
	if (recurse)
		print_message("corpus: %s (all): %zu files checked\n", sub, t.files);
	/* an empty folder would pass everything it does not hold */
	assert_true(t.files > 0);
	if (t.failures)
		fail_msg("%s: %u of %zu files differ from the documents (see FAIL lines)",
			 sub, t.failures, t.files);
}

static void peppol_examples(void **state)
{
	(void)state;
	run_shared("peppol-bis3/examples", false);
}

static void peppol_snippets(void **state)
{
	(void)state;
	run_shared("peppol-bis3/snippets", false);
}

static void sfti_bis3(void **state)
{
	(void)state;
	run_shared("sfti-bis3", true);
}

/* Four Svefaktura invoices and the ObjectEnvelope, which must read as one. */
static void svefaktura(void **state)
{
	(void)state;
	run_shared("svefaktura-1.0", false);
}

static void samples(void **state)
{
	char dir[PATH_MAX_LEN];
	tally t = { 0, 0 };

	(void)state;
	ts_samples_path(dir, sizeof(dir), "invoices");
	check_dir(dir, "samples/invoices", false, &t);
	assert_true(t.files > 0);
	if (t.failures)
		fail_msg("samples/invoices: %u of %zu files differ from the documents",
			 t.failures, t.files);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(peppol_examples),
		cmocka_unit_test(peppol_snippets),
		cmocka_unit_test(sfti_bis3),
		cmocka_unit_test(svefaktura),
		cmocka_unit_test(samples),
	};
	int rc;

	xml_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xml_global_cleanup();
	return rc;
}
