/*
 * queue_index.c - the exception queue's index in the store: its tables
 * (module "queue" in schema_version), the rows written as documents enter
 * and leave the queue, the list, and a person's action with its audit row.
 * See queue_index.h.
 *
 * Everything the list filters, sorts and counts on is a column with an
 * index, filled once when a document enters the queue: its summary columns
 * copied, its reasons (a JSON array in documents.reasons) spread into
 * queue_reasons, its due date taken from the facts kept at reading, its
 * amount as a sortable integer.  Listing reads these and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "robot/store/queue_index.h"
#include "robot/store/store_int.h"

/*
 * Version 1.  queue_items has a row for every document that ever waited
 * (`waiting` 1 while it does), so the version and who changed it last
 * outlive its leaving: the second handler learns who took it.  Reasons
 * are kept only while it waits.  amount_key is the amount payable in
 * 1/10 000ths, for sorting; the exact text is `amount`.  due_key is the due
 * date, or 9999-12-31 when there is none: the default list (soonest due,
 * none last) walks its index and stops at the page.  queue_reason_counts
 * is queue_reasons counted per reason.
 */
static const char *const queue_v1 =
	"CREATE TABLE queue_items ("
	" doc_id {int64} PRIMARY KEY, waiting INTEGER NOT NULL,"
	" seller_name TEXT, seller_fold TEXT, seller_org TEXT, invoice_number TEXT,"
	" amount TEXT, amount_key {int64}, currency TEXT, due_date TEXT, due_key TEXT NOT NULL,"
	" received_at {int64} NOT NULL, queued_at {int64} NOT NULL,"
	" reasons TEXT, flow TEXT, assignee TEXT, hold_until TEXT,"
	" version {int64} NOT NULL, changed_by TEXT, changed_at {int64});"
	"CREATE INDEX queue_items_due ON queue_items(waiting, due_key, doc_id);"
	"CREATE INDEX queue_items_age ON queue_items(waiting, received_at, doc_id);"
	"CREATE INDEX queue_items_amount ON queue_items(waiting, amount_key, doc_id);"
	"CREATE INDEX queue_items_assignee ON queue_items(waiting, assignee);"
	"CREATE INDEX queue_items_flow ON queue_items(waiting, flow);"
	"CREATE INDEX queue_items_org ON queue_items(waiting, seller_org);"
	"CREATE TABLE queue_reasons ("
	" reason TEXT NOT NULL, doc_id {int64} NOT NULL, PRIMARY KEY (reason, doc_id));"
	"CREATE INDEX queue_reasons_doc ON queue_reasons(doc_id);"
	/* the reasons counted as documents enter and leave: the unfiltered
	 * list (the page a handler opens first) counts nothing per request */
	"CREATE TABLE queue_reason_counts (reason TEXT PRIMARY KEY, n {int64} NOT NULL);"
	/* the Invoice Response of a rejection, kept with its document */
	"CREATE TABLE queue_responses ("
	" doc_id {int64} PRIMARY KEY, code TEXT NOT NULL, created_at {int64} NOT NULL,"
	" created_by TEXT NOT NULL, bytes {blob} NOT NULL);";

int queue_index_migrate(db *d, ulf_err *err)
{
	const char *const steps[] = { queue_v1 };

	return db_migrate(d, "queue", steps, sizeof(steps) / sizeof(steps[0]), err);
}

const char *queue_sort_name(queue_sort s)
{
	switch (s) {
	case QUEUE_SORT_AGE: return "age";
	case QUEUE_SORT_AMOUNT: return "amount";
	default: return "due";
	}
}

