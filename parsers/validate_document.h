/*
 * validate_document.h - every validation layer that suits one document
 * read by parsers/reader.h, as `ulf validate` runs them: the business rules
 * for the invoice's syntax (EN 16931, PEPPOL BIS 3 and SE on UBL, ulf's
 * Svefaktura checks on Svefaktura; validate_invoice()) and, when schemas
 * are given, the XSD layer.  An ObjectEnvelope gets the XSD layer only.
 *
 * The XSD layer reports through the same findings as the rules, as rule
 * "XSD" (fatal), with the element path libxml2 names as the location and
 * its message shortened: "{urn:...CommonBasicComponents-2}ID" becomes
 * "cbc:ID", and a message too long for a finding is cut at a character
 * boundary and ends in "...".
 *
 * Outside the pipeline a caller may also want the reader's own verdict,
 * without rules: validate_reader_problems().
 */
#ifndef ULF_VALIDATE_DOCUMENT_H
#define ULF_VALIDATE_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "parsers/invoice.h"
#include "parsers/reader.h"
#include "parsers/validate.h"
#include "parsers/xml.h"

/*
 * Runs the rules that suit doc (an invoice: its syntax's rules; an
 * envelope: none) and, with schemas non-NULL, the XSD layer, appending
 * findings to *out.  For the XSD layer and for the rules about the XML
 * itself the document must have been read with keep_xml (doc->xml); with
 * schemas and no tree it is ULF_EINVAL.  Returns 0 (findings say what is
 * wrong with the document) or a hard failure: ULF_ENOMEM, or what
 * xml_schema_validate() fails with (ULF_ESYNTAX: no schema fits the root,
 * ULF_EPARSE: the schema does not compile).
 */
int validate_document(findings *out, const ulf_document *doc, xml_schema *schemas,
		      ulf_err *err);

/*
 * The reader's verdict on inv, without rules: false when it took every
 * value as written.  Otherwise true, with a one-line summary in buf (cut
 * to fit cap): "the reader could not take 2 values as written, first line
 * 218: PayableAmount 'abc' is not a decimal number".
 */
bool validate_reader_problems(char *buf, size_t cap, const invoice *inv);

#endif
