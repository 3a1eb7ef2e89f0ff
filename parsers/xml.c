/*
 * xml.c - libxml2 behind ulf's own API.  See xml.h.
 *
 * The only file that includes libxml2's headers.  A parse gets its own
 * parser context whose SAX handler is patched: a DOCTYPE stops the parse,
 * element depth is counted against our cap, and libxml2's errors are caught
 * into our error object instead of being printed.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "parsers/ns.h"
#include "parsers/xml.h"

typedef struct parse_state {
	const xml_limits *limits;
	const char *name;
	ulf_err *err;
	int code;
	startElementNsSAX2Func start;
} parse_state;

#define NODE(n) ((const xmlNode *)(const void *)(n))
#define WRAP(n) ((const xml_node *)(const void *)(n))

void xml_global_init(void)
{
	xmlInitParser();
}

void xml_global_cleanup(void)
{
	xmlCleanupParser();
}

static void fail(xmlParserCtxtPtr ctxt, int code, const char *what)
{
	parse_state *st = ctxt->_private;

	if (!st->code) {
		st->code = code;
		ulf_err_set(st->err, code, "%s: line %d: %s", st->name,
			    xmlSAX2GetLineNumber(ctxt), what);
	}
	xmlStopParser(ctxt);
}

static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
		       const xmlChar *sys)
{
	(void)name; (void)ext; (void)sys;
	fail(ctx, ULF_ELIMIT,
	     "DOCTYPE is not allowed (no DTDs, external or internal entities)");
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **nss,
		     int nattrs, int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	parse_state *st = ctxt->_private;

	/* nameNr counts the open ancestors: this element is pushed after */
	if ((unsigned)ctxt->nameNr >= st->limits->max_depth) {
		char msg[96];
		snprintf(msg, sizeof(msg), "elements nested deeper than %u",
			 st->limits->max_depth);
		fail(ctxt, ULF_ELIMIT, msg);
		return;
	}
	st->start(ctx, local, prefix, uri, nns, nss, nattrs, ndefaulted, attrs);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;
	parse_state *st;
	char msg[256], *p;
	size_t len;

	if (!ctxt || !e || e->level < XML_ERR_ERROR)
		return;
	st = ctxt->_private;
	if (!st || st->code)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "malformed XML");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	/* some libxml2 messages run over two lines; ours are one */
	for (p = msg; (p = strchr(p, '\n')) != NULL; )
		*p = ' ';
	st->code = ULF_EPARSE;
	ulf_err_set(st->err, ULF_EPARSE, "%s: line %d: %s", st->name,
		    e->line > 0 ? e->line : xmlSAX2GetLineNumber(ctxt), msg);
}

int xml_parse(xml_doc **out, const char *buf, size_t len, const char *name,
	      const xml_limits *limits, ulf_err *err)
{
	static const xml_limits defaults = {
		XML_DEFAULT_MAX_BYTES, XML_DEFAULT_MAX_DEPTH
	};
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	parse_state st;
	int rc = 0;

	*out = NULL;
	if (!limits)
		limits = &defaults;
	if (!name)
		name = "<input>";
	if (len == 0)
		return ulf_err_set(err, ULF_EPARSE, "%s: empty document", name);
	if (len > limits->max_bytes || len > INT_MAX)
		return ulf_err_set(err, ULF_ELIMIT,
			"%s: %zu bytes exceeds the document limit of %zu bytes",
			name, len, limits->max_bytes);

	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name);
	memset(&st, 0, sizeof(st));
	st.limits = limits;
	st.name = name;
	st.err = err;
	st.start = ctxt->sax->startElementNs;
	ctxt->_private = &st;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->externalSubset = on_doctype;
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->serror = on_error;
	ctxt->sax->error = NULL;
	ctxt->sax->warning = NULL;
	ctxt->vctxt.error = NULL;
	ctxt->vctxt.warning = NULL;

	/* errors raised without a parser context (encoding conversion) go to
	 * libxml2's global channels: catch them too, for this parse only */
	xmlSetStructuredErrorFunc(ctxt, on_error);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
		XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
		XML_PARSE_BIG_LINES | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (st.code || !doc || !ctxt->wellFormed) {
		rc = st.code ? st.code
			     : ulf_err_set(err, ULF_EPARSE, "%s: line %d: malformed XML",
					   name, xmlSAX2GetLineNumber(ctxt));
		goto out;
	}
	if (!xmlDocGetRootElement(doc)) {
		rc = ulf_err_set(err, ULF_EPARSE, "%s: no root element", name);
		goto out;
	}
	*out = (xml_doc *)(void *)doc;
	doc = NULL;
