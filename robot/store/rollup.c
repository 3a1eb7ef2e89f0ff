/*
 * rollup.c - the dashboard's rollups, moved in the transaction of each
 * event that moves them.  See rollup.h; the tables are in dash_int.h and
 * what each counter means in docs/dashboard.md.
 *
 * Most transitions (read, validated, matched, ready, posting) change no
 * figure and return at once; the ones that do - a document's first
 * outcome, each entry into and exit from the queue, posting, rejection,
 * a person's action - read the document's row and its dash_docs row by
 * primary key and add to a handful of rollup rows by upsert, so the cost
 * of an event does not grow with the number of documents.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/dec.h"
#include "core/digest.h"
#include "core/json.h"
#include "parsers/refkeys.h"
#include "robot/store/dash_int.h"
#include "robot/store/rollup.h"

_Static_assert(sizeof(dash_counts) == DASH_NCOUNTS * sizeof(int64_t),
	       "dash_counts is an array of DASH_NCOUNTS counters");

/* ---- the counters' columns --------------------------------------------- */

static const char *const base_cols[] = {
	"in_invoices", "in_paper", "in_other", "in_resends", "dup_bytes",
	"decided", "touchless", "exceptions", "queue_in", "queue_out", "erp_holds",
	"posted", "posted_robot", "rejected", "erp_posted",
	"finals", "touches", "touched", "erp_actions", "lines_posted", "lines_unchanged",
};
#define NBASE ((int)(sizeof(base_cols) / sizeof(base_cols[0])))
_Static_assert(NBASE + 2 * DASH_LEAD_BUCKETS == DASH_NCOUNTS, "every counter has a column");

static char lead_names[2 * DASH_LEAD_BUCKETS][12];
static char *sums_sql, *upsert_sql, *table_sql;
static pthread_once_t cols_once = PTHREAD_ONCE_INIT;

/* Column i, once lead_names is filled. */
static const char *col_name(int i)
{
	return i < NBASE ? base_cols[i] : lead_names[i - NBASE];
}

/* Appends to a growing text, or marks it failed (*ok false). */
static void cat(dynbuf *b, bool *ok, const char *s)
{
	if (*ok && dynbuf_adds(b, s))
		*ok = false;
}

static char *take(dynbuf *b, bool ok)
{
	char *s = NULL;

	if (!ok || dynbuf_take(&s, NULL, b))
		s = NULL;
	dynbuf_release(b);
	return s;
}

/* The column texts, made once (a failure leaves them NULL: every use
 * checks and reports out of memory). */
static void make_cols(void)
{
	dynbuf sums, up, tab;
	bool ok1 = true, ok2 = true, ok3 = true;
	char q[DASH_NCOUNTS * 3 + 1];
	int i;

	for (i = 0; i < DASH_LEAD_BUCKETS; i++) {
		snprintf(lead_names[i], sizeof(lead_names[i]), "lead_r%d", i);
		snprintf(lead_names[DASH_LEAD_BUCKETS + i], sizeof(lead_names[i]), "lead_p%d", i);
	}
	dynbuf_init(&sums, 1 << 16);
	dynbuf_init(&up, 1 << 16);
	dynbuf_init(&tab, 1 << 16);
	cat(&up, &ok2, "INSERT INTO dash_counts (grain, period, cc, region, flow");
	cat(&tab, &ok3, "CREATE TABLE dash_counts (grain TEXT NOT NULL, period INTEGER NOT NULL,"
		" cc TEXT NOT NULL, region TEXT NOT NULL, flow TEXT NOT NULL");
	for (i = 0; i < DASH_NCOUNTS; i++) {
		const char *c = col_name(i);
		cat(&sums, &ok1, ", SUM(");
		cat(&sums, &ok1, c);
		cat(&sums, &ok1, ")");
		cat(&up, &ok2, ", ");
		cat(&up, &ok2, c);
		cat(&tab, &ok3, ", ");
		cat(&tab, &ok3, c);
		cat(&tab, &ok3, " {int64} NOT NULL DEFAULT 0");
		memcpy(q + 3 * i, ", ?", 3);
	}
	q[3 * DASH_NCOUNTS] = '\0';
	cat(&up, &ok2, ") VALUES (?, ?, ?, ?, ?");
	cat(&up, &ok2, q);
	cat(&up, &ok2, ") ON CONFLICT (cc, grain, period, region, flow) DO UPDATE SET ");
	for (i = 0; i < DASH_NCOUNTS; i++) {
		const char *c = col_name(i);
		if (i)
			cat(&up, &ok2, ", ");
		cat(&up, &ok2, c);
		cat(&up, &ok2, " = dash_counts.");
		cat(&up, &ok2, c);
		cat(&up, &ok2, " + excluded.");
		cat(&up, &ok2, c);
	}
	cat(&tab, &ok3, ", PRIMARY KEY (cc, grain, period, region, flow)){clustered};");
	sums_sql = take(&sums, ok1);
	upsert_sql = take(&up, ok2);
	table_sql = take(&tab, ok3);
}

const char *dash_count_col(int i)
{
	if (i < 0 || i >= DASH_NCOUNTS)
		return "";
	if (i < NBASE)
		return base_cols[i];
	pthread_once(&cols_once, make_cols);
	return col_name(i);
}

const char *dash_count_sums(void)
{
	pthread_once(&cols_once, make_cols);
	return sums_sql;
}

