/*
 * refimport.c - one reference-data file into records: XML or CSV by its
 * content, the importer for its kind, the bad rows reported in line order.
 * See refimport.h; the importers are in orders.c, suppliers.c and
 * history.c.
 */
#include <string.h>

#include "connectors/import.h"

static bool looks_like_xml(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && buf[i] == '<';
}

static void import_xml(importer *im, refdata_kind kind, const char *buf, size_t len)
{
	ordering_doc od;
	ulf_err why;

	ulf_err_clear(&why);
	if (ordering_read(&od, buf, len, im->name, NULL, &why)) {
		/* the reader's messages already start with the file name */
		import_keep(im, 0, why.msg);
		return;
	}
	if (kind == REFDATA_ORDERS && od.kind == ORDERING_ORDER)
		import_order_xml(im, od.order);
	else if (kind == REFDATA_RECEIPTS && od.kind == ORDERING_DESPATCH)
		import_despatch_xml(im, od.despatch);
	else
		import_bad(im, 0, "a %s is not %s", od.kind == ORDERING_ORDER ? "purchase order"
			   : "despatch advice", refdata_kind_name(kind));
	ordering_release(&od);
}

size_t refimport_buffer(refdata_kind kind, const char *buf, size_t len, const char *name,
			const refimport_sink *sink, refimport_report_fn report, void *ctx)
{
	importer im;
	csv_reader *c = NULL;
	ulf_err scratch;

	memset(&im, 0, sizeof(im));
	im.name = name;
	im.sink = sink;
	im.report = report;
	im.ctx = ctx;
	ulf_err_clear(&scratch);
	im.err = &scratch;
	if (looks_like_xml(buf, len)) {
		if (kind == REFDATA_ORDERS || kind == REFDATA_RECEIPTS)
			import_xml(&im, kind, buf, len);
		else
			import_bad(&im, 0, "%s are read from CSV, not XML", refdata_kind_name(kind));
	} else if (csv_open(&c, buf, len, name, &scratch) == 0 &&
		   csv_read_header(c, &scratch) == 0) {
		switch (kind) {
		case REFDATA_ORDERS:    import_orders_csv(&im, c); break;
		case REFDATA_RECEIPTS:  import_receipts_csv(&im, c); break;
		case REFDATA_SUPPLIERS: import_suppliers(&im, c); break;
		case REFDATA_HISTORY:   import_history(&im, c); break;
		case REFDATA_DIMENSIONS: import_dimensions(&im, c); break;
		}
	} else {
		import_keep(&im, 0, scratch.msg);
	}
	csv_free(c);
	import_flush(&im);
	return im.bad;
}
