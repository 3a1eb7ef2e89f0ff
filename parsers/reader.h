/*
 * reader.h - from bytes to a document: parse the XML safely, tell the
 * syntax from the root element, hand it to the matching reader.
 *
 * This is what the CLI, the inbox and the HTTP intake call; they never
 * pick a reader themselves.
 */
#ifndef ULF_READER_H
#define ULF_READER_H

#include "parsers/claim.h"
#include "parsers/invoice.h"
#include "parsers/svefaktura.h"
#include "parsers/xml.h"

typedef enum doc_kind {
	DOC_UNKNOWN = 0,
	DOC_INVOICE,         /* UBL Invoice/CreditNote or Svefaktura invoice */
	DOC_SVE_ENVELOPE,    /* Svefaktura ObjectEnvelope */
	DOC_CLAIM            /* ProcessClaimSpecification (care attachment), only
			        when reader_opts.claims is set */
} doc_kind;

typedef struct reader_opts {
	xml_limits xml;
	inv_limits inv;
	/* Also read care claims (DOC_CLAIM).  Off by default: a caller that
	 * only knows invoices and envelopes keeps getting ULF_ESYNTAX for a
	 * claim instead of a document kind it would mishandle. */
	bool claims;
} reader_opts;

/* Defaults for every limit. */
void reader_opts_init(reader_opts *opts);

typedef struct ulf_document {
	doc_kind kind;
	invoice *inv;          /* DOC_INVOICE */
	sve_envelope *env;     /* DOC_SVE_ENVELOPE */
	claim *claim;          /* DOC_CLAIM */
	xml_doc *xml;          /* kept only when asked for (validation) */
} ulf_document;

/*
 * Reads buf[0..len) labelled `name`.  With keep_xml the parsed tree stays in
 * out->xml for rules that look at the document itself.  A root that is not
 * a known document is ULF_ESYNTAX: "not an invoice: root is {ns}Name".
 */
int reader_read(ulf_document *out, const char *buf, size_t len, const char *name,
		const reader_opts *opts, bool keep_xml, ulf_err *err);

/* Reads a file (at most opts->xml.max_bytes of it). */
int reader_read_file(ulf_document *out, const char *path, const reader_opts *opts,
		     bool keep_xml, ulf_err *err);

void reader_document_release(ulf_document *doc);

/*
 * Reads a claim from a decoded attachment (an envelope object, an embedded
 * binary object, a message body) with the limits of `opts` (NULL: the
 * defaults).  ULF_ESYNTAX when the bytes are XML but no claim.
 */
int reader_read_claim(claim **out, const void *buf, size_t len, const char *name,
		      const reader_opts *opts, ulf_err *err);

#endif