bool dash_is_personal(const char *org)
{
	int i, month;

	if (!org || strlen(org) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if (org[i] < '0' || org[i] > '9')
			return false;
	/* an organisation number's third digit is 2 or more: its "month"
	 * is 20 or more; a person's is the month of birth */
	month = (org[2] - '0') * 10 + (org[3] - '0');
	return month >= 1 && month <= 12;
}

/* ---- the schema ----------------------------------------------------------- */

static const char *const schema_rest =
	"CREATE TABLE dash_docs ("
	" doc_id {int64} PRIMARY KEY, class TEXT NOT NULL DEFAULT '',"
	" cc TEXT, lines_sig TEXT,"
	" in_day INTEGER, in_region TEXT, in_cc TEXT, in_flow TEXT,"
	" decided_day INTEGER, touchless INTEGER NOT NULL DEFAULT 0,"
	" touches INTEGER NOT NULL DEFAULT 0, erp_actions INTEGER NOT NULL DEFAULT 0,"
	" erp_held INTEGER NOT NULL DEFAULT 0, last_queue TEXT NOT NULL DEFAULT '',"
	" queued INTEGER NOT NULL DEFAULT 0, left_at {int64} NOT NULL DEFAULT 0,"
	" q_rday INTEGER, q_dday INTEGER, q_region TEXT, q_cc TEXT, q_flow TEXT,"
	" q_reasons TEXT, q_amount {int64}, q_sek INTEGER,"
	" final INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE dash_reasons (grain TEXT NOT NULL, period INTEGER NOT NULL,"
	" cc TEXT NOT NULL, region TEXT NOT NULL, flow TEXT NOT NULL, reason TEXT NOT NULL,"
	" n {int64} NOT NULL DEFAULT 0,"
	" PRIMARY KEY (cc, grain, period, region, flow, reason)){clustered};"
	"CREATE TABLE dash_suppliers (grain TEXT NOT NULL, period INTEGER NOT NULL,"
	" cc TEXT NOT NULL, region TEXT NOT NULL, supplier TEXT NOT NULL,"
	" decided {int64} NOT NULL DEFAULT 0, touchless {int64} NOT NULL DEFAULT 0,"
	" entries {int64} NOT NULL DEFAULT 0, posted {int64} NOT NULL DEFAULT 0,"
	" spend_docs {int64} NOT NULL DEFAULT 0, spend_ore {int64} NOT NULL DEFAULT 0,"
	" contract_docs {int64} NOT NULL DEFAULT 0, contract_ore {int64} NOT NULL DEFAULT 0,"
	" PRIMARY KEY (cc, region, grain, period, supplier)){clustered};"
	/* whether a stretch of days has rows (dashboard.c, spans_of) */
	"CREATE INDEX dash_suppliers_days ON dash_suppliers(cc, grain, period);"
	"CREATE TABLE dash_handlers (grain TEXT NOT NULL, period INTEGER NOT NULL,"
	" region TEXT NOT NULL, who TEXT NOT NULL, actions {int64} NOT NULL DEFAULT 0,"
	" PRIMARY KEY (grain, period, region, who)){clustered};"
	"CREATE TABLE dash_names (supplier TEXT PRIMARY KEY, name TEXT NOT NULL){clustered};"
	"CREATE TABLE dash_queue_age (rday INTEGER NOT NULL, cc TEXT NOT NULL,"
	" region TEXT NOT NULL, flow TEXT NOT NULL, n {int64} NOT NULL DEFAULT 0,"
	" amount {int64} NOT NULL DEFAULT 0, PRIMARY KEY (cc, rday, region, flow)){clustered};"
	"CREATE TABLE dash_queue_due (dday INTEGER NOT NULL, cc TEXT NOT NULL,"
	" region TEXT NOT NULL, flow TEXT NOT NULL, n {int64} NOT NULL DEFAULT 0,"
	" amount {int64} NOT NULL DEFAULT 0, other_n {int64} NOT NULL DEFAULT 0,"
	" PRIMARY KEY (cc, dday, region, flow)){clustered};"
	"CREATE TABLE dash_queue_reason (reason TEXT NOT NULL, cc TEXT NOT NULL,"
	" region TEXT NOT NULL, flow TEXT NOT NULL, n {int64} NOT NULL DEFAULT 0,"
	" PRIMARY KEY (cc, reason, region, flow)){clustered};";

static int make_tables(db *d, void *ctx, ulf_err *err)
{
	(void)ctx;
	pthread_once(&cols_once, make_cols);
	if (!table_sql)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (db_exec_schema(d, table_sql, err))
		return ULF_ESTORE;
	return db_exec_schema(d, schema_rest, err);
}

int rollup_migrate(db *d, ulf_err *err)
{
	static const db_migration steps[] = {
		{ NULL, make_tables },
	};

	return db_migrate_steps(d, "dashboard", steps, sizeof(steps) / sizeof(steps[0]), NULL,
				err);
}

/* ---- bookings ------------------------------------------------------------ */

/* An amount as the signature writes it: trailing zeros past two decimals
 * dropped, so "100.0" and "100.00" are one coding. */
static void sig_amount(char *buf, size_t n, dec a)
{
	while (a.scale > 2 && a.v % 10 == 0) {
		a.v /= 10;
		a.scale--;
	}
	dec_format(buf, n, a, 2);
}

void rollup_line_sig(char out[14], const erp_booking_line *l)
{
	const char *parts[6] = { l->invoice_line_id, l->account, l->cost_centre, l->activity,
				 l->project, l->vat_code };
	char net[DEC_STR_MAX], vat[DEC_STR_MAX];
	uint64_t h = 14695981039346656037ULL;
	size_t i;
	const unsigned char *p;

	sig_amount(net, sizeof(net), l->net_amount);
	sig_amount(vat, sizeof(vat), l->vat_amount);
	/* FNV-1a over the fields, each ended by a unit separator */
	for (i = 0; i < 8; i++) {
		const char *s = i < 6 ? parts[i] : i == 6 ? net : vat;
		for (p = (const unsigned char *)(s ? s : ""); *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ 0x1f) * 1099511628211ULL;
	}
	/* 13 base-32 digits: the hash's 64 bits, enough to tell codings apart */
	for (i = 0; i < 13; i++) {
		out[i] = "0123456789abcdefghijklmnopqrstuv"[h & 31];
		h >>= 5;
	}
	out[13] = '\0';
}

void rollup_booking_keys(char cc[ROLLUP_CC_MAX], char sig[ROLLUP_SIG_MAX],
			 const erp_posting *p)
{
	const char *best = NULL;
	dec best_net = dec_make(0, 0);
	bool overflow = false;
	size_t i, len = 0;

	cc[0] = '\0';
	sig[0] = '\0';
	for (i = 0; i < p->nlines; i++) {
		const erp_booking_line *l = &p->lines[i];
		if (l->cost_centre && *l->cost_centre &&
		    (!best || dec_cmp(dec_abs(l->net_amount), best_net) > 0)) {
			best = l->cost_centre;
			best_net = dec_abs(l->net_amount);
		}
		if (overflow)
			continue;
		if (len + 15 > ROLLUP_SIG_MAX) {
			/* too many lines to keep: none is compared */
			overflow = true;
			sig[0] = '\0';
			continue;
		}
		if (len)
			sig[len++] = ',';
		rollup_line_sig(sig + len, l);
		len += 13;
	}
	if (best)
		snprintf(cc, ROLLUP_CC_MAX, "%s", best);
}

/* ---- a document as the rollups see it ------------------------------------ */

#define KEY_MAX 128

typedef struct rdoc {
	int64_t id;
	int64_t received_at;
	char kind[32], region[KEY_MAX], supplier[KEY_MAX], flow[16], currency[8];
	char issue[16];
	char *name;                 /* the seller's name */
	char *reasons;              /* documents.reasons, JSON */
	bool handler_booking;
	bool amount_set, sek;
	int64_t amount;             /* öre, signed as spend (credit notes negative) */
	/* dash_docs */
	bool row;
	char cls[16], cc[KEY_MAX];
	char *lines_sig;
	bool in_counted;
	int32_t in_day;
	char in_region[KEY_MAX], in_cc[KEY_MAX], in_flow[16];
	bool decided;
	int32_t decided_day;
	bool touchless;
	int64_t touches, erp_actions;
	bool erp_held;
	char last_queue[16];
	bool queued;
	int64_t left_at;
	int32_t q_rday, q_dday;
	char q_region[KEY_MAX], q_cc[KEY_MAX], q_flow[16];
	char *q_reasons;
	int64_t q_amount;
	bool q_sek;
	bool final;
} rdoc;

static void rdoc_release(rdoc *r)
{
	free(r->name);
	free(r->reasons);
	free(r->lines_sig);
	free(r->q_reasons);
}

static void col_buf(char *out, size_t n, db_stmt *st, int col)
{
	const char *v = db_col_text(st, col);

	snprintf(out, n, "%s", v ? v : "");
}

static int col_dup(char **out, db_stmt *st, int col, ulf_err *err)
{
	const char *v = db_col_text(st, col);

	*out = NULL;
	if (v && !(*out = strdup(v)))
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return 0;
}

/* The flow's key: recurring invoices are without order. */
static const char *flow_key(const char *flow)
{
	return dash_flow_key(dash_flow_of(flow));
}

/* The amount payable in öre, signed as spend. */
static void read_amount(rdoc *r, const char *payable)
{
	dec a, units;
	int64_t v;

	r->amount_set = false;
	r->amount = 0;
	r->sek = strcmp(r->currency, "SEK") == 0;
	if (!payable || dec_parse(&a, payable, strlen(payable)) ||
	    dec_round(&units, a, 2) || dec_to_units(&v, units, 2))
		return;
	if (strcmp(r->kind, "credit-note") == 0 && v > 0)
		v = -v;
	r->amount = v;
	r->amount_set = true;
}

static const char load_sql[] =
	"SELECT d.received_at, d.kind, d.buyer_org, d.seller_org, d.seller_name, d.flow,"
	" d.payable, d.currency, d.issue_date, d.reasons,"
	" CASE WHEN d.booking IS NULL THEN 0 ELSE 1 END,"
	" x.doc_id, x.class, x.cc, x.lines_sig, x.in_day, x.in_region, x.in_cc, x.in_flow,"
	" x.decided_day, x.touchless, x.touches, x.erp_actions, x.erp_held, x.last_queue,"
	" x.queued, x.left_at, x.q_rday, x.q_dday, x.q_region, x.q_cc, x.q_flow, x.q_reasons,"
	" x.q_amount, x.q_sek, x.final"
	" FROM documents d LEFT JOIN dash_docs x ON x.doc_id = d.id WHERE d.id = ?";

/* The document and what the rollups counted of it; *found false when
 * there is no such document. */
static int rdoc_load(rdoc *r, bool *found, db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	char org[KEY_MAX];
	int rc;

	memset(r, 0, sizeof(*r));
	r->id = id;
	*found = false;
	rc = db_prepare(&st, d, load_sql, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc <= 0) {
		db_finalize(st);
		return rc;
	}
	*found = true;
	r->received_at = db_col_int(st, 0);
	col_buf(r->kind, sizeof(r->kind), st, 1);
	col_buf(r->region, sizeof(r->region), st, 2);
	col_buf(org, sizeof(org), st, 3);
	/* one spelling per supplier, as the register has it */
	if (!refdata_norm(r->supplier, sizeof(r->supplier), REF_BY_ORG, org))
		snprintf(r->supplier, sizeof(r->supplier), "%s", org);
	rc = col_dup(&r->name, st, 4, err);
	snprintf(r->flow, sizeof(r->flow), "%s", flow_key(db_col_text(st, 5)));
	col_buf(r->currency, sizeof(r->currency), st, 7);
	read_amount(r, db_col_text(st, 6));
	col_buf(r->issue, sizeof(r->issue), st, 8);
	if (rc == 0)
		rc = col_dup(&r->reasons, st, 9, err);
	r->handler_booking = db_col_int(st, 10) != 0;
	r->row = !db_col_null(st, 11);
	if (r->row) {
		col_buf(r->cls, sizeof(r->cls), st, 12);
		col_buf(r->cc, sizeof(r->cc), st, 13);
		if (rc == 0)
			rc = col_dup(&r->lines_sig, st, 14, err);
		r->in_counted = !db_col_null(st, 15);
		r->in_day = (int32_t)db_col_int(st, 15);
		col_buf(r->in_region, sizeof(r->in_region), st, 16);
		col_buf(r->in_cc, sizeof(r->in_cc), st, 17);
		col_buf(r->in_flow, sizeof(r->in_flow), st, 18);
		r->decided = !db_col_null(st, 19);
		r->decided_day = (int32_t)db_col_int(st, 19);
		r->touchless = db_col_int(st, 20) != 0;
		r->touches = db_col_int(st, 21);
		r->erp_actions = db_col_int(st, 22);
		r->erp_held = db_col_int(st, 23) != 0;
		col_buf(r->last_queue, sizeof(r->last_queue), st, 24);
		r->queued = db_col_int(st, 25) != 0;
		r->left_at = db_col_int(st, 26);
		r->q_rday = (int32_t)db_col_int(st, 27);
		r->q_dday = db_col_null(st, 28) ? DASH_NO_DAY : (int32_t)db_col_int(st, 28);
		col_buf(r->q_region, sizeof(r->q_region), st, 29);
		col_buf(r->q_cc, sizeof(r->q_cc), st, 30);
		col_buf(r->q_flow, sizeof(r->q_flow), st, 31);
		if (rc == 0)
			rc = col_dup(&r->q_reasons, st, 32, err);
		r->q_amount = db_col_int(st, 33);
		r->q_sek = db_col_int(st, 34) != 0;
		r->final = db_col_int(st, 35) != 0;
	}
	db_finalize(st);
	return rc;
}

/* A day, NULL when !set: a value for db_bind_row. */
static db_value opt_day(bool set, int32_t day)
{
	return set ? DBV_INT(day) : DBV_NULL;
}

static int rdoc_save(db *d, const rdoc *r, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d,
		"INSERT INTO dash_docs (doc_id, class, cc, lines_sig, in_day, in_region, in_cc,"
		" in_flow, decided_day, touchless, touches, erp_actions, erp_held, last_queue,"
		" queued, left_at, q_rday, q_dday, q_region, q_cc, q_flow, q_reasons, q_amount,"
		" q_sek, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET class = excluded.class,"
		" in_day = excluded.in_day, in_region = excluded.in_region,"
		" in_cc = excluded.in_cc, in_flow = excluded.in_flow,"
		" decided_day = excluded.decided_day, touchless = excluded.touchless,"
		" touches = excluded.touches, erp_actions = excluded.erp_actions,"
		" erp_held = excluded.erp_held, last_queue = excluded.last_queue,"
		" queued = excluded.queued, left_at = excluded.left_at, q_rday = excluded.q_rday,"
		" q_dday = excluded.q_dday, q_region = excluded.q_region, q_cc = excluded.q_cc,"
		" q_flow = excluded.q_flow, q_reasons = excluded.q_reasons,"
		" q_amount = excluded.q_amount, q_sek = excluded.q_sek, final = excluded.final",
		err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(r->id), DBV_TEXT(r->cls),
			 DBV_TEXT(r->row ? r->cc : NULL), DBV_TEXT(r->lines_sig),
			 opt_day(r->in_counted, r->in_day),
			 DBV_TEXT(r->in_counted ? r->in_region : NULL),
			 DBV_TEXT(r->in_counted ? r->in_cc : NULL),
			 DBV_TEXT(r->in_counted ? r->in_flow : NULL),
			 opt_day(r->decided, r->decided_day), DBV_INT(r->touchless),
			 DBV_INT(r->touches), DBV_INT(r->erp_actions), DBV_INT(r->erp_held),
			 DBV_TEXT(r->last_queue), DBV_INT(r->queued), DBV_INT(r->left_at),
			 DBV_INT(r->q_rday), opt_day(r->q_dday != DASH_NO_DAY, r->q_dday),
			 DBV_TEXT(r->q_region), DBV_TEXT(r->q_cc), DBV_TEXT(r->q_flow),
			 DBV_TEXT(r->q_reasons), DBV_INT(r->q_amount), DBV_INT(r->q_sek),
			 DBV_INT(r->final));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* ---- adding to the rollups ----------------------------------------------- */

static bool counts_zero(const dash_counts *c)
{
	const int64_t *a = dash_counts_arr((dash_counts *)(uintptr_t)c);
	int i;

	for (i = 0; i < DASH_NCOUNTS; i++)
		if (a[i])
			return false;
	return true;
}

/* The rows one event adds to: the day's of its cost centre, and the day's
 * and the month's of all cost centres. */
struct grain_row {
	const char *grain;
	int32_t period;
	const char *cc;
};

static size_t grain_rows(struct grain_row out[3], int32_t day, const char *cc)
{
	out[0] = (struct grain_row){ "d", day, cc };
	out[1] = (struct grain_row){ "d", day, DASH_ALL_CC };
	out[2] = (struct grain_row){ "m", cal_month_start(day), DASH_ALL_CC };
	return 3;
}

static int add_counts(db *d, int32_t day, const char *region, const char *cc,
		      const char *flow, const dash_counts *c, ulf_err *err)
{
	const int64_t *a = dash_counts_arr((dash_counts *)(uintptr_t)c);
	db_value v[5 + DASH_NCOUNTS];
	struct grain_row g[3];
	db_stmt *st = NULL;
	size_t i, n;
	int k, rc = 0;

	if (counts_zero(c))
		return 0;
	pthread_once(&cols_once, make_cols);
	if (!upsert_sql)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	n = grain_rows(g, day, cc);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = db_prepare(&st, d, upsert_sql, err);
		if (rc)
			break;
		v[0] = DBV_TEXT(g[i].grain);
		v[1] = DBV_INT(g[i].period);
		v[2] = DBV_TEXT(g[i].cc);
		v[3] = DBV_TEXT(region);
		v[4] = DBV_TEXT(flow);
		for (k = 0; k < DASH_NCOUNTS; k++)
			v[5 + k] = DBV_INT(a[k]);
		rc = db_bind_values(st, v, sizeof(v) / sizeof(v[0]), err);
		if (rc) {
			db_finalize(st);
			break;
		}
		rc = db_run(st, err);
	}
	return rc;
}

