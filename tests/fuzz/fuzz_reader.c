/*
 * fuzz_reader.c - libFuzzer target for the front door: bytes from outside
 * through reader_read(), exactly as a file from the inbox or an HTTP upload
 * goes (hardened XML parse, syntax detection, the UBL, Svefaktura,
 * ObjectEnvelope and care claim readers).  Whatever was read is then used
 * the way the robot uses it - rendered as JSON and text, the kept XML tree
 * walked with every accessor, a claim looked for among an invoice's
 * attachments or an envelope's objects (XML in base64 in XML), an envelope
 * attached to an invoice - so that what a reader stored is read back under
 * the sanitizers too.
 *
 * Every input is read twice: as `ulf parse` reads (default limits, no
 * claims), and with claims on and tight limits derived from the input's
 * hash (depth, document size, model memory, attachment size), so that the
 * limit paths unwind under the fuzzer too.
 *
 * Checked besides memory safety and leaks: a failure carries its code and
 * one line of message beginning with the document's name, and leaves the
 * document empty; nothing is printed behind the wrapper's back (libxml2's
 * generic error channel stays silent); a success holds exactly what its
 * kind promises; a document over the byte limit is ULF_ELIMIT; paths and
 * texts from the tree are consistent with the tree.
 */
#include <stdbool.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "core/arena.h"
#include "core/json.h"
#include "parsers/read.h"
#include "parsers/reader.h"
#include "parsers/render.h"

#include "tests/fuzz/fuzz.h"

#define NAME "fuzz.xml"
/* Elements walked per tree; enough for every real invoice. */
#define WALK_MAX 20000
#define PATH_BUF 1024

static FILE *devnull;
static unsigned stray;

/* libxml2's own channel: the wrapper must catch every message itself, so
 * anything arriving here would have gone to the robot's stderr. */
static void on_stray(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
	stray++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xml_global_init();
	xmlSetGenericErrorFunc(NULL, on_stray);
	devnull = fopen("/dev/null", "w");
	return 0;
}

