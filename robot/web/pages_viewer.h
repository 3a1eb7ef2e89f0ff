/*
 * pages_viewer.h - an invoice shown as PEPPOL viewers show it: the
 * parties, dates and references, notes, lines with their allowances and
 * charges, the document's allowances and charges, the VAT breakdown, the
 * totals and the payment details, from the canonical model
 * (parsers/invoice.h), for a person to read.
 *
 * Document text goes through page_text, so a personal identity number in
 * a note or line text shows masked.
 */
#ifndef ULF_PAGES_VIEWER_H
#define ULF_PAGES_VIEWER_H

#include "parsers/invoice.h"
#include "robot/web/html.h"

/* The invoice, as a sequence of headings, definition lists and tables. */
void pages_viewer(html *h, const invoice *inv);

#endif
