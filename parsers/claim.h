/*
 * claim.h - Inera's ProcessClaimSpecification 1.0 (the care attachment,
 * vårdbilaga; urn:riv:financial:billing:claim:1) as a model of its own.
 *
 * A region that cared for a patient from another region invoices the
 * patient's home region with an ordinary e-invoice; the patient-level
 * specification travels as this document, either on its own (as a file or
 * as the body of the RIV-TA SOAP request), as an object in a Svefaktura
 * ObjectEnvelope, or embedded in a UBL invoice.  All four carriers end up
 * in the same `claim`.
 *
 * The model follows financial_billing_claim_1.0.xsd element by element
 * (the comments name the element); the lines (healthcarePerformed) are
 * flattened into one array in document order, each pointing at its
 * patient, because line ids run through the whole claim and booking and
 * reconciliation work per line.
 *
 * PRIVACY: claim_patient.identity (personnummer, samordningsnummer or
 * reserve number), .lma_card and .eu_card identify a person.  The model
 * keeps them because a handler resolving a case may need them; nothing in
 * ulf prints, logs or stores them outside the care table unless a user
 * explicitly asks (robot/care.h masks).  The reader never copies them into
 * a problem message.
 *
 * Conventions are those of invoice.h: a text is absent when .v is NULL,
 * "" when the element is there but empty; numbers are exact decimals;
 * everything lives in the claim's arena and dies with claim_free().
 */
#ifndef ULF_CLAIM_H
#define ULF_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/invoice.h"
#include "parsers/svefaktura.h"
#include "parsers/xml.h"

/* How the claim reached us. */
typedef enum claim_carrier {
	CLAIM_CARRIER_DOCUMENT = 1, /* a ProcessClaimSpecification document */
	CLAIM_CARRIER_SOAP,         /* the body of the RIV-TA SOAP request */
	CLAIM_CARRIER_ENVELOPE,     /* an object of a Svefaktura ObjectEnvelope */
	CLAIM_CARRIER_INVOICE       /* an EmbeddedDocumentBinaryObject of an invoice */
} claim_carrier;

/* typeOfInvoice, as far as it is one of the two codes the contract allows. */
typedef enum claim_type {
	CLAIM_TYPE_OTHER = 0,       /* absent or not 380/381 (a finding) */
	CLAIM_TYPE_INVOICE = 380,
	CLAIM_TYPE_CREDIT = 381
} claim_type;

/* Object identifiers the contract names. */
#define CLAIM_OID_PERSONNUMMER      "1.2.752.129.2.1.3.1"
#define CLAIM_OID_SAMORDNINGSNUMMER "1.2.752.129.2.1.3.3"
#define CLAIM_OID_ORGNUMBER         "1.3.7"
#define CLAIM_OID_GLN               "2.51.1.6"
#define CLAIM_OID_HSA               "1.2.752.129.2.1.4.1"
#define CLAIM_OID_CURRENCY          "1.0.4217"

/* IIType: an identifier and the OID of its kind. */
typedef struct claim_ii {
	const char *root;
	const char *extension;
	uint32_t line;
	bool present;
} claim_ii;

/* CVType: a coded value. */
typedef struct claim_cv {
	const char *code;
	const char *system;         /* codeSystem (an OID) */
	const char *system_name;
	const char *system_version;
	const char *display_name;
	const char *original_text;  /* DRGCode carries its code here */
	uint32_t line;
	bool present;
} claim_cv;

/* AmountType: amount + currency (a CVType). */
typedef struct claim_amount {
	dec v;
	const char *currency;       /* currency/code */
	const char *currency_system;/* currency/codeSystem */
	uint32_t line;
	bool set;                   /* the amount was read */
	bool present;               /* the element is there (set may still be false) */
} claim_amount;

typedef struct claim_unspecified {  /* UnspecifiedType */
	inv_text text;
	inv_text type;
} claim_unspecified;

typedef struct claim_contact {      /* ContactType */
	inv_text name, phone, email;
	bool present;
} claim_contact;

typedef struct claim_party {        /* SupplierPartyType / CustomerPartyType */
	claim_ii ids[2];                /* identification, 1..2: org number, GLN */
	size_t nids;
	claim_contact contact;          /* sellerContact / buyerContact */
	uint32_t line;
	bool present;
} claim_party;

typedef struct claim_psc {          /* PatientSpecificCareType */
	inv_text code;                  /* patientSpecificCareCode */
	inv_text name;                  /* patientSpecificCareCodeName */
	inv_num count;                  /* numberOfPatientSpecificCare */
	claim_amount price;             /* patientSpecificCarePrice */
	claim_amount total;             /* patientSpecificCareTotalAmount */
	uint32_t line;
} claim_psc;