static uint32_t hash(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

static void check_failure(int rc, const ulf_err *err, const ulf_document *doc)
{
	FUZZ_CHECK(rc < 0);
	FUZZ_CHECK(err->code == rc);
	FUZZ_CHECK(doc->kind == DOC_UNKNOWN && !doc->inv && !doc->env && !doc->claim &&
		   !doc->xml);
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	/* `ulf parse` prints this as the one line about the file */
	FUZZ_CONTRACT("msg-names-file", strncmp(err->msg, NAME ": ", strlen(NAME ": ")) == 0);
	FUZZ_CONTRACT("msg-one-line", strchr(err->msg, '\n') == NULL);
}

/* Every accessor of xml.h on one element, and the tree's consistency. */
static void check_element(const xml_node *n, const xml_node *parent, arena *scratch)
{
	char path[PATH_BUF], ppath[PATH_BUF];
	const char *name = xml_name(n), *ns = xml_ns(n), *text;
	size_t len, plen, clen;

	FUZZ_CHECK(name != NULL);
	FUZZ_CHECK(xml_is(n, ns, name));
	FUZZ_CHECK(xml_parent(n) == parent);
	if (parent) {
		const xml_node *c = xml_child(parent, ns, name);
		FUZZ_CHECK(c != NULL);
		FUZZ_CHECK(xml_count(parent, ns, name) >= 1);
	}
	(void)xml_line(n);
	(void)xml_attr(n, "currencyID");
	(void)xml_attr(n, "schemeID");
	text = xml_text(n, scratch, &len);
	if (text) {
		FUZZ_CHECK(strlen(text) == len);
		if (xml_is_empty(n))
			FUZZ_CHECK(xml_first_element(n) == NULL);
	}
	clen = xml_path(path, sizeof(path), n);
	FUZZ_CHECK(clen < sizeof(path) && strlen(path) == clen);
	FUZZ_CHECK(clen == 0 || path[0] == '/');
	if (parent) {
		/* the parent's path is where the child's begins */
		plen = xml_path(ppath, sizeof(ppath), parent);
		FUZZ_CONTRACT("path-prefix", strncmp(path, ppath, plen < clen ? plen : clen) == 0);
	}
}

static void walk(const xml_node *n, const xml_node *parent, arena *scratch,
		 size_t *budget)
{
	const xml_node *c;

	if (*budget == 0)
		return;
	(*budget)--;
	check_element(n, parent, scratch);
	for (c = xml_first_element(n); c; c = xml_next_element(c))
		walk(c, n, scratch, budget);
}

/* A claim carried inside a document, as the care join looks for it. */
static void check_carried_claim(int rc, claim *c)
{
	FUZZ_CHECK((rc == 0) == (c != NULL));
	if (c)
		FUZZ_CHECK(!c->nlines || c->lines);
	claim_free(c);
}

static void check_invoice(const invoice *inv, const reader_opts *opts)
{
	const inv_problem *p;
	size_t i, k = 0;
	claim *c = NULL;
	ulf_err err;
	ujson *j;
	char *s;
	int rc;

	FUZZ_CHECK(inv->syntax == INV_SYNTAX_UBL || inv->syntax == INV_SYNTAX_SVEFAKTURA);
	FUZZ_CHECK(inv->kind == INV_KIND_INVOICE || inv->kind == INV_KIND_CREDIT_NOTE);
	for (p = inv->problems; p; p = p->next)
		k++;
	FUZZ_CHECK(k == inv->nproblems && k <= RD_MAX_PROBLEMS);
	FUZZ_CHECK(!inv->nlines || inv->lines);
	FUZZ_CHECK(!inv->nvat || inv->vat);
	FUZZ_CHECK(!inv->ndocs || inv->docs);
	for (i = 0; i < inv->ndocs; i++) {
		const inv_attachment *a = inv->docs[i].attachment;
		if (a && opts->inv.max_attachment_bytes)
			FUZZ_CHECK(a->size <= opts->inv.max_attachment_bytes);
	}
	FUZZ_CHECK(invoice_attachment_count(inv) <= inv->ndocs);
	FUZZ_CHECK(opts->inv.max_model_bytes == 0 || inv->mem.used <= opts->inv.max_model_bytes);

	j = render_invoice_json(inv, NAME);
	s = j ? ujson_dump(j, UJSON_COMPACT) : NULL;
	FUZZ_CONTRACT("render-json", s != NULL);
	if (s)
		FUZZ_CHECK(strchr(s, '\n') == NULL);
	free(s);
	ujson_free(j);
	if (devnull)
		render_invoice_text(devnull, inv, NAME);

	ulf_err_clear(&err);
	rc = claim_from_invoice(&c, inv, NAME, &opts->xml, &opts->inv, &err);
	check_carried_claim(rc, c);
}

static void check_envelope(sve_envelope *env, const reader_opts *opts)
{
	invoice *inv;
	claim *c = NULL;
	ujson *j;
	char *s;
	size_t moved = 0;
	ulf_err err;
	int rc;

	FUZZ_CHECK(!env->nobjects || env->objects);
	j = render_envelope_json(env, NAME, NULL);
	s = j ? ujson_dump(j, UJSON_COMPACT) : NULL;
	FUZZ_CONTRACT("render-json", s != NULL);
	free(s);
	ujson_free(j);
	if (devnull)
		render_envelope_text(devnull, env, NAME, NULL);

	ulf_err_clear(&err);
	rc = claim_from_envelope(&c, env, NAME, &opts->xml, &opts->inv, &err);
	check_carried_claim(rc, c);

	/* the payloads change owner: neither side may leak or free twice */
	inv = invoice_new(INV_SYNTAX_SVEFAKTURA, INV_KIND_INVOICE, NULL);
	if (!inv)
		return;
	(void)svefaktura_envelope_matches(env, inv);
	ulf_err_clear(&err);
	if (svefaktura_envelope_attach(&moved, inv, env, &err) == 0)
		FUZZ_CHECK(invoice_attachment_count(inv) <= moved);
	invoice_free(inv);
}

static void read_once(const uint8_t *data, size_t size, const reader_opts *opts,
		      bool keep_xml)
{
	ulf_document doc;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	stray = 0;
	rc = reader_read(&doc, (const char *)data, size, NAME, opts, keep_xml, &err);
	FUZZ_CONTRACT("no-stray-output", stray == 0);
	if (size > opts->xml.max_bytes)
		FUZZ_CHECK(rc == ULF_ELIMIT);
	if (rc) {
		check_failure(rc, &err, &doc);
		return;
	}
	FUZZ_CHECK(err.code == 0);
	if (doc.kind == DOC_INVOICE) {
		FUZZ_CHECK(doc.inv && !doc.env && !doc.claim);
		check_invoice(doc.inv, opts);
	} else if (doc.kind == DOC_SVE_ENVELOPE) {
		FUZZ_CHECK(doc.env && !doc.inv && !doc.claim);
		check_envelope(doc.env, opts);
	} else {
		FUZZ_CHECK(doc.kind == DOC_CLAIM && opts->claims);
		FUZZ_CHECK(doc.claim && !doc.inv && !doc.env);
		FUZZ_CHECK(!doc.claim->nlines || doc.claim->lines);
	}
	FUZZ_CHECK(keep_xml == (doc.xml != NULL));
	if (doc.xml) {
		arena scratch;
		size_t budget = WALK_MAX;

		arena_init(&scratch, 1u << 20);
		FUZZ_CHECK(xml_root(doc.xml) != NULL);
		walk(xml_root(doc.xml), NULL, &scratch, &budget);
		arena_release(&scratch);
	}
	reader_document_release(&doc);
	FUZZ_CHECK(!doc.inv && !doc.env && !doc.claim && !doc.xml);
	/* nor while reading claims carried inside */
	FUZZ_CONTRACT("no-stray-output", stray == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader_opts opts;
	uint32_t h = hash(data, size);

	/* as the robot reads with its defaults, keeping the tree for rules */
	reader_opts_init(&opts);
	read_once(data, size, &opts, true);

	/* claims too, and tight limits: the unwinding paths */
	reader_opts_init(&opts);
	opts.claims = true;
	opts.xml.max_depth = 1 + h % 16;
	opts.xml.max_bytes = (h & 0x10000) && size > 0 ? size - 1 : size;
	opts.inv.max_model_bytes = 1024 + (h >> 4) % 16384;
	opts.inv.max_attachment_bytes = (h >> 8) % 2048;
	read_once(data, size, &opts, false);
	return 0;
}
