/*
 * db_postgresql.c - the shared store backend, for several robots on one
 * database.  The only file that includes <libpq-fe.h>.
 *
 * Statements are written once with '?' placeholders; here they become $1,
 * $2, ... (outside quoted literals).  Parameters travel as text, blobs as
 * binary; results come back as text, bytea decoded from its hex form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "robot/store/db.h"

#define PG_MAX_PARAMS 128   /* the dashboard's counters take 70 */
#define PG_SQL_MAX (64u * 1024)

typedef struct pg_conn {
	PGconn *h;
	char sqlstate[6];
	int64_t changes;
} pg_conn;

typedef struct pg_stmt {
	pg_conn *c;
	char *sql;
	int nparams;
	char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	unsigned char *blob;   /* last decoded bytea */
} pg_stmt;

static int fail_res(pg_conn *c, PGresult *res, ulf_err *err, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->h);
	int code = ULF_ESTORE;

	memset(c->sqlstate, 0, sizeof(c->sqlstate));
	if (state) {
		memcpy(c->sqlstate, state, strnlen(state, 5));
		if (!strncmp(state, "23", 2))
			code = ULF_EEXISTS;
		else if (!strncmp(state, "53", 2))
			code = ULF_EIO;   /* insufficient resources: disk full */
	}
	return ulf_err_set(err, code, "postgresql: %s: %s", what, msg ? msg : "failed");
}

/* NOTICEs ("relation already exists, skipping") are not for stderr. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pg_open(void **out, const char *target, ulf_err *err)
{
	pg_conn *c = calloc(1, sizeof(*c));
	int rc = 0;

	*out = NULL;
	if (!c)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	c->h = PQconnectdb(target);
	if (!c->h || PQstatus(c->h) != CONNECTION_OK) {
		rc = ulf_err_set(err, ULF_ESTORE, "postgresql: cannot connect: %s",
				 c->h ? PQerrorMessage(c->h) : "out of memory");
		PQfinish(c->h);
		free(c);
		return rc;
	}
	PQsetNoticeProcessor(c->h, ignore_notice, NULL);
	*out = c;
	return 0;
}

static void pg_close(void *conn)
{
	pg_conn *c = conn;

	if (!c)
		return;
	PQfinish(c->h);
	free(c);
}

static int pg_exec(void *conn, const char *sql, ulf_err *err)
{
	pg_conn *c = conn;
	PGresult *res = PQexec(c->h, sql);
	int rc = 0;

	if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK &&
		     PQresultStatus(res) != PGRES_TUPLES_OK))
		rc = fail_res(c, res, err, "exec");
	else
		c->changes = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rc;
}

/* '?' outside quotes becomes $n; the statement text is bounded. */
static char *rewrite(const char *sql, int *nparams)
{
	size_t len = strlen(sql), o = 0;
	char *out, quote = 0;
	int n = 0;

	if (len > PG_SQL_MAX)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	for (; *sql; sql++) {
		if (quote) {
			if (*sql == quote)
				quote = 0;
		} else if (*sql == '\'' || *sql == '"') {
			quote = *sql;
		} else if (*sql == '?' && n < PG_MAX_PARAMS) {
			n++;
			out[o++] = '$';
			if (n >= 10)
				out[o++] = (char)('0' + n / 10);
			out[o++] = (char)('0' + n % 10);
			continue;
		}
		out[o++] = *sql;
	}
	out[o] = '\0';
	*nparams = n;
	return out;
}

static int pg_prepare(void **out, void *conn, const char *sql, ulf_err *err)
{
	pg_stmt *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	s->c = conn;
	s->sql = rewrite(sql, &s->nparams);
	if (!s->sql) {
		free(s);
		return ulf_err_set(err, ULF_ELIMIT, "postgresql: statement too long");
	}
	*out = s;
	return 0;
}

static int set_param(pg_stmt *s, int idx, const void *p, size_t n, int format)
{
	char *copy;

	if (idx < 1 || idx > s->nparams)
		return ULF_EINVAL;
	free(s->values[idx - 1]);
	s->values[idx - 1] = NULL;
	if (!p)
		return 0;
	copy = malloc(n + 1);
	if (!copy)
		return ULF_ENOMEM;
	memcpy(copy, p, n);
	copy[n] = '\0';
	s->values[idx - 1] = copy;
	s->lengths[idx - 1] = (int)n;
	s->formats[idx - 1] = format;
	return 0;
}

