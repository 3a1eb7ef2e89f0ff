/*
 * cli_import.c - `ulf import orders|receipts|suppliers|history|dimensions
 *                            [--store DB] [--config FILE] FILE...`
 *
 * Loads reference data into the store: purchase orders (PEPPOL Order XML
 * or the e-commerce CSV), goods receipts (PEPPOL Despatch Advice or CSV),
 * the supplier register (CSV) and posted invoice lines from the ERP (CSV,
 * what the booking history learns from).  Each file is one transaction:
 * all of it or, when any row is bad, nothing - and every bad row is named
 * on stderr as file:line: what.  Importing a file again updates what it
 * holds and duplicates nothing.
 *
 * Exit 0 when every file was loaded, 1 when some file had bad rows (and
 * was not loaded), 2 when a file could not be read or the store failed,
 * 64 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "robot/cli/cli.h"
#include "robot/config/config.h"
#include "robot/store/refdata.h"
#include "robot/store/store.h"

static void import_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf import orders|receipts|suppliers|history|dimensions [--store DB]"
		" [--config FILE]"
		" FILE...\n"
		"  orders     PEPPOL BIS Ordering 3 Order (XML) or the e-commerce export (CSV)\n"
		"  receipts   PEPPOL Despatch Advice (XML) or goods receipts (CSV)\n"
		"  suppliers  the supplier register (CSV)\n"
		"  history    posted invoice lines from the ERP (CSV): what bookings are learnt from\n"
		"  dimensions accounts, cost centres, activities, projects, VAT codes (CSV): what a\n"
		"             handler's booking is checked against\n"
		"  --store DB     the store (default: store_path of the configuration)\n"
		"  --config FILE  take the store from FILE\n"
		"CSV columns are documented in docs/matching.md.  Each file loads whole or not at\n"
		"all; a bad row is reported as FILE:LINE: what.  Importing again updates.\n"
		"exit status: 0 all loaded, 1 some file had bad rows, 2 unreadable file or store\n"
		"error, 64 usage\n");
}

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "ulf import: %s\n", msg);
}

static const char *what(refdata_kind k, size_t n)
{
	switch (k) {
	case REFDATA_ORDERS:    return n == 1 ? "order" : "orders";
	case REFDATA_RECEIPTS:  return n == 1 ? "receipt line" : "receipt lines";
	case REFDATA_SUPPLIERS: return n == 1 ? "supplier" : "suppliers";
	case REFDATA_HISTORY:   return n == 1 ? "invoice" : "invoices";
	case REFDATA_DIMENSIONS: return n == 1 ? "account or dimension value"
					      : "accounts and dimension values";
	}
	return "records";
}

int cli_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *store_path = NULL;
	refdata_kind kind;
	ulf_config cfg;
	store *s = NULL;
	refdata *r = NULL;
	int c, status = CLI_OK;
	ulf_err err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			store_path = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			import_usage(stdout);
			return CLI_OK;
		default:
			import_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind + 1 >= argc || !(kind = refdata_kind_parse(argv[optind]))) {
		if (optind < argc && !refdata_kind_parse(argv[optind]))
			fprintf(stderr, "ulf import: '%s' is not orders, receipts, suppliers or history\n",
				argv[optind]);
		import_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, config, store_path, NULL, &err) ||
	    store_open(&s, cfg.store_backend, cfg.store_path, &err) ||
	    refdata_open(&r, store_db(s), &err)) {
		fprintf(stderr, "ulf import: %s\n", err.msg);
		refdata_free(r);
		store_close(s);
		return CLI_UNREADABLE;
	}
	for (c = optind + 1; c < argc; c++) {
		refdata_stats st;
		int rc;
		ulf_err_clear(&err);
		rc = refdata_import_file(&st, r, kind, argv[c], report, NULL, (int64_t)time(NULL),
					 &err);
		if (rc == ULF_EPARSE) {
			fprintf(stderr, "ulf import: %s\n", err.msg);
			if (status == CLI_OK)
				status = CLI_FINDINGS;
			continue;
		}
		if (rc) {
			fprintf(stderr, "ulf import: %s\n", err.msg);
			status = CLI_UNREADABLE;
			continue;
		}
		printf("%s: %zu %s (%zu new, %zu updated)", argv[c], st.records,
		       what(kind, st.records), st.inserted, st.updated);
		if (kind == REFDATA_ORDERS || kind == REFDATA_HISTORY)
			printf(", %zu lines", st.lines);
		printf("\n");
	}
	refdata_free(r);
	store_close(s);
	fflush(stdout);
	return status;
}
