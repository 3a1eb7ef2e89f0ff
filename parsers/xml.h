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

#include "../core/arena.h"
#include "../core/err.h"

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

#endif
