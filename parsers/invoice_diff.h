/*
 * invoice_diff.h - what differs between two invoices, for a person: the
 * original and a corrected re-issue under the same number (issue 16), so
 * the handler who chooses which one stands sees amounts, lines and dates
 * side by side instead of opening both.
 *
 * It compares the canonical model (invoice.h), so a UBL original and a
 * Svefaktura re-issue compare as well as two of one syntax.  Compared:
 *   dates      issue date (BT-2), due date (BT-9), tax point date (BT-7),
 *              invoice period (BG-14), delivery date (BT-72)
 *   references currency (BT-5), buyer reference (BT-10), contract (BT-12),
 *              order (BT-13), receiving advice (BT-15), despatch advice
 *              (BT-16), the corrected invoice (BT-25)
 *   payment    payment reference (BT-83), account (BT-84)
 *   lines      how many, and each line by its id (BT-126; by position
 *              when either has none): quantity and unit, net amount,
 *              price, item name and seller's item id, VAT rate, order
 *              line reference; a line only in one of them
 *   amounts    every total of BG-22 (BT-106 .. BT-115)
 * Amounts compare as numbers (100.0 is 100.00), texts as written.
 */
#ifndef ULF_INVOICE_DIFF_H
#define ULF_INVOICE_DIFF_H

#include <stddef.h>

#include "core/err.h"
#include "core/json.h"
#include "parsers/invoice.h"

/*
 * The differences between `original` and `now`, in the order above, as a
 * JSON array (*out, the caller frees) of at most `max` objects
 *   {"what": "payable amount (BT-115)", "original": "1250.00", "this": "1375.00"}
 * with null for a value one of them does not have.  *out_total gets how
 * many there were in all (more than max: the rest are not listed); an
 * empty array when nothing compared differs.  0, or ULF_ENOMEM.
 */
int invoice_diff(ujson **out, size_t *out_total, const invoice *original, const invoice *now,
		 size_t max, ulf_err *err);

#endif
