/*
 * ns.h - the namespace URIs ulf recognises.  Documents are matched on
 * these URIs, never on the prefixes a sender happens to use.
 */
#ifndef ULF_NS_H
#define ULF_NS_H

#define NS_UBL_INVOICE    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_UBL_CREDITNOTE "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_UBL_CAC        "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_UBL_CBC        "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

#define NS_SVE_INVOICE    "urn:sfti:documents:BasicInvoice:1:0"
#define NS_SVE_ENVELOPE   "urn:sfti:documents:ObjectEnvelope:1:0"
#define NS_SVE_CAC        "urn:sfti:CommonAggregateComponents:1:0"
#define NS_SVE_CBC        "urn:oasis:names:tc:ubl:CommonBasicComponents:1:0"

/* Inera's care attachment (vårdbilaga). */
#define NS_CLAIM          "urn:riv:financial:billing:claim:1"
#define NS_CLAIM_PROCESS  "urn:riv:financial:billing:claim:ProcessClaimSpecificationResponder:1"
#define NS_SOAP11         "http://schemas.xmlsoap.org/soap/envelope/"

#endif
