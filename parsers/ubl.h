/*
 * ubl.h - reader for PEPPOL BIS Billing 3.0 (UBL 2.1 Invoice and CreditNote)
 * into the canonical model.
 */
#ifndef ULF_UBL_H
#define ULF_UBL_H

#include "parsers/invoice.h"
#include "parsers/xml.h"

/* True when the root is a UBL 2.1 Invoice or CreditNote. */
bool ubl_is_invoice(const xml_doc *doc);

/*
 * Reads a parsed UBL 2.1 Invoice or CreditNote.  `name` labels messages.
 * ULF_ESYNTAX when the root is neither; ULF_ELIMIT when the model or an
 * attachment exceeds its limit.  Terms that cannot be taken as written are
 * listed in (*out)->problems, not failures.
 */
int ubl_read(invoice **out, const xml_doc *doc, const char *name,
	     const inv_limits *limits, ulf_err *err);

#endif