static int add_reason(db *d, int32_t day, const char *region, const char *cc,
		      const char *flow, const char *reason, ulf_err *err)
{
	struct grain_row g[3];
	db_stmt *st = NULL;
	size_t i, n = grain_rows(g, day, cc);
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		rc = db_prepare(&st, d, "INSERT INTO dash_reasons (grain, period, cc, region, flow,"
				" reason, n) VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (cc, grain,"
				" period, region, flow, reason) DO UPDATE SET n = dash_reasons.n + 1",
				err);
		if (rc)
			break;
		rc = db_bind_row(st, err, DBV_TEXT(g[i].grain), DBV_INT(g[i].period),
				 DBV_TEXT(g[i].cc), DBV_TEXT(region), DBV_TEXT(flow),
				 DBV_TEXT(reason));
		if (rc) {
			db_finalize(st);
			break;
		}
		rc = db_run(st, err);
	}
	return rc;
}

/* What one event adds to a supplier's row. */
typedef struct sup_delta {
	int64_t decided, touchless, entries, posted;
	int64_t spend_docs, spend_ore, contract_docs, contract_ore;
} sup_delta;

static int add_supplier(db *d, int32_t day, const char *region, const char *cc,
			const char *supplier, const sup_delta *x, ulf_err *err)
{
	struct grain_row g[4];
	const char *regs[4] = { region, region, region, DASH_ALL_REGION };
	db_stmt *st = NULL;
	size_t i, n = grain_rows(g, day, cc);
	int rc = 0;

	/* and the month's of all regions: the unit's supplier figures read
	 * a row per supplier and month */
	g[n++] = (struct grain_row){ "m", cal_month_start(day), DASH_ALL_CC };
	for (i = 0; rc == 0 && i < n; i++) {
		rc = db_prepare(&st, d, "INSERT INTO dash_suppliers (grain, period, cc, region,"
			" supplier, decided, touchless, entries, posted, spend_docs, spend_ore,"
			" contract_docs, contract_ore) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			" ON CONFLICT (cc, region, grain, period, supplier) DO UPDATE SET"
			" decided = dash_suppliers.decided + excluded.decided,"
			" touchless = dash_suppliers.touchless + excluded.touchless,"
			" entries = dash_suppliers.entries + excluded.entries,"
			" posted = dash_suppliers.posted + excluded.posted,"
			" spend_docs = dash_suppliers.spend_docs + excluded.spend_docs,"
			" spend_ore = dash_suppliers.spend_ore + excluded.spend_ore,"
			" contract_docs = dash_suppliers.contract_docs + excluded.contract_docs,"
			" contract_ore = dash_suppliers.contract_ore + excluded.contract_ore", err);
		if (rc)
			break;
		rc = db_bind_row(st, err, DBV_TEXT(g[i].grain), DBV_INT(g[i].period),
				 DBV_TEXT(g[i].cc), DBV_TEXT(regs[i]), DBV_TEXT(supplier),
				 DBV_INT(x->decided), DBV_INT(x->touchless), DBV_INT(x->entries),
				 DBV_INT(x->posted), DBV_INT(x->spend_docs), DBV_INT(x->spend_ore),
				 DBV_INT(x->contract_docs), DBV_INT(x->contract_ore));
		if (rc) {
			db_finalize(st);
			break;
		}
		rc = db_run(st, err);
	}
	return rc;
}