out:
	if (doc)
		xmlFreeDoc(doc);
	ctxt->_private = NULL;
	xmlFreeParserCtxt(ctxt);
	return rc;
}

void xml_doc_free(xml_doc *doc)
{
	if (doc)
		xmlFreeDoc((xmlDocPtr)(void *)doc);
}

const xml_node *xml_root(const xml_doc *doc)
{
	return WRAP(xmlDocGetRootElement((const xmlDoc *)(const void *)doc));
}

const char *xml_name(const xml_node *n)
{
	return n ? (const char *)NODE(n)->name : NULL;
}

const char *xml_ns(const xml_node *n)
{
	return n && NODE(n)->ns ? (const char *)NODE(n)->ns->href : NULL;
}

unsigned xml_line(const xml_node *n)
{
	return n ? (unsigned)xmlGetLineNo(NODE(n)) : 0;
}

const xml_node *xml_parent(const xml_node *n)
{
	const xmlNode *p = n ? NODE(n)->parent : NULL;

	return p && p->type == XML_ELEMENT_NODE ? WRAP(p) : NULL;
}

static bool matches(const xmlNode *c, const char *ns, const char *name)
{
	if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name) != 0)
		return false;
	if (!ns)
		return c->ns == NULL;
	return c->ns && strcmp((const char *)c->ns->href, ns) == 0;
}

bool xml_is(const xml_node *n, const char *ns, const char *name)
{
	return n && matches(NODE(n), ns, name);
}

const xml_node *xml_child(const xml_node *parent, const char *ns, const char *name)
{
	const xmlNode *c;

	if (!parent)
		return NULL;
	for (c = NODE(parent)->children; c; c = c->next)
		if (matches(c, ns, name))
			return WRAP(c);
	return NULL;
}

const xml_node *xml_next(const xml_node *n, const char *ns, const char *name)
{
	const xmlNode *c;

	if (!n)
		return NULL;
	for (c = NODE(n)->next; c; c = c->next)
		if (matches(c, ns, name))
			return WRAP(c);
	return NULL;
}

size_t xml_count(const xml_node *parent, const char *ns, const char *name)
{
	const xml_node *c;
	size_t k = 0;

	for (c = xml_child(parent, ns, name); c; c = xml_next(c, ns, name))
		k++;
	return k;
}

const xml_node *xml_first_element(const xml_node *parent)
{
	const xmlNode *c;

	if (!parent)
		return NULL;
	for (c = NODE(parent)->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return WRAP(c);
	return NULL;
}

const xml_node *xml_next_element(const xml_node *n)
{
	const xmlNode *c;

	if (!n)
		return NULL;
	for (c = NODE(n)->next; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return WRAP(c);
	return NULL;
}

static size_t text_len(const xmlNode *n)
{
	const xmlNode *c;
	size_t k = 0;

	for (c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			k += c->content ? strlen((const char *)c->content) : 0;
		else if (c->type == XML_ELEMENT_NODE)
			k += text_len(c);
	}
	return k;
}

static char *text_join(char *p, const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content) {
			size_t k = strlen((const char *)c->content);
			memcpy(p, c->content, k);
			p += k;
		} else if (c->type == XML_ELEMENT_NODE) {
			p = text_join(p, c);
		}
	}
	return p;
}

const char *xml_text(const xml_node *n, arena *a, size_t *len_out)
{
	const xmlNode *x = NODE(n), *c;
	size_t len;
	char *buf;

	if (len_out)
		*len_out = 0;
	if (!x)
		return "";
	c = x->children;
	if (!c)
		return "";
	if (!c->next && c->type == XML_TEXT_NODE) {
		const char *s = c->content ? (const char *)c->content : "";
		if (len_out)
			*len_out = strlen(s);
		return s;
	}
	len = text_len(x);
	buf = arena_alloc(a, len + 1);
	if (!buf)
		return NULL;
	*text_join(buf, x) = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

const char *xml_attr(const xml_node *n, const char *name)
{
	const xmlAttr *at;

	if (!n)
		return NULL;
	for (at = NODE(n)->properties; at; at = at->next) {
		if (at->ns || strcmp((const char *)at->name, name) != 0)
			continue;
		if (at->children && at->children->type == XML_TEXT_NODE &&
		    !at->children->next)
			return at->children->content ? (const char *)at->children->content : "";
		return "";
	}
	return NULL;
}

bool xml_is_empty(const xml_node *n)
{
	const xmlNode *c;
	const unsigned char *p;

	for (c = NODE(n)->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return false;
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content)
			for (p = c->content; *p; p++)
				if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
					return false;
	}
	return true;
}

