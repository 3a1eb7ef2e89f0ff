/*
 * rules_builtin.c - the built-in rules text: the two regions' order
 * formats, the standard Swedish VAT codes and exact tolerances.  See
 * rules.h.
 */
#include "robot/match/rules.h"

static const char builtin_rules[] =
	"# ulf built-in matching rules: the formats of the two regions (DOMAIN.md),\n"
	"# standard Swedish VAT codes and exact tolerances.  Copy and adapt;\n"
	"# docs/rules-file.md describes every block.\n"
	"\n"
	"settings\n"
	"    rounding_account        3740\n"
	"    rounding_max            0.99\n"
	"    history_min_confidence  80\n"
	"    history_min_count       2\n"
	"    recurring_min_count     2\n"
	"    receipt_required        no\n"
	"    required_fields         account vat_code\n"
	"\n"
	"vatcodes\n"
	"    S  25  25\n"
	"    S  12  12\n"
	"    S  6   6\n"
	"    Z  0   0\n"
	"    E  0   0\n"
	"    AE 0   OMV\n"
	"    K  0   EU\n"
	"    G  0   EXP\n"
	"\n"
	"tolerance\n"
	"    price      0\n"
	"    quantity   0\n"
	"    line       0\n"
	"    total      0\n"
	"    recurring  0\n"
	"\n"
	"# Region Sörmland: DLL + 7 digits, or P + 12 characters\n"
	"extract sormland-order\n"
	"    buyer    0007:2321000032\n"
	"    pattern  (?<order>\\bDLL\\d{7}\\b|\\bP\\d{2}-[A-Z]\\d{3}-\\d{4}\\b)\n"
	"    fields   order_ref line_order_ref buyer_ref note line_note doc_id\n"
	"\n"
	"# Region Västmanland: 8 or 10 digits\n"
	"extract vastmanland-order\n"
	"    buyer    0007:2321000172\n"
	"    pattern  (?<![\\d-])(?<order>\\d{10}|\\d{8})(?![\\d-])\n"
	"    fields   order_ref line_order_ref buyer_ref note line_note doc_id\n";

const char *rules_builtin(void)
{
	return builtin_rules;
}