typedef struct claim_diagnosis {    /* PatientDiagnosisType */
	claim_cv main;                  /* mainDiagnosis/diagnosisCode (ICD-10-SE) */
	claim_cv *bi;                   /* biDiagnosis/diagnosisCode */
	size_t nbi;
	bool present;
} claim_diagnosis;

/* One care episode: HealthcarePerformedType. */
typedef struct claim_line {
	size_t patient;                 /* index into claim.patients */

	inv_text line_id;               /* lineId (positiveInteger) */
	uint64_t id;                    /* its value when id_ok */
	bool id_ok;
	inv_text care_contact_id;       /* careContactId */
	inv_text ref_line_id;           /* referenceToLineId (credits) */
	uint64_t ref_id;
	bool ref_ok;
	inv_text reason_for_credit;     /* reasonForCredit, 1..9 */
	claim_unspecified *unspecified;
	size_t nunspecified;

	/* paymentCommitment */
	bool has_commitment;
	inv_text remittance_number;     /* remittanceNumber (referral id) */
	inv_text commitment_number;     /* paymentCommitmentNumber */
	inv_text agreement;             /* typeOfAgreement: 1 riks-, 2 region-, 3 mellanlänsavtal */
	inv_text chapter;               /* typeOfChapter */
	inv_text riksavtal_point;       /* agreementInRiksavtalet */
	inv_text reimbursement;         /* typeOfReimbursement */

	/* healthcareCategory */
	claim_cv care_type;             /* typeOfCare: 01 outpatient, 02 inpatient */
	int public_care;                /* publicCare: 1, 0, or -1 absent */
	int planned;                    /* plannedHealthcare: 1, 0, or -1 */
	inv_text visit_type;            /* typeOfVisit */

	/* timespan */
	inv_text visit_date;            /* healthcareVisitDateTime/careVisitDate */
	inv_text visit_time;
	inv_text discharge_date;        /* healthcareDischargeDateTime/careDischargeDate */
	inv_text discharge_time;
	inv_text period_start;          /* invoicePeriod/start */
	inv_text period_end;
	inv_num days_on_leave;          /* numberOfDays/onLeave */
	inv_num days_in_care;           /* numberOfDays/inCare */

	/* healthcareUnit */
	claim_ii unit_id;               /* careUnitId (HSA id) */
	inv_text unit_name;             /* careUnitName */
	inv_text profession;            /* professionCodeForHealthcare */

	/* categorization */
	bool has_categorization;
	inv_text product_category;      /* productCategory */
	inv_text price_list;            /* priceList: 1..6, 2 = Uppsala-Örebro */
	bool has_drg;                   /* DRGCost */
	claim_cv drg_code;              /* DRGCode (code in originalText) */
	claim_amount drg_price;         /* DRGPrice */
	claim_amount outlier_time;      /* extendedAllowanceCareTime */
	claim_amount outlier_cost;      /* extendedAllowanceCost */
	claim_psc *psc;                 /* patientSpecificCare */
	size_t npsc;

	/* invoicedAmountDetails */
	claim_amount gross;             /* patientCareInvoiceGrossAmount */
	claim_amount net;               /* patientCareInvoiceNetAmount */
	claim_amount allowance;         /* patientCareAllowance (6 % VAT compensation) */
	claim_amount discount;          /* patientCareDiscount */
	claim_amount charge;            /* patientCareCharge */
	claim_amount outpatient_fee;    /* outPatientCareFee */
	claim_amount outpatient_fee_paid; /* outPatientCareFeePaid */
	inv_text fee_reduced_category;  /* patientFeeReducedCategory */
	int free_pass;                  /* patientFreePassCauseIndicator: 1, 0, -1 */
	claim_amount inpatient_fee;     /* inpatientCareFee */

	/* activity */
	inv_text medical_field;         /* medicalFieldCode */
	claim_cv business_class;        /* businessClassification */
	inv_text care_level;            /* careLevel */

	/* diagnosis */
	claim_diagnosis inpatient_dx;   /* inpatientCareDiagnosis */
	claim_diagnosis outpatient_dx;  /* outpatientCareDiagnosis */

	/* treatment */
	claim_cv *procedures;           /* typeOfTreatment (KVÅ) */
	size_t nprocedures;
	claim_cv *atc;                  /* ATC */
	size_t natc;

	uint32_t line;
} claim_line;

