/* rules_se.c - placeholder: the rule table is being ported now. */
#include "validate.h"
const rule_def rules_se[] = { { "", VFLAG_FATAL, "", NULL } };
const size_t rules_se_count = 0;