static int add_handler(db *d, int32_t day, const char *region, const char *who,
		       ulf_err *err)
{
	const char *grains[2] = { "d", "m" };
	int32_t periods[2] = { day, cal_month_start(day) };
	db_stmt *st = NULL;
	int i, rc = 0;

	for (i = 0; rc == 0 && i < 2; i++) {
		rc = db_prepare(&st, d, "INSERT INTO dash_handlers (grain, period, region, who,"
				" actions) VALUES (?, ?, ?, ?, 1) ON CONFLICT (grain, period, region,"
				" who) DO UPDATE SET actions = dash_handlers.actions + 1", err);
		if (rc)
			break;
		rc = db_bind_row(st, err, DBV_TEXT(grains[i]), DBV_INT(periods[i]),
				 DBV_TEXT(region), DBV_TEXT(who));
		if (rc) {
			db_finalize(st);
			break;
		}
		rc = db_run(st, err);
	}
	return rc;
}

static int put_name(db *d, const char *supplier, const char *name, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	if (!*supplier || !name || !*name)
		return 0;
	rc = db_prepare(&st, d, "INSERT INTO dash_names (supplier, name) VALUES (?, ?)"
			" ON CONFLICT (supplier) DO UPDATE SET name = excluded.name"
			" WHERE dash_names.name <> excluded.name", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(supplier), DBV_TEXT(name));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* ---- the queue now ---------------------------------------------------------- */

/* Adds (sign 1) or takes back (sign -1) a document's rows of the queue
 * now, under the keys it entered with (r->q_*) and cost centre cc. */
static int queue_rows_cc(db *d, const rdoc *r, const char *cc, int sign, ulf_err *err)
{
	int64_t amount = r->q_sek ? r->q_amount : 0;
	db_stmt *st = NULL;
	const char *p, *comma;
	char reason[64];
	int rc;

	rc = db_prepare(&st, d, "INSERT INTO dash_queue_age (rday, cc, region, flow, n, amount)"
			" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cc, rday, region, flow) DO UPDATE"
			" SET n = dash_queue_age.n + excluded.n,"
			" amount = dash_queue_age.amount + excluded.amount", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(r->q_rday), DBV_TEXT(cc), DBV_TEXT(r->q_region),
			 DBV_TEXT(r->q_flow), DBV_INT(sign), DBV_INT(sign * amount));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	rc = db_run(st, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO dash_queue_due (dday, cc, region, flow, n, amount,"
			" other_n) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cc, dday, region, flow)"
			" DO UPDATE SET n = dash_queue_due.n + excluded.n,"
			" amount = dash_queue_due.amount + excluded.amount,"
			" other_n = dash_queue_due.other_n + excluded.other_n", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(r->q_dday), DBV_TEXT(cc), DBV_TEXT(r->q_region),
			 DBV_TEXT(r->q_flow), DBV_INT(sign), DBV_INT(sign * amount),
			 DBV_INT(r->q_sek ? 0 : sign));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	rc = db_run(st, err);
	for (p = r->q_reasons ? r->q_reasons : ""; rc == 0 && *p; p = *comma ? comma + 1 : comma) {
		comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		snprintf(reason, sizeof(reason), "%.*s", (int)(comma - p), p);
		if (!reason[0])
			continue;
		rc = db_prepare(&st, d, "INSERT INTO dash_queue_reason (reason, cc, region, flow, n)"
				" VALUES (?, ?, ?, ?, ?) ON CONFLICT (cc, reason, region, flow) DO UPDATE"
				" SET n = dash_queue_reason.n + excluded.n", err);
		if (rc)
			break;
		rc = db_bind_row(st, err, DBV_TEXT(reason), DBV_TEXT(cc), DBV_TEXT(r->q_region),
				 DBV_TEXT(r->q_flow), DBV_INT(sign));
		if (rc) {
			db_finalize(st);
			break;
		}
		rc = db_run(st, err);
	}
	if (rc || sign > 0)
		return rc;
	/* rows that hold nothing any more go: the queue's tables stay the size
	 * of the queue */
	rc = db_prepare(&st, d, "DELETE FROM dash_queue_age WHERE rday = ? AND cc = ?"
			" AND region = ? AND flow = ? AND n = 0", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(r->q_rday), DBV_TEXT(cc), DBV_TEXT(r->q_region),
			 DBV_TEXT(r->q_flow));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	rc = db_run(st, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "DELETE FROM dash_queue_due WHERE dday = ? AND cc = ?"
			" AND region = ? AND flow = ? AND n = 0", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(r->q_dday), DBV_TEXT(cc), DBV_TEXT(r->q_region),
			 DBV_TEXT(r->q_flow));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* The queue now, under its cost centre and under all of them. */
static int queue_rows(db *d, const rdoc *r, int sign, ulf_err *err)
{
	int rc = queue_rows_cc(d, r, r->q_cc, sign, err);

	return rc ? rc : queue_rows_cc(d, r, DASH_ALL_CC, sign, err);
}

/* The due date of the invoice (from the facts kept at reading). */
static int due_day(int32_t *out, db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	ujson *facts = NULL;
	const char *text;
	int rc;

	*out = DASH_NO_DAY;
	rc = db_prepare(&st, d, "SELECT facts FROM documents WHERE id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		rc = 0;
		text = db_col_text(st, 0);
		if (text && ujson_parse(&facts, text, strlen(text), "facts", NULL) == 0) {
			if (!cal_parse(out, ujson_get_str(facts, "due_date")))
				*out = DASH_NO_DAY;
			ujson_free(facts);
		}
	}
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* ---- contracts -------------------------------------------------------------- */

/* Whether the supplier register holds a contract for `supplier` valid on
 * `date` (YYYY-MM-DD).  A store without the register's contract columns
 * (one that never imported reference data) holds none. */
static int contract_valid(bool *out, db *d, const char *supplier, const char *date,
			  ulf_err *err)
{
	db_stmt *st = NULL;
	const char *from, *to, *ref;
	int rc;

	*out = false;
	if (!*supplier)
		return 0;
	rc = db_prepare(&st, d, "SELECT 1 FROM schema_version WHERE module = 'refdata-contracts'",
			err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	db_finalize(st);
	if (rc <= 0)
		return rc;
	rc = db_prepare(&st, d, "SELECT contract, contract_ref, contract_from, contract_to"
			" FROM ref_suppliers WHERE org_no = ? ORDER BY supplier_no LIMIT 1", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(supplier));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		ref = db_col_text(st, 1);
		from = db_col_text(st, 2);
		to = db_col_text(st, 3);
		*out = (db_col_int(st, 0) != 0 || (ref && *ref)) &&
		       (!from || !*from || strcmp(from, date) <= 0) &&
		       (!to || !*to || strcmp(date, to) <= 0);
		rc = 0;
	}
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* ---- lines posted --------------------------------------------------------- */

/* How many of the signatures in `have` (comma separated) are in `robot`,
 * each of robot's used once. */
static int64_t sigs_shared(const char *have, const char *robot)
{
	char *pool = strdup(robot ? robot : ""), *hit;
	const char *p;
	int64_t n = 0;

	if (!pool)
		return 0;
	for (p = have; p && *p; p += *p == ',' ? 1 : 0) {
		char one[14];
		size_t len = strcspn(p, ",");
		if (len == 13) {
			memcpy(one, p, 13);
			one[13] = '\0';
			hit = strstr(pool, one);
			if (hit) {
				n++;
				memset(hit, '-', 13);   /* used */
			}
		}
		p += len;
	}
	free(pool);
	return n;
}

static int64_t sigs_count(const char *sig)
{
	int64_t n = 0;

	if (!sig || !*sig)
		return 0;
	for (n = 1; *sig; sig++)
		n += *sig == ',';
	return n;
}

/* A booking (JSON text) as signatures; *out malloc'd. */
static int booking_sigs(char **out, int64_t *out_n, const char *text, const char *member,
			ulf_err *err)
{
	ujson *tree = NULL;
	const ujson *b;
	erp_posting p;
	char cc[ROLLUP_CC_MAX];
	int rc = 0;

	*out = NULL;
	*out_n = 0;
	if (!text || ujson_parse(&tree, text, strlen(text), "booking", NULL))
		return 0;
	b = member ? ujson_get(tree, member) : tree;
	erp_posting_init(&p);
	if (ujson_is_object(b) && erp_posting_read_booking(&p, b, NULL) == 0) {
		*out = malloc(ROLLUP_SIG_MAX);
		if (!*out) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		} else {
			rollup_booking_keys(cc, *out, &p);
			*out_n = (int64_t)p.nlines;
		}
	}
	erp_posting_release(&p);
	ujson_free(tree);
	return rc;
}

/* The lines posted and how many of them the robot suggested as they are. */
static int lines_posted(int64_t *out_posted, int64_t *out_same, db *d, const rdoc *r,
			ulf_err *err)
{
	const char *column = r->handler_booking ? "booking" : "result";
	db_stmt *st = NULL;
	char *sigs = NULL;
	int64_t n = 0;
	int rc;

	*out_posted = *out_same = 0;
	if (!r->handler_booking && r->lines_sig && *r->lines_sig) {
		/* the robot's own booking went out */
		*out_posted = *out_same = sigs_count(r->lines_sig);
		return 0;
	}
	rc = db_prepare(&st, d, r->handler_booking ? "SELECT booking FROM documents WHERE id = ?"
			: "SELECT result FROM documents WHERE id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(r->id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		rc = booking_sigs(&sigs, &n, db_col_text(st, 0),
				  strcmp(column, "result") == 0 ? "booking" : NULL, err);
	db_finalize(st);
	if (rc < 0)
		return rc;
	*out_posted = n;
	*out_same = r->handler_booking ? sigs_shared(sigs, r->lines_sig) : n;
	free(sigs);
	return 0;
}

/* ---- the events ------------------------------------------------------------- */

/* A document's reason codes (documents.reasons, a JSON array) as a comma
 * separated list into out. */
static void reason_list(char *out, size_t n, const char *json)
{
	ujson *arr = NULL;
	size_t i, len = 0;

	out[0] = '\0';
	if (!json || ujson_parse(&arr, json, strlen(json), "reasons", NULL))
		return;
	for (i = 0; i < ujson_array_size(arr); i++) {
		const char *c = ujson_str_value(ujson_array_get(arr, i));
		size_t cl = c ? strlen(c) : 0;
		if (!cl || strchr(c, ',') || len + cl + 2 > n)
			continue;
		if (len)
			out[len++] = ',';
		memcpy(out + len, c, cl + 1);
		len += cl;
	}
	ujson_free(arr);
}

static bool has_reason(const char *list, const char *code)
{
	size_t cl = strlen(code);
	const char *p = list;

	while ((p = strstr(p, code)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[cl] == ',' || p[cl] == '\0'))
			return true;
		p += cl;
	}
	return false;
}

/* Only reasons that say the ERP could not take the posting: its outage
 * or a fault in how ulf is set up to reach it. */
static bool erp_only(const char *list)
{
	char copy[1024], *tok, *save = NULL;
	bool any = false;

	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "ERP_SETUP") != 0 && strcmp(tok, "ERP_UNREACHABLE") != 0)
			return false;
		any = true;
	}
	return any;
}