static bool same_ns(const xmlNs *a, const xmlNs *b)
{
	if (a == b)
		return true;
	return a && b && a->href && b->href &&
	       strcmp((const char *)a->href, (const char *)b->href) == 0;
}

/* Appends x's path to buf[len..n); returns the new length, or n when full. */
static size_t path_append(char *buf, size_t n, size_t len, const xmlNode *x)
{
	const xmlNode *s;
	unsigned pos = 0, same = 0;
	int w;

	if (x->parent && x->parent->type == XML_ELEMENT_NODE)
		len = path_append(buf, n, len, x->parent);
	if (len >= n)
		return n;
	for (s = x->parent ? x->parent->children : NULL; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE || !same_ns(s->ns, x->ns) ||
		    strcmp((const char *)s->name, (const char *)x->name) != 0)
			continue;
		same++;
		if (s == x)
			pos = same;
	}
	if (x->ns && x->ns->prefix)
		w = snprintf(buf + len, n - len, "/%s:%s", x->ns->prefix, x->name);
	else
		w = snprintf(buf + len, n - len, "/%s", x->name);
	if (w < 0 || (size_t)w >= n - len)
		return n;
	len += (size_t)w;
	if (same > 1) {
		w = snprintf(buf + len, n - len, "[%u]", pos);
		if (w < 0 || (size_t)w >= n - len)
			return n;
		len += (size_t)w;
	}
	return len;
}

size_t xml_path(char *buf, size_t n, const xml_node *node)
{
	size_t len;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	if (!node || NODE(node)->type != XML_ELEMENT_NODE)
		return 0;
	len = path_append(buf, n, 0, NODE(node));
	if (len >= n) {
		/* cut at the last whole step that fitted */
		char *slash;
		buf[n - 1] = '\0';
		slash = strrchr(buf, '/');
		if (slash)
			*slash = '\0';
	}
	return strlen(buf);
}

/* ---- the XSD layer ---------------------------------------------------------
 * Appended for validation (ulf validate --schema-dir).  See xml.h. */

static const struct {
	const char *ns, *root, *file;
} schema_files[] = {
	{ NS_UBL_INVOICE, "Invoice", "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd" },
	{ NS_UBL_CREDITNOTE, "CreditNote", "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd" },
	{ NS_SVE_INVOICE, "Invoice", "svefaktura-1.0/maindoc/SFTI-BasicInvoice-1.0.xsd" },
	{ NS_SVE_ENVELOPE, "ObjectEnvelope", "svefaktura-1.0/maindoc/SFTI-ObjectEnvelope-1.0.xsd" },
};

#define NSCHEMAS (sizeof(schema_files) / sizeof(schema_files[0]))

struct xml_schema {
	pthread_mutex_t lock;        /* guards compiling, not validating */
	char dir[PATH_MAX];
	struct {
		xmlSchemaPtr compiled;
		bool present, tried;
		char why[256];       /* the compile error, once tried and failed */
	} s[NSCHEMAS];
};

int xml_schema_load(xml_schema **out, const char *dir, ulf_err *err)
{
	xml_schema *x;
	char path[PATH_MAX];
	bool any = false;
	size_t i;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (snprintf(x->dir, sizeof(x->dir), "%s", dir) >= (int)sizeof(x->dir)) {
		free(x);
		return ulf_err_set(err, ULF_EINVAL, "%s: schema folder path too long", dir);
	}
	for (i = 0; i < NSCHEMAS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, schema_files[i].file);
		x->s[i].present = access(path, R_OK) == 0;
		any |= x->s[i].present;
	}
	if (!any) {
		free(x);
		return ulf_err_set(err, ULF_ENOTFOUND,
			"%s: no UBL 2.1 or Svefaktura 1.0 schema there (looked for %s, ...)",
			dir, schema_files[0].file);
	}
	pthread_mutex_init(&x->lock, NULL);
	*out = x;
	return 0;
}

void xml_schema_free(xml_schema *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < NSCHEMAS; i++)
		if (x->s[i].compiled)
			xmlSchemaFree(x->s[i].compiled);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