int queue_sort_parse(queue_sort *out, const char *name)
{
	static const queue_sort all[] = { QUEUE_SORT_DUE, QUEUE_SORT_AGE, QUEUE_SORT_AMOUNT };
	size_t i;

	for (i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(name, queue_sort_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return ULF_EINVAL;
}

void queue_page_release(queue_page *p)
{
	if (!p)
		return;
	arena_release(&p->mem);
	memset(p, 0, sizeof(*p));
}

/* ---- small helpers ------------------------------------------------------- */

/* YYYY-MM-DD of `t` plus `days`, in UTC (the robot's dates are UTC). */
static void day_of(char out[11], int64_t t, int days)
{
	time_t tt = (time_t)(t + (int64_t)days * 86400);
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/*
 * A name folded for "contains" searches in either database: ASCII and the
 * Swedish and common Latin-1 capitals (two-byte UTF-8 U+00C0..U+00DE) to
 * lower case, the rest as it is.  out has room for n bytes.
 */
static void fold(char *out, size_t n, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 2 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z') {
			out[o++] = (char)(c + 32);
		} else if (c == 0xC3 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9E &&
			   (unsigned char)s[1] != 0x97) {
			out[o++] = (char)c;
			out[o++] = (char)((unsigned char)s[1] + 0x20);
			s++;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

/* The digits of s (an org number typed with a dash), "" when there are
 * other characters than digits, dashes and spaces. */
static void digits_only(char *out, size_t n, const char *s)
{
	size_t o = 0;

	for (; *s && o + 1 < n; s++) {
		if (*s >= '0' && *s <= '9')
			out[o++] = *s;
		else if (*s != '-' && *s != ' ') {
			o = 0;
			break;
		}
	}
	out[o] = '\0';
}

/* A column copied into the arena; NULL for SQL NULL (and out of memory,
 * which the caller checks with `ok`). */
static const char *col_dup(arena *a, db_stmt *st, int col, bool *ok)
{
	const char *v = db_col_text(st, col);
	char *c;

	if (!v)
		return NULL;
	c = arena_strdup(a, v);
	if (!c)
		*ok = false;
	return c;
}

/* "A B C" into an array of codes in the arena. */
static int split_reasons(const char ***out, size_t *out_n, arena *a, const char *text)
{
	const char **v;
	const char *p;
	size_t n = 0, i = 0;

	*out = NULL;
	*out_n = 0;
	if (!text || !*text)
		return 0;
	for (p = text; *p; p++)
		if (*p != ' ' && (p == text || p[-1] == ' '))
			n++;
	v = arena_alloc(a, (n ? n : 1) * sizeof(*v));
	if (!v)
		return ULF_ENOMEM;
	for (p = text; *p && i < n;) {
		size_t len;
		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		if (!(v[i++] = arena_strndup(a, p, len)))
			return ULF_ENOMEM;
		p += len;
	}
	*out = v;
	*out_n = i;
	return 0;
}

/* ---- entering and leaving -------------------------------------------------- */

/* The due key of a document without a due date: after every date. */
#define NO_DUE "9999-12-31"

#define ITEM_COLS \
	"doc_id, seller_name, seller_org, invoice_number, amount, currency, due_date," \
	" received_at, queued_at, reasons, flow, assignee, hold_until, version," \
	" changed_by, changed_at"

/* Fills *it from a row of ITEM_COLS starting at column `c0`. */
static int item_from_row(queue_item *it, db_stmt *st, int c0, arena *a, const char *today)
{
	const char *reasons;
	bool ok = true;
	int rc;

	memset(it, 0, sizeof(*it));
	it->id = db_col_int(st, c0);
	it->supplier_name = col_dup(a, st, c0 + 1, &ok);
	it->supplier_org = col_dup(a, st, c0 + 2, &ok);
	it->invoice_number = col_dup(a, st, c0 + 3, &ok);
	it->amount = col_dup(a, st, c0 + 4, &ok);
	if (it->amount)
		it->amount_set = dec_parse(&it->amount_dec, it->amount, strlen(it->amount)) == 0;
	it->currency = col_dup(a, st, c0 + 5, &ok);
	it->due_date = col_dup(a, st, c0 + 6, &ok);
	it->received_at = db_col_int(st, c0 + 7);
	it->queued_at = db_col_int(st, c0 + 8);
	reasons = db_col_text(st, c0 + 9);
	it->flow = col_dup(a, st, c0 + 10, &ok);
	it->assignee = col_dup(a, st, c0 + 11, &ok);
	it->hold_until = col_dup(a, st, c0 + 12, &ok);
	it->held = it->hold_until && today && strcmp(it->hold_until, today) > 0;
	it->version = db_col_int(st, c0 + 13);
	it->changed_by = col_dup(a, st, c0 + 14, &ok);
	it->changed_at = db_col_int(st, c0 + 15);
	rc = split_reasons(&it->reasons, &it->nreasons, a, reasons);
	return ok && rc == 0 ? 0 : ULF_ENOMEM;
}

/* What the queue row is made of, read from the document. */
typedef struct entry {
	char *seller_name, *seller_org, *invoice_number, *amount, *currency, *flow;
	char *reasons_json, *facts;
	int64_t received_at;
	bool found;
} entry;

static char *dup_col(db_stmt *st, int col, bool *ok)
{
	const char *v = db_col_text(st, col);
	char *c;

	if (!v)
		return NULL;
	if (!(c = strdup(v)))
		*ok = false;
	return c;
}

static void entry_release(entry *e)
{
	free(e->seller_name);
	free(e->seller_org);
	free(e->invoice_number);
	free(e->amount);
	free(e->currency);
	free(e->flow);
	free(e->reasons_json);
	free(e->facts);
}

static int entry_read(entry *e, db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	bool ok = true;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = db_prepare(&st, d, "SELECT seller_name, seller_org, invoice_number, payable,"
			" currency, flow, reasons, facts, received_at FROM documents WHERE id = ?",
			err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		e->found = true;
		e->seller_name = dup_col(st, 0, &ok);
		e->seller_org = dup_col(st, 1, &ok);
		e->invoice_number = dup_col(st, 2, &ok);
		e->amount = dup_col(st, 3, &ok);
		e->currency = dup_col(st, 4, &ok);
		e->flow = dup_col(st, 5, &ok);
		e->reasons_json = dup_col(st, 6, &ok);
		e->facts = dup_col(st, 7, &ok);
		e->received_at = db_col_int(st, 8);
		rc = ok ? 0 : ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	db_finalize(st);
	return rc;
}

/* The due date (BT-9) from the facts kept at reading, into out (""). */
static void facts_due(char out[16], const char *facts)
{
	ujson *o = NULL;
	const char *v;

	out[0] = '\0';
	if (!facts || ujson_parse(&o, facts, strlen(facts), NULL, NULL))
		return;
	v = ujson_get_str(o, "due_date");
	if (v && strlen(v) == 10)
		memcpy(out, v, 11);
	ujson_free(o);
}

/* The reason codes of a JSON array, as "A B C" (codes are [A-Z_0-9]). */
static int reasons_text(char **out, const char *json, ulf_err *err)
{
	ujson *arr = NULL;
	size_t i, n, len = 0, cap = 1;
	char *s;

	*out = NULL;
	if (!json || ujson_parse(&arr, json, strlen(json), NULL, NULL) || !ujson_is_array(arr)) {
		ujson_free(arr);
		return 0;
	}
	n = ujson_array_size(arr);
	for (i = 0; i < n; i++) {
		const char *c = ujson_str_value(ujson_array_get(arr, i));
		cap += c ? strlen(c) + 1 : 0;
	}
	s = malloc(cap);
	if (!s) {
		ujson_free(arr);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *c = ujson_str_value(ujson_array_get(arr, i));
		size_t cl;
		if (!c || !*c || strchr(c, ' '))
			continue;
		cl = strlen(c);
		if (len)
			s[len++] = ' ';
		memcpy(s + len, c, cl + 1);
		len += cl;
	}
	ujson_free(arr);
	*out = s;
	return 0;
}

/* The document's reasons out of queue_reasons and their counts. */
static int drop_reasons(db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_exec_row(d, err, "UPDATE queue_reason_counts SET n = n - 1 WHERE reason IN"
			" (SELECT reason FROM queue_reasons WHERE doc_id = ?)",
			 DBV_INT(id));
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "DELETE FROM queue_reasons WHERE doc_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

static int put_reasons(db *d, int64_t id, const char *text, ulf_err *err)
{
	db_stmt *st = NULL;
	const char *p = text;
	char code[128];
	int rc;

	rc = drop_reasons(d, id, err);
	while (rc == 0 && p && *p) {
		size_t len = strcspn(p, " ");
		if (len && len < sizeof(code)) {
			memcpy(code, p, len);
			code[len] = '\0';
			/* the same code twice is one reason */
			rc = db_prepare(&st, d, "INSERT INTO queue_reasons (reason, doc_id) VALUES (?, ?)"
					" ON CONFLICT (reason, doc_id) DO NOTHING", err);
			if (rc)
				break;
			rc = db_bind_row(st, err, DBV_TEXT(code), DBV_INT(id));
			if (rc == 0)
				rc = db_run(st, err);
			else
				db_finalize(st);
			if (rc == 0 && db_changes(d) == 1) {
				rc = db_prepare(&st, d, "INSERT INTO queue_reason_counts (reason, n)"
						" VALUES (?, 1) ON CONFLICT (reason) DO UPDATE"
						" SET n = queue_reason_counts.n + 1", err);
				if (rc)
					break;
				rc = db_bind_row(st, err, DBV_TEXT(code));
				if (rc == 0)
					rc = db_run(st, err);
				else
					db_finalize(st);
			}
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return rc;
}

int queue_index_enter(db *d, int64_t id, int64_t now, ulf_err *err)
{
	char due[16], fname[512];
	char *reasons = NULL;
	int64_t key = 0;
	bool key_set = false;
	db_stmt *st = NULL;
	entry e;
	int rc;

	rc = entry_read(&e, d, id, err);
	if (rc || !e.found)
		goto out;
	facts_due(due, e.facts);
	fold(fname, sizeof(fname), e.seller_name);
	if (e.amount) {
		dec a, r;
		if (dec_parse(&a, e.amount, strlen(e.amount)) == 0 && dec_round(&r, a, 4) == 0 &&
		    dec_to_units(&key, r, 4) == 0)
			key_set = true;
	}
	rc = reasons_text(&reasons, e.reasons_json, err);
	if (rc)
		goto out;
	/* entering again (after a retry or a failed posting) keeps who it is
	 * assigned to and its hold; the rest is the document's as it is now */
	rc = db_prepare(&st, d,
		"INSERT INTO queue_items (doc_id, waiting, seller_name, seller_fold, seller_org,"
		" invoice_number, amount, amount_key, currency, due_date, received_at, queued_at,"
		" reasons, flow, changed_at, due_key, version, changed_by)"
		" VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'robot')"
		" ON CONFLICT (doc_id) DO UPDATE SET waiting = 1,"
		" seller_name = excluded.seller_name, seller_fold = excluded.seller_fold,"
		" seller_org = excluded.seller_org, invoice_number = excluded.invoice_number,"
		" amount = excluded.amount, amount_key = excluded.amount_key,"
		" currency = excluded.currency, due_date = excluded.due_date,"
		" due_key = excluded.due_key,"
		" received_at = excluded.received_at, queued_at = excluded.queued_at,"
		" reasons = excluded.reasons, flow = excluded.flow,"
		" version = queue_items.version + 1, changed_by = 'robot',"
		" changed_at = excluded.changed_at", err);
	if (rc)
		goto out;
	rc = db_bind_row(st, err, DBV_INT(id), DBV_TEXT(e.seller_name),
			 DBV_TEXT(e.seller_name ? fname : NULL), DBV_TEXT(e.seller_org),
			 DBV_TEXT(e.invoice_number), DBV_TEXT(e.amount),
			 key_set ? DBV_INT(key) : DBV_NULL, DBV_TEXT(e.currency),
			 DBV_TEXT(due[0] ? due : NULL), DBV_INT(e.received_at), DBV_INT(now),
			 DBV_TEXT(reasons), DBV_TEXT(e.flow), DBV_INT(now),
			 DBV_TEXT(due[0] ? due : NO_DUE));
	if (rc)
		db_finalize(st);
	else
		rc = db_run(st, err);
	if (rc == 0)
		rc = put_reasons(d, id, reasons, err);
out:
	free(reasons);
	entry_release(&e);
	return rc;
}

int queue_index_leave(db *d, int64_t id, const char *who, int64_t now, ulf_err *err)
{
	int rc;

	rc = db_exec_row(d, err, "UPDATE queue_items SET waiting = 0, version = version + 1,"
			" changed_by = ?, changed_at = ? WHERE doc_id = ?",
			 DBV_TEXT(who ? who : "robot"), DBV_INT(now), DBV_INT(id));
	if (rc)
		return rc;
	return drop_reasons(d, id, err);
}

static int backfill_tx(db *d, void *ctx, ulf_err *err)
{
	const int64_t *now = ctx;
	int64_t *ids = NULL;
	size_t n = 0, i;
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d, "SELECT id FROM documents d WHERE state = 'exception' AND NOT"
			" EXISTS (SELECT 1 FROM queue_items q WHERE q.doc_id = d.id AND q.waiting = 1)"
			" ORDER BY id LIMIT 1000000", err);
	if (rc)
		return rc;
	rc = db_collect_ids(&ids, &n, st, 1000000, err);   /* the statement's LIMIT */
	db_finalize(st);
	for (i = 0; rc == 0 && i < n; i++)
		rc = queue_index_enter(d, ids[i], *now, err);
	free(ids);
	return rc;
}

int queue_index_backfill(db *d, int64_t now, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	/* the common case (nothing to do) without the write lock */
	rc = db_prepare(&st, d, "SELECT 1 FROM documents d WHERE state = 'exception' AND NOT"
			" EXISTS (SELECT 1 FROM queue_items q WHERE q.doc_id = d.id AND q.waiting = 1)"
			" LIMIT 1", err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	db_finalize(st);
	if (rc <= 0)
		return rc;
	return db_tx(d, backfill_tx, &now, err);
}

/* ---- the list ---------------------------------------------------------------- */

#define MAX_BINDS 16

/* A WHERE clause being built, with its parameters. */
typedef struct where {
	char sql[1024];
	size_t len;
	bool overflow;
	const char *text[MAX_BINDS];
	int n;
	/* the values the texts point at */
	char fold[512], like[1100], org[64], today[11], due[11];
} where;

static void w_add(where *w, const char *clause)
{
	size_t l = strlen(clause);

	if (w->len + l + 1 > sizeof(w->sql)) {
		w->overflow = true;
		return;
	}
	memcpy(w->sql + w->len, clause, l + 1);
	w->len += l;
}

static void w_text(where *w, const char *v)
{
	if (w->n < MAX_BINDS)
		w->text[w->n++] = v;
	else
		w->overflow = true;
}

/* Binds the filter's texts to parameters 1..n, then `limit` and `offset`
 * when with_page (the page's LIMIT ? OFFSET ?). */
static int w_bind(const where *w, db_stmt *st, bool with_page, int64_t limit, int64_t offset,
		  ulf_err *err)
{
	db_value v[MAX_BINDS + 2];
	size_t n = 0;
	int i;

	for (i = 0; i < w->n; i++)
		v[n++] = DBV_TEXT(w->text[i]);
	if (with_page) {
		v[n++] = DBV_INT(limit);
		v[n++] = DBV_INT(offset);
	}
	return db_bind_values(st, v, n, err);
}

/* "%x%" with LIKE's own characters escaped by '\'. */
static void like_pattern(char *out, size_t n, const char *s)
{
	size_t o = 0;

	out[o++] = '%';
	for (; *s && o + 3 < n; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
}

/* The filters but the reason's, on queue_items q. */
static void where_filters(where *w, const queue_filter *f)
{
	w_add(w, " WHERE q.waiting = 1");
	if (f->supplier && *f->supplier) {
		fold(w->fold, sizeof(w->fold), f->supplier);
		like_pattern(w->like, sizeof(w->like), w->fold);
		digits_only(w->org, sizeof(w->org), f->supplier);
		w_add(w, " AND (q.seller_fold LIKE ? ESCAPE '\\' OR q.seller_org = ? OR q.seller_org = ?)");
		w_text(w, w->like);
		w_text(w, f->supplier);
		w_text(w, w->org[0] ? w->org : f->supplier);
	}
	if (f->flow && *f->flow) {
		w_add(w, " AND q.flow = ?");
		w_text(w, f->flow);
	}
	switch (f->who) {
	case QUEUE_MINE:
	case QUEUE_USER:
		w_add(w, " AND q.assignee = ?");
		w_text(w, f->user ? f->user : "");
		break;
	case QUEUE_UNASSIGNED:
		w_add(w, " AND q.assignee IS NULL");
		break;
	default:
		break;
	}
	if (f->due_within_set) {
		w_add(w, " AND q.due_key <= ?");
		w_text(w, w->due);
	}
	if (f->held == QUEUE_HELD_NOT) {
		w_add(w, " AND (q.hold_until IS NULL OR q.hold_until <= ?)");
		w_text(w, w->today);
	} else if (f->held == QUEUE_HELD_ONLY) {
		w_add(w, " AND q.hold_until > ?");
		w_text(w, w->today);
	}
}

static void where_reason(where *w, const queue_filter *f)
{
	if (f->reason && *f->reason) {
		w_add(w, " AND EXISTS (SELECT 1 FROM queue_reasons r WHERE r.reason = ?"
		      " AND r.doc_id = q.doc_id)");
		w_text(w, f->reason);
	}
}

/* What a page's rows are collected with. */
typedef struct page_ctx {
	queue_page *p;
	const char *today;
	size_t cap;
} page_ctx;

static int page_row(db_stmt *st, void *ctx, ulf_err *err)
{
	page_ctx *c = ctx;

	if (c->p->n == c->cap)
		return 1;
	if (item_from_row(&c->p->items[c->p->n], st, 0, &c->p->mem, c->today))
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	c->p->n++;
	return 0;
}

static int count_row(db_stmt *st, void *ctx, ulf_err *err)
{
	queue_page *p = ctx;
	queue_reason_count *rc = &p->counts[p->ncounts];
	bool ok = true;

	if (p->ncounts == 256)
		return 1;
	rc->reason = col_dup(&p->mem, st, 0, &ok);
	rc->n = db_col_int(st, 1);
	if (!ok || !rc->reason)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	p->ncounts++;
	return 0;
}

/* The ORDER BY of a sort: NULLs (no due date, no amount) last either way. */
static const char *order_by(const queue_filter *f)
{
	switch (f->sort) {
	case QUEUE_SORT_AGE:
		return f->descending ? " ORDER BY q.received_at DESC, q.doc_id DESC"
				     : " ORDER BY q.received_at, q.doc_id";
	case QUEUE_SORT_AMOUNT:
		return f->descending ? " ORDER BY (q.amount_key IS NULL), q.amount_key DESC, q.doc_id"
				     : " ORDER BY (q.amount_key IS NULL), q.amount_key, q.doc_id";
	default:
		return f->descending ? " ORDER BY (q.due_date IS NULL), q.due_date DESC, q.doc_id"
				     : " ORDER BY q.due_key, q.doc_id";
	}
}

int queue_index_list(queue_page *out, store *s, const queue_filter *fin, int64_t now,
		     ulf_err *err)
{
	static const queue_filter none;
	const queue_filter *f = fin ? fin : &none;
	db *d = store_db(s);
	where *w = NULL;
	db_stmt *st = NULL;
	page_ctx pc;
	char sql[2048];
	int rc;

	memset(out, 0, sizeof(*out));
	arena_init(&out->mem, 64u << 20);
	out->offset = f->offset;
	out->limit = f->limit ? f->limit : QUEUE_PAGE_DEFAULT;
	if (out->limit > QUEUE_PAGE_MAX)
		out->limit = QUEUE_PAGE_MAX;
	w = calloc(1, sizeof(*w));
	out->items = arena_alloc(&out->mem, out->limit * sizeof(*out->items));
	out->counts = arena_alloc(&out->mem, 256 * sizeof(*out->counts));
	if (!w || !out->items || !out->counts) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	day_of(w->today, now, 0);
	day_of(w->due, now, f->due_within_days);
	where_filters(w, f);

	/* counts per reason: every filter but the reason's; with none, as
	 * they were counted when documents entered and left */
	if (w->len == strlen(" WHERE q.waiting = 1"))
		snprintf(sql, sizeof(sql), "SELECT reason, n FROM queue_reason_counts WHERE n > 0"
			 " ORDER BY 2 DESC, 1");
	else if (!w->overflow)
		snprintf(sql, sizeof(sql), "SELECT r.reason, COUNT(*) FROM queue_reasons r"
			 " JOIN queue_items q ON q.doc_id = r.doc_id%s GROUP BY r.reason"
			 " ORDER BY 2 DESC, 1", w->sql);
	where_reason(w, f);
	if (w->overflow) {
		rc = ulf_err_set(err, ULF_EINVAL, "queue filter too long");
		goto out;
	}
	rc = db_prepare(&st, d, sql, err);
	if (rc)
		goto out;
	/* the same binds but the reason's, which comes last */
	{
		where wc = *w;
		if (f->reason && *f->reason)
			wc.n--;
		rc = w_bind(&wc, st, false, 0, 0, err);
	}
	if (rc == 0)
		rc = db_each(st, count_row, out, err);
	db_finalize(st);
	st = NULL;
	if (rc)
		goto out;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM queue_items q%s", w->sql);
	rc = db_prepare(&st, d, sql, err);
	if (rc)
		goto out;
	rc = w_bind(w, st, false, 0, 0, err);
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		out->total = db_col_int(st, 0);
		rc = 0;
	}
	db_finalize(st);
	st = NULL;
	if (rc)
		goto out;

	snprintf(sql, sizeof(sql), "SELECT q.doc_id, q.seller_name, q.seller_org,"
		 " q.invoice_number, q.amount, q.currency, q.due_date, q.received_at, q.queued_at,"
		 " q.reasons, q.flow, q.assignee, q.hold_until, q.version, q.changed_by,"
		 " q.changed_at FROM queue_items q%s%s LIMIT ? OFFSET ?", w->sql, order_by(f));
	rc = db_prepare(&st, d, sql, err);
	if (rc)
		goto out;
	rc = w_bind(w, st, true, (int64_t)out->limit, (int64_t)f->offset, err);
	pc.p = out;
	pc.today = w->today;
	pc.cap = out->limit;
	if (rc == 0)
		rc = db_each(st, page_row, &pc, err);
	db_finalize(st);
out:
	free(w);
	return rc;
}

int queue_index_get(queue_item *out, bool *found, bool *waiting, store *s, int64_t id,
		    arena *a, ulf_err *err)
{
	db_stmt *st = NULL;
	char today[11];
	int rc;

	memset(out, 0, sizeof(*out));
	*found = *waiting = false;
	rc = db_prepare(&st, store_db(s), "SELECT " ITEM_COLS ", waiting FROM queue_items"
			" WHERE doc_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		day_of(today, (int64_t)time(NULL), 0);
		*found = true;
		*waiting = db_col_int(st, 16) == 1;
		rc = item_from_row(out, st, 0, a, today)
		     ? ulf_err_set(err, ULF_ENOMEM, "out of memory") : 0;
	}
	db_finalize(st);
	return rc;
}

/* ---- a person's action --------------------------------------------------------- */

/* What a document is, before or after an action: the audit row's values. */
typedef struct snapshot {
	char state[16];
	char *assignee, *hold_until, *reasons, *booking;
	int64_t version;
	char *changed_by;
	int64_t changed_at;
	bool has_row, waiting;
} snapshot;

static void snapshot_release(snapshot *v)
{
	free(v->assignee);
	free(v->hold_until);
	free(v->reasons);
	free(v->booking);
	free(v->changed_by);
	memset(v, 0, sizeof(*v));
}

static int snapshot_read(snapshot *v, db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	bool ok = true;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = db_prepare(&st, d, "SELECT d.state, d.booking, d.reasons, q.assignee, q.hold_until,"
			" q.version, q.changed_by, q.changed_at, q.waiting, q.doc_id"
			" FROM documents d LEFT JOIN queue_items q ON q.doc_id = d.id WHERE d.id = ?",
			err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 0) {
		rc = ulf_err_set(err, ULF_ENOTFOUND, "document %lld not found", (long long)id);
	} else if (rc == 1) {
		snprintf(v->state, sizeof(v->state), "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
		v->booking = dup_col(st, 1, &ok);
		v->reasons = dup_col(st, 2, &ok);
		v->assignee = dup_col(st, 3, &ok);
		v->hold_until = dup_col(st, 4, &ok);
		v->version = db_col_int(st, 5);
		v->changed_by = dup_col(st, 6, &ok);
		v->changed_at = db_col_int(st, 7);
		v->waiting = db_col_int(st, 8) == 1;
		v->has_row = !db_col_null(st, 9);
		rc = ok ? 0 : ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	db_finalize(st);
	if (rc)
		snapshot_release(v);
	return rc;
}

/* A JSON text as a tree (itself a string when it is no JSON), or null. */
static ujson *json_or_null(const char *text)
{
	ujson *v = NULL;

	if (!text)
		return ujson_null();
	if (ujson_parse(&v, text, strlen(text), NULL, NULL) == 0)
		return v;
	return ujson_string(text);
}

static ujson *snapshot_json(const snapshot *v)
{
	ujson *o = ujson_object();

	if (!o || ujson_set_str(o, "state", v->state) ||
	    ujson_set_str(o, "assignee", v->assignee) ||
	    ujson_set_str(o, "hold_until", v->hold_until) ||
	    ujson_set_new(o, "reasons", json_or_null(v->reasons)) ||
	    ujson_set_new(o, "booking", json_or_null(v->booking))) {
		ujson_free(o);
		return NULL;
	}
	return o;
}

/* "2025-03-04 10:15 UTC" */
static void when_text(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

static int set_text(db *d, const char *sql, const char *value, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc = db_prepare(&st, d, sql, err);

	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(value), DBV_INT(id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* The audit row's detail: extra, before, after. */
static int act_detail(char **out, const queue_act *a, const snapshot *before,
		      const snapshot *after, ulf_err *err)
{
	ujson *o = ujson_object();
	size_t i;
	int rc = o ? 0 : ULF_ENOMEM;

	*out = NULL;
	for (i = 0; rc == 0 && a->extra && a->extra[i]; i += 2)
		rc = ujson_set_str(o, a->extra[i], a->extra[i + 1]);
	if (rc == 0)
		rc = ujson_set_int(o, "version", a->version);
	if (rc == 0)
		rc = ujson_set_new(o, "before", snapshot_json(before));
	if (rc == 0)
		rc = ujson_set_new(o, "after", snapshot_json(after));
	if (rc == 0 && !(*out = ujson_dump(o, UJSON_COMPACT | UJSON_SORTED)))
		rc = ULF_ENOMEM;
	ujson_free(o);
	return rc ? ulf_err_set(err, ULF_ENOMEM, "out of memory") : 0;
}

static int act_tx(db *d, void *ctx, ulf_err *err)
{
	const queue_act *a = ctx;
	snapshot before, after;
	char when[32], *detail = NULL;
	db_stmt *st = NULL;
	int rc;

	memset(&after, 0, sizeof(after));
	rc = snapshot_read(&before, d, a->id, err);
	if (rc)
		return rc;
	if (before.version != a->version) {
		when_text(when, before.changed_at);
		rc = ulf_err_set(err, ULF_ECONFLICT, "document %lld was changed by %s at %s \xE2\x80\x94"
				 " reload", (long long)a->id,
				 before.changed_by ? before.changed_by : "someone", when);
		goto out;
	}
	if (a->must_wait && !(before.waiting && strcmp(before.state, "exception") == 0)) {
		rc = ulf_err_set(err, ULF_EINVAL, "document %lld is %s, not in the exception queue",
				 (long long)a->id, before.state);
		goto out;
	}
	if (a->set_booking) {
		rc = db_prepare(&st, d, "UPDATE documents SET booking = ?, updated_at = ?"
				" WHERE id = ?", err);
		if (rc)
			goto out;
		rc = db_bind_row(st, err, DBV_TEXT(a->booking), DBV_INT(a->now), DBV_INT(a->id));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
		if (rc)
			goto out;
	}
	if (a->response) {
		rc = db_prepare(&st, d, "INSERT INTO queue_responses (doc_id, code, created_at,"
				" created_by, bytes) VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE"
				" SET code = excluded.code, created_at = excluded.created_at,"
				" created_by = excluded.created_by, bytes = excluded.bytes", err);
		if (rc)
			goto out;
		rc = db_bind_row(st, err, DBV_INT(a->id),
				 DBV_TEXT(a->response_code ? a->response_code : "OTH"),
				 DBV_INT(a->now), DBV_TEXT(a->who),
				 DBV_BLOB(a->response, a->response_len));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
		if (rc)
			goto out;
	}
	if (a->set_assignee && before.has_row)
		rc = set_text(d, "UPDATE queue_items SET assignee = ? WHERE doc_id = ?",
			      a->assignee && *a->assignee ? a->assignee : NULL, a->id, err);
	if (rc == 0 && a->set_hold && before.has_row)
		rc = set_text(d, "UPDATE queue_items SET hold_until = ? WHERE doc_id = ?",
			      a->hold_until && *a->hold_until ? a->hold_until : NULL, a->id, err);
	if (rc == 0 && a->to)
		rc = store_tx_transition(d, a->id, ST_EXCEPTION, a->to, "handler", 0, a->action,
					 a->now, err);
	if (rc == 0 && before.has_row) {
		rc = db_prepare(&st, d, "UPDATE queue_items SET version = version + 1,"
				" changed_by = ?, changed_at = ? WHERE doc_id = ?", err);
		if (rc == 0) {
			rc = db_bind_row(st, err, DBV_TEXT(a->who), DBV_INT(a->now),
					 DBV_INT(a->id));
			if (rc == 0)
				rc = db_run(st, err);
			else
				db_finalize(st);
		}
	}
	if (rc == 0)
		rc = snapshot_read(&after, d, a->id, err);
	if (rc == 0)
		rc = act_detail(&detail, a, &before, &after, err);
	if (rc == 0)
		rc = store_tx_audit(d, a->id, a->who, a->action, detail, a->now, err);
out:
	free(detail);
	snapshot_release(&before);
	snapshot_release(&after);
	return rc;
}

int queue_index_act(store *s, const queue_act *a, ulf_err *err)
{
	if (!a->who || !*a->who)
		return ulf_err_set(err, ULF_EINVAL, "an action needs the user who takes it");
	if (a->to && !store_transition_allowed(ST_EXCEPTION, a->to))
		return ulf_err_set(err, ULF_EINVAL, "exception -> %s is not allowed",
				   store_state_name(a->to));
	return db_tx(store_db(s), act_tx, (void *)a, err);
}

int queue_index_response(char **out, size_t *out_len, char **out_code, store *s, int64_t id,
			 ulf_err *err)
{
	db_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (out_code)
		*out_code = NULL;
	rc = db_prepare(&st, store_db(s), "SELECT bytes, code FROM queue_responses"
			" WHERE doc_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 0) {
		rc = ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no Invoice Response",
				 (long long)id);
	} else if (rc == 1) {
		p = db_col_blob(st, 0, &n);
		*out = malloc(n + 1);
		if (out_code && db_col_text(st, 1))
			*out_code = strdup(db_col_text(st, 1));
		if (!*out || (out_code && !*out_code)) {
			free(*out);
			*out = NULL;
			if (out_code) {
				free(*out_code);
				*out_code = NULL;
			}
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		} else {
			if (n)
				memcpy(*out, p, n);
			(*out)[n] = '\0';
			*out_len = n;
			rc = 0;
		}
	}
	db_finalize(st);
	return rc;
}
