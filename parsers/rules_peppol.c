/* rules_peppol.c - placeholder: the rule table is being ported now. */
#include "validate.h"
const rule_def rules_peppol[] = { { "", VFLAG_FATAL, "", NULL } };
const size_t rules_peppol_count = 0;