/* One patient: HealthcareServicesSpecificationLineType/patientInformation. */
typedef struct claim_patient {
	claim_ii identity;              /* patientIdentity - SENSITIVE */
	claim_cv county;                /* county (länskod, 2 digits) */
	claim_cv municipality;          /* municipality (kommunkod, 4 digits) */
	claim_ii listing;               /* listingLocalAuthoritiesNumber (HSA id) */
	inv_text lma_card;              /* LMACardNumber - SENSITIVE */
	claim_cv gender;
	inv_text eu_card;               /* EUCardNumber - SENSITIVE */
	claim_unspecified *unspecified;
	size_t nunspecified;
	size_t first_line, nlines;      /* its lines in claim.lines */
	uint32_t line;
} claim_patient;

typedef struct claim {
	claim_carrier carrier;
	inv_text logical_address;       /* SOAP header: the receiving region's org number */
	const char *envelope_document_id; /* envelope carrier: DocumentReference */
	const char *envelope_issuer_id;

	inv_text id;                    /* id: the fakturaunderlags-id, ZVF... */
	inv_text issue_date;            /* issueDate, YYYYMMDD */
	inv_text issue_time;            /* issueTime, hhmmss */
	inv_text type_code;             /* typeOfInvoice */
	claim_type type;
	inv_text invoice_id;            /* invoiceId */
	inv_text invoice_date;          /* invoiceDateOfIssue */
	inv_text ref_invoice;           /* referenceToInvoice (credits) */
	inv_text ref_claim;             /* referenceToProcessClaimSpecificationId */
	claim_amount payable;           /* payableAmount */
	claim_unspecified *unspecified;
	size_t nunspecified;
	claim_party supplier;           /* supplierParty */
	claim_party customer;           /* customerParty */

	claim_patient *patients;        /* healthCareServicesSpecificationLine */
	size_t npatients;
	claim_line *lines;              /* every healthcarePerformed, document order */
	size_t nlines;

	inv_problem *problems;          /* unreadable values, missing required elements */
	size_t nproblems;

	arena mem;
} claim;

/* True when the document is a claim: a ProcessClaimSpecification root
 * (responder namespace), or a SOAP 1.1/1.2 envelope whose body holds one. */
bool claim_is_claim(const xml_doc *doc);

/*
 * Reads a parsed claim.  `name` labels messages; limits may be NULL
 * (max_model_bytes caps the claim's arena).  ULF_ESYNTAX when the document
 * is no claim, ULF_ELIMIT over the cap, ULF_ENOMEM; values that cannot be
 * taken as written and missing required elements become (*out)->problems.
 */
int claim_read(claim **out, const xml_doc *doc, const char *name,
	       const inv_limits *limits, ulf_err *err);

/* Parses buf[0..len) (a file, or a decoded attachment) and reads it;
 * xml_limits and limits may be NULL for the defaults. */
int claim_read_buffer(claim **out, const void *buf, size_t len, const char *name,
		      const xml_limits *xl, const inv_limits *limits, ulf_err *err);

/* True for a MIME type an XML attachment may carry: text/xml or
 * application/xml, parameters (charset) allowed. */
bool claim_mime_is_xml(const char *mime);

/*
 * The claim embedded in an invoice: the first attachment with an XML MIME
 * type whose document is a claim.  ULF_ENOTFOUND (no message) when there is
 * none; an XML attachment that is not a claim is skipped; one that is a
 * claim but cannot be read is its error.
 */
int claim_from_invoice(claim **out, const invoice *inv, const char *name,
		       const xml_limits *xl, const inv_limits *limits, ulf_err *err);

/* The same for the objects of a Svefaktura ObjectEnvelope; the claim
 * remembers the envelope's DocumentReference (invoice number, issuer). */
int claim_from_envelope(claim **out, const sve_envelope *env, const char *name,
			const xml_limits *xl, const inv_limits *limits, ulf_err *err);

void claim_free(claim *c);

/* "invoice" / "credit" / "unknown"; "document" / "soap" / "envelope" / "invoice". */
const char *claim_type_name(claim_type t);
const char *claim_carrier_name(claim_carrier k);

/* The 10-digit org number among a party's identifications (root 1.3.7
 * preferred; any 10-digit extension otherwise, a hyphen allowed), or NULL.
 * Written into buf, which must hold 11 bytes. */
const char *claim_party_org(const claim_party *p, char buf[11]);

/* True when the patient identity is a personnummer / samordningsnummer by
 * its root. */
bool claim_patient_is_pnr(const claim_patient *p);
bool claim_patient_is_snr(const claim_patient *p);

#endif
