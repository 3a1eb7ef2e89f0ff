/*
 * xml.h - the one door to libxml2.
 *
 * Everything ulf reads as XML comes from outside and is untrusted, so the
 * parse is locked down here, once: no network, no DTD (a DOCTYPE is refused
 * outright, which rules out external entities and entity expansion bombs),
 * no XInclude, a cap on document size and on element depth.  Readers walk
 * the tree through the small read-only API below; nodes are matched by
 * namespace URI and local name, never by prefix.
 */
#ifndef ULF_XML_H
#define ULF_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

typedef struct xml_doc xml_doc;
typedef struct xml_node xml_node;

typedef struct xml_limits {
	size_t max_bytes;     /* largest document accepted */
	unsigned max_depth;   /* deepest element nesting accepted */
} xml_limits;

#define XML_DEFAULT_MAX_BYTES (64u * 1024 * 1024)
#define XML_DEFAULT_MAX_DEPTH 64u

/* Once per process, before threads; and once at exit. */
void xml_global_init(void);
void xml_global_cleanup(void);

/*
 * Parses buf[0..len).  `name` (a file name, or "<http>") only labels error
 * messages, which read "line N: what".  limits may be NULL for the defaults.
 * ULF_EPARSE for malformed XML, ULF_ELIMIT for a cap exceeded or a DOCTYPE.
 */
int xml_parse(xml_doc **out, const char *buf, size_t len, const char *name,
	      const xml_limits *limits, ulf_err *err);
void xml_doc_free(xml_doc *doc);

const xml_node *xml_root(const xml_doc *doc);

/* Local name and namespace URI (NULL when in no namespace). */
const char *xml_name(const xml_node *n);
const char *xml_ns(const xml_node *n);
unsigned xml_line(const xml_node *n);
const xml_node *xml_parent(const xml_node *n);

/* Element children: the first / next sibling with this namespace and local
 * name; ns NULL means "in no namespace". */
const xml_node *xml_child(const xml_node *parent, const char *ns, const char *name);
const xml_node *xml_next(const xml_node *n, const char *ns, const char *name);
size_t xml_count(const xml_node *parent, const char *ns, const char *name);

/* Any element child, in document order. */
const xml_node *xml_first_element(const xml_node *parent);
const xml_node *xml_next_element(const xml_node *n);
bool xml_is(const xml_node *n, const char *ns, const char *name);

/*
 * The text content of an element.  When it is one text node (nearly always)
 * the pointer is into the tree itself; otherwise the pieces are joined in
 * `a`.  Absent content yields "".  Returns NULL only when `a` is exhausted.
 */
const char *xml_text(const xml_node *n, arena *a, size_t *len_out);

/* Value of an attribute in no namespace, or NULL. */
const char *xml_attr(const xml_node *n, const char *name);

/* True when the element has no element children and only white space. */
bool xml_is_empty(const xml_node *n);

/* "/Invoice/cac:InvoiceLine[2]/cbc:ID" - where a finding points. */
size_t xml_path(char *buf, size_t n, const xml_node *node);

/*
 * The XSD layer: documents checked against the UBL 2.1 and Svefaktura 1.0
 * schemas in a folder laid out like shared/schemas
 * (ubl-2.1/maindoc/UBL-Invoice-2.1.xsd, UBL-CreditNote-2.1.xsd,
 * svefaktura-1.0/maindoc/SFTI-BasicInvoice-1.0.xsd,
 * SFTI-ObjectEnvelope-1.0.xsd).  The root element picks the schema.
 * Compiling one costs a third of a second, so a schema is compiled the
 * first time a document needs it and kept for the life of the handle: a
 * process compiles each at most once.  The handle may be shared between
 * threads.  Schema files are trusted local files; their imports are read
 * without network access.
 */
typedef struct xml_schema xml_schema;

/* A handle on the schemas under dir; ULF_ENOTFOUND when dir holds none of
 * them.  Nothing is compiled yet. */
int xml_schema_load(xml_schema **out, const char *dir, ulf_err *err);
void xml_schema_free(xml_schema *s);

/* One schema error: its line (0 if unknown), the path of the element it
 * is about (NULL if unknown) and libxml2's message. */
typedef void (*xml_schema_error_fn)(void *ctx, unsigned line, const char *path,
				    const char *message);

/*
 * Validates doc against the schema its root calls for, calling fn for each
 * error.  Returns the number of errors (0: valid), ULF_ESYNTAX when no
 * schema of the folder fits the root, ULF_EPARSE when that schema does not
 * compile (the message says why; later calls fail the same way).
 */
int xml_schema_validate(xml_schema *s, const xml_doc *doc, xml_schema_error_fn fn,
			void *ctx, ulf_err *err);

#endif
