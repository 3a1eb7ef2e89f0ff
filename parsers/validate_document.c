/*
 * validate_document.c - the validation layers over one read document:
 * the rules for its syntax, then the XSD layer.  See validate_document.h.
 */
#include <stdio.h>
#include <string.h>

#include "parsers/ns.h"
#include "parsers/validate_document.h"

/* The XSD layer reports through the same findings as the rules. */
static const rule_def xsd_rule = {
	"XSD", VFLAG_FATAL, "The document does not conform to its XML schema.", NULL
};

/* The prefixes documents conventionally use, for shorter schema messages. */
static const struct {
	const char *uri, *prefix;
} known_ns[] = {
	{ NS_UBL_CBC, "cbc" },
	{ NS_UBL_CAC, "cac" },
	{ NS_UBL_INVOICE, "" },
	{ NS_UBL_CREDITNOTE, "" },
	{ "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2", "ext" },
	{ NS_SVE_CBC, "cbc" },
	{ NS_SVE_CAC, "cac" },
	{ NS_SVE_INVOICE, "" },
	{ NS_SVE_ENVELOPE, "" },
};

/*
 * libxml2 names elements "{namespace-uri}Name", which makes its messages
 * long enough to be cut off; "cbc:Name" says the same.  The result is cut
 * at a character boundary to fit buf.
 */
static void shorten(char *buf, size_t cap, const char *msg)
{
	size_t k = 0, i, n, len;
	const char *end;

	while (*msg && k + 1 < cap) {
		end = *msg == '{' ? strchr(msg, '}') : NULL;
		for (i = 0; end && i < sizeof(known_ns) / sizeof(known_ns[0]); i++) {
			len = strlen(known_ns[i].uri);
			if ((size_t)(end - msg - 1) != len || strncmp(msg + 1, known_ns[i].uri, len) != 0)
				continue;
			n = strlen(known_ns[i].prefix);
			if (k + n + 2 >= cap)
				break;
			memcpy(buf + k, known_ns[i].prefix, n);
			k += n;
			if (n)
				buf[k++] = ':';
			msg = end + 1;
			break;
		}
		if (end && i < sizeof(known_ns) / sizeof(known_ns[0]))
			continue;
		buf[k++] = *msg++;
	}
	if (*msg) {   /* cut: back up to a character start and say so */
		while (k > 0 && ((unsigned char)buf[k] & 0xC0) == 0x80)
			k--;
		k = k > 3 ? k - 3 : 0;
		while (k > 0 && ((unsigned char)buf[k] & 0xC0) == 0x80)
			k--;
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
}

static void on_schema_error(void *ctx, unsigned line, const char *path, const char *message)
{
	vctx *c = ctx;
	findings *f = c->out;
	size_t before = f->n;
	char msg[400];

	shorten(msg, sizeof(msg), message);
	vreport(c, &xsd_rule, line, NULL, "%s", msg);
	/* vreport takes a path from a node; libxml2 gave us the path itself */
	if (path && f->n > before)
		f->items[f->n - 1].location = arena_strdup(&f->mem, path);
}

int validate_document(findings *out, const ulf_document *doc, xml_schema *schemas,
		      ulf_err *err)
{
	vctx c;
	int rc;

	if (doc->kind == DOC_INVOICE && (rc = validate_invoice(out, doc->inv, doc->xml, NULL, err)))
		return rc;
	if (!schemas)
		return 0;
	if (!doc->xml)
		return ulf_err_set(err, ULF_EINVAL, "the XSD layer needs the document's tree"
				   " (read it with keep_xml)");
	memset(&c, 0, sizeof(c));
	c.inv = doc->inv;
	c.xml = doc->xml;
	c.out = out;
	rc = xml_schema_validate(schemas, doc->xml, on_schema_error, &c, err);
	if (c.rc)
		return ulf_err_set(err, c.rc, "out of memory while validating");
	return rc < 0 ? rc : 0;
}

bool validate_reader_problems(char *buf, size_t cap, const invoice *inv)
{
	const inv_problem *p = inv->problems;

	if (inv->nproblems == 0)
		return false;
	snprintf(buf, cap, "the reader could not take %zu value%s as written, first line %u: %s %s",
		 inv->nproblems, inv->nproblems == 1 ? "" : "s", p->line, p->element, p->msg);
	return true;
}
