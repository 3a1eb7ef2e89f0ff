/*
 * svefaktura.h - reader for SFTI Svefaktura 1.0 (BasicInvoice 1.0) into the
 * canonical model, and for its ObjectEnvelope, which carries attachments
 * separately from the invoice they belong to.
 *
 * An envelope points at its invoice by DocumentReference (DocumentID = the
 * invoice number, IssuerID = the seller's org number); the invoice points at
 * each object by AdditionalDocumentReference/ID =
 * "urn:sfti:documents:object:<ObjectID>".
 */
#ifndef ULF_SVEFAKTURA_H
#define ULF_SVEFAKTURA_H

#include "parsers/invoice.h"
#include "parsers/xml.h"

/* True when the root is {urn:sfti:documents:BasicInvoice:1:0}Invoice. */
bool svefaktura_is_invoice(const xml_doc *doc);

/*
 * Reads a Svefaktura 1.0 invoice.  InvoiceTypeCode 381 makes a credit note.
 * ULF_ESYNTAX when the root is not a Svefaktura invoice, ULF_ELIMIT when the
 * model exceeds its cap; unreadable values become (*out)->problems.
 */
int svefaktura_read(invoice **out, const xml_doc *doc, const char *name,
		    const inv_limits *limits, ulf_err *err);

typedef struct sve_object {
	const char *id;          /* ObjectID */
	const char *mime;
	const char *filename;
	unsigned char *data;     /* decoded; owned by the envelope until attached */
	size_t size;
	uint32_t line;
} sve_object;

typedef struct sve_envelope {
	const char *document_id;   /* DocumentReference/DocumentID */
	const char *issuer_id;     /* DocumentReference/IssuerID: seller org number */
	const char *issue_date;
	const char *document_type;
	sve_object *objects;
	size_t nobjects;
	arena mem;
} sve_envelope;

/* True when the root is {urn:sfti:documents:ObjectEnvelope:1:0}ObjectEnvelope. */
bool svefaktura_is_envelope(const xml_doc *doc);

int svefaktura_envelope_read(sve_envelope **out, const xml_doc *doc, const char *name,
			     const inv_limits *limits, ulf_err *err);
void svefaktura_envelope_free(sve_envelope *env);

/* True when the envelope's DocumentReference names this invoice: same
 * invoice number and, when the envelope states an issuer, the seller's org
 * number (legal id, or the VAT number's digits) equals it. */
bool svefaktura_envelope_matches(const sve_envelope *env, const invoice *inv);

/*
 * Moves the envelope's objects into the invoice: an object referenced by an
 * AdditionalDocumentReference becomes that reference's attachment; one that
 * is not referenced is kept as a new reference of its own, so nothing the
 * sender sent is dropped.  Payloads change owner (the envelope no longer
 * frees them).  *attached gets the number of objects moved.
 */
int svefaktura_envelope_attach(size_t *attached, invoice *inv, sve_envelope *env,
			       ulf_err *err);

#endif
