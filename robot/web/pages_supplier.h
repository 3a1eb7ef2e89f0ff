/*
 * pages_supplier.h - the workbench's new-supplier set-up: the "Register
 * supplier" form on the invoice page of an invoice from an unknown
 * supplier (prefilled with what ulf read from the invoice), the state of
 * a registration made from it, and the list of registrations awaiting a
 * second person's approval (/suppliers/pending).  Every value goes
 * through html.h.  The rules are robot/pipeline/supplier_reg.h's.
 */
#ifndef ULF_PAGES_SUPPLIER_H
#define ULF_PAGES_SUPPLIER_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "robot/pipeline/supplier_reg.h"
#include "robot/web/html.h"
#include "robot/web/pages.h"

#define PAGES_SUPPLIERS_PENDING "/suppliers/pending"

typedef struct pages_supplier_view {
	int64_t doc_id;
	int64_t version;                  /* the document's, for the form */
	const ujson *prefill;             /* result.match.new_supplier, or NULL */
	const sreg_rec *reg;              /* the newest registration made from it, or NULL */
	const sreg_form *typed;           /* a refused form's values, to refill it, or NULL */
	const sreg_problems *problems;    /* what was wrong with them, or NULL */
} pages_supplier_view;

/* The invoice page's section; nothing when there is neither a prefilled
 * registration nor a registration made. */
void pages_supplier_section(html *h, const page_viewer *v, const pages_supplier_view *sv);

/* The list of registrations awaiting approval, each with its approve and
 * decline forms (not offered to the one who submitted it). */
void pages_supplier_pending(html *h, const page_viewer *v, const page_notice *n,
			    const sreg_rec *regs, size_t nregs);

#endif