/* The first error of a schema compile, kept to explain the failure. */
static void on_schema_parse_error(void *ctx, xmlErrorPtr e)
{
	char *why = ctx;
	size_t len;

	if (!e || e->level < XML_ERR_ERROR || why[0])
		return;
	snprintf(why, 256, "%s line %d: %s", e->file ? e->file : "", e->line,
		 e->message ? e->message : "error");
	len = strlen(why);
	while (len > 0 && (why[len - 1] == '\n' || why[len - 1] == ' '))
		why[--len] = '\0';
}

/* Compiles schema i once; NULL (and x->s[i].why) when it does not compile. */
static xmlSchemaPtr schema_get(xml_schema *x, size_t i)
{
	xmlExternalEntityLoader loader;
	xmlSchemaParserCtxtPtr pc;
	char path[PATH_MAX];

	pthread_mutex_lock(&x->lock);
	if (!x->s[i].tried) {
		x->s[i].tried = true;
		if (snprintf(path, sizeof(path), "%s/%s", x->dir, schema_files[i].file) >=
		    (int)sizeof(path))
			path[0] = '\0';   /* load refused such a folder; cannot happen */
		/* imports come from the folder, never from the network */
		loader = xmlGetExternalEntityLoader();
		xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
		pc = xmlSchemaNewParserCtxt(path);
		if (pc) {
			xmlSchemaSetParserStructuredErrors(pc, on_schema_parse_error, x->s[i].why);
			x->s[i].compiled = xmlSchemaParse(pc);
			xmlSchemaFreeParserCtxt(pc);
		}
		xmlSetExternalEntityLoader(loader);
		if (!x->s[i].compiled && !x->s[i].why[0] &&
		    snprintf(x->s[i].why, sizeof(x->s[i].why), "%s: cannot be compiled",
			     schema_files[i].file) < 0)
			x->s[i].why[0] = '\0';
	}
	pthread_mutex_unlock(&x->lock);
	return x->s[i].compiled;
}

typedef struct schema_state {
	xml_schema_error_fn fn;
	void *ctx;
	int errors;
} schema_state;

static void on_schema_valid_error(void *ctx, xmlErrorPtr e)
{
	schema_state *st = ctx;
	const xmlNode *node;
	char msg[512], path[512];
	size_t len;

	if (!e || e->level < XML_ERR_ERROR)
		return;
	st->errors++;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "schema error");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	node = e->node;
	path[0] = '\0';
	if (node && node->type == XML_ELEMENT_NODE)
		xml_path(path, sizeof(path), WRAP(node));
	if (st->fn)
		st->fn(st->ctx, e->line > 0 ? (unsigned)e->line : xml_line(WRAP(node)),
		       path[0] ? path : NULL, msg);
}

int xml_schema_validate(xml_schema *x, const xml_doc *doc, xml_schema_error_fn fn,
			void *ctx, ulf_err *err)
{
	const xml_node *root = xml_root(doc);
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr schema;
	schema_state st = { fn, ctx, 0 };
	size_t i;
	int rc;

	for (i = 0; i < NSCHEMAS; i++)
		if (x->s[i].present && xml_is(root, schema_files[i].ns, schema_files[i].root))
			break;
	if (i == NSCHEMAS)
		return ulf_err_set(err, ULF_ESYNTAX, "no schema in %s for root {%s}%s", x->dir,
				   xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	schema = schema_get(x, i);
	if (!schema)
		return ulf_err_set(err, ULF_EPARSE, "%s", x->s[i].why);
	vc = xmlSchemaNewValidCtxt(schema);
	if (!vc)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	xmlSchemaSetValidStructuredErrors(vc, on_schema_valid_error, &st);
	/* validating only reads the tree (no default attributes are added
	 * without XML_SCHEMA_VAL_VC_I_CREATE); the cast is libxml2's API */
	rc = xmlSchemaValidateDoc(vc, (xmlDocPtr)(void *)doc);
	xmlSchemaFreeValidCtxt(vc);
	if (rc < 0)
		return ulf_err_set(err, ULF_ERROR, "schema validation failed internally");
	if (rc > 0 && st.errors == 0) {
		/* invalid, yet no error was reported: still say so */
		st.errors = 1;
		if (fn)
			fn(ctx, 0, NULL, "the document does not conform to its schema");
	}
	return st.errors;
}