static int pg_bind_text(void *st, int idx, const char *s)
{
	return set_param(st, idx, s, strlen(s), 0);
}

static int pg_bind_int(void *st, int idx, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);

	return set_param(st, idx, buf, (size_t)n, 0);
}

static int pg_bind_blob(void *st, int idx, const void *p, size_t n)
{
	return set_param(st, idx, p ? p : "", n, 1);
}

static int pg_bind_null(void *st, int idx)
{
	return set_param(st, idx, NULL, 0, 0);
}

static int pg_step(void *st, ulf_err *err)
{
	pg_stmt *s = st;
	ExecStatusType status;

	if (!s->res) {
		s->res = PQexecParams(s->c->h, s->sql, s->nparams, NULL,
				      (const char *const *)s->values, s->lengths, s->formats, 0);
		status = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
		if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
			int rc = fail_res(s->c, s->res, err, "step");
			PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		memset(s->c->sqlstate, 0, sizeof(s->c->sqlstate));
		s->c->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		s->nrows = PQntuples(s->res);
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return 1;
	}
	return 0;
}

static bool pg_col_null(void *st, int col)
{
	pg_stmt *s = st;

	return !s->res || s->row < 0 || PQgetisnull(s->res, s->row, col);
}

static const char *pg_col_text(void *st, int col)
{
	pg_stmt *s = st;

	return pg_col_null(st, col) ? NULL : PQgetvalue(s->res, s->row, col);
}

static int64_t pg_col_int(void *st, int col)
{
	const char *v = pg_col_text(st, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

static const void *pg_col_blob(void *st, int col, size_t *len)
{
	pg_stmt *s = st;
	const char *v = pg_col_text(st, col);

	*len = 0;
	PQfreemem(s->blob);
	s->blob = NULL;
	if (!v)
		return NULL;
	s->blob = PQunescapeBytea((const unsigned char *)v, len);
	return s->blob;
}

static int pg_reset(void *st)
{
	pg_stmt *s = st;
	int i;

	PQclear(s->res);
	s->res = NULL;
	for (i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
	}
	return 0;
}

static void pg_finalize(void *st)
{
	pg_stmt *s = st;

	if (!s)
		return;
	pg_reset(s);
	PQfreemem(s->blob);
	free(s->sql);
	free(s);
}

static int64_t pg_changes(void *conn)
{
	return ((pg_conn *)conn)->changes;
}

static bool pg_is_conflict(void *conn)
{
	return strcmp(((pg_conn *)conn)->sqlstate, "23505") == 0;
}

static int pg_set_durable(void *conn, bool durable, ulf_err *err)
{
	return pg_exec(conn, durable ? "SET synchronous_commit TO on"
				     : "SET synchronous_commit TO off", err);
}

static int pg_append_only(char *buf, size_t n, const char *t)
{
	return snprintf(buf, n,
		"CREATE FUNCTION %s_append_only() RETURNS trigger LANGUAGE plpgsql AS"
		" $$BEGIN RAISE EXCEPTION 'the %s trail is append-only'; END$$;"
		"CREATE TRIGGER %s_no_change BEFORE UPDATE OR DELETE ON %s"
		" FOR EACH ROW EXECUTE FUNCTION %s_append_only();",
		t, t, t, t, t);
}

static int pg_drop_append_only(char *buf, size_t n, const char *t)
{
	return snprintf(buf, n, "DROP TRIGGER IF EXISTS %s_no_change ON %s;"
			"DROP FUNCTION IF EXISTS %s_append_only();", t, t, t);
}

const db_backend db_postgresql_backend = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_null = pg_col_null,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.col_blob = pg_col_blob,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.changes = pg_changes,
	.is_conflict = pg_is_conflict,
	.set_durable = pg_set_durable,
	.begin = "BEGIN",
	.id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	.int64_type = "BIGINT",
	.blob_type = "BYTEA",
	.clustered = "",
	.append_only = pg_append_only,
	.drop_append_only = pg_drop_append_only,
};
