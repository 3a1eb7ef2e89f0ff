/* rules_en16931.c - placeholder: the rule table is being ported now. */
#include "validate.h"
const rule_def rules_en16931[] = { { "", VFLAG_FATAL, "", NULL } };
const size_t rules_en16931_count = 0;
