/*
 * read.h - the toolkit the syntax readers share to fill the canonical model.
 *
 * A reader walks the tree and copies terms into the invoice with these
 * helpers.  Copies are trimmed of surrounding XML white space; an element
 * that is there but empty becomes "" (present), one that is missing stays
 * NULL (absent) - validation needs the difference.  A number that does not
 * parse is recorded as an inv_problem and left unset.  Running out of the
 * model's memory cap sets rd.rc and the reader unwinds.
 */
#ifndef ULF_READ_H
#define ULF_READ_H

#include "parsers/invoice.h"
#include "parsers/xml.h"

#define RD_MAX_PROBLEMS 256

typedef struct rd {
	invoice *inv;
	const inv_limits *limits;
	const char *name;      /* file name for messages */
	ulf_err *err;
	int rc;                /* first hard failure, 0 while fine */
} rd;

/* A trimmed arena copy of an element's text; NULL only on failure. */
const char *rd_str(rd *r, const xml_node *n);
/* A trimmed arena copy of a raw string (attribute values). */
const char *rd_dup(rd *r, const char *s);

void rd_text(rd *r, inv_text *out, const xml_node *n);
void rd_id(rd *r, inv_id *out, const xml_node *n, const char *scheme_attr);
void rd_amount(rd *r, inv_amount *out, const xml_node *n, const char *currency_attr);
void rd_qty(rd *r, inv_qty *out, const xml_node *n, const char *unit_attr);
void rd_num(rd *r, inv_num *out, const xml_node *n);
/* "true"/"false" (also 1/0); anything else is a problem and yields -1. */
int rd_bool(rd *r, const xml_node *n);

/* Zeroed array of as many elements as `parent` has ns:name children;
 * *count gets the number.  NULL when there are none or on failure. */
void *rd_array(rd *r, size_t *count, const xml_node *parent, const char *ns,
	       const char *name, size_t size);

/* Records that the model memory cap was hit; returns r->rc. */
int rd_nomem(rd *r);

/* Records a problem at node n. */
void rd_problem(rd *r, const xml_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Decodes a base64 element into an attachment of the invoice. */
int rd_attachment(rd *r, inv_attachment **out, const xml_node *n,
		  const char *mime, const char *filename);

#endif
