/*
 * match_text.c - a match result as a person reads it (`ulf match`): the
 * decision, reasons, checks, suggestion and rules fired.  See match.h.
 */
#include <stdio.h>
#include <string.h>

#include "robot/match/match_int.h"

static void checks_text(FILE *out, const ujson *arr, const char *indent, bool only_bad)
{
	size_t i;

	for (i = 0; i < ujson_array_size(arr); i++) {
		const ujson *c = ujson_array_get(arr, i);
		const char *res = ujson_get_str(c, "result");
		bool good = res && strcmp(res, "deviation");
		if (only_bad && good)
			continue;
		fprintf(out, "%s%s %s\n", indent, !good ? "FAIL" : !strcmp(res, "info") ? "--  " : "ok  ",
			ujson_get_str(c, "text"));
	}
}

void match_result_text(FILE *out, const match_result *r, const char *label)
{
	const ujson *x = ujson_get(r->json, "explanation");
	const ujson *sup = ujson_get(x, "supplier"), *lines = ujson_get(x, "lines");
	const ujson *cands = ujson_get(ujson_get(x, "order"), "candidates");
	const ujson *fired_rules = ujson_get(x, "rules_fired");
	size_t i;

	fprintf(out, "%s: %s, %s flow%s%s\n", label ? label : "invoice",
		match_decision_name(r->decision), match_flow_name(r->flow),
		r->nreasons ? " - " : "", r->nreasons ? r->reasons[0].code : "");
	fprintf(out, "  supplier  %s %s", r->supplier_no[0] ? r->supplier_no : "(not in register)",
		r->supplier_name);
	if (ujson_get_str(sup, "identified_by"))
		fprintf(out, " (by %s %s)", ujson_get_str(sup, "identified_by"),
			ujson_get_str(sup, "identified_value") ? ujson_get_str(sup, "identified_value") : "");
	fputc('\n', out);
	checks_text(out, ujson_get(sup, "checks"), "            ", true);
	if (r->order_no[0])
		fprintf(out, "  order     %s\n", r->order_no);
	for (i = 0; i < ujson_array_size(cands); i++) {
		const ujson *c = ujson_array_get(cands, i);
		fprintf(out, "            candidate %s from %s: %s\n", ujson_get_str(c, "value"),
			ujson_get_str(c, "source"), ujson_get_str(c, "result"));
	}
	if (r->credited[0])
		fprintf(out, "  credits   invoice %s\n", r->credited);
	if (r->nreasons) {
		fprintf(out, "  reasons\n");
		for (i = 0; i < r->nreasons; i++)
			fprintf(out, "    %-24s %s\n", r->reasons[i].code, r->reasons[i].message);
	}
	fprintf(out, "  checks\n");
	checks_text(out, ujson_get(x, "duplicates"), "    ", false);
	for (i = 0; i < ujson_array_size(lines); i++) {
		const ujson *l = ujson_array_get(lines, i);
		if (ujson_get_str(l, "order_line"))
			fprintf(out, "    line %s -> order %s line %s, by %s\n",
				ujson_get_str(l, "invoice_line"), ujson_get_str(l, "order"),
				ujson_get_str(l, "order_line"), ujson_get_str(l, "matched_by"));
		else
			fprintf(out, "    line %s -> no order line\n", ujson_get_str(l, "invoice_line"));
		checks_text(out, ujson_get(l, "checks"), "      ", false);
	}
	checks_text(out, ujson_get(x, "header"), "    ", false);
	fprintf(out, "  suggestion\n");
	booking_text(out, &r->booking, "    ");
	if (ujson_array_size(fired_rules)) {
		fprintf(out, "  rules fired\n");
		for (i = 0; i < ujson_array_size(fired_rules); i++) {
			const ujson *f = ujson_array_get(fired_rules, i);
			fprintf(out, "    %s %s (line %lld): %s\n", ujson_get_str(f, "kind"),
				ujson_get_str(f, "rule"), (long long)ujson_get_int(f, "line", 0),
				ujson_get_str(f, "why"));
		}
	}
	if (ujson_get(r->json, "new_supplier")) {
		static const char *const keys[] = { "name", "trading_name", "org_no", "vat_no",
						    "peppol_id", "bankgiro", "plusgiro", "iban",
						    "f_skatt", NULL };
		const ujson *ns = ujson_get(r->json, "new_supplier");
		const ujson *ad = ujson_get(ns, "address"), *ct = ujson_get(ns, "contact");
		fprintf(out, "  new supplier registration (prefilled from the invoice, to complete)\n");
		for (i = 0; keys[i]; i++)
			if (ujson_get_str(ns, keys[i]))
				fprintf(out, "    %-13s %s\n", keys[i], ujson_get_str(ns, keys[i]));
		fprintf(out, "    %-13s %s, %s %s, %s\n", "address",
			ujson_get_str(ad, "street") ? ujson_get_str(ad, "street") : "-",
			ujson_get_str(ad, "postcode") ? ujson_get_str(ad, "postcode") : "",
			ujson_get_str(ad, "city") ? ujson_get_str(ad, "city") : "-",
			ujson_get_str(ad, "country") ? ujson_get_str(ad, "country") : "-");
		fprintf(out, "    %-13s %s %s %s\n", "contact",
			ujson_get_str(ct, "name") ? ujson_get_str(ct, "name") : "",
			ujson_get_str(ct, "phone") ? ujson_get_str(ct, "phone") : "",
			ujson_get_str(ct, "email") ? ujson_get_str(ct, "email") : "");
		fprintf(out, "    %-13s (to be given by the ERP)\n", "supplier_no");
	}
}