static bool is_partner_kind(const char *kind)
{
	return strcmp(kind, "care-claim") == 0 || strcmp(kind, "object-envelope") == 0;
}

/* The first outcome: the document counts as in, under its class. */
static int count_in(db *d, rdoc *r, const char *cls, ulf_err *err)
{
	dash_counts c;

	snprintf(r->cls, sizeof(r->cls), "%s", cls);
	if (r->in_counted || strcmp(cls, "partner") == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	if (strcmp(cls, "invoice") == 0)
		c.in_invoices = 1;
	else if (strcmp(cls, "paper") == 0)
		c.in_paper = 1;
	else if (strcmp(cls, "resend") == 0)
		c.in_resends = 1;
	else
		c.in_other = 1;
	r->in_counted = true;
	r->in_day = cal_day_of(r->received_at);
	snprintf(r->in_region, sizeof(r->in_region), "%s", r->region);
	snprintf(r->in_cc, sizeof(r->in_cc), "%s", r->cc);
	snprintf(r->in_flow, sizeof(r->in_flow), "%s", r->flow);
	return add_counts(d, r->in_day, r->in_region, r->in_cc, r->in_flow, &c, err);
}

/* A resend that turned out to be an invoice after all: counted in as one. */
static int resend_is_invoice(db *d, rdoc *r, ulf_err *err)
{
	dash_counts c;

	snprintf(r->cls, sizeof(r->cls), "invoice");
	if (!r->in_counted)
		return 0;
	memset(&c, 0, sizeof(c));
	c.in_resends = -1;
	c.in_invoices = 1;
	return add_counts(d, r->in_day, r->in_region, r->in_cc, r->in_flow, &c, err);
}

static int enter_queue(db *d, rdoc *r, int32_t today, ulf_err *err)
{
	char list[1024];
	const char *entry, *p, *comma;
	char reason[64];
	dash_counts c;
	sup_delta sx;
	int rc = 0;

	reason_list(list, sizeof(list), r->reasons);
	memset(&c, 0, sizeof(c));
	memset(&sx, 0, sizeof(sx));
	if (!r->cls[0]) {
		/* the first outcome: what the document is */
		const char *cls = "invoice";
		if (has_reason(list, "NOT_EINVOICE"))
			cls = "paper";
		else if (is_partner_kind(r->kind))
			cls = "partner";
		else if (!r->kind[0] &&
			 (has_reason(list, "NOT_AN_INVOICE") || has_reason(list, "UNREADABLE")))
			cls = "other";
		else if (has_reason(list, "DUPLICATE"))
			cls = "resend";
		rc = count_in(d, r, cls, err);
	} else if (strcmp(r->cls, "invoice") == 0 && !r->decided && has_reason(list, "DUPLICATE")) {
		/* sent again, found out only now (after a retry) */
		snprintf(r->cls, sizeof(r->cls), "resend");
		if (r->in_counted) {
			dash_counts m;
			memset(&m, 0, sizeof(m));
			m.in_invoices = -1;
			m.in_resends = 1;
			rc = add_counts(d, r->in_day, r->in_region, r->in_cc, r->in_flow, &m, err);
		}
	}
	if (rc)
		return rc;
	entry = "real";
	if (strcmp(r->cls, "invoice") != 0)
		entry = strcmp(r->cls, "resend") == 0 ? "resend" : "apart";
	else if (erp_only(list))
		entry = "erp";
	if (strcmp(entry, "real") == 0 && !r->decided) {
		r->decided = true;
		r->decided_day = today;
		r->touchless = false;
		c.decided = c.exceptions = 1;
		sx.decided = 1;
	}
	if (strcmp(entry, "erp") == 0) {
		c.erp_holds = 1;
		r->erp_held = true;
	}
	c.queue_in = 1;
	sx.entries = 1;
	snprintf(r->last_queue, sizeof(r->last_queue), "%s", entry);
	rc = add_counts(d, today, r->region, r->cc, r->flow, &c, err);
	for (p = list; rc == 0 && *p; p = *comma ? comma + 1 : comma) {
		comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		snprintf(reason, sizeof(reason), "%.*s", (int)(comma - p), p);
		rc = add_reason(d, today, r->region, r->cc, r->flow, reason, err);
	}
	if (rc == 0 && strcmp(r->cls, "partner") != 0)
		rc = add_supplier(d, today, r->region, r->cc, r->supplier, &sx, err);
	if (rc == 0)
		rc = put_name(d, r->supplier, r->name, err);
	/* the queue now, under the keys it entered with */
	if (rc == 0 && r->queued)
		rc = queue_rows(d, r, -1, err);   /* cannot be: it left first */
	if (rc == 0)
		rc = due_day(&r->q_dday, d, r->id, err);
	if (rc)
		return rc;
	r->queued = true;
	r->q_rday = cal_day_of(r->received_at);
	snprintf(r->q_region, sizeof(r->q_region), "%s", r->region);
	snprintf(r->q_cc, sizeof(r->q_cc), "%s", r->cc);
	snprintf(r->q_flow, sizeof(r->q_flow), "%s", r->flow);
	free(r->q_reasons);
	r->q_reasons = strdup(list);
	if (!r->q_reasons)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	r->q_amount = r->amount_set ? r->amount : 0;
	r->q_sek = r->sek && r->amount_set;
	return queue_rows(d, r, 1, err);
}

static int leave_queue(db *d, rdoc *r, doc_state to, int64_t now, ulf_err *err)
{
	dash_counts c;
	sup_delta sx;
	int32_t today = cal_day_of(now);
	int rc;

	r->left_at = now;
	if (!r->queued)
		return 0;
	memset(&c, 0, sizeof(c));
	c.queue_out = 1;
	rc = add_counts(d, today, r->q_region, r->q_cc, r->q_flow, &c, err);
	if (rc == 0)
		rc = queue_rows(d, r, -1, err);
	r->queued = false;
	if (rc || to != ST_READY || strcmp(r->last_queue, "resend") != 0)
		return rc;
	/* a person found the "resend" to be an invoice of its own: decided,
	 * by a person, now */
	rc = resend_is_invoice(d, r, err);
	if (rc == 0 && !r->decided) {
		memset(&c, 0, sizeof(c));
		memset(&sx, 0, sizeof(sx));
		c.decided = c.exceptions = 1;
		sx.decided = 1;
		r->decided = true;
		r->decided_day = today;
		r->touchless = false;
		rc = add_counts(d, today, r->region, r->cc, r->flow, &c, err);
		if (rc == 0)
			rc = add_supplier(d, today, r->region, r->cc, r->supplier, &sx, err);
	}
	return rc;
}

/* Posted or rejected: the end of an invoice's road. */
static int finish(db *d, rdoc *r, doc_state to, int64_t now, ulf_err *err)
{
	int32_t today = cal_day_of(now), spend_day;
	dash_counts c;
	sup_delta sx, sp;
	bool posted = to == ST_POSTED, contract = false;
	int64_t lead;
	int rc = 0;

	if (!r->cls[0])
		rc = count_in(d, r, is_partner_kind(r->kind) ? "partner" : "invoice", err);
	else if (posted && strcmp(r->cls, "resend") == 0)
		rc = resend_is_invoice(d, r, err);
	if (rc || strcmp(r->cls, "invoice") != 0 || r->final) {
		r->final = true;
		return rc;
	}
	r->final = true;
	memset(&c, 0, sizeof(c));
	memset(&sx, 0, sizeof(sx));
	if (!r->decided) {
		r->decided = true;
		r->decided_day = today;
		r->touchless = posted && r->touches == 0;
		c.decided = 1;
		c.touchless = r->touchless;
		sx.decided = 1;
		sx.touchless = r->touchless;
	}
	c.finals = 1;
	c.touches = r->touches;
	c.touched = r->touches > 0;
	c.erp_actions = r->erp_actions;
	if (posted) {
		c.posted = 1;
		c.posted_robot = r->touchless;
		c.erp_posted = r->erp_held;
		rc = lines_posted(&c.lines_posted, &c.lines_unchanged, d, r, err);
		lead = now - r->received_at;
		if (r->touchless)
			c.lead_robot[dash_lead_bucket(lead)] = 1;
		else
			c.lead_person[dash_lead_bucket(lead)] = 1;
		sx.posted = 1;
	} else {
		c.rejected = 1;
	}
	if (rc == 0)
		rc = add_counts(d, today, r->region, r->cc, r->flow, &c, err);
	if (rc == 0)
		rc = add_supplier(d, today, r->region, r->cc, r->supplier, &sx, err);
	if (rc == 0)
		rc = put_name(d, r->supplier, r->name, err);
	if (rc || !posted)
		return rc;
	/* spend, by the invoice's date */
	if (!cal_parse(&spend_day, r->issue)) {
		spend_day = today;
		cal_format(r->issue, today);
	}
	rc = contract_valid(&contract, d, r->supplier, r->issue, err);
	if (rc)
		return rc;
	memset(&sp, 0, sizeof(sp));
	sp.spend_docs = 1;
	sp.spend_ore = r->sek && r->amount_set ? r->amount : 0;
	sp.contract_docs = contract;
	sp.contract_ore = contract ? sp.spend_ore : 0;
	return add_supplier(d, spend_day, r->region, r->cc, r->supplier, &sp, err);
}

int rollup_transition(db *d, int64_t id, doc_state from, doc_state to, int64_t now,
		      ulf_err *err)
{
	rdoc r;
	bool found;
	int rc;

	/* only the queue's doors and the ends of the road move a figure */
	if (to != ST_EXCEPTION && to != ST_POSTED && to != ST_REJECTED && from != ST_EXCEPTION)
		return 0;
	rc = rdoc_load(&r, &found, d, id, err);
	if (rc || !found)
		goto out;
	if (from == ST_EXCEPTION)
		rc = leave_queue(d, &r, to, now, err);
	if (rc == 0 && to == ST_EXCEPTION)
		rc = enter_queue(d, &r, cal_day_of(now), err);
	if (rc == 0 && (to == ST_POSTED || to == ST_REJECTED))
		rc = finish(d, &r, to, now, err);
	if (rc == 0)
		rc = rdoc_save(d, &r, err);
out:
	rdoc_release(&r);
	return rc;
}

/* Actions that only look, and change nothing a document goes through. */
static bool looks_only(const char *action)
{
	static const char *const look[] = { "view", "open", "show", "export", "download" };
	size_t i;

	for (i = 0; i < sizeof(look) / sizeof(look[0]); i++)
		if (strcmp(action, look[i]) == 0)
			return true;
	return false;
}

int rollup_action(db *d, const audit_entry *e, ulf_err *err)
{
	rdoc r;
	bool found, erp;
	int rc;

	if (e->doc_id <= 0 || !e->who || strcmp(e->who, "robot") == 0 || !e->action ||
	    looks_only(e->action))
		return 0;
	rc = rdoc_load(&r, &found, d, e->doc_id, err);
	if (rc || !found)
		goto out;
	/* on an invoice held up by the ERP alone, or the action that let it go */
	erp = strcmp(r.last_queue, "erp") == 0 && !r.final && (r.queued || r.left_at == e->at);
	if (erp) {
		r.erp_actions++;
	} else if (!r.final) {
		r.touches++;
	} else if (r.left_at == e->at && strcmp(r.cls, "invoice") == 0) {
		/* the action that ended it (a rejection): its transition was
		 * counted a moment before, in this transaction, without it */
		dash_counts c;
		memset(&c, 0, sizeof(c));
		c.touches = 1;
		c.touched = r.touches == 0;
		r.touches++;
		rc = add_counts(d, cal_day_of(e->at), r.region, r.cc, r.flow, &c, err);
	}
	if (rc == 0)
		rc = add_handler(d, cal_day_of(e->at), r.region, e->who, err);
	if (rc == 0)
		rc = rdoc_save(d, &r, err);
out:
	rdoc_release(&r);
	return rc;
}

int rollup_summary(db *d, int64_t id, const char *cost_centre, const char *lines_sig,
		   ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	if (!cost_centre && !lines_sig)
		return 0;
	rc = db_prepare(&st, d, "INSERT INTO dash_docs (doc_id, cc, lines_sig) VALUES (?, ?, ?)"
			" ON CONFLICT (doc_id) DO UPDATE SET cc = COALESCE(excluded.cc, dash_docs.cc),"
			" lines_sig = COALESCE(excluded.lines_sig, dash_docs.lines_sig)", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id), DBV_TEXT(cost_centre), DBV_TEXT(lines_sig));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int rollup_duplicate(db *d, int64_t id, int64_t now, ulf_err *err)
{
	dash_counts c;
	rdoc r;
	bool found;
	int rc;

	rc = rdoc_load(&r, &found, d, id, err);
	if (rc == 0) {
		memset(&c, 0, sizeof(c));
		c.dup_bytes = 1;
		rc = add_counts(d, cal_day_of(now), found ? r.region : "", found ? r.cc : "",
				found ? r.flow : "", &c, err);
	}
	rdoc_release(&r);
	return rc;
}

int rollup_paper(db *d, int32_t day, const char *region, const char *cost_centre,
		 int64_t n, ulf_err *err)
{
	dash_counts c;

	memset(&c, 0, sizeof(c));
	c.in_paper = n;
	return add_counts(d, day, region ? region : "", cost_centre ? cost_centre : "", "", &c,
			  err);
}
