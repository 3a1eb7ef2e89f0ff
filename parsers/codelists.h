/*
 * codelists.h - the code lists the rules check against (BR-CL-*,
 * PEPPOL-EN16931-CL*, PEPPOL-COMMON-*), as sorted C tables generated from
 * the PEPPOL code list files (see tools/gen_codelists and codelists_data.c).
 */
#ifndef ULF_CODELISTS_H
#define ULF_CODELISTS_H

#include <stdbool.h>

typedef enum codelist {
	CL_ISO4217,        /* currencies */
	CL_ISO3166,        /* countries, alpha-2 */
	CL_UNCL1001_INV,   /* invoice type codes */
	CL_UNCL1001_CN,    /* credit note type codes */
	CL_UNCL1153,       /* reference qualifiers */
	CL_UNCL2005,       /* date/time period qualifiers (BT-8) */
	CL_UNCL4461,       /* payment means */
	CL_UNCL5189,       /* allowance reason codes */
	CL_UNCL5305,       /* VAT category codes */
	CL_UNCL7143,       /* item classification schemes */
	CL_UNCL7161,       /* charge reason codes */
	CL_REC20,          /* units of measure (Rec 20 + Rec 21) */
	CL_EAS,            /* electronic address schemes */
	CL_ICD,            /* ISO 6523 ICD identifier schemes */
	CL_MIME,           /* attachment MIME types */
	CL_VATEX,          /* VAT exemption reason codes */
	CL_SEPA,           /* SEPA identifier scheme */
	CL_COUNT
} codelist;

/* True when `code` is in `list` (exact, case-sensitive). */
bool codelist_has(codelist list, const char *code);
const char *codelist_name(codelist list);

#endif
