/* rules_svefaktura.c - placeholder: the rule table is being ported now. */
#include "validate.h"
const rule_def rules_svefaktura[] = { { "", VFLAG_FATAL, "", NULL } };
const size_t rules_svefaktura_count = 0;
